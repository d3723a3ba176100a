"""``pyshelf list`` as a person types it (the launcher ``init`` writes) against py-trkpac's
``list``, for this pyshelf and an earlier one, on the blog workload (or ``--packages``).

Run from a checkout with pyshelf installed in the running interpreter's environment, and
name an earlier pyshelf installed the same way (not editable), as for ``bench/lean.py``:

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install /tmp/before
    python bench/list_launcher.py --before /tmp/before/.venv/bin/pyshelf

Each pyshelf builds its own shelf, whose launcher runs that pyshelf's own copy with the
interpreter that ran its ``init`` (``host/launcher.py``). Every command runs ``--runs`` times,
all of them interleaved, and the median counts; CPU time (user and system, of the process
and its children) is given beside the wall time, since this 2-core machine is shared. The
floor is the launcher's interpreter doing nothing (``python -I -S -c pass``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core import PYSHELF, Bench, machine_facts, write_report
from lean import BLOG, newest_python, trkpac_with_blog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an earlier pyshelf's executable, to compare with")
    parser.add_argument("--after", default=PYSHELF, help="the pyshelf measured")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable,
                        help="the shelves' interpreter")
    parser.add_argument("--trkpac-python", default=newest_python((3, 13)),
                        help="the Python py-trkpac runs on (3.13 or newer); '' for no peer")
    parser.add_argument("--packages", nargs="+", default=list(BLOG),
                        help="the shelves' packages (py-trkpac lists the blog workload)")
    parser.add_argument("--index-url")
    parser.add_argument("--output", type=Path, help="markdown file to write (default: "
                                                    "bench/results/<date>-list-launcher.md)")
    args = parser.parse_args()
    executables = {"after": args.after, **({"before": args.before} if args.before else {})}
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        bench.env.pop("PYTHONDONTWRITEBYTECODE", None)  # a person's tools keep their bytecode
        commands: dict[str, list[str]] = {}
        for label, executable in executables.items():
            bench.pyshelf = executable
            _, home = bench.pyshelf_install(tuple(args.packages))
            commands[label] = [str(home / "bin" / "pyshelf"), "--home", str(home), "list"]
        if args.trkpac_python:
            commands["py-trkpac"] = [str(trkpac_with_blog(bench, args.trkpac_python)), "list"]
        commands["floor"] = [_launcher_python(Path(commands["after"][0])), "-I", "-S", "-c",
                             "pass"]
        for argv in commands.values():  # bytecode written, caches warm
            subprocess.run(argv, env=bench.env, check=True, capture_output=True)
        wall: dict[str, list[float]] = {label: [] for label in commands}
        cpu: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, argv in commands.items():
                took, used = _timed(bench, argv)
                wall[label].append(took)
                cpu[label].append(used)
    write_report(_render(args, commands, wall, cpu), args.output, "list-launcher")
    return 0


def _launcher_python(launcher: Path) -> str:
    """The interpreter the launcher records (its ``python=`` line)."""
    for line in launcher.read_text(encoding="utf-8").splitlines():
        if line.startswith("python="):
            return line.removeprefix("python=").strip("'")
    return sys.executable


def _timed(bench: Bench, argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=bench.env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _render(args: argparse.Namespace, commands: dict[str, list[str]],
            wall: dict[str, list[float]], cpu: dict[str, list[float]]) -> str:
    peer = statistics.median(wall["py-trkpac"]) if "py-trkpac" in wall else None
    peer_cpu = statistics.median(cpu["py-trkpac"]) if "py-trkpac" in cpu else None
    lines = [
        f"# `pyshelf list` through the launcher against py-trkpac, {time.strftime('%Y-%m-%d')}",
        "",
        f"Machine: {machine_facts()}; shelves' Python: {args.python}; launcher's Python: "
        f"{commands['floor'][0]}; py-trkpac on {args.trkpac_python or 'none'}; index: "
        f"{args.index_url or 'default'}; packages: {' '.join(args.packages)}. Median of "
        f"{args.runs} interleaved runs, in milliseconds.",
        "",
        "| command | wall | min | / py-trkpac | CPU | CPU / py-trkpac |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in commands:
        median, used = statistics.median(wall[label]), statistics.median(cpu[label])
        ratio = f"{median / peer:.2f}x" if peer else "-"
        cpu_ratio = f"{used / peer_cpu:.2f}x" if peer_cpu else "-"
        lines.append(f"| {label} | {median * 1000:.1f} | {min(wall[label]) * 1000:.1f} "
                     f"| {ratio} | {used * 1000:.1f} | {cpu_ratio} |")
    lines += ["", "`floor`: the launcher's interpreter started with `-I -S -c pass`.", "",
              "Command: `python bench/list_launcher.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
