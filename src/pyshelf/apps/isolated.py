"""Isolated apps: planning, building and linking the environments of apps that cannot share
the shelf's.

Each isolated app has its own venv, ``<home>/isolated/<app>-<N>`` (N: the generation that
built it), resolved and verified like a generation. A generation links each of its apps at
``gens/<N>/pyshelf-isolated/<app>``, so switching ``env`` switches the apps' versions too,
and an unchanged app's environment is shared by every generation that links it instead of
being built again. Environments no generation on disk links are deleted with the garbage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyshelf import ui
from pyshelf.change.build import build_isolated
from pyshelf.change.resolve import resolve
from pyshelf.core.graph import intent_edges
from pyshelf.core.installed import package_records
from pyshelf.core.lockfile import EMPTY_LOCK, parse_lock
from pyshelf.core.model import ChangeRequest, IsolatedApp, Lock, explicit_names
from pyshelf.core.plan import Plan, make_plan
from pyshelf.engine.processes import Engine, PendingFacts
from pyshelf.layout import Layout
from pyshelf.package_store.carry import kept_line
from pyshelf.removal import remove

AS_THEY_ARE = ChangeRequest(intent=())  # asks no isolated app to move


@dataclass(frozen=True)
class IsolatedStep:
    """One isolated app of the next generation: its environment reused as it is (``lock``
    None), or built from ``lock``."""

    app: IsolatedApp
    lock: Lock | None = None
    plan: Plan | None = None
    previous: IsolatedApp | None = None

    @property
    def changes(self) -> bool:
        if self.lock is None:
            return False
        return (self.previous is None or not self.previous.same_request(self.app)
                or bool(self.plan and not self.plan.is_empty))


def plan_isolated(engine: Engine, layout: Layout, python: str,
                  current: Sequence[IsolatedApp], wanted: Sequence[IsolatedApp],
                  request: ChangeRequest = AS_THEY_ARE) -> list[IsolatedStep]:
    """What the next generation does with each wanted app: keep its environment while the
    app's request and the interpreter stay the same and nothing in the change's ``request``
    asks it to move (``upgrade_isolated``, ``always_build``), rebuild it from its recorded
    lock when the environment is gone, else resolve it again (with ``isolated_pins``)."""
    before = {app.name: app for app in current}
    steps = []
    for app in wanted:
        previous = before.get(app.name)
        moving = app.name in request.upgrade_isolated or request.always_build
        if previous is not None and previous.same_request(app) and not moving:
            if (layout.isolated / previous.env_dir).is_dir():
                steps.append(IsolatedStep(previous, previous=previous))
            else:
                steps.append(IsolatedStep(previous, parse_lock(previous.lock_text),
                                          previous=previous))
            continue
        old_lock = parse_lock(previous.lock_text) if previous else EMPTY_LOCK
        moves = app.name in request.upgrade_isolated
        lock = resolve(engine, layout,
                       ChangeRequest(intent=app.intent(), upgrade=moves,
                                     prefer_cache=request.prefer_cache and not moves,
                                     pins=request.isolated_pins.get(app.name, {})),
                       python, old_lock)
        old_explicit = explicit_names(previous.intent()) if previous else set()
        plan = make_plan(old_lock, lock, old_explicit, explicit_names(app.intent()))
        steps.append(IsolatedStep(app, lock, plan, previous))
    return steps


def show_isolated_plan(steps: Sequence[IsolatedStep], removed: Sequence[IsolatedApp]) -> None:
    for step in steps:
        if step.changes and step.plan is not None:
            extra = f" with {', '.join(step.app.with_specs)}" if step.app.with_specs else ""
            ui.show_plan(step.plan, f"Isolated app {step.app.name}{extra} (an environment of "
                                    "its own):")
    for app in removed:
        ui.report(f"  - isolated app {app.display_name} {app.version} (its environment goes)")


def build_steps(engine: Engine, layout: Layout, gen_id: int, python: str,
                steps: Sequence[IsolatedStep], *, base: PendingFacts | None,
                started: str) -> list[IsolatedApp]:
    """Build what the steps say and link every app into ``gens/<gen_id>``; on failure the
    environments built here are removed again."""
    built_here: list[Path] = []
    apps = []
    try:
        for step in steps:
            app = step.app
            if step.lock is not None:
                folder = f"{app.name}-{gen_id}"
                built_here.append(layout.isolated / folder)
                built = build_isolated(engine, layout, folder, python, step.lock, base=base,
                                       previous=_environment_of(layout, step.previous))
                previous = ({p.name: p for p in step.previous.packages}
                            if step.previous else {})
                intent = app.intent()
                packages = package_records(built.distributions, intent, step.lock,
                                           previous, started)
                edges = intent_edges(built.distributions, intent, built.facts.marker_env)
                app = app._replace(env_dir=folder, lock_text=step.lock.text,
                                   packages=tuple(packages), edges=tuple(edges))
                if built.carried:
                    ui.info(kept_line(built.carried,
                                      f"the environment of isolated app {app.display_name}"))
            _link(layout, gen_id, app)
            apps.append(app)
    except BaseException:
        for environment in built_here:
            remove(layout.home, environment, ignore_errors=True)
        raise
    return apps


def _environment_of(layout: Layout, app: IsolatedApp | None) -> Path | None:
    """The app's environment still on disk, whose tools' files its next one carries."""
    if app is None or not app.env_dir or not (layout.isolated / app.env_dir).is_dir():
        return None
    return layout.isolated / app.env_dir


def _link(layout: Layout, gen_id: int, app: IsolatedApp) -> None:
    links = layout.isolated_links(gen_id)
    links.mkdir(exist_ok=True)
    (links / app.name).symlink_to(layout.isolated_link_target(gen_id, app.env_dir))

