"""Session-wide offline index, uv cache and built shelves, plus a fresh HOME per test."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

# Pytest's default import mode puts tests/ (not the repository root) on sys.path, so a bare
# `pytest` run could not import tests.support; `python -m pytest` would, via the cwd.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.support.catalogue import build_catalogue  # noqa: E402
from tests.support.index import IndexServer, write_simple_index  # noqa: E402
from tests.support.sandbox import SYSTEM_PATH, Sandbox  # noqa: E402
from tests.support.shelves import ShelfTemplates  # noqa: E402


class WheelIndex(NamedTuple):
    url: str
    server: IndexServer
    root: Path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "network: needs the real package index (deselected unless PYSHELF_NETWORK_TESTS=1)",
    )
    config.addinivalue_line(
        "markers",
        "shelf(*command_lines, init='', then=None): pyshelf commands, after init with the "
        "arguments init, that made the shelf fixture, then a function given the sandbox",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYSHELF_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="network test; set PYSHELF_NETWORK_TESTS=1 to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def wheel_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WheelIndex]:
    wheels = tmp_path_factory.mktemp("wheels")
    build_catalogue(wheels)
    root = tmp_path_factory.mktemp("index")
    write_simple_index(wheels, root)
    with IndexServer(root) as server:
        yield WheelIndex(url=server.url, server=server, root=root)


@pytest.fixture(scope="session")
def uv_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Under basetemp, hence on the same filesystem as every tmp_path: uv hard-links from its
    # cache into environments and silently falls back to slow copies across filesystems.
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture(scope="session")
def base_python() -> Path:
    """A real interpreter, not the dev venv's: a shelf must not depend on a venv that may vanish."""
    candidate = (
        Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )
    if candidate.exists():
        return candidate
    return Path(getattr(sys, "_base_executable", sys.executable)).resolve()


def _sandbox_at(home: Path, wheel_index: WheelIndex, uv_cache_dir: Path,
                base_python: Path) -> Sandbox:
    if not wheel_index.server.running:
        wheel_index.server.start()
    return Sandbox(
        home,
        base_python=base_python,
        index_url=wheel_index.url,
        uv_cache_dir=uv_cache_dir,
    )


@pytest.fixture
def sandbox(
    tmp_path: Path, wheel_index: WheelIndex, uv_cache_dir: Path, base_python: Path
) -> Sandbox:
    return _sandbox_at(tmp_path / "home", wheel_index, uv_cache_dir, base_python)


@pytest.fixture
def reachable_sandbox(
    wheel_index: WheelIndex, uv_cache_dir: Path, base_python: Path
) -> Iterator[Sandbox]:
    """A sandbox whose HOME and interpreter another user can reach (pytest's temporary
    folders are root's alone, and so may the Python be): as root, tests of file permissions
    run pyshelf as nobody."""
    if os.geteuid() == 0:
        reachable = shutil.which("python3", path=SYSTEM_PATH)
        if reachable is None:
            pytest.skip("no python3 that another user can run")
        base_python = Path(reachable)
    top = Path(tempfile.mkdtemp(prefix="pyshelf-reachable-"))
    top.chmod(0o755)
    try:
        yield _sandbox_at(top / "home", wheel_index, uv_cache_dir, base_python)
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="session")
def shelf_templates(
    tmp_path_factory: pytest.TempPathFactory, wheel_index: WheelIndex, uv_cache_dir: Path,
    base_python: Path,
) -> ShelfTemplates:
    return ShelfTemplates(
        tmp_path_factory.mktemp("shelf-templates"),
        lambda home: _sandbox_at(home, wheel_index, uv_cache_dir, base_python),
    )


@pytest.fixture
def shelf(sandbox: Sandbox, shelf_templates: ShelfTemplates,
          request: pytest.FixtureRequest) -> Sandbox:
    """An initialised shelf in the test's sandbox, after the commands of the nearest
    ``shelf`` marker (none without one; its ``init`` gives init's arguments, its ``then`` a
    function for what no pyshelf command makes), copied from one built once per session."""
    marker = request.node.get_closest_marker("shelf")
    if marker is None:
        return shelf_templates.copy_into(sandbox)
    commands = tuple(tuple(shlex.split(line)) for line in marker.args)
    return shelf_templates.copy_into(sandbox, commands,
                                     tuple(shlex.split(marker.kwargs.get("init", ""))),
                                     marker.kwargs.get("then"))
