"""Intent -> lock, through ``uv pip compile``.

The previous lock is copied to the output path first, so uv keeps every pin it can and adding
one package does not quietly upgrade the others. The input file is written here, one
normalised PEP 508 line per requirement, so nothing typed can smuggle in an option line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from pyshelf import ui
from pyshelf.change.system_stubs import representable, write_stub_wheels
from pyshelf.core.graph import Distribution
from pyshelf.core.lockfile import EMPTY_LOCK, parse_lock, pin_line
from pyshelf.core.model import ChangeRequest, IntentEntry, Lock, LockedPackage
from pyshelf.engine.processes import Engine
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout


def input_line(entry: IntentEntry) -> str:
    """The line uv reads for one requirement; editables are the one option line written."""
    if entry.kind == "editable" and entry.source_path:
        return f"-e {Path(entry.source_path).as_uri()}"
    return entry.spec


def resolve(engine: Engine, layout: Layout, request: ChangeRequest, python: str,
            previous: Lock, *, provided: Sequence[Distribution] | None = None,
            label: str = "resolve", quiet: bool = False) -> Lock:
    """The request's ``pins`` (canonical name -> version) are hard constraints, e.g. from an
    import; its ``refresh`` names local projects whose metadata must be rebuilt from source;
    ``provided`` are packages the system supplies: pinned, and left out of the lock.

    ``prefer_cache`` is for changes that ask for nothing new (remove, rebuild, adopt,
    import): they keep the versions they have, which uv's cache already describes, so
    resolving from the cache alone is tried first and saves one revalidation request per
    package; only if the cache lacks something does uv ask the index. ``quiet`` (a resolve
    nobody waits on) shows no progress and keeps uv's notices (a yanked release) for the
    resolve whose lock is used."""
    lock, yanked = _compile(engine, layout, request, python, previous, provided, label,
                            quiet=quiet)
    for notice in [] if quiet else yanked:
        ui.warn(notice)
    return lock


def resolve_added(engine: Engine, layout: Layout, added: Sequence[IntentEntry], python: str,
                  pins: Mapping[str, str], *, offline: bool) -> tuple[Lock, list[str]]:
    """Only the ``added`` requirements, with the shelf's ``pins`` as constraints (online, uv
    reads the index pages of what they bring and nothing else). Returns the lock of those
    packages and the yanked releases it chose, unsaid, since the caller may still prefer
    a full resolve."""
    return _compile(engine, layout, ChangeRequest(intent=added, pins=pins), python,
                    EMPTY_LOCK, None, "added", quiet=False, offline=offline)


def _compile(engine: Engine, layout: Layout, request: ChangeRequest, python: str,
             previous: Lock, provided: Sequence[Distribution] | None, label: str, *,
             quiet: bool, offline: bool | None = None) -> tuple[Lock, list[str]]:
    """The lock of ``request`` and the yanked releases uv chose for it: offline or not as
    ``offline`` says, or (None) from uv's cache first where the request prefers it."""
    provided = representable(provided or ())
    pins = {**request.pins, **{d.name: d.version for d in provided}}
    with layout.scratch(label) as work:  # one label per resolve running at once
        requirements_in = work / "requirements.in"
        requirements_in.write_text(
            "".join(f"{input_line(entry)}\n"
                    for entry in sorted(request.intent, key=lambda e: e.name)),
            encoding="utf-8",
        )
        constraints = None
        if pins:
            constraints = work / "constraints.txt"
            constraints.write_text(
                "".join(f"{name}=={version}\n" for name, version in sorted(pins.items())),
                encoding="utf-8",
            )
        find_links = None
        if provided:
            find_links = write_stub_wheels(work / "system", provided)
        lock_out = work / "lock.txt"
        lock_out.write_text(previous.text, encoding="utf-8")
        editables = {e.source_path: e.name for e in request.intent
                     if e.kind == "editable" and e.source_path}

        def compile_lock(offline: bool) -> tuple[Lock, list[str]]:
            compiled = engine.compile(
                requirements_in, lock_out, python, upgrade=request.upgrade,
                upgrade_packages=request.upgrade_packages, refresh_packages=request.refresh,
                constraints=constraints, find_links=find_links,
                no_emit=sorted(d.name for d in provided), offline=offline, quiet=quiet)
            return parse_lock(compiled.text, editables), compiled.yanked

        if offline is not None:
            return compile_lock(offline)
        return cache_first(compile_lock, request.prefer_cache and not request.upgrade
                           and not request.upgrade_packages)


Compiled = TypeVar("Compiled")


def cache_first(compile_lock: Callable[[bool], Compiled], prefer_cache: bool) -> Compiled:
    """``compile_lock(offline)``, from uv's cache alone first where ``prefer_cache``, and
    from the index only if the cache lacked something (uv then leaves the output as it
    was)."""
    if prefer_cache:
        with contextlib.suppress(PyshelfError):
            return compile_lock(True)
    return compile_lock(False)


def pylock(engine: Engine, layout: Layout, packages: Iterable[LockedPackage], python: str, *,
           label: str, no_deps: bool = False, prefer_cache: bool = False,
           quiet: bool = False) -> str:
    """uv's PEP 751 lock of ``packages`` (exact pins, or direct references): the files the
    index offers of each, with their hashes, as they suit ``python``; ``no_deps`` where the
    packages' dependencies are among them or do not matter (each package's table is then
    its own, and ``engine`` keeps the text for each pin: :attr:`Engine.pylocks`)."""
    lines = [pin_line(p) for p in packages]
    with layout.scratch(label) as work:
        pins = work / "pins.txt"
        pins.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        compiled = cache_first(
            lambda offline: engine.compile(pins, work / "pylock.toml", python,
                                           output_format="pylock.toml", no_deps=no_deps,
                                           offline=offline, quiet=quiet),
            prefer_cache)
    if no_deps:
        engine.pylocks.update({(python, line): compiled.text for line in lines})
    for notice in [] if quiet else compiled.yanked:
        ui.warn(notice)
    return compiled.text
