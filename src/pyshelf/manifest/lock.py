"""The PEP 751 lock of a generation: what ``export --format pylock`` writes, and the lock
kept beside ``shelf.toml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyshelf.shelf import Shelf


def pylock_of(shelf: Shelf, gen_id: int, *, label: str, prefer_cache: bool = False,
              quiet: bool = False) -> str:
    """The lock uv would write for the generation's pins (sources and hashes from the
    index), put together from the tables its store entries keep, so a change pays only
    for the entries it filled. The packages whose entries keep none (filled before tables
    were kept, or a generation installed whole) are asked of uv in one run, cache first
    where ``prefer_cache``; when that is every package, uv's text is the lock as it is,
    so a shelf of such entries pays what it paid before and no more. pyshelf adds its
    ``[tool.pyshelf]`` table, so the file says what was asked for too. ``quiet`` for the
    lock a change writes after it is done: no progress line, nothing said twice."""
    from pyshelf.core.pylock import assemble, pylock_tool_table
    from pyshelf.package_store.compose import entries_of
    from pyshelf.package_store.lock_tables import ask_uv, kept_tables, split

    layout = shelf.layout
    record = shelf.state.generation(gen_id)
    packages = record.lock.packages
    entries = entries_of(layout.gen_dir(gen_id), layout.store)
    tables = kept_tables({name: entries[name] for name in packages if name in entries})
    missing = [package for name, package in packages.items() if name not in tables]
    tool_table = pylock_tool_table(shelf.state.intent(gen_id), shelf.state.isolated(gen_id))
    if missing:
        text = ask_uv(shelf.engine, layout, shelf.python, missing, prefer_cache=prefer_cache,
                      quiet=quiet)
        if not tables:  # uv described every package: its lock is the lock
            return text + tool_table
        tables.update(split(text))
    return assemble(record.interpreter.version, tables) + tool_table
