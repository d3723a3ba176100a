"""Where the shelf reaches outside its home: the managed shell block and the launcher.

Both follow the ``shell_config`` and ``bin_dir`` settings, and both ``init`` and ``config``
change those, so the code that moves them lives here once: a setting that changed and a
block or launcher left at the old place would leave ``pyshelf`` or the shelf off PATH.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyshelf import ui
from pyshelf.exposure import exposes_apps
from pyshelf.launcher import MARKER, write_launcher
from pyshelf.removal import unlink_same_file
from pyshelf.selfcopy import copy_running, is_current
from pyshelf.shelf import Shelf
from pyshelf.shell import (
    START_MARKER,
    default_config_path,
    detect_shell,
    render_block,
    shell_kind_for_path,
    update_config_file,
)


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


def apply_shell_block(shelf: Shelf, previous_rc: str | None, *, write: bool = True) -> None:
    """Make the shell config hold the block for the current settings (unless ``write`` is
    false), and take the block out of ``previous_rc`` when the config moved from there.

    The block is rendered before anything is touched, so a bin dir that cannot go on PATH
    leaves both files as they were.
    """
    rc, bin_dir = shelf.path_setting("shell_config"), shelf.path_setting("bin_dir")
    on_path = [bin_dir] if exposes_apps(shelf) else [bin_dir, shelf.layout.env_bin]
    block = render_block(shell_kind_for_path(rc), on_path) if write else None
    if previous_rc and previous_rc != str(rc) and update_config_file(Path(previous_rc), None):
        ui.info(f"Removed the pyshelf block from {previous_rc}.")
    if block is not None and update_config_file(rc, block):
        ui.info(f"Updated {rc}; open a new terminal (or `source {rc}`) to use the shelf.")


def install_launcher(shelf: Shelf, previous_bin_dir: str | None) -> None:
    """Make sure pyshelf's own copy is this version, write the launcher that runs it into
    the bin dir, and take ours out of ``previous_bin_dir`` so that an old launcher earlier
    on PATH cannot shadow the new one."""
    bin_dir = shelf.path_setting("bin_dir")
    if not is_current(shelf.layout):
        copy_running(shelf.layout)
    if write_launcher(bin_dir, shelf.layout) == "foreign":
        ui.info(f"Kept the existing {bin_dir / 'pyshelf'} (not written by pyshelf).")
    if previous_bin_dir and os.path.realpath(previous_bin_dir) != os.path.realpath(bin_dir):
        _remove_launcher(Path(previous_bin_dir))


def _remove_launcher(bin_dir: Path) -> None:
    """Only a launcher pyshelf wrote is removed; one from pipx or ``pip --user`` stays."""
    path = bin_dir / "pyshelf"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return  # missing, or a symlink: not a launcher pyshelf wrote
    try:
        with os.fdopen(fd, "rb") as handle:
            seen = os.fstat(handle.fileno())
            ours = MARKER.encode() in handle.read()
        if not ours or not unlink_same_file(path, seen):
            return
    except OSError as exc:
        ui.warn(f"Could not remove the old launcher {path} ({exc.strerror}); delete it yourself.")
        return
    ui.info(f"Removed the pyshelf launcher from {bin_dir}.")
