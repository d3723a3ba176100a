"""``pyshelf doctor [--fix]``: check everything that can go wrong, and repair what is safe.

Safe means nothing the person chose is changed: a missing block or launcher is written back,
unknown leftovers are removed, a broken ``env`` is pointed (or rebuilt) back at the current
generation, and a damaged database is set aside (never deleted) and rebuilt from the
generations on disk. Moving to another Python or adopting outside changes are choices, so
doctor names the command and leaves them to the person.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from pyshelf import ui
from pyshelf.change import build_and_switch, provided_by_system
from pyshelf.clock import now
from pyshelf.commands.snapshots import BASELINE
from pyshelf.drift import generation_drift
from pyshelf.engine import find_uv
from pyshelf.errors import NotInitializedError, PyshelfError
from pyshelf.exposure import blocked_names, is_ours, link_apps, wanted_links
from pyshelf.generations import (
    empty_trash,
    move_to_trash,
    next_generation_id,
    switch_to,
    trash_entry,
    unused_environments,
)
from pyshelf.health import (
    foreign_entries,
    interpreter_health,
    missing_generations,
    shell_health,
    unknown_generations,
)
from pyshelf.integration import apply_shell_block, install_launcher
from pyshelf.layout import Layout, entries
from pyshelf.locking import writer_lock
from pyshelf.recovery import misplaced_env, remove_stale_scratch, stale_scratch
from pyshelf.removal import symlinked_folders, unlink_link
from pyshelf.rescue import rebuild_database
from pyshelf.shelf import Shelf, open_shelf
from pyshelf.state import NewerDatabase, UnreadableDatabase, open_state


@dataclass(frozen=True)
class Finding:
    problem: str
    advice: str = ""  # what the person can do when doctor cannot
    fix: Callable[[], str] | None = None  # repairs it; returns what it did


Check = Callable[[Shelf], list[Finding]]


def check_generations(shelf: Shelf) -> list[Finding]:
    layout, state = shelf.layout, shelf.state
    if layout.gens.is_symlink():  # what lies behind it is not the shelf's: check_home_folders
        return []
    current = shelf.current_generation_id()
    findings = []
    missing = missing_generations(shelf)
    others = [g for g in missing if g != current]
    unknown = unknown_generations(shelf)

    def point_env() -> str:
        switch_to(layout, current)
        return f"pointed {layout.env} at generation {current}"

    def forget_missing() -> str:
        state.mark_collected(others)
        return f"recorded {_ids(others)} as collected (undo rebuilds them from their locks)"

    if current in missing:
        findings.append(Finding(f"the current generation {current} is missing from disk",
                                fix=lambda: _rebuild_current(shelf, current)))
    elif misplaced_env(layout, state):
        findings.append(Finding(f"{layout.env} does not point at the current generation "
                                f"{current}", fix=point_env))
    if others:
        findings.append(Finding(f"generation(s) {_ids(others)} are recorded but missing from "
                                "disk", fix=forget_missing))
    foreign = foreign_entries(shelf)
    links = [entry for entry in foreign if entry.is_symlink()]
    strays = [entry.name for entry in foreign if not entry.is_symlink()]

    def unlink_links() -> str:
        for entry in links:
            unlink_link(entry)  # the link itself, never what it points to
        return "removed the symlinks " + _names(links) + f" from {layout.gens}"

    if links:
        findings.append(Finding(f"{layout.gens} holds symlinks pyshelf did not make: "
                                + _names(links), fix=unlink_links))
    if strays:
        findings.append(Finding(
            f"{layout.gens} holds entries pyshelf did not make: " + ", ".join(strays),
            advice="pyshelf deletes only what it made; move or remove them yourself"))
    if unknown:
        findings.append(Finding(
            f"gens/{_ids(unknown)} on disk are unknown to the database (left by an "
            "interrupted change or another tool)", fix=lambda: _remove_unknown(shelf, unknown)))
    return findings


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids))


def _names(paths: list[Path]) -> str:
    return ", ".join(path.name for path in paths)


def check_home_folders(shelf: Shelf) -> list[Finding]:
    """A folder of the home replaced by a symlink: pyshelf neither writes nor deletes
    through it, so the changes that need that folder are refused until it is real again.
    Which real folder the link stands for is the person's to say, so there is no fix."""
    return [Finding(f"{folder} is a symlink; pyshelf neither writes nor deletes through it",
                    advice=f"move the folder it points to back to {folder} (or remove the "
                           "link; pyshelf makes the folder anew)")
            for folder in symlinked_folders(shelf.layout.home)]


def _rebuild_current(shelf: Shelf, gen_id: int) -> str:
    shelf.state.mark_collected([gen_id])
    record = shelf.state.generation(gen_id)
    new_id = next_generation_id(shelf.layout, shelf.state.highest_generation_id())
    build_and_switch(shelf, new_id, shelf.state.intent(gen_id), record.lock, from_gen=gen_id,
                     summary="rebuilt from the lock of a missing generation",
                     provided=provided_by_system(shelf))
    return f"rebuilt generation {gen_id} from its lock as generation {new_id}"


def _remove_unknown(shelf: Shelf, unknown: list[int]) -> str:
    for gen_id in unknown:
        move_to_trash(shelf.layout, gen_id)
    empty_trash(shelf.layout)
    return f"removed gens/{_ids(unknown)}"


def check_interpreter(shelf: Shelf) -> list[Finding]:
    health = interpreter_health(shelf, shelf.current_generation_id())
    if health.state == "ok":
        return []
    return [Finding(f"the shelf's interpreter {health.describe()}",
                    advice="run `pyshelf rebuild` (or `pyshelf rebuild --python PATH` for "
                           "another interpreter); doctor leaves the choice to you")]


def check_uv(shelf: Shelf) -> list[Finding]:
    try:
        uv = find_uv()
    except PyshelfError as exc:
        return [Finding(exc.message)]
    if not os.access(uv, os.X_OK):
        return [Finding(f"uv at {uv} cannot be run", advice="reinstall pyshelf")]
    return []


def check_outside_changes(shelf: Shelf) -> list[Finding]:
    drift = generation_drift(shelf.layout, shelf.state, shelf.current_generation_id())
    if not drift.count:
        return []
    return [Finding(f"{drift.count} package(s) changed outside pyshelf ({drift.summary(10)})",
                    advice="`pyshelf adopt` records them; otherwise the next change drops "
                           "them")]


def check_shell(shelf: Shelf) -> list[Finding]:
    shell = shell_health(shelf)
    if shell.config is None:
        return []
    if shell.problem:
        return [Finding(f"{shell.config} cannot be used ({shell.problem})",
                        advice="fix the file, or `pyshelf config set shell_config FILE`")]

    def rewrite() -> str:
        apply_shell_block(shelf, None)
        return f"wrote one pyshelf block into {shell.config}"

    findings = []
    if shell.blocks > 1:
        findings.append(Finding(f"{shell.config} has {shell.blocks} pyshelf blocks",
                                fix=rewrite))
    if shell.new_shell is None:
        findings.append(Finding(f"a new shell could not be started to check {shell.config}"))
    elif not shell.finds_shelf_python:
        found = shell.new_shell.python3 or "nothing"
        if shell.blocks == 0:
            findings.append(Finding(
                f"{shell.config} has no pyshelf block, so a new shell's python3 is {found}",
                fix=rewrite))
        else:
            findings.append(Finding(
                f"a new shell's python3 is {found}, not the shelf's: something after the "
                "pyshelf block in your startup files puts another python3 first",
                advice=f"move the pyshelf block to the end of {shell.config}"))
    bin_dir = shelf.setting("bin_dir")
    if bin_dir and shell.blocks and shell.new_shell and not shell.new_shell_has(bin_dir):
        findings.append(Finding(f"{bin_dir} is not on PATH in a new shell",
                                advice="check what your startup files do to PATH after the "
                                       f"pyshelf block in {shell.config}"))
    return findings


def check_launcher(shelf: Shelf) -> list[Finding]:
    if not shelf.setting("bin_dir"):
        return []
    launcher = shelf.path_setting("bin_dir") / "pyshelf"
    if launcher.is_file():
        return []

    def write() -> str:
        install_launcher(shelf, None)
        return f"wrote {launcher}"

    return [Finding(f"the pyshelf launcher {launcher} is missing", fix=write)]


def check_app_links(shelf: Shelf) -> list[Finding]:
    """The bin dir's links to the shelf's and isolated apps' commands, as the current
    generation and the expose setting want them."""
    if not shelf.setting("bin_dir"):
        return []
    bin_dir, layout = shelf.path_setting("bin_dir"), shelf.layout
    wanted = wanted_links(shelf)
    blocked = blocked_names(bin_dir, wanted, layout)
    missing = sorted(name for name, target in wanted.items() if name not in blocked
                     and not (is_ours(bin_dir / name, layout)
                              and (bin_dir / name).readlink() == target))
    stray = sorted(entry.name for entry in entries(bin_dir)
                   if is_ours(entry, layout) and entry.name not in wanted)
    findings = [Finding(f"{bin_dir / name} is in the way of the shelf's {name} (pyshelf did "
                        "not put it there)",
                        advice=f"`pyshelf expose {name} --command --force` replaces it")
                for name in blocked]
    if missing or stray:
        def relink() -> str:
            link_apps(shelf)
            return f"brought the links in {bin_dir} in line with the current generation"

        what = [*(f"{n} is not linked" for n in missing), *(f"{n} is left over" for n in stray)]
        findings.append(Finding(f"app links in {bin_dir}: {', '.join(what)}", fix=relink))
    return findings


def check_leftovers(shelf: Shelf) -> list[Finding]:
    layout = shelf.layout
    trash = (layout.trash.is_dir() and not layout.trash.is_symlink()
             and any(layout.trash.iterdir()))
    unused = unused_environments(layout, shelf.state.isolated_env_dirs())
    if not trash and not stale_scratch(layout) and not unused:
        return []

    def clean() -> str:
        for folder in unused:
            trash_entry(layout, folder)
        empty_trash(layout)
        remove_stale_scratch(layout)
        return ("deleted collected generations, unused isolated environments and scratch "
                "folders left behind")

    return [Finding("collected generations, unused isolated environments or scratch folders "
                    "were left behind", fix=clean)]


CHECKS: list[tuple[str, Check]] = [
    ("home folders", check_home_folders),
    ("generations", check_generations),
    ("interpreter", check_interpreter),
    ("uv", check_uv),
    ("outside changes", check_outside_changes),
    ("shell", check_shell),
    ("launcher", check_launcher),
    ("app links", check_app_links),
    ("leftovers", check_leftovers),
]


def _report(label: str, text: str) -> None:
    ui.out(f"{label:<8} {text}")


def check_database(layout: Layout, fix: bool) -> bool:
    """Open (and if asked, rebuild) the database; False if nothing more can be checked."""
    try:
        state = open_state(layout.state_db)
        damage = state.damage()
        state.close()
    except NewerDatabase as exc:
        _report("problem", exc.message)
        return False
    except UnreadableDatabase as exc:
        damage = [exc.message]
    if not damage:
        _report("ok", f"database {layout.state_db}")
        return True
    _report("problem", f"the database {layout.state_db} is damaged ({damage[0]})")
    if not fix:
        _report("", "fix: `pyshelf doctor --fix` sets it aside and rebuilds it from the "
                    "generations on disk")
        return False
    with writer_lock(layout.lock_file, ui.info):
        rebuilt = rebuild_database(layout)
        if 0 in rebuilt.restored:  # generation 0 is what `clean --keep-baseline` returns to
            state = open_state(layout.state_db)
            state.save_snapshot(BASELINE, 0, now())
            state.close()
    for moved in rebuilt.set_aside:
        _report("fixed", f"set the damaged file aside as {moved}")
    for gen_id, reason in rebuilt.skipped.items():
        _report("problem", f"gens/{gen_id} could not be restored ({reason}); it is left as "
                           "it is")
    if rebuilt.current is None:
        _report("problem", "no generation could be restored; run `pyshelf init` to start "
                           "afresh")
        return False
    _report("fixed", f"rebuilt the database from generation(s) {_ids(rebuilt.restored)}; "
                     f"generation {rebuilt.current} is current (history and snapshots "
                     "before this point are in the file set aside)")
    return True


def run(args: argparse.Namespace, layout: Layout) -> int:
    if not layout.state_db.exists():
        raise NotInitializedError(f"There is no shelf at {layout.home}; run `pyshelf init` "
                                  "first.")
    if not check_database(layout, args.fix):
        return 1
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait, warn_drift=False)
    remaining = 0
    with shelf.writing() if args.fix else nullcontext():
        for name, check in CHECKS:
            findings = check(shelf)
            if not findings:
                _report("ok", name)
            for finding in findings:
                if args.fix and finding.fix is not None:
                    _report("fixed", f"{name}: {finding.fix()}")
                    continue
                remaining += 1
                _report("problem", f"{name}: {finding.problem}")
                if finding.fix is not None:
                    _report("", "fix: `pyshelf doctor --fix` repairs this")
                elif finding.advice:
                    _report("", f"advice: {finding.advice}")
    if remaining:
        ui.out(f"{remaining} problem(s) need attention.")
        return 1
    ui.out("The shelf is healthy.")
    return 0
