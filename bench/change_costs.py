"""One-package changes on a small and a big shelf: this pyshelf against an earlier one, with
``uv tool`` doing the same change in the same run.

A change should cost what it changes, not the size of the shelf; this measures, on the blog
workload and on the big one (blog and fifteen libraries and apps), installing one new small
package, removing it, making a dependency explicit (a change of its role only), and going
back (undo, rollback to a generation on disk), each as a ratio to ``uv tool install`` or
``uv tool uninstall`` of the same package, and big against blog. Build the earlier pyshelf
from another commit into a venv of its own and name its ``pyshelf`` (as for ``bench/narrow.py``):

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install /tmp/before
    python bench/change_costs.py --before /tmp/before/.venv/bin/pyshelf

Each pyshelf gets its own two shelves; the rounds alternate between the pyshelfs and
between the shelves, so that both meet the machine's load alike, and the median counts.
Both share uv's cache, warmed by building the shelves first.
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
from datetime import date
from pathlib import Path

from core import PYSHELF, UV, Bench, settle, write_report

BLOG = ("black", "flake8", "isort", "mypy", "python-lsp-server[all]", "sqlfluff")
BIG = (*BLOG, "requests", "httpx", "pytest", "click", "cryptography", "numpy", "pandas",
       "matplotlib", "scipy", "jupyterlab", "sphinx", "boto3", "django", "flask",
       "sqlalchemy")
STEPS = ("install one", "remove it", "role change", "undo", "rollback")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier pyshelf's executable")
    parser.add_argument("--after", default=PYSHELF, help="the pyshelf to compare with it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--index-url")
    parser.add_argument("--extra", default="cowsay", help="the small package installed")
    parser.add_argument("--dependency", default="pylint",
                        help="a dependency of both workloads, made explicit")
    parser.add_argument("--blog", nargs="+", default=list(BLOG), help="the small shelf")
    parser.add_argument("--big", nargs="+", default=list(BIG), help="the big shelf")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    workloads = {"blog": tuple(args.blog), "big": tuple(args.big)}
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        executables = {"before": args.before, "after": args.after}
        homes: dict[tuple[str, str], Path] = {}
        for label, executable in executables.items():
            for workload, packages in workloads.items():
                bench.pyshelf = executable
                _, homes[label, workload] = bench.pyshelf_install(packages)
                bench.shelf(homes[label, workload], "install", "--yes", args.extra)
                bench.shelf(homes[label, workload], "remove", "--yes", args.extra)
        tools = {**bench.env, "UV_TOOL_DIR": f"{scratch}/uv-tools",
                 "UV_TOOL_BIN_DIR": f"{scratch}/uv-bin"}
        times: dict[tuple[str, str, str], list[float]] = {}
        for _ in range(args.runs):
            times.setdefault(("uv tool", "", "install"), []).append(
                run(tools, UV, "tool", "install", "--no-config", "-q", "--python",
                    args.python, *bench.index_args(), args.extra))
            times.setdefault(("uv tool", "", "uninstall"), []).append(
                run(tools, UV, "tool", "uninstall", "--no-config", "-q", args.extra))
            for label, executable in executables.items():
                for workload in workloads:
                    for step, took in one_round(executable, homes[label, workload], bench,
                                                args).items():
                        times.setdefault((label, workload, step), []).append(took)
    write_report(render(times, workloads, args), args.output, "change-costs")
    return 0


def one_round(pyshelf: str, home: Path, bench: Bench, args: argparse.Namespace
              ) -> dict[str, float]:
    """Each step once, leaving the shelf as it found it."""
    def shelf(*words: str) -> float:
        took = run(bench.env, pyshelf, "--home", str(home), "-q", *words)
        settle(home)
        return took

    took = {"install one": shelf("install", "--yes", args.extra),
            "remove it": shelf("remove", "--yes", args.extra),
            "role change": shelf("install", "--yes", args.dependency)}
    explicit = (home / "env").readlink().name
    took["undo"] = shelf("undo", "--yes")
    took["rollback"] = shelf("rollback", "--yes", "--to", explicit)  # on disk: a switch
    shelf("undo", "--yes")  # as the round found it
    return took


def run(env: dict[str, str], *argv: str) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def render(times: dict[tuple[str, str, str], list[float]],
           workloads: dict[str, tuple[str, ...]], args: argparse.Namespace) -> str:
    def median(label: str, workload: str, step: str) -> float:
        return statistics.median(times[label, workload, step])

    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout
    peer = {"install one": median("uv tool", "", "install"),
            "remove it": median("uv tool", "", "uninstall")}
    lines = [
        f"# One-package changes, before and after, {date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, load average {os.getloadavg()[0]:.1f} at the end; Python "
        f"for the environments: {args.python}; uv: {uv_version.strip()}.",
        f"Workloads: blog (`{' '.join(workloads['blog'])}`) and big "
        f"(`{' '.join(workloads['big'])}`); `{args.extra}` installed and removed, "
        f"`{args.dependency}` made explicit, undone, and rolled back to again (a "
        f"generation on disk); median of {args.runs} interleaved rounds, warm uv cache. "
        f"`uv tool install {args.extra}`: {peer['install one']:.3f} s, `uv tool uninstall`: "
        f"{peer['remove it']:.3f} s.",
        "",
        "| operation | shelf | before (s) | after (s) | after / before | after / uv tool "
        "| big / blog (after) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for step in STEPS:
        for workload in workloads:
            before, after = median("before", workload, step), median("after", workload, step)
            ratio = f"{after / peer[step]:.1f}x" if step in peer else "-"
            scale = (f"{after / median('after', 'blog', step):.2f}x" if workload == "big"
                     else "")
            lines.append(f"| {step} | {workload} | {before:.3f} | {after:.3f} | "
                         f"{after / before:.2f}x | {ratio} | {scale} |")
    lines += ["", "Command: `python bench/change_costs.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
