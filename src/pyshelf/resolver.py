"""Intent -> lock, through ``uv pip compile``.

The previous lock is copied to the output path first, so uv keeps every pin it can and adding
one package does not quietly upgrade the others. The input file is written here, one
normalised PEP 508 line per requirement, so nothing typed can smuggle in an option line.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence

from pyshelf.engine import Engine
from pyshelf.layout import Layout
from pyshelf.lockfile import parse_lock
from pyshelf.model import IntentEntry, Lock


def resolve(engine: Engine, layout: Layout, intent: Sequence[IntentEntry], python: str,
            previous: Lock, *, upgrade: bool = False,
            pins: Mapping[str, str] | None = None) -> Lock:
    """``pins`` (canonical name -> version) are hard constraints, e.g. from an import."""
    work = layout.work / f"resolve-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        requirements_in = work / "requirements.in"
        requirements_in.write_text(
            "".join(f"{entry.spec}\n" for entry in sorted(intent, key=lambda e: e.name)),
            encoding="utf-8",
        )
        constraints = None
        if pins:
            constraints = work / "constraints.txt"
            constraints.write_text(
                "".join(f"{name}=={version}\n" for name, version in sorted(pins.items())),
                encoding="utf-8",
            )
        lock_out = work / "lock.txt"
        lock_out.write_text(previous.text, encoding="utf-8")
        return parse_lock(engine.compile(requirements_in, lock_out, python, upgrade=upgrade,
                                         constraints=constraints))
    finally:
        shutil.rmtree(work, ignore_errors=True)
