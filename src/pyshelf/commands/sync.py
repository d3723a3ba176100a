"""``pyshelf sync``: make the shelf match ``shelf.toml`` (or a manifest from elsewhere).

The manifest is read and checked first (a mistake names the line and column, and nothing
changes); then its packages become the new intent, its settings and exposure choices are
stored for the change, and the change goes through the one pipeline, with its plan and
prompt. A change that stops (a "no", a conflict, a dry run) puts the settings back.
``--from`` takes the manifest's content, not its place: the shelf's own ``shelf.toml``
then holds it, as ``pipx manifest sync FILE`` and ``pixi global sync`` leave the tool's
own record the only one; the ``manifest`` setting moves the file itself (into a dotfiles
checkout, say).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import REBUILT_KINDS, Command, changing, offer_isolated, open_from
from pyshelf.errors import EXIT_ERROR, ConflictError, PyshelfError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.core.manifest import Manifest
    from pyshelf.core.model import ChangeRequest
    from pyshelf.manifest.sources import Source
    from pyshelf.shelf import Shelf


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_from(args, layout)
    with shelf.writing():
        return sync(shelf, args)


def _source(shelf: Shelf, args: argparse.Namespace) -> Source | None:
    """The manifest to sync from: ``--from``'s, else the shelf's own (None if it has none)."""
    from pyshelf.manifest.files import lock_path, manifest_path, read_text
    from pyshelf.manifest.sources import Source, fetch

    if args.source:
        return fetch(args.source, shelf.setting("certificate_file"))
    path = manifest_path(shelf)
    text = read_text(path)
    if text is None:
        return None
    lock = lock_path(path)
    return Source(text, str(path), path.parent, read_text(lock), str(lock))


def sync(shelf: Shelf, args: argparse.Namespace) -> int:
    from pyshelf.manifest import files

    gen_id = shelf.current_generation_id()
    current = files.shelf_manifest(shelf, gen_id)
    source = _source(shelf, args)
    own = files.manifest_path(shelf)
    if source is None:
        if args.check:
            ui.out(f"There is no {own}; `pyshelf sync` writes it from the shelf.")
            return EXIT_ERROR
        if not args.dry_run:
            files.write_back(shelf, None, current, lock=True)
        ui.report(f"Wrote {own} from the shelf; there was nothing to sync.")
        return 0
    behind = None if args.source else files.untouched(shelf, own, source.text)
    if behind is not None and behind.generation != gen_id:
        # pyshelf wrote it for an earlier generation, and stopped before writing the next
        if args.check:
            ui.out(f"{own} still describes generation {behind.generation}: pyshelf stopped "
                   f"before writing it for generation {gen_id}. `pyshelf sync` rewrites it.")
            return EXIT_ERROR
        if not args.dry_run:
            files.write_back(shelf, None, current, lock=True)
        ui.report(f"Rewrote {own} for generation {gen_id}; it was behind.")
        return 0
    _, wanted = files.load(shelf, source.text, source.name, source.folder or own.parent)
    if files.in_step(shelf, wanted, gen_id):
        if args.check:
            ui.out(f"The shelf matches {source.name}.")
            return 0
        if args.source and not args.dry_run:
            files.adopt_document(source.text)
            files.write_back(shelf, current, current)
        ui.report(f"Nothing to change: the shelf matches {source.name}.")
        return 0
    if args.check:
        ui.out(f"{source.name} differs from the shelf: {_difference(shelf, wanted, current)}; "
               "`pyshelf sync` applies it.")
        return EXIT_ERROR
    _apply(shelf, args, source, wanted)
    return 0


def _difference(shelf: Shelf, wanted: Manifest, current: Manifest) -> str:
    from pyshelf.core.manifest import differences
    from pyshelf.manifest.files import python_met

    found = differences(wanted, current)
    request = wanted.settings.get("python")
    gen_id = shelf.current_generation_id()
    if request and not python_met(shelf, request, gen_id):
        found.append(f"python {request} (the shelf runs "
                     f"{shelf.state.generation(gen_id).interpreter.version})")
    return ", ".join(found)


def _apply(shelf: Shelf, args: argparse.Namespace, source: Source, wanted: Manifest) -> None:
    from pyshelf.change.pipeline import apply_change
    from pyshelf.commands.config import check_setting, follow_setting
    from pyshelf.manifest import files

    wanted = _named(shelf, wanted)
    gen_id = shelf.current_generation_id()
    before = files.shelf_manifest(shelf, gen_id)
    stored = shelf.state.config()
    settings = {key: wanted.settings.get(key) for key in files.MANIFEST_SETTINGS
                if wanted.settings.get(key) != before.settings.get(key)}
    for key, value in settings.items():
        check_setting(shelf, key, value)
    python = _python_for(shelf, wanted.settings.get("python"), gen_id)
    request = _request(shelf, args, source, wanted, python is not None
                       or "system_site_packages" in settings)
    added = [e.name for e in request.intent if e.kind == "index"
             and e.name not in {c.name for c in shelf.state.intent(gen_id)}]
    previous_expose = shelf.setting("expose")
    if args.source:
        files.adopt_document(source.text)
    with _provisional(shelf, settings, stored, _exposure(shelf, wanted),
                      keep=not args.dry_run):
        if python is not None:
            from pyshelf.store.settings import Setting

            shelf.settings["python"] = Setting(python, "file")
        try:
            apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
        except ConflictError as exc:
            raise offer_isolated(exc, added) from exc
    files.adopt_document_clear()  # used by the switch's write, if there was one
    if args.dry_run:
        return
    if python is not None:
        shelf.state.set_config("python", python)
    if "expose" in settings:
        follow_setting(shelf, "expose", previous_expose)
    if shelf.current_generation_id() == gen_id:  # settings or exposure only: no switch
        from pyshelf.apps.bin_links import link_apps

        link_apps(shelf)
        if args.source:
            files.adopt_document(source.text)
        files.write_back(shelf, before, files.shelf_manifest(shelf, gen_id))


def _named(shelf: Shelf, wanted: Manifest) -> Manifest:
    """Path entries listed without a name get theirs from the built project (as
    ``install PATH`` does)."""
    from pyshelf.change.local_sources import local_entry
    from pyshelf.core.clock import now
    from pyshelf.core.manifest import fill_names

    names = {}
    for entry in wanted.entries:
        if not entry.name and entry.path is not None:
            names[entry.path] = local_entry(shelf.engine, shelf.python, entry.path,
                                            editable=entry.editable, added_at=now()).name
    return fill_names(wanted, names)


def _python_for(shelf: Shelf, request: str | None, gen_id: int) -> str | None:
    """The interpreter the manifest moves the shelf to, or None where it runs on the one
    asked for already."""
    from pyshelf.core.manifest import is_version_request, minor
    from pyshelf.engine.interpreter import find_python, interpreter_to_keep
    from pyshelf.errors import UsageError
    from pyshelf.manifest.files import python_met

    if not request or python_met(shelf, request, gen_id):
        return None
    name = f"python{minor(request)}" if is_version_request(request) and request[0].isdigit() \
        else request
    try:
        python = interpreter_to_keep(find_python(name), shelf.engine.describe)
    except (UsageError, PyshelfError) as exc:
        raise PyshelfError(f"The manifest asks for Python {request}, and no {name} was found "
                           "on PATH; install it, or change python in the manifest. Nothing "
                           "was changed.") from exc
    ui.info(f"The shelf moves to {python}.")
    return python


def _request(shelf: Shelf, args: argparse.Namespace, source: Source, wanted: Manifest,
             rebuild: bool) -> ChangeRequest:
    from pyshelf.core.clock import now
    from pyshelf.core.manifest import intent_of, isolated_of
    from pyshelf.core.model import ChangeRequest

    gen_id = shelf.current_generation_id()
    added_at = now()
    current = {entry.name: entry for entry in shelf.state.intent(gen_id)}
    intent = intent_of(wanted, list(current.values()), added_at)
    isolated = isolated_of(wanted, shelf.state.isolated(gen_id), added_at)
    refresh = [e.name for e in intent if e.kind in REBUILT_KINDS
               and (e.name not in current or current[e.name].spec != e.spec)]
    pins: dict[str, str] = {}
    if args.locked:
        pins = _locked_pins(shelf, source, gen_id)
    return ChangeRequest(intent=intent, isolated=isolated, pins=pins, refresh=refresh,
                         prefer_cache=args.locked, always_build=rebuild,
                         leave_out_unavailable=rebuild)


def _locked_pins(shelf: Shelf, source: Source, gen_id: int) -> dict[str, str]:
    """The lock's exact versions, every hash it carries checked by uv first."""
    from pyshelf.commands.exchange import check_hashes
    from pyshelf.core.clock import now
    from pyshelf.export_formats import parse_pylock

    if source.lock_text is None:
        raise PyshelfError(f"--locked needs the lock {source.lock_name}, and there is none; "
                           "nothing was changed (`pyshelf sync` without --locked resolves "
                           "the manifest anew).")
    locked = parse_pylock(source.lock_text, source.lock_name, now())
    check_hashes(shelf, locked, Path(source.lock_name),
                 shelf.state.generation(gen_id).marker_env)
    return locked.pins


def _exposure(shelf: Shelf, wanted: Manifest) -> dict[tuple[str, str], bool | None]:
    from pyshelf.core.manifest import exposure_changes

    exposure = shelf.state.exposure()
    commands: dict[str, list[str]] = {}
    if any(entry.expose is not True for entry in wanted.entries) or any(
            not shown for shown in exposure.values()):
        from pyshelf.apps.bin_links import commands_by_package, isolated_commands

        commands = {**commands_by_package(shelf), **isolated_commands(shelf)}
    return exposure_changes(wanted, commands, exposure)


@contextmanager
def _provisional(shelf: Shelf, settings: Mapping[str, str | None], stored: Mapping[str, str],
                 exposure: Mapping[tuple[str, str], bool | None], *, keep: bool
                 ) -> Iterator[None]:
    """Store the manifest's settings and exposure choices for the change (the change
    resolves with them, and writes them back into the file); put back what was there if
    it stops, or after a dry run (``keep`` False)."""
    choices = shelf.state.exposure()
    for key, value in settings.items():
        shelf.state.set_config(key, value)
    for (kind, name), shown in exposure.items():
        shelf.state.set_exposure(kind, name, shown)
    shelf.reload_settings()
    try:
        yield
    except BaseException:
        _put_back(shelf, settings, stored, exposure, choices)
        raise
    if not keep:
        _put_back(shelf, settings, stored, exposure, choices)


def _put_back(shelf: Shelf, settings: Mapping[str, str | None], stored: Mapping[str, str],
              exposure: Mapping[tuple[str, str], bool | None],
              choices: Mapping[tuple[str, str], bool]) -> None:
    from pyshelf.manifest.files import adopt_document_clear

    adopt_document_clear()
    for key in settings:
        shelf.state.set_config(key, stored.get(key))
    for choice in exposure:
        shelf.state.set_exposure(*choice, choices.get(choice))
    shelf.reload_settings()


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="change nothing: exit 1 and say how the shelf differs from the "
                             "manifest, 0 when it matches")
    parser.add_argument("--locked", action="store_true",
                        help="install the exact versions of the lock beside the manifest "
                             "(pylock.shelf.toml)")
    parser.add_argument("--from", dest="source", metavar="PATH_OR_URL",
                        help="a manifest file, a folder holding shelf.toml (a dotfiles "
                             "checkout), or an http(s) URL; the shelf's own shelf.toml then "
                             "holds it")
    changing(parser)


COMMANDS = (
    Command(
        name="sync",
        help="make the shelf match its manifest, shelf.toml",
        examples="""examples:
  pyshelf sync                          # after editing ~/.config/pyshelf/shelf.toml
  pyshelf sync --check                  # exit 1 if the shelf differs (CI, login scripts)
  pyshelf sync --locked                 # the exact versions of pylock.shelf.toml
  pyshelf sync --from ~/dotfiles        # a checkout holding shelf.toml
  pyshelf sync --from https://example.com/team/shelf.toml""",
        run=run,
        arguments=_arguments,
    ),
)
