"""Generations recorded in a real shelf database, as a change records them."""

from __future__ import annotations

from pathlib import Path

from pyshelf.core.model import Edge, InstalledPackage, IntentEntry, Interpreter
from pyshelf.layout import Layout
from pyshelf.shelf import Shelf
from pyshelf.store.database import NewGeneration, State, open_state
from pyshelf.store.settings import effective_settings

__all__ = ["INTERPRETER", "new_generation", "opened_shelf", "record"]

INTERPRETER = Interpreter(path="/usr/bin/python3", resolved="/usr/bin/python3.12",
                          implementation="cpython", version="3.12.4")


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
    )
    return generation._replace(**changes)


def record(state: State, new: NewGeneration, *, command: str = "install black",
           summary: str = "+2 ~0 -0", finished_at: str = "f") -> int:
    """Journal and record ``new`` as a change does; returns the operation id."""
    op_id = state.begin_operation(command=command, started_at=f"{new.created_at}-start",
                                  from_gen=state.current_generation_id(), to_gen=new.id)
    state.record_generation(new, op_id=op_id, finished_at=finished_at, summary=summary)
    return op_id


def opened_shelf(home: Path, generations: int = 0, **config: str) -> Shelf:
    """A shelf at ``home`` whose database records ``generations`` generations, the last one
    current, and the settings ``config``; nothing is built on disk."""
    home.mkdir(parents=True, exist_ok=True)
    state = open_state(home / "state.db", create=True)
    for key, value in config.items():
        state.set_config(key, value)
    for gen_id in range(1, generations + 1):
        record(state, new_generation(gen_id))
    return Shelf(Layout(home), state, settings=effective_settings(state.config(), {}))
