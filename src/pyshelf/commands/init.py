"""``pyshelf init``: the shelf home, its database, generation 0, the shell block, the launcher.

Running it again changes nothing unless an option asks for something new; moving the bin dir
or the shell config moves the managed block and the launcher with it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyshelf import ui
from pyshelf.change import initial_generation
from pyshelf.clock import now
from pyshelf.commands.snapshots import BASELINE
from pyshelf.errors import UsageError
from pyshelf.exposure import link_apps, remove_links
from pyshelf.integration import apply_shell_block, default_shell_config, install_launcher
from pyshelf.interpreter import find_python
from pyshelf.layout import Layout, default_bin_dir
from pyshelf.settings import absolute_path
from pyshelf.shelf import Shelf, open_shelf


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
        shelf.state.set_config("bin_dir", absolute_path(args.bin_dir or str(default_bin_dir())))
    if args.shell_config or "shell_config" not in stored:
        shelf.state.set_config("shell_config",
                               absolute_path(args.shell_config or str(default_shell_config())))
    if args.index_url:
        shelf.state.set_config("index_url", args.index_url)
    if args.expose:
        shelf.state.set_config("expose", args.expose)
    shelf.reload_settings()


def run(args: argparse.Namespace, layout: Layout) -> int:
    layout.home.mkdir(parents=True, exist_ok=True)
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait, create=True)
    with shelf.writing():
        stored = shelf.state.config()
        _configure(shelf, args)
        gen_id = shelf.state.current_generation_id()
        if gen_id is None:
            gen_id = initial_generation(shelf)
            shelf.state.save_snapshot(BASELINE, gen_id, now())
        apply_shell_block(shelf, stored.get("shell_config"), write=not args.no_modify_shell)
        if args.no_modify_shell:
            ui.info("Left the shell configuration alone (--no-modify-shell).")
        install_launcher(shelf, stored.get("bin_dir"))
        if stored.get("bin_dir") and stored["bin_dir"] != shelf.setting("bin_dir"):
            remove_links(Path(stored["bin_dir"]), layout)
        link_apps(shelf)
    ui.out(f"The shelf at {layout.home} is ready (generation {gen_id}, "
           f"Python {shelf.state.generation(gen_id).interpreter.version}).")
    return 0
