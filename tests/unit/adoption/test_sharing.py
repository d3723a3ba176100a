"""An adopted app's requirements and pins: its own version and what was installed beside it."""

from __future__ import annotations

from pyshelf.adoption.found import Found
from pyshelf.adoption.sharing import (
    Placement,
    entries_of,
    isolated_app,
    pins_of,
    shared_entries,
    shared_pins,
)

BLACK = Found("pipx", "black", "24.1.0", "black>=24", ("click==8.1.7",))
RUFF = Found("uv", "ruff", "0.5.0", "ruff")


def test_an_app_asks_for_itself_and_for_what_was_installed_beside_it():
    assert [(e.name, e.spec, e.role) for e in entries_of(BLACK)] == [
        ("black", "black>=24", "explicit"), ("click", "click==8.1.7", "explicit")]
    assert pins_of(BLACK) == [("black", "24.1.0"), ("click", "8.1.7")]


def test_shared_apps_are_asked_for_and_pinned_together():
    assert [e.name for e in shared_entries([BLACK, RUFF])] == ["black", "click", "ruff"]
    assert shared_pins([BLACK, RUFF]) == {"black": "24.1.0", "click": "8.1.7", "ruff": "0.5.0"}
    placement = Placement(shared=[BLACK, RUFF])
    assert placement.pins() == shared_pins([BLACK, RUFF])
    assert [e.spec for e in placement.entries()] == ["black>=24", "click==8.1.7", "ruff"]


def test_an_isolated_app_keeps_its_request_and_its_companions():
    app = isolated_app(BLACK)
    assert (app.name, app.spec, app.with_specs) == ("black", "black>=24", ("click==8.1.7",))
    assert app.added_at
