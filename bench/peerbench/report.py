"""The markdown report: the machine, the exact commands, a table per workload, pyshelf's own
operations, notes, and the targets last, where a reader of the printed report looks first."""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from peerbench.measure import OWN_ROWS, REFERENCE, ROWS, Results, installed_by
from peerbench.pythons import Python
from peerbench.running import Command
from peerbench.targets import targets_section
from peerbench.tools import PYSHELF, UV, Peer, Pyshelf, Settings
from peerbench.workloads import Workload

# The order the commands section lists each peer's operations in.
COMMAND_ORDER = ("setup", "install", "list", "add", "remove", "undo", "install-one",
                 "remove-one", "status", "rollback", "role", "gc-none", "gc-one", "rebuild",
                 REFERENCE)
# Which workload attribute each operation's package is, and the placeholder it gets.
PLACEHOLDERS = {"add": ("add", "$ADD"), "remove": ("remove", "$REMOVED"),
                "undo": ("remove", "$REMOVED"), "install-one": ("small", "$SMALL"),
                "remove-one": ("small", "$SMALL"), "role": ("role", "$ROLE")}


@dataclass(frozen=True)
class Run:
    """What the report describes: the run's settings and options, and what took part."""

    settings: Settings
    args: argparse.Namespace
    plan: list[tuple[Workload, list[Peer]]]
    unavailable: dict[str, str]
    versions: dict[str, str]
    load: tuple[float, float]  # the one-minute load average at the start and at the end


def system_file(path: str) -> str:
    """A file the kernel or the distribution provides, empty where this system has none."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def filesystem(path: Path) -> str:
    """The type and mount options of the filesystem holding ``path``: with ``discard`` every
    deletion waits for the device, which slows gc and every uninstall."""
    mounts = [line.split() for line in system_file("/proc/mounts").splitlines()]
    holding = [fields for fields in mounts
               if len(fields) >= 4 and path.resolve().is_relative_to(fields[1])]
    if not holding:
        return "unknown"
    _, point, kind, options, *_ = max(holding, key=lambda fields: len(fields[1]))
    return f"{kind} at {point} ({options})"


def machine_facts(run: Run) -> list[str]:
    settings = run.settings
    models = re.findall(r"^model name\s*:\s*(.+)$", system_file("/proc/cpuinfo"), re.MULTILINE)
    kib = re.search(r"^MemTotal:\s*(\d+)", system_file("/proc/meminfo"), re.MULTILINE)
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', system_file("/etc/os-release"), re.MULTILINE)
    new = settings.new
    return [
        f"- CPU: {models[0] if models else platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; load average (1 minute) {run.load[0]:.2f} at the start, "
        f"{run.load[1]:.2f} at the end",
        f"- RAM: {int(kib[1]) / 2**20:.1f} GiB" if kib else "- RAM: unknown",
        f"- OS: {pretty[1] if pretty else platform.system()}, kernel {platform.release()}",
        f"- filesystem of the scratch directory: {filesystem(settings.scratch)}",
        f"- old Python: `{settings.old.path}` ({settings.old.release})",
        f"- new Python: `{new.path}` ({new.release})" if new
        else "- new Python: none found (the rebuild row is skipped)",
        "- tools: " + ", ".join(f"{name} {version.removeprefix(name).strip()}"
                                for name, version in run.versions.items()),
        f"- index: {settings.index_url or 'each tool default'}",
        "- command: `python bench/peers.py " + " ".join(sys.argv[1:]) + "`",
    ]


def row_label(row: str, workload: Workload, new: Python | None) -> str:
    return {
        "install": "install into an empty setup (s)",
        "list": "list (s)",
        "add": f"add {workload.add} (s)",
        "remove": f"remove {workload.remove} (s)",
        "undo": f"undo the removal of {workload.remove} (s)",
        "install-one": f"install one new small package, {workload.small} (s)",
        "remove-one": f"remove {workload.small} again (s)",
        "rebuild": f"rebuild for Python {new.minor if new else 'NEW'} (s)",
        "disk": "disk added by install (MB)",
        "files": "files added by install",
        "packages": "packages on the shelf (the workload and its add)",
        "role": "install a package already there as a dependency: its role changes (s)",
        "status": "status (s)",
        "rollback": "rollback to a generation on disk (s)",
        "gc-none": "gc, nothing to collect (s)",
        "gc-one": "gc of one generation (s)",
        "generation-disk": "one kept generation on disk, as du counts its folder (MB)",
        "generation-files": "one kept generation: files and links in its folder",
    }[row]


def row_unit(row: str) -> str:
    return {"disk": "MB", "generation-disk": "MB", "files": "files",
            "generation-files": "files", "packages": "packages"}.get(row, "s")


def ratio(ours: float | None, others: Iterable[float | None]) -> str:
    measured = [value for value in others if value is not None]
    if ours is None or not measured or min(measured) <= 0:
        return ""
    return f"{ours / min(measured):.2f}x"


def describe(command: Command, peer: Peer, operation: str,
             workload: Workload | None) -> str:
    """A command with the run's paths and the workload's names as placeholders."""
    settings = peer.settings
    replacements = [(str(python.path), name) for python, name
                    in ((settings.new, "$NEW"), (settings.old, "$OLD")) if python]
    replacements += [(f"{peer.tool_bin}/", ""), (f"{PYSHELF.parent}/", ""),
                     (f"{UV.parent}/", ""), (str(command.cwd), "$HOME"),
                     (str(peer.area), "$AREA")]
    words = []
    for word in command.argv:
        for text, placeholder in replacements:
            word = word.replace(text, placeholder)
        words.append(word)
    if workload is not None:
        words = name_packages(words, operation, workload, installed_by(peer, workload))
    line = " ".join(words)
    if command.stdout_to is not None:
        target = Command((str(command.stdout_to),), command.cwd)
        line += f" > {describe(target, peer, operation, None)}"
    return f"{line}  # answers its questions" if command.answers else line


def name_packages(words: list[str], operation: str, workload: Workload,
                  installed: tuple[str, ...]) -> list[str]:
    if operation == "rollback":
        return [*words[:-1], "$GEN"]
    if operation in PLACEHOLDERS:
        attribute, placeholder = PLACEHOLDERS[operation]
        name = getattr(workload, attribute)
        return [placeholder if word == name else word for word in words]
    if operation != "install":
        return words
    count = len(installed)
    for start in range(len(words) - count + 1):
        if tuple(words[start:start + count]) == installed:
            return [*words[:start], "$PKGS", *words[start + count:]]
    return ["$PKG" if word in installed else word for word in words]


def commands_text(commands: list[Command], peer: Peer, operation: str,
                  workload: Workload | None) -> str:
    """The commands of one operation, each once (uv tool runs one per package)."""
    described = dict.fromkeys(describe(c, peer, operation, workload) for c in commands)
    return " ; ".join(f"`{text}`" for text in described) or "(nothing)"


def command_lines(peer: Peer, workload: Workload | None) -> list[str]:
    lines = [f"**{peer.title}**", ""]
    extra = peer.tool_environment()
    if extra:
        names = " ".join(f"{key}={value}" for key, value in extra.items())
        lines.append(f"- environment: `{describe(Command((names,), peer.home), peer, '', None)}`")
    for operation in COMMAND_ORDER:
        if operation in peer.commands:
            text = commands_text(peer.commands[operation], peer, operation, workload)
            title = "rebuild reference (not a peer)" if operation == REFERENCE else operation
            lines.append(f"- {title}: {text}")
    return [*lines, ""]


def workload_table(workload: Workload, peers: list[Peer], results: Results,
                   new: Python | None) -> list[str]:
    columns = [peer.key for peer in peers]
    titles = [peer.title for peer in peers]
    if any(isinstance(peer, Pyshelf) for peer in peers):
        columns.append(REFERENCE)
        titles.append("uv venv + uv pip sync (reference)")
    count = results.number((workload.name, Pyshelf.key, "packages"))
    apps = ("" if workload.apps in (workload.packages, ()) else
            f" pipx and uv tool install its apps only: `{' '.join(workload.apps)}`.")
    lines = [f"## Workload: {workload.name}", "",
             f"`{' '.join(workload.packages)}`"
             + (f" ({count:.0f} packages on pyshelf's shelf)" if count else "")
             + f"; add `{workload.add}`, remove `{workload.remove}`, install and remove "
             f"`{workload.small}`.{apps}", "",
             "| operation | " + " | ".join(titles) + " | pyshelf / best peer |",
             "|---|" + "---:|" * (len(columns) + 1)]
    for row in ROWS:
        unit = row_unit(row)
        cells = [results.cell((workload.name, column, row), unit) for column in columns]
        others = [results.number((workload.name, peer.key, row)) for peer in peers
                  if not isinstance(peer, Pyshelf)]
        best = ratio(results.number((workload.name, Pyshelf.key, row)), others)
        lines.append(f"| {row_label(row, workload, new)} | " + " | ".join(cells)
                     + f" | {best} |")
    return [*lines, ""]


def own_table(workloads: list[Workload], results: Results, new: Python | None) -> list[str]:
    """pyshelf's operations that have no counterpart, one column per workload."""
    if not workloads:
        return []
    lines = ["## pyshelf's own operations", "",
             "On each workload's shelf after the rows above (before the rebuild): "
             + "; ".join(f"{w.name}: role change `install {w.role}`" if w.role
                         else f"{w.name}: no role change" for w in workloads)
             + ". The rollbacks go to the generation that held the small package and back; "
             "gc runs once with nothing to collect, then once `keep_generations` is one below "
             "the generations on disk, collecting the oldest.", "",
             "| operation | " + " | ".join(w.name for w in workloads) + " |",
             "|---|" + "---:|" * len(workloads)]
    for row in OWN_ROWS:
        cells = [results.cell((w.name, Pyshelf.key, row), row_unit(row)) for w in workloads]
        lines.append(f"| {row_label(row, workloads[0], new)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def intro(run: Run) -> list[str]:
    args = run.args
    return [
        f"# pyshelf against its peers, {date.today()}", "", "## Machine", "",
        *machine_facts(run), "",
        f"Median of {args.runs} timed run(s) per peer and workload ({args.slow_runs} for the "
        "peers driven by pip: pipx (pip), py-trkpac, venv + pip), each in a fresh setup, "
        f"after {args.warm_ups} untimed warm-up run(s) that fill the peer's caches for both "
        "Pythons; the runs of the peers interleave. list and status are timed three times "
        "in each run. Wall clock, in seconds. Disk: bytes in allocated blocks added by the "
        "install step, each inode once, over the peer's whole area (caches included), in MB "
        "of 10^6 bytes; files: non-directory paths added.", "",
        "## Commands", "",
        "Each run gets a fresh `$HOME`; each peer's pip and uv caches "
        "(`PIP_CACHE_DIR=$AREA/pip-cache`, `UV_CACHE_DIR=$AREA/uv-cache`) and its tool live "
        "in its area `$AREA` and are shared by its runs. `$OLD`/`$NEW`: the two Pythons; "
        "`$PKGS`: the workload's packages (for pipx and uv tool its apps), `$PKG`: each of "
        "them in turn; `$ADD`: the package added; `$REMOVED`: the package removed and "
        "brought back by undo; `$SMALL`: the small package installed and removed; `$ROLE`: "
        "the dependency installed as a change of role; `$GEN`: a generation.", ""]


def notes(run: Run, failures: list[tuple[str, str, str]]) -> list[str]:
    peers = list(dict.fromkeys(peer for _, taking in run.plan for peer in taking))
    lines = ["## Notes", ""]
    lines += [f"- {title} did not take part: {reason}"
              for title, reason in run.unavailable.items()]
    if any(not workload.apps for workload, _ in run.plan):
        apps_only = ", ".join(peer.title for peer in peers if peer.apps_only)
        if apps_only:
            lines.append(f"- {apps_only} install apps only: on a workload of libraries their "
                         "cells read n/a (apps only).")
    lines += [f"- {note}" for note in dict.fromkeys(n for peer in peers for n in peer.notes())]
    if any(isinstance(peer, Pyshelf) for peer in peers):
        lines.append("- the rebuild reference is not a peer: `uv venv` on the new Python and "
                     "`uv pip sync` of the lock pyshelf's rebuild wrote, with pyshelf's uv "
                     "cache.")
    if failures:
        lines += ["", f"{len(failures)} command(s) failed; each failed cell says so "
                      "(stderr was printed while the benchmark ran):", ""]
        lines += [f"- {workload}: {detail}: {cell}" for workload, detail, cell in failures]
    return [*lines, ""]


def render(run: Run, results: Results) -> str:
    peers = list(dict.fromkeys(peer for _, taking in run.plan for peer in taking))
    first = {peer.key: next((w for w, taking in run.plan if peer in taking and
                             (w.apps or not peer.apps_only)), None) for peer in peers}
    lines = intro(run)
    for peer in peers:
        lines += command_lines(peer, first[peer.key])
    for workload, taking in run.plan:
        lines += workload_table(workload, taking, results, run.settings.new)
    lines += own_table([w for w, taking in run.plan
                        if any(isinstance(p, Pyshelf) for p in taking)],
                       results, run.settings.new)
    failures = list(dict.fromkeys((workload, failure.detail, failure.cell)
                                  for (workload, _, _), failure in results.failures))
    lines += notes(run, failures)
    names = [workload.name for workload, _ in run.plan]
    lines += targets_section(results, small="custom" if "custom" in names else "blog",
                             big="big")
    return "\n".join(lines)
