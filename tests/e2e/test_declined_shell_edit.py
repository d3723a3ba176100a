"""``init --no-modify-shell``: the choice is kept, the lines to add are printed, and doctor
asks only whether a new shell reaches the shelf."""

from __future__ import annotations

import pytest

START, END = "# >>> pyshelf >>>", "# <<< pyshelf <<<"


def printed_block(stdout: str) -> str:
    return stdout[stdout.index(START):stdout.index(END) + len(END)] + "\n"


def test_declining_prints_the_block_and_init_keeps_declining(sandbox):
    result = sandbox.init("--no-modify-shell")

    assert not sandbox.rc.exists()
    assert f"add these lines to {sandbox.rc}" in result.stderr
    block = printed_block(result.stdout)
    assert f"'{sandbox.bin_dir}'" in block and f"'{sandbox.shelf_home / 'env' / 'bin'}'" in block
    assert sandbox.ok("config", "get", "modify_shell").stdout == "false\n"

    again = sandbox.init()
    assert not sandbox.rc.exists()
    assert printed_block(again.stdout) == block

    sandbox.rc.write_text("# mine\n" + block)  # pasted by hand
    shell = sandbox.bash("command -v pyshelf python3")
    assert shell.stdout.splitlines() == [str(sandbox.bin_dir / "pyshelf"),
                                         str(sandbox.shelf_home / "env" / "bin" / "python3")]


def test_the_printed_lines_are_in_the_config_shells_syntax(sandbox):
    fish = sandbox.home / ".config" / "fish" / "conf.d" / "pyshelf.fish"

    result = sandbox.init("--no-modify-shell", "--shell-config", str(fish))

    assert not fish.exists()
    assert f"    set -gx PATH '{sandbox.bin_dir}' $PATH" in printed_block(result.stdout)


def test_doctor_asks_whether_a_new_shell_reaches_the_shelf(sandbox):
    sandbox.init("--no-modify-shell")

    unreached = sandbox.run("doctor")
    assert unreached.returncode == 1
    assert "modify_shell = false" in unreached.stdout
    assert "doctor --fix" not in unreached.stdout  # no offer to write the declined block
    assert "config set modify_shell true" in unreached.stdout

    # Reached some other way than the block: doctor is satisfied.
    sandbox.rc.write_text(f'export PATH="{sandbox.shelf_home}/env/bin:{sandbox.bin_dir}:$PATH"\n')
    reached = sandbox.run("doctor")
    assert reached.returncode == 0, reached.stdout
    assert "ok       shell" in reached.stdout


@pytest.mark.parametrize("how", [("set", "modify_shell", "true"), ("unset", "modify_shell")])
def test_config_turns_the_shell_edit_back_on_and_off(sandbox, how):
    sandbox.init("--no-modify-shell")

    sandbox.ok("config", *how)

    assert START in sandbox.rc.read_text()
    assert sandbox.run("doctor").returncode == 0
    assert sandbox.bash("command -v pyshelf").stdout == f"{sandbox.bin_dir / 'pyshelf'}\n"

    result = sandbox.ok("config", "set", "modify_shell", "false")
    assert START not in sandbox.rc.read_text()
    assert f"Removed the pyshelf block from {sandbox.rc}" in result.stderr
    assert START in result.stdout  # the lines to add by hand
