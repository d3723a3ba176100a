"""Where the shelf reaches outside its home: the managed shell block and the launcher.

Both follow the ``shell_config`` and ``bin_dir`` settings, and both ``init`` and ``config``
change those, so the code that moves them lives here once: a setting that changed and a
block or launcher left at the old place would leave ``pyshelf`` or the shelf off PATH.

The launcher, pyshelf's copy and the app links are imported where they are used: ``status``
asks only whether pyshelf modifies the shell, and pyshelf's copy brings in the engine that
starts processes (``subprocess``, ``packaging.tags``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pyshelf import ui
from pyshelf.errors import PyshelfError
from pyshelf.host.shell_block import (
    START_MARKER,
    check_config_file,
    default_config_path,
    detect_shell,
    render_block,
    shell_kind_for_path,
    update_config_file,
)
from pyshelf.host.write_targets import dead_end, nearest_existing
from pyshelf.layout import Layout, launcher_path
from pyshelf.removal import unlink_same_file
from pyshelf.shelf import Shelf


def default_shell_config() -> Path:
    """The file init manages when told nothing: the one the person's login shell reads."""
    return default_config_path(detect_shell(os.environ.get("SHELL")), Path.home(), os.environ)


def holds_block(rc: Path) -> bool:
    """Whether the shell config has (or had, half-deleted) a pyshelf block; a missing or
    unreadable file has none, and writing it later reports any problem properly."""
    try:
        return START_MARKER in rc.read_bytes()
    except OSError:
        return False


def modifies_shell(shelf: Shelf) -> bool:
    """Whether pyshelf writes the shell config; declined once (``init --no-modify-shell``),
    it stays declined until ``config set modify_shell true``, so that no later init or
    setting change edits a file the person keeps by hand."""
    return shelf.setting("modify_shell") == "true"


def shell_lines(shelf: Shelf) -> bytes:
    """The block pyshelf writes for the current settings, in the syntax of the config's
    shell."""
    from pyshelf.apps.bin_links import block_dirs

    return render_block(shell_kind_for_path(shelf.path_setting("shell_config")),
                        block_dirs(shelf))


def show_shell_lines(shelf: Shelf, why: str) -> None:
    """Print the block to stdout, for a person who declined the edit to paste: without it
    they would have to work out which folders, in which order, reach PATH."""
    lines = shell_lines(shelf)
    ui.info(f"{why}; to reach the shelf from a new shell, add these lines to "
            f"{shelf.path_setting('shell_config')} (or another file your shell reads):")
    ui.out_bytes(lines)


def apply_shell_block(shelf: Shelf, previous_rc: str | None) -> None:
    """Make the shell config hold the block for the current settings, and take the block out
    of ``previous_rc`` when the config moved from there; with ``modify_shell`` off, touch
    neither and print the block instead.

    The block is rendered before anything is touched, so a bin dir that cannot go on PATH
    leaves both files as they were. The new file gets its block before the old one loses
    its own: a failure in between leaves a block in both (each adds a folder to PATH only
    once), never in neither. Two names of one file are one file, whose block stays.
    """
    if not modifies_shell(shelf):
        show_shell_lines(shelf, "Left the shell configuration alone (modify_shell = false)")
        return
    rc = shelf.path_setting("shell_config")
    if update_config_file(rc, shell_lines(shelf)):
        ui.info(f"Updated {rc}; open a new terminal (or `source {rc}`) to use the shelf.")
    if (previous_rc and os.path.realpath(previous_rc) != os.path.realpath(rc)
            and update_config_file(Path(previous_rc), None)):
        ui.info(f"Removed the pyshelf block from {previous_rc}.")


def check_places(rc: Path | None, bin_dir: Path) -> None:
    """Refuse, before anything is changed, a shell config (None: not to be written) or a bin
    dir that cannot take the block or the launcher, with the sentence that says why."""
    if rc is not None:
        check_config_file(rc)
    check_launcher_place(bin_dir)


def check_launcher_place(bin_dir: Path) -> None:
    """Refuse, changing nothing, a bin dir the launcher cannot be written into."""
    problem = _bin_dir_problem(bin_dir) or _launcher_problem(launcher_path(bin_dir))
    if problem is not None:
        raise PyshelfError(problem)


def _bin_dir_problem(bin_dir: Path) -> str | None:
    """Why the launcher cannot be written into ``bin_dir``, made first if missing."""
    trouble = dead_end(bin_dir)
    if trouble is not None:
        return f"The bin dir {bin_dir} {trouble}; fix the link or choose another bin dir."
    start = nearest_existing(bin_dir)
    if not start.is_dir():
        return (f"The bin dir {bin_dir} cannot be made because {start} is in the way and is "
                "not a directory; move it aside or choose another bin dir.")
    if not os.access(start, os.W_OK | os.X_OK):
        return (f"{start} is not writable, so the pyshelf launcher cannot be written into "
                f"{bin_dir}; make it writable or choose another bin dir.")
    return None


def _launcher_problem(launcher: Path) -> str | None:
    """Why what is at ``launcher`` stands in the launcher's way: pyshelf replaces only a file
    it can read and recognise as its own, and keeps any other readable file, but a link to
    nowhere, a directory or an unreadable file would leave ``pyshelf`` off PATH."""
    if not os.path.lexists(launcher):
        return None
    trouble = dead_end(launcher)
    if trouble is None and launcher.is_dir():
        trouble = "is a directory"
    elif trouble is None and not launcher.is_file():
        trouble = "is not a regular file"
    elif trouble is None and not os.access(launcher, os.R_OK):
        trouble = "cannot be read (permission denied)"
    if trouble is None:
        return None
    return (f"{launcher} {trouble}, and it is in the way of the pyshelf launcher; move it "
            "aside or choose another bin dir.")


def install_launcher(shelf: Shelf, previous_bin_dir: str | None) -> None:
    """Make sure pyshelf's own copy is this version, write the launcher that runs it into
    the bin dir, and take ours out of ``previous_bin_dir`` so that an old launcher earlier
    on PATH cannot shadow the new one."""
    from pyshelf.host.launcher import write_launcher
    from pyshelf.host.self_copy import copy_running, is_current

    bin_dir = shelf.path_setting("bin_dir")
    if not is_current(shelf.layout):
        copy_running(shelf.layout)
    if write_launcher(bin_dir, shelf.layout) == "foreign":
        ui.info(f"Kept the existing {launcher_path(bin_dir)} (not written by pyshelf).")
    if previous_bin_dir and os.path.realpath(previous_bin_dir) != os.path.realpath(bin_dir):
        _remove_launcher(Path(previous_bin_dir))


def _remove_launcher(bin_dir: Path) -> None:
    """Only a launcher pyshelf wrote is removed; one from pipx or ``pip --user`` stays."""
    from pyshelf.host.launcher import MARKER

    path = launcher_path(bin_dir)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return  # missing, or a symlink: not a launcher pyshelf wrote
    try:
        with os.fdopen(fd, "rb") as handle:
            seen = os.fstat(handle.fileno())
            ours = stat.S_ISREG(seen.st_mode) and MARKER.encode() in handle.read()
        if not ours or not unlink_same_file(path, seen):
            return
    except OSError as exc:
        ui.warn(f"Could not remove the old launcher {path} ({exc.strerror}); delete it yourself.")
        return
    ui.info(f"Removed the pyshelf launcher from {bin_dir}.")


@dataclass(frozen=True)
class Footprint:
    """What was at the places outside the home that a first ``init`` writes to, before it
    ran, so that one that fails takes back what it added there and nothing else: the block,
    unless the file already had one (of a shelf that was here before, say), the launcher,
    unless a ``pyshelf`` was there already, and the app links, which point into the home."""

    rc: Path | None  # None: init does not write the shell config (--no-modify-shell)
    rc_had_block: bool
    bin_dir: Path
    launcher_existed: bool

    @classmethod
    def before(cls, rc: Path | None, bin_dir: Path) -> Footprint:
        return cls(rc=rc, rc_had_block=rc is not None and holds_block(rc), bin_dir=bin_dir,
                   launcher_existed=os.path.lexists(launcher_path(bin_dir)))

    def take_back(self, layout: Layout) -> None:
        """Undo init's writes outside the home; what cannot be undone is said, not raised,
        because the home must still be taken away after it."""
        try:
            from pyshelf.apps.bin_links import remove_links

            remove_links(self.bin_dir, layout)
            if not self.launcher_existed:
                _remove_launcher(self.bin_dir)
            if self.rc is not None and not self.rc_had_block:
                update_config_file(self.rc, None)
        except (PyshelfError, OSError) as exc:
            reason = exc.message if isinstance(exc, PyshelfError) else str(exc)
            ui.warn(f"Could not take back everything init wrote outside the shelf: {reason}")
