"""Each generation's own copy of its record, and rebuilding a lost database from those copies.

The database is the shelf's memory; if it is damaged, the generations on disk are not. Each
generation therefore carries, next to its lock, what the database says about it (intent,
interpreter, marker environment, and the settings in force when it was built), so that
``pyshelf doctor --fix`` can set a damaged database aside and write a new one that knows every
generation still on disk, which of them is current, and which packages were asked for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pyshelf.core.clock import now
from pyshelf.core.graph import dependency_edges
from pyshelf.core.installed import package_records
from pyshelf.core.lockfile import parse_lock
from pyshelf.core.model import (
    Edge,
    EntryMetadata,
    InstalledPackage,
    IntentEntry,
    Interpreter,
    IsolatedApp,
)
from pyshelf.generations.folders import LOCK_FILE_NAME, generation_ids_on_disk
from pyshelf.generations.recovery import env_target
from pyshelf.layout import Layout, generation_link
from pyshelf.package_store.compose import entries_of, read_composition
from pyshelf.package_store.entries import entry_size, metadata_of
from pyshelf.store.database import NewGeneration, StoreEntryRecord, open_state
from pyshelf.venv import paths
from pyshelf.venv.dist_info import read_distributions

RECORD_FILE_NAME = "pyshelf-generation.json"
RECORD_FORMAT = 1


def store_records(venvs: Sequence[Path], store: Path,
                  known: Mapping[str, EntryMetadata] | None = None) -> list[StoreEntryRecord]:
    """The store entries ``venvs`` (a generation and its isolated apps' environments) are
    composed of, with their sizes and metadata (``known`` by entry, else as the entry
    kept it or its files tell), as the database keeps them."""
    found: dict[str, StoreEntryRecord] = {}
    for venv in venvs:
        for entry in entries_of(venv, store).values():
            size = entry_size(entry)
            metadata = (known or {}).get(entry.path.name) or metadata_of(entry)
            found[entry.path.name] = StoreEntryRecord(entry.path.name, entry.name,
                                                      entry.version, size.bytes, size.files,
                                                      size.created_at, metadata)
    return sorted(found.values(), key=lambda record: record.entry)


def own_size(venv: Path) -> tuple[int, int] | None:
    """(bytes, files) of what is ``venv``'s own, as measured when it was composed."""
    composition = read_composition(venv)
    if composition is None or composition.bytes is None or composition.files is None:
        return None
    return composition.bytes, composition.files


def write_generation_record(gen_dir: Path, new: NewGeneration, settings: Mapping[str, str]
                            ) -> None:
    record = {
        "format": RECORD_FORMAT,
        "id": new.id,
        "created_at": new.created_at,
        "interpreter": new.interpreter._asdict(),
        "marker_env": new.marker_env,
        "intent": [entry._asdict() for entry in new.intent],
        "isolated": [_app_record(app) for app in new.isolated],
        "settings": dict(settings),
    }
    (gen_dir / RECORD_FILE_NAME).write_text(json.dumps(record, indent=1, sort_keys=True),
                                            encoding="utf-8")


def _app_record(app: IsolatedApp) -> dict[str, object]:
    """An isolated app as :func:`_isolated_app` reads it back: its packages and edges are
    records of their own."""
    return {**app._asdict(), "packages": [package._asdict() for package in app.packages],
            "edges": [edge._asdict() for edge in app.edges]}


class UnusableGeneration(Exception):
    """A generation directory without a readable record of its own."""


def read_generation(layout: Layout, gen_id: int) -> tuple[NewGeneration, dict[str, str]]:
    """The database rows of one generation, from its own files; and its settings."""
    from packaging.requirements import InvalidRequirement, Requirement  # recovery only

    gen_dir = layout.gen_dir(gen_id)
    try:
        data = json.loads((gen_dir / RECORD_FILE_NAME).read_text(encoding="utf-8"))
        lock_text = (gen_dir / LOCK_FILE_NAME).read_text(encoding="utf-8")
        if data.get("format") != RECORD_FORMAT or data.get("id") != gen_id:
            raise UnusableGeneration("its record is for another generation or format")
        intent = [IntentEntry(**entry) for entry in data["intent"]]
        roots = [Requirement(entry.spec) for entry in intent]
        interpreter = Interpreter(**data["interpreter"])
        marker_env = {str(k): str(v) for k, v in data["marker_env"].items()}
        settings = {str(k): str(v) for k, v in data.get("settings", {}).items()}
        isolated = [_isolated_app(app) for app in data.get("isolated", [])]
        created_at = str(data["created_at"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError,
            InvalidRequirement) as exc:
        raise UnusableGeneration(str(exc)) from exc
    directory = paths.site_packages(gen_dir)
    if directory is None:
        raise UnusableGeneration("it has no site-packages")
    editables = {e.source_path: e.name for e in intent if e.kind == "editable" and e.source_path}
    lock = parse_lock(lock_text, editables)
    distributions = read_distributions(directory)
    new = NewGeneration(
        id=gen_id, created_at=created_at, interpreter=interpreter, marker_env=marker_env,
        lock_text=lock_text, intent=intent,
        packages=package_records(distributions, intent, lock, {}, created_at),
        edges=dependency_edges(distributions, roots, marker_env),
        isolated=isolated,
        store_entries=store_records(
            [gen_dir, *(layout.isolated / app.env_dir for app in isolated)], layout.store),
        own_size=own_size(gen_dir),
        requires={dist.name: dist.requires for dist in distributions},
    )
    return new, settings


def _isolated_app(data: dict[str, Any]) -> IsolatedApp:
    """An isolated app as its generation's record wrote it (:func:`_app_record`)."""
    return IsolatedApp(
        name=str(data["name"]), spec=str(data["spec"]),
        with_specs=tuple(str(spec) for spec in data["with_specs"]),
        added_at=str(data["added_at"]), env_dir=str(data["env_dir"]),
        lock_text=str(data["lock_text"]),
        packages=tuple(InstalledPackage(**package) for package in data["packages"]),
        edges=tuple(Edge(**edge) for edge in data["edges"]),
    )


class Rebuilt(NamedTuple):
    set_aside: list[Path]
    restored: list[int]
    skipped: dict[int, str]  # generation -> why it could not be restored
    current: int | None


def set_aside(database: Path) -> list[Path]:
    """Rename the database and its WAL files out of the way; never delete them."""
    stamp = now().replace(":", "").replace("+0000", "Z")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        source = database.with_name(database.name + suffix)
        if os.path.lexists(source):
            target = source.with_name(f"{source.name}.broken-{stamp}")
            source.rename(target)
            moved.append(target)
    return moved


def rebuild_database(layout: Layout) -> Rebuilt:
    """Set the damaged database aside and write a new one from ``gens/``. The caller holds
    the writer lock and names the operation."""
    moved = set_aside(layout.state_db)
    state = open_state(layout.state_db, create=True)
    try:
        restored: list[int] = []
        skipped: dict[int, str] = {}
        settings: dict[str, str] = {}
        for gen_id in generation_ids_on_disk(layout):
            try:
                new, settings_then = read_generation(layout, gen_id)
            except UnusableGeneration as exc:
                skipped[gen_id] = str(exc)
                continue
            state.restore_generation(new)
            restored.append(gen_id)
            settings = settings_then
        for key, value in settings.items():
            state.set_config(key, value)
        pointed = env_target(layout)
        current = next((g for g in restored if pointed == generation_link(g)),
                       max(restored, default=None))
        if current is not None:
            stamp = now()
            state.record_switch(command="pyshelf doctor --fix", from_gen=None, to_gen=current,
                                started_at=stamp, finished_at=stamp,
                                summary=f"database rebuilt from {len(restored)} "
                                        "generation(s) on disk")
    finally:
        state.close()
    return Rebuilt(moved, restored, skipped, current)
