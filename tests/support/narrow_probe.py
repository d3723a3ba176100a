"""Run in a sandbox's environment with a shelf home: computes every removal of a subset of
the current intent both ways (the narrow lock, and today's resolve as the command would run
it), and prints them as JSON.

A script of its own, so that it runs pyshelf's functions with the sandbox's environment (its
index, uv's cache) exactly as the ``pyshelf`` command does.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from pyshelf.change.narrow import lock_without_resolving
from pyshelf.change.resolve import resolve
from pyshelf.core.model import ChangeRequest, Lock
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.shelf import open_shelf


def main(home: str) -> None:
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
    print(json.dumps({"lock": current.lock.text, "removals": removals}))


def text_of(lock: Lock | None) -> str | None:
    return None if lock is None else lock.text


if __name__ == "__main__":
    main(*sys.argv[1:])
