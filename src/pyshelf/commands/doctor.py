"""``pyshelf doctor [--fix]``: check everything that can go wrong, and repair what is safe.

Safe means nothing the person chose is changed: a missing block or launcher is written back,
unknown leftovers are removed, a broken ``env`` is pointed (or rebuilt) back at the current
generation, and a damaged database is set aside (never deleted) and rebuilt from the
generations on disk. Moving to another Python or adopting outside changes are choices, so
doctor names the command and leaves them to the person.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import BASELINE, Command, open_from
from pyshelf.core.clock import now
from pyshelf.errors import NotInitializedError, PyshelfError
from pyshelf.layout import Layout, entries

if TYPE_CHECKING:
    import argparse

    from pyshelf.health import ShellHealth
    from pyshelf.shelf import Shelf


@dataclass(frozen=True)
class Finding:
    problem: str
    advice: str = ""  # what the person can do when doctor cannot
    fix: Callable[[], str] | None = None  # repairs it; returns what it did


Check = Callable[["Shelf"], list[Finding]]


def check_generations(shelf: Shelf) -> list[Finding]:
    from pyshelf.generations.folders import switch_to
    from pyshelf.generations.recovery import misplaced_env
    from pyshelf.health import foreign_entries, missing_generations, unknown_generations
    from pyshelf.removal import unlink_link

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
        problem = (f"{layout.env} is missing" if not os.path.lexists(layout.env)
                   else f"{layout.env} does not point at the current generation {current}")
        findings.append(Finding(problem, fix=point_env))
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
    from pyshelf.removal import symlinked_folders

    return [Finding(f"{folder} is a symlink; pyshelf neither writes nor deletes through it",
                    advice=f"move the folder it points to back to {folder} (or remove the "
                           "link; pyshelf makes the folder anew)")
            for folder in symlinked_folders(shelf.layout.home)]


def _rebuild_current(shelf: Shelf, gen_id: int) -> str:
    shelf.state.mark_collected([gen_id])
    return (f"rebuilt generation {gen_id} from its lock as generation "
            f"{_build_from_lock(shelf, gen_id, 'rebuilt from the lock of a missing generation')}")


def _build_from_lock(shelf: Shelf, gen_id: int, summary: str) -> int:
    """Build ``gen_id``'s lock and intent as a new generation, filling what the store
    lacks, and make it current; its number."""
    from pyshelf.change.pipeline import build_and_switch, provided_by_system
    from pyshelf.generations.folders import next_generation_id

    record = shelf.state.generation(gen_id)
    new_id = next_generation_id(shelf.layout, shelf.state.highest_generation_id())
    build_and_switch(shelf, new_id, shelf.state.intent(gen_id), record.lock, from_gen=gen_id,
                     summary=summary, provided=provided_by_system(shelf))
    return new_id


def _remove_unknown(shelf: Shelf, unknown: list[int]) -> str:
    from pyshelf.generations.folders import empty_trash, move_to_trash

    for gen_id in unknown:
        move_to_trash(shelf.layout, gen_id)
    empty_trash(shelf.layout)
    return f"removed gens/{_ids(unknown)}"


def check_interpreter(shelf: Shelf) -> list[Finding]:
    from pyshelf.health import interpreter_health

    health = interpreter_health(shelf, shelf.current_generation_id())
    if health.state == "ok":
        return []
    return [Finding(f"the shelf's interpreter {health.describe()}",
                    advice="run `pyshelf rebuild` (or `pyshelf rebuild --python PATH` for "
                           "another interpreter); doctor leaves the choice to you")]


def check_uv(shelf: Shelf) -> list[Finding]:
    from pyshelf.engine.processes import find_uv

    try:
        uv = find_uv()
    except PyshelfError as exc:
        return [Finding(exc.message)]
    if not os.access(uv, os.X_OK):
        return [Finding(f"uv at {uv} cannot be run", advice="reinstall pyshelf")]
    return []


def check_outside_changes(shelf: Shelf) -> list[Finding]:
    from pyshelf.venv.drift import generation_drift

    drift = generation_drift(shelf.layout, shelf.state, shelf.current_generation_id())
    if not drift.count:
        return []
    return [Finding(f"{drift.count} package(s) changed outside pyshelf ({drift.summary(10)})",
                    advice="`pyshelf adopt` records them; otherwise the next change drops "
                           "them")]


def check_manifest(shelf: Shelf) -> list[Finding]:
    """shelf.toml against the shelf. A missing or stale file is pyshelf's own to write
    again; an edit not yet synced is the person's choice, so only ``sync`` applies it."""
    from pyshelf.manifest.files import file_state, shelf_manifest, write_back

    found = file_state(shelf)
    if found.state == "in-step":
        return []

    def rewrite() -> str:
        write_back(shelf, None, shelf_manifest(shelf, shelf.current_generation_id()),
                   lock=True)
        return f"wrote {found.path} for the current generation"

    fix = rewrite if found.state in ("missing", "behind") else None
    return [Finding(found.problem, advice=found.advice, fix=fix)]


def check_shell(shelf: Shelf) -> list[Finding]:
    """What a new shell gets from the block: the bin dir on PATH and, with the whole shelf
    exposed, the shelf's python3 first. With apps exposed the system's python3 stays first on
    purpose, so only the bin dir is checked here (the links in it: check_app_links)."""
    from pyshelf.health import shell_health

    shell = shell_health(shelf)
    if shell.config is None:
        return []
    if not shell.managed:
        return _reachability(shelf, shell)
    if shell.problem:
        return [Finding(f"{shell.config} cannot be used ({shell.problem})",
                        advice="fix the file, or `pyshelf config set shell_config FILE`")]
    findings = []
    if shell.blocks > 1:
        findings.append(Finding(f"{shell.config} has {shell.blocks} pyshelf blocks",
                                fix=_block_writer(shelf, shell.config)))
    if shell.new_shell is None:
        findings.append(Finding(f"a new shell could not be started to check {shell.config}"))
    else:
        findings.extend(_new_shell_findings(shelf, shell, shell.config))
    return findings


def _block_writer(shelf: Shelf, config: Path) -> Callable[[], str]:
    from pyshelf.host.shell_setup import apply_shell_block

    def rewrite() -> str:
        apply_shell_block(shelf, None)
        return f"wrote one pyshelf block into {config}"

    return rewrite


def _new_shell_findings(shelf: Shelf, shell: ShellHealth, config: Path) -> list[Finding]:
    """What a new shell lacks, named by its cause with the remedy that cures it: a config the
    shell never reads needs another config (writing or moving the block inside it changes
    nothing), a missing block is written back, and only a block that runs and is undone
    later in the startup files calls for moving it."""
    from pyshelf.host.shell_block import default_config_path

    lacking, wrong_python3 = _what_new_shell_lacks(shelf, shell)
    skipped = shell.skipped_because() if lacking else None
    if skipped:
        right = default_config_path(shell.kind, Path.home(), os.environ)
        return [Finding(f"a new interactive {shell.kind} does not read {config}, so its PATH "
                        f"lacks {_listed(lacking)} ({skipped})",
                        advice=f"`pyshelf config set shell_config {_as_typed(right)}` moves "
                               "the block into the file it reads")]
    if not lacking and not wrong_python3:
        return []
    seen = _seen(shell, lacking)
    if shell.blocks == 0:
        return [Finding(f"{config} has no pyshelf block, so a new shell's {seen}",
                        fix=_block_writer(shelf, config))]
    if lacking:
        return [Finding(f"a new shell's {seen} although {config} has the pyshelf block",
                        advice="check what your startup files do to PATH after the pyshelf "
                               f"block in {config}")]
    return [Finding(f"a new shell's {seen}, not the shelf's: something after the pyshelf "
                    "block in your startup files puts another python3 first",
                    advice=f"move the pyshelf block to the end of {config}")]


def _what_new_shell_lacks(shelf: Shelf, shell: ShellHealth) -> tuple[list[Path], bool]:
    """The folders a new shell's PATH lacks, and whether (having them all) its python3 is
    not the shelf's although it should be."""
    from pyshelf.apps.bin_links import block_dirs, exposes_apps
    from pyshelf.health import env_in_place

    lacking = [folder for folder in block_dirs(shelf) if not shell.new_shell_has(folder)]
    # With apps exposed the system's python3 staying first is the point; and while env does
    # not lead to the current generation, the generations check names why python3 is not
    # the shelf's.
    wrong_python3 = (not lacking and not exposes_apps(shelf) and env_in_place(shelf)
                     and not shell.finds_shelf_python)
    return lacking, wrong_python3


def _seen(shell: ShellHealth, lacking: list[Path]) -> str:
    found = shell.new_shell.python3 if shell.new_shell else None
    return f"PATH lacks {_listed(lacking)}" if lacking else f"python3 is {found or 'nothing'}"


def _reachability(shelf: Shelf, shell: ShellHealth) -> list[Finding]:
    """With ``modify_shell`` off the block is not pyshelf's to write, so whether it exists
    says nothing: what counts is whether a new shell reaches the shelf, by whatever line
    the person put where. Only they can change that, so there is no fix."""
    if shell.new_shell is None:
        return [Finding(f"a new {shell.kind} could not be started to check that it reaches "
                        "the shelf")]
    lacking, wrong_python3 = _what_new_shell_lacks(shelf, shell)
    if not lacking and not wrong_python3:
        return []
    return [Finding(f"a new shell's {_seen(shell, lacking)}, and pyshelf leaves the shell "
                    "configuration to you (modify_shell = false)",
                    advice="add the lines `pyshelf init` prints to a file your shell reads, "
                           "or `pyshelf config set modify_shell true` to have pyshelf write "
                           f"them into {shell.config}")]


def _listed(paths: list[Path]) -> str:
    return ", ".join(map(str, paths))


def _as_typed(path: Path) -> str:
    """``path`` as the person would type it in a shell: ``~/`` for a file in the home."""
    try:
        return "~/" + shlex.quote(str(path.relative_to(Path.home())))
    except ValueError:
        return shlex.quote(str(path))


def check_launcher(shelf: Shelf) -> list[Finding]:
    """pyshelf's own launcher in the bin dir. A link of pyshelf's in its place (to a package's
    command called ``pyshelf``) would run that package instead of pyshelf, so the launcher is
    written back over it; a ``pyshelf`` another installer put there is left alone."""
    from pyshelf.apps.bin_links import is_ours
    from pyshelf.host.shell_setup import install_launcher
    from pyshelf.layout import launcher_path
    from pyshelf.removal import unlink_link

    if not shelf.setting("bin_dir"):
        return []
    launcher, layout = launcher_path(shelf.path_setting("bin_dir")), shelf.layout
    if is_ours(launcher, layout):
        problem = f"{launcher} is a link to a package's command, not pyshelf's launcher"
    elif launcher.is_symlink() and not launcher.exists():
        return [Finding(f"{launcher} is a symlink to {launcher.readlink()}, which does not "
                        "exist", advice="remove it; `pyshelf doctor --fix` then writes the "
                                        "launcher")]
    elif os.path.lexists(launcher):
        return []
    else:
        problem = f"the pyshelf launcher {launcher} is missing"

    def write() -> str:
        if is_ours(launcher, layout):
            unlink_link(launcher)  # the link alone; the package's command stays in the shelf
        install_launcher(shelf, None)
        return f"wrote {launcher}"

    return [Finding(problem, fix=write)]


def check_app_links(shelf: Shelf) -> list[Finding]:
    """The bin dir's links to the shelf's and isolated apps' commands, as the current
    generation and the expose setting want them, and whether each leads to a command that
    runs: with apps exposed, they are all of the shelf a new shell reaches."""
    from pyshelf.apps.bin_links import blocked_names, is_ours, link_apps, wanted_links
    from pyshelf.layout import LAUNCHER

    if not shelf.setting("bin_dir"):
        return []
    bin_dir, layout = shelf.path_setting("bin_dir"), shelf.layout
    wanted = wanted_links(shelf)
    blocked = blocked_names(bin_dir, wanted, layout)
    linked = {name: target for name, target in wanted.items()
              if is_ours(bin_dir / name, layout) and (bin_dir / name).readlink() == target}
    missing = sorted(set(wanted) - set(blocked) - set(linked))
    stray = sorted(entry.name for entry in entries(bin_dir)  # the launcher's: check_launcher
                   if is_ours(entry, layout) and entry.name not in wanted
                   and entry.name != LAUNCHER)
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
    return findings + _unrunnable_links(shelf, bin_dir, linked)


def _unrunnable_links(shelf: Shelf, bin_dir: Path, linked: dict[str, Path]) -> list[Finding]:
    """Links in place whose command cannot be run (gone from the generation, or no longer
    executable). Said only while ``env`` leads to the current generation, and never of the
    shelf's python: the generations and interpreter checks name those causes."""
    from pyshelf.apps.bin_links import PYTHON_LINK
    from pyshelf.health import env_in_place

    if not env_in_place(shelf):
        return []
    broken = [f"{bin_dir / name} leads to {target}, which cannot be run"
              for name, target in sorted(linked.items())
              if name != PYTHON_LINK and not os.access(bin_dir / name, os.X_OK)]
    if not broken:
        return []
    return [Finding("; ".join(broken),
                    advice="`pyshelf rebuild` builds the shelf's commands anew")]


def _current_environments(shelf: Shelf) -> list[Path]:
    """The current generation and its isolated apps' environments, those on disk."""
    layout, current = shelf.layout, shelf.current_generation_id()
    venvs = [layout.gen_dir(current),
             *(layout.isolated / app.env_dir for app in shelf.state.isolated(current))]
    return [venv for venv in venvs if venv.is_dir() and not venv.is_symlink()]


def check_store(shelf: Shelf) -> list[Finding]:
    """Every link of the current generation leads to a file: a missing entry is refilled by
    a rebuild (the store lacks it); a damaged one (a file gone) must leave the store first,
    or the rebuild would link it again. Then what the store holds that nothing uses."""
    from pyshelf.package_store.compose import read_composition
    from pyshelf.package_store.verify import broken_links, entry_behind

    store = shelf.layout.store
    missing: set[str] = set()
    damaged: set[str] = set()
    for venv in _current_environments(shelf):
        composition = read_composition(venv)
        if composition is None:  # installed whole, the old way: it links nothing
            continue
        missing.update(name for name in composition.entries if not (store / name).is_dir())
        for link in broken_links(venv):
            name = entry_behind(link, store)
            if name is not None:
                (damaged if (store / name).is_dir() else missing).add(name)
    findings = []
    if missing:
        findings.append(Finding(
            f"the current generation links to store entries that are missing: "
            f"{', '.join(sorted(missing))}",
            advice="`pyshelf rebuild` installs them again", fix=_refiller(shelf, [])))
    if damaged:
        findings.append(_damaged_finding(shelf, sorted(damaged), "lack files the current "
                                                                 "generation links to"))
    return findings + _store_leftovers(shelf)


def _damaged_finding(shelf: Shelf, damaged: list[str], what: str) -> Finding:
    return Finding(f"store entries {what}: {', '.join(damaged)}",
                   advice="move the damaged entries out of "
                          f"{shelf.layout.store}, then run `pyshelf rebuild`",
                   fix=_refiller(shelf, damaged))


def _refiller(shelf: Shelf, damaged: list[str]) -> Callable[[], str]:
    """Move ``damaged`` entries to the trash and rebuild the current generation, which
    fills every entry the store lacks."""
    def refill() -> str:
        from pyshelf.generations.folders import empty_trash, trash_entry
        from pyshelf.package_store.entries import thaw

        for name in damaged:
            thaw(shelf.layout.store / name)
            trash_entry(shelf.layout, shelf.layout.store / name)
        shelf.state.forget_store_entries(damaged)
        empty_trash(shelf.layout)
        current = shelf.current_generation_id()
        new_id = _build_from_lock(shelf, current, "rebuilt to refill the package store")
        gone = f"moved {', '.join(damaged)} to the trash and " if damaged else ""
        return f"{gone}rebuilt generation {current} as generation {new_id}, refilling the store"

    return refill


def _store_leftovers(shelf: Shelf) -> list[Finding]:
    from pyshelf.generations.folders import empty_trash, trash_entry
    from pyshelf.generations.recovery import remove_stale_scratch, stale_entries
    from pyshelf.package_store.entries import thaw
    from pyshelf.package_store.in_use import unused_entries

    layout = shelf.layout
    unused, unfinished = unused_entries(layout), stale_entries(layout)

    def collect_unused() -> str:
        for entry in unused:
            if not entry.is_dir():  # a rebuild before this fix collected it already
                continue
            thaw(entry)
            trash_entry(layout, entry)
        shelf.state.forget_store_entries(entry.name for entry in unused)
        empty_trash(layout)
        return f"removed the unused store entries {_names(unused)}"

    def sweep() -> str:
        remove_stale_scratch(layout)
        return f"removed the half-filled store entries {_names(unfinished)}"

    findings = []
    if unused:
        findings.append(Finding(f"store entries no generation on disk uses: {_names(unused)}",
                                advice="`pyshelf gc` removes them", fix=collect_unused))
    if unfinished:
        findings.append(Finding("half-filled store entries left by an interrupted change: "
                                + _names(unfinished), fix=sweep))
    return findings


def check_store_files(shelf: Shelf) -> list[Finding]:
    """``--deep``: every file of every entry the current generation uses, read and compared
    with its ``RECORD`` hash."""
    from pyshelf.package_store.compose import entries_of
    from pyshelf.package_store.verify import damaged_files

    entries = {entry.path.name: entry for venv in _current_environments(shelf)
               for entry in entries_of(venv, shelf.layout.store).values()}
    damaged = {name: files for name, entry in sorted(entries.items())
               if (files := damaged_files(entry))}
    if not damaged:
        return []
    details = "; ".join(f"{entries[name].name} {entries[name].version} ({name}): "
                        f"{', '.join(files[:5])}" + (f" and {len(files) - 5} more"
                                                     if files[5:] else "")
                        for name, files in damaged.items())
    return [_damaged_finding(shelf, list(damaged),
                             f"hold files that differ from their RECORD ({details})")]


def check_leftovers(shelf: Shelf) -> list[Finding]:
    from pyshelf.generations.folders import empty_trash, trash_entry, unused_environments
    from pyshelf.generations.recovery import remove_stale_scratch, stale_work

    layout = shelf.layout
    trash = (layout.trash.is_dir() and not layout.trash.is_symlink()
             and any(layout.trash.iterdir()))
    unused = unused_environments(layout, shelf.state.isolated_env_dirs())
    if not trash and not stale_work(layout) and not unused:
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
    ("store", check_store),
    ("outside changes", check_outside_changes),
    ("manifest", check_manifest),
    ("shell", check_shell),
    ("launcher", check_launcher),
    ("app links", check_app_links),
    ("leftovers", check_leftovers),
]


def _report(label: str, text: str) -> None:
    ui.out(f"{label:<8} {text}")


def check_database(layout: Layout, fix: bool, verbose: bool = False) -> bool:
    """Open (and if asked, rebuild) the database; False if nothing more can be checked.
    Only a file that opens and fails SQLite's check, or is no pyshelf database, is set
    aside: one this user may not open or write is sound, so it is named and left alone."""
    from pyshelf.store.database import InaccessibleDatabase, NewerDatabase

    try:
        problem, findings = _database_problem(layout)
    except (NewerDatabase, InaccessibleDatabase) as exc:
        _report("problem", exc.message)
        return False
    if problem is None:
        return _check_database_access(layout)
    hint = "; `pyshelf doctor -v` lists them all" if findings[1:] and not verbose else ""
    _report("problem", f"the database {layout.state_db} {problem}{hint}")
    for finding in findings if verbose else []:
        _report("", finding)
    if not fix:
        _report("", "fix: `pyshelf doctor --fix` sets it aside and rebuilds it from the "
                    "generations on disk")
        return False
    return _rebuild_database(layout)


def _check_database_access(layout: Layout) -> bool:
    """A sound database this user may read but not write (a read-only file or folder):
    every change would fail, so it is a problem, and one only the person can repair."""
    from pyshelf.store.database import access_problem

    unwritable = access_problem(layout.state_db)
    if unwritable:
        _report("problem", f"the database {layout.state_db} cannot be written: {unwritable}")
        _report("", "advice: give your user write access back; doctor leaves it as it is")
        return False
    _report("ok", f"database {layout.state_db}")
    return True


def _database_problem(layout: Layout) -> tuple[str | None, list[str]]:
    """What is wrong with the database file in one line (None if nothing), and everything
    SQLite's quick check found, which can run to pages."""
    from pyshelf.store.database import UnreadableDatabase, open_state

    try:
        state = open_state(layout.state_db)
    except UnreadableDatabase as exc:
        return exc.reason, []
    try:
        damage = state.damage()
    finally:
        state.close()
    if not damage:
        return None, []
    more = f", and {len(damage) - 1} more" if damage[1:] else ""
    return f"is damaged ({damage[0]}{more})", damage


def _rebuild_database(layout: Layout) -> bool:
    """Set the damaged database aside and write a new one from the generations on disk."""
    from pyshelf.store.database import open_state
    from pyshelf.store.generation_records import rebuild_database
    from pyshelf.store.writer_lock import writer_lock

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
    from pyshelf.removal import symlinked_folders

    if not layout.state_db.exists():
        raise NotInitializedError(f"There is no shelf at {layout.home}; run `pyshelf init` "
                                  "first.")
    if not check_database(layout, args.fix, args.verbose):
        return 1
    # Plain doctor changes nothing, so it skips the cleanup every other command does on
    # opening; what that cleanup would repair, the checks report (--fix does it first).
    shelf = open_from(args, layout, warn_drift=False,
                       recover=False)
    planted = symlinked_folders(layout.home)
    fix = args.fix and not planted
    if args.fix and planted:  # every repair would write or delete through the link
        ui.warn(f"Nothing is repaired while {planted[0]} is a symlink; the checks say what "
                "is wrong.")
    remaining = 0
    with shelf.writing() if fix else nullcontext():
        for name, check in [*CHECKS, *([("store files", check_store_files)]
                                        if args.deep else [])]:
            findings = check(shelf)
            if not findings:
                _report("ok", name)
            for finding in findings:
                if fix and finding.fix is not None:
                    _report("fixed", f"{name}: {finding.fix()}")
                    continue
                remaining += 1
                _report("problem", f"{name}: {finding.problem}")
                if finding.fix is not None:
                    _report("", "fix: `pyshelf doctor --fix` repairs this")
                if finding.advice:
                    _report("", f"advice: {finding.advice}")
    if remaining:
        ui.out(f"{remaining} problem(s) need attention.")
        return 1
    ui.out("The shelf is healthy.")
    return 0


def _doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fix", action="store_true", help="repair what can be repaired "
                                                           "safely")
    parser.add_argument("--deep", action="store_true",
                        help="also read every file the current generation uses from the "
                             "package store and check it against its RECORD hash")


COMMANDS = (
    Command(
        name="doctor",
        help="check everything that can go wrong, and repair it with --fix",
        examples="""examples:
  pyshelf doctor                  # check everything, change nothing
  pyshelf doctor --fix            # repair what can be repaired safely
  pyshelf doctor --deep           # also check every store file against its RECORD hash""",
        run=run,
        arguments=_doctor_arguments,
    ),
)
