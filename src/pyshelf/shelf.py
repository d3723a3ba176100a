"""An opened shelf: its paths, its record, its settings and the engine that changes it."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from pyshelf import ui
from pyshelf.engine.interpreter import (
    check_interpreter,
    identity,
    is_launcher_script,
    venv_base,
)
from pyshelf.errors import DiskFullError, PyshelfError
from pyshelf.generations.recovery import needs_recovery, recover
from pyshelf.layout import Layout
from pyshelf.store.database import State, open_state
from pyshelf.store.settings import Setting, effective_settings
from pyshelf.venv.drift import generation_drift

TYPE_CHECKING = False
if TYPE_CHECKING:  # reporting commands never start uv, so they need not import it
    from collections.abc import Iterator

    from pyshelf.engine.processes import Engine, PendingFacts


def command_line() -> str:
    """The command as the person typed it, for the history. The shelf's ``pip`` runs
    ``pyshelf --home HOME pip ...`` and says in ``$PYSHELF_PIP_AS`` what was typed to reach it
    (``pip3``, ``python3 -m pip``); that, not the call made for it, is what the person knows.
    Only a change records its command line, so only a change imports ``shlex`` for it."""
    import shlex

    from pyshelf.host.pip_shim import TYPED_AS

    typed_as = os.environ.get(TYPED_AS)
    if typed_as and sys.argv[1:4:2] == ["--home", "pip"]:
        return shlex.join([*shlex.split(typed_as), *sys.argv[4:]])
    return shlex.join(["pyshelf", *sys.argv[1:]])


class Shelf:
    def __init__(self, layout: Layout, state: State, *, verbose: bool = False,
                 wait: bool = True, settings: dict[str, Setting] | None = None) -> None:
        self.layout = layout
        self.state = state
        self.verbose = verbose
        self.wait = wait  # for the writer lock; False is --no-wait
        self.settings: dict[str, Setting] = settings if settings is not None else {}

    def setting(self, key: str) -> str | None:
        return self.settings[key].value

    def path_setting(self, key: str) -> Path:
        value = self.setting(key)
        if not value:
            raise PyshelfError(f"The shelf has no {key} configured; run `pyshelf init`.")
        return Path(value)

    def reload_settings(self) -> None:
        self.settings = effective_settings(self.state.config(), os.environ)

    @property
    def python(self) -> str:
        """The interpreter changes build on. A launcher script kept by an older pyshelf (a
        pyenv shim) would pick a Python from whatever folder pyshelf runs in; the current
        generation's own interpreter stands in for it."""
        python = self.setting("python")
        if not python:
            raise PyshelfError("The shelf has no interpreter configured; run `pyshelf init`.")
        gen_id = self.state.current_generation_id() if is_launcher_script(python) else None
        if gen_id is not None and self.layout.gen_python(gen_id).exists():
            return venv_base(self.layout.gen_python(gen_id))
        return python

    def start_describe(self) -> PendingFacts:
        """The shelf's interpreter described, overlapping whatever comes next: from what
        its last description printed while it is the same file on the same system (no
        change needs to start it then), else by starting it; a change records what that
        printed (:attr:`PendingFacts.printed`, under ``identity``)."""
        from pyshelf.engine.processes import PendingFacts

        python = self.python
        now_is = identity(python)
        known = self.state.described_interpreter()
        if now_is is not None and known is not None and known[0] == now_is:
            return PendingFacts.known(python, known[1])
        pending = self.engine.start_describe(python)
        pending.identity = now_is
        return pending

    @cached_property
    def engine(self) -> Engine:
        from pyshelf.engine.network import IndexAccess
        from pyshelf.engine.processes import Engine

        extra = (self.setting("extra_index_urls") or "").split()
        access = IndexAccess(certificate_file=self.setting("certificate_file"),
                             system_certificates=self.setting("system_certificates") == "true",
                             keyring_provider=self.setting("keyring_provider") or "disabled")
        return Engine(index_url=self.setting("index_url"), extra_index_urls=extra,
                      access=access, verbose=self.verbose,
                      bytecode=self.setting("bytecode") or "background")

    @contextmanager
    def writing(self, *, frees_space: bool = False) -> Iterator[None]:
        """Hold the shelf's writer lock for a whole change, after cleaning up whatever an
        interrupted pyshelf left behind. Refused at once when a folder of the home is a
        symlink: the change would write, and later delete, through it. For a body that
        ``frees_space`` (gc), a cleanup the full disk cannot record waits until after it;
        any other change is refused at once on a disk too full to open the database."""
        from pyshelf.removal import RemovalRefused, symlinked_folder_message, symlinked_folders
        from pyshelf.store.writer_lock import LockBusy, writer_lock

        if self.state.without_room and not frees_space:
            raise DiskFullError(self.layout.home)
        planted = symlinked_folders(self.layout.home)
        if planted:
            raise RemovalRefused(symlinked_folder_message(planted[0]))
        try:
            with writer_lock(self.layout.lock_file, ui.info, wait=self.wait):
                postponed = self._recover(postpone_if_full=frees_space)
                yield
                if postponed:
                    self._recover_or_warn()
                from pyshelf.package_store.bytecode import start_pending

                start_pending(self.layout)  # the new entries' bytecode, after the change
        except LockBusy as busy:
            raise PyshelfError(
                f"Another pyshelf (pid {busy.holder}) is changing this shelf; try again when "
                "it has finished, or leave out --no-wait to wait for it."
            ) from None

    def recover_if_free(self) -> None:
        """Clean up after an interrupted pyshelf if no other one is running; never waits,
        so a reporting command is not held up by a change in progress. Nor is it failed:
        on a full disk or a read-only shelf the cleanup cannot be written, and is left,
        said once, to a command that can (a change repeats it under the lock, and fails)."""
        if not needs_recovery(self.layout, self.state):
            return
        from pyshelf.store.writer_lock import LockBusy, writer_lock

        try:
            with writer_lock(self.layout.lock_file, ui.info, wait=False):
                self._recover_or_warn()
        except LockBusy:
            pass
        except OSError as exc:  # the lock file itself, e.g. on a read-only file system
            _cleanup_postponed(exc)

    def _recover(self, *, postpone_if_full: bool) -> bool:
        """Clean up under the writer lock; True if a full disk postponed it."""
        if not needs_recovery(self.layout, self.state):
            return False
        try:
            recover(self.layout, self.state)
        except DiskFullError:
            if not postpone_if_full:
                raise
            return True
        return False

    def _recover_or_warn(self) -> None:
        try:
            recover(self.layout, self.state)
        except (PyshelfError, OSError) as exc:
            _cleanup_postponed(exc)

    def current_generation_id(self) -> int:
        gen_id = self.state.current_generation_id()
        if gen_id is None:
            raise PyshelfError(
                f"The shelf at {self.layout.home} has no generation yet; run `pyshelf init`."
            )
        return gen_id


    def warn_about_changes(self, *, drift: bool = True) -> None:
        """Say, once per command, what changed under the shelf: its interpreter, or (with
        ``drift``) its packages by another tool. Files and the database only: no process."""
        gen_id = self.state.current_generation_id()
        if gen_id is None:
            return
        check = check_interpreter(self.state.interpreter(gen_id), self.layout.gen_python(gen_id))
        warning = check.warning()
        if warning:
            ui.warn(warning)
        outside = generation_drift(self.layout, self.state, gen_id) if drift else None
        if outside and outside.count:
            ui.warn(f"{outside.count} package(s) changed outside pyshelf "
                    f"({outside.summary()}); run `pyshelf doctor`.")


def _cleanup_postponed(exc: PyshelfError | OSError) -> None:
    reason = exc.message if isinstance(exc, PyshelfError) else str(exc)
    ui.warn(f"Cleaning up after an interrupted pyshelf must wait for a later command: {reason}")


def open_shelf(layout: Layout, *, verbose: bool = False, wait: bool = True,
               create: bool = False, warn_drift: bool = True, recover: bool = True) -> Shelf:
    """Open the shelf, first cleaning up after an interrupted pyshelf (unless ``recover`` is
    off: plain ``doctor`` changes nothing), and warn about what changed under it (commands
    that show outside changes in full turn ``warn_drift`` off)."""
    state = open_state(layout.state_db, create=create)
    shelf = Shelf(layout=layout, state=state, verbose=verbose, wait=wait,
                  settings=effective_settings(state.config(), os.environ))
    if recover:
        shelf.recover_if_free()
    shelf.warn_about_changes(drift=warn_drift)
    return shelf
