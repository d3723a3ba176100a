"""The peers benchmark runs end to end on a tiny workload, offline, so it cannot rot unnoticed.

pipx and py-trkpac are left out: the local index does not carry them. Any request that
escapes to another host goes to a proxy that refuses it, so a peer that ignored the index it
was given would fail here instead of quietly using the network.
"""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "peers.py"
PYTHONS = BENCH.parent / "peerbench" / "pythons.py"
PEERS = ("pyshelf", "uv tool", "venv + pip")
ROWS = (
    "install into an empty setup (s)",
    "list (s)",
    "add alpha (s)",
    "remove beta (s)",
    "undo the removal of beta (s)",
    "install one new small package, app-tool (s)",
    "remove app-tool again (s)",
    "disk added by install (MB)",
    "files added by install",
)
OWN_ROWS = (
    "packages on the shelf (the workload and its add)",
    "install a package already there as a dependency: its role changes (s)",
    "status (s)",
    "rollback to a generation on disk (s)",
    "gc, nothing to collect (s)",
    "gc of one generation (s)",
    "one kept generation on disk, as du counts its folder (MB)",
    "one kept generation: files and links in its folder",
)


def second_python(base: Path) -> Path:
    """The newest interpreter of another minor version than ``base``, else ``base`` itself."""
    spec = importlib.util.spec_from_file_location("bench_pythons", PYTHONS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    base_python = module.python_at(base)
    others = [p for p in module.discover_pythons() if p.version[:2] != base_python.version[:2]]
    return others[-1].path if others else base


def table(text: str, heading: str) -> dict[str, dict[str, str]]:
    """The markdown table under ``heading``: row label -> column title -> cell."""
    lines = text.split(f"\n{heading}\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    titles = [cell.strip() for cell in rows[0].strip("|").split("|")]
    return {
        cells[0]: dict(zip(titles[1:], cells[1:], strict=True))
        for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[2:])
    }


def test_peers_benchmark_runs_offline_against_the_local_index(sandbox, tmp_path):
    report = tmp_path / "peers.md"
    old = sandbox.base_python
    new = second_python(old)
    env = {**sandbox.env}
    env.pop("PYSHELF_INDEX_URL")
    refuse = "http://127.0.0.1:9"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = refuse
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--warm-ups", "0",
         "--peers", "pyshelf,uv-tool,venv-pip", "--index-url", sandbox.index_url,
         "--python-old", str(old), "--python-new", str(new),
         "--packages", "beta", "--add", "alpha", "--remove", "beta", "--small", "app-tool",
         "--role", "gamma", "--output", str(report)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = report.read_text()

    custom = table(text, "## Workload: custom")
    rebuild = next(label for label in custom if label.startswith("rebuild for Python"))
    assert set(custom) == {*ROWS, rebuild}
    assert set(PEERS) <= set(custom[rebuild])
    for label in (*ROWS, rebuild):
        float(custom[label]["pyshelf"])
        float(custom[label]["venv + pip"])
    float(custom[rebuild]["uv venv + uv pip sync (reference)"])
    float(custom["install into an empty setup (s)"]["uv tool"])
    # alpha has no console script: uv tool refuses it, and the benchmark carries on.
    assert custom["add alpha (s)"]["uv tool"].startswith("failed (exit ")
    assert "command(s) failed" in text

    own = table(text, "## pyshelf's own operations")
    assert set(own) == set(OWN_ROWS)
    for label in OWN_ROWS:
        float(own[label]["custom"])
    assert own["packages on the shelf (the workload and its add)"]["custom"] == "3"

    targets = table(text, "## Targets")
    measured = {name: row["measured"] for name, row in targets.items()}
    # Only the small shelf ran; every target on it is judged from this run's numbers.
    for name in ("remove one package, custom: pyshelf / uv tool uninstall",
                 "install one new package, custom: pyshelf / uv tool install",
                 "rebuild for a new Python, custom: pyshelf / uv venv + uv pip sync",
                 "install into an empty setup, custom: pyshelf / uv tool"):
        assert measured[name].split("x (")[0].replace(".", "").isdigit(), name
        assert targets[name]["met?"] in ("yes", "NO")
    for name in ("role change only, custom", "undo, custom", "rollback, custom"):
        assert measured[name].endswith(" s"), name
    assert measured["gc of one generation (what it adds to gc), custom"].endswith(
        " collecting none)")
    assert measured["status, big"] == "not measured"
    assert measured["list, custom: pyshelf / py-trkpac"] == "not measured"
    assert text.rstrip().endswith("not measured.")  # the targets come last
    assert "after 0 untimed warm-up run(s)" in text
