"""Every environment pyshelf makes current is compiled in the background, so the first
import after a change neither compiles nor prints the warnings an old module raises."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.wheels import Dist, build_wheel

# `is` with a literal: a SyntaxWarning when compiled, on every supported Python.
OLD_STYLE = "def is_one(x):\n    return x is 1\n"


def _old_style_wheel(folder: Path) -> Path:
    return build_wheel(Dist("oldstyle", "1.0", modules=(("oldstyle.py", OLD_STYLE),)), folder)


def _compiled(environment: Path, pycs: str, *, timeout: float = 60) -> list[Path]:
    """The pycs matching ``pycs`` in the environment's site-packages, once the compiler
    wrote one."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(environment.glob(f"lib/*/site-packages/{pycs}"))
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_the_first_import_after_an_install_prints_no_syntax_warning(shelf, tmp_path):
    shelf.ok("install", str(_old_style_wheel(tmp_path)), "--yes")
    assert _compiled(shelf.shelf_home / "env", "__pycache__/oldstyle.*.pyc")
    shell = shelf.bash("python3 -c 'import oldstyle; print(oldstyle.is_one(2))'")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == ["False"]
    assert "SyntaxWarning" not in shell.stderr


def test_an_isolated_apps_environment_is_compiled_too(shelf):
    shelf.ok("install", "--isolated", "beta", "--yes")
    environment = (shelf.shelf_home / "env" / "pyshelf-isolated" / "beta").resolve()
    assert environment.parent.name == "isolated"
    assert _compiled(environment, "beta/__pycache__/__init__.*.pyc")
