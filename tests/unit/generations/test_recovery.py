"""What a killed pyshelf leaves behind, and how the next one tells."""

from __future__ import annotations

import os

import pytest
from tests.support.records import opened_shelf

from pyshelf.generations.recovery import (
    env_target,
    misplaced_env,
    needs_recovery,
    recover,
    stale_scratch,
)
from pyshelf.package_store.entries import NEW_ENTRY_PREFIX

STARTED = "2024-03-01T10:00:00+00:00"


def dead_pid() -> int:
    """A process id no process has (the highest the kernel would hand out, plus one)."""
    with open("/proc/sys/kernel/pid_max") as limit:  # noqa: PTH123
        return int(limit.read()) + 1


@pytest.fixture
def shelf(tmp_path):
    opened = opened_shelf(tmp_path / "home", 2)
    for gen_id in (1, 2):
        opened.layout.gen_dir(gen_id).mkdir(parents=True)
    opened.layout.env.symlink_to("gens/2")
    opened.layout.work.mkdir()
    yield opened
    opened.state.close()


def test_a_shelf_on_its_current_generation_needs_nothing(shelf):
    assert env_target(shelf.layout) == "gens/2"
    assert not misplaced_env(shelf.layout, shelf.state)
    assert not needs_recovery(shelf.layout, shelf.state)


@pytest.mark.parametrize("target", ["gens/1", "gens/3", None])
def test_env_elsewhere_or_missing_is_misplaced(shelf, target):
    shelf.layout.env.unlink()
    if target:
        shelf.layout.env.symlink_to(target)
    assert env_target(shelf.layout) == target
    assert misplaced_env(shelf.layout, shelf.state)
    assert needs_recovery(shelf.layout, shelf.state)
    recover(shelf.layout, shelf.state)
    assert env_target(shelf.layout) == "gens/2"


def test_env_is_not_misplaced_when_the_current_generation_is_not_on_disk(shelf):
    shelf.layout.gen_dir(2).rmdir()
    shelf.layout.env.unlink()
    shelf.layout.env.symlink_to("gens/1")
    assert not misplaced_env(shelf.layout, shelf.state)


def test_scratch_of_a_dead_process_is_stale_and_removed(shelf):
    live = shelf.layout.work / f"resolve-{os.getpid()}"
    dead = shelf.layout.work / f"resolve-{dead_pid()}"
    odd = shelf.layout.work / "not-a-pid"
    for folder in (live, dead, odd):
        folder.mkdir()
    assert stale_scratch(shelf.layout) == [dead]
    assert needs_recovery(shelf.layout, shelf.state)
    recover(shelf.layout, shelf.state)
    assert sorted(shelf.layout.work.iterdir()) == sorted([live, odd])


def test_a_half_filled_store_entry_of_a_dead_process_is_stale_among_finished_ones(shelf):
    finished = shelf.layout.store / "048eb16cf5d938e2"
    dead = shelf.layout.store / f"{NEW_ENTRY_PREFIX}black-{dead_pid()}"
    live = shelf.layout.store / f"{NEW_ENTRY_PREFIX}click-{os.getpid()}"
    for folder in (finished, dead, live):
        folder.mkdir(parents=True)
    assert stale_scratch(shelf.layout) == [dead]
    dead.rmdir()
    assert stale_scratch(shelf.layout) == []


def test_scratch_is_not_listed_through_a_symlinked_work_folder(shelf, tmp_path):
    outside = tmp_path / "outside"
    (outside / f"resolve-{dead_pid()}").mkdir(parents=True)
    shelf.layout.work.rmdir()
    shelf.layout.work.symlink_to(outside)
    assert stale_scratch(shelf.layout) == []


def test_an_interrupted_change_loses_its_unfinished_generation(shelf, capsys):
    state = shelf.state
    op_id = state.begin_operation(command="pyshelf install alpha", started_at=STARTED,
                                  from_gen=2, to_gen=3)
    unfinished = shelf.layout.gen_dir(3)
    unfinished.mkdir()
    assert needs_recovery(shelf.layout, state)

    recover(shelf.layout, state)

    assert not unfinished.exists()
    assert state.running_operations() == []
    assert state.operation(op_id).status == "failed"
    assert state.current_generation_id() == 2
    assert "`pyshelf install alpha`" in capsys.readouterr().err


def test_an_interrupted_change_keeps_a_generation_the_database_already_holds(shelf):
    state = shelf.state
    state.begin_operation(command="pyshelf undo", started_at=STARTED, from_gen=2, to_gen=1)
    recover(shelf.layout, state)
    assert shelf.layout.gen_dir(1).is_dir()
    assert not needs_recovery(shelf.layout, state)
