"""``pyshelf run APP [--with PKG] -- ARGS``: run an app once without adding it to the shelf.

If the shelf holds APP at a version the request allows and nothing is added with ``--with``,
the shelf's own command runs: no uv, no network. Otherwise the app runs from a throw-away
environment (:mod:`pyshelf.apps.run_once`), reused while fresh. pyshelf then replaces itself
with the app (exec), so the app gets the terminal, the signals and the exit status as if it
had been started directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, exec_command, open_from
from pyshelf.core.clock import now
from pyshelf.errors import UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from packaging.requirements import Requirement

    from pyshelf.shelf import Shelf


def run(args: argparse.Namespace, layout: Layout) -> int:
    from packaging.utils import canonicalize_name

    from pyshelf.apps.run_once import ready_environment
    from pyshelf.core.specs import parse_install_specs, parse_requirement
    from pyshelf.venv import paths
    from pyshelf.venv.scripts import package_scripts

    app = parse_requirement(args.app)
    name = canonicalize_name(app.name)
    extra = parse_install_specs(args.with_packages, now())
    shelf = open_from(args, layout)
    environment = _on_shelf(shelf, app) if not extra else None
    if environment is None:
        intent = parse_install_specs([args.app, *args.with_packages], now())
        environment = ready_environment(shelf.engine, layout, intent, shelf.python,
                                        on_wait=ui.info)
    found = paths.site_packages(environment)
    scripts = package_scripts(found, name) if found else []
    command = _pick(scripts, app.name, args.script)
    exec_command(paths.script(environment, command), args.args)
    return 0  # not reached: the app replaced this process


def _on_shelf(shelf: Shelf, app: Requirement) -> Path | None:
    """The shelf's environment, if it holds what ``app`` asks for (extras included)."""
    from packaging.utils import canonicalize_name

    gen_id = shelf.current_generation_id()
    name = canonicalize_name(app.name)
    installed = {p.name: p for p in shelf.state.packages(gen_id)}
    package = installed.get(name)
    if package is None or app.url or app.extras:
        return None
    if not app.specifier.contains(package.version, prereleases=True):
        return None
    return shelf.layout.env


def _pick(scripts: list[str], display: str, chosen: str | None) -> str:
    """The command to run: ``--command``, else the one named like the package, else its only
    command."""
    from packaging.utils import canonicalize_name

    if chosen is not None:
        if chosen not in scripts:
            raise UsageError(f"{display} has no command '{chosen}'"
                             + (f"; it has: {', '.join(scripts)}." if scripts else "."))
        return chosen
    for candidate in (display, canonicalize_name(display)):
        if candidate in scripts:
            return candidate
    if len(scripts) == 1:
        return scripts[0]
    if not scripts:
        raise UsageError(f"{display} installs no command to run.")
    raise UsageError(f"{display} has several commands ({', '.join(scripts)}); choose one "
                     "with --command.")


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", metavar="APP", help="the package, e.g. 'black' or "
                                                   "'black==25.1'")
    parser.add_argument("--with", dest="with_packages", action="append", default=[],
                        metavar="PKG", help="another package the app needs (repeatable)")
    parser.add_argument("--command", dest="script", metavar="NAME",
                        help="which of the package's commands to run (default: the one "
                             "named like the package, or its only one)")
    parser.add_argument("args", nargs="*", default=[], metavar="ARG",
                        help="arguments for the app; put them after --")


COMMANDS = (
    Command(
        name="run",
        help="run an app once without adding it to the shelf",
        examples="""examples:
  pyshelf run black -- --check .           # the shelf's black if it has one
  pyshelf run 'httpie==3.2.4' -- --version # a throw-away environment, reused for 14 days
  pyshelf run pytest --with pytest-cov -- --cov
  pyshelf run python-lsp-server --command pylsp""",
        run=run,
        arguments=_run_arguments,
    ),
)
