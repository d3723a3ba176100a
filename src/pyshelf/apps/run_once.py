"""Throw-away environments for ``pyshelf run``: one per request, reused while fresh.

A request (the app's requirement, the ``--with`` packages, the interpreter and the index) is
hashed into ``<home>/runs/<key>``. A finished environment carries a stamp file; while the
stamp is younger than :data:`FRESH_DAYS` the environment is reused as it is, with no uv, no
resolver and no network, as ``pipx run`` does. An older one, or one whose build was cut off
(no stamp), is built again. Builds hold ``runs/lock``, so two runs of one request build it
once; stale environments of other requests are deleted on the way.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pyshelf.change.build import drop_world_write
from pyshelf.change.resolve import resolve
from pyshelf.core.lockfile import EMPTY_LOCK
from pyshelf.core.model import ChangeRequest, IntentEntry
from pyshelf.engine.processes import Engine
from pyshelf.layout import Layout, home_entries
from pyshelf.removal import is_own, real_folder, remove
from pyshelf.store.writer_lock import writer_lock
from pyshelf.venv import paths

FRESH_DAYS = 14
STAMP = ".pyshelf-run"


def request_key(intent: Sequence[IntentEntry], python: str, index: Sequence[str]) -> str:
    text = json.dumps([sorted(e.spec for e in intent), python, list(index)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def is_fresh(directory: Path, now: float) -> bool:
    try:
        built = (directory / STAMP).stat().st_mtime
    except OSError:
        return False
    return now - built < FRESH_DAYS * 86400


def ready_environment(engine: Engine, layout: Layout, intent: Sequence[IntentEntry],
                      python: str, *, on_wait: Callable[[str], None]) -> Path:
    """The environment holding ``intent`` for ``python`` from ``engine``'s indexes: reused
    while fresh, else built."""
    key = request_key(intent, python, [engine.index_url or "", *engine.extra_index_urls])
    runs = real_folder(layout.home, layout.runs.name)  # refused when it is a symlink
    directory = runs / key
    if is_fresh(directory, time.time()):
        return directory
    with writer_lock(runs / "lock", on_wait):
        now = time.time()
        if not is_fresh(directory, now):  # another run may have built it meanwhile
            remove(layout.home, directory)
            try:
                _build(engine, layout, directory, intent, python)
            except BaseException:
                remove(layout.home, directory, ignore_errors=True)
                raise
        remove_stale(layout, now, keep=key)
    return directory


def _build(engine: Engine, layout: Layout, directory: Path, intent: Sequence[IntentEntry],
           python: str) -> None:
    lock = resolve(engine, layout, ChangeRequest(intent=intent), python, EMPTY_LOCK)
    engine.create_venv(directory, python, system_site_packages=False)
    lock_path = directory / "pyshelf-lock.txt"
    lock_path.write_text(lock.text, encoding="utf-8")
    engine.sync(lock_path, paths.python(directory))
    drop_world_write(directory / ".lock")
    (directory / STAMP).write_text(f"{time.time()}\n", encoding="utf-8")


def remove_stale(layout: Layout, now: float, *, keep: str) -> list[str]:
    """Delete the environments of other requests that are no longer fresh (the caller holds
    ``runs/lock``, so none of them is being built)."""
    removed = []
    for directory in sorted(p for p in home_entries(layout.runs)
                            if p.is_dir() and not p.is_symlink() and is_own(layout.home, p)):
        if directory.name != keep and not is_fresh(directory, now):
            remove(layout.home, directory, ignore_errors=True)
            removed.append(directory.name)
    return removed
