"""A shelf copied from a session's template is a shelf of its own, as if built in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.e2e.helpers import packages

pytestmark = pytest.mark.shelf("install app-tool --yes")


def files_naming(folder: Path, text: str) -> list[str]:
    """The paths under ``folder`` whose contents, or whose symlink target, hold ``text``;
    bytecode is left out, since Python corrects the folder it names when it loads it."""
    needle = os.fsencode(text)
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                  if (text in str(path.readlink()) if path.is_symlink()
                      else path.is_file() and path.suffix != ".pyc"
                      and needle in path.read_bytes()))


def test_a_copied_shelf_names_only_its_own_home(shelf, shelf_templates):
    template = shelf_templates.template((("install", "app-tool", "--yes"),))
    assert template != shelf.home
    assert files_naming(shelf.home, str(template)) == []
    assert files_naming(shelf.home, str(shelf.home))  # the paths were rewritten, not dropped
    assert shelf.ok("config", "get", "bin_dir").stdout == f"{shelf.bin_dir}\n"
    assert shelf.ok("config", "get", "shell_config").stdout == f"{shelf.rc}\n"
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    assert shelf.bash("command -v app-tool").stdout.startswith(str(shelf.home))
    assert shelf.run("doctor").returncode == 0


def test_a_copied_shelf_changes_without_touching_its_template(shelf, shelf_templates):
    template = shelf_templates.template((("install", "app-tool", "--yes"),))
    before = sorted(p.name for p in (template / ".local/share/pyshelf/gens").iterdir())
    shelf.ok("install", "beta", "--yes")
    assert "beta" in packages(shelf)
    after = sorted(p.name for p in (template / ".local/share/pyshelf/gens").iterdir())
    assert after == before
