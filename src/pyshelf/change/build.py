"""Building a generation and checking it before it can become current.

A generation is a venv composed at its final path (console-script shebangs record it) from
the package store, which uv fills with what the lock needs and the store lacks; it is
verified against the lock and its own requirements, and until ``env`` is switched to it,
nobody sees it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from pyshelf.change.early import start_venv
from pyshelf.core.graph import Distribution, same_version, unmet_requirements
from pyshelf.core.model import EntryMetadata, Lock
from pyshelf.core.shared_commands import SharedCommand, shared_commands
from pyshelf.engine.processes import Engine, InterpreterFacts, PendingFacts, PendingVenv
from pyshelf.errors import PyshelfError
from pyshelf.generations.folders import LOCK_FILE_NAME
from pyshelf.host.pip_shim import write_pip_shims
from pyshelf.layout import Layout
from pyshelf.package_store.carry import carry
from pyshelf.package_store.compose import compose, entries_of
from pyshelf.package_store.entries import StoreEntry, metadata_of, provide
from pyshelf.package_store.metadata import distribution
from pyshelf.removal import real_folder, remove
from pyshelf.venv import paths
from pyshelf.venv.dist_info import (
    folder_names,
    name_and_version,
    read_distribution,
    read_distributions,
)
from pyshelf.venv.scripts import shared_commands_in


class BuiltEnvironment(NamedTuple):
    facts: InterpreterFacts
    distributions: list[Distribution]
    shared_commands: Sequence[SharedCommand] = ()
    carried: Sequence[str] = ()  # files tools wrote into the previous generation, kept
    # entry -> metadata of each entry composed; empty where an entry's could not be read
    metadata: Mapping[str, EntryMetadata] = {}
    commands: Mapping[str, Sequence[str]] | None = None  # package -> its commands


class Prefill:
    """A rebuild's store entries filled for the current generation's pins while the change
    resolves and plans, from wheels uv's cache holds (nothing is fetched or built before
    the plan says so), so that the build usually finds every entry there.

    A rebuild resolves again on purpose, but for the same intent and, on another Python,
    mostly to the same pins, and an entry is keyed by pin and ABI: what the resolve keeps
    is ready, and what it drops is left for collection. It runs under ``--yes`` only (a
    "no" must cost nothing), in a thread, handed plain values: uv waits on its cache and
    the file system, not the processor, and the resolve, the look-up for source builds and
    the plan wait on uv too. Whatever fails (a wheel the cache lacks, a package the new
    Python cannot install) is left to the build, which fills it as before and says why."""

    def __init__(self, engine: Engine, layout: Layout, python: str, lock: Lock,
                 base: PendingFacts) -> None:
        _ = engine.uv  # found here: sysconfig, which finds it, is not thread-safe
        pins = Lock(text="", packages={name: package for name, package in lock.packages.items()
                                       if not package.url and package.version})

        def fill() -> None:
            with contextlib.suppress(Exception):
                provide(engine, layout, python, pins, abi=base.result().abi,
                        index=engine.index_identity, only_cached=True)

        self._thread = threading.Thread(target=fill, daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until it has ended; the build may fill and compose only then (one scratch venv
        per process)."""
        self._thread.join()


def build_generation(engine: Engine, layout: Layout, gen_id: int, python: str,
                     lock: Lock, *, reinstall: Sequence[str] = (),
                     system: Mapping[str, str] | None = None,
                     base: PendingFacts | None = None,
                     venv: PendingVenv | None = None,
                     bin_dir: Path | None = None,
                     explicit: Collection[str] = (),
                     previous: Path | None = None,
                     known: Mapping[str, EntryMetadata] | None = None) -> BuiltEnvironment:
    """Compose ``gens/<id>`` from ``lock`` and check it holds exactly the lock.

    With ``system`` (name -> version of the base interpreter's packages) the environment
    sees the system's site-packages, and requirements may be met from there. ``venv`` is the
    generation's venv when a caller began it early (:func:`start_venv`). With ``bin_dir``
    (where the pyshelf launcher is) the generation gets the ``pip`` that routes through
    pyshelf. A command that several packages ship is the one of the package among them that
    is in ``explicit``. ``previous`` is the generation before, whose direct references are
    reused as they are unless ``reinstall`` names them, and whose files written by tools
    are carried over. ``known`` is the metadata the database recorded, by entry.
    Whether every requirement is met is the caller's to check (:func:`refuse_unmet`): the
    record of the generation before may tell it without parsing them.
    """
    if venv is None:
        venv = start_venv(engine, layout, gen_id, python,
                          system_site_packages=system is not None)
    built = build_environment(engine, layout, layout.gen_dir(gen_id), python, lock, venv,
                              what=f"Generation {gen_id}", reinstall=reinstall,
                              system=system, base=base, explicit=explicit,
                              reuse_from=previous, carry_from=previous, known=known,
                              check_requirements=False)
    built = built._replace(shared_commands=(
        shared_commands_in(layout.gen_dir(gen_id), explicit) if built.commands is None
        else shared_commands(built.commands, explicit)))
    if bin_dir is not None:
        write_pip_shims(layout.gen_dir(gen_id), layout.home, bin_dir,
                        system_pip="pip" in (system or {}))
    return built


def build_isolated(engine: Engine, layout: Layout, folder: str, python: str, lock: Lock, *,
                   base: PendingFacts | None = None,
                   previous: Path | None = None) -> BuiltEnvironment:
    """Create an isolated app's environment ``<home>/isolated/<folder>`` from its lock.

    ``previous`` is the app's environment before, whose files written by tools are carried
    over as a generation's are: the app's kernels and settings are the person's too."""
    target = real_folder(layout.home, layout.isolated.name) / folder
    remove(layout.home, target)
    venv = engine.start_venv(target, python, system_site_packages=False)
    return build_environment(engine, layout, target, python, lock, venv,
                             what=f"The environment {target}", base=base,
                             carry_from=previous)


def build_environment(engine: Engine, layout: Layout, target: Path, python: str, lock: Lock,
                      venv: PendingVenv, *, what: str, reinstall: Sequence[str] = (),
                      system: Mapping[str, str] | None = None,
                      base: PendingFacts | None = None, explicit: Collection[str] = (),
                      reuse_from: Path | None = None,
                      carry_from: Path | None = None,
                      known: Mapping[str, EntryMetadata] | None = None,
                      check_requirements: bool = True) -> BuiltEnvironment:
    """Compose ``lock`` from the package store into the venv being created at ``target``
    and verify the result (its requirements too, unless the caller checks them:
    :func:`refuse_unmet`).

    The direct references of ``reuse_from``'s entries are taken as they are unless
    ``reinstall`` names them; what tools wrote into ``carry_from`` is copied over.

    ``base`` is ``python`` being described already; a venv has its base's markers, so only
    the base is ever started. Its ABI names the store entries the venv can use. What is
    verified comes from each entry's metadata, read once (``known``: recorded, by entry)
    and not through the venv's links, except for the entries ``reuse_from`` did not
    have.
    """
    describing = base or engine.start_describe(python)
    try:
        facts = describing.result()
        reused = entries_of(reuse_from, layout.store) if reuse_from is not None else None
        entries = provide(engine, layout, python, lock, abi=facts.abi,
                          index=engine.index_identity, reinstall=reinstall, previous=reused)
        venv.wait()  # only the composition needs it: uv makes it while the store is filled
        (target / LOCK_FILE_NAME).write_text(lock.text, encoding="utf-8")
        compose(target, sorted(entries, key=lambda e: (e.name in explicit, e.name)),
                previous=reuse_from or carry_from)
        carried = carry(carry_from, target) if carry_from is not None else []
    except BaseException:
        venv.cancel()
        if base is None:
            describing.cancel()
        raise
    drop_world_write(target / ".lock")
    purelib = paths.site_packages(target)
    if purelib is None:
        raise PyshelfError(f"{what} has no site-packages folder; nothing was changed.")
    found = {entry.path.name: metadata for entry in entries
             if (metadata := (entry.metadata or (known or {}).get(entry.path.name)
                              or metadata_of(entry))) is not None}
    if len(found) == len(entries):
        _check_composed(purelib, entries, found,
                        {e.path.name for e in (reused or {}).values()}, what)
        distributions = sorted((distribution(e.name, e.version, found[e.path.name])
                                for e in entries), key=lambda d: d.name)
        commands: dict[str, Sequence[str]] | None = {
            e.name: found[e.path.name].commands for e in entries}
    else:  # an entry whose own files cannot tell: read what the venv holds
        distributions, commands = read_distributions(purelib), None
    _verify(lock, distributions, what)
    built = BuiltEnvironment(facts, distributions, carried=carried, metadata=found,
                             commands=commands)
    if check_requirements:
        refuse_unmet(built, system)
    return built


def refuse_unmet(built: BuiltEnvironment, system: Mapping[str, str] | None) -> None:
    """Every requirement of the environment's packages is met, by them or the system's."""
    provided = {**(system or {}), **{d.name: d.version for d in built.distributions}}
    unmet = unmet_requirements(built.distributions, provided, built.facts.marker_env)
    if unmet:
        raise PyshelfError(f"The new environment has unmet requirements: {unmet[0]}.")


def _check_composed(purelib: Path, entries: Sequence[StoreEntry],
                    metadata: Mapping[str, EntryMetadata], kept: Collection[str],
                    what: str) -> None:
    """The venv lists exactly the entries' distributions (one listing of site-packages),
    and each entry the previous generation was not composed of (``kept``: the entries it
    was) reads, through the new links, as the metadata recorded for it."""
    wanted = {(entry.name, entry.version): entry for entry in entries}
    listed = folder_names(purelib)
    named = {entry.dist_info: key for key, entry in wanted.items() if entry.dist_info}
    if len(named) == len(wanted) and named.keys() == set(listed):  # as the entries name them
        folders, wrong = {key: purelib / name for name, key in named.items()}, set()
    else:  # told from the folders' names (packaging's canonical names)
        folders = {name_and_version(purelib / name): purelib / name for name in listed}
        wrong = {name for name, _ in folders.keys() ^ wanted.keys()}
    for key, entry in wanted.items():
        if entry.path.name not in kept and key in folders:
            read = read_distribution(folders[key])
            recorded = metadata[entry.path.name]
            if read is None or (read.display_name, read.requires) != (recorded.display_name,
                                                                      recorded.requires):
                wrong.add(entry.name)
    if wrong:
        raise PyshelfError(f"{what} was not composed as its entries say (missing or "
                           f"different: {', '.join(sorted(wrong))}); nothing was changed.")


def drop_world_write(path: Path) -> None:
    """uv creates the file it locks an environment with as 0o666 whatever the umask (so other
    users' uv could lock it); in the shelf only its owner ever changes a generation."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not path.is_symlink() and mode & 0o002:
        path.chmod(mode & 0o7775)


def _verify(lock: Lock, distributions: list[Distribution], what: str) -> None:
    installed = {d.name: d.version for d in distributions}
    wrong = [
        f"{p.display_name}=={p.version}" if p.version else p.display_name
        for p in lock.packages.values()
        if p.name not in installed
        or (p.version and installed[p.name] != p.version
            and not same_version(installed[p.name], p.version))
    ]
    if wrong:
        raise PyshelfError(
            f"{what} did not come out as resolved (missing or different: "
            f"{', '.join(sorted(wrong))}); nothing was changed."
        )
