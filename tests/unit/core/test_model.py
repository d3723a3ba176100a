"""The plain records' own rules: which requirements a generation does not hold."""

from __future__ import annotations

from pyshelf.core.model import IntentEntry, not_for_here


def test_requirements_asked_for_and_not_installed_are_not_for_here():
    intent = [IntentEntry("beta", "beta"),
              IntentEntry("colorama", 'colorama; sys_platform == "win32"'),
              IntentEntry("leaf", "leaf==1.0", role="kept")]
    assert [e.name for e in not_for_here(intent, {"beta", "gamma"})] == ["colorama"]


def test_a_kept_dependency_is_never_listed_as_not_for_here():
    """A kept pin is the shelf's own bookkeeping, not a request the person made."""
    assert not_for_here([IntentEntry("leaf", "leaf==1.0", role="kept")], set()) == []
