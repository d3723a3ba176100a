"""The PEP 751 lock of a generation: what ``export --format pylock`` writes, and the lock
kept beside ``shelf.toml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyshelf.shelf import Shelf


def pylock_of(shelf: Shelf, gen_id: int, *, label: str, prefer_cache: bool = False,
              quiet: bool = False) -> str:
    """uv writes the file (sources and hashes from the index) from the exact pins; pyshelf
    adds its ``[tool.pyshelf]`` table, so the file says what was asked for too. ``quiet``
    for the lock a change writes after it is done: no progress line, nothing said twice."""
    from pyshelf.change.resolve import pylock
    from pyshelf.export_formats import pylock_tool_table

    record = shelf.state.generation(gen_id)
    text = pylock(shelf.engine, shelf.layout, record.lock.packages.values(), shelf.python,
                  label=label, prefer_cache=prefer_cache, quiet=quiet)
    return text + pylock_tool_table(shelf.state.intent(gen_id), shelf.state.isolated(gen_id))
