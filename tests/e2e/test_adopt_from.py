"""adopt --from: apps that real pipx, uv tool and pip --user installed move onto the shelf."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.e2e.helpers import generation_dirs, packages
from tests.support.sandbox import SYSTEM_PATH


def _tool(shelf, *argv: str) -> None:
    """Run pipx, uv or pip as the person would, installing from the test index."""
    env = {**shelf.env, "PIPX_DEFAULT_BACKEND": "uv", "UV_DEFAULT_INDEX": shelf.index_url,
           "PIP_INDEX_URL": shelf.index_url, "PIP_NO_CACHE_DIR": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run(list(argv), env=env, cwd=shelf.home, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


def _isolated(shelf) -> dict[str, dict[str, object]]:
    data = json.loads(shelf.ok("list", "--json").stdout)
    return {p["name"]: p for p in data["packages"] if p["type"] == "isolated"}


def _install_elsewhere(shelf) -> None:
    python = str(shelf.base_python)
    _tool(shelf, "pipx", "install", "--python", python, "beta")
    _tool(shelf, "pipx", "inject", "beta", "alpha")
    _tool(shelf, "pipx", "install", "--python", python, "shared-user")  # needs shared 2.0
    _tool(shelf, "uv", "tool", "install", "--python", python, "app-tool==1.0")


@pytest.fixture
def elsewhere(sandbox, shelf_templates):
    """pipx and uv tool installations, one of them conflicting with the shelf's shared (1.0,
    from left), made once and copied."""
    return shelf_templates.copy_into(sandbox, (("install", "left", "--yes"),),
                                     then=_install_elsewhere)


def test_adopt_from_pipx_and_uv_moves_everything_in_one_command(elsewhere):
    result = elsewhere.ok("adopt", "--from", "pipx", "--from", "uv", "--remove-old", "--yes")

    assert "shared-user 1.1 (pipx) conflicts with the shelf" in result.stderr
    on_shelf = packages(elsewhere)
    assert on_shelf["beta"] == ("1.0", "explicit")
    assert on_shelf["alpha"] == ("2.0", "explicit")  # injected next to beta
    assert on_shelf["app-tool"] == ("1.0", "explicit")  # the version it had, not the newest
    assert _isolated(elsewhere)["shared-user"]["version"] == "1.1"
    pipx_venvs = elsewhere.home / ".local" / "share" / "pipx" / "venvs"
    assert not [p for p in pipx_venvs.iterdir() if p.is_dir()]  # pipx keeps its lock files
    assert not (elsewhere.home / ".local" / "share" / "uv" / "tools" / "app-tool").exists()
    shell = elsewhere.bash("beta; app-tool; shared-user")
    assert shell.stdout.splitlines() == ["beta 1.0", "app-tool 1.0",
                                         "shared-user 1.1 with shared 2.0"]
    assert "pyshelf-isolated" in str((elsewhere.bin_dir / "shared-user").readlink())


def test_remove_old_without_pipx_on_path_warns_and_finishes_the_rest(elsewhere):
    elsewhere.env["PATH"] = SYSTEM_PATH  # pipx was found in the test's own venv

    result = elsewhere.ok("adopt", "--from", "pipx", "--remove-old", "--yes")

    assert ("beta is on the shelf, but pipx is not on PATH, so its old copy stays; `pipx "
            "uninstall beta` removes it where pipx is installed.") in result.stderr
    assert (elsewhere.home / ".local" / "share" / "pipx" / "venvs" / "beta").is_dir()
    assert result.stderr.count("shared-user is in the way") == 1  # its pipx link stays
    assert packages(elsewhere)["beta"] == ("1.0", "explicit")


def test_a_dry_run_changes_nothing_anywhere(elsewhere):
    before = generation_dirs(elsewhere)

    result = elsewhere.ok("adopt", "--from", "pipx", "--remove-old", "--dry-run")

    assert "+ beta 1.0" in result.stdout
    assert "Isolated app shared-user" in result.stdout
    assert generation_dirs(elsewhere) == before
    assert (elsewhere.home / ".local" / "share" / "pipx" / "venvs" / "beta").is_dir()


def test_without_remove_old_the_old_copies_stay(elsewhere):
    result = elsewhere.ok("adopt", "--from", "uv", "--yes")

    assert packages(elsewhere)["app-tool"] == ("1.0", "explicit")
    assert "`--remove-old` removes them through their own tools" in result.stderr
    assert (elsewhere.home / ".local" / "share" / "uv" / "tools" / "app-tool").is_dir()


def test_adopt_from_the_user_site(shelf):
    _tool(shelf, str(shelf.base_python), "-m", "pip", "install", "--user", "beta")
    user_site = next(Path(shelf.home, ".local", "lib").glob("python3.*/site-packages"))
    assert (user_site / "beta").is_dir()

    shelf.ok("adopt", "--from", "user", "--remove-old", "--yes")

    assert packages(shelf)["beta"] == ("1.0", "explicit")  # gamma stays a dependency
    assert packages(shelf)["gamma"][1] == "dependency"
    assert not (user_site / "beta").exists()


def test_an_app_already_on_the_shelf_is_left_alone(elsewhere):
    elsewhere.ok("install", "app-tool", "--yes")

    result = elsewhere.ok("adopt", "--from", "uv", "--remove-old", "--yes")

    assert "app-tool (uv) is on the shelf already" in result.stderr
    assert "Nothing to adopt from uv." in result.stdout
    assert (elsewhere.home / ".local" / "share" / "uv" / "tools" / "app-tool").is_dir()


def test_remove_old_needs_from(shelf):
    result = shelf.run("adopt", "--remove-old")
    assert result.returncode == 2
    assert "--remove-old goes with --from" in result.stderr


def test_an_app_the_index_lacks_stays_where_it_is(shelf):
    _tool(shelf, "uv", "tool", "install", "--python", str(shelf.base_python), "app-tool")
    ghost = shelf.home / ".local" / "share" / "uv" / "tools" / "ghost-app"
    (ghost / "lib" / "python3.11" / "site-packages" / "ghost_app-1.0.dist-info").mkdir(
        parents=True)
    (ghost / "uv-receipt.toml").write_text('[tool]\nrequirements = [{ name = "ghost-app" }]\n')

    result = shelf.ok("adopt", "--from", "uv", "--yes")

    assert "ghost-app stays where it is: No package named 'ghost-app'" in result.stderr
    assert packages(shelf)["app-tool"] == ("1.1", "explicit")
    assert "ghost-app" not in packages(shelf)
