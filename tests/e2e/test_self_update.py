"""pyshelf's own copy under the shelf home: made by init, run by the launcher whatever
Python or shelf is around it, and refreshed by ``pyshelf self update``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import packaging
import pytest
import tomlkit
from tests.support.index import served
from tests.support.wheels import Dist, build_wheel
from uv import find_uv_bin

import pyshelf

NEW_VERSION = "99.0"


def _package_modules(package: Path, prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}/{path.relative_to(package)}", path.read_text(encoding="utf-8"))
                 for path in sorted(package.rglob("*.py")))


def pyshelf_wheel(outdir: Path, version: str = NEW_VERSION) -> Path:
    """This pyshelf's code as a release numbered ``version``."""
    modules = [(path, text.replace(f'__version__ = "{pyshelf.__version__}"',
                                   f'__version__ = "{version}"'))
               for path, text in _package_modules(Path(pyshelf.__file__).parent, "pyshelf")]
    return build_wheel(Dist("pyshelf", version,
                            requires=("packaging>=24", "tomlkit>=0.13", "uv>=0.9"),
                            modules=tuple(modules)), outdir)


@pytest.fixture(scope="module")
def self_index(tmp_path_factory) -> Iterator[str]:
    """pyshelf and what it needs: packaging and tomlkit as installed here, and a ``uv``
    whose binary hands over to the real one."""
    wheels = tmp_path_factory.mktemp("self-wheels")
    pyshelf_wheel(wheels)
    for module in (packaging, tomlkit):
        build_wheel(Dist(module.__name__, module.__version__,
                         modules=_package_modules(Path(module.__file__).parent,
                                                  module.__name__)), wheels)
    shim = f'#!/bin/sh\nexec "{find_uv_bin()}" "$@"\n'.encode()
    build_wheel(Dist("uv", "0.99.0", modules=(("uv/__init__.py", ""),),
                     binaries=(("uv-0.99.0.data/scripts/uv", shim),)), wheels)
    with served(wheels, tmp_path_factory.mktemp("self-index")) as url:
        yield url


def copies(shelf) -> list[str]:
    return sorted(p.name for p in (shelf.shelf_home / "app").iterdir())


def test_init_installs_a_copy_the_launcher_runs_with_any_python3(shelf):
    current = shelf.shelf_home / "app" / "current"
    assert (current / "pyshelf" / "cli.py").is_file()
    assert (current / "packaging" / "version.py").is_file()
    assert (current / "bin" / "uv").is_file()
    assert str(current) in (shelf.bin_dir / "pyshelf").read_text()

    hostile = shelf.bash("PYTHONPATH=/nowhere PYTHONHOME=/nowhere pyshelf --version")
    (shelf.shelf_home / "env").unlink()  # even a shelf without env does not stop pyshelf
    broken_shelf = shelf.bash("pyshelf --version")

    assert hostile.stdout == broken_shelf.stdout == f"pyshelf {pyshelf.__version__}\n"


def test_self_update_from_a_wheel(shelf, tmp_path):
    before = copies(shelf)
    wheel = pyshelf_wheel(tmp_path / "dist")

    result = shelf.bash(f"pyshelf self update --from '{wheel}'")

    assert result.returncode == 0, result.stderr
    assert f"pyshelf {pyshelf.__version__} -> {NEW_VERSION}" in result.stdout
    assert shelf.bash("pyshelf --version").stdout == f"pyshelf {NEW_VERSION}\n"
    assert len(copies(shelf)) == len(before) + 1  # the previous copy stays for one round
    shelf.bash("pyshelf self update --from " + str(wheel))
    assert len(copies(shelf)) == len(before) + 1
    listed = shelf.bash("pyshelf install alpha --yes && pyshelf list")
    assert listed.returncode == 0, listed.stderr


def test_self_update_from_the_index(shelf, self_index):
    result = shelf.bash(f"PYSHELF_INDEX_URL='{self_index}' pyshelf self update")

    assert result.returncode == 0, result.stderr
    assert shelf.bash("pyshelf --version").stdout == f"pyshelf {NEW_VERSION}\n"
    installed = shelf.bash("pyshelf install alpha --yes")  # through the new copy's uv
    assert installed.returncode == 0, installed.stderr


def test_self_update_from_nothing_usable_changes_nothing(shelf, tmp_path):
    before = copies(shelf)

    result = shelf.run("self", "update", "--from", str(tmp_path))

    assert result.returncode == 2
    assert result.stderr == (f"error: {tmp_path} is neither a wheel nor a project directory; "
                             "give --from a pyshelf wheel or source checkout.\n")
    assert copies(shelf) == before


def test_a_foreign_package_of_the_same_name_is_refused(shelf, tmp_path):
    before = copies(shelf)
    wheel = build_wheel(Dist("pyshelf", NEW_VERSION, modules=(
        ("pyshelf/__init__.py", f'__version__ = "{NEW_VERSION}"\n'),)), tmp_path / "dist")

    result = shelf.run("self", "update", "--from", str(wheel))

    assert result.returncode == 1
    assert "is not a pyshelf that can run from its own copy; nothing was changed" in result.stderr
    assert copies(shelf) == before
    assert shelf.bash("pyshelf --version").stdout == f"pyshelf {pyshelf.__version__}\n"


def test_self_update_deletes_only_its_own_old_copies(shelf, tmp_path):
    app = shelf.shelf_home / "app"
    (app / "notes.txt").write_text("mine")
    (app / "photos").mkdir()
    (app / "photos" / "cat.jpg").write_text("meow")
    (app / ("1.0-" + "1" * 19)).mkdir()  # named like a copy, but holds no pyshelf
    (app / ("1.0-" + "1" * 19) / "data.txt").write_text("not a copy")
    wheel = pyshelf_wheel(tmp_path / "dist")

    for _ in range(3):  # each update prunes all but the newest two copies
        assert shelf.run("self", "update", "--from", str(wheel)).returncode == 0

    assert (app / "notes.txt").read_text() == "mine"
    assert (app / "photos" / "cat.jpg").read_text() == "meow"
    assert (app / ("1.0-" + "1" * 19) / "data.txt").read_text() == "not a copy"
    own = [p for p in app.iterdir() if (p / "pyshelf" / "__init__.py").is_file()
           and not p.is_symlink()]
    assert len(own) == 2


def test_self_update_refuses_a_symlinked_app_folder(shelf, tmp_path):
    outside = tmp_path / "outside"
    (shelf.shelf_home / "app").rename(outside)
    (outside / "old-copy-1").mkdir()
    (outside / "old-copy-1" / "keep.txt").write_text("keep")
    before = sorted(p.name for p in outside.iterdir())
    (shelf.shelf_home / "app").symlink_to(outside, target_is_directory=True)
    wheel = pyshelf_wheel(tmp_path / "dist")

    result = shelf.run("self", "update", "--from", str(wheel))

    assert result.returncode == 1
    assert result.stderr == (
        f"error: {shelf.shelf_home / 'app'} is a symlink; pyshelf only writes and deletes in "
        "real folders inside its home, so it leaves that link and where it leads alone (move "
        "the folder back in place of the link, or remove the link; `pyshelf doctor` reports "
        "it).\n")
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (outside / "old-copy-1" / "keep.txt").read_text() == "keep"
