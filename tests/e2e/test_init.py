"""``pyshelf init``: a usable shelf in a fresh HOME, and idempotent on a second run."""

from __future__ import annotations

import os

from tests.e2e.helpers import current_target, generation_dirs


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
