"""update, rebuild, and what the base interpreter's own packages mean to the shelf."""

from __future__ import annotations

import subprocess

import pytest
from tests.e2e.helpers import generation_dirs, packages, snapshot
from uv import find_uv_bin


@pytest.fixture
def shelf(sandbox, shelf_templates, wheel_index):
    pinned = wheel_index.root / "pins.txt"
    pinned.write_text("alpha==1.0\ngamma==1.0\nbeta==1.0\n")
    commands = (("import", str(pinned), "--yes"),  # old versions, loose intent below
                ("install", "alpha", "beta", "gamma<2", "--yes"))
    return shelf_templates.copy_into(sandbox, commands)


def test_update_everything_respects_each_requirement(shelf):
    shelf.ok("install", "alpha<2", "--yes")
    result = shelf.ok("update", "--yes")
    assert "^ gamma 1.0 -> 1.1" in result.stdout
    assert packages(shelf)["alpha"] == ("1.0", "explicit")  # held by alpha<2
    assert packages(shelf)["gamma"] == ("1.1", "explicit")


def test_update_one_package_moves_only_it_and_what_it_needs(shelf):
    result = shelf.ok("update", "alpha", "--yes")
    assert "^ alpha 1.0 -> 2.0" in result.stdout
    assert "gamma" not in result.stdout
    assert packages(shelf)["gamma"] == ("1.0", "explicit")
    shelf.ok("update", "beta", "--yes")  # beta needs gamma: it may move now
    assert packages(shelf)["gamma"] == ("1.1", "explicit")


def test_update_with_nothing_to_do_builds_nothing(shelf):
    shelf.ok("update", "--yes")
    gens = generation_dirs(shelf)
    result = shelf.ok("update", "--yes")
    assert "Nothing to change" in result.stdout
    assert generation_dirs(shelf) == gens


def test_update_refuses_unknown_names(shelf):
    result = shelf.run("update", "nope", "--yes")
    assert result.returncode == 1 and "'nope' is not installed" in result.stderr


def test_rebuild_always_builds_a_fresh_generation(shelf):
    before = packages(shelf)
    gens = generation_dirs(shelf)
    result = shelf.ok("rebuild", "--yes")
    assert f"Plan for generation {int(gens[-1]) + 1}:" in result.stdout
    assert len(generation_dirs(shelf)) == len(gens) + 1
    assert packages(shelf) == before
    assert shelf.bash("beta").stdout == "beta 1.0\n"


def test_rebuild_refuses_a_missing_interpreter(shelf):
    result = shelf.run("rebuild", "--python", "/nonexistent/python3", "--yes")
    assert result.returncode == 2 and "There is no interpreter" in result.stderr


def test_rebuild_refuses_an_interpreter_that_does_not_start(shelf):
    before = snapshot(shelf)
    result = shelf.run("rebuild", "--python", "/bin/false", "--yes")
    assert result.returncode == 1
    assert "error: The interpreter /bin/false does not start" in result.stderr
    assert snapshot(shelf) == before
    assert shelf.ok("config", "get", "python").stdout == f"{shelf.base_python}\n"


def test_a_system_copy_the_shelf_cannot_see_is_not_warned_about(sandbox, wheel_index,
                                                                tmp_path):
    """With system_site_packages off the base interpreter's packages are invisible to the
    shelf's python (and the shelf's to the system's), so nothing is shadowed."""
    system = tmp_path / "system-python"
    subprocess.run([str(sandbox.base_python), "-m", "venv", "--without-pip", str(system)],
                   check=True)
    wheel = wheel_index.root / "files" / "alpha-1.0-py3-none-any.whl"
    subprocess.run([find_uv_bin(), "pip", "install", "--no-config", "-q", "--python",
                    str(system / "bin" / "python"), str(wheel)], check=True,
                   env={**sandbox.env, "UV_CACHE_DIR": str(tmp_path / "cache")})
    sandbox.ok("init", "--python", str(system / "bin" / "python"), "--yes")

    accepted = sandbox.ok("install", "alpha", "beta", "--yes")

    assert "warning" not in accepted.stderr
    assert packages(sandbox)["alpha"] == ("2.0", "explicit")


def test_system_site_packages_lets_the_system_provide_requirements(sandbox, shelf_templates):
    has_pip = subprocess.run([str(sandbox.base_python), "-c", "import pip"],
                             capture_output=True, check=False).returncode == 0
    if not has_pip:
        pytest.skip("the base interpreter has no pip to provide")
    shelf_templates.copy_into(sandbox)
    assert sandbox.run("install", "needs-pip", "--yes").returncode == 3  # not on the index
    sandbox.ok("config", "set", "system_site_packages", "true")
    result = sandbox.ok("install", "needs-pip", "--yes")
    assert "+ needs-pip 1.0" in result.stdout
    assert "+ pip" not in result.stdout
    assert packages(sandbox) == {"needs-pip": ("1.0", "explicit")}
    shell = sandbox.bash("python3 -c 'import needs_pip, pip; print(pip.__file__)'")
    assert shell.returncode == 0, shell.stderr
    assert str(sandbox.shelf_home) not in shell.stdout
    sandbox.ok("config", "set", "system_site_packages", "false")
    assert sandbox.run("rebuild", "--yes").returncode == 3  # now pip must come from the index
