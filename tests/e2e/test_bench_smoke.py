"""The benchmark script runs end to end on a tiny workload, so it cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "core.py"


def test_core_benchmark_runs_against_the_local_index(sandbox, tmp_path):
    report = tmp_path / "report.md"
    env = {**sandbox.env}
    env.pop("PYSHELF_INDEX_URL")
    result = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--python", str(sandbox.base_python),
         "--index-url", sandbox.index_url, "--packages", "beta", "--extra", "alpha",
         "--output", str(report)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    for row in ("| install (fresh shelf, warm cache) |", "| list |",
                "| undo of the last install (switch) |",
                "| restore a collected generation (rebuild from lock) |"):
        assert row in text
    assert "(2 packages installed)" in text
