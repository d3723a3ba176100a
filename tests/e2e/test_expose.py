"""Exposure modes: the shelf's bin on PATH, or only the explicit apps' commands linked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.shelf(init="--expose apps")
WITH_BETA = pytest.mark.shelf("install beta --yes", init="--expose apps")


@pytest.fixture
def apps(shelf):
    """A shelf made by ``init --expose apps`` (then the commands of the test's marker)."""
    return shelf


def _links(sandbox) -> dict[str, str]:
    return {entry.name: str(entry.readlink()) for entry in sandbox.bin_dir.iterdir()
            if entry.is_symlink()}


def test_apps_mode_links_only_explicit_commands_and_keeps_the_system_python(apps):
    env_bin = apps.shelf_home / "env" / "bin"
    apps.ok("install", "beta", "app-tool", "--yes")

    assert _links(apps) == {"beta": str(env_bin / "beta"),
                            "app-tool": str(env_bin / "app-tool"),
                            "pyshelf-python": str(env_bin / "python")}
    shell = apps.bash("beta; app-tool; command -v python3; pyshelf-python -c 'import gamma';"
                      "echo $PATH")
    assert shell.returncode == 0, shell.stderr
    beta, tool, python3, path = shell.stdout.splitlines()
    assert (beta, tool) == ("beta 1.0", "app-tool 1.1")
    assert not python3.startswith(str(apps.shelf_home))  # the system's python3 stays first
    assert str(env_bin) not in path.split(":")


@WITH_BETA
def test_links_follow_remove_and_undo(apps):
    apps.ok("remove", "beta", "--yes")
    assert "beta" not in _links(apps)
    apps.ok("undo", "--yes")
    assert "beta" in _links(apps)
    assert apps.bash("beta").stdout == "beta 1.0\n"


def test_a_file_in_the_way_is_never_replaced_without_force(apps):
    apps.bin_dir.mkdir(parents=True, exist_ok=True)
    theirs = apps.bin_dir / "app-tool"
    theirs.write_text("#!/bin/sh\necho theirs\n")
    theirs.chmod(0o755)

    installed = apps.ok("install", "app-tool", "--yes")

    assert f"app-tool was not linked into {apps.bin_dir}" in installed.stderr
    assert theirs.read_text() == "#!/bin/sh\necho theirs\n"
    refused = apps.run("expose", "app-tool")
    assert refused.returncode == 2
    assert f"{theirs} is in the way and pyshelf did not put it there" in refused.stderr
    assert theirs.read_text() == "#!/bin/sh\necho theirs\n"

    apps.ok("expose", "app-tool", "--force")
    assert apps.bash("app-tool").stdout == "app-tool 1.1\n"


def test_a_packages_pyshelf_command_never_takes_the_launchers_place(apps):
    launcher = apps.bin_dir / "pyshelf"
    text = launcher.read_text()
    env_bin = apps.shelf_home / "env" / "bin"

    installed = apps.ok("install", "lookalike", "--yes")

    assert "not linked" not in installed.stderr
    assert _links(apps) == {"lookalike": str(env_bin / "lookalike"),
                            "pyshelf-python": str(env_bin / "python")}
    checked = apps.run("doctor")
    assert checked.returncode == 0, checked.stdout
    assert "in the way" not in checked.stdout
    for name in ("pyshelf", "pyshelf-python"):
        refused = apps.run("expose", name, "--command", "--force")
        assert refused.returncode == 2
        assert len(refused.stderr.splitlines()) == 1, refused.stderr
        assert "kept for pyshelf's own" in refused.stderr
    assert not launcher.is_symlink() and launcher.read_text() == text
    assert apps.bash("pyshelf --version && lookalike").returncode == 0


def test_doctor_puts_back_a_launcher_a_link_replaced(apps):
    apps.ok("install", "lookalike", "--yes")
    launcher = apps.bin_dir / "pyshelf"
    launcher.unlink()  # what an `expose pyshelf --command --force` once made of it
    launcher.symlink_to(apps.shelf_home / "env" / "bin" / "pyshelf")

    found = apps.run("doctor")
    fixed = apps.run("doctor", "--fix")

    assert found.returncode == 1
    assert f"launcher: {launcher} is a link to a package's command" in found.stdout
    assert "app links" not in found.stdout.replace("ok       app links", "")
    assert fixed.returncode == 0, fixed.stdout
    assert not launcher.is_symlink() and "# pyshelf launcher" in launcher.read_text()
    assert apps.bash("pyshelf --version").stdout.startswith("pyshelf ")


def test_hide_and_expose_a_package_or_one_command(apps):
    apps.ok("install", "beta", "uses-argv-tool", "--yes")
    assert "argv-tool" not in _links(apps)  # a dependency's command stays unlinked

    assert apps.ok("expose", "argv-tool").stdout == "Exposed argv-tool's commands.\n"
    assert "argv-tool" in _links(apps)
    assert apps.ok("hide", "beta", "--command").stdout == "Hid the command beta.\n"
    assert "beta" not in _links(apps)
    assert apps.bash("beta").returncode == 127
    apps.ok("install", "alpha", "--yes")  # the choices hold for later generations
    assert "beta" not in _links(apps) and "argv-tool" in _links(apps)
    apps.ok("expose", "beta", "--command")
    assert apps.bash("beta").stdout == "beta 1.0\n"


@WITH_BETA
@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "'nope' is not installed on the shelf"),
    (["nope", "--command"], "No package on the shelf installs a command 'nope'."),
    (["gamma"], "gamma installs no commands."),
    (["--", "-x"], "'-x' is not a package"),
])
def test_bad_names_are_refused(apps, args, message):
    result = apps.run("expose", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_path_mode_has_nothing_to_choose(sandbox, shelf_templates):
    shelf_templates.copy_into(sandbox, (("install", "beta", "--yes"),))

    result = sandbox.run("hide", "beta")

    assert result.returncode == 2
    assert "whole bin directory on PATH" in result.stderr
    assert set(_links(sandbox)) == set()
    assert sandbox.bash("command -v python3").stdout.startswith(str(sandbox.shelf_home))


@WITH_BETA
def test_switching_modes_moves_the_links_and_the_block(apps):
    apps.ok("config", "set", "expose", "path")

    assert _links(apps) == {}
    assert apps.bash("command -v python3").stdout.startswith(str(apps.shelf_home))
    apps.ok("init", "--expose", "apps")
    assert set(_links(apps)) == {"beta", "pyshelf-python"}
    assert not apps.bash("command -v python3").stdout.startswith(str(apps.shelf_home))


@WITH_BETA
def test_moving_the_bin_dir_moves_the_links(apps, tmp_path):
    new_bin = tmp_path / "bin2"

    apps.ok("config", "set", "bin_dir", str(new_bin))

    assert "beta" not in _links(apps)
    assert (new_bin / "beta").readlink() == apps.shelf_home / "env" / "bin" / "beta"
    assert apps.bash("beta").stdout == "beta 1.0\n"


@pytest.mark.shelf()  # path mode
def test_isolated_apps_commands_can_be_forced_or_hidden_in_either_mode(shelf):
    shelf.bin_dir.mkdir(parents=True, exist_ok=True)
    (shelf.bin_dir / "app-tool").write_text("#!/bin/sh\necho theirs\n")
    installed = shelf.ok("install", "--isolated", "app-tool", "--yes")
    assert "`pyshelf expose app-tool --command --force` replaces it" in installed.stderr

    shelf.ok("expose", "app-tool", "--command", "--force")
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    shelf.ok("hide", "app-tool", "--command")
    assert "app-tool" not in _links(shelf)
    assert shelf.bash("app-tool").stdout == ""  # the shelf's own bin has no app-tool either
    shelf.ok("expose", "app-tool", "--command")
    assert "app-tool" in _links(shelf)


@pytest.mark.shelf()  # path mode
def test_hiding_an_isolated_app_unlinks_all_its_commands(shelf):
    shelf.ok("install", "--isolated", "app-tool", "--yes")
    assert shelf.ok("hide", "app-tool").stdout == "Hid app-tool's commands.\n"
    assert "app-tool" not in _links(shelf)
    shelf.ok("install", "alpha", "--yes")  # the choice holds
    assert "app-tool" not in _links(shelf)
