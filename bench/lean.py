"""A kept generation's disk, gc of one generation, status and list: this pyshelf against an
earlier one, and list against py-trkpac's, on the blog and big workloads.

Run from a checkout with pyshelf installed in the running interpreter's environment, and
name an earlier pyshelf installed the same way (not editable: an editable install run with
PYTHONDONTWRITEBYTECODE compiles every module on each start):

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install /tmp/before
    python bench/lean.py --before /tmp/before/.venv/bin/pyshelf

Each pyshelf builds its own shelf of each workload. Disk is what ``du -s`` counts for the
current generation's folder (1 KiB blocks: a symlink whose target is over 59 bytes, a folder
and a file each take at least one 4 KiB block on ext4), with what the folder holds. A gc run
first adds a generation (``install`` of ``--extra``), then collects exactly the oldest full
generation left. ``list`` is timed twice: through the pyshelf named (a venv's console
script) and through the launcher ``init`` wrote into the shelf's bin dir, as a person types
``pyshelf``, with this process's PATH (a pyenv shim first on it is what the launcher's
recorded interpreter saves; run this with a real interpreter, not through the shim, whose
``pyenv exec`` puts the real one first on PATH). Every timed command runs ``--runs`` times,
the two pyshelfs and py-trkpac interleaved, and the median counts; py-trkpac lists the blog
workload, which it installs with the first Python 3.13 or newer found (it needs one).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from core import PYSHELF, UV, Bench, write_report

BLOG = ("black", "flake8", "isort", "mypy", "python-lsp-server[all]", "sqlfluff")
WORKLOADS = {
    "blog": BLOG,
    "big": (*BLOG, "requests", "httpx", "pytest", "click", "cryptography", "numpy", "pandas",
            "matplotlib", "scipy", "jupyterlab", "sphinx", "boto3", "django", "flask",
            "sqlalchemy"),
}
INLINE_SYMLINK = 59  # the longest symlink target ext4 keeps in the inode
TRKPAC_ANSWERS = "y\n" * 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an earlier pyshelf's executable, to compare with")
    parser.add_argument("--after", default=PYSHELF, help="the pyshelf measured")
    parser.add_argument("--shelves", default=",".join(WORKLOADS),
                        help=f"comma-separated, from {', '.join(WORKLOADS)}")
    parser.add_argument("--packages", nargs="+",
                        help="one shelf of these instead of the named workloads")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable)
    parser.add_argument("--trkpac-python", default=newest_python((3, 13)),
                        help="the Python py-trkpac runs on (3.13 or newer); '' for no peer")
    parser.add_argument("--index-url")
    parser.add_argument("--extra", default="cowsay", help="the package gc runs add first")
    parser.add_argument("--output", type=Path, help="markdown file to write (default: "
                                                    "bench/results/<date>-lean.md)")
    args = parser.parse_args()
    workloads = ({"custom": tuple(args.packages)} if args.packages
                 else {name: WORKLOADS[name] for name in args.shelves.split(",")})
    shelves = list(workloads)
    executables = {"after": args.after, **({"before": args.before} if args.before else {})}
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        bench.env.pop("PYTHONDONTWRITEBYTECODE", None)  # a person's tools keep their bytecode
        homes = {(label, shelf): _build(bench, executable, workloads[shelf])
                 for label, executable in executables.items() for shelf in shelves}
        disk = {key: _disk(home) for key, home in homes.items()}
        trkpac = trkpac_with_blog(bench, args.trkpac_python) if args.trkpac_python else None
        times: dict[tuple[str, str, str], list[float]] = {}
        for _ in range(args.runs):
            for (label, shelf), home in homes.items():
                bench.pyshelf = executables[label]
                for command in ("list", "status"):
                    times.setdefault((label, shelf, command), []).append(
                        bench.shelf(home, command))
                    if command == "list":
                        times.setdefault((label, shelf, "launcher"), []).append(
                            bench.run(str(home / "bin" / "pyshelf"), "--home", str(home),
                                      "list"))
                    if command == "list" and trkpac is not None:
                        times.setdefault(("py-trkpac", "blog", "list"), []).append(
                            bench.run(str(trkpac), "list"))
                times.setdefault((label, shelf, "gc"), []).append(
                    _gc_one(bench, home, args.extra))
    write_report(_render(args, executables, shelves, disk, times), args.output, "lean")
    return 0


def newest_python(at_least: tuple[int, int]) -> str | None:
    for minor in range(20, at_least[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            return found
    return None


def _build(bench: Bench, executable: str, packages: tuple[str, ...]) -> Path:
    bench.pyshelf = executable
    _, home = bench.pyshelf_install(packages)
    bench.shelf(home, "config", "set", "keep_generations", "100")
    # generation 0, the empty one, is not what a gc run is to collect
    subprocess.run([executable, "--home", str(home), "gc"], check=True, capture_output=True,
                   env={**bench.env, "PYSHELF_KEEP_GENERATIONS": "1"})
    return home


def _gc_one(bench: Bench, home: Path, extra: str) -> float:
    """Time ``gc`` collecting exactly one full generation: the oldest of those on disk."""
    changed = "remove" if extra in bench.output(bench.pyshelf, "--home", str(home), "list") \
        else "install"
    bench.shelf(home, changed, "--yes", extra)
    on_disk = [p for p in (home / "gens").iterdir() if p.name.isdigit()]
    start = time.perf_counter()
    subprocess.run([bench.pyshelf, "--home", str(home), "gc"], check=True,
                   env={**bench.env, "PYSHELF_KEEP_GENERATIONS": str(len(on_disk) - 1)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    time.sleep(1)  # let the deleting child finish before the next timed command
    return took


def _disk(home: Path) -> dict[str, int]:
    """What the current generation's folder costs and holds, links never followed."""
    generation = (home / "env").resolve()
    used = subprocess.run(["du", "-s", "--block-size=1K", str(generation)], check=True,
                          capture_output=True, text=True).stdout.split()[0]
    [site] = generation.glob("lib/python*/site-packages")
    counts = {"KiB": int(used), "packages": len(list(site.glob("*.dist-info"))), "links": 0,
              "long links": 0, "files": 0, "folders": 0}
    for root, dirs, names in os.walk(generation):
        counts["folders"] += 1
        for name in [*names, *(d for d in dirs if Path(root, d).is_symlink())]:
            path = Path(root, name)
            if path.is_symlink():
                counts["links"] += 1
                counts["long links"] += len(os.fsencode(path.readlink())) > INLINE_SYMLINK
            else:
                counts["files"] += 1
    return counts


def trkpac_with_blog(bench: Bench, python: str) -> Path:
    """py-trkpac in a venv of its own, with the blog workload installed (untimed)."""
    tool = bench.root / "py-trkpac"
    bench.run(UV, "venv", "-q", "--seed", "--python", python, str(tool))
    bench.run(UV, "pip", "install", "-q", "--python", str(tool / "bin" / "python"),
              *bench.index_args(), "py-trkpac")
    command = tool / "bin" / "py-trkpac"
    for argv in (["init", "--target", str(bench.root / "home" / "python-libraries"),
                  "--no-launcher"], ["install", *BLOG]):
        subprocess.run([str(command), *argv], env=bench.env, check=True, input=TRKPAC_ANSWERS,
                       text=True, capture_output=True)
    return command


def _render(args: argparse.Namespace, executables: dict[str, str], shelves: list[str],
            disk: dict[tuple[str, str], dict[str, int]],
            times: dict[tuple[str, str, str], list[float]]) -> str:
    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout
    load = os.getloadavg()
    labels = list(executables)
    lines = [
        f"# A kept generation's disk, gc, status and list, {date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"when done; Python for the shelves: {args.python}; uv: {uv_version.strip()}; "
        f"py-trkpac on {args.trkpac_python or 'none'}; index: {args.index_url or 'default'}.",
        f"Median of {args.runs} interleaved runs, in seconds; disk in KiB as `du -s` counts "
        "the current generation's folder.",
        "",
        "| shelf | pyshelf | packages | disk (KiB) | links (> 59 bytes) | files | folders "
        "| gc one generation | status | list | list / py-trkpac list | list (launcher) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    trkpac = times.get(("py-trkpac", "blog", "list"))
    peer = statistics.median(trkpac) if trkpac else None
    for shelf in shelves:
        for label in labels:
            counts = disk[label, shelf]
            median = {c: statistics.median(times[label, shelf, c])
                      for c in ("gc", "status", "list", "launcher")}
            ratio = f"{median['list'] / peer:.2f}x" if peer else "-"
            lines.append(
                f"| {shelf} | {label} | {counts['packages']} | {counts['KiB']} "
                f"| {counts['links']} ({counts['long links']}) | {counts['files']} "
                f"| {counts['folders']} | {median['gc']:.3f} | {median['status']:.3f} "
                f"| {median['list']:.3f} | {ratio} | {median['launcher']:.3f} |")
    if peer is not None:
        lines.append(f"\npy-trkpac `list` of the blog workload: {peer:.3f} s.")
    lines += ["", "Command: `python bench/lean.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
