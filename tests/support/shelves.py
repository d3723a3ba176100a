"""Shelves built once per test session and copied into each test's HOME.

Building a shelf (``init``, then installs) takes seconds; copying a built one takes a fraction
of that. A copy must be a shelf of its own, as if built where it now lies: the home's absolute
paths (script shebangs, the launcher, the rc block, the generation records, the settings in
the database) name the folder it was built in, so every one of them is rewritten; only
bytecode is left as it is. Each test
gets its own copy and may change it freely.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.support.sandbox import Sandbox

__all__ = ["Commands", "Prepare", "ShelfTemplates", "move_home"]

Commands = tuple[tuple[str, ...], ...]
Prepare = Callable[[Sandbox], None]
_LINKED_SIZE = 1 << 20


def _rewrite_database(database: Path, old: str, new: str) -> None:
    connection = sqlite3.connect(database)
    try:
        with connection:
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')
                           if row[2].upper() == "TEXT"]
                for column in columns:
                    connection.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                        f'WHERE instr("{column}", ?) > 0', (old, new, old))
    finally:
        connection.close()


def move_home(source: Path, target: Path) -> None:
    """Copy the HOME ``source`` to ``target`` and point every path naming ``source`` at
    ``target``: in symlinks, in files and in the shelf's database.

    Files of a MiB or more (the uv binary ``init`` copies into the home) are hard-linked
    instead of copied: pyshelf only ever replaces them, and no test writes into them.
    """
    linked: set[str] = set()

    def copy(src: str, dst: str) -> None:
        if Path(src).stat().st_size >= _LINKED_SIZE:
            os.link(src, dst)
            linked.add(dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True, copy_function=copy)
    old, new = str(source), str(target)
    for folder, _, names in os.walk(target):
        for name in names:
            path = Path(folder, name)
            if str(path) in linked:
                continue
            if path.is_symlink():
                link = str(path.readlink())
                if link.startswith(old):
                    path.unlink()
                    path.symlink_to(new + link[len(old):])
            elif name == "state.db":
                _rewrite_database(path, old, new)
            elif not name.startswith("state.db-") and not name.endswith(".pyc"):
                # bytecode names the folder it was compiled in, and Python corrects that
                # name when it loads it; rewritten, its lengths would no longer match
                data = path.read_bytes()
                if os.fsencode(old) in data:
                    path.write_bytes(data.replace(os.fsencode(old), os.fsencode(new)))


class ShelfTemplates:
    """Shelves by the ``init`` arguments and the pyshelf commands run after it (and, for
    what no pyshelf command makes, a function given the sandbox), each built once, on first
    use.

    A template is the copy of the one its commands but the last made, changed by that last
    command: a copy costs a few milliseconds where ``init`` or an install costs a few
    tenths of a second, and copies are shelves of their own (tests/e2e/test_shelf_copies.py).
    """

    def __init__(self, root: Path, sandbox_at: Callable[[Path], Sandbox]) -> None:
        self._root = root
        self._sandbox_at = sandbox_at
        self._built: dict[tuple[tuple[str, ...], Commands, Prepare | None], Path] = {}

    def template(self, commands: Commands = (), init: tuple[str, ...] = (),
                 then: Prepare | None = None) -> Path:
        """The HOME of the shelf that ``init`` with arguments ``init`` and then ``commands``
        made, and ``then`` changed, built on first use; never change it."""
        key = (init, commands, then)
        if key not in self._built:
            if then is not None:
                base: Path | None = self.template(commands, init)
            else:
                base = self.template(commands[:-1], init) if commands else None
            home = self._root / f"shelf-{len(self._built)}" / "home"
            sandbox = self._sandbox_at(home)
            if base is None:
                sandbox.init(*init)
            else:
                move_home(base, home)
                if then is not None:
                    then(sandbox)
                else:
                    sandbox.ok(*commands[-1])
            self._built[key] = home
        return self._built[key]

    def copy_into(self, sandbox: Sandbox, commands: Commands = (),
                  init: tuple[str, ...] = (), then: Prepare | None = None) -> Sandbox:
        """``sandbox``, its empty HOME now holding a shelf that ``init`` with arguments
        ``init`` and then ``commands`` made, and ``then`` changed."""
        move_home(self.template(commands, init, then), sandbox.home)
        return sandbox
