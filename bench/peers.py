"""pyshelf side by side with the tools a person would otherwise pick, on the same workloads.

Run from a checkout with pyshelf installed in the running interpreter's environment:

    python bench/peers.py                                   # everything: ~30 min, 2 cores
    python bench/peers.py --workloads library --runs 1      # a quick look
    python bench/peers.py --index-url URL --peers pyshelf,uv-tool,venv-pip \\
        --packages beta --add alpha --remove beta --runs 1  # tiny, any index
    python bench/peers.py ... --runs 1 --warm-ups 0         # a check that it runs at all

The peers are pyshelf, pipx (pip backend), pipx (uv backend), uv tool, py-trkpac and one venv
driven by pip. Each workload is installed into an empty setup, listed, grown by one package,
shrunk by one, the shrinking undone, and the whole setup moved to the newer Python. The disk
the install adds is counted as du counts it (each inode once, caches included), so files
hard-linked from a cache cost nothing and files copied out of one cost their size.

Every peer works in an area of its own under one scratch directory: the tool itself, its pip
and uv caches (kept across its runs, so every timed run is warm, like a person's second
install) and a fresh HOME per run. Caches and environments share one filesystem, so uv
hard-links from its cache as it does for a person. The real home and the machine's pip and uv
configuration files are never read, so the numbers describe the tools as shipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, NamedTuple

from uv import find_uv_bin

PYSHELF = Path(sys.executable).parent / "pyshelf"
UV = Path(find_uv_bin())
OPERATIONS = ("install", "list", "add", "remove", "undo", "rebuild")
ROWS = (*OPERATIONS, "disk", "files")
REFERENCE = "reference"  # the column of the rebuild reference, which is not a peer
BIG_LIST = "list-big"
STDERR_TAIL_LINES = 15
# A tool that has printed part of a line and then nothing for this long is taken to be asking
# a question nobody foresaw: it gets end-of-input, so it fails now instead of at the timeout.
UNANSWERED_QUESTION_SECONDS = 30

# Variables that would point a tool at the developer's own setup instead of the peer's area.
_DROPPED_PREFIXES = ("UV_", "PIP_", "PIPX_", "PYSHELF_", "XDG_", "CONDA_")
_DROPPED = frozenset({"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
                      # a user's tools run with their bytecode cached; without it, every run
                      # of a Python tool would compile its sources again
                      "PYTHONDONTWRITEBYTECODE"})
_KEPT = frozenset({"PIP_CERT", "PIP_CLIENT_CERT", "UV_NATIVE_TLS"})  # trust, not behaviour


@dataclass(frozen=True)
class Workload:
    name: str
    packages: tuple[str, ...]
    add: str
    remove: str
    # Every package has a console script. pipx and uv tool install apps only, so on a
    # workload of libraries their cells are "n/a" instead of a row of failures.
    apps: bool


WORKLOADS = {
    "blog": Workload("blog", ("black", "flake8", "isort", "mypy", "python-lsp-server[all]",
                              "sqlfluff"), add="pylint", remove="sqlfluff", apps=True),
    "library": Workload("library", ("requests", "httpx", "pytest", "click", "cryptography"),
                        add="rich", remove="httpx", apps=False),
    "data": Workload("data", ("numpy", "pandas", "matplotlib"), add="scipy",
                     remove="matplotlib", apps=False),
}
BIG_LIST_EXTRA = ("jupyterlab",)


class Python(NamedTuple):
    version: tuple[int, int, int]
    path: Path

    @property
    def minor(self) -> str:
        return ".".join(map(str, self.version[:2]))

    @property
    def release(self) -> str:
        return ".".join(map(str, self.version))


@dataclass
class Settings:
    """What every peer shares: interpreters, index, limits and the cleaned environment."""

    scratch: Path
    old: Python
    new: Python | None
    trkpac_python: Python | None
    index_url: str | None
    timeout: float
    env: dict[str, str]


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path  # the run's HOME, which the report names $HOME
    # (how a question ends, the reply) for tools that ask on stdin, as a person would answer
    answers: tuple[tuple[str, str], ...] = ()
    stdout_to: Path | None = None


class CommandFailed(Exception):
    """A command exited non-zero or ran out of time; its cell says so and the run goes on."""

    def __init__(self, cell: str, command: Command, stderr: str) -> None:
        super().__init__(cell)
        self.cell = cell
        self.command = command
        self.stderr_tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_TAIL_LINES:])


class PeerUnavailable(Exception):
    """The peer cannot take part on this machine; the report says why."""


@dataclass(frozen=True)
class Failure:
    cell: str
    detail: str


Outcome = float | Failure


def execute(command: Command, env: dict[str, str], timeout: float) -> str:
    """Run one command to the end and return its stdout (or write it to ``stdout_to``).

    The command gets a session of its own so that a timeout kills what it started too
    (pipx's pip, py-trkpac's pip), not only the tool's own process.
    """
    with subprocess.Popen(
        command.argv, env=env, cwd=command.cwd, start_new_session=True,
        stdin=subprocess.PIPE if command.answers else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:
        try:
            raw_out, raw_err = (converse(process, command.answers, timeout) if command.answers
                                else process.communicate(timeout=timeout))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, raw_err = process.communicate()
            raise CommandFailed(f"failed (timeout after {timeout:.0f} s)", command,
                                raw_err.decode(errors="replace")) from None
    stdout, stderr = raw_out.decode(errors="replace"), raw_err.decode(errors="replace")
    if process.returncode != 0:
        # Some tools (py-trkpac) say what went wrong on stdout only.
        raise CommandFailed(f"failed (exit {process.returncode})", command, stderr or stdout)
    if command.stdout_to is not None:
        command.stdout_to.write_text(stdout, encoding="utf-8")
    return stdout


def converse(process: subprocess.Popen[bytes], answers: tuple[tuple[str, str], ...],
             timeout: float) -> tuple[bytes, bytes]:
    """Read the tool's output and answer each question it stops at, until it exits.

    A fixed stream of answers cannot work: which questions come, and in which order, depends
    on what is already installed (py-trkpac asks for a numbered choice when a package is
    already there as a dependency, and for y/n otherwise).
    """
    assert process.stdin and process.stdout and process.stderr
    deadline = time.monotonic() + timeout
    output = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    stdout = output[process.stdout.fileno()]
    waiting = set(output)
    answered_at = 0
    while waiting:
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(process.args, timeout)
        ready, _, _ = select.select(list(waiting), [], [], min(left, UNANSWERED_QUESTION_SECONDS))
        if not ready and stdout and not stdout.endswith(b"\n") and not process.stdin.closed:
            process.stdin.close()
        for fd in ready:
            chunk = os.read(fd, 65536)
            output[fd] += chunk
            if not chunk:
                waiting.discard(fd)
        tail = stdout[-200:].decode(errors="replace")
        reply = next((reply for ending, reply in answers if tail.endswith(ending)), None)
        if reply is not None and len(stdout) > answered_at and not process.stdin.closed:
            process.stdin.write(f"{reply}\n".encode())
            process.stdin.flush()
            answered_at = len(stdout)
    process.wait(max(deadline - time.monotonic(), 0))
    return bytes(stdout), bytes(output[process.stderr.fileno()])


def base_environment(index_url: str | None) -> dict[str, str]:
    """The caller's environment without anything that points at its own setup or config."""
    env = {key: value for key, value in os.environ.items()
           if key in _KEPT or not (key in _DROPPED or key.startswith(_DROPPED_PREFIXES))}
    env.update(NO_COLOR="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never")
    if index_url:
        env.update(PYSHELF_INDEX_URL=index_url, PIP_INDEX_URL=index_url,
                   UV_DEFAULT_INDEX=index_url)
    return env


class Peer(ABC):
    """One tool, driven through its command line in its own area under the scratch directory.

    ``fresh`` starts a run: a new empty HOME (the previous one is deleted, so the disk walks
    stay short) and whatever the tool needs before its first install. Caches and the tool
    itself live beside the HOMEs and outlast the runs.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    apps_only: ClassVar[bool] = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.area = settings.scratch / self.key
        self.runs = 0
        self.home = self.area / "home-0"
        self.home.mkdir(parents=True)
        (self.area / "bin").mkdir()
        self.log: list[Command] = []
        self.commands: dict[str, list[Command]] = {}

    def environment(self) -> dict[str, str]:
        env = dict(self.settings.env)
        path = [str(self.area / "bin"), str(self.home / ".local" / "bin"), env.get("PATH", "")]
        env.update(HOME=str(self.home), PATH=os.pathsep.join(path),
                   PIP_CACHE_DIR=str(self.area / "pip-cache"),
                   UV_CACHE_DIR=str(self.area / "uv-cache"))
        env.update(self.tool_environment())
        return env

    def tool_environment(self) -> dict[str, str]:
        """Variables this tool needs to keep everything inside the run's HOME."""
        return {}

    def run(self, *argv: str | Path, answers: tuple[tuple[str, str], ...] = (),
            stdout_to: Path | None = None) -> str:
        command = Command(tuple(str(arg) for arg in argv), self.home, answers, stdout_to)
        self.log.append(command)
        return execute(command, self.environment(), self.settings.timeout)

    def install_tool(self, python: Python, requirement: str, *, seed: bool = False) -> None:
        """Put the tool into a venv of its own in the area, from the index (not timed)."""
        self.run(UV, "venv", "-q", *(["--seed"] if seed else []), "--python", python.path,
                 self.tool_bin.parent)
        self.run(UV, "pip", "install", "-q", "--python", self.tool_bin / "python", requirement)

    @property
    def tool_bin(self) -> Path:
        """Where ``install_tool`` puts the tool's commands."""
        return self.area / "tool" / "bin"

    def prepare(self) -> None:  # noqa: B027 (a hook: tools already at hand need nothing)
        """Install the tool itself; raise PeerUnavailable when it cannot run here."""

    def versions(self) -> dict[str, str]:
        """The versions of the tool, for the machine facts."""
        return {}

    def notes(self) -> list[str]:
        """What the reader must know to read this peer's numbers."""
        return []

    def fresh(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
        self.runs += 1
        self.home = self.area / f"home-{self.runs}"
        self.home.mkdir()
        self.setup()

    def setup(self) -> None:  # noqa: B027 (a hook: some tools start from an empty HOME)
        """Make the empty setup a person starts from (an empty shelf, an empty venv)."""

    def disk_roots(self) -> list[Path]:
        """Where the install's disk use is counted: the whole area, caches included."""
        return [self.area]

    @abstractmethod
    def install(self, packages: tuple[str, ...]) -> None: ...

    @abstractmethod
    def list(self) -> None: ...

    @abstractmethod
    def add(self, package: str) -> None: ...

    @abstractmethod
    def remove(self, package: str) -> None: ...

    @abstractmethod
    def undo(self, package: str) -> None: ...

    @abstractmethod
    def rebuild(self, python: Python) -> None: ...


class Pyshelf(Peer):
    key = "pyshelf"
    title = "pyshelf"

    @property
    def shelf_home(self) -> Path:
        return self.home / ".local" / "share" / "pyshelf"

    def shelf(self, *args: str | Path) -> str:
        return self.run(PYSHELF, "--home", self.shelf_home, *args)

    def versions(self) -> dict[str, str]:
        return {"pyshelf": self.run(PYSHELF, "--version").strip()}

    def notes(self) -> list[str]:
        return ["undo is `pyshelf undo`: a switch back to the generation before the removal."]

    def setup(self) -> None:
        self.shelf("init", "--python", self.settings.old.path, "--yes", "--no-modify-shell",
                   "--bin-dir", self.shelf_home / "bin")

    def install(self, packages: tuple[str, ...]) -> None:
        self.shelf("install", "--yes", *packages)

    def list(self) -> None:
        self.shelf("list")

    def add(self, package: str) -> None:
        self.shelf("install", "--yes", package)

    def remove(self, package: str) -> None:
        self.shelf("remove", "--yes", package)

    def undo(self, package: str) -> None:
        self.shelf("undo", "--yes")

    def rebuild(self, python: Python) -> None:
        self.shelf("rebuild", "--yes", "--python", python.path)

    def lock(self) -> Path:
        return self.shelf_home / "env" / "pyshelf-lock.txt"

    def reference_rebuild(self, python: Python) -> None:
        """What the rebuild costs at least: a venv and a sync of the very same lock, by uv."""
        venv = self.home / "reference"
        self.run(UV, "venv", "-q", "--python", python.path, venv)
        self.run(UV, "pip", "sync", "-q", "--python", venv / "bin" / "python", self.lock())


class Pipx(Peer):
    apps_only = True
    backend: ClassVar[str]

    def tool_environment(self) -> dict[str, str]:
        data = self.home / ".local" / "share"
        return {"PIPX_DEFAULT_BACKEND": self.backend, "PIPX_HOME": str(data / "pipx"),
                "PIPX_BIN_DIR": str(self.home / ".local" / "bin"),
                "PIPX_MAN_DIR": str(data / "man"),
                "PIPX_SHARED_LIBS": str(self.area / "pipx-shared")}

    def prepare(self) -> None:
        self.install_tool(self.settings.old, "pipx>=1.18,<1.19")

    def versions(self) -> dict[str, str]:
        return {"pipx": self.pipx("--version").strip()}

    def notes(self) -> list[str]:
        return ["pipx's shared pip (`PIPX_SHARED_LIBS`) is kept across runs, as a person's "
                "is after their first pipx install; undo is installing the package again."]

    def pipx(self, *args: str | Path) -> str:
        return self.run(self.tool_bin / "pipx", *args)

    def install(self, packages: tuple[str, ...]) -> None:
        self.pipx("install", "--python", self.settings.old.path, *packages)

    def list(self) -> None:
        self.pipx("list")

    def add(self, package: str) -> None:
        self.pipx("install", "--python", self.settings.old.path, package)

    def remove(self, package: str) -> None:
        self.pipx("uninstall", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.pipx("reinstall-all", "--python", python.path)


class PipxPip(Pipx):
    key = "pipx-pip"
    title = "pipx (pip)"
    backend = "pip"


class PipxUv(Pipx):
    key = "pipx-uv"
    title = "pipx (uv)"
    backend = "uv"

    def prepare(self) -> None:
        super().prepare()
        (self.area / "bin" / "uv").symlink_to(UV)  # pipx finds its uv backend on PATH


class UvTool(Peer):
    key = "uv-tool"
    title = "uv tool"
    apps_only = True

    def tool_environment(self) -> dict[str, str]:
        return {"UV_TOOL_DIR": str(self.home / ".local" / "share" / "uv" / "tools"),
                "UV_TOOL_BIN_DIR": str(self.home / ".local" / "bin")}

    def notes(self) -> list[str]:
        return ["uv tool installs one package per command, so install runs one command per "
                "package; undo is installing the package again."]

    def uv_tool(self, *args: str | Path) -> str:
        return self.run(UV, "tool", *args)

    def install(self, packages: tuple[str, ...]) -> None:
        for package in packages:
            self.add(package)

    def list(self) -> None:
        self.uv_tool("list")

    def add(self, package: str) -> None:
        self.uv_tool("install", "--python", self.settings.old.path, package)

    def remove(self, package: str) -> None:
        self.uv_tool("uninstall", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.uv_tool("upgrade", "--all", "--reinstall", "--python", python.path)


class Trkpac(Peer):
    key = "py-trkpac"
    title = "py-trkpac"
    # Every confirmation yes; every numbered choice its first option, which goes ahead
    # (upgrade, or make a dependency explicit, as pyshelf does).
    ANSWERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("[Y/n] ", "y"), ("[y/N] ", "y"), ("Choice: ", "1"))

    def prepare(self) -> None:
        python = self.settings.trkpac_python
        if python is None:
            raise PeerUnavailable("py-trkpac needs Python 3.13 or newer, and none was found")
        self.install_tool(python, "py-trkpac", seed=True)  # it runs pip from its own venv

    def versions(self) -> dict[str, str]:
        return {"py-trkpac": self.trkpac("--version").strip()}

    def notes(self) -> list[str]:
        python = self.settings.trkpac_python
        where = f"{python.path} ({python.minor})" if python else "its own interpreter"
        return [f"py-trkpac installs with the interpreter it runs on, {where}, not the old "
                "Python, and its rebuild reinstalls for that same interpreter: it cannot move "
                "a setup from one Python to another. Its questions are answered as they come: "
                "`y` to each confirmation, `1` (upgrade, or make a dependency explicit) to "
                "each choice. Undo is installing the package again. It records a requirement "
                "with extras (`python-lsp-server[all]`) as a dependency, so its rebuild does "
                "not reinstall that package."]

    def trkpac(self, *args: str | Path) -> str:
        # It finds its database only at ~/python-libraries, so that is the target.
        return self.run(self.tool_bin / "py-trkpac", *args, answers=self.ANSWERS)

    def setup(self) -> None:
        self.trkpac("init", "--target", self.home / "python-libraries", "--no-launcher")

    def install(self, packages: tuple[str, ...]) -> None:
        self.trkpac("install", *packages)

    def list(self) -> None:
        self.trkpac("list")

    def add(self, package: str) -> None:
        self.trkpac("install", package)

    def remove(self, package: str) -> None:
        self.trkpac("remove", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.trkpac("rebuild")


class VenvPip(Peer):
    key = "venv-pip"
    title = "venv + pip"

    def notes(self) -> list[str]:
        return ["venv + pip: `pip uninstall` takes only the named package and leaves its "
                "dependencies behind; undo is `pip install` again; rebuild is a freeze, a "
                "new venv on the new Python and `pip install -r` of the freeze."]

    def pip(self, venv: Path, *args: str | Path, stdout_to: Path | None = None) -> str:
        return self.run(venv / "bin" / "pip", *args, stdout_to=stdout_to)

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    def setup(self) -> None:
        self.run(self.settings.old.path, "-m", "venv", self.venv)

    def install(self, packages: tuple[str, ...]) -> None:
        self.pip(self.venv, "install", *packages)

    def list(self) -> None:
        self.pip(self.venv, "list")

    def add(self, package: str) -> None:
        self.pip(self.venv, "install", package)

    def remove(self, package: str) -> None:
        self.pip(self.venv, "uninstall", "-y", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        frozen = self.home / "requirements.txt"
        self.pip(self.venv, "freeze", stdout_to=frozen)
        moved = self.home / "venv-new"
        self.run(python.path, "-m", "venv", moved)
        self.pip(moved, "install", "-r", frozen)


PEERS: tuple[type[Peer], ...] = (Pyshelf, PipxPip, PipxUv, UvTool, Trkpac, VenvPip)


# --- measuring -----------------------------------------------------------------------------


class Results:
    """Every measured value by (workload, column, row), with failures and notes by cell."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.texts: dict[tuple[str, str, str], str] = {}
        self.failures: list[tuple[tuple[str, str, str], Failure]] = []

    def add(self, key: tuple[str, str, str], outcome: Outcome) -> None:
        if isinstance(outcome, Failure):
            self.texts.setdefault(key, outcome.cell)
            self.failures.append((key, outcome))
        else:
            self.values[key].append(outcome)

    def note(self, key: tuple[str, str, str], text: str) -> None:
        """Explain a cell that was not measured; the first explanation stands."""
        self.texts.setdefault(key, text)

    def number(self, key: tuple[str, str, str]) -> float | None:
        """The median of the runs, or None when the cell failed or was not measured."""
        if key in self.texts or not self.values.get(key):
            return None
        return statistics.median(self.values[key])

    def cell(self, key: tuple[str, str, str], unit: str) -> str:
        value = self.number(key)
        if value is None:
            return self.texts.get(key, "")
        return format_value(value, unit)


def format_value(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.1f}"
    if unit == "files":
        return f"{value:.0f}"
    return f"{value:.3f}" if value < 10 else f"{value:.2f}"


class DiskUse(NamedTuple):
    bytes: int
    files: int


def disk_use(roots: Iterable[Path]) -> DiskUse:
    """Allocated blocks and non-directory paths under ``roots``, each inode's blocks once.

    Like ``du``: a file hard-linked from a cache that is already counted adds no blocks, so
    tools that link and tools that copy are told apart.
    """
    seen: set[tuple[int, int]] = set()
    blocks = files = 0
    stack = [str(root) for root in roots]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                files += 1
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                blocks += info.st_blocks
    return DiskUse(blocks * 512, files)


def attempt(peer: Peer, operation: str, action: Callable[[], object], *,
            record: bool = True) -> Outcome:
    """Time ``action`` by the wall clock; a failing command becomes a Failure, not an abort."""
    peer.log.clear()
    start = time.perf_counter()
    try:
        action()
    except CommandFailed as failed:
        command = " ".join(failed.command.argv)
        print(f"{peer.title}: {operation} {failed.cell}: {command}\n{failed.stderr_tail}",
              file=sys.stderr)
        return Failure(failed.cell, f"{peer.title}, {operation}: `{command}`")
    took = time.perf_counter() - start
    if record:
        peer.commands.setdefault(operation, list(peer.log))
    return took


def one_run(peer: Peer, workload: Workload, new: Python | None) -> dict[tuple[str, str], Outcome]:
    """One pass of every operation in a fresh setup, keyed by (column, row)."""
    setup = attempt(peer, "setup", peer.fresh)
    if isinstance(setup, Failure):
        return {(peer.key, row): setup for row in ROWS}
    before = disk_use(peer.disk_roots())
    outcomes = {"install": attempt(peer, "install", lambda: peer.install(workload.packages))}
    after = disk_use(peer.disk_roots())
    installed = outcomes["install"]
    outcomes["disk"] = installed if isinstance(installed, Failure) else (
        (after.bytes - before.bytes) / 1e6)
    outcomes["files"] = installed if isinstance(installed, Failure) else (
        after.files - before.files)
    outcomes["list"] = attempt(peer, "list", peer.list)
    outcomes["add"] = attempt(peer, "add", lambda: peer.add(workload.add))
    outcomes["remove"] = attempt(peer, "remove", lambda: peer.remove(workload.remove))
    outcomes["undo"] = attempt(peer, "undo", lambda: peer.undo(workload.remove))
    keyed: dict[tuple[str, str], Outcome] = {(peer.key, row): value
                                             for row, value in outcomes.items()}
    if new is not None:
        rebuilt = attempt(peer, "rebuild", lambda: peer.rebuild(new))
        keyed[peer.key, "rebuild"] = rebuilt
        if isinstance(peer, Pyshelf) and not isinstance(rebuilt, Failure):
            keyed[REFERENCE, "rebuild"] = attempt(peer, REFERENCE,
                                                  lambda: peer.reference_rebuild(new))
    return keyed


def measure_workload(peers: list[Peer], workload: Workload, settings: Settings, runs: int,
                     results: Results, warm_ups: int = 1) -> None:
    """Per peer: ``warm_ups`` untimed runs that fill its caches (both Pythons), then ``runs``
    timed."""
    for peer in peers:
        if peer.apps_only and not workload.apps:
            for row in ROWS:
                results.note((workload.name, peer.key, row), "n/a (apps only)")
            continue
        for index in range(1 - warm_ups, runs + 1):
            label = "warm-up" if index < 1 else f"run {index}/{runs}"
            progress(f"{workload.name}: {peer.title}, {label}")
            outcomes = one_run(peer, workload, settings.new)
            if index < 1:
                continue
            for (column, row), outcome in outcomes.items():
                results.add((workload.name, column, row), outcome)
    if settings.new is None:
        for peer in peers:
            results.note((workload.name, peer.key, "rebuild"), "skipped (one Python)")


BIG_LIST_COLUMNS = ("pyshelf list", "pip list", "uv pip list")


@dataclass
class BigList:
    """``list`` on a setup of everything at once, against pip and uv listing the same venv.

    Its times are in the results under the workload ``list-big``, one column per lister.
    """

    packages: tuple[str, ...]
    count: int | None = None
    commands: dict[str, list[Command]] = field(default_factory=dict)


def measure_big_list(shelf: Pyshelf, packages: tuple[str, ...], runs: int,
                     results: Results) -> BigList:
    big = BigList(packages)
    progress(f"{BIG_LIST}: building a shelf and a venv of {len(packages)} requirements")

    def build() -> None:
        shelf.fresh()
        shelf.install(packages)
        big.count = json.loads(shelf.shelf("list", "--json"))["summary"]["total"]
        venv = shelf.home / "venv"
        shelf.run(shelf.settings.old.path, "-m", "venv", venv)
        shelf.run(UV, "pip", "install", "-q", "--python", venv / "bin" / "python", "-r",
                  shelf.lock())

    built = attempt(shelf, BIG_LIST, build, record=False)
    venv = shelf.home / "venv"
    listers: dict[str, Callable[[], object]] = {
        "pyshelf list": shelf.list,
        "pip list": lambda: shelf.run(venv / "bin" / "pip", "list"),
        "uv pip list": lambda: shelf.run(UV, "pip", "list", "--python", venv / "bin" / "python"),
    }
    for name, lister in listers.items():
        if isinstance(built, Failure):
            outcomes: list[Outcome] = [built]
        else:
            attempt(shelf, name, lister, record=False)  # warm-up: the page cache, .pyc files
            outcomes = [attempt(shelf, name, lister, record=False) for _ in range(runs)]
            big.commands[name] = list(shelf.log)
        for outcome in outcomes:
            results.add((BIG_LIST, name, "list"), outcome)
    return big


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


# --- interpreters and machine facts ---------------------------------------------------------


def python_at(path: Path) -> Python | None:
    """The interpreter's version, when it is a CPython that starts."""
    probe = "import sys; print(sys.implementation.name, *sys.version_info[:3])"
    try:
        out = subprocess.run([str(path), "-c", probe], capture_output=True, text=True,
                             timeout=30, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 4 or out[0] != "cpython":
        return None
    return Python((int(out[1]), int(out[2]), int(out[3])), path)


def discover_pythons() -> list[Python]:
    """The newest CPython of each minor version in pyenv and on PATH, oldest first.

    pyenv's shims are skipped: which version a shim runs depends on the directory.
    """
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [version / "bin" / f"python3.{match[1]}"
                  for version in sorted(root.glob("3.*"))
                  if (match := re.fullmatch(r"3\.(\d+)\.\d+", version.name))]
    for minor in range(8, 40):
        found = shutil.which(f"python3.{minor}")
        if found and "/shims/" not in found:
            candidates.append(Path(found))
    newest: dict[tuple[int, int], Python] = {}
    for candidate in candidates:
        python = python_at(candidate) if candidate.exists() else None
        if python is None:
            continue
        current = newest.get(python.version[:2])
        if current is None or python.version > current.version:
            newest[python.version[:2]] = python
    return sorted(newest.values())


def choose_pythons(old: Path | None, new: Path | None) -> tuple[Python, Python | None,
                                                               list[Python]]:
    """OLD and NEW as given, else the two newest minor versions found; NEW may be missing."""
    found = discover_pythons()
    if old is None and not found:
        sys.exit("no CPython found in pyenv or on PATH; pass --python-old")
    chosen_old = python_at(old) if old else (found[-2] if len(found) > 1 else found[-1])
    if chosen_old is None:
        sys.exit(f"not a working CPython: {old}")
    if new:
        chosen_new = python_at(new)
        if chosen_new is None:
            sys.exit(f"not a working CPython: {new}")
    else:
        later = [p for p in found if p.version[:2] > chosen_old.version[:2]]
        chosen_new = later[-1] if later else None
    return chosen_old, chosen_new, found


def system_file(path: str) -> str:
    """A file the kernel or the distribution provides, empty where this system has none."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine_facts(settings: Settings, versions: dict[str, str]) -> list[str]:
    models = re.findall(r"^model name\s*:\s*(.+)$", system_file("/proc/cpuinfo"), re.MULTILINE)
    kib = re.search(r"^MemTotal:\s*(\d+)", system_file("/proc/meminfo"), re.MULTILINE)
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', system_file("/etc/os-release"), re.MULTILINE)
    new = settings.new
    return [
        f"- CPU: {models[0] if models else platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores",
        f"- RAM: {int(kib[1]) / 2**20:.1f} GiB" if kib else "- RAM: unknown",
        f"- OS: {pretty[1] if pretty else platform.system()}, kernel {platform.release()}",
        f"- old Python: `{settings.old.path}` ({settings.old.release})",
        f"- new Python: `{new.path}` ({new.release})" if new
        else "- new Python: none found (the rebuild row is skipped)",
        "- tools: " + ", ".join(f"{name} {version.removeprefix(name).strip()}"
                                for name, version in versions.items()),
        f"- index: {settings.index_url or 'each tool default'}",
    ]


# --- the report -----------------------------------------------------------------------------


def row_label(row: str, workload: Workload, new: Python | None) -> str:
    return {
        "install": "install into an empty setup (s)",
        "list": "list (s)",
        "add": f"add {workload.add} (s)",
        "remove": f"remove {workload.remove} (s)",
        "undo": f"undo the removal of {workload.remove} (s)",
        "rebuild": f"rebuild for Python {new.minor if new else 'NEW'} (s)",
        "disk": "disk added by install (MB)",
        "files": "files added by install",
    }[row]


def row_unit(row: str) -> str:
    return {"disk": "MB", "files": "files"}.get(row, "s")


def ratio(ours: float | None, others: Iterable[float | None]) -> str:
    measured = [value for value in others if value is not None]
    if ours is None or not measured or min(measured) <= 0:
        return ""
    return f"{ours / min(measured):.2f}x"


def describe(command: Command, peer: Peer, operation: str, workload: Workload | None) -> str:
    """A command with the run's paths and the workload's names as placeholders."""
    settings = peer.settings
    replacements = [(str(python.path), name) for python, name
                    in ((settings.new, "$NEW"), (settings.old, "$OLD")) if python]
    replacements += [(f"{peer.tool_bin}/", ""), (f"{PYSHELF.parent}/", ""),
                     (f"{UV.parent}/", ""), (str(command.cwd), "$HOME"),
                     (str(peer.area), "$AREA")]
    words = []
    for word in command.argv:
        for text, placeholder in replacements:
            word = word.replace(text, placeholder)
        words.append(word)
    if workload is not None:
        words = name_packages(words, operation, workload)
    line = " ".join(words)
    if command.stdout_to is not None:
        target = Command((str(command.stdout_to),), command.cwd)
        line += f" > {describe(target, peer, operation, None)}"
    return f"{line}  # answers its questions" if command.answers else line


def name_packages(words: list[str], operation: str, workload: Workload) -> list[str]:
    if operation == "add":
        return ["$ADD" if word == workload.add else word for word in words]
    if operation in ("remove", "undo"):
        return ["$REMOVED" if word == workload.remove else word for word in words]
    if operation != "install":
        return words
    count = len(workload.packages)
    for start in range(len(words) - count + 1):
        if tuple(words[start:start + count]) == workload.packages:
            return [*words[:start], "$PKGS", *words[start + count:]]
    return ["$PKG" if word in workload.packages else word for word in words]


def commands_text(commands: list[Command], peer: Peer, operation: str,
                  workload: Workload | None) -> str:
    """The commands of one operation, each once (uv tool runs one per package)."""
    described = dict.fromkeys(describe(c, peer, operation, workload) for c in commands)
    return " ; ".join(f"`{text}`" for text in described) or "(nothing)"


def command_lines(peer: Peer, workload: Workload | None) -> list[str]:
    lines = [f"**{peer.title}**", ""]
    extra = peer.tool_environment()
    if extra:
        names = " ".join(f"{key}={value}" for key, value in extra.items())
        lines.append(f"- environment: `{describe(Command((names,), peer.home), peer, '', None)}`")
    for operation in ("setup", *OPERATIONS):
        if operation in peer.commands:
            text = commands_text(peer.commands[operation], peer, operation, workload)
            lines.append(f"- {operation}: {text}")
    if REFERENCE in peer.commands:
        text = commands_text(peer.commands[REFERENCE], peer, REFERENCE, workload)
        lines.append(f"- rebuild reference (not a peer): {text}")
    return [*lines, ""]


def workload_table(workload: Workload, peers: list[Peer], results: Results,
                   new: Python | None) -> list[str]:
    columns = [peer.key for peer in peers]
    titles = [peer.title for peer in peers]
    if any(isinstance(peer, Pyshelf) for peer in peers):
        columns.append(REFERENCE)
        titles.append("uv venv + uv pip sync (reference)")
    lines = [f"## Workload: {workload.name}", "",
             f"`{' '.join(workload.packages)}`; add `{workload.add}`, remove "
             f"`{workload.remove}`.", "",
             "| operation | " + " | ".join(titles) + " | pyshelf / best peer |",
             "|---|" + "---:|" * (len(columns) + 1)]
    for row in ROWS:
        unit = row_unit(row)
        cells = [results.cell((workload.name, column, row), unit) for column in columns]
        others = [results.number((workload.name, peer.key, row)) for peer in peers
                  if not isinstance(peer, Pyshelf)]
        best = ratio(results.number((workload.name, Pyshelf.key, row)), others)
        lines.append(f"| {row_label(row, workload, new)} | " + " | ".join(cells)
                     + f" | {best} |")
    return [*lines, ""]


def big_list_lines(big: BigList, shelf: Pyshelf, results: Results) -> list[str]:
    numbers = [results.number((BIG_LIST, name, "list")) for name in BIG_LIST_COLUMNS]
    cells = [results.cell((BIG_LIST, name, "list"), "s") for name in BIG_LIST_COLUMNS]
    lines = ["## list on a big setup", "",
             f"`{' '.join(big.packages)}` on the old Python"
             + (f" ({big.count} packages)." if big.count is not None else "."), "",
             "| operation | " + " | ".join(BIG_LIST_COLUMNS) + " | pyshelf / best other |",
             "|---|" + "---:|" * (len(BIG_LIST_COLUMNS) + 1),
             "| list (s) | " + " | ".join(cells) + f" | {ratio(numbers[0], numbers[1:])} |", ""]
    lines += [f"- {name}: {commands_text(commands, shelf, name, None)}"
              for name, commands in big.commands.items()]
    return [*lines, ""]


def target_line(name: str, ours: float | None, theirs: float | None, limit: float,
                against: str, unit: str = "s") -> str:
    """One target of the form ``ours <= limit x theirs``, met or missed with the numbers."""
    if ours is None or theirs is None:
        return f"- **not measured**: {name} <= {limit}x {against}"
    verdict = "met" if ours <= limit * theirs else "missed"
    return (f"- **{verdict}**: {name} <= {limit}x {against}: pyshelf "
            f"{format_value(ours, unit)} {unit}, {against} {format_value(theirs, unit)} {unit} "
            f"({ours / theirs:.2f}x)")


def targets(results: Results, workloads: list[Workload]) -> list[str]:
    def number(workload: str, column: str, row: str) -> float | None:
        return results.number((workload, column, row))

    lines = ["## Targets", "",
             target_line("blog install", number("blog", "pyshelf", "install"),
                         number("blog", "uv-tool", "install"), 1.0, "uv tool"),
             target_line("blog install", number("blog", "pyshelf", "install"),
                         number("blog", "pipx-pip", "install"), 0.2, "pipx (pip)"),
             target_line("blog disk", number("blog", "pyshelf", "disk"),
                         number("blog", "pipx-pip", "disk"), 0.3, "pipx (pip)", unit="MB")]
    lines.append(target_line("list on the big setup", number(BIG_LIST, "pyshelf list", "list"),
                             number(BIG_LIST, "pip list", "list"), 0.5, "pip list"))
    for workload in workloads:
        undo = number(workload.name, "pyshelf", "undo")
        lines.append(f"- **not measured**: {workload.name} undo < 0.3 s" if undo is None else
                     f"- **{'met' if undo < 0.3 else 'missed'}**: {workload.name} undo < 0.3 s:"
                     f" pyshelf {format_value(undo, 's')} s")
        lines.append(target_line(f"{workload.name} rebuild",
                                 number(workload.name, "pyshelf", "rebuild"),
                                 number(workload.name, REFERENCE, "rebuild"), 1.2,
                                 "the uv pip sync reference"))
    return [*lines, ""]


def render(settings: Settings, args: argparse.Namespace, peers: list[Peer],
           unavailable: dict[str, str], versions: dict[str, str], workloads: list[Workload],
           results: Results, big: BigList | None) -> str:
    first = {peer.key: next((w for w in workloads if w.apps or not peer.apps_only), None)
             for peer in peers}
    lines = [f"# pyshelf against its peers, {date.today()}", "", "## Machine", "",
             *machine_facts(settings, versions), "",
             f"Median of {args.runs} timed run(s) per peer and workload, each in a fresh setup, "
             f"after {args.warm_ups} untimed warm-up run(s) that fill the peer's caches for both "
             "Pythons. "
             "Wall clock, in seconds. Disk: bytes in allocated blocks added by the install "
             "step, each inode once, over the peer's whole area (caches included), in MB of "
             "10^6 bytes; files: non-directory paths added.", "",
             "## Commands", "",
             "Each run gets a fresh `$HOME`; each peer's pip and uv caches "
             "(`PIP_CACHE_DIR=$AREA/pip-cache`, `UV_CACHE_DIR=$AREA/uv-cache`) and its tool live "
             "in its area `$AREA` and are shared by its runs. `$OLD`/`$NEW`: the two Pythons; "
             "`$PKGS`: the workload's packages, `$PKG`: each of them in turn; `$ADD`: the "
             "package added; `$REMOVED`: the package removed and brought back by undo.", ""]
    for peer in peers:
        lines += command_lines(peer, first[peer.key])
    for workload in workloads:
        lines += workload_table(workload, peers, results, settings.new)
    if big is not None:
        lines += big_list_lines(big, next(p for p in peers if isinstance(p, Pyshelf)), results)
    lines += targets(results, workloads)
    lines += ["## Notes", ""]
    lines += [f"- {title} did not take part: {reason}" for title, reason in unavailable.items()]
    if any(peer.apps_only for peer in peers) and not all(w.apps for w in workloads):
        apps_only = ", ".join(peer.title for peer in peers if peer.apps_only)
        lines.append(f"- {apps_only} install apps only: on a workload of libraries their "
                     "cells read n/a (apps only).")
    lines += [f"- {note}" for note in dict.fromkeys(n for peer in peers for n in peer.notes())]
    if any(isinstance(peer, Pyshelf) for peer in peers):
        lines.append("- the rebuild reference is not a peer: `uv venv` on the new Python and "
                     "`uv pip sync` of the lock pyshelf's rebuild wrote, with pyshelf's uv "
                     "cache.")
    failures = dict.fromkeys((workload, failure.detail, failure.cell)
                             for (workload, _, _), failure in results.failures)
    if failures:
        lines += ["", f"{len(failures)} command(s) failed; each failed cell says so "
                      "(stderr was printed while the benchmark ran):", ""]
        lines += [f"- {workload}: {detail}: {cell}" for workload, detail, cell in failures]
    lines += ["", "Command: `python bench/peers.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


# --- the command line -----------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per cell (median)")
    parser.add_argument("--warm-ups", type=int, default=1,
                        help="untimed runs per peer and workload before the timed ones (0: the "
                             "first run is timed on cold caches, for a quick check)")
    parser.add_argument("--workloads", default=",".join([*WORKLOADS, BIG_LIST]),
                        help=f"comma-separated, from {', '.join([*WORKLOADS, BIG_LIST])}")
    parser.add_argument("--peers", default=",".join(peer.key for peer in PEERS),
                        help=f"comma-separated, from {', '.join(p.key for p in PEERS)}")
    parser.add_argument("--index-url", help="the index every peer uses (default: its own)")
    parser.add_argument("--python-old", type=Path, help="the Python setups start on")
    parser.add_argument("--python-new", type=Path, help="the Python the rebuild moves to")
    parser.add_argument("--packages", nargs="+",
                        help="a custom workload instead of blog, library and data")
    parser.add_argument("--add", help="the package the custom workload adds")
    parser.add_argument("--remove", help="the package the custom workload removes")
    parser.add_argument("--libraries", action="store_true",
                        help="the custom workload has packages without console scripts")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument("--output", type=Path,
                        help="markdown file to write (default: bench/results/<date>-peers.md)")
    args = parser.parse_args()
    known = {*WORKLOADS, BIG_LIST}
    args.workloads = [name for name in args.workloads.split(",") if name]
    args.peers = [name for name in args.peers.split(",") if name]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.warm_ups < 0:
        parser.error("--warm-ups must not be negative")
    if unknown := set(args.workloads) - known:
        parser.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
    if unknown := set(args.peers) - {peer.key for peer in PEERS}:
        parser.error(f"unknown peer(s): {', '.join(sorted(unknown))}")
    if args.packages and not (args.add and args.remove):
        parser.error("--packages needs --add and --remove")
    return args


def chosen_workloads(args: argparse.Namespace) -> tuple[list[Workload], tuple[str, ...]]:
    """The workloads to run, and the requirements of the big setup ``list`` is timed on."""
    if args.packages:
        custom = Workload("custom", tuple(args.packages), args.add, args.remove,
                          apps=not args.libraries)
        return [custom], (*custom.packages, custom.add)
    workloads = [WORKLOADS[name] for name in args.workloads if name in WORKLOADS]
    big = tuple(dict.fromkeys(p for w in WORKLOADS.values() for p in w.packages))
    return workloads, (*big, *BIG_LIST_EXTRA)


def prepare_peers(settings: Settings, keys: list[str]) -> tuple[list[Peer], dict[str, str],
                                                                dict[str, str]]:
    """Install each chosen tool; those that cannot run here are left out, with the reason."""
    peers: list[Peer] = []
    unavailable: dict[str, str] = {}
    versions = {"uv": execute(Command((str(UV), "--version"), settings.scratch), settings.env,
                              60).strip()}
    for kind in PEERS:
        if kind.key not in keys:
            continue
        peer = kind(settings)
        progress(f"preparing {peer.title}")
        try:
            peer.prepare()
            versions.update(peer.versions())
        except PeerUnavailable as reason:
            unavailable[peer.title] = str(reason)
            continue
        except CommandFailed as failed:
            last = failed.stderr_tail.splitlines()[-1:] or [""]
            unavailable[peer.title] = f"installing it {failed.cell}: {last[0]}"
            continue
        peers.append(peer)
    return peers, unavailable, versions


def main() -> int:
    args = parse_args()
    old, new, found = choose_pythons(args.python_old, args.python_new)
    trkpac_python = max((p for p in (*found, old, *([new] if new else []))
                         if p.version[:2] >= (3, 13)), default=None)
    workloads, big_packages = chosen_workloads(args)
    with tempfile.TemporaryDirectory(prefix="pyshelf-peers-",
                                     ignore_cleanup_errors=True) as scratch:
        settings = Settings(Path(scratch), old, new, trkpac_python, args.index_url,
                            args.timeout, base_environment(args.index_url))
        peers, unavailable, versions = prepare_peers(settings, args.peers)
        results = Results()
        for workload in workloads:
            measure_workload(peers, workload, settings, args.runs, results, args.warm_ups)
        shelf = next((peer for peer in peers if isinstance(peer, Pyshelf)), None)
        big = (measure_big_list(shelf, big_packages, args.runs, results)
               if shelf is not None and BIG_LIST in args.workloads else None)
        report = render(settings, args, peers, unavailable, versions, workloads, results, big)
    print(report)
    output = args.output or Path(__file__).parent / "results" / f"{date.today()}-peers.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    progress(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
