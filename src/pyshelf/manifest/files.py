"""Where ``shelf.toml`` and its lock live, and keeping them in step with the shelf.

Every change writes both after its generation is committed (``after_switch``, called from
the pipeline's tail, and by ``expose``/``hide``/``config`` for what they change). A file
that pyshelf wrote and nobody touched since is rewritten to the new generation's intent;
one that was edited (by hand, or by a ``git pull``) gets the change applied to it as an
edit, so the edit stays, and pyshelf says it is not synced yet. Which of the two it is, the
database remembers: the digest of what pyshelf last wrote, and for which generation. So a
crash between the commit and the write leaves a file that is merely behind, which status
and doctor say and the next change or ``sync`` rewrites, never mistaken for an edit that
``sync`` would then undo.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pyshelf import ui
from pyshelf.core.manifest import (
    Manifest,
    RequirementForms,
    applied,
    differences,
    fill_names,
    from_shelf,
    is_version_request,
    learn_written,
    minor,
    same_entries,
    same_settings,
    version_met,
)
from pyshelf.errors import PyshelfError
from pyshelf.manifest.plain import in_file_order, plain_text
from pyshelf.xdg import base_dir

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

    from pyshelf.shelf import Shelf

MANIFEST_NAME = "shelf.toml"
LOCK_NAME = "pylock.shelf.toml"  # PEP 751's pylock.<name>.toml, which uv and pip recognise
RECORD_KEY = "manifest_written"
FORMS_KEY = "requirement_forms"  # the requirements of the manifest last written, as read
MANIFEST_SETTINGS = ("index_url", "extra_index_urls", "system_site_packages", "expose")
_pending_document: list[str] = []  # a document `sync --from` adopts, for the next write


class Written(NamedTuple):
    """What pyshelf last wrote: where, for which generation, and its digest; for a file in
    the plain layout, the order of its entries (their keys) and its python request."""

    path: str
    generation: int
    digest: str
    order: tuple[str, ...] | None = None  # None: tomlkit's own layout, or written before
    python: str | None = None


def manifest_path(shelf: Shelf) -> Path:
    """The ``manifest`` setting, else the config folder's ``shelf.toml`` for the shelf in
    the standard place and the home's own for one elsewhere (``--home``, ``PYSHELF_HOME``):
    a second shelf, a scratch one included, must never edit the first one's manifest."""
    configured = shelf.setting("manifest")
    if configured:
        return Path(configured)
    standard = base_dir("XDG_DATA_HOME", os.environ, Path.home()) / "pyshelf"
    if os.path.realpath(shelf.layout.home) != os.path.realpath(standard):
        return shelf.layout.home / MANIFEST_NAME
    return base_dir("XDG_CONFIG_HOME", os.environ, Path.home()) / "pyshelf" / MANIFEST_NAME


def lock_path(manifest: Path) -> Path:
    return manifest.with_name(LOCK_NAME)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> str | None:
    """The file's text, None when there is none; unreadable is one sentence."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PyshelfError(f"{path} cannot be read ({exc}).") from exc


def load(shelf: Shelf, text: str, source: str, folder: Path,
         forms: RequirementForms | None = None) -> tuple[TOMLDocument, Manifest]:
    """The document and what it says, path entries listed by path alone named where the
    shelf already holds that path."""
    from pyshelf.manifest.document import parse

    document, manifest = parse(text, source, base=str(folder), home=str(Path.home()),
                               forms=forms)
    gen_id = shelf.state.current_generation_id()
    known = {e.source_path: e.name for e in shelf.state.intent(gen_id)
             if e.source_path} if gen_id is not None else {}
    return document, fill_names(manifest, known)


def known_forms(shelf: Shelf) -> RequirementForms:
    """The requirement forms the last write kept, if the same packaging told them."""
    try:
        data = json.loads(shelf.state.meta_value(FORMS_KEY) or "{}")
        if data.get("packaging") == _packaging_version():
            return RequirementForms({str(text): (str(name), str(form))
                                     for text, (name, form) in data["forms"].items()},
                                    [str(python) for python in data.get("pythons", [])])
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return RequirementForms()


def _packaging_version() -> str:
    import packaging  # its version alone: the package's own module imports nothing

    return packaging.__version__


def last_written(shelf: Shelf) -> Written | None:
    raw = shelf.state.meta_value(RECORD_KEY)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        order, python = data.get("order"), data.get("python")
        return Written(str(data["path"]), int(data["generation"]), str(data["digest"]),
                       None if order is None else tuple(str(key) for key in order),
                       None if python is None else str(python))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def untouched(shelf: Shelf, path: Path, text: str) -> Written | None:
    """The record of the last write when ``text`` is exactly what pyshelf wrote there."""
    written = last_written(shelf)
    if written is not None and written.path == str(path) and written.digest == digest(text):
        return written
    return None


def shelf_manifest(shelf: Shelf, gen_id: int) -> Manifest:
    """The manifest generation ``gen_id`` is, with the shelf's settings as stored (an
    environment override is one command's, not the shelf's)."""
    state = shelf.state
    exposure = state.exposure()
    commands: dict[str, list[str]] = {}
    if any(kind == "package" and not shown for (kind, _), shown in exposure.items()):
        from pyshelf.apps.bin_links import commands_by_package, isolated_commands

        commands = {**commands_by_package(shelf), **isolated_commands(shelf)}
    stored = state.config()
    settings = {key: stored.get(key) for key in MANIFEST_SETTINGS}
    settings["python"] = minor(state.generation(gen_id).interpreter.version)
    return from_shelf(state.intent(gen_id), state.isolated(gen_id), exposure, commands,
                      {k: v for k, v in settings.items() if v is not None})


def python_met(shelf: Shelf, request: str | None, gen_id: int) -> bool:
    """Whether the manifest's python is the one generation ``gen_id`` runs on."""
    if not request:
        return True
    interpreter = shelf.state.generation(gen_id).interpreter
    if is_version_request(request):
        return version_met(request, interpreter.version)
    typed = str(Path(request).expanduser())
    found = Path(shutil.which(typed) or typed)
    return str(found.resolve()) in (str(Path(interpreter.path).resolve()), interpreter.resolved)


def in_step(shelf: Shelf, on_disk: Manifest, gen_id: int) -> bool:
    current = shelf_manifest(shelf, gen_id)
    return same_entries(on_disk, current) and same_settings(
        on_disk, current, python_matches=python_met(shelf, on_disk.settings.get("python"), gen_id))


def adopt_document(text: str) -> None:
    """Make ``text`` (a manifest ``sync --from`` fetched) the document the next write
    starts from, so the shelf's file becomes that one, comments and all."""
    _pending_document[:] = [text]


def adopt_document_clear() -> None:
    """Forget a document :func:`adopt_document` was given, when the change did not happen."""
    _pending_document.clear()


def after_switch(shelf: Shelf) -> None:
    """The pipeline's tail: write the manifest and its lock for the generation the last
    operation made current. A failure warns; the change stands."""
    done = shelf.state.operations(limit=1, done_only=True)
    if not done:
        return
    before = (shelf_manifest(shelf, done[0].from_gen) if done[0].from_gen is not None
              else None)
    write_back(shelf, before, shelf_manifest(shelf, done[0].to_gen), lock=True)


def write_back(shelf: Shelf, before: Manifest | None, after: Manifest, *,
               lock: bool = False) -> None:
    """Make the manifest on disk say ``after``, where the shelf just went from ``before``
    (None: there was nothing before, or it is unknown). Warns instead of failing."""
    try:
        _write_back(shelf, before, after)
        if lock:
            write_lock(shelf)
    except (OSError, PyshelfError) as exc:
        reason = exc.message if isinstance(exc, PyshelfError) else str(exc)
        ui.warn(f"{manifest_path(shelf)} was not updated ({reason}); the next change or "
                "`pyshelf sync` tries again.")


def _write_back(shelf: Shelf, before: Manifest | None, after: Manifest) -> None:
    path = manifest_path(shelf)
    adopted = _pending_document.pop() if _pending_document else None
    text = adopted if adopted is not None else read_text(path)
    gen_id = shelf.current_generation_id()
    home = str(Path.home())
    forms = known_forms(shelf)
    stored = (dict(forms.known), set(forms.pythons))
    written = untouched(shelf, path, text) if text is not None and adopted is None else None
    rewritten = _plain_rewrite(shelf, written, after, gen_id, home)
    if rewritten is not None:
        target, new_text, order = rewritten
        ordered = in_file_order(target, order)
        plain = True
    else:
        edited = _edit(shelf, path, text, written, before, after, gen_id, home, forms)
        if edited is None:
            return
        target, new_text, order = edited
        ordered = in_file_order(target, order)
        plain = plain_text(ordered, home) == new_text
    if new_text != (text if adopted is None else read_text(path)):
        _replace(path, new_text)
    learn_written(target, forms)
    if (forms.used, forms.pythons) != stored:
        shelf.state.set_meta_value(FORMS_KEY, json.dumps(
            {"packaging": _packaging_version(), "forms": forms.used,
             "pythons": sorted(forms.pythons)}))
    shelf.state.set_meta_value(RECORD_KEY, json.dumps(
        {"path": str(path), "generation": gen_id, "digest": digest(new_text),
         **({"order": [e.key for e in ordered.entries],
             "python": target.settings.get("python")} if plain else {})}))
    if text is not None and not in_step(shelf, target, gen_id):
        ui.warn(f"{path} has changes not yet synced ({', '.join(differences(target, after))}); "
                "`pyshelf sync` applies them.")


def _plain_rewrite(shelf: Shelf, written: Written | None, after: Manifest, gen_id: int,
                   home: str) -> tuple[Manifest, str, Sequence[str]] | None:
    """A file pyshelf wrote in its plain layout (:mod:`pyshelf.manifest.plain`) and nobody
    touched since, rewritten to ``after`` without reading it: what its record says (the
    entries' order, the python request) is all that edit would have kept of it."""
    if written is None or written.order is None:
        return None
    target = _keep_python_request(after, written.python, shelf, gen_id)
    new_text = plain_text(in_file_order(target, written.order), home)
    return None if new_text is None else (target, new_text, written.order)


def _edit(shelf: Shelf, path: Path, text: str | None, written: Written | None,
          before: Manifest | None, after: Manifest, gen_id: int, home: str,
          forms: RequirementForms) -> tuple[Manifest, str, Sequence[str]] | None:
    """The new text as tomlkit edits the file (or renders a new one), the manifest it
    says, and the order of the entries it kept; None (after a warning) for a file that
    cannot be read as a manifest."""
    from pyshelf.manifest.document import ManifestError, edit, render

    if text is None:
        return after, render(after, home), ()
    try:
        document, on_disk = load(shelf, text, str(path), path.parent, forms)
    except ManifestError as exc:
        ui.warn(f"{exc.message.removesuffix(' nothing was changed.')} so pyshelf did not "
                "update it; fix it, then `pyshelf sync`.")
        return None
    rewrite = written is not None or before is None or (
        same_entries(on_disk, before) and dict(on_disk.settings) == dict(before.settings))
    target = (_keep_python_request(after, on_disk.settings.get("python"), shelf, gen_id)
              if rewrite else applied(on_disk, before, after) if before is not None
              else after)
    edit(document, on_disk, target, home)
    return target, document.as_string(), [entry.key for entry in on_disk.entries]


def _keep_python_request(after: Manifest, request: str | None, shelf: Shelf, gen_id: int
                         ) -> Manifest:
    """A file's own python request stays as written while the shelf meets it ("3.12", a
    path), and a file without one is not given one."""
    settings = dict(after.settings)
    if request is None:
        settings.pop("python", None)
    elif python_met(shelf, request, gen_id):
        settings["python"] = request
    return after._replace(settings=settings)


def _replace(path: Path, text: str) -> None:
    """Written in one rename, at a symlink's target (a dotfiles manager's link stays a
    link), with the file's own mode."""
    from pyshelf.atomic import replace_file

    target = path.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    replace_file(target, text.encode("utf-8"), mode)


def write_lock(shelf: Shelf) -> None:
    """The lock beside the manifest, in PEP 751 form, for the current generation."""
    from pyshelf.manifest.lock import pylock_of

    text = pylock_of(shelf, shelf.current_generation_id(), label="shelf-lock",
                     prefer_cache=True, quiet=True)
    target = lock_path(manifest_path(shelf))
    if read_text(target) != text:
        _replace(target, text)


class FileState(NamedTuple):
    """How the manifest on disk stands against the shelf, for status and doctor: from the
    database and the file alone."""

    path: Path
    state: str  # in-step, missing, invalid, behind or differs
    problem: str = ""
    advice: str = ""
    differences: tuple[str, ...] = ()


def file_state(shelf: Shelf) -> FileState:
    from pyshelf.core.manifest import differences
    from pyshelf.manifest.document import ManifestError

    path = manifest_path(shelf)
    gen_id = shelf.current_generation_id()
    try:
        text = read_text(path)
    except PyshelfError as exc:
        return FileState(path, "invalid", exc.message, "give pyshelf access to it")
    if text is None:
        return FileState(path, "missing", f"there is no {path}",
                         "`pyshelf sync` writes it from the shelf (so does the next change)")
    written = untouched(shelf, path, text)
    if written is not None and written.generation != gen_id:
        return FileState(path, "behind", f"{path} still describes generation "
                         f"{written.generation}: pyshelf stopped before writing it for "
                         f"generation {gen_id}",
                         "`pyshelf sync` rewrites it (so does the next change)")
    try:
        _, on_disk = load(shelf, text, str(path), path.parent, known_forms(shelf))
    except ManifestError as exc:
        return FileState(path, "invalid", exc.message.removesuffix(" nothing was changed."),
                         f"fix {path.name}; `pyshelf sync` refuses it until then")
    if in_step(shelf, on_disk, gen_id):
        return FileState(path, "in-step")
    found = differences(on_disk, shelf_manifest(shelf, gen_id))
    request = on_disk.settings.get("python")
    if request and not python_met(shelf, request, gen_id):
        found.append(f"python {request}")
    return FileState(path, "differs", f"{path} has changes not yet synced "
                     f"({', '.join(found)})", "`pyshelf sync` applies them",
                     tuple(found))
