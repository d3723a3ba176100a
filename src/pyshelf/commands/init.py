"""``pyshelf init``: the shelf home, its database, generation 0, the shell block, the launcher.

Running it again changes nothing unless an option asks for something new; moving the bin dir
or the shell config moves the managed block with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from pyshelf import ui
from pyshelf.change import initial_generation
from pyshelf.commands.snapshots import BASELINE
from pyshelf.errors import UsageError
from pyshelf.launcher import write_launcher
from pyshelf.layout import Layout, default_bin_dir
from pyshelf.shelf import Shelf, now, open_shelf
from pyshelf.shell import (
    default_config_path,
    detect_shell,
    render_block,
    shell_kind_for_path,
    update_config_file,
)


def find_python(requested: str) -> str:
    """An absolute path to the chosen interpreter, as chosen (symlinks are kept, not resolved,
    so that a distribution repointing ``python3`` is noticed later)."""
    if os.sep in requested:
        candidate = Path(requested).expanduser().absolute()
        if not candidate.is_file():
            raise UsageError(f"There is no interpreter at {candidate}.")
        return str(candidate)
    found = shutil.which(requested)
    if not found:
        raise UsageError(f"'{requested}' was not found on PATH; give --python a path.")
    return str(Path(found).absolute())


def _chosen_path(value: str | None) -> str | None:
    return str(Path(value).expanduser().absolute()) if value else None


def _configure(shelf: Shelf, args: argparse.Namespace) -> None:
    stored = shelf.state.config()
    if args.python or "python" not in stored:
        python = find_python(args.python or "python3")
        if "python" in stored and stored["python"] != python:
            raise UsageError(
                f"The shelf is built on {stored['python']}; changing its interpreter with "
                "init is not supported."
            )
        shelf.engine.describe(python)  # refuses an interpreter that does not start
        shelf.state.set_config("python", python)
    if args.bin_dir or "bin_dir" not in stored:
        shelf.state.set_config("bin_dir", _chosen_path(args.bin_dir) or str(default_bin_dir()))
    if args.shell_config or "shell_config" not in stored:
        default_rc = default_config_path(detect_shell(os.environ.get("SHELL")), Path.home(),
                                         os.environ)
        shelf.state.set_config("shell_config",
                               _chosen_path(args.shell_config) or str(default_rc))
    if args.index_url:
        shelf.state.set_config("index_url", args.index_url)
    shelf.reload_settings()


def _update_shell(shelf: Shelf, previous_rc: str | None, skip: bool) -> None:
    rc, bin_dir = shelf.path_setting("shell_config"), shelf.path_setting("bin_dir")
    if previous_rc and previous_rc != str(rc) and update_config_file(Path(previous_rc), None):
        ui.info(f"Removed the pyshelf block from {previous_rc}.")
    if skip:
        ui.info("Left the shell configuration alone (--no-modify-shell).")
        return
    block = render_block(shell_kind_for_path(rc), [bin_dir, shelf.layout.env_bin])
    if update_config_file(rc, block):
        ui.info(f"Updated {rc}; open a new terminal (or `source {rc}`) to use the shelf.")


def run(args: argparse.Namespace, layout: Layout) -> int:
    layout.home.mkdir(parents=True, exist_ok=True)
    shelf = open_shelf(layout, verbose=args.verbose, create=True)
    with shelf.writing():
        previous_rc = shelf.state.config().get("shell_config")
        _configure(shelf, args)
        gen_id = shelf.state.current_generation_id()
        if gen_id is None:
            gen_id = initial_generation(shelf)
            shelf.state.save_snapshot(BASELINE, gen_id, now())
        _update_shell(shelf, previous_rc, args.no_modify_shell)
        bin_dir = shelf.path_setting("bin_dir")
        if write_launcher(bin_dir) == "foreign":
            ui.info(f"Kept the existing {bin_dir / 'pyshelf'} (not written by pyshelf).")
    ui.out(f"The shelf at {layout.home} is ready (generation {gen_id}, "
           f"Python {shelf.state.generation(gen_id).interpreter.version}).")
    return 0
