"""Small readers of a sandboxed shelf's visible state, shared by the end-to-end tests."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.sandbox import Sandbox, pyshelf_script
from uv import find_uv_bin


def packages(sandbox: Sandbox) -> dict[str, tuple[str, str]]:
    """name -> (version, type) from ``pyshelf list --json``."""
    data = json.loads(sandbox.ok("list", "--json").stdout)
    return {p["name"]: (p["version"], p["type"]) for p in data["packages"]}


def generation_dirs(sandbox: Sandbox) -> list[str]:
    return sorted(p.name for p in (sandbox.shelf_home / "gens").iterdir())


def current_target(sandbox: Sandbox) -> str:
    return str((sandbox.shelf_home / "env").readlink())


def snapshot(sandbox: Sandbox) -> tuple[object, ...]:
    """Everything a failed change must leave exactly as it was."""
    return (
        generation_dirs(sandbox),
        current_target(sandbox),
        sandbox.ok("list", "--json").stdout,
        (sandbox.shelf_home / "state.db").stat().st_size,
    )


ENTRY_FILE = "pyshelf-entry.json"
COMPOSITION = "pyshelf-composition.json"


def store_entries(sandbox: Sandbox, name: str) -> list[Path]:
    """The complete store entries of the distribution ``name`` (canonical)."""
    return sorted(entry for entry in (sandbox.shelf_home / "store").iterdir()
                  if not entry.name.startswith(".new-") and entry_name(entry) == name)


def entry_name(entry: Path) -> str:
    """The name of the distribution a complete store entry holds."""
    return str(json.loads((entry / ENTRY_FILE).read_text())["name"])


def store_entry(sandbox: Sandbox, name: str) -> Path:
    [entry] = store_entries(sandbox, name)
    return entry


def site_packages(venv: Path) -> Path:
    [site] = (venv / "lib").glob("python*/site-packages")
    return site


def composed_of(venv: Path) -> list[str]:
    """The entries ``venv`` was composed of; none while it is being built, or for a venv
    installed whole."""
    composition = venv / COMPOSITION
    return json.loads(composition.read_text())["entries"] if composition.exists() else []


def links_into(path: Path, entry: Path) -> bool:
    """Whether ``path`` is reached through a link into the store entry ``entry`` (by the
    path's own link or a folder's above it), whatever form the link takes."""
    real = Path(os.path.realpath(path))
    return real != path.absolute() and real.is_relative_to(entry.resolve())


JUPYTER_PAGE = "etc/jupyter/labconfig/page_config.json"
KERNEL = "share/jupyter/kernels/mykernel/kernel.json"
SETTINGS = "etc/data-pack/settings.ini"  # data-pack's own, as a person edited it
WRITTEN_BY_TOOLS = {JUPYTER_PAGE: '{"disabledExtensions": {"x": true}}\n',
                    KERNEL: '{"argv": ["python3"], "display_name": "mine"}\n',
                    SETTINGS: "[data-pack]\ncolour = red\n"}


def write_as_tools(prefix: Path) -> None:
    """Write into an environment with data-pack what ``jupyter labextension disable``,
    ``ipykernel install --sys-prefix`` and an editor would."""
    for relative, text in WRITTEN_BY_TOOLS.items():
        (prefix / relative).parent.mkdir(parents=True, exist_ok=True)
        (prefix / relative).write_text(text)


def written_by_tools_in(prefix: Path) -> bool:
    """Whether ``prefix`` holds what :func:`write_as_tools` wrote, as files of its own."""
    return all((prefix / r).read_text() == t and not (prefix / r).is_symlink()
               for r, t in WRITTEN_BY_TOOLS.items())


def shelf_python(sandbox: Sandbox, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with the ``python3`` a new terminal finds (the shelf's)."""
    quoted = "'" + code.replace("'", "'\"'\"'") + "'"
    return sandbox.bash(f"python3 -c {quoted}")


def run_without_subprocesses(sandbox: Sandbox, *calls: list[str], shell: bool = False,
                             walk: bool = True) -> subprocess.CompletedProcess:
    """Run pyshelf commands in one interpreter where starting any process fails, to show
    that reporting commands read only the database. ``shell`` lets through the person's
    interactive shell, which ``status`` starts to see what a new terminal gets; without
    ``walk``, walking a folder tree fails too, to show that a command does not add up the
    disk by visiting every file."""
    probe = (
        "import subprocess, os, sys\n"
        "def refuse(*a, **k): raise SystemExit('a subprocess was started')\n"
        "real_popen = subprocess.Popen\n"
        "def popen(argv, *a, **k):\n"
        f"    if {shell!r} and list(argv)[1:2] == ['-i']:\n"
        "        return real_popen(argv, *a, **k)\n"
        "    refuse()\n"
        "subprocess.Popen = popen\n"
        "os.execv = os.execve = os.posix_spawn = os.fork = refuse\n"
        + ("" if walk else
           "def no_walk(*a, **k): raise SystemExit('a folder tree was walked')\n"
           "os.walk = no_walk\n")
        + "from pyshelf.cli import main\n"
        f"for args in {list(calls)!r}:\n"
        "    if main(args) != 0:\n"
        "        sys.exit(f'{args} failed')\n"
    )
    return subprocess.run([sys.executable, "-c", probe], env=sandbox.env, capture_output=True,
                          text=True, check=False)


def files_read_by(sandbox: Sandbox, args: list[str]) -> list[str]:
    """Run one pyshelf command in an interpreter that records every file it opens for
    reading, and return their paths."""
    return _recorded_by(sandbox, args, (
        "import builtins, io\n"
        "real_open = io.open\n"
        "def opening(file, mode='r', *a, **k):\n"
        "    if 'r' in mode:\n"
        "        recorded.append(str(file))\n"
        "    return real_open(file, mode, *a, **k)\n"
        "io.open = builtins.open = opening\n"))


def started_by(sandbox: Sandbox, args: list[str]) -> list[list[str]]:
    """Run one pyshelf command in an interpreter that records every process it starts,
    and return their command lines."""
    return _recorded_by(sandbox, args, (
        "import subprocess\n"
        "real_popen = subprocess.Popen\n"
        "def popen(argv, *a, **k):\n"
        "    recorded.append([str(word) for word in argv])\n"
        "    return real_popen(argv, *a, **k)\n"
        "subprocess.Popen = popen\n"))


def _recorded_by(sandbox: Sandbox, args: list[str], patch: str) -> list:
    """Run one pyshelf command after ``patch``, which appends what it sees to
    ``recorded``; return that."""
    probe = (
        "import json, sys\nrecorded = []\n" + patch + "from pyshelf.cli import main\n"
        f"code = main({args!r})\n"
        "print(json.dumps(recorded))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=sandbox.env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


def run_in_terminal(sandbox: Sandbox, args: list[str], answer: str) -> tuple[int, str, str]:
    """Run pyshelf with a real pseudo-terminal as stdin and answer its prompt."""
    main, child = pty.openpty()
    proc = subprocess.Popen([str(pyshelf_script()), *args], env=sandbox.env, stdin=child,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(child)
    os.write(main, answer.encode())
    out, err = proc.communicate(timeout=60)
    os.close(main)
    return proc.returncode, out.decode(), err.decode()


def uv_wrapper(tmp_path: Path, subcommand: str, shell_code: str, *, after: bool = False
               ) -> Path:
    """A uv that runs ``shell_code`` first when called as ``uv pip <subcommand>`` (``uv
    venv`` for ``venv``; or, with ``after``, once that has succeeded), then the real uv;
    point ``PYSHELF_UV`` at it to pause or break one step of a change."""
    wrapper = tmp_path / f"uv-{subcommand}"
    real = find_uv_bin()
    called = '"$1"' if subcommand == "venv" else '"$1 $2"'
    words = subcommand if subcommand == "venv" else f"pip {subcommand}"
    if after:
        body = (f'if [ {called} = "{words}" ]; then\n'
                f'  "{real}" "$@" || exit $?\n  {shell_code}\n  exit 0\nfi\n')
    else:
        body = f'if [ {called} = "{words}" ]; then {shell_code}; fi\n'
    wrapper.write_text(f"#!/bin/sh\n{body}exec \"{real}\" \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


def killed_where_paused(sandbox: Sandbox, tmp_path: Path, hook: str, *args: str) -> int:
    """Run ``pyshelf *args`` with ``hook`` as its ``sitecustomize`` (which touches the file
    ``$STORE_TEST_MARKER`` names where it pauses), kill -9 it and the uv it started there,
    as a power cut would, and return its pid."""
    folder = tmp_path / "hook"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(hook)
    marker = tmp_path / "paused"
    env = {**sandbox.env, "PYTHONPATH": str(folder), "STORE_TEST_MARKER": str(marker)}
    proc = subprocess.Popen([str(pyshelf_script()), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    wait_for(marker.exists)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    return proc.pid


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def private_mount_command(tmp_path: Path) -> list[str]:
    """``unshare`` options that let this user mount a tmpfs nobody else sees (or a
    read-only bind mount), or skip."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        pytest.skip("a private mount needs Linux and unshare(1)")
    probe = tmp_path / "mount-probe"
    probe.mkdir()
    options = [["unshare", "-rm"]] + ([["unshare", "-m"]] if os.geteuid() == 0 else [])
    reasons = []
    for command in options:
        found = subprocess.run([*command, "sh", "-c", 'mount -t tmpfs -o size=1m probe "$0"',
                                str(probe)], capture_output=True, text=True, timeout=30,
                               check=False)
        if found.returncode == 0:
            return command
        reasons.append(f"{' '.join(command)}: {found.stderr.strip() or found.returncode}")
    pytest.skip("cannot mount a private tmpfs (" + "; ".join(reasons) + ")")


def init_with_python(sandbox: Sandbox, python: Path) -> subprocess.CompletedProcess[str]:
    """``pyshelf init`` again, run by ``python`` as the launcher runs pyshelf's copy, so that
    the launcher it writes records ``python``."""
    code = (f"import sys; sys.path[:0] = [{str(sandbox.shelf_home / 'app' / 'current')!r}]; "
            "from pyshelf.cli import main; sys.exit(main())")
    done = subprocess.run([str(python), "-I", "-S", "-c", code, "init", "--python",
                           str(sandbox.base_python), "--yes"], env=sandbox.env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done


def forget_recorded_python(sandbox: Sandbox, tmp_path: Path) -> None:
    """Leave the launcher only PATH to search: the interpreter it recorded is deleted."""
    gone = tmp_path / "deleted-python" / "python3"
    gone.parent.mkdir()
    gone.symlink_to(sandbox.base_python)
    init_with_python(sandbox, gone)
    assert str(gone) in (sandbox.bin_dir / "pyshelf").read_text()
    gone.unlink()


def requirements_parsed(shelf, *args: str) -> list[str]:
    """Every string pyshelf run with ``args`` gave ``packaging``'s requirement parser."""
    return _recorded_by(shelf, list(args), (
        "import packaging.requirements as r\n"
        "parse = r.Requirement.__init__\n"
        "r.Requirement.__init__ = lambda self, text: (recorded.append(text), "
        "parse(self, text))[1]\n"))


_CALLS = {  # what a command may begin before it imports the pipeline: (import, owner, name)
    "venv": ("from pyshelf.engine import processes as module", "module.Engine", "start_venv"),
    "alone": ("from pyshelf.change import early as module", "module", "resolve_alone"),
}


def begun_before_pipeline(shelf, what: str, *args: str) -> bool:
    """Whether pyshelf run with ``args`` began ``what`` (the generation's ``uv venv``, or
    the resolve of the new requirements alone) before it imported the pipeline."""
    imported, owner, name = _CALLS[what]
    events = _recorded_by(shelf, list(args), (
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyshelf.change.pipeline': recorded.append('pipeline')\n"
        "sys.meta_path.insert(0, Watch())\n"
        f"{imported}\n"
        f"real = {owner}.{name}\n"
        "def called(*a, **k):\n"
        "    recorded.append('begun')\n"
        "    return real(*a, **k)\n"
        f"{owner}.{name} = called\n"))
    assert "begun" in events and "pipeline" in events, events
    return events.index("begun") < events.index("pipeline")
