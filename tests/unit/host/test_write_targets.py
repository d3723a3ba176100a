"""What stands in the way of writing at a path: the questions asked before a setting moves."""

from __future__ import annotations

from pathlib import Path

from pyshelf.host.write_targets import LOOP_WORDS, dead_end, nearest_existing


def test_nearest_existing_is_where_making_the_path_begins(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "broken").symlink_to(tmp_path / "gone")

    assert nearest_existing(tmp_path / "a") == tmp_path / "a"
    assert nearest_existing(tmp_path / "a" / "b" / "c") == tmp_path / "a"
    assert nearest_existing(tmp_path / "broken" / "x") == tmp_path / "broken"
    assert nearest_existing(Path("/")) == Path("/")


def test_dead_end_names_links_that_lead_nowhere(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "to-dir").symlink_to(tmp_path / "dir")
    (tmp_path / "broken").symlink_to(tmp_path / "gone")
    (tmp_path / "one").symlink_to(tmp_path / "two")
    (tmp_path / "two").symlink_to(tmp_path / "one")

    assert dead_end(tmp_path / "dir") is None
    assert dead_end(tmp_path / "to-dir") is None
    assert dead_end(tmp_path / "missing") is None  # nothing there: it can be made
    assert dead_end(tmp_path / "broken") == (
        f"is a symlink to {tmp_path / 'gone'}, which does not exist")
    assert dead_end(tmp_path / "one") == LOOP_WORDS
    assert dead_end(tmp_path / "one" / "below") == LOOP_WORDS
