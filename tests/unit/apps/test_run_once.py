"""The pure parts of pyshelf run: argument splitting, command lookup, freshness."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pyshelf.apps.run_once import FRESH_DAYS, STAMP, is_fresh, remove_stale, request_key
from pyshelf.cli import parse_arguments
from pyshelf.core.model import IntentEntry
from pyshelf.layout import Layout


def test_everything_after_the_separator_belongs_to_the_app() -> None:
    args = parse_arguments(["--home", "run", "run", "tool", "--with", "x", "--", "-v", "--",
                            "--with", "y"])
    assert (args.command, args.app, args.with_packages) == ("run", "tool", ["x"])
    assert args.args == ["-v", "--", "--with", "y"]
    assert args.home == "run"


def test_other_commands_keep_their_own_separator() -> None:
    args = parse_arguments(["install", "--", "alpha"])
    assert (args.command, args.specs) == ("install", ["alpha"])


def test_the_request_key_ignores_order_but_not_python_or_index() -> None:
    a, b = IntentEntry("a", "a"), IntentEntry("b", "b>=1")
    assert request_key([a, b], "/py", [""]) == request_key([b, a], "/py", [""])
    assert request_key([a], "/py", [""]) != request_key([a], "/py3", [""])
    assert request_key([a], "/py", [""]) != request_key([a], "/py", ["http://i/simple"])


@pytest.mark.parametrize(("age_days", "fresh"), [(0, True), (FRESH_DAYS - 1, True),
                                                 (FRESH_DAYS + 1, False)])
def test_freshness_is_the_age_of_the_stamp(tmp_path: Path, age_days: int, fresh: bool) -> None:
    (tmp_path / STAMP).write_text("")
    built = time.time() - age_days * 86400
    os.utime(tmp_path / STAMP, (built, built))
    assert is_fresh(tmp_path, time.time()) is fresh


def test_an_unfinished_environment_is_never_fresh(tmp_path: Path) -> None:
    assert not is_fresh(tmp_path, time.time())


def test_stale_environments_of_other_requests_are_removed(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    old, new, mine, unfinished = "0" * 20, "1" * 20, "2" * 20, "3" * 20
    for name, age in ((old, FRESH_DAYS + 1), (new, 0), (mine, FRESH_DAYS + 1)):
        (layout.runs / name).mkdir(parents=True)
        (layout.runs / name / STAMP).write_text("")
        built = time.time() - age * 86400
        os.utime(layout.runs / name / STAMP, (built, built))
    (layout.runs / unfinished).mkdir()
    (layout.runs / "not-a-run").mkdir()  # someone else's: never a stale environment

    assert remove_stale(layout, time.time(), keep=mine) == [old, unfinished]
    assert sorted(p.name for p in layout.runs.iterdir()) == sorted([mine, new, "not-a-run"])
