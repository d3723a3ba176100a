"""pyshelf side by side with the tools a person would otherwise pick, on the same workloads.

Run from a checkout with pyshelf installed in the running interpreter's environment:

    python bench/peers.py                                   # blog and big: ~25-30 min
    python bench/peers.py --workloads blog,library,data,big # every workload: ~35-40 min
    python bench/peers.py --workloads big --peers pyshelf,uv-tool --runs 1  # a quick look
    python bench/peers.py --index-url URL --peers pyshelf,uv-tool,venv-pip \\
        --packages beta --add alpha --remove beta --small app-tool --runs 1  # tiny, any index
    python bench/peers.py ... --runs 1 --warm-ups 0         # a check that it runs at all

The peers are pyshelf, pipx (pip backend), pipx (uv backend), uv tool, py-trkpac and one venv
driven by pip. Each workload is installed into an empty setup, listed, grown by one package,
shrunk by one, the shrinking undone, grown by one small package (cowsay) and shrunk by it
again, and the whole setup moved to the newer Python. pyshelf also changes the role of a
dependency, reports its status, rolls back to a generation on disk and forward again, and
collects one generation. The disk the install adds is counted as du counts it (each inode
once, caches included), so files hard-linked from a cache cost nothing and files copied out
of one cost their size. The report ends with every target, met or missed, from ratios of
the same run.

The big workload (the blog toolset and fifteen more packages, about 175 installed) runs with
pyshelf, uv tool (its apps) and py-trkpac unless --peers names others: the pip-driven peers
take minutes a run on it. The peers driven by pip (pipx with pip, py-trkpac, venv + pip) get
one timed run (--slow-runs), the others three (--runs), each after one warm-up run. The
times above are estimated on 2 cores from earlier runs' timings: on blog about 12 minutes,
two thirds of them the pip-driven peers'; on big about 13, half of them py-trkpac's (its
warm-up downloads about 1 GB); library and data add about 10 minutes together.

Every peer works in an area of its own under one scratch directory: the tool itself, its pip
and uv caches (kept across its runs, so every timed run is warm, like a person's second
install) and a fresh HOME per run. Caches and environments share one filesystem, so uv
hard-links from its cache as it does for a person. The real home and the machine's pip and uv
configuration files are never read, so the numbers describe the tools as shipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from peerbench.measure import Results, measure_workload
from peerbench.pythons import choose_pythons
from peerbench.report import Run, render
from peerbench.running import Command, CommandFailed, base_environment, execute, progress
from peerbench.tools import PEERS, UV, Peer, PeerUnavailable, Settings
from peerbench.workloads import DEFAULT_WORKLOADS, SMALL, WORKLOADS, Workload


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per cell (median)")
    parser.add_argument("--slow-runs", type=int, default=1,
                        help="timed runs of the peers driven by pip (pipx (pip), py-trkpac, "
                             "venv + pip), which take ten to a hundred times as long")
    parser.add_argument("--warm-ups", type=int, default=1,
                        help="untimed runs per peer and workload before the timed ones (0: the "
                             "first run is timed on cold caches, for a quick check)")
    parser.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS),
                        help=f"comma-separated, from {', '.join(WORKLOADS)} "
                             f"(default: {','.join(DEFAULT_WORKLOADS)})")
    parser.add_argument("--peers",
                        help=f"comma-separated, from {', '.join(p.key for p in PEERS)} "
                             "(default: every peer; on big, pyshelf, uv-tool and py-trkpac)")
    parser.add_argument("--index-url", help="the index every peer uses (default: its own)")
    parser.add_argument("--python-old", type=Path, help="the Python setups start on")
    parser.add_argument("--python-new", type=Path, help="the Python the rebuild moves to")
    parser.add_argument("--packages", nargs="+",
                        help="a custom workload instead of the named ones")
    parser.add_argument("--add", help="the package the custom workload adds")
    parser.add_argument("--remove", help="the package the custom workload removes")
    parser.add_argument("--small", default=SMALL,
                        help="the small package installed and removed again (default: "
                             f"{SMALL})")
    parser.add_argument("--role", help="a dependency of the custom workload that pyshelf "
                                       "installs as a change of role (default: none)")
    parser.add_argument("--libraries", action="store_true",
                        help="the custom workload has packages without console scripts")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument("--output", type=Path,
                        help="markdown file to write (default: bench/results/<date>-peers.md)")
    args = parser.parse_args()
    args.workloads = [name for name in args.workloads.split(",") if name]
    if args.peers is not None:
        args.peers = [name for name in args.peers.split(",") if name]
    if min(args.runs, args.slow_runs) < 1:
        parser.error("--runs and --slow-runs must be at least 1")
    if args.warm_ups < 0:
        parser.error("--warm-ups must not be negative")
    if unknown := set(args.workloads) - set(WORKLOADS):
        parser.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
    if unknown := set(args.peers or ()) - {peer.key for peer in PEERS}:
        parser.error(f"unknown peer(s): {', '.join(sorted(unknown))}")
    if args.packages and not (args.add and args.remove):
        parser.error("--packages needs --add and --remove")
    return args


def chosen_workloads(args: argparse.Namespace) -> list[Workload]:
    if args.packages:
        packages = tuple(args.packages)
        return [Workload("custom", packages, args.add, args.remove,
                         apps=() if args.libraries else packages, small=args.small,
                         role=args.role)]
    return [WORKLOADS[name] for name in args.workloads]


def prepare_peers(settings: Settings, keys: set[str]) -> tuple[list[Peer], dict[str, str],
                                                               dict[str, str]]:
    """Install each chosen tool; those that cannot run here are left out, with the reason."""
    peers: list[Peer] = []
    unavailable: dict[str, str] = {}
    versions = {"uv": execute(Command((str(UV), "--version"), settings.scratch), settings.env,
                              60).strip()}
    for kind in PEERS:
        if kind.key not in keys:
            continue
        peer = kind(settings)
        progress(f"preparing {peer.title}")
        try:
            peer.prepare()
            versions.update(peer.versions())
        except PeerUnavailable as reason:
            unavailable[peer.title] = str(reason)
            continue
        except CommandFailed as failed:
            last = failed.stderr_tail.splitlines()[-1:] or [""]
            unavailable[peer.title] = f"installing it {failed.cell}: {last[0]}"
            continue
        peers.append(peer)
    return peers, unavailable, versions


def peer_keys(workload: Workload, asked: list[str] | None) -> list[str]:
    """The peers a workload runs with: those --peers names, else the workload's own choice."""
    if asked is not None:
        return asked
    return list(workload.peers or (peer.key for peer in PEERS))


def main() -> int:
    args = parse_args()
    load_at_start = os.getloadavg()[0]
    old, new, found = choose_pythons(args.python_old, args.python_new)
    trkpac_python = max((p for p in (*found, old, *([new] if new else []))
                         if p.version[:2] >= (3, 13)), default=None)
    workloads = chosen_workloads(args)
    keys = {key for workload in workloads for key in peer_keys(workload, args.peers)}
    with tempfile.TemporaryDirectory(prefix="pyshelf-peers-",
                                     ignore_cleanup_errors=True) as scratch:
        settings = Settings(Path(scratch), old, new, trkpac_python, args.index_url,
                            args.timeout, base_environment(args.index_url))
        peers, unavailable, versions = prepare_peers(settings, keys)
        plan = [(workload, [peer for peer in peers
                            if peer.key in peer_keys(workload, args.peers)])
                for workload in workloads]
        results = Results()
        for workload, taking in plan:
            measure_workload(taking, workload, settings, args.runs, args.slow_runs, results,
                             args.warm_ups)
        run = Run(settings, args, plan, unavailable, versions,
                  (load_at_start, os.getloadavg()[0]))
        report = render(run, results)
        progress("deleting the scratch directory")
    print(report)
    output = args.output or Path(__file__).parent / "results" / f"{date.today()}-peers.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    progress(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
