"""The shelf's PEP 751 lock alone: one uv run over every pin against the lock put together
from the tables the store entries keep.

Every change writes ``pylock.shelf.toml``. It used to be one ``uv pip compile --format
pylock.toml`` of all the generation's pins (uv's cache first), so its cost grew with the
shelf; now each entry keeps its package's table from when it was filled and the lock is
put together without uv. This builds a shelf of ``--packages`` with this pyshelf, then
times both ways of making its lock in this process, alternating them ``--runs`` times
(medians), and checks that the two locks say the same (parsed, ``created-by`` aside).

    python bench/lock.py --packages black flake8 isort mypy 'python-lsp-server[all]' sqlfluff
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core import UV, Bench, workload_arguments, write_report

from pyshelf.core.lockfile import load_toml


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    workload_arguments(parser, extra=None, report="lock")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        _, home = bench.pyshelf_install(tuple(args.packages))
        os.environ.clear()
        os.environ.update(bench.env)
        times, count, same = measure(home, args.runs)
    write_report(render(times, count, same, args), args.output, "lock")
    return 0


def measure(home: Path, runs: int) -> tuple[dict[str, list[float]], int, bool]:
    from pyshelf.change.resolve import pylock
    from pyshelf.core.pylock import pylock_tool_table
    from pyshelf.layout import Layout
    from pyshelf.manifest.lock import pylock_of
    from pyshelf.shelf import open_shelf

    shelf = open_shelf(Layout(home))
    gen_id = shelf.current_generation_id()

    def every_pin() -> str:  # what the lock step ran before the entries kept tables
        record = shelf.state.generation(gen_id)
        return pylock(shelf.engine, shelf.layout, record.lock.packages.values(),
                      shelf.python, label="bench-lock", prefer_cache=True, quiet=True
                      ) + pylock_tool_table(shelf.state.intent(gen_id),
                                            shelf.state.isolated(gen_id))

    def assembled() -> str:
        return pylock_of(shelf, gen_id, label="bench-lock", prefer_cache=True, quiet=True)

    ways: dict[str, Callable[[], str]] = {"uv pip compile of every pin": every_pin,
                                          "put together from the entries": assembled}
    times: dict[str, list[float]] = {}
    texts: dict[str, str] = {}
    for _ in range(runs):
        for name, way in ways.items():
            start = time.perf_counter()
            texts[name] = way()
            times.setdefault(name, []).append(time.perf_counter() - start)
    old, new = (load_toml(text) for text in texts.values())
    old.pop("created-by")
    new.pop("created-by")
    return times, len(new["packages"]), old == new


def render(times: dict[str, list[float]], count: int, same: bool,
           args: argparse.Namespace) -> str:
    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"# The shelf's PEP 751 lock alone, {date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, load average at the end {load}; Python for the "
        f"environments: {args.python}; uv: {uv_version.strip()}.",
        f"Workload: the lock of a shelf of `{' '.join(args.packages)}` ({count} packages), "
        f"both ways alternating, median of {args.runs} runs, warm uv cache; index: "
        f"{args.index_url or 'uv default'}.",
        f"The two locks: {'the same' if same else 'DIFFERENT'} (parsed, created-by aside).",
        "",
        "| the lock | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
    ]
    for name, taken in times.items():
        lines.append(f"| {name} | {statistics.median(taken):.4f} | {min(taken):.4f} | "
                     f"{max(taken):.4f} |")
    lines += ["", "Command: `python bench/lock.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
