"""``pyshelf status``: the shelf at a glance, and whether anything needs attention.

Read from the database and a few files, and no process started: what a new terminal gets
takes starting the person's own shell, whose startup files may take a second, so that is
``doctor``'s to find out. The disk used is the database's record (each store entry's size
when it was filled, each generation's own when it was composed): walking every file of a
big shelf takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshelf import ui
from pyshelf.commands.common import LOCAL_TYPES, Command, json_output, open_from, package_type
from pyshelf.layout import Layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from pyshelf.engine.interpreter import InterpreterCheck
    from pyshelf.health import ShellHealth
    from pyshelf.manifest.files import FileState
    from pyshelf.shelf import Shelf
    from pyshelf.store.database import OperationRecord, StoreUsage
    from pyshelf.venv.drift import Drift


@dataclass(frozen=True)
class Status:
    home: str
    generation: int
    built_at: str
    interpreter: InterpreterCheck
    package_types: list[str]
    isolated_apps: int
    expose: str
    on_disk: dict[int, tuple[int, int] | None]  # generation -> its own (bytes, files)
    store: StoreUsage
    shell: ShellHealth
    bin_dir: str | None
    drift: Drift
    manifest: FileState
    last: OperationRecord | None

    def counts(self) -> dict[str, int]:
        types = self.package_types
        return {"total": len(types), "explicit": types.count("explicit"),
                "local": sum(t in LOCAL_TYPES for t in types),
                "dependencies": types.count("dependency"), "isolated": self.isolated_apps}


def gather(shelf: Shelf) -> Status:
    from pyshelf.health import interpreter_health, shell_health
    from pyshelf.manifest.files import file_state
    from pyshelf.venv.drift import generation_drift

    gen_id = shelf.current_generation_id()
    return Status(
        home=str(shelf.layout.home),
        generation=gen_id,
        built_at=shelf.state.generation(gen_id).created_at,
        interpreter=interpreter_health(shelf, gen_id),
        package_types=[package_type(p) for p in shelf.state.packages(gen_id)],
        isolated_apps=len(shelf.state.isolated(gen_id)),
        expose=shelf.setting("expose") or "path",
        on_disk=shelf.state.generation_sizes(),
        store=shelf.state.store_usage(),
        shell=shell_health(shelf, probe=False),
        bin_dir=shelf.setting("bin_dir"),
        drift=generation_drift(shelf.layout, shelf.state, gen_id),
        manifest=file_state(shelf),
        last=next(iter(shelf.state.operations(limit=1)), None),
    )


def to_json(status: Status) -> dict[str, object]:
    interpreter, shell, last = status.interpreter, status.shell, status.last
    return {
        "home": status.home,
        "generation": {"id": status.generation, "created_at": status.built_at},
        "interpreter": {"path": interpreter.recorded.path, "runs": interpreter.runs,
                        "implementation": interpreter.recorded.implementation,
                        "version": interpreter.recorded.version, "state": interpreter.state,
                        "now_resolves_to": interpreter.now_resolved,
                        "now_minor_version": interpreter.now_minor},
        "packages": status.counts(),
        "generations_on_disk": {
            "ids": list(status.on_disk),
            "sizes": {str(gen_id): None if size is None else {"bytes": size[0], "files": size[1]}
                      for gen_id, size in status.on_disk.items()}},
        "store": {"entries": status.store.entries, "bytes": status.store.bytes,
                  "files": status.store.files},
        "shell": {"config": str(shell.config) if shell.config else None,
                  "modify_shell": shell.managed, "blocks": shell.blocks,
                  "problem": shell.problem},
        "bin_dir": {"path": status.bin_dir},
        "expose": status.expose,
        "outside_changes": {"count": status.drift.count, "details": status.drift.details()},
        "manifest": {"path": str(status.manifest.path), "state": status.manifest.state,
                     "differences": list(status.manifest.differences)},
        "last_operation": None if last is None else {
            "id": last.id, "command": last.command, "started_at": last.started_at,
            "status": last.status, "summary": last.summary},
    }


def _shell_line(shell: ShellHealth) -> str:
    if shell.config is None:
        return "no shell config is managed"
    if not shell.managed:
        where = f"{shell.config} left to you (modify_shell = false)"
    elif shell.problem:
        where = f"{shell.config} cannot be read ({shell.problem})"
    elif shell.blocks == 1:
        where = f"block in {shell.config}"
    else:
        where = f"{shell.blocks or 'NO'} block(s) in {shell.config}"
    return f"{where}; `pyshelf doctor` checks what a new shell gets"


def render(status: Status) -> list[tuple[str, str]]:
    counts, last, drift = status.counts(), status.last, status.drift
    return [
        ("Home", status.home),
        ("Generation", f"{status.generation} (built {ui.local_time(status.built_at)})"),
        ("Interpreter", status.interpreter.describe()),
        ("Packages", f"{counts['total']}: {counts['explicit']} explicit, {counts['local']} "
                     f"local, {counts['dependencies']} dependencies"
                     + (f"; {counts['isolated']} isolated app(s)" if counts["isolated"] else "")),
        ("Store", f"{status.store.entries} entries, {_megabytes(status.store.bytes)} in "
                  f"{status.store.files} files"),
        ("On disk", f"{len(status.on_disk)} generation(s): " + ", ".join(
            f"{gen_id} ({'size unknown' if size is None else _megabytes(size[0])})"
            for gen_id, size in status.on_disk.items())),
        ("Shell", _shell_line(status.shell)),
        ("Bin dir", f"{status.bin_dir} (exposes "
                    f"{'apps only' if status.expose == 'apps' else 'the whole shelf'})"),
        ("Outside changes", f"{drift.count} ({drift.summary()}); run `pyshelf doctor`"
         if drift.count else "none"),
        ("Manifest", f"{status.manifest.path} (matches the shelf)"
         if status.manifest.state == "in-step" else
         f"{status.manifest.problem}; {status.manifest.advice}"),
        ("Last change", "none" if last is None else
         f"#{last.id} {last.command} ({ui.local_time(last.started_at)}, {last.status})"),
    ]


def _megabytes(used: int) -> str:
    return f"{used / 1_000_000:.1f} MB"


def run(args: argparse.Namespace, layout: Layout) -> int:
    status = gather(open_from(args, layout, warn_drift=False))
    if args.json:
        ui.emit_json(to_json(status))
        return 0
    rows = render(status)
    width = max(len(label) for label, _ in rows) + 1
    for label, value in rows:
        ui.out(f"{label + ':':<{width}} {value}")
    return 0


COMMANDS = (
    Command(
        name="status",
        help="the shelf at a glance: generation, interpreter, shell, disk",
        examples="""examples:
  pyshelf status
  pyshelf status --json""",
        run=run,
        report=True,
        arguments=json_output,
    ),
)
