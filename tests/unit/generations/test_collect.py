"""Which generations garbage collection may take: never current, pinned or among the newest."""

from __future__ import annotations

import pytest
from tests.support.records import opened_shelf

from pyshelf.errors import PyshelfError
from pyshelf.generations.collect import collectable, keep_count


def test_the_newest_kept_generations_and_the_current_one_stay(tmp_path):
    shelf = opened_shelf(tmp_path / "home", 7, keep_generations="3")
    assert shelf.state.current_generation_id() == 7
    assert collectable(shelf) == [1, 2, 3, 4]


def test_a_snapshot_pins_its_generation(tmp_path):
    shelf = opened_shelf(tmp_path / "home", 6, keep_generations="2")
    shelf.state.save_snapshot("before-upgrade", 2, "2024-02-01T00:00:00")
    assert collectable(shelf) == [1, 3, 4]


def test_collected_generations_are_not_collected_again(tmp_path):
    shelf = opened_shelf(tmp_path / "home", 5, keep_generations="2")
    shelf.state.mark_collected([1, 2])
    assert collectable(shelf) == [3]


def test_the_current_generation_stays_even_when_it_is_old(tmp_path):
    shelf = opened_shelf(tmp_path / "home", 4, keep_generations="1")
    shelf.state.record_switch(command="rollback 1", from_gen=4, to_gen=1,
                              started_at="s", finished_at="f", summary="")
    assert collectable(shelf) == [2, 3]


@pytest.mark.parametrize(("value", "count"), [("5", 5), ("1", 1), ("0", 1), ("-3", 1)])
def test_at_least_one_generation_is_kept(tmp_path, value, count):
    assert keep_count(opened_shelf(tmp_path / "home", keep_generations=value)) == count


def test_the_default_keeps_five(tmp_path):
    assert keep_count(opened_shelf(tmp_path / "home")) == 5


def test_a_keep_count_that_is_not_a_number_is_refused(tmp_path):
    shelf = opened_shelf(tmp_path / "home", keep_generations="many")
    with pytest.raises(PyshelfError, match="keep_generations must be a whole number, not 'many'"):
        keep_count(shelf)
