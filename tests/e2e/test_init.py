"""``pyshelf init``: a usable shelf in a fresh HOME, and idempotent on a second run."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
from pathlib import Path

import pytest
from tests.e2e.helpers import (
    current_target,
    forget_recorded_python,
    generation_dirs,
    init_with_python,
    uv_wrapper,
    wait_for,
)
from tests.support.compiled import a_python_older_than
from tests.support.places import (
    UNUSABLE,
    WORDS,
    hand_over,
    make_unusable,
    run_unprivileged,
    unreadable_file,
)
from tests.support.sandbox import SYSTEM_PATH, pyshelf_script

import pyshelf


def test_init_creates_home_generation_zero_block_and_launcher(sandbox):
    result = sandbox.init()
    assert "generation 0" in result.stdout
    assert generation_dirs(sandbox) == ["0"]
    assert current_target(sandbox) == "gens/0"
    assert (sandbox.shelf_home / "state.db").is_file()
    assert "# >>> pyshelf >>>" in sandbox.rc.read_text()
    launcher = sandbox.bin_dir / "pyshelf"
    assert os.access(launcher, os.X_OK)
    shell = sandbox.bash("command -v python3; pyshelf --version; pyshelf list")
    assert shell.returncode == 0, shell.stderr
    lines = shell.stdout.splitlines()
    assert lines[0] == str(sandbox.shelf_home / "env" / "bin" / "python3")
    assert lines[1].startswith("pyshelf ")
    assert lines[2] == "0 package(s): 0 explicit, 0 local, 0 dependencies"


def test_second_init_changes_nothing(sandbox):
    sandbox.init()
    rc_before = sandbox.rc.read_bytes()
    launcher_before = (sandbox.bin_dir / "pyshelf").stat().st_mtime_ns
    result = sandbox.init()
    assert "generation 0" in result.stdout
    assert "Updated" not in result.stderr
    assert sandbox.rc.read_bytes() == rc_before
    assert (sandbox.bin_dir / "pyshelf").stat().st_mtime_ns == launcher_before
    assert generation_dirs(sandbox) == ["0"]
    assert not list(sandbox.home.glob(".bashrc.pyshelf-backup*"))


def test_existing_rc_is_backed_up_once_and_kept(sandbox):
    sandbox.rc.write_bytes(b"# mine\nalias ll='ls -l'\n\xff\xfe not utf-8\n")
    sandbox.init()
    assert sandbox.rc.read_bytes().startswith(b"# mine\nalias ll='ls -l'\n\xff\xfe not utf-8\n")
    backups = list(sandbox.home.glob(".bashrc.pyshelf-backup*"))
    assert [b.read_bytes() for b in backups] == [b"# mine\nalias ll='ls -l'\n\xff\xfe not utf-8\n"]


def test_symlinked_rc_is_edited_at_its_target(sandbox):
    dotfiles = sandbox.home / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "bashrc").write_text("export EDITOR=vi\n")
    sandbox.rc.symlink_to(dotfiles / "bashrc")
    sandbox.init()
    assert sandbox.rc.is_symlink()
    assert "# >>> pyshelf >>>" in (dotfiles / "bashrc").read_text()


def test_home_with_spaces_quotes_and_dollar_works_from_bash(sandbox):
    odd_home = sandbox.home / "my shelf 'q' \"dq\" $HOME `x`"
    sandbox.init("--home", str(odd_home))
    sandbox.ok("--home", str(odd_home), "install", "beta", "--yes")
    shell = sandbox.bash("beta; command -v python3")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == ["beta 1.0", str(odd_home / "env" / "bin" / "python3")]


def test_shell_config_that_is_a_directory_is_refused(sandbox):
    (sandbox.home / "rcdir").mkdir()
    result = sandbox.run("init", "--python", str(sandbox.base_python),
                         "--shell-config", str(sandbox.home / "rcdir"))
    assert result.returncode == 1
    assert "rcdir" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_modify_shell_leaves_rc_alone(sandbox):
    sandbox.init("--no-modify-shell")
    assert not sandbox.rc.exists()


def test_launcher_of_another_installer_is_left_alone(sandbox):
    sandbox.bin_dir.mkdir(parents=True)
    (sandbox.bin_dir / "pyshelf").write_text("#!/bin/sh\necho pipx-managed\n")
    result = sandbox.init()
    assert (sandbox.bin_dir / "pyshelf").read_text() == "#!/bin/sh\necho pipx-managed\n"
    assert "Kept the existing" in result.stderr


def test_launcher_passes_over_a_python3_too_old_for_pyshelf(sandbox, tmp_path):
    """An activated venv of Python 3.8 comes first on PATH; the system's newer python3 after
    it runs pyshelf. Only when every python3 is too old does it say so, naming them."""
    old = a_python_older_than((3, 10))
    if old is None:
        pytest.skip("no Python older than 3.10 on this machine")
    sandbox.init()
    forget_recorded_python(sandbox, tmp_path)
    activated = tmp_path / "old-venv" / "bin"
    activated.mkdir(parents=True)
    (activated / "python3").symlink_to(old)
    launcher = [str(sandbox.bin_dir / "pyshelf"), "--version"]

    works = subprocess.run(launcher, env={**sandbox.env, "PATH": f"{activated}:{SYSTEM_PATH}"},
                           capture_output=True, text=True, timeout=60, check=False)
    refused = subprocess.run(launcher, env={**sandbox.env, "PATH": str(activated)},
                             capture_output=True, text=True, timeout=60, check=False)

    assert (works.returncode, works.stdout) == (0, f"pyshelf {pyshelf.__version__}\n"), works.stderr
    assert refused.returncode == 1
    assert refused.stderr == ("pyshelf needs Python 3.10 or newer; every python3 on PATH is "
                              f"older: {activated / 'python3'}\n")


def test_launcher_never_runs_a_python3_found_through_a_relative_path_entry(sandbox, tmp_path):
    """An empty entry, ``.`` and ``bin`` all name the folder the person is in: a python3
    someone left there (in a download, a checkout) must not run instead of the real one."""
    sandbox.init()
    forget_recorded_python(sandbox, tmp_path)
    here = tmp_path / "untrusted-checkout"
    canary = tmp_path / "canary"
    for folder in (here, here / "bin"):
        folder.mkdir(parents=True, exist_ok=True)
        planted = folder / "python3"
        planted.write_text(f"#!/bin/sh\ntouch '{canary}'\n")
        planted.chmod(0o755)

    result = subprocess.run([str(sandbox.bin_dir / "pyshelf"), "--version"], cwd=here,
                            env={**sandbox.env, "PATH": f":.:bin::{SYSTEM_PATH}"},
                            capture_output=True, text=True, timeout=60, check=False)

    assert not canary.exists()
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"pyshelf {pyshelf.__version__}\n"


def test_commands_before_init_say_how_to_start(sandbox):
    result = sandbox.run("list")
    assert result.returncode == 1
    assert "pyshelf init" in result.stderr
    assert not sandbox.shelf_home.exists()


def test_non_utf8_rc_is_kept_byte_for_byte_outside_the_block(sandbox):
    original = b"# caf\xe9 in latin-1\nexport GREETING='\xff\xfe'\n"
    sandbox.rc.write_bytes(original)

    sandbox.init()

    content = sandbox.rc.read_bytes()
    assert content.startswith(original + b"\n# >>> pyshelf >>>")
    assert sandbox.bash("command -v python3").stdout.startswith(str(sandbox.shelf_home))
    sandbox.ok("config", "set", "shell_config", str(sandbox.home / ".bashrc-pyshelf"))
    assert sandbox.rc.read_bytes() == original  # taking the block out gives the file back


# --------------------------------------------------------------------------- all or nothing


def _refused(sandbox, fragment: str, *args: str) -> str:
    """A first init that fails: one sentence, exit 1, and no shelf home left behind."""
    result = sandbox.run("init", "--python", str(sandbox.base_python), "--yes", *args)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr
    assert not sandbox.shelf_home.exists()
    return result.stderr


def _next_init_works(sandbox, *args: str) -> None:
    """After a failed init, one told to use ~/.profile succeeds and a new bash finds both the
    shelf and pyshelf."""
    profile = sandbox.home / ".profile"
    profile.write_bytes(b"export EDITOR=vi\n")
    sandbox.init("--shell-config", str(profile), *args)
    assert profile.read_bytes().startswith(b"export EDITOR=vi\n\n# >>> pyshelf >>>")
    shell = sandbox.bash("command -v python3; pyshelf list", login=True)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == [str(sandbox.shelf_home / "env" / "bin" / "python3"),
                                         "0 package(s): 0 explicit, 0 local, 0 dependencies"]


@pytest.mark.parametrize("kind", UNUSABLE)
def test_unusable_shell_config_is_refused_before_anything_is_made(sandbox, kind):
    make_unusable(sandbox.rc, kind)
    before = sorted(sandbox.home.iterdir())

    message = _refused(sandbox, WORDS[kind])

    assert str(sandbox.rc) in message
    assert sorted(sandbox.home.iterdir()) == before  # not even ~/.local
    _next_init_works(sandbox)


def test_unreadable_shell_config_is_refused_before_anything_is_made(reachable_sandbox):
    sandbox = reachable_sandbox
    hand_over(sandbox.home)
    unreadable_file(sandbox.rc)

    result = run_unprivileged(sandbox, "init", "--python", str(sandbox.base_python), "--yes")

    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"error: Cannot read {sandbox.rc}: permission denied; make it "
                             "readable (chmod u+r) or choose another file with "
                             "--shell-config.\n")
    assert [path.name for path in sandbox.home.iterdir()] == [".bashrc"]


@pytest.mark.parametrize("kind", UNUSABLE)
def test_init_again_with_an_unusable_shell_config_changes_nothing(shelf, kind):
    shelf.rc.write_bytes(b"# mine\n" + shelf.rc.read_bytes() + b"alias ll='ls -l'\n")
    rc_before = shelf.rc.read_bytes()
    settings_before = shelf.ok("config", "--json").stdout
    new_rc = shelf.home / "new-rc"
    make_unusable(new_rc, kind)

    result = shelf.run("init", "--python", str(shelf.base_python), "--yes",
                       "--shell-config", str(new_rc))

    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert WORDS[kind] in result.stderr and str(new_rc) in result.stderr
    assert shelf.rc.read_bytes() == rc_before
    assert shelf.ok("config", "--json").stdout == settings_before
    assert shelf.bash("command -v python3").stdout == (
        f"{shelf.shelf_home / 'env' / 'bin' / 'python3'}\n")


@pytest.mark.parametrize("kind", [*UNUSABLE[1:], "file"])
def test_unusable_bin_dir_is_refused_before_anything_is_made(sandbox, kind):
    bin_dir = sandbox.home / "tools"
    if kind == "file":
        bin_dir.write_text("not a folder\n")
    else:
        make_unusable(bin_dir, kind)

    message = _refused(sandbox, WORDS.get(kind, "is not a directory"), "--bin-dir", str(bin_dir))

    assert f"The bin dir {bin_dir}" in message
    assert not sandbox.rc.exists()
    _next_init_works(sandbox)


@pytest.mark.parametrize("kind", UNUSABLE)
def test_something_in_the_launchers_way_is_refused_before_anything_is_made(sandbox, kind):
    sandbox.bin_dir.mkdir(parents=True)
    make_unusable(sandbox.bin_dir / "pyshelf", kind)

    message = _refused(sandbox, "in the way of the pyshelf launcher")

    assert str(sandbox.bin_dir / "pyshelf") in message
    assert not sandbox.rc.exists()
    _next_init_works(sandbox, "--bin-dir", str(sandbox.home / "bin"))


def test_failed_build_of_generation_zero_leaves_no_shelf(sandbox, tmp_path):
    sandbox.rc.write_bytes(b"# mine\n")
    sandbox.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "venv",
                                               "echo 'error: the wheel is broken' >&2; exit 2"))

    result = sandbox.run("init", "--python", str(sandbox.base_python), "--yes")

    assert result.returncode == 1
    assert "the wheel is broken" in result.stderr
    assert not sandbox.shelf_home.exists()
    assert sandbox.rc.read_bytes() == b"# mine\n"
    assert not os.path.lexists(sandbox.bin_dir / "pyshelf")
    del sandbox.env["PYSHELF_UV"]
    _next_init_works(sandbox)


def test_failure_after_the_block_was_written_takes_it_back(sandbox, tmp_path):
    """The bin dir becomes a broken link while generation 0 is built, after it was checked:
    the launcher then cannot be written, once the shell block already has been."""
    original = b"# mine\nalias ll='ls -l'\n"
    sandbox.rc.write_bytes(original)
    bin_dir = sandbox.home / "tools"
    sandbox.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "venv", f"ln -s '{tmp_path / 'gone'}' '{bin_dir}'", after=True))

    result = sandbox.run("init", "--python", str(sandbox.base_python), "--yes",
                         "--bin-dir", str(bin_dir))

    assert result.returncode == 1, result.stderr
    assert f"Could not write the pyshelf launcher {bin_dir / 'pyshelf'}" in result.stderr
    assert f"Updated {sandbox.rc}" in result.stderr  # it was written, and taken back:
    assert sandbox.rc.read_bytes() == original
    assert not sandbox.shelf_home.exists()
    del sandbox.env["PYSHELF_UV"]
    _next_init_works(sandbox)


def test_ctrl_c_while_generation_zero_is_built_leaves_no_shelf(sandbox, tmp_path):
    marker = tmp_path / "syncing"
    sandbox.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "venv", f"touch '{marker}'; sleep 30"))
    proc = subprocess.Popen([str(pyshelf_script()), "init", "--python", str(sandbox.base_python),
                             "--yes"], env=sandbox.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(marker.exists)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert stderr.endswith("error: Interrupted; nothing was changed.\n"), stderr
    assert not sandbox.shelf_home.exists()
    assert not sandbox.rc.exists()


def test_ctrl_c_once_generation_zero_is_current_still_leaves_no_shelf(sandbox, tmp_path):
    """Where another change would keep what it committed, a first init takes it back: half a
    shelf is no shelf. pyshelf's stderr is a pipe of one page that the test fills while uv
    holds the build, so the line saying generation 0 is current blocks, and Ctrl-C comes
    there."""
    syncing, release = tmp_path / "syncing", tmp_path / "release"
    sandbox.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "venv", f"touch '{syncing}'; while [ ! -e '{release}' ]; do sleep 0.05; done"))
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([str(pyshelf_script()), "init", "--python", str(sandbox.base_python),
                             "--yes"], env=sandbox.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=write_end)
    try:
        wait_for(syncing.exists)
        os.set_blocking(read_end, False)  # the reading end only: pyshelf's end still blocks
        written = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(read_end, 4096):
                written += chunk
        os.write(write_end, b"\0" * fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ))
        os.close(write_end)
        release.touch()
        wait_for(lambda: os.path.lexists(sandbox.shelf_home / "env"))
        proc.send_signal(signal.SIGINT)
        os.set_blocking(read_end, True)
        with os.fdopen(read_end, "rb") as pipe:
            stderr = (written + pipe.read()).replace(b"\0", b"").decode()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert proc.returncode == 130, stderr
    assert stderr.endswith("error: Interrupted; nothing was changed.\n"), stderr
    assert not sandbox.shelf_home.exists()
    assert not sandbox.rc.exists()
    assert not os.path.lexists(sandbox.bin_dir / "pyshelf")


def wrapped_python(folder: Path, python: Path, first: str) -> Path:
    """A ``python3`` shell script in ``folder`` that runs the shell line ``first`` and then
    the real ``python``, as a pyenv shim runs ``pyenv exec``."""
    folder.mkdir()
    wrapper = folder / "python3"
    wrapper.write_text(f"#!/bin/sh\n{first}\nexec '{python}' \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


@pytest.mark.shelf("install beta --yes")
def test_the_launcher_starts_python_without_site_and_every_import_is_the_copys(shelf, tmp_path):
    """pyshelf's copy holds what it imports beyond the standard library, so the launcher
    skips the interpreter's ``site`` (its site-packages and their ``.pth`` files)."""
    forget_recorded_python(shelf, tmp_path)
    seen = tmp_path / "arguments"
    wrapper = wrapped_python(tmp_path / "wrapped", shelf.base_python,
                             f'printf "%s\\n" "$@" > {seen}')
    env = {**shelf.env, "PATH": f"{wrapper.parent}:{SYSTEM_PATH}"}

    listed = subprocess.run([str(shelf.bin_dir / "pyshelf"), "list"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)

    assert listed.returncode == 0, listed.stderr
    assert seen.read_text().splitlines()[:2] == ["-I", "-S"]
    assert "beta" in listed.stdout


def test_the_launcher_runs_the_recorded_python_past_a_shim_until_it_is_gone(sandbox, tmp_path):
    """A pyenv-style shim first on PATH costs every command a shell and ``pyenv exec``; the
    interpreter that ran ``init`` is recorded and runs pyshelf while it is there, and when
    it is gone the launcher searches PATH as before."""
    sandbox.init()
    recorded = tmp_path / "real-python" / "python3"
    recorded.parent.mkdir()
    recorded.symlink_to(sandbox.base_python)
    init_with_python(sandbox, recorded)
    ran = tmp_path / "the-shim-ran"
    shim = wrapped_python(tmp_path / "shims", sandbox.base_python, f"echo >> '{ran}'")

    def version() -> str:
        done = subprocess.run([str(sandbox.bin_dir / "pyshelf"), "--version"],
                              env={**sandbox.env, "PATH": f"{shim.parent}:{SYSTEM_PATH}"},
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert version() == f"pyshelf {pyshelf.__version__}\n"
    assert not ran.exists()
    recorded.unlink()
    assert version() == f"pyshelf {pyshelf.__version__}\n"
    assert ran.read_text() == "\n"
