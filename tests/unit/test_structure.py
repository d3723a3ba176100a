"""Seams the code must keep, checked from its syntax trees (fast, and cannot be dodged by
an unusual call path at run time)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "pyshelf"
DELETING = frozenset({"rmtree", "unlink", "rmdir", "removedirs"})


def modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def where(module: Path) -> str:
    """A module as its place in the package: ``generations/folders.py``."""
    return module.relative_to(SOURCE).as_posix()


def deletions(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every call that deletes a file or folder, and every import of such a function."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            on_os = isinstance(node.func.value, ast.Name) and node.func.value.id == "os"
            if name in DELETING or (name == "remove" and on_os):
                yield node.lineno, name
        if isinstance(node, ast.ImportFrom) and node.module in ("os", "shutil"):
            for alias in node.names:
                if alias.name in DELETING | {"remove"}:
                    yield node.lineno, f"from {node.module} import {alias.name}"


def test_the_walk_sees_the_whole_package() -> None:
    names = {where(path) for path in modules()}
    assert {"removal.py", "generations/folders.py", "commands/doctor.py"} <= names


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_only_the_confined_remover_deletes(module: Path) -> None:
    found = list(deletions(ast.parse(module.read_text(encoding="utf-8"))))
    if where(module) == "removal.py":
        assert found, "the remover itself must be where deletion happens"
        return
    assert found == [], f"{where(module)} deletes on its own; use pyshelf.removal: {found}"


def imported_modules(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def os_calls(tree: ast.AST) -> set[str]:
    return {node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "os"}


# Who may start or become another program: the engine runs uv, interpreters and the
# person's shell, and forks the children that empty the trash and compile bytecode;
# `pyshelf run` and the shelf's pip hand the process over to the app (exec, not a new
# process) through the commands' one shared helper.
STARTS_PROCESSES = {"subprocess": {"engine/processes.py"}, "fork": {"engine/processes.py"},
                    "exec": {"commands/common.py"}}


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_only_the_engine_starts_processes(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    calls = os_calls(tree)
    uses = {
        "subprocess": "subprocess" in imported_modules(tree),
        "fork": bool(calls & {"fork", "forkpty"}),
        "exec": any(call.startswith(("exec", "spawn", "posix_spawn")) for call in calls)
                or bool(calls & {"system", "popen"}),
    }
    wrong = [what for what, used in uses.items()
             if used and where(module) not in STARTS_PROCESSES[what]]
    assert wrong == [], f"{where(module)} starts processes ({wrong}); use pyshelf.engine"


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_only_the_state_module_speaks_sql(module: Path) -> None:
    uses_sqlite = "sqlite3" in imported_modules(ast.parse(module.read_text(encoding="utf-8")))
    assert uses_sqlite == (where(module) == "store/database.py")


def pyshelf_imports(tree: ast.AST) -> set[str]:
    """The pyshelf modules a module imports, as dotted names under ``pyshelf``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pyshelf.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("pyshelf."):
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", sorted((SOURCE / "core").glob("*.py")),
                         ids=lambda p: str(p.relative_to(SOURCE)))
def test_the_core_stays_pure(module: Path) -> None:
    """The core (records, plans, graphs, parsed requests) can be read and tested alone: it
    imports nothing of pyshelf but itself and the errors the person sees."""
    outside = {name for name in pyshelf_imports(ast.parse(module.read_text(encoding="utf-8")))
               if not name.startswith("pyshelf.core.") and name != "pyshelf.errors"}
    assert outside == set(), f"{where(module)} reaches out of the core: {sorted(outside)}"


def test_the_check_catches_each_way_of_deleting() -> None:
    code = ("import os, shutil\nfrom shutil import rmtree\n"
            "shutil.rmtree(p)\nos.remove(p)\nos.unlink(p)\np.unlink()\np.rmdir()\n")
    assert [name for _, name in deletions(ast.parse(code))] == [
        "from shutil import rmtree", "rmtree", "remove", "unlink", "unlink", "rmdir"]
