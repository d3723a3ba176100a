"""Locks a change computes from the current one instead of asking the resolver (pure).

pyshelf resolves with the previous lock as uv's preferences, so uv keeps every pin it can.
Two kinds of change therefore know their answer, or most of it, beforehand:

- Taking requirements away (``remove``, ``clean``): the current pins satisfy whatever
  remains, so uv would choose them again, for exactly the packages the remaining intent
  still reaches. :func:`kept_lock` walks that reach as the resolver walks it: each
  package's requirements as its metadata states them, markers evaluated by ``packaging``
  for the generation's recorded marker environment (once, when the generation was
  recorded: ``core/reach.py``), and an extra taken into account only when the intent or a
  package that is itself reached asks for it.
- Adding requirements: what they bring, resolved alone with the current pins as
  constraints, joins the current lock (:func:`added_lock`).

Both return None wherever the record cannot settle the answer for certain (a direct
reference, a requirement or marker that cannot be read or evaluated, a package whose
requirements were not recorded, a lock not in uv's plain ``name==version`` form): the
change then resolves as it always has.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyshelf.core.model import IntentEntry, Lock
from pyshelf.core.reach import Reach, reached


def kept_lock(lock: Lock, reach: Reach, intent: Iterable[IntentEntry]) -> Lock | None:
    """The lock of ``intent`` (the current one less what is taken away, or with a role
    changed) from the current ``lock`` and the current generation's ``reach``, which must
    know each entry's spec (:func:`pyshelf.core.reach.with_roots`); None when the resolver
    must answer."""
    lines = _pin_lines(lock)
    entries = list(intent)
    if lines is None or any(entry.kind != "index" for entry in entries):
        return None
    extras = reached(reach, [reach.roots[entry.spec] for entry in entries], lock.packages)
    if extras is None:
        return None
    return Lock(text="".join(f"{line}\n" for name, line in lines if name in extras),
                packages={name: package for name, package in lock.packages.items()
                          if name in extras})


def added_lock(lock: Lock, added: Lock) -> Lock | None:
    """``lock`` joined by ``added`` (new requirements resolved with ``lock``'s pins as
    constraints), in uv's order of lines: by canonical name. None where either is not
    plain pins, ``lock`` is not in that order, or the two disagree on a version."""
    mine, theirs = _pin_lines(lock), _pin_lines(added)
    if mine is None or theirs is None or [n for n, _ in mine] != sorted(n for n, _ in mine):
        return None
    packages = dict(lock.packages)
    for name, package in added.packages.items():
        if packages.setdefault(name, package).version != package.version:
            return None
    names = sorted(packages)
    return Lock(text="".join(f"{name}=={packages[name].version}\n" for name in names),
                packages={name: packages[name] for name in names})


def plain_pins(lock: Lock) -> dict[str, str] | None:
    """The lock's pins (canonical name -> version) where its text is nothing but uv's
    plain lines, as :func:`added_lock` needs it; None otherwise."""
    lines = _pin_lines(lock)
    return None if lines is None else {name: lock.packages[name].version for name, _ in lines}


def _pin_lines(lock: Lock) -> list[tuple[str, str]] | None:
    """Each line of ``lock`` with its package, where the text is nothing but uv's
    ``name==version`` lines (canonical names, each line ended); None otherwise."""
    lines = lock.text.splitlines()
    if lock.text != "".join(f"{line}\n" for line in lines):
        return None
    pins = {f"{p.name}=={p.version}": p.name for p in lock.packages.values()
            if p.url is None and p.version}
    named = [(pins.get(line), line) for line in lines]
    found = [(name, line) for name, line in named if name is not None]
    if len(found) != len(named) or len(found) != len(lock.packages):
        return None
    return found
