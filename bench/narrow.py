"""Remove and install-one on a shelf of real packages: this pyshelf against an earlier one.

A removal no longer runs the resolver, and installing one new package resolves it against
the shelf's pins before the whole shelf; this measures what that saves, before and after,
on the same workload. Build the earlier pyshelf from another commit into a venv of its own
and name its ``pyshelf``:

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install /tmp/before
    python bench/narrow.py --before /tmp/before/.venv/bin/pyshelf

(``--after`` names this one installed the same way, from ``git archive HEAD``.)

Each pyshelf gets its own shelf of ``--packages``; ``--extra`` is installed and removed
again ``--runs`` times on each, alternating between the two so that both meet the index in
the same state, and the median counts. ``--dry-run`` rows time the resolve and plan alone;
the others include building and switching to the generation. Each ``uv pip compile`` row
sums the durations of the resolves the command above it ran; an install runs the resolve
of the new package alone (for its held-back notes) beside the others, so that sum can
exceed the time they held the command up. Both shelves share uv's cache
(warmed first), and the locks each gets for the shelf plus ``--extra`` are compared: the
narrow resolve must end where the full one does.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from core import PYSHELF, UV, Bench, settle, workload_arguments, write_report

STEPS = (
    ("install-one --dry-run", ("install", "--dry-run")),
    ("install-one", ("install", "--yes")),
    ("remove --dry-run", ("remove", "--dry-run")),
    ("remove", ("remove", "--yes")),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier pyshelf's executable")
    parser.add_argument("--after", default=PYSHELF,
                        help="the pyshelf to compare with it (default: this one); install "
                             "both alike, since an editable install run with "
                             "PYTHONDONTWRITEBYTECODE compiles every module on each start")
    workload_arguments(parser, extra="the package installed and removed", report="narrow")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)  # one HOME, one uv cache
        executables = {"before": args.before, "after": args.after}
        homes = {}
        for label, executable in executables.items():  # the first warms uv's cache for both
            bench.pyshelf = executable
            _, homes[label] = bench.pyshelf_install(tuple(args.packages))
            bench.shelf(homes[label], "install", "--yes", args.extra)
            bench.shelf(homes[label], "remove", "--yes", args.extra)
        times: dict[tuple[str, str], list[float]] = {}
        locks: dict[str, str] = {}
        for _ in range(args.runs):
            for label, executable in executables.items():
                bench.pyshelf = executable
                for name, command in STEPS:
                    took, compiling = timed(bench, homes[label], *command, args.extra)
                    times.setdefault((label, name), []).append(took)
                    times.setdefault((label, f"{name}: uv pip compile"), []).append(compiling)
                    if name == "install-one":
                        locks[label] = (homes[label] / "env" / "pyshelf-lock.txt").read_text()
        site = next((homes["after"] / "env" / "lib").glob("python*/site-packages"))
        count = sum(1 for _ in site.glob("*.dist-info"))
    write_report(render(times, count, locks["before"] == locks["after"], args), args.output,
                 "narrow")
    return 0


def timed(bench: Bench, home: Path, *args: str) -> tuple[float, float]:
    """The command's wall time, and how much of it ``uv pip compile`` took (from the
    durations ``--verbose`` prints for each uv run)."""
    start = time.perf_counter()
    done = subprocess.run([bench.pyshelf, "--home", str(home), "--verbose", *args],
                          env=bench.env, check=True, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    settle(home)
    return took, sum(float(m.group(1)) for m in _COMPILE.finditer(done.stdout + done.stderr))


_COMPILE = re.compile(r"^\+ .* pip compile .*\((\d+\.\d+) s, exit \d+\)$", re.MULTILINE)


def render(times: dict[tuple[str, str], list[float]], count: int, same_lock: bool,
           args: argparse.Namespace) -> str:
    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout
    lines = [
        f"# pyshelf remove and install-one, before and after, {date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python for the environments: {args.python}; "
        f"uv: {uv_version.strip()}.",
        f"Workload: a shelf of `{' '.join(args.packages)}` ({count} packages installed); "
        f"`{args.extra}` installed and removed, median of {args.runs} runs, warm uv cache; "
        f"index: {args.index_url or 'uv default'}.",
        f"The locks of the shelf plus {args.extra}: "
        f"{'the same' if same_lock else 'DIFFERENT'} before and after.",
        "",
        "| operation | before (s) | after (s) | after / before |",
        "|---|---:|---:|---:|",
    ]
    for step, _ in STEPS:
        for name in (step, f"{step}: uv pip compile"):
            before = statistics.median(times["before", name])
            after = statistics.median(times["after", name])
            ratio = f"{after / before:.2f}x" if before else "-"
            lines.append(f"| {name} | {before:.3f} | {after:.3f} | {ratio} |")
    lines += ["", "Command: `python bench/narrow.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
