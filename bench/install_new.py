"""Installing one package new to the shelf's store: this pyshelf against an earlier one, with
``uv tool install`` of the same package in the same run.

``bench/change_costs.py`` installs its small package again and again into one shelf, whose
store keeps the entry; here every timed install fills a new entry, as the first install of a
package does (and as ``bench/peers.py``'s fresh setups do): after each one the package is
removed and collected (``keep_generations`` is 1), so the next install fills its entry
again. Each package is measured twice: with uv's cache holding it (installed before), and
new to uv's cache too (``uv cache clean`` of it first, before pyshelf's install and before
uv tool's alike), where pyshelf's resolve within the shelf and its fill cannot be answered
from the cache. Build the earlier pyshelf as for ``bench/change_costs.py``:

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install /tmp/before
    python bench/install_new.py --before /tmp/before/.venv/bin/pyshelf

The rounds alternate between the two pyshelfs and uv tool; the median counts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from change_costs import BLOG, run
from core import PYSHELF, UV, Bench, machine_facts, write_report


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier pyshelf's executable")
    parser.add_argument("--after", default=PYSHELF, help="the pyshelf to compare with it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="the shelves' interpreter")
    parser.add_argument("--index-url")
    parser.add_argument("--extras", nargs="+", default=["cowsay", "pyjokes", "tabulate"],
                        help="small packages with a command, each new to the shelf")
    parser.add_argument("--packages", nargs="+", default=list(BLOG), help="the shelf")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        shelves = {"before": args.before, "after": args.after}
        homes = {}
        for label, executable in shelves.items():
            bench.pyshelf = executable
            _, homes[label] = bench.pyshelf_install(tuple(args.packages))
            bench.shelf(homes[label], "config", "set", "keep_generations", "1")
        tools = {**bench.env, "UV_TOOL_DIR": f"{scratch}/uv-tools",
                 "UV_TOOL_BIN_DIR": f"{scratch}/uv-bin"}
        times: dict[tuple[str, str, bool], list[float]] = {}
        for extra in args.extras:  # into uv's cache, and each shelf's cache-warm state
            for label, executable in shelves.items():
                installed_and_collected(bench, executable, homes[label], extra)
        for _ in range(args.runs):
            for extra in args.extras:
                for cold in (False, True):
                    forget(bench, extra, cold)
                    times.setdefault(("uv tool", extra, cold), []).append(
                        run(tools, UV, "tool", "install", "--no-config", "-q", "--python",
                            bench.python, *bench.index_args(), extra))
                    run(tools, UV, "tool", "uninstall", "--no-config", "-q", extra)
                    for label, executable in shelves.items():
                        forget(bench, extra, cold)
                        times.setdefault((label, extra, cold), []).append(
                            installed_and_collected(bench, executable, homes[label], extra))
    write_report(render(times, args), args.output, "install-new")
    return 0


def forget(bench: Bench, extra: str, cold: bool) -> None:
    """Where ``cold``, take ``extra`` out of uv's cache: pages, metadata and wheels."""
    if cold:
        subprocess.run([UV, "cache", "clean", extra], env=bench.env, check=True,
                       capture_output=True)


def installed_and_collected(bench: Bench, pyshelf: str, home: Path, extra: str) -> float:
    """The time ``install extra`` takes; then it is removed and its entries collected."""
    def shelf(*words: str) -> float:
        return run(bench.env, pyshelf, "--home", str(home), "-q", *words)

    took = shelf("install", "--yes", extra)
    shelf("remove", "--yes", extra)
    shelf("gc")
    return took


def render(times: dict[tuple[str, str, bool], list[float]], args: argparse.Namespace) -> str:
    def median(label: str, extra: str, cold: bool) -> float:
        return statistics.median(times[label, extra, cold])

    lines = [
        f"# Installing one package new to the store, before and after, {date.today()}",
        "",
        f"Machine: {machine_facts()}. Shelf: `{' '.join(args.packages)}`; median of "
        f"{args.runs} interleaved rounds.",
        "",
        "| package | uv's cache | before (s) | after (s) | after / before | uv tool install (s) "
        "| after / uv tool |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for extra in args.extras:
        for cold in (False, True):
            before, after = median("before", extra, cold), median("after", extra, cold)
            peer = median("uv tool", extra, cold)
            lines.append(f"| {extra} | {'lacks it' if cold else 'has it'} | {before:.3f} | "
                         f"{after:.3f} | {after / before:.2f}x | {peer:.3f} | "
                         f"{after / peer:.2f}x |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
