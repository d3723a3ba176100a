"""The shelf's record: SQLite schema, migrations and every query (the only module with SQL).

The database is the truth about what the shelf holds; the ``env`` symlink only follows it.
A change is journalled as a ``running`` operation before it builds, and everything else it
writes goes in one transaction after its generation is built and switched: an interrupted
change leaves the record as it was plus that one row, which tells the next pyshelf what to
clean up.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from contextlib import contextmanager

from pyshelf.core.model import (
    Edge,
    EntryMetadata,
    InstalledPackage,
    IntentEntry,
    Interpreter,
    IsolatedApp,
    Lock,
    LockedPackage,
)
from pyshelf.core.records import NamedTuple
from pyshelf.errors import DiskFullError, NotInitializedError, PyshelfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
    from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 1: the generational model
    """
    CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE generations (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        python_path TEXT NOT NULL,
        python_resolved TEXT NOT NULL,
        python_implementation TEXT NOT NULL,
        python_version TEXT NOT NULL,
        marker_env TEXT NOT NULL,
        lock_text TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ready', 'collected'))
    );
    CREATE TABLE generation_requirements (
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        kind TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('explicit', 'kept')),
        source_path TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (gen_id, name)
    );
    CREATE TABLE generation_packages (
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        name TEXT NOT NULL,
        display_name TEXT NOT NULL,
        version TEXT NOT NULL,
        is_explicit INTEGER NOT NULL,
        source TEXT NOT NULL,
        installed_at TEXT NOT NULL,
        PRIMARY KEY (gen_id, name)
    );
    CREATE TABLE generation_dependencies (
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        package TEXT NOT NULL,
        requires TEXT NOT NULL,
        specifier TEXT NOT NULL,
        PRIMARY KEY (gen_id, package, requires)
    );
    CREATE TABLE operations (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        from_gen INTEGER,
        to_gen INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    """,
    # 2: named snapshots, which pin their generation against collection
    """
    CREATE TABLE snapshots (
        name TEXT PRIMARY KEY,
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        created_at TEXT NOT NULL
    );
    """,
    # 3: a change is journalled as running before it builds, so a killed one is found later
    """
    CREATE TABLE operations_v3 (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        from_gen INTEGER,
        to_gen INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        summary TEXT NOT NULL
    );
    INSERT INTO operations_v3 SELECT * FROM operations;
    DROP TABLE operations;
    ALTER TABLE operations_v3 RENAME TO operations;
    """,
    # 4: with expose = apps, the person's choices of which commands go into the bin dir
    """
    CREATE TABLE exposure (
        kind TEXT NOT NULL CHECK (kind IN ('package', 'command')),
        name TEXT NOT NULL,
        exposed INTEGER NOT NULL CHECK (exposed IN (0, 1)),
        PRIMARY KEY (kind, name)
    );
    """,
    # 5: apps in environments of their own, carried by each generation
    """
    CREATE TABLE generation_isolated (
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        with_specs TEXT NOT NULL,
        added_at TEXT NOT NULL,
        env_dir TEXT NOT NULL,
        lock_text TEXT NOT NULL,
        packages TEXT NOT NULL,
        edges TEXT NOT NULL,
        PRIMARY KEY (gen_id, name)
    );
    """,
    # 6: the package store's entries with their sizes, which generation uses which, and
    # each generation's own size, so status adds up the disk without walking it
    """
    CREATE TABLE store_entries (
        entry TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        files INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE generation_entries (
        generation_id INTEGER NOT NULL REFERENCES generations(id),
        entry TEXT NOT NULL,
        PRIMARY KEY (generation_id, entry)
    );
    ALTER TABLE generations ADD COLUMN own_bytes INTEGER;
    ALTER TABLE generations ADD COLUMN own_files INTEGER;
    """,
    # 7: each package's requirements as its metadata states them (markers and extras not
    # evaluated), so a removal can tell what the rest still needs without the resolver
    """
    CREATE TABLE generation_requires (
        gen_id INTEGER NOT NULL REFERENCES generations(id),
        package TEXT NOT NULL,
        requires TEXT NOT NULL,
        PRIMARY KEY (gen_id, package)
    );
    """,
    # 8: what each store entry's distribution says about itself (its name as written, its
    # requirements, its commands), read once, so a change reads no METADATA or RECORD of
    # the packages it keeps; null for an entry recorded before
    """
    ALTER TABLE store_entries ADD COLUMN display_name TEXT;
    ALTER TABLE store_entries ADD COLUMN requires TEXT;
    ALTER TABLE store_entries ADD COLUMN commands TEXT;
    """,
    # 9: the generation's requirements evaluated for its environment (``core/reach.py``),
    # and its lock's packages as read when it was recorded, so that the next removal or
    # change of role parses neither; null before
    """
    ALTER TABLE generations ADD COLUMN reach TEXT;
    ALTER TABLE generations ADD COLUMN lock_packages TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
_PARAMETERS = 500  # per query, well below SQLite's oldest limit of 999
_DESCRIBED = "described_interpreter"  # meta key: the facts a change last started one for


class UnreadableDatabase(PyshelfError):
    """The file is damaged or not a pyshelf database: ``doctor --fix`` may set it aside.
    ``reason`` is what follows the path ("cannot be read (...)"), for doctor's own line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"The shelf database {path} {reason}; it is left untouched "
                         "(`pyshelf doctor --fix` sets it aside and rebuilds it from the "
                         "generations on disk).")
        self.reason = reason


class InaccessibleDatabase(PyshelfError):
    """A file this process may not open or write (permissions, a read-only file system):
    it is not damaged, so it is never set aside; setting it aside would lose its history
    and snapshots for nothing."""

    def __init__(self, path: Path, reason: str, *, writing: bool = False,
                 detail: str = "") -> None:
        if writing:
            message = f"The shelf database {path} cannot be written: {reason}; nothing was changed."
        else:
            message = f"The shelf database {path} cannot be opened: {reason}; it was left as it is."
        super().__init__(message, detail=detail)
        self.reason = reason


class NewerDatabase(PyshelfError):
    """Written by a newer pyshelf: only upgrading pyshelf helps, never rebuilding."""


class GenerationRecord(NamedTuple):
    id: int
    created_at: str
    interpreter: Interpreter
    marker_env: dict[str, str]
    lock: Lock


class StoreEntryRecord(NamedTuple):
    """A store entry as the database knows it: its folder's name and what it holds."""

    entry: str
    name: str
    version: str
    bytes: int
    files: int
    created_at: str
    metadata: EntryMetadata | None = None  # None: not read yet (an older entry)


class StoreUsage(NamedTuple):
    entries: int
    bytes: int
    files: int


class NewGeneration(NamedTuple):
    """Everything one change writes, committed together or not at all."""

    id: int
    created_at: str
    interpreter: Interpreter
    marker_env: dict[str, str]
    lock_text: str
    intent: list[IntentEntry]
    packages: list[InstalledPackage]
    edges: list[Edge]
    isolated: Sequence[IsolatedApp] = ()
    # the store entries it (and its isolated apps) are composed of
    store_entries: Sequence[StoreEntryRecord] = ()
    own_size: tuple[int, int] | None = None  # (bytes, files); None: not composed
    requires: Mapping[str, Sequence[str]] = {}  # package -> Requires-Dist
    reach: str | None = None  # core.reach's record, as its JSON
    lock: Lock | None = None  # ``lock_text`` as read, where the change has it
    # (identity, what it printed) of the interpreter, when the change had to start it
    described: tuple[str, str] | None = None


class SnapshotRecord(NamedTuple):
    name: str
    gen_id: int
    created_at: str


class OperationRecord(NamedTuple):
    id: int
    command: str
    from_gen: int | None
    to_gen: int
    started_at: str
    finished_at: str | None
    status: str  # running, done or failed
    summary: str


class State:
    """An open shelf database. ``without_room`` says it was opened on a disk too full for
    SQLite's ``-shm`` file (see :func:`open_state`): it reads, but a change has no room."""

    def __init__(self, connection: sqlite3.Connection, path: Path, *,
                 without_room: bool = False) -> None:
        self._db = connection
        self.path = path
        self.without_room = without_room
        # entry -> its recorded metadata: an entry never changes, and a change asks twice
        self._entry_metadata: dict[str, EntryMetadata] = {}
        self._entry_names: dict[str, str] = {}  # read with the metadata

    def close(self) -> None:
        self._db.close()

    def __del__(self) -> None:
        """Closed when nothing holds it any more. A sqlite3 connection is part of a cycle
        (through its statement cache), so without this it would stay open until a
        garbage collection finds it: a report, whose process does without the collections
        at exit, would leave its ``-wal`` and ``-shm`` files behind."""
        self._db.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction, committed or rolled back whole. SQLite's "database or disk is
        full" or "attempt to write a readonly database" becomes the sentence that says what
        is wrong and what to do: the rollback means nothing was recorded, and a traceback
        would hide that."""
        try:
            with self._db:
                yield
        except sqlite3.Error as exc:
            problem = database_error(exc, self.path, writing=True)
            if problem is not None:
                raise problem from exc
            raise

    # -- settings -------------------------------------------------------------------------
    def damage(self) -> list[str]:
        """What SQLite's own quick check finds wrong, one problem per item (empty when the
        file is sound); a database can open and still have damaged pages. Only damage is
        reported as damage: a full disk or a lost permission is raised as what it is."""
        try:
            rows = self._db.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:
            if error_kind(exc, self.path) != "damaged":
                raise
            return [str(exc)]
        return quick_check_problems([str(row[0]) for row in rows])

    def config(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM config").fetchall())

    def set_config(self, key: str, value: str | None) -> None:
        with self._writing():
            self._put_config(key, value)

    def _put_config(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM config WHERE key = ?", (key,))
        else:
            self._db.execute(
                "INSERT INTO config (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- meta -----------------------------------------------------------------------------
    def meta_value(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta_value(self, key: str, value: str) -> None:
        with self._writing():
            self._put_meta(key, value)

    # -- generations ----------------------------------------------------------------------
    def current_generation_id(self) -> int | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'current_generation'").fetchone()
        return int(row[0]) if row else None

    def highest_generation_id(self) -> int | None:
        """The highest number recorded anywhere, an interrupted change's included, so a
        number never means two different generations in the history."""
        row = self._db.execute(
            "SELECT max(id) FROM (SELECT id FROM generations UNION ALL"
            " SELECT to_gen FROM operations)"
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def generation(self, gen_id: int) -> GenerationRecord:
        row = self._db.execute(
            "SELECT id, created_at, python_path, python_resolved, python_implementation,"
            " python_version, marker_env, lock_text, lock_packages FROM generations"
            " WHERE id = ?", (gen_id,),
        ).fetchone()
        if row is None:
            raise PyshelfError(f"Generation {gen_id} is not recorded in the shelf.")
        return GenerationRecord(
            id=row[0],
            created_at=row[1],
            interpreter=Interpreter(path=row[2], resolved=row[3], implementation=row[4],
                                    version=row[5]),
            marker_env=json.loads(row[6]),
            lock=(Lock(row[7], {p[0]: LockedPackage(*p) for p in json.loads(row[8])})
                  if row[8] is not None else self._parsed_lock(gen_id, row[7])),
        )

    def _parsed_lock(self, gen_id: int, text: str) -> Lock:
        """A lock recorded before its packages were kept with it, read by ``packaging``."""
        from pyshelf.core.lockfile import parse_lock

        editable_names = {e.source_path: e.name for e in self.intent(gen_id)
                          if e.kind == "editable" and e.source_path}
        return parse_lock(text, editable_names)

    def interpreter(self, gen_id: int) -> Interpreter:
        """A generation's interpreter alone: every command checks it, so no lock is parsed."""
        row = self._db.execute(
            "SELECT python_path, python_resolved, python_implementation, python_version"
            " FROM generations WHERE id = ?", (gen_id,),
        ).fetchone()
        if row is None:
            raise PyshelfError(f"Generation {gen_id} is not recorded in the shelf.")
        return Interpreter(*row)

    def generation_states(self) -> dict[int, str]:
        """Every recorded generation and whether it is on disk (``ready``) or collected."""
        return dict(self._db.execute("SELECT id, state FROM generations ORDER BY id").fetchall())

    def mark_collected(self, gen_ids: Iterable[int], entries_gone: Iterable[str] = ()
                       ) -> None:
        """Record generations as collected, and the store entries that went with them."""
        with self._writing():
            self._db.executemany("UPDATE generations SET state = 'collected' WHERE id = ?",
                                 [(g,) for g in gen_ids])
            self._forget_entries(entries_gone)

    def set_entry_sizes(self, sizes: Mapping[str, tuple[int, int]]) -> None:
        """entry -> (bytes, files) of entries whose bytecode was compiled after they were
        recorded."""
        with self._writing():
            self._db.executemany(
                "UPDATE store_entries SET bytes = ?, files = ? WHERE entry = ?",
                [(used, files, entry) for entry, (used, files) in sizes.items()])

    def forget_store_entries(self, entries: Iterable[str]) -> None:
        """Store entries removed from disk (damaged ones doctor set aside)."""
        with self._writing():
            self._forget_entries(entries)

    def _forget_entries(self, entries: Iterable[str]) -> None:
        gone = list(entries)
        self._db.executemany("DELETE FROM store_entries WHERE entry = ?", [(e,) for e in gone])
        for entry in gone:
            self._entry_metadata.pop(entry, None)
            self._entry_names.pop(entry, None)

    def entry_metadata(self, entries: Iterable[str]) -> dict[str, EntryMetadata]:
        """entry -> its metadata, for the ``entries`` whose metadata was recorded."""
        known = self._entry_metadata
        asked = list(entries)
        wanted = [entry for entry in dict.fromkeys(asked) if entry not in known]
        for start in range(0, len(wanted), _PARAMETERS):
            part = wanted[start:start + _PARAMETERS]
            rows = self._db.execute(
                "SELECT entry, display_name, requires, commands, name FROM store_entries"
                f" WHERE entry IN ({', '.join('?' * len(part))})"
                " AND display_name IS NOT NULL AND requires IS NOT NULL"
                " AND commands IS NOT NULL", part).fetchall()
            # the columns hold JSON arrays: one decode for all of them, not two per entry
            decoded = json.loads("[" + ",".join(f"[{requires},{commands}]"
                                                for _, _, requires, commands, _ in rows) + "]")
            known.update({row[0]: EntryMetadata(row[1], tuple(requires), tuple(commands))
                          for row, (requires, commands) in zip(rows, decoded, strict=True)})
            self._entry_names.update((row[0], row[4]) for row in rows)
        return {entry: known[entry] for entry in asked if entry in known}

    def entry_names(self, entries: Iterable[str]) -> dict[str, str]:
        """entry -> the canonical name of its distribution, for the entries whose metadata
        was recorded (the name is read with it)."""
        asked = list(entries)
        self.entry_metadata(asked)
        return {entry: self._entry_names[entry] for entry in asked if entry in self._entry_names}

    def store_usage(self) -> StoreUsage:
        count, used, files = self._db.execute(
            "SELECT count(*), coalesce(sum(bytes), 0), coalesce(sum(files), 0)"
            " FROM store_entries").fetchone()
        return StoreUsage(count, used, files)

    def generation_sizes(self) -> dict[int, tuple[int, int] | None]:
        """Each generation on disk's own size (bytes, files): its links and the files
        written into it, not the store's; None for one built before sizes were recorded."""
        rows = self._db.execute("SELECT id, own_bytes, own_files FROM generations"
                                " WHERE state = 'ready' ORDER BY id").fetchall()
        return {gen_id: None if used is None else (used, files)
                for gen_id, used, files in rows}

    def intent(self, gen_id: int) -> list[IntentEntry]:
        rows = self._db.execute(
            "SELECT name, spec, kind, role, source_path, added_at FROM generation_requirements"
            " WHERE gen_id = ? ORDER BY name",
            (gen_id,),
        ).fetchall()
        return [IntentEntry(*row) for row in rows]

    def packages(self, gen_id: int) -> list[InstalledPackage]:
        rows = self._db.execute(
            "SELECT p.name, p.display_name, p.version, p.is_explicit, p.source, p.installed_at,"
            " r.source_path FROM generation_packages p LEFT JOIN generation_requirements r"
            " ON r.gen_id = p.gen_id AND r.name = p.name WHERE p.gen_id = ? ORDER BY p.name",
            (gen_id,),
        ).fetchall()
        return [
            InstalledPackage(name=r[0], display_name=r[1], version=r[2], is_explicit=bool(r[3]),
                             source=r[4], installed_at=r[5], source_path=r[6])
            for r in rows
        ]

    def isolated(self, gen_id: int) -> list[IsolatedApp]:
        rows = self._db.execute(
            "SELECT name, spec, with_specs, added_at, env_dir, lock_text, packages, edges"
            " FROM generation_isolated WHERE gen_id = ? ORDER BY name", (gen_id,),
        ).fetchall()
        return [IsolatedApp(
            name=r[0], spec=r[1], with_specs=tuple(json.loads(r[2])), added_at=r[3],
            env_dir=r[4], lock_text=r[5],
            packages=tuple(InstalledPackage(**p) for p in json.loads(r[6])),
            edges=tuple(Edge(**e) for e in json.loads(r[7])),
        ) for r in rows]

    def isolated_env_dirs(self, leaving: Collection[int] = ()) -> set[str]:
        """Every environment folder a generation still on disk relies on, not counting the
        generations ``leaving`` it (a collection in progress, not yet recorded)."""
        rows = self._db.execute(
            "SELECT i.gen_id, i.env_dir FROM generation_isolated i JOIN generations g"
            " ON g.id = i.gen_id WHERE g.state = 'ready'").fetchall()
        return {env_dir for gen_id, env_dir in rows if gen_id not in leaving}

    def edges(self, gen_id: int) -> list[Edge]:
        rows = self._db.execute(
            "SELECT package, requires, specifier FROM generation_dependencies WHERE gen_id = ?"
            " ORDER BY package, requires",
            (gen_id,),
        ).fetchall()
        return [Edge(*row) for row in rows]

    def requires(self, gen_id: int) -> dict[str, tuple[str, ...]]:
        """Each package's requirements as its metadata states them; a generation recorded
        before they were kept has none."""
        rows = self._db.execute(
            "SELECT package, requires FROM generation_requires WHERE gen_id = ?", (gen_id,),
        ).fetchall()
        decoded = json.loads("[" + ",".join(requires for _, requires in rows) + "]")  # at once
        return {package: tuple(requires)
                for (package, _), requires in zip(rows, decoded, strict=True)}

    def reach(self, gen_id: int) -> str | None:
        """The generation's evaluated requirements as recorded (``core.reach.to_json``);
        None for a generation recorded before they were kept."""
        row = self._db.execute("SELECT reach FROM generations WHERE id = ?",
                               (gen_id,)).fetchone()
        return None if row is None else row[0]

    def begin_operation(self, *, command: str, from_gen: int | None, to_gen: int,
                        started_at: str) -> int:
        """Journal a change before it touches the disk; returns the operation id."""
        with self._writing():
            cursor = self._db.execute(
                "INSERT INTO operations (command, from_gen, to_gen, started_at, status,"
                " summary) VALUES (?, ?, ?, ?, 'running', '')",
                (command, from_gen, to_gen, started_at),
            )
            return int(cursor.lastrowid or 0)

    def abandon_operation(self, op_id: int) -> None:
        """Forget a journalled change that failed cleanly: it changed nothing. If even that
        cannot be written (the disk is full, say), the row stays and the next pyshelf marks
        it failed; the caller is already reporting why the change failed."""
        with contextlib.suppress(sqlite3.Error, PyshelfError), self._writing():
            self._db.execute("DELETE FROM operations WHERE id = ? AND status = 'running'",
                             (op_id,))

    def running_operations(self) -> list[OperationRecord]:
        return self._operation_rows("WHERE status = 'running'", ())

    def mark_failed(self, op_id: int, *, finished_at: str, summary: str) -> None:
        with self._writing():
            self._db.execute(
                "UPDATE operations SET status = 'failed', finished_at = ?, summary = ?"
                " WHERE id = ?", (finished_at, summary, op_id),
            )

    def record_generation(self, new: NewGeneration, *, op_id: int, finished_at: str,
                          summary: str) -> None:
        """Write a built, switched generation, finish its journalled operation and make it
        current, all in one transaction."""
        with self._writing():
            self._insert_generation(new)
            self._finish_operation(op_id, finished_at, summary)
            self._set_current(new.id)
            if new.described is not None:
                self._put_meta(_DESCRIBED, json.dumps(new.described))

    def described_interpreter(self) -> tuple[str, str] | None:
        """(identity, what it printed) of the last interpreter a change described."""
        row = self.meta_value(_DESCRIBED)
        try:
            identity, printed = json.loads(row) if row else (None, None)
        except (ValueError, TypeError):
            return None
        return (identity, printed) if isinstance(identity, str) and isinstance(printed, str) \
            else None

    def restore_generation(self, new: NewGeneration) -> None:
        """Write a generation found on disk, with no operation (rebuilding a lost record)."""
        with self._writing():
            self._insert_generation(new)

    def record_switch(self, *, command: str, from_gen: int | None, to_gen: int, started_at: str,
                      finished_at: str, summary: str, python: str | None = None) -> int:
        """Make an existing generation current again (undo, rollback, restore); ``python``,
        the interpreter it was built on, becomes the setting in the same transaction, so
        the next change builds on it too."""
        with self._writing():
            cursor = self._db.execute(
                "INSERT INTO operations (command, from_gen, to_gen, started_at, finished_at,"
                " status, summary) VALUES (?, ?, ?, ?, ?, 'done', ?)",
                (command, from_gen, to_gen, started_at, finished_at, summary),
            )
            self._set_current(to_gen)
            if python is not None:
                self._put_config("python", python)
            return int(cursor.lastrowid or 0)

    def _insert_generation(self, new: NewGeneration) -> None:
        own_bytes, own_files = new.own_size or (None, None)
        self._db.execute(
            "INSERT INTO generations (id, created_at, python_path, python_resolved,"
            " python_implementation, python_version, marker_env, lock_text, state,"
            " own_bytes, own_files, reach, lock_packages)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?, ?)",
            (new.id, new.created_at, new.interpreter.path, new.interpreter.resolved,
             new.interpreter.implementation, new.interpreter.version,
             json.dumps(new.marker_env, sort_keys=True), new.lock_text, own_bytes, own_files,
             new.reach, None if new.lock is None or new.lock.text != new.lock_text
             else json.dumps([list(p) for p in new.lock.packages.values()])),
        )
        self._db.executemany(  # an entry never changes, so the first record of it stands
            "INSERT INTO store_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(entry) DO UPDATE SET"
            " display_name = coalesce(display_name, excluded.display_name),"
            " requires = coalesce(requires, excluded.requires),"
            " commands = coalesce(commands, excluded.commands)",
            [(e.entry, e.name, e.version, e.bytes, e.files, e.created_at,
              *((e.metadata.display_name, json.dumps(list(e.metadata.requires)),
                 json.dumps(list(e.metadata.commands))) if e.metadata else (None,) * 3))
             for e in new.store_entries],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO generation_entries VALUES (?, ?)",
            [(new.id, e.entry) for e in new.store_entries],
        )
        self._db.executemany(
            "INSERT INTO generation_requirements VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new.id, e.name, e.spec, e.kind, e.role, e.source_path, e.added_at)
             for e in new.intent],
        )
        self._db.executemany(
            "INSERT INTO generation_packages VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new.id, p.name, p.display_name, p.version, int(p.is_explicit), p.source,
              p.installed_at) for p in new.packages],
        )
        self._db.executemany(
            "INSERT INTO generation_dependencies VALUES (?, ?, ?, ?)",
            [(new.id, e.package, e.requires, e.specifier) for e in new.edges],
        )
        self._db.executemany(
            "INSERT INTO generation_requires VALUES (?, ?, ?)",
            [(new.id, package, json.dumps(list(requires)))
             for package, requires in sorted(new.requires.items())],
        )
        self._db.executemany(
            "INSERT INTO generation_isolated VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(new.id, app.name, app.spec, json.dumps(list(app.with_specs)), app.added_at,
              app.env_dir, app.lock_text, json.dumps([p._asdict() for p in app.packages]),
              json.dumps([e._asdict() for e in app.edges])) for app in new.isolated],
        )

    def _finish_operation(self, op_id: int, finished_at: str, summary: str) -> None:
        updated = self._db.execute(
            "UPDATE operations SET status = 'done', finished_at = ?, summary = ?"
            " WHERE id = ? AND status = 'running'", (finished_at, summary, op_id),
        ).rowcount
        if updated != 1:
            raise PyshelfError(f"Operation {op_id} is no longer running; nothing was recorded.")

    def _set_current(self, gen_id: int) -> None:
        self._put_meta("current_generation", str(gen_id))

    def _put_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- snapshots ------------------------------------------------------------------------
    def snapshots(self) -> list[SnapshotRecord]:
        rows = self._db.execute(
            "SELECT name, gen_id, created_at FROM snapshots ORDER BY created_at, name"
        ).fetchall()
        return [SnapshotRecord(*row) for row in rows]

    def snapshot(self, name: str) -> SnapshotRecord | None:
        row = self._db.execute(
            "SELECT name, gen_id, created_at FROM snapshots WHERE name = ?", (name,)
        ).fetchone()
        return SnapshotRecord(*row) if row else None

    def save_snapshot(self, name: str, gen_id: int, created_at: str) -> None:
        with self._writing():
            self._db.execute(
                "INSERT INTO snapshots (name, gen_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET gen_id = excluded.gen_id,"
                " created_at = excluded.created_at",
                (name, gen_id, created_at),
            )

    # -- exposure -------------------------------------------------------------------------
    def exposure(self) -> dict[tuple[str, str], bool]:
        """(kind, name) -> exposed, for each package or command the person chose for."""
        rows = self._db.execute("SELECT kind, name, exposed FROM exposure").fetchall()
        return {(kind, name): bool(exposed) for kind, name, exposed in rows}

    def set_exposure(self, kind: str, name: str, exposed: bool | None) -> None:
        """Record a choice; None forgets it, so the default applies again."""
        with self._writing():
            if exposed is None:
                self._db.execute("DELETE FROM exposure WHERE kind = ? AND name = ?",
                                 (kind, name))
            else:
                self._db.execute(
                    "INSERT INTO exposure (kind, name, exposed) VALUES (?, ?, ?)"
                    " ON CONFLICT(kind, name) DO UPDATE SET exposed = excluded.exposed",
                    (kind, name, int(exposed)),
                )

    def delete_snapshot(self, name: str) -> None:
        with self._writing():
            self._db.execute("DELETE FROM snapshots WHERE name = ?", (name,))

    # -- history --------------------------------------------------------------------------
    def operations(self, limit: int | None = None, *, done_only: bool = False
                   ) -> list[OperationRecord]:
        """Newest first; ``done_only`` leaves out interrupted and running changes, which
        moved nothing (undo and diff count only what really happened)."""
        return self._operation_rows("WHERE status = 'done'" if done_only else "", (),
                                    limit=limit)

    def operation(self, op_id: int) -> OperationRecord | None:
        return next(iter(self._operation_rows("WHERE id = ?", (op_id,))), None)

    def _operation_rows(self, where: str, params: tuple[int, ...], *,
                        limit: int | None = None) -> list[OperationRecord]:
        query = ("SELECT id, command, from_gen, to_gen, started_at, finished_at, status,"
                 f" summary FROM operations {where} ORDER BY id DESC")
        if limit is not None:
            query, params = query + " LIMIT ?", (*params, limit)
        return [OperationRecord(*row) for row in self._db.execute(query, params).fetchall()]


def _migrate(db: sqlite3.Connection, path: Path, *, create: bool) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise NewerDatabase(
            f"{path} was written by a newer pyshelf (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade pyshelf to use this shelf."
        )
    if version == 0 and not create:
        raise UnreadableDatabase(path, "is not a pyshelf database")
    db.execute("PRAGMA journal_mode = WAL")  # only once the file is known to be ours
    for number in range(version, SCHEMA_VERSION):
        db.executescript(
            f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
        )


def quick_check_problems(rows: list[str]) -> list[str]:
    """``PRAGMA quick_check``'s rows as one problem per item: a row may hold several lines,
    and its "*** in database main ***" headings name no problem."""
    lines = (line.strip() for row in rows for line in row.splitlines())
    return [line for line in lines if line and line != "ok" and not line.startswith("***")]


# The primary result code each of SQLite's fixed messages stands for: Python 3.10's
# exceptions carry only the message (``sqlite_errorname`` exists from 3.11).
_CODE_BY_MESSAGE = {
    "database disk image is malformed": "SQLITE_CORRUPT",
    "malformed database schema": "SQLITE_CORRUPT",
    "is not a database": "SQLITE_NOTADB",
    "database or disk is full": "SQLITE_FULL",
    "unable to open database file": "SQLITE_CANTOPEN",
    "attempt to write a readonly database": "SQLITE_READONLY",
    "access permission denied": "SQLITE_PERM",
    "disk I/O error": "SQLITE_IOERR",
}
# What a disk needs free for SQLite to open a WAL database: the -shm file's first 32 KiB
# and a page or two; with less, its "disk I/O error" means the disk is full.
_ROOM_TO_OPEN = 64 * 1024


def error_name(exc: sqlite3.Error) -> str:
    """SQLite's result code, e.g. ``SQLITE_CORRUPT`` or ``SQLITE_IOERR_SHMSIZE`` (empty if
    unknown): the exception's own where Python gives it, else read off the message."""
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_"):
        return name
    return next((code for text, code in _CODE_BY_MESSAGE.items() if text in str(exc)), "")


def error_kind(exc: BaseException, path: Path) -> str | None:
    """What an error of the database at ``path`` means for the person: ``damaged`` (the
    file's pages are corrupt, or it is no database: only this may be set aside), ``full``
    (no room on its disk), ``inaccessible`` (this user or the mount forbids it), or None
    for anything else, which is pyshelf's bug to report."""
    if not isinstance(exc, sqlite3.Error):
        return None
    primary = "_".join(error_name(exc).split("_")[:2])
    if primary in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return "damaged"
    if primary == "SQLITE_FULL" or (primary == "SQLITE_IOERR" and _no_room(path.parent)):
        return "full"
    if primary in ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH"):
        # a -wal that cannot be made for want of an inode also reads "unable to open"
        full = not access_problem(path) and _no_room(path.parent)
        return "full" if full else "inaccessible"
    return None


def database_error(exc: BaseException, path: Path, *, writing: bool = False,
                   unchanged: bool = True) -> PyshelfError | None:
    """The one sentence for a SQLite error of the database at ``path`` (see
    :func:`error_kind`), with SQLite's own words as the detail; None for pyshelf's bugs.
    ``unchanged`` is False where the caller cannot promise that nothing was written."""
    kind = error_kind(exc, path)
    if kind == "damaged":
        return UnreadableDatabase(path, f"cannot be read ({exc})")
    if kind == "full":
        return DiskFullError(path.parent, detail=str(exc), unchanged=unchanged)
    if kind == "inaccessible":
        return InaccessibleDatabase(path, access_problem(path) or str(exc), writing=writing,
                                    detail=str(exc))
    return None


def access_problem(path: Path) -> str:
    """Why this process may not read and write the database and the ``-wal`` and ``-shm``
    files SQLite keeps beside it, as the file system says (empty when nothing forbids it);
    root passes every permission check, as it does in SQLite."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"{folder} is on a read-only file system"
    except OSError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not os.access(file, os.R_OK):
            return f"permission denied (this user may not read {file})"
        if file.exists() and not os.access(file, os.W_OK):
            return f"permission denied (this user may not write {file})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"permission denied (this user may not create files in {folder}, where "
                "SQLite keeps its -wal and -shm files)")
    return ""


def _no_room(directory: Path) -> bool:
    try:
        disk = os.statvfs(directory)
    except OSError:
        return False
    return (disk.f_bavail * disk.f_frsize < _ROOM_TO_OPEN
            or (disk.f_files > 0 and disk.f_favail == 0))


def _open_error(exc: sqlite3.Error, path: Path) -> PyshelfError:
    """An error while opening is never a bug of pyshelf's, but only damage is called
    damage: anything unexplained is named in SQLite's words and leaves the file alone."""
    return database_error(exc, path) or InaccessibleDatabase(path, str(exc))


def _connect(path: Path, *, create: bool, exclusive: bool = False) -> sqlite3.Connection:
    """A connection with pyshelf's settings. ``exclusive`` is for a disk with no room left:
    there SQLite cannot grow the ``-shm`` file that every ordinary connection to a WAL
    database needs, even to read. In exclusive locking mode, set before anything reads the
    file (``synchronous`` already reads the schema), it keeps that index in its own memory
    instead, so the shelf can still be read, and written once ``gc`` has freed room; other
    pyshelf processes wait until it closes, which on a full disk costs little."""
    mode = "rwc" if create else "rw"
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise _open_error(exc, path) from exc
    pragmas = ["locking_mode = EXCLUSIVE"] if exclusive else []
    try:
        for pragma in [*pragmas, "foreign_keys = ON", "synchronous = NORMAL"]:
            db.execute(f"PRAGMA {pragma}")
    except sqlite3.Error as exc:
        db.close()
        raise _open_error(exc, path) from exc
    return db


def _opened(db: sqlite3.Connection, path: Path, *, create: bool,
            without_room: bool = False) -> State:
    try:
        _migrate(db, path, create=create)
    except sqlite3.Error as exc:
        db.close()
        raise _open_error(exc, path) from exc
    except BaseException:
        db.close()
        raise
    return State(db, path, without_room=without_room)


def open_state(path: Path, *, create: bool = False) -> State:
    """Open (and migrate) the shelf database; ``create`` is only for ``init``. On a full
    disk it is opened without its ``-shm`` file, so that reporting commands and ``gc``
    still work; if even that fails, the full disk is what is reported."""
    if not create and not path.exists():
        raise NotInitializedError(
            f"There is no shelf at {path.parent}; run `pyshelf init` first."
        )
    try:
        return _opened(_connect(path, create=create), path, create=create)
    except DiskFullError as full:
        if create:
            raise
        try:
            return _opened(_connect(path, create=False, exclusive=True), path, create=False,
                           without_room=True)
        except (DiskFullError, InaccessibleDatabase):
            raise full from None

