"""Moving apps from other tools onto the shelf: which can share it, which need isolation.

Each app found is tried on the shelf with its version pinned, together with everything
accepted before it (all at once first, the common case, one resolve). One that conflicts
with the shelf gets an environment of its own instead, pinned the same way; one that cannot
be installed from the shelf's index at all is left where it is, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyshelf.adoption.found import Found
from pyshelf.change.resolve import resolve
from pyshelf.core.clock import now
from pyshelf.core.model import ChangeRequest, IntentEntry, IsolatedApp, Lock
from pyshelf.core.specs import parse_install_specs
from pyshelf.errors import ConflictError, PyshelfError
from pyshelf.shelf import Shelf


@dataclass
class Placement:
    shared: list[Found] = field(default_factory=list)
    isolated: list[Found] = field(default_factory=list)
    left: dict[str, str] = field(default_factory=dict)  # name -> why it stays where it is

    def entries(self) -> list[IntentEntry]:
        return shared_entries(self.shared)

    def pins(self) -> dict[str, str]:
        return shared_pins(self.shared)


def shared_entries(found: Sequence[Found]) -> list[IntentEntry]:
    return [e for item in found for e in entries_of(item)]


def shared_pins(found: Sequence[Found]) -> dict[str, str]:
    return {name: version for item in found for name, version in pins_of(item)}


def entries_of(found: Found) -> list[IntentEntry]:
    return parse_install_specs([found.spec, *found.extras], now())


def pins_of(found: Found) -> list[tuple[str, str]]:
    """The app's own version and those of the packages installed next to it."""
    extras = [(e.name, e.spec.partition("==")[2]) for e in entries_of(found)[1:]]
    return [(found.name, found.version), *extras]


def place(shelf: Shelf, intent: Sequence[IntentEntry], lock: Lock,
          candidates: Sequence[Found]) -> Placement:
    """Share what can share the shelf; isolate what conflicts; leave what cannot be had."""
    placement = Placement()

    def fits(extra: Sequence[Found]) -> None:
        chosen = [*placement.shared, *extra]
        resolve(shelf.engine, shelf.layout,
                ChangeRequest(intent=[*intent, *shared_entries(chosen)], pins=shared_pins(chosen),
                              prefer_cache=True),
                shelf.python, lock)

    try:
        fits(candidates)
        placement.shared = list(candidates)
        return placement
    except PyshelfError:  # a conflict, or one the index lacks: find out which, one by one
        pass
    for found in candidates:
        try:
            fits([found])
            placement.shared.append(found)
            continue
        except ConflictError:
            pass
        except PyshelfError as exc:
            placement.left[found.name] = exc.message
            continue
        try:
            resolve(shelf.engine, shelf.layout,
                    ChangeRequest(intent=entries_of(found), pins=dict(pins_of(found)),
                                  prefer_cache=True),
                    shelf.python, lock)
            placement.isolated.append(found)
        except PyshelfError as exc:
            placement.left[found.name] = exc.message
    return placement


def isolated_app(found: Found) -> IsolatedApp:
    return IsolatedApp(found.name, found.spec, found.extras, now())
