"""Making a generation current: the switch of ``env`` held together with its commit, and
the housekeeping after it.

Shared by every change and by going back to a generation on disk (undo, rollback,
restore), which needs nothing else of the change pipeline: so a switch imports none of it.
"""

from __future__ import annotations

import atexit
import signal

from pyshelf import ui
from pyshelf.apps.bin_links import link_apps
from pyshelf.errors import ChangeKept, PyshelfError
from pyshelf.generations.collect import collect_generations
from pyshelf.manifest.files import after_switch
from pyshelf.shelf import Shelf


class CommitGuard:
    """Holds Ctrl-C back from the switch of ``env`` until the database has recorded it, so
    an interrupt lands either before the commit (and the change is undone) or after it (and
    the change is kept), never between the two."""

    def __init__(self) -> None:
        self._mask: set[int | signal.Signals] | None = None

    def hold(self) -> None:
        self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def release(self) -> None:
        """Let Ctrl-C through again; one that came while it was held is raised here."""
        if self._mask is not None:
            mask, self._mask = self._mask, None
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def finish_switch(shelf: Shelf, gen_id: int, announcement: str, guard: CommitGuard) -> None:
    """Say that ``gen_id`` is current, then tidy up. The change is committed by now, so a
    Ctrl-C (held back by ``guard`` during the commit, or new) stops only the housekeeping
    and says the change is kept, and one that comes as the process exits is ignored: the
    exit status already tells how it went, and dying of the signal would hide that."""
    atexit.unregister(_ignore_interrupts)
    atexit.register(_ignore_interrupts)
    try:
        guard.release()
        ui.info(announcement)
        tidy_up(shelf)
    except KeyboardInterrupt as exc:
        raise ChangeKept(gen_id) from exc


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def tidy_up(shelf: Shelf) -> None:
    """Housekeeping after a switch: the manifest and its lock, the apps' links in the bin
    dir, then old generations. A failure here must not undo the change."""
    after_switch(shelf)
    try:
        link_apps(shelf)
    except (OSError, PyshelfError) as exc:
        ui.warn(f"The app links in the bin dir were not updated ({exc}); the next change "
                "tries again.")
    try:
        collected = collect_generations(shelf)
    except (OSError, PyshelfError) as exc:
        ui.warn(f"Old generations were not collected ({exc}); run `pyshelf gc` later.")
        return
    if collected:
        ui.info("Collected generation(s) " + ", ".join(map(str, collected)) + ".")
