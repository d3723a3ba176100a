"""Isolated apps: which keep their environment, which are rebuilt, and how a generation
links them."""

from __future__ import annotations

import pytest

from pyshelf.apps.isolated import IsolatedStep, build_steps, plan_isolated
from pyshelf.core.lockfile import EMPTY_LOCK, parse_lock
from pyshelf.core.model import IsolatedApp
from pyshelf.core.plan import Change, Plan
from pyshelf.layout import Layout

LOCK_TEXT = "tool==1.0\nhelper==2.0\n"
BUILT = IsolatedApp("tool", "tool", ("helper",), "t", env_dir="tool-1", lock_text=LOCK_TEXT)


class NoEngine:
    """Reusing or rebuilding from a recorded lock must never start uv."""

    def __getattr__(self, name):
        raise AssertionError(f"the engine was used ({name})")


@pytest.fixture
def layout(tmp_path):
    layout = Layout(tmp_path / "home")
    layout.gen_dir(2).mkdir(parents=True)
    return layout


def test_an_unchanged_app_keeps_its_environment(layout):
    (layout.isolated / BUILT.env_dir).mkdir(parents=True)
    same = IsolatedApp("tool", "tool", ("helper",), "later")
    steps = plan_isolated(NoEngine(), layout, "python3", [BUILT], [same])
    assert steps == [IsolatedStep(BUILT, previous=BUILT)]
    assert not steps[0].changes


def test_an_unchanged_app_whose_environment_is_gone_is_rebuilt_from_its_lock(layout):
    same = IsolatedApp("tool", "tool", ("helper",), "later")
    [step] = plan_isolated(NoEngine(), layout, "python3", [BUILT], [same])
    assert step.app == BUILT and step.previous == BUILT
    assert step.lock == parse_lock(LOCK_TEXT)
    assert not step.changes  # the same request, no plan: nothing the person must confirm


@pytest.mark.parametrize(("step", "changes"), [
    (IsolatedStep(BUILT, previous=BUILT), False),
    (IsolatedStep(BUILT, EMPTY_LOCK, Plan(), previous=BUILT), False),
    (IsolatedStep(BUILT, EMPTY_LOCK, Plan()), True),  # new
    (IsolatedStep(IsolatedApp("tool", "tool>=2"), EMPTY_LOCK, Plan(), previous=BUILT), True),
    (IsolatedStep(BUILT, EMPTY_LOCK, Plan(upgraded=(Change("tool", "tool", "1.0", "1.1"),)),
                  previous=BUILT), True),
])
def test_a_step_changes_when_the_app_is_new_asked_differently_or_moves(step, changes):
    assert step.changes is changes


def test_a_generation_links_each_reused_environment_relatively(layout):
    environment = layout.isolated / BUILT.env_dir
    environment.mkdir(parents=True)
    apps = build_steps(NoEngine(), layout, 2, "python3", [IsolatedStep(BUILT, previous=BUILT)],
                       base=None, started="t")
    assert apps == [BUILT]
    link = layout.isolated_links(2) / "tool"
    assert not str(link.readlink()).startswith("/")
    assert link.resolve() == environment.resolve()
