"""``pyshelf history`` and ``pyshelf diff``: what changed, when, and how (database only)."""

from __future__ import annotations

from pyshelf import ui
from pyshelf.commands.common import Command, json_output, open_from
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.layout import Layout
from pyshelf.ui import local_time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from pyshelf.core.plan import Plan
    from pyshelf.shelf import Shelf
    from pyshelf.store.database import OperationRecord


def _generations(record: OperationRecord) -> str:
    start = "-" if record.from_gen is None else str(record.from_gen)
    return f"{start} -> {record.to_gen}"


def run_history(args: argparse.Namespace, layout: Layout) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    shelf = open_from(args, layout)
    records = shelf.state.operations(limit=args.limit)
    if args.json:
        ui.emit_json([
            {"id": r.id, "time": r.started_at, "command": r.command, "from_generation":
             r.from_gen, "to_generation": r.to_gen, "status": r.status, "summary": r.summary}
            for r in records
        ])
        return 0
    ui.table(("#", "Time", "Command", "Generations", "Changes"),
             [(str(r.id), local_time(r.started_at), r.command, _generations(r),
               r.summary or r.status) for r in records])
    return 0


def generation_plan(shelf: Shelf, from_gen: int | None, to_gen: int) -> Plan:
    from pyshelf.core.lockfile import EMPTY_LOCK
    from pyshelf.core.model import explicit_names
    from pyshelf.core.plan import as_installed, make_plan

    state = shelf.state
    target = as_installed(state.generation(to_gen).lock, state.packages(to_gen))
    if from_gen is None:
        return make_plan(EMPTY_LOCK, target, set(), explicit_names(state.intent(to_gen)))
    source = as_installed(state.generation(from_gen).lock, state.packages(from_gen))
    return make_plan(source, target, explicit_names(state.intent(from_gen)),
                     explicit_names(state.intent(to_gen)))


def run_diff(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_from(args, layout)
    if len(args.targets) > 2:
        raise UsageError("diff takes an operation number, or two generation numbers.")
    if len(args.targets) == 2:
        from_gen, to_gen = args.targets
        heading = f"Generation {from_gen} -> {to_gen}:"
    else:
        record = (shelf.state.operation(args.targets[0]) if args.targets
                  else next(iter(shelf.state.operations(limit=1, done_only=True)), None))
        if record is None:
            raise PyshelfError("There is no such operation; `pyshelf history` lists them.")
        if record.status != "done":
            raise PyshelfError(f"Operation {record.id} ({record.command}) is "
                               f"{record.status}: it changed nothing.")
        from_gen, to_gen = record.from_gen, record.to_gen
        heading = f"Operation {record.id} ({record.command}), generation " \
                  f"{_generations(record)}:"
    plan = generation_plan(shelf, from_gen, to_gen)
    if args.json:
        ui.emit_json({"from_generation": from_gen, "to_generation": to_gen,
                      **ui.plan_to_json(plan)})
    elif plan.is_empty:
        ui.out(heading + " no package changes.")
    else:
        ui.show_plan(plan, heading, asked=True)
    return 0


def _history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, help="only the newest N operations")
    json_output(parser)


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", type=int, metavar="N",
                        help="an operation number, or two generation numbers")
    json_output(parser)


COMMANDS = (
    Command(
        name="history",
        help="list the operations that changed the shelf",
        examples="""examples:
  pyshelf history
  pyshelf history --limit 5 --json""",
        run=run_history,
        report=True,
        arguments=_history_arguments,
    ),
    Command(
        name="diff",
        help="show what an operation changed, or the difference of two generations",
        examples="""examples:
  pyshelf diff            # what the last operation changed
  pyshelf diff 7          # what operation 7 changed
  pyshelf diff 2 5        # generation 2 against generation 5""",
        run=run_diff,
        report=True,
        arguments=_diff_arguments,
    ),
)
