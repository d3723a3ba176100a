"""The benchmark scripts run end to end on a tiny workload, so they cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.sandbox import pyshelf_script

BENCH = Path(__file__).resolve().parents[2] / "bench" / "core.py"
NARROW = BENCH.with_name("narrow.py")
CHANGES = BENCH.with_name("change_costs.py")
INSTALL_NEW = BENCH.with_name("install_new.py")


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


def test_a_command_that_fails_stops_the_benchmark_with_what_it_said(sandbox, tmp_path):
    env = {**sandbox.env}
    env.pop("PYSHELF_INDEX_URL")
    result = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--python", str(sandbox.base_python),
         "--index-url", sandbox.index_url, "--packages", "no-such-package-anywhere",
         "--extra", "alpha", "--output", str(tmp_path / "report.md")],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode != 0
    assert "install --yes no-such-package-anywhere failed with exit status" in result.stderr
    assert "no-such-package-anywhere" in result.stderr.splitlines()[-1], result.stderr
    assert "Traceback" not in result.stderr


def test_narrow_benchmark_compares_two_pyshelfs_against_the_local_index(sandbox, tmp_path):
    report = tmp_path / "report.md"
    run_comparing(NARROW, sandbox, "--packages", "beta", "--extra", "app-tool", "--output",
                  str(report))
    text = report.read_text()
    for row in ("| install-one --dry-run |", "| install-one |", "| remove --dry-run |",
                "| remove |"):
        assert row in text
    assert "(2 packages installed)" in text
    assert "The locks of the shelf plus app-tool: the same before and after." in text


def test_change_costs_benchmark_compares_two_pyshelfs_and_uv_tool(sandbox, tmp_path):
    report = tmp_path / "report.md"
    run_comparing(CHANGES, sandbox, "--blog", "beta", "--big", "beta", "alpha", "--extra",
                  "app-tool", "--dependency", "gamma", "--output", str(report))
    text = report.read_text()
    for row in ("| install one | blog |", "| remove it | big |", "| role change | blog |",
                "| undo | big |", "| rollback | blog |"):
        assert row in text


def test_install_new_benchmark_fills_a_new_entry_each_run_from_a_warm_and_a_cold_cache(
        sandbox, tmp_path):
    report = tmp_path / "report.md"
    run_comparing(INSTALL_NEW, sandbox, "--packages", "beta", "--extras", "app-tool",
                  "--output", str(report))
    text = report.read_text()
    for row in ("| app-tool | has it |", "| app-tool | lacks it |"):
        assert row in text


def test_lock_benchmark_times_both_ways_against_the_local_index(sandbox, tmp_path):
    report = tmp_path / "report.md"
    env = {**sandbox.env}
    env.pop("PYSHELF_INDEX_URL")
    result = subprocess.run(
        [sys.executable, str(BENCH.with_name("lock.py")), "--runs", "1", "--python",
         str(sandbox.base_python), "--index-url", sandbox.index_url, "--packages", "beta",
         "--output", str(report)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    for row in ("| uv pip compile of every pin |", "| put together from the entries |"):
        assert row in text
    assert "(2 packages)" in text
    assert "The two locks: the same (parsed, created-by aside)." in text


def test_lean_benchmark_compares_two_pyshelfs_against_the_local_index(sandbox, tmp_path):
    report = tmp_path / "report.md"
    run_comparing(BENCH.with_name("lean.py"), sandbox, "--packages", "beta", "--extra",
                  "alpha", "--trkpac-python", "", "--output", str(report))
    text = report.read_text()
    assert "| custom | after | 2 |" in text and "| custom | before | 2 |" in text


def test_list_launcher_benchmark_compares_two_pyshelfs_against_the_local_index(sandbox,
                                                                               tmp_path):
    report = tmp_path / "report.md"
    run_comparing(BENCH.with_name("list_launcher.py"), sandbox, "--packages", "beta",
                  "--trkpac-python", "", "--output", str(report))
    text = report.read_text()
    for label in ("after", "before", "floor"):
        assert f"| {label} | " in text


def run_comparing(script: Path, sandbox, *args: str) -> None:
    """Run a benchmark that compares this pyshelf with another (itself here), once."""
    env = {**sandbox.env}
    env.pop("PYSHELF_INDEX_URL")
    result = subprocess.run(
        [sys.executable, str(script), "--before", str(pyshelf_script()), "--runs", "1",
         "--python", str(sandbox.base_python), "--index-url", sandbox.index_url, *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
