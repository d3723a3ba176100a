"""The shelf database: opening, migrating, refusing, and recording generations atomically."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from tests.support.records import INTERPRETER, new_generation, record

from pyshelf.core.model import Edge, EntryMetadata, IntentEntry, IsolatedApp
from pyshelf.errors import DiskFullError, NotInitializedError, PyshelfError
from pyshelf.store.database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    InaccessibleDatabase,
    OperationRecord,
    State,
    StoreEntryRecord,
    StoreUsage,
    UnreadableDatabase,
    database_error,
    error_kind,
    error_name,
    open_state,
    quick_check_problems,
)

GENERATION_TABLES = ("generations", "generation_requirements", "generation_packages",
                     "generation_dependencies", "operations", "meta")


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in GENERATION_TABLES}


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
    record(state, new_generation(1))

    assert state.current_generation_id() == 1
    assert state.highest_generation_id() == 1


def test_recorded_generation_round_trips(state: State):
    new = new_generation(1)

    record(state, new)
    stored = state.generation(1)

    assert (stored.id, stored.created_at, stored.interpreter, stored.marker_env) == (
        1, new.created_at, INTERPRETER, new.marker_env)
    assert stored.lock.text == new.lock_text
    assert {n: p.version for n, p in stored.lock.packages.items()} == {
        "black": "24.1.0", "click": "8.1.7"}


def test_intent_packages_and_edges_round_trip(state: State):
    new = new_generation(1, intent=[
        IntentEntry(name="zeta", spec="zeta", added_at="a"),
        IntentEntry(name="alpha", spec="alpha==1.0", role="kept", source_path="/src",
                    added_at="b"),
    ])

    record(state, new)

    assert state.intent(1) == sorted(new.intent, key=lambda e: e.name)
    assert state.packages(1) == new.packages
    assert state.edges(1) == new.edges


def test_requirements_as_the_metadata_states_them_round_trip(state: State):
    requires = {"black": ("click>=8.0", 'aiohttp>=3.10; extra == "d"'), "click": ()}
    record(state, new_generation(1, requires=requires))
    record(state, new_generation(2))  # as recorded before requirements were kept

    assert state.requires(1) == requires
    assert state.requires(2) == {}


def test_operation_is_recorded_with_its_id(state: State):
    new = new_generation(1)

    op_id = record(state, new, finished_at="2024-01-01T10:01:00")

    assert state.operations() == [OperationRecord(
        id=op_id, command="install black", from_gen=None, to_gen=1,
        started_at=f"{new.created_at}-start", finished_at="2024-01-01T10:01:00",
        status="done", summary="+2 ~0 -0")]


def test_operations_are_newest_first_and_limited(state: State):
    for gen_id in (1, 2, 3):
        record(state, new_generation(gen_id), command=f"c{gen_id}")

    assert [op.command for op in state.operations()] == ["c3", "c2", "c1"]
    assert [op.command for op in state.operations(limit=2)] == ["c3", "c2"]
    assert state.current_generation_id() == 3


def test_generations_keep_their_own_rows(state: State):
    record(state, new_generation(1))
    record(state, new_generation(2, intent=[], edges=[], packages=[]))

    assert len(state.packages(1)) == 2
    assert (state.intent(2), state.packages(2), state.edges(2)) == ([], [], [])


def test_unknown_generation_is_refused(state: State):
    with pytest.raises(PyshelfError, match="42"):
        state.generation(42)


def test_duplicate_generation_id_leaves_first_generation_intact(state: State, db_path):
    record(state, new_generation(1))
    before = row_counts(db_path)

    with pytest.raises((sqlite3.Error, PyshelfError)):
        record(state, new_generation(1), command="again", summary="+9 ~9 -9")

    assert row_counts(db_path) == {**before, "operations": before["operations"] + 1}
    assert [(op.command, op.status) for op in state.operations()] == [
        ("again", "running"), ("install black", "done")]


def test_failure_late_in_record_generation_leaves_no_partial_rows(state: State, db_path):
    record(state, new_generation(1))
    before = row_counts(db_path)
    broken = new_generation(2, edges=[Edge("black", "click", ""), Edge("black", "click", "")])

    with pytest.raises((sqlite3.Error, PyshelfError)):
        record(state, broken)

    assert row_counts(db_path) == {**before, "operations": before["operations"] + 1}
    assert state.current_generation_id() == 1
    assert (state.intent(2), state.packages(2)) == ([], [])


def test_a_switch_back_takes_its_interpreter_in_the_same_transaction(state: State):
    record(state, new_generation(1))
    record(state, new_generation(2))
    state.set_config("python", "/new/python3.13")

    state.record_switch(command="undo", from_gen=2, to_gen=1, started_at="s", finished_at="f",
                        summary="Python 3.13.0 -> 3.12.1; +0 ~0 -0", python="/old/python3.12")
    state.record_switch(command="undo", from_gen=1, to_gen=2, started_at="s", finished_at="f",
                        summary="+0 ~0 -0")

    assert state.current_generation_id() == 2
    assert state.config()["python"] == "/old/python3.12"  # None leaves the setting alone


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


def test_journalled_change_is_running_until_recorded(state: State):
    record(state, new_generation(1))
    op_id = state.begin_operation(command="install x", from_gen=1, to_gen=2, started_at="s")

    assert [(op.id, op.status, op.finished_at) for op in state.running_operations()] == [
        (op_id, "running", None)]
    assert state.highest_generation_id() == 2
    assert [op.command for op in state.operations(done_only=True)] == ["install black"]


def test_abandoned_change_leaves_no_trace(state: State, db_path):
    record(state, new_generation(1))
    before = row_counts(db_path)

    state.abandon_operation(state.begin_operation(command="install x", from_gen=1, to_gen=2,
                                                  started_at="s"))

    assert row_counts(db_path) == before
    assert state.highest_generation_id() == 1


def test_interrupted_change_is_marked_failed_and_never_finished(state: State):
    record(state, new_generation(1))
    op_id = state.begin_operation(command="install x", from_gen=1, to_gen=2, started_at="s")

    state.mark_failed(op_id, finished_at="later", summary="interrupted")

    failed = state.operation(op_id)
    assert failed is not None and (failed.status, failed.summary) == ("failed", "interrupted")
    assert state.running_operations() == []
    with pytest.raises(PyshelfError, match="no longer running"):
        state.record_generation(new_generation(2), op_id=op_id, finished_at="f", summary="")
    assert state.current_generation_id() == 1


def test_version_2_history_survives_the_journal_migration(db_path):
    with closing(sqlite3.connect(db_path)) as db:
        db.executescript(MIGRATIONS[0] + MIGRATIONS[1])
        db.execute("INSERT INTO operations (command, from_gen, to_gen, started_at, finished_at,"
                   " status, summary) VALUES ('pyshelf init', NULL, 0, 's', 'f', 'done', '')")
        db.execute("PRAGMA user_version = 2")
        db.commit()

    migrated = open_state(db_path)
    try:
        assert migrated.operations() == [OperationRecord(
            id=1, command="pyshelf init", from_gen=None, to_gen=0, started_at="s",
            finished_at="f", status="done", summary="")]
    finally:
        migrated.close()


# -- what SQLite's errors mean ---------------------------------------------------------------

@pytest.mark.parametrize(("message", "name"), [
    ("database disk image is malformed", "SQLITE_CORRUPT"),
    ("malformed database schema (config) - near \"x\"", "SQLITE_CORRUPT"),
    ("file is not a database", "SQLITE_NOTADB"),
    ("database or disk is full", "SQLITE_FULL"),
    ("unable to open database file", "SQLITE_CANTOPEN"),
    ("attempt to write a readonly database", "SQLITE_READONLY"),
    ("disk I/O error", "SQLITE_IOERR"),
    ("UNIQUE constraint failed: config.key", ""),
])
def test_error_name_is_read_off_the_message_where_python_gives_no_code(message, name):
    assert error_name(sqlite3.OperationalError(message)) == name


def test_error_name_prefers_the_code_sqlite_gave():
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"

    assert error_name(exc) == "SQLITE_IOERR_SHMSIZE"


@pytest.mark.parametrize(("message", "kind"), [
    ("database disk image is malformed", "damaged"),
    ("file is not a database", "damaged"),
    ("database or disk is full", "full"),
    ("unable to open database file", "inaccessible"),
    ("attempt to write a readonly database", "inaccessible"),
    ("disk I/O error", None),  # with room on the disk: not a full disk, and not damage either
    ("database is locked", None),
])
def test_only_corrupt_pages_or_a_foreign_file_count_as_damage(db_path, message, kind):
    assert error_kind(sqlite3.OperationalError(message), db_path) == kind


def test_each_kind_of_error_has_its_own_sentence(db_path):
    damaged = database_error(sqlite3.DatabaseError("database disk image is malformed"), db_path)
    full = database_error(sqlite3.OperationalError("database or disk is full"), db_path)
    forbidden = database_error(sqlite3.OperationalError("unable to open database file"),
                               db_path)

    assert isinstance(damaged, UnreadableDatabase) and "doctor --fix" in damaged.message
    assert isinstance(full, DiskFullError) and full.message.endswith("nothing was changed.")
    assert isinstance(forbidden, InaccessibleDatabase)
    assert forbidden.message == (f"The shelf database {db_path} cannot be opened: unable to "
                                 "open database file; it was left as it is.")
    assert "doctor --fix" not in forbidden.message
    assert database_error(sqlite3.IntegrityError("UNIQUE constraint failed"), db_path) is None
    assert database_error(ValueError("not SQLite's"), db_path) is None


def test_a_write_refused_by_sqlite_is_named_and_records_nothing(state: State, db_path):
    state.set_config("python", "/usr/bin/python3")
    read_only = State(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True), db_path)

    with pytest.raises(InaccessibleDatabase, match=r"cannot be written: .*nothing was changed"):
        read_only.set_config("python", "/opt/python3")

    assert read_only.config() == {"python": "/usr/bin/python3"}
    read_only.close()


def test_quick_check_findings_are_one_problem_per_line():
    rows = ["*** in database main ***\nPage 19: btreeInitPage() returns error code 11\n"
            "Page 17: btreeInitPage() returns error code 11", "row 3 missing from index x"]

    assert quick_check_problems(rows) == ["Page 19: btreeInitPage() returns error code 11",
                                          "Page 17: btreeInitPage() returns error code 11",
                                          "row 3 missing from index x"]
    assert quick_check_problems(["ok"]) == []


def test_corrupt_pages_past_the_header_open_but_fail_the_check(state: State, db_path):
    record(state, new_generation(1))
    state.close()
    with closing(sqlite3.connect(db_path)) as db:
        roots = db.execute("SELECT rootpage FROM sqlite_schema WHERE type = 'index'").fetchall()
    data = bytearray(db_path.read_bytes())
    for (page,) in roots:
        data[(page - 1) * 4096:(page - 1) * 4096 + 8] = bytes(8)
    db_path.write_bytes(data)

    damaged = open_state(db_path)
    try:
        assert len(damaged.damage()) == len(roots) > 1
        with pytest.raises(sqlite3.DatabaseError) as failed:
            damaged.current_generation_id()
        assert isinstance(database_error(failed.value, db_path), UnreadableDatabase)
    finally:
        damaged.close()


def test_env_dirs_of_generations_being_collected_are_no_longer_in_use(state: State):
    record(state, new_generation(1, isolated=[IsolatedApp("black", "black", env_dir="black-1")]))
    record(state, new_generation(2, isolated=[IsolatedApp("black", "black", env_dir="black-2")]))

    assert state.isolated_env_dirs() == {"black-1", "black-2"}
    assert state.isolated_env_dirs([1]) == {"black-2"}


def test_schema_5_gains_the_store_tables_and_its_generations_have_no_size(db_path):
    with closing(sqlite3.connect(db_path)) as db:
        for migration in MIGRATIONS[:5]:
            db.executescript(migration)
        db.execute("INSERT INTO generations VALUES (1, 't', 'p', 'r', 'cpython', '3.12', '{}',"
                   " '', 'ready')")
        db.execute("PRAGMA user_version = 5")
        db.commit()

    migrated = open_state(db_path)
    try:
        assert migrated.generation_sizes() == {1: None}  # built the old way: size unknown
        assert migrated.store_usage() == StoreUsage(0, 0, 0)
        record(migrated, new_generation(2, store_entries=[BLACK_ENTRY], own_size=(300, 4)))
        assert migrated.generation_sizes() == {1: None, 2: (300, 4)}
    finally:
        migrated.close()
    assert user_version(db_path) == SCHEMA_VERSION


BLACK_ENTRY = StoreEntryRecord("black-24.1.0-k1", "black", "24.1.0", 1000, 10, "t")
CLICK_ENTRY = StoreEntryRecord("click-8.1.7-k2", "click", "8.1.7", 500, 5, "t")


def test_store_entries_are_counted_once_and_forgotten_with_their_collection(state: State):
    record(state, new_generation(1, store_entries=[BLACK_ENTRY, CLICK_ENTRY]))
    record(state, new_generation(2, store_entries=[CLICK_ENTRY]))  # shares click's entry

    assert state.store_usage() == StoreUsage(2, 1500, 15)

    state.mark_collected([1], entries_gone=[BLACK_ENTRY.entry])

    assert state.store_usage() == StoreUsage(1, 500, 5)
    assert list(state.generation_sizes()) == [2]


def test_an_entrys_metadata_is_recorded_once_and_filled_in_where_it_was_missing(state: State):
    metadata = EntryMetadata("Black", ("click>=8", 'tomli; python_version < "3.11"'),
                             ("black", "blackd"))
    record(state, new_generation(1, store_entries=[BLACK_ENTRY, CLICK_ENTRY]))

    assert state.entry_metadata([BLACK_ENTRY.entry, CLICK_ENTRY.entry]) == {}
    record(state, new_generation(2, store_entries=[BLACK_ENTRY._replace(metadata=metadata)]))
    record(state, new_generation(3, store_entries=[
        BLACK_ENTRY._replace(metadata=EntryMetadata("black", (), ()))]))  # the first stands
    assert state.entry_metadata([BLACK_ENTRY.entry, CLICK_ENTRY.entry, "gone-1-k"]) == {
        BLACK_ENTRY.entry: metadata}
