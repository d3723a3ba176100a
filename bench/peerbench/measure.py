"""Timing the operations: one run is one fresh setup taken through every operation in turn.

Runs interleave the peers (run 1 of each, then run 2 of each), so a change in the machine's
load over the minutes of a workload falls on every peer alike and the ratios of one run
stay comparable.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from peerbench.pythons import Python
from peerbench.running import CommandFailed, progress
from peerbench.tools import Peer, Pyshelf, Settings
from peerbench.workloads import Workload

# The rows every peer has, in the order one run takes them; "disk" and "files" are what the
# install added, "install-one" and "remove-one" the workload's small package.
OPERATIONS = ("install", "list", "add", "remove", "undo", "install-one", "remove-one",
              "rebuild")
ROWS = (*OPERATIONS, "disk", "files")
# pyshelf's own rows: operations the others have no counterpart of, and the size of one
# kept generation. "packages" is how many the shelf holds with the workload and its add.
OWN_ROWS = ("packages", "role", "status", "rollback", "gc-none", "gc-one",
            "generation-disk", "generation-files")
REFERENCE = "reference"  # the column of the rebuild reference, which is not a peer
# Reporting commands take well under a second: each run times them this often, so that
# every peer has several samples, the slow ones with a single run too.
SAMPLES = 3


@dataclass(frozen=True)
class Failure:
    cell: str
    detail: str


Outcome = float | Failure
Key = tuple[str, str]  # (column, row)


class Results:
    """Every measured value by (workload, column, row), with failures and notes by cell."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.texts: dict[tuple[str, str, str], str] = {}
        self.failures: list[tuple[tuple[str, str, str], Failure]] = []

    def add(self, key: tuple[str, str, str], outcome: Outcome) -> None:
        if isinstance(outcome, Failure):
            self.texts.setdefault(key, outcome.cell)
            self.failures.append((key, outcome))
        else:
            self.values[key].append(outcome)

    def note(self, key: tuple[str, str, str], text: str) -> None:
        """Explain a cell that was not measured; the first explanation stands."""
        self.texts.setdefault(key, text)

    def number(self, key: tuple[str, str, str]) -> float | None:
        """The median of the runs, or None when the cell failed or was not measured."""
        if key in self.texts or not self.values.get(key):
            return None
        return statistics.median(self.values[key])

    def cell(self, key: tuple[str, str, str], unit: str) -> str:
        value = self.number(key)
        if value is None:
            return self.texts.get(key, "")
        return format_value(value, unit)


def format_value(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.1f}"
    if unit in ("files", "packages"):
        return f"{value:.0f}"
    return f"{value:.3f}" if value < 10 else f"{value:.2f}"


class DiskUse(NamedTuple):
    bytes: int
    files: int


def disk_use(roots: Iterable[os.PathLike[str]]) -> DiskUse:
    """Allocated blocks and non-directory paths under ``roots``, each inode's blocks once.

    Like ``du``: a file hard-linked from a cache that is already counted adds no blocks, so
    tools that link and tools that copy are told apart. Symbolic links are counted, never
    followed.
    """
    seen: set[tuple[int, int]] = set()
    blocks = files = 0
    stack = [os.fspath(root) for root in roots]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                files += 1
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                blocks += info.st_blocks
    return DiskUse(blocks * 512, files)


def attempt(peer: Peer, operation: str, action: Callable[[], object], *,
            record: bool = True) -> Outcome:
    """Time ``action`` by the wall clock, once the peer has settled; a failing command
    becomes a Failure, not an abort."""
    peer.settle()
    peer.log.clear()
    start = time.perf_counter()
    try:
        action()
    except CommandFailed as failed:
        command = " ".join(failed.command.argv)
        print(f"{peer.title}: {operation} {failed.cell}: {command}\n{failed.stderr_tail}",
              file=sys.stderr)
        return Failure(failed.cell, f"{peer.title}, {operation}: `{command}`")
    took = time.perf_counter() - start
    if record:
        peer.commands.setdefault(operation, list(peer.log))
    return took


def installed_by(peer: Peer, workload: Workload) -> tuple[str, ...]:
    return workload.apps if peer.apps_only else workload.packages


def one_run(peer: Peer, workload: Workload, new: Python | None
            ) -> list[tuple[Key, Outcome]]:
    """One pass of every operation in a fresh setup: (column, row) and what it measured,
    a row several times where it was timed several times."""
    setup = attempt(peer, "setup", peer.fresh)
    if isinstance(setup, Failure):
        return [((peer.key, row), setup) for row in ROWS]
    before = disk_use(peer.disk_roots())
    installed = attempt(peer, "install", lambda: peer.install(installed_by(peer, workload)))
    peer.settle()  # what a detached child writes after the install (bytecode) counts too
    after = disk_use(peer.disk_roots())
    outcomes: list[tuple[str, Outcome]] = [
        ("install", installed),
        ("disk", installed if isinstance(installed, Failure)
         else (after.bytes - before.bytes) / 1e6),
        ("files", installed if isinstance(installed, Failure) else after.files - before.files),
        *(("list", attempt(peer, "list", peer.list)) for _ in range(SAMPLES)),
        ("add", attempt(peer, "add", lambda: peer.add(workload.add))),
        ("remove", attempt(peer, "remove", lambda: peer.remove(workload.remove))),
        ("undo", attempt(peer, "undo", lambda: peer.undo(workload.remove))),
        ("install-one", attempt(peer, "install-one", lambda: peer.add(workload.small))),
    ]
    with_small = peer.current_generation() if isinstance(peer, Pyshelf) else None
    outcomes.append(("remove-one", attempt(peer, "remove-one",
                                           lambda: peer.remove(workload.small))))
    if isinstance(peer, Pyshelf) and with_small is not None:
        outcomes += own_operations(peer, workload, with_small)
    keyed = [((peer.key, row), value) for row, value in outcomes]
    if new is not None:
        rebuilt = attempt(peer, "rebuild", lambda: peer.rebuild(new))
        keyed.append(((peer.key, "rebuild"), rebuilt))
        if isinstance(peer, Pyshelf) and not isinstance(rebuilt, Failure):
            keyed.append(((REFERENCE, "rebuild"), attempt(
                peer, REFERENCE, lambda: peer.reference_rebuild(new))))
    return keyed


def value_of(peer: Peer, operation: str, action: Callable[[], float]) -> Outcome:
    """What ``action`` returns, or the Failure of its command."""
    values: list[float] = []
    took = attempt(peer, operation, lambda: values.append(action()), record=False)
    return took if isinstance(took, Failure) else values[0]


def own_operations(shelf: Pyshelf, workload: Workload, with_small: int
                   ) -> list[tuple[str, Outcome]]:
    """What only pyshelf does, on the shelf the other operations left: the workload, its
    add, and generation ``with_small`` holding the small package too, then one without it.

    The rollbacks go to ``with_small`` and back again, so the shelf ends as every other
    peer's setup does and the rebuild moves the same packages.
    """
    without = shelf.current_generation()
    kept = disk_use([shelf.generation_dir(without)])
    outcomes: list[tuple[str, Outcome]] = [
        ("packages", value_of(shelf, "packages", shelf.package_count)),
        ("generation-disk", kept.bytes / 1e6), ("generation-files", kept.files),
        *(("status", attempt(shelf, "status", shelf.status)) for _ in range(SAMPLES))]
    if with_small != without:  # else installing or removing the small package failed
        outcomes += [("rollback", attempt(shelf, "rollback", partial(shelf.rollback, to)))
                     for to in (with_small, without)]
    if workload.role is not None:
        role = workload.role
        outcomes.append(("role", attempt(shelf, "role", lambda: shelf.add(role))))
    return [*outcomes, *collect_one(shelf)]


def collect_one(shelf: Pyshelf) -> list[tuple[str, Outcome]]:
    """``gc`` with nothing to collect, then ``gc`` of exactly one generation.

    The automatic collection after the last change has left nothing beyond
    ``keep_generations``; one below the generations on disk that no snapshot pins (init's
    baseline pins the first) leaves the oldest of them to collect, since the current
    generation is the newest. What collecting it costs is the difference of the two.
    """
    outcomes = [("gc-none", gc_collecting(shelf, "gc-none", 0))]
    unpinned = value_of(shelf, "snapshots", lambda: len(
        shelf.generations_on_disk() - shelf.pinned_generations()))
    if isinstance(unpinned, Failure) or unpinned < 2:
        return outcomes
    setting = attempt(shelf, "keep_generations",
                      lambda: shelf.keep_generations(int(unpinned) - 1), record=False)
    return [*outcomes, ("gc-one", setting if isinstance(setting, Failure)
                        else gc_collecting(shelf, "gc-one", 1))]


def gc_collecting(shelf: Pyshelf, operation: str, expected: int) -> Outcome:
    """Time ``pyshelf gc``; one that collects other than ``expected`` generations failed."""
    before = len(shelf.generations_on_disk())
    took = attempt(shelf, operation, shelf.gc)
    gone = before - len(shelf.generations_on_disk())
    if isinstance(took, Failure) or gone == expected:
        return took
    return Failure(f"failed (collected {gone}, not {expected})",
                   f"pyshelf, {operation}: `pyshelf gc` collected {gone} generation(s)")


def measure_workload(peers: list[Peer], workload: Workload, settings: Settings, runs: int,
                     slow_runs: int, results: Results, warm_ups: int = 1) -> None:
    """Per peer: ``warm_ups`` untimed runs that fill its caches (both Pythons), then its
    timed runs (``slow_runs`` for a slow peer), interleaved with the other peers' runs."""
    taking = []
    for peer in peers:
        if peer.apps_only and not workload.apps:
            for row in ROWS:
                results.note((workload.name, peer.key, row), "n/a (apps only)")
        else:
            taking.append(peer)
    for index in range(1 - warm_ups, max(runs, slow_runs) + 1):
        for peer in taking:
            wanted = slow_runs if peer.slow else runs
            if index > wanted:
                continue
            progress(f"{workload.name}: {peer.title}, "
                     + ("warm-up" if index < 1 else f"run {index}/{wanted}"))
            outcomes = one_run(peer, workload, settings.new)
            if index < 1:
                continue
            for (column, row), outcome in outcomes:
                results.add((workload.name, column, row), outcome)
    if settings.new is None:
        for peer in taking:
            results.note((workload.name, peer.key, "rebuild"), "skipped (one Python)")
