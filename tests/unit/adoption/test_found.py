"""What other tools installed, read from their own records on disk."""

from __future__ import annotations

import json

import pytest
from tests.support.dists import write_dist_info

from pyshelf.adoption.found import (
    Found,
    pipx_apps,
    uninstall_command,
    user_packages,
    uv_tools,
    without_pip_guard,
)

MARKERS = {"python_version": "3.12", "sys_platform": "linux"}


def pipx_venv(home, app, version, asked, injected=()):
    venv = home / "venvs" / app
    venv.mkdir(parents=True)
    (venv / "pipx_metadata.json").write_text(json.dumps({
        "main_package": {"package": app, "package_version": version, "package_or_url": asked},
        "injected_packages": {name: {"package": name, "package_version": v}
                              for name, v in injected},
    }))
    return venv


def test_pipx_apps_keep_what_was_asked_for_and_what_was_injected(tmp_path):
    home = tmp_path / "pipx"
    pipx_venv(home, "Black", "24.1.0", "black>=24", injected=[("Click", "8.1.7")])
    pipx_venv(home, "httpie", "3.2.0", "git+https://example.invalid/httpie")
    pipx_venv(home, "ruff", "0.5.0", "not a requirement ((")
    (home / "venvs" / "broken").mkdir()
    (home / "venvs" / "broken" / "pipx_metadata.json").write_text("{")
    assert pipx_apps({"PIPX_HOME": str(home)}) == [
        Found("pipx", "black", "24.1.0", "black>=24", ("click==8.1.7",)),
        Found("pipx", "httpie", "3.2.0", "httpie==3.2.0"),  # a URL: its version instead
        Found("pipx", "ruff", "0.5.0", "ruff==0.5.0"),
    ]


def test_pipx_apps_are_looked_for_in_the_data_home_without_pipx_home(tmp_path):
    pipx_venv(tmp_path / "data" / "pipx", "black", "24.1.0", "black")
    assert [f.name for f in pipx_apps({"XDG_DATA_HOME": str(tmp_path / "data")})] == ["black"]


def uv_tool(tools, name, requirements, versions):
    tool = tools / name
    tool.mkdir(parents=True)
    rows = ", ".join("{ " + ", ".join(f'{k} = "{v}"' for k, v in r.items()) + " }"
                     for r in requirements)
    (tool / "uv-receipt.toml").write_text(f"[tool]\nrequirements = [{rows}]\n")
    for dist, version in versions.items():
        write_dist_info(tool / "lib" / "python3.12" / "site-packages", dist, version)


def test_uv_tools_take_versions_from_the_tools_environment(tmp_path):
    tools = tmp_path / "tools"
    uv_tool(tools, "black", [{"name": "Black", "specifier": ">=24"}, {"name": "click"},
                             {"name": "absent"}],
            {"black": "24.1.0", "click": "8.1.7"})
    uv_tool(tools, "gone", [{"name": "gone"}], {})  # its environment lacks it
    (tools / "odd").mkdir()
    (tools / "odd" / "uv-receipt.toml").write_text("[tool]\n")
    assert uv_tools({"UV_TOOL_DIR": str(tools)}) == [
        Found("uv", "black", "24.1.0", "black>=24", ("click==8.1.7",))]


def test_user_packages_are_those_nothing_else_there_requires(tmp_path):
    site = tmp_path / "site"
    write_dist_info(site, "requests", "2.31.0", "idna>=2", "win-only; sys_platform == 'win32'")
    write_dist_info(site, "idna", "3.6")
    write_dist_info(site, "win-only", "1.0")
    assert sorted(f.name for f in user_packages(site, MARKERS)) == ["requests", "win-only"]
    assert user_packages(tmp_path / "missing", MARKERS) == []


@pytest.mark.parametrize(("tool", "command"), [
    ("pipx", ["pipx", "uninstall", "black"]),
    ("uv", ["/bin/uv", "tool", "uninstall", "black"]),
    ("user", ["/bin/python3", "-m", "pip", "uninstall", "--yes", "black"]),
])
def test_each_tool_removes_what_it_installed_its_own_way(tool, command):
    found = Found(tool, "black", "24.1.0", "black")
    assert uninstall_command(found, "/bin/uv", "/bin/python3") == command


def test_pip_may_remove_from_a_protected_user_site():
    assert without_pip_guard({"HOME": "/h"}) == {"HOME": "/h", "PIP_BREAK_SYSTEM_PACKAGES": "1"}
