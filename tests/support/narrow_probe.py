"""Run in a sandbox's environment with a shelf home and requirements to add: computes every
removal of a subset of the current intent, and each addition, both ways (the narrow lock,
and today's resolve as the command would run it), and prints them as JSON.

A script of its own, so that it runs pyshelf's functions with the sandbox's environment (its
index, uv's cache) exactly as the ``pyshelf`` command does.
"""

from __future__ import annotations

import itertools
import json
import sys
from concurrent.futures import Future
from pathlib import Path

from pyshelf.change.narrow import lock_of_new_roles, lock_without_resolving, resolve_within_shelf
from pyshelf.change.resolve import resolve
from pyshelf.core.lockfile import EMPTY_LOCK
from pyshelf.core.model import ChangeRequest, Lock
from pyshelf.core.specs import parse_install_specs
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.shelf import open_shelf


def main(home: str, *added: str) -> None:
    shelf = open_shelf(Layout(Path(home)))
    current = shelf.state.generation(shelf.current_generation_id())
    intent = shelf.state.intent(current.id)

    def resolved(request: ChangeRequest, previous: Lock) -> Lock | None:
        try:
            return resolve(shelf.engine, shelf.layout, request, shelf.python, previous,
                           quiet=True)
        except PyshelfError:
            return None

    removals = []
    for size in range(len(intent) + 1):
        for leaving in itertools.combinations([e.name for e in intent], size):
            request = ChangeRequest(intent=[e for e in intent if e.name not in leaving],
                                    prefer_cache=True)
            removals.append({"leaving": leaving,
                             "narrow": text_of(lock_without_resolving(shelf, request, current)),
                             "full": text_of(resolved(request, current.lock))})
    additions = []
    for spec in added:
        new = parse_install_specs([spec], "now")
        if new[0].name in {entry.name for entry in intent}:
            continue  # a change of what is asked for, not an addition
        request = ChangeRequest(intent=[*intent, *new])
        alone: Future[Lock] = Future()
        alone.set_result(resolved(ChangeRequest(intent=new), EMPTY_LOCK) or EMPTY_LOCK)
        roles = lock_of_new_roles(shelf, request, current, intent, new)
        try:  # in the order the change tries them
            narrow = roles or resolve_within_shelf(shelf, request, current, intent, new, alone)
        except PyshelfError as exc:  # as the full resolve would: the test compares
            narrow = exc
        additions.append({"spec": spec, "full": text_of(resolved(request, current.lock)),
                          "narrow": narrow.message if isinstance(narrow, PyshelfError)
                          else text_of(narrow),
                          "failed": isinstance(narrow, PyshelfError),
                          "roles only": roles is not None})
    print(json.dumps({"lock": current.lock.text, "removals": removals,
                      "additions": additions}))


def text_of(lock: Lock | None) -> str | None:
    return None if lock is None else lock.text


if __name__ == "__main__":
    main(*sys.argv[1:])
