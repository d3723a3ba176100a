"""Going to a recorded generation: undo, rollback, restore.

A generation still on disk is made current by switching ``env`` (no network, no build); a
collected one is rebuilt from its recorded lock and intent as a new generation, from uv's
cache where it can. Either way it is one operation in the history, so it can be undone too.
"""

from __future__ import annotations

import os

from pyshelf import ui
from pyshelf.core.clock import now
from pyshelf.core.model import explicit_names
from pyshelf.core.plan import as_installed, interpreter_change, make_plan, spec_changes
from pyshelf.generations.folders import next_generation_id, switch_to
from pyshelf.generations.switching import CommitGuard, finish_switch
from pyshelf.shelf import Shelf, command_line
from pyshelf.store.settings import Setting


def is_on_disk(shelf: Shelf, gen_id: int) -> bool:
    return (shelf.state.generation_states().get(gen_id) == "ready"
            and shelf.layout.gen_python(gen_id).exists())


def go_to_generation(shelf: Shelf, target_id: int, *, assume_yes: bool, dry_run: bool) -> None:
    """Make ``target_id``'s packages and intent current again; the caller holds the lock."""
    current_id = shelf.current_generation_id()
    if target_id == current_id:
        ui.report(f"Generation {target_id} is already current; nothing to change.")
        return
    state = shelf.state
    current, target = state.generation(current_id), state.generation(target_id)
    current_intent, target_intent = state.intent(current_id), state.intent(target_id)
    plan = make_plan(as_installed(current.lock, state.packages(current_id)),
                     as_installed(target.lock, state.packages(target_id)),
                     explicit_names(current_intent), explicit_names(target_intent))
    on_disk = is_on_disk(shelf, target_id)
    heading = (f"Back to generation {target_id}:" if on_disk else
               f"Rebuilding generation {target_id} from its lock:")
    moving = interpreter_change(current.interpreter.version, target.interpreter.version)
    ui.show_plan(plan, heading, spec_changes(current_intent, target_intent),
                 [moving] if moving else [])
    if dry_run:
        ui.conclude("Dry run: nothing was changed.")
        return
    ui.confirm("Proceed?", assume_yes=assume_yes)
    # The interpreter goes back with the generation, or the next change would move the
    # shelf forward again without a word.
    python = target.interpreter.path
    back_to = python if state.config().get("python") != python else None
    if not on_disk:  # rebuilt on its own interpreter, where that one is still there
        from pyshelf.apps.isolated import plan_isolated  # a switch needs no build
        from pyshelf.change.pipeline import build_and_switch, provided_by_system

        rebuild_on = back_to if back_to and os.access(back_to, os.X_OK) else None
        if rebuild_on:
            shelf.settings["python"] = Setting(rebuild_on, "file")
        new_id = next_generation_id(shelf.layout, state.highest_generation_id())
        apps = state.isolated(target_id)  # rebuilt from their locks where they are gone
        steps = plan_isolated(shelf.engine, shelf.layout, shelf.python, apps, apps)
        build_and_switch(shelf, new_id, target_intent, target.lock, from_gen=current_id,
                         summary=plan.summary, provided=provided_by_system(shelf),
                         isolated=steps)
        if rebuild_on:
            state.set_config("python", rebuild_on)
        return
    started = now()
    guard = CommitGuard()
    guard.hold()
    switch_to(shelf.layout, target_id)
    try:
        state.record_switch(command=command_line(), from_gen=current_id, to_gen=target_id,
                            started_at=started, finished_at=now(),
                            summary=f"{moving}; {plan.summary}" if moving else plan.summary,
                            python=back_to)
    except BaseException:
        switch_to(shelf.layout, current_id)
        guard.release()
        raise
    finish_switch(shelf, target_id, f"Generation {target_id} is now current.", guard)
