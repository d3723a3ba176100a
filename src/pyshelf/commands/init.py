"""``pyshelf init``: the shelf home, its database, generation 0, the shell block, the launcher.

Running it again changes nothing unless an option asks for something new; moving the bin dir
or the shell config moves the managed block and the launcher with it.

The places the block and the launcher go are checked before anything is written, and a first
init either completes or takes back all it made: a half-made home would keep the settings of
the failed attempt, and the next init, given better ones, would fail in the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import BASELINE, Command, open_from
from pyshelf.core.clock import now
from pyshelf.errors import UsageError
from pyshelf.layout import Layout, default_bin_dir, entries

if TYPE_CHECKING:
    import argparse

    from pyshelf.host.shell_setup import Footprint
    from pyshelf.shelf import Shelf


def _wanted(args: argparse.Namespace, stored: dict[str, str]) -> dict[str, str]:
    """The settings this init stores: what its options ask for, and init's choice for those
    the shelf cannot do without and does not have yet."""
    from pyshelf.engine.interpreter import find_python
    from pyshelf.host.shell_setup import default_shell_config
    from pyshelf.store.settings import absolute_path

    wanted: dict[str, str] = {}
    if args.python or "python" not in stored:
        wanted["python"] = find_python(args.python or "python3")
    if args.bin_dir or "bin_dir" not in stored:
        wanted["bin_dir"] = absolute_path(args.bin_dir or str(default_bin_dir()))
    if args.shell_config or "shell_config" not in stored:
        wanted["shell_config"] = absolute_path(args.shell_config or str(default_shell_config()))
    if args.index_url:
        wanted["index_url"] = args.index_url
    if args.expose:
        wanted["expose"] = args.expose
    if args.no_modify_shell:
        wanted["modify_shell"] = "false"
    return wanted


def _plan(args: argparse.Namespace, stored: dict[str, str]
          ) -> tuple[dict[str, str], Path | None, Path]:
    """The settings to store, with the shell config (None: left alone) and the bin dir they
    lead to, environment overrides included; refused before anything is written when the
    interpreter would change or those places cannot take the block and the launcher."""
    from pyshelf.host.shell_setup import check_places
    from pyshelf.store.settings import effective_settings

    wanted = _wanted(args, stored)
    settings = effective_settings({**stored, **wanted}, os.environ)
    rc = (Path(str(settings["shell_config"].value)) if settings["modify_shell"].value == "true"
          else None)
    bin_dir = Path(str(settings["bin_dir"].value))
    check_places(rc, bin_dir)
    return wanted, rc, bin_dir


def _configure(shelf: Shelf, wanted: dict[str, str], stored: dict[str, str]) -> None:
    """Store the wanted settings, once the interpreter among them is known to start and to
    be the one the shelf is built on (if it is built)."""
    from pyshelf.engine.interpreter import interpreter_to_keep

    if "python" in wanted:
        facts = shelf.engine.describe(wanted["python"])  # refuses one that does not start
        wanted["python"] = interpreter_to_keep(wanted["python"], lambda _: facts)
        if stored.get("python", wanted["python"]) != wanted["python"]:
            raise UsageError(f"The shelf is built on {stored['python']}; changing its "
                             "interpreter with init is not supported.")
    for key, value in wanted.items():
        shelf.state.set_config(key, value)
    shelf.reload_settings()


def run(args: argparse.Namespace, layout: Layout) -> int:
    if os.path.lexists(layout.state_db):
        ready = _set_up(_opened(args, layout), args)
    else:
        ready = _first_init(args, layout)
    ui.report(ready)
    return 0


def _opened(args: argparse.Namespace, layout: Layout) -> Shelf:
    return open_from(args, layout, create=True)


def _first_init(args: argparse.Namespace, layout: Layout) -> str:
    """Set up a new shelf, or, on any failure or Ctrl-C, take back all it made: in the home,
    the entries that were not there before (and the home if it made it); outside, what
    :class:`Footprint` says it added. Nothing is made before the places are checked."""
    from pyshelf.host.shell_setup import Footprint

    _, rc, bin_dir = _plan(args, {})
    footprint = Footprint.before(rc, bin_dir)
    made_home = not os.path.lexists(layout.home)
    found = {entry.name for entry in entries(layout.home)}
    try:
        layout.home.mkdir(parents=True, exist_ok=True)
        shelf = _opened(args, layout)
        try:
            return _set_up(shelf, args)
        finally:
            shelf.state.close()  # before its files go, if they go
    except BaseException as exc:
        _take_back(layout, footprint, found, made_home=made_home)
        if isinstance(exc, KeyboardInterrupt):  # no "the change is kept": it was not
            raise KeyboardInterrupt from None
        raise


def _take_back(layout: Layout, footprint: Footprint, found: set[str], *,
               made_home: bool) -> None:
    """Undo a first init that failed, with Ctrl-C held back until it is done: an undo cut
    short would leave the half-made shelf it exists to remove."""
    from pyshelf.generations.switching import CommitGuard
    from pyshelf.removal import discard_new_home

    guard = CommitGuard()
    guard.hold()
    try:
        footprint.take_back(layout)
        if layout.home.is_dir():
            discard_new_home(layout.home, found, made_home=made_home)
    except OSError as exc:
        ui.warn(f"Could not take away what init made in {layout.home} ({exc.strerror}); "
                "delete it before running init again.")
    finally:
        guard.release()


def _set_up(shelf: Shelf, args: argparse.Namespace) -> str:
    """Store the settings, make generation 0 if there is none, put the block and the
    launcher in place; the sentence that says the shelf is ready."""
    from pyshelf.apps.bin_links import link_apps, remove_links
    from pyshelf.change.pipeline import initial_generation
    from pyshelf.host.shell_setup import apply_shell_block, install_launcher

    layout = shelf.layout
    with shelf.writing():
        stored = shelf.state.config()
        wanted, _, _ = _plan(args, stored)
        _configure(shelf, wanted, stored)
        gen_id = shelf.state.current_generation_id()
        if gen_id is None:
            gen_id = initial_generation(shelf)
            shelf.state.save_snapshot(BASELINE, gen_id, now())
        apply_shell_block(shelf, stored.get("shell_config"))
        install_launcher(shelf, stored.get("bin_dir"))
        if stored.get("bin_dir") and stored["bin_dir"] != shelf.setting("bin_dir"):
            remove_links(Path(stored["bin_dir"]), layout)
        link_apps(shelf)
        version = shelf.state.generation(gen_id).interpreter.version
    return f"The shelf at {layout.home} is ready (generation {gen_id}, Python {version})."


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", help="the interpreter the shelf is built on "
                                         "(default: python3 on PATH)")
    parser.add_argument("--bin-dir", help="where the pyshelf launcher goes (default: ~/.local/bin)")
    parser.add_argument("--shell-config", help="the shell config file to manage "
                                               "(default: from $SHELL)")
    parser.add_argument("--index-url", help="the package index to install from")
    parser.add_argument("--expose", choices=("path", "apps"),
                        help="path (default): the shelf's bin on PATH, so its python3 is the "
                             "one you get; apps: only the explicit packages' commands (and "
                             "pyshelf-python) are linked into the bin dir")
    parser.add_argument("--no-modify-shell", action="store_true",
                        help="do not touch the shell config, now or later; print the lines "
                             "to add yourself (`config set modify_shell true` undoes it)")
    parser.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")


COMMANDS = (
    Command(
        name="init",
        help="create the shelf: home, database, generation 0, shell block, launcher",
        examples="""examples:
  pyshelf init
  pyshelf init --python /usr/bin/python3.12 --bin-dir ~/bin
  pyshelf init --index-url https://mirror.example.com/simple
  pyshelf init --expose apps      # link apps into the bin dir; keep the system's python3""",
        run=run,
        arguments=_init_arguments,
    ),
)
