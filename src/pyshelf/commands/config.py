"""``pyshelf config``: show and change the shelf's settings.

A setting that something outside the database follows (the launcher follows ``bin_dir``, the
shell block follows both paths) is moved in the same command, under the writer lock. The new
place is checked before the value is stored or the old place touched, so a place that cannot
take the block or the launcher is refused with nothing changed; if the move still fails, the
old value is stored again and put back, so the shelf is never left pointing at a place that
does not hold it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, json_output, open_from
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.layout import Layout, default_bin_dir

if TYPE_CHECKING:
    from pyshelf.shelf import Shelf
    from pyshelf.store.settings import Setting

# Settings a generation is built with: a change shows only in the next generation.
_BUILD_SETTINGS = ("python", "system_site_packages")


def _shown(value: str | None) -> str:
    return value or "-"


def _moved_bin_dir(shelf: Shelf, previous: str | None) -> None:
    from pyshelf.apps.bin_links import link_apps, remove_links
    from pyshelf.host.shell_setup import install_launcher

    _rewrite_block(shelf, f"put {shelf.path_setting('bin_dir')} on PATH yourself")
    install_launcher(shelf, previous)
    if previous:
        remove_links(Path(previous), shelf.layout)
    link_apps(shelf)


def _changed_exposure(shelf: Shelf, previous: str | None) -> None:
    from pyshelf.apps.bin_links import link_apps

    _rewrite_block(shelf, "PATH is yours to change")
    link_apps(shelf)


def _rewrite_block(shelf: Shelf, otherwise: str) -> None:
    from pyshelf.host.shell_setup import (
        apply_shell_block,
        holds_block,
        modifies_shell,
        show_shell_lines,
    )

    rc = shelf.path_setting("shell_config")
    if not modifies_shell(shelf):
        show_shell_lines(shelf, f"modify_shell is false, so PATH was left alone; {otherwise}")
    elif holds_block(rc):
        apply_shell_block(shelf, None)
    else:
        ui.info(f"{rc} has no pyshelf block, so PATH was left alone; {otherwise}.")


def _moved_shell_config(shelf: Shelf, previous: str | None) -> None:
    from pyshelf.host.shell_setup import apply_shell_block

    apply_shell_block(shelf, previous)


def _changed_modify_shell(shelf: Shelf, previous: str | None) -> None:
    """Turned on, the block is written; turned off, it is taken out: a block pyshelf no
    longer keeps up to date would go stale with the next move of the bin dir."""
    from pyshelf.host.shell_block import update_config_file
    from pyshelf.host.shell_setup import apply_shell_block, modifies_shell

    rc = shelf.path_setting("shell_config")
    if not modifies_shell(shelf) and update_config_file(rc, None):
        ui.info(f"Removed the pyshelf block from {rc}.")
    apply_shell_block(shelf, None)


# Run after the new value is stored, with the value that was in effect before.
_FOLLOWERS: dict[str, Callable[[Shelf, str | None], None]] = {
    "bin_dir": _moved_bin_dir,
    "shell_config": _moved_shell_config,
    "modify_shell": _changed_modify_shell,
    "expose": _changed_exposure,
}


def _check_block_file(after: dict[str, Setting]) -> None:
    """The file whose block is rewritten in place; one without a block is left alone."""
    from pyshelf.host.shell_block import check_config_file
    from pyshelf.host.shell_setup import holds_block

    rc = after["shell_config"].value
    if rc and holds_block(Path(rc)):
        check_config_file(Path(rc))


def _check_new_bin_dir(after: dict[str, Setting]) -> None:
    """The launcher and the app links go into the new bin dir, and the block names it."""
    from pyshelf.host.shell_setup import check_launcher_place

    bin_dir = after["bin_dir"].value
    if bin_dir:
        check_launcher_place(Path(bin_dir))
    _check_block_file(after)


def _check_new_shell_config(after: dict[str, Setting]) -> None:
    """The block moves into the new file, whether or not the old one had it."""
    from pyshelf.host.shell_block import check_config_file

    rc = after["shell_config"].value
    if rc:
        check_config_file(Path(rc))


# Run before the new value is stored, with every setting as it will be: refuse a place the
# followers above could not write to.
_CHECKS: dict[str, Callable[[dict[str, Setting]], None]] = {
    "bin_dir": _check_new_bin_dir,
    "shell_config": _check_new_shell_config,
    "modify_shell": _check_new_shell_config,
    "expose": _check_block_file,
}


def check_setting(shelf: Shelf, key: str, value: str | None) -> None:
    """Refuse as a bad value (exit 2, nothing stored, nothing moved) a change whose
    followers cannot move to where the settings would then lead, environment included."""
    from pyshelf.store.settings import effective_settings

    check = _CHECKS.get(key)
    if check is None:
        return
    config = shelf.state.config()
    if value is None:
        config.pop(key, None)
    else:
        config[key] = value
    try:
        check(effective_settings(config, os.environ))
    except PyshelfError as exc:
        raise UsageError(exc.message, exc.detail) from exc


def follow_setting(shelf: Shelf, key: str, previous: str | None) -> None:
    """Move what follows ``key`` (the block, the launcher, the links) to its stored value,
    from ``previous``; for a caller that stored it under its own writer lock."""
    follow = _FOLLOWERS.get(key)
    if follow is not None:
        follow(shelf, previous)


def _store(shelf: Shelf, key: str, value: str | None) -> None:
    """Store ``value`` (None: remove it) and move whatever follows the setting."""
    from pyshelf.manifest.files import MANIFEST_SETTINGS, shelf_manifest, write_back
    from pyshelf.store.settings import DEFAULTS, ENVIRONMENT_OVERRIDES

    with shelf.writing():
        shelf.reload_settings()  # another command may have changed it while we waited
        gen_id = shelf.state.current_generation_id()
        described = (shelf_manifest(shelf, gen_id)
                     if key in MANIFEST_SETTINGS and gen_id is not None else None)
        stored_before = shelf.state.config().get(key)
        previous = shelf.setting(key)
        check_setting(shelf, key, value)
        shelf.state.set_config(key, value)
        shelf.reload_settings()
        follow = _FOLLOWERS.get(key)
        if follow is not None:
            try:
                follow(shelf, previous)
            except BaseException:
                attempted = shelf.setting(key)
                shelf.state.set_config(key, stored_before)
                shelf.reload_settings()
                with contextlib.suppress(PyshelfError, OSError):
                    follow(shelf, attempted)
                raise
        if described is not None and gen_id is not None:  # the manifest states it too
            write_back(shelf, described, shelf_manifest(shelf, gen_id))
    ui.report(f"{key} = {_shown(value if value is not None else DEFAULTS[key])}")
    current = shelf.settings[key]
    if current.source == "environment":
        ui.warn(f"{ENVIRONMENT_OVERRIDES[key]} is set, so commands run with it use "
                f"{current.value} instead.")
    elif key in _BUILD_SETTINGS and current.value != previous:
        ui.info(f"{key} takes effect with the next generation; `pyshelf rebuild` rebuilds the "
                "current packages with it now.")


def _show(shelf: Shelf, args: argparse.Namespace) -> None:
    if args.json:
        ui.emit_json({key: {"value": s.value, "source": s.source}
                      for key, s in shelf.settings.items()})
        return
    ui.table(["Key", "Value", "Source"],
             [[key, _shown(s.value), s.source] for key, s in shelf.settings.items()])


def _get(shelf: Shelf, args: argparse.Namespace) -> None:
    from pyshelf.store.settings import known_key

    ui.out(shelf.setting(known_key(args.key)) or "")


def _set(shelf: Shelf, args: argparse.Namespace) -> None:
    from pyshelf.engine.interpreter import interpreter_to_keep
    from pyshelf.store.settings import known_key, normalise

    key = known_key(args.key)
    value = normalise(key, args.value)
    if key == "python":
        try:
            facts = shelf.engine.describe(value)  # refuses one that does not start
            value = interpreter_to_keep(value, lambda _: facts)
        except PyshelfError as exc:
            raise UsageError(exc.message, exc.detail) from exc
    _store(shelf, key, value)


def _init_default(key: str) -> Path | None:
    """What init would choose for a setting the shelf cannot do without; ``unset`` stores
    that again rather than leaving the launcher and the block with nowhere to go."""
    from pyshelf.host.shell_setup import default_shell_config

    defaults: dict[str, Callable[[], Path]] = {
        "bin_dir": default_bin_dir,
        "shell_config": default_shell_config,
    }
    default = defaults.get(key)
    return default() if default is not None else None


def _unset(shelf: Shelf, args: argparse.Namespace) -> None:
    from pyshelf.store.settings import known_key

    key = known_key(args.key)
    if key == "python":
        raise UsageError("python cannot be unset, because every generation needs an "
                         "interpreter; choose another with `pyshelf config set python PATH`.")
    default = _init_default(key)
    _store(shelf, key, str(default) if default is not None else None)


_ACTIONS: dict[str, Callable[[Shelf, argparse.Namespace], None]] = {
    "show": _show,
    "get": _get,
    "set": _set,
    "unset": _unset,
}


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_from(args, layout)
    _ACTIONS[args.action or "show"](shelf, args)
    return 0


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    config_actions = parser.add_subparsers(dest="action", metavar="ACTION")
    config_show = config_actions.add_parser("show", help="every setting, its value and "
                                                         "its source")
    config_show.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help="machine-readable output")
    config_get = config_actions.add_parser("get", help="print one setting's value")
    config_get.add_argument("key", metavar="KEY")
    config_set = config_actions.add_parser("set", help="change a setting")
    config_set.add_argument("key", metavar="KEY")
    config_set.add_argument("value", metavar="VALUE")
    config_unset = config_actions.add_parser("unset", help="back to the default")
    config_unset.add_argument("key", metavar="KEY")
    json_output(parser)


COMMANDS = (
    Command(
        name="config",
        help="show or change the shelf's settings",
        examples="""examples:
  pyshelf config                  # every setting and where its value comes from
  pyshelf config get index_url
  pyshelf config set keep_generations 10
  pyshelf config set index_url https://mirror.example.com/simple
  pyshelf config unset index_url""",
        run=run,
        arguments=_config_arguments,
    ),
)
