"""Install, list, undo and restore speed: pyshelf against raw uv and pip on the same set.

Run from a checkout with pyshelf installed in the running interpreter's environment:

    python bench/core.py                   # ~50-package toolset from the default index
    python bench/core.py --runs 3 --index-url URL --packages beta   # quick, any index

Undo is measured on a shelf holding the set plus one more package (``--extra``): pyshelf
switches back to the previous generation, while the tools without generations must
reinstall the previous package set into a fresh venv (``uv pip sync``, ``pip install``).

Everything happens under a scratch directory used as HOME (and as uv's cache, so that uv
hard-links from it as it does for a real user); the real home is never touched. Caches are
warmed first, then each tool runs ``--runs`` times into a fresh target and the median counts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from uv import find_uv_bin

TOOLSET = ("black", "flake8", "isort", "mypy", "pytest", "requests", "httpx", "rich",
           "ipython", "pygments", "jinja2", "pyyaml")
PYSHELF = str(Path(sys.executable).parent / "pyshelf")
UV = find_uv_bin()
Row = tuple[str, float, str, float]


class Bench:
    def __init__(self, root: Path, python: str, index_url: str | None,
                 pyshelf: str = PYSHELF) -> None:
        self.root = root
        self.pyshelf = pyshelf
        self.python = python
        self.index_url = index_url
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PYSHELF_", "UV_", "VIRTUAL_ENV", "PIP_"))}
        self.env.update(HOME=str(root / "home"), UV_CACHE_DIR=str(root / "uv-cache"),
                        NO_COLOR="1", XDG_DATA_HOME=str(root / "home" / "data"))
        if index_url:
            self.env["PYSHELF_INDEX_URL"] = index_url
        self.count = 0

    def run(self, *argv: str) -> float:
        """Seconds ``argv`` took; a command that fails stops the bench with what it said,
        since a run of many minutes that ends in an exit status alone cannot be retraced."""
        start = time.perf_counter()
        result = subprocess.run(argv, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        took = time.perf_counter() - start
        if result.returncode:
            said = result.stderr.decode(errors="replace").strip()
            raise SystemExit(f"{' '.join(argv)} failed with exit status {result.returncode}:"
                             f"\n{said}")
        return took

    def fresh(self, label: str) -> Path:
        self.count += 1
        path = self.root / f"{label}-{self.count}"
        path.mkdir(parents=True)
        return path

    def index_args(self) -> list[str]:
        return ["--index-url", self.index_url] if self.index_url else []

    def pyshelf_install(self, packages: tuple[str, ...]) -> tuple[float, Path]:
        home = self.fresh("shelf")
        self.shelf(home, "init", "--python", self.python, "--yes", "--no-modify-shell",
                   "--bin-dir", str(home / "bin"))
        return self.shelf(home, "install", "--yes", *packages), home

    def output(self, *argv: str) -> str:
        return subprocess.run(argv, env=self.env, check=True, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL).stdout

    def shelf(self, home: Path, *args: str) -> float:
        took = self.run(self.pyshelf, "--home", str(home), *args)
        settle(home)
        return took

    def uv_sync_fresh(self, lock: Path) -> float:
        venv = self.fresh("uv-sync") / "venv"
        return (self.run(UV, "venv", "--no-config", "-q", "--python", self.python, str(venv))
                + self.run(UV, "pip", "sync", "--no-config", "-q", "--python",
                           str(venv / "bin" / "python"), *self.index_args(), str(lock)))

    def pip_install_fresh(self, lock: Path) -> float:
        venv = self.fresh("pip") / "venv"
        return (self.run(self.python, "-m", "venv", str(venv))
                + self.run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", *self.index_args(), "-r", str(lock)))

    def uv_venv_install(self, packages: tuple[str, ...]) -> tuple[float, float]:
        venv = self.fresh("uv") / "venv"
        created = self.run(UV, "venv", "--no-config", "-q", "--python", self.python, str(venv))
        installed = self.run(UV, "pip", "install", "--no-config", "-q", "--python",
                             str(venv / "bin" / "python"), *self.index_args(), *packages)
        return created + installed, installed


def settle(home: Path) -> None:
    """Wait (a minute at most) until no store entry of the shelf at ``home`` waits for its
    bytecode: a change leaves that compile to a detached child, which would otherwise share
    the cores with the next timed command, as it does not by a person's next command."""
    pending = home / "bytecode"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and pending.is_dir() and any(pending.iterdir()):
        time.sleep(0.01)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def workload_arguments(parser: argparse.ArgumentParser, *, extra: str | None,
                       report: str) -> None:
    """The options every pyshelf benchmark takes: how often, on which interpreter and
    index, which packages, the one package its changes move (``extra`` says what it does
    with it; None: it moves none), and where the report goes."""
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable)
    parser.add_argument("--index-url")
    parser.add_argument("--packages", nargs="+", default=list(TOOLSET))
    if extra is not None:
        parser.add_argument("--extra", default="httpie", help=extra)
    parser.add_argument("--output", type=Path, help="markdown file to write (default: "
                                                    f"bench/results/<date>-{report}.md)")


def machine_facts() -> str:
    """The machine a report was measured on, and its load when the measuring ended (this
    2-core machine is shared: the load says how far to trust the seconds)."""
    uv_version = subprocess.run([UV, "--version"], capture_output=True, text=True).stdout
    return (f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}, load average {os.getloadavg()[0]:.1f} at the end; uv: "
            f"{uv_version.strip()}")


def write_report(report: str, output: Path | None, name: str) -> None:
    """Print the report and write it to ``output`` or ``bench/results/<date>-<name>.md``."""
    print(report)
    output = output or Path(__file__).parent / "results" / f"{date.today()}-{name}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print(f"written to {output}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    workload_arguments(parser, extra="the package undo takes away again", report="core")
    args = parser.parse_args()
    packages = tuple(args.packages)
    with tempfile.TemporaryDirectory(prefix="pyshelf-bench-") as scratch:
        bench = Bench(Path(scratch), args.python, args.index_url)
        _, warm_home = bench.pyshelf_install(packages)  # fills uv's cache for every tool
        bench.uv_venv_install(packages)
        shelf_times, homes = [], []
        uv_total, uv_install = [], []
        for _ in range(args.runs):
            took, home = bench.pyshelf_install(packages)
            shelf_times.append(took)
            homes.append(home)
            total, install_only = bench.uv_venv_install(packages)
            uv_total.append(total)
            uv_install.append(install_only)
        env = warm_home / "env"
        site = next((env / "lib").glob("python*/site-packages"))
        count = sum(1 for _ in site.glob("*.dist-info"))
        list_shelf = median_of(args.runs, lambda: bench.run(PYSHELF, "--home", str(warm_home),
                                                            "list"))
        list_pip = median_of(args.runs, lambda: bench.run(sys.executable, "-m", "pip", "list",
                                                          "--path", str(site)))
        undo_rows = measure_undo(bench, warm_home, args)
    rows = [
        ("install (fresh shelf, warm cache)", statistics.median(shelf_times),
         "uv venv + uv pip install", statistics.median(uv_total)),
        ("install, against the raw install alone", statistics.median(shelf_times),
         "uv pip install (venv already made)", statistics.median(uv_install)),
        ("list", list_shelf, "pip list --path <site-packages>", list_pip),
        *undo_rows,
    ]
    write_report(render(rows, packages, count, args), args.output, "core")
    return 0


def measure_undo(bench: Bench, home: Path, args: argparse.Namespace) -> list[Row]:
    """Undo of ``install EXTRA`` (a switch), and restore of a collected generation."""
    previous_lock = home / "env" / "pyshelf-lock.txt"
    lock_copy = bench.root / "previous-lock.txt"
    shutil.copy(previous_lock, lock_copy)
    undo = []
    for _ in range(args.runs):
        bench.shelf(home, "install", "--yes", args.extra)
        undo.append(bench.shelf(home, "undo", "--yes"))
    uv_sync = median_of(args.runs, lambda: bench.uv_sync_fresh(lock_copy))
    pip = median_of(max(1, args.runs // 2), lambda: bench.pip_install_fresh(lock_copy))
    restore = []
    for _ in range(args.runs):
        bench.shelf(home, "snapshot", "--force", "bench")
        snapshots = json.loads(bench.output(PYSHELF, "--home", str(home), "snapshots", "--json"))
        pinned = next(s["generation"] for s in snapshots if s["name"] == "bench")
        bench.shelf(home, "clean", "--yes")
        shutil.rmtree(home / "gens" / str(pinned))  # as if collected
        restore.append(bench.shelf(home, "restore", "--yes", "bench"))
    return [
        ("undo of the last install (switch)", statistics.median(undo),
         "uv venv + uv pip sync of the previous set", uv_sync),
        ("undo of the last install (switch)", statistics.median(undo),
         "python -m venv + pip install -r of the previous set", pip),
        ("restore a collected generation (rebuild from lock)", statistics.median(restore),
         "uv venv + uv pip sync of the same set", uv_sync),
    ]


def render(rows: list[Row], packages: tuple[str, ...], count: int,
           args: argparse.Namespace) -> str:
    lines = [
        f"# pyshelf core benchmark, {date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python for the environments: {args.python}; "
        f"uv: {subprocess.run([UV, '--version'], capture_output=True, text=True).stdout.strip()}.",
        f"Workload: `{' '.join(packages)}` ({count} packages installed); median of "
        f"{args.runs} runs, warm uv cache; index: {args.index_url or 'uv default'}.",
        "",
        "| operation | pyshelf (s) | compared with | other (s) | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for name, ours, other_name, other in rows:
        lines.append(f"| {name} | {ours:.3f} | {other_name} | {other:.3f} | "
                     f"{ours / other:.2f}x |")
    lines += ["", "Command: `python bench/core.py " + " ".join(sys.argv[1:]) + "`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
