"""The shelf database: opening, migrating, refusing, and recording generations atomically."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from pyshelf.errors import NotInitializedError, PyshelfError
from pyshelf.model import Edge, InstalledPackage, IntentEntry, Interpreter
from pyshelf.state import (
    MIGRATIONS,
    SCHEMA_VERSION,
    NewGeneration,
    OperationRecord,
    State,
    open_state,
)

GENERATION_TABLES = ("generations", "generation_requirements", "generation_packages",
                     "generation_dependencies", "operations", "meta")

INTERPRETER = Interpreter(path="/usr/bin/python3", resolved="/usr/bin/python3.12",
                          implementation="cpython", version="3.12.4")


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in GENERATION_TABLES}


def new_generation(gen_id: int = 1, **changes) -> NewGeneration:
    generation = NewGeneration(
        id=gen_id,
        created_at=f"2024-01-0{gen_id}T10:00:00",
        interpreter=INTERPRETER,
        marker_env={"sys_platform": "linux", "python_version": "3.12"},
        lock_text="Black==24.1.0\nclick==8.1.7\n",
        intent=[IntentEntry(name="black", spec="black>=24", added_at="2024-01-01T09:00:00")],
        packages=[
            InstalledPackage(name="black", display_name="Black", version="24.1.0",
                             is_explicit=True, source="index", installed_at="t1"),
            InstalledPackage(name="click", display_name="click", version="8.1.7",
                             is_explicit=False, source="index", installed_at="t2"),
        ],
        edges=[Edge("black", "click", ">=8.0")],
        command="install black",
        from_gen=None if gen_id == 1 else gen_id - 1,
        started_at=f"2024-01-0{gen_id}T09:59:00",
        summary="+2 ~0 -0",
    )
    return replace(generation, **changes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def state(db_path: Path):
    opened = open_state(db_path, create=True)
    yield opened
    opened.close()


def test_missing_database_is_not_initialized_and_not_created(db_path):
    with pytest.raises(NotInitializedError):
        open_state(db_path)

    assert not db_path.exists()


def test_create_migrates_to_current_schema_version(db_path):
    open_state(db_path, create=True).close()

    assert user_version(db_path) == SCHEMA_VERSION >= 1


def test_reopening_keeps_schema_and_data(db_path):
    first = open_state(db_path, create=True)
    first.set_config("python", "/usr/bin/python3")
    first.close()

    for create in (True, False):
        again = open_state(db_path, create=create)
        assert again.config() == {"python": "/usr/bin/python3"}
        again.close()
    assert user_version(db_path) == SCHEMA_VERSION


def test_older_schema_is_migrated_forward_keeping_data(db_path):
    with closing(sqlite3.connect(db_path)) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO config (key, value) VALUES ('python', '/usr/bin/python3')")
        db.execute("PRAGMA user_version = 1")
        db.commit()

    migrated = open_state(db_path)
    try:
        assert migrated.config() == {"python": "/usr/bin/python3"}
    finally:
        migrated.close()
    assert user_version(db_path) == SCHEMA_VERSION


def test_database_from_newer_pyshelf_is_refused(db_path):
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(PyshelfError, match="newer"):
        open_state(db_path)

    assert user_version(db_path) == SCHEMA_VERSION + 1


def test_newer_database_file_is_not_switched_to_wal(db_path):
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = db_path.read_bytes()

    with pytest.raises(PyshelfError, match="newer"):
        open_state(db_path)

    assert db_path.read_bytes() == before


def test_empty_file_is_not_taken_for_a_shelf(db_path):
    db_path.write_bytes(b"")

    with pytest.raises(PyshelfError, match="not a pyshelf database"):
        open_state(db_path)

    assert db_path.read_bytes() == b""


@pytest.mark.parametrize("create", [False, True])
def test_random_bytes_are_refused_and_left_untouched(tmp_path, db_path, create):
    garbage = random.Random(1234).randbytes(8192)
    db_path.write_bytes(garbage)

    with pytest.raises(PyshelfError, match="cannot be read"):
        open_state(db_path, create=create)

    assert db_path.read_bytes() == garbage
    assert [p.name for p in tmp_path.iterdir()] == [db_path.name]


def test_path_with_uri_special_characters_opens(tmp_path):
    path = tmp_path / "a dir #1 ?x=%20" / "state.db"
    path.parent.mkdir()

    open_state(path, create=True).close()

    assert [p.name for p in path.parent.iterdir()] == ["state.db"]
    assert user_version(path) == SCHEMA_VERSION


def test_fresh_database_has_no_generation(state: State):
    assert state.current_generation_id() is None
    assert state.highest_generation_id() is None
    assert state.operations() == []


def test_recorded_generation_becomes_current(state: State):
    state.record_generation(new_generation(1), finished_at="f")

    assert state.current_generation_id() == 1
    assert state.highest_generation_id() == 1


def test_recorded_generation_round_trips(state: State):
    new = new_generation(1)

    state.record_generation(new, finished_at="2024-01-01T10:01:00")
    record = state.generation(1)

    assert (record.id, record.created_at, record.interpreter, record.marker_env) == (
        1, new.created_at, INTERPRETER, new.marker_env)
    assert record.lock.text == new.lock_text
    assert {n: p.version for n, p in record.lock.packages.items()} == {
        "black": "24.1.0", "click": "8.1.7"}


def test_intent_packages_and_edges_round_trip(state: State):
    new = new_generation(1, intent=[
        IntentEntry(name="zeta", spec="zeta", added_at="a"),
        IntentEntry(name="alpha", spec="alpha==1.0", role="kept", source_path="/src",
                    added_at="b"),
    ])

    state.record_generation(new, finished_at="f")

    assert state.intent(1) == sorted(new.intent, key=lambda e: e.name)
    assert state.packages(1) == new.packages
    assert state.edges(1) == new.edges


def test_operation_is_recorded_with_its_id(state: State):
    new = new_generation(1)

    op_id = state.record_generation(new, finished_at="2024-01-01T10:01:00")

    assert state.operations() == [OperationRecord(
        id=op_id, command="install black", from_gen=None, to_gen=1,
        started_at=new.started_at, finished_at="2024-01-01T10:01:00", status="done",
        summary="+2 ~0 -0")]


def test_operations_are_newest_first_and_limited(state: State):
    for gen_id in (1, 2, 3):
        state.record_generation(new_generation(gen_id, command=f"c{gen_id}"), finished_at="f")

    assert [op.command for op in state.operations()] == ["c3", "c2", "c1"]
    assert [op.command for op in state.operations(limit=2)] == ["c3", "c2"]
    assert state.current_generation_id() == 3


def test_generations_keep_their_own_rows(state: State):
    state.record_generation(new_generation(1), finished_at="f")
    state.record_generation(new_generation(2, intent=[], edges=[], packages=[]),
                            finished_at="f")

    assert len(state.packages(1)) == 2
    assert (state.intent(2), state.packages(2), state.edges(2)) == ([], [], [])


def test_unknown_generation_is_refused(state: State):
    with pytest.raises(PyshelfError, match="42"):
        state.generation(42)


def test_duplicate_generation_id_leaves_first_generation_intact(state: State, db_path):
    state.record_generation(new_generation(1), finished_at="f")
    before = row_counts(db_path)

    with pytest.raises((sqlite3.Error, PyshelfError)):
        state.record_generation(new_generation(1, command="again", summary="+9 ~9 -9"),
                                finished_at="f")

    assert row_counts(db_path) == before
    assert [op.command for op in state.operations()] == ["install black"]


def test_failure_late_in_record_generation_leaves_no_partial_rows(state: State, db_path):
    state.record_generation(new_generation(1), finished_at="f")
    before = row_counts(db_path)
    broken = new_generation(2, edges=[Edge("black", "click", ""), Edge("black", "click", "")])

    with pytest.raises((sqlite3.Error, PyshelfError)):
        state.record_generation(broken, finished_at="f")

    assert row_counts(db_path) == before
    assert state.current_generation_id() == 1
    assert (state.intent(2), state.packages(2)) == ([], [])


def test_config_is_empty_initially(state: State):
    assert state.config() == {}


def test_set_config_stores_and_overwrites(state: State):
    state.set_config("python", "/a")
    state.set_config("bin_dir", "/bin")
    state.set_config("python", "/b")

    assert state.config() == {"python": "/b", "bin_dir": "/bin"}


def test_set_config_none_deletes_the_key(state: State):
    state.set_config("python", "/a")
    state.set_config("bin_dir", "/bin")

    state.set_config("python", None)

    assert state.config() == {"bin_dir": "/bin"}


def test_set_config_none_for_missing_key_is_harmless(state: State):
    state.set_config("python", None)

    assert state.config() == {}


def test_config_persists_across_reopen(db_path):
    first = open_state(db_path, create=True)
    first.set_config("index_url", "https://mirror.example/simple")
    first.close()

    again = open_state(db_path)
    try:
        assert again.config() == {"index_url": "https://mirror.example/simple"}
    finally:
        again.close()
