"""``pyshelf deps``, ``tree`` and ``why``: the dependency graph of the current generation.

Like ``list``, they read the database alone: the edges were recorded when the generation was
built, so an answer costs no process, no uv, no network, and takes no lock.
"""

from __future__ import annotations

from pyshelf import ui
from pyshelf.commands.common import Command, json_output, open_from
from pyshelf.core.records import NamedTuple
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.layout import Layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from pyshelf.core.model import InstalledPackage, Role
    from pyshelf.core.tree import Chains, Graph, Link


class _View(NamedTuple):
    """The current generation's graph, and which packages its intent names (and how)."""

    graph: Graph
    roles: dict[str, Role]

    @property
    def roots(self) -> list[str]:
        """Explicit packages and the orphans ``remove --keep-orphans`` pinned: both stand on
        their own, and a kept orphan would otherwise appear in no tree."""
        return sorted(name for name in self.roles if name in self.graph.packages)

    def installed(self, name: str) -> InstalledPackage:
        package = self.graph.packages.get(name)
        if package is None:
            raise PyshelfError(f"'{name}' is not installed on the shelf; `pyshelf list` shows "
                               "what is.")
        return package


class _Views(NamedTuple):
    """The shelf's graph, and one per isolated app (its own environment's)."""

    shelf: _View
    apps: dict[str, _View]

    def holding(self, name: str) -> _View:
        """The shelf's view if the shelf has ``name``, else the first isolated app's whose
        environment has it (the app itself first); the shelf's (to refuse) if none has."""
        if name in self.shelf.graph.packages:
            return self.shelf
        if name in self.apps:
            return self.apps[name]
        return next((view for view in self.apps.values() if name in view.graph.packages),
                    self.shelf)

    def canonical(self, text: str) -> str:
        """``text`` as a canonical package name. Every name recorded was canonicalised by
        packaging, and canonicalising is idempotent, so one typed exactly as recorded is its
        own canonical name; only another needs packaging's rules (whose import, with its
        platform tags, costs more than the rest of the command), which also say what is
        wrong with it."""
        if text in self.shelf.graph.packages or any(
                text in view.graph.packages for view in self.apps.values()):
            return text
        from pyshelf.core.specs import parse_package_name

        return parse_package_name(text)


def _views(args: argparse.Namespace, layout: Layout) -> _Views:
    from pyshelf.core.tree import Graph

    shelf = open_from(args, layout)
    gen_id = shelf.current_generation_id()
    state = shelf.state
    apps = {app.name: _View(Graph(list(app.packages), list(app.edges)),
                            {entry.name: entry.role for entry in app.intent()})
            for app in state.isolated(gen_id)}
    return _Views(_View(Graph(state.packages(gen_id), state.edges(gen_id)),
                        {entry.name: entry.role for entry in state.intent(gen_id)}), apps)


_STANDING: dict[Role | None, str] = {
    "explicit": " (explicit)",
    "kept": " (kept by `pyshelf remove --keep-orphans`)",
}
"""Why a package that nothing requires is on the shelf at all."""


# -- deps -----------------------------------------------------------------------------------

def _link_lines(links: list[Link]) -> Iterator[str]:
    from pyshelf.core.tree import label

    for link in links:
        yield f"  {label(link.package)}" + (f" ({link.specifier})" if link.specifier else "")


def _link_json(links: list[Link]) -> list[dict[str, str]]:
    return [{"name": link.package.display_name, "version": link.package.version,
             "specifier": link.specifier} for link in links]


def run_deps(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.core.tree import label

    views = _views(args, layout)
    name = views.canonical(args.name)
    view = views.holding(name)
    package = view.installed(name)
    requires, required_by = view.graph.requires(name), view.graph.required_by(name)
    kind = ("isolated" if name in views.apps and view is views.apps[name]
            else "explicit" if package.is_explicit else "dependency")
    if args.json:
        ui.emit_json({"name": package.display_name, "version": package.version,
                      "type": kind,
                      "requires": _link_json(requires), "required_by": _link_json(required_by)})
        return 0
    ui.out(f"{label(package)} depends on:" if requires else
           f"{label(package)} depends on nothing.")
    for line in _link_lines(requires):
        ui.out(line)
    ui.out("Required by:" if required_by else
           f"Required by: nothing{_STANDING.get(view.roles.get(name), '')}")
    for line in _link_lines(required_by):
        ui.out(line)
    return 0


# -- tree -----------------------------------------------------------------------------------

def _tree_roots(names: list[str], view: _View, reverse: bool) -> list[str]:
    """The named packages in the order given (each once); by default, the intent's roots, or
    reversed, the packages that require nothing (the roots of a reverse tree would only show
    themselves, as nothing requires them)."""
    if names:
        return [view.installed(name).name for name in dict.fromkeys(names)]
    return view.graph.bottoms() if reverse else view.roots


def run_tree(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.core.tree import build_trees, dot_text, tree_json, tree_lines

    if args.depth is not None and args.depth < 0:
        raise UsageError("--depth must be 0 or more.")
    views = _views(args, layout)
    names = [views.canonical(text) for text in args.names]
    if names:  # each named package in the environment that holds it
        groups = [(views.holding(name), [name]) for name in dict.fromkeys(names)]
    else:  # the shelf's trees, then each isolated app's from its own environment
        groups = [(views.shelf, []), *((view, []) for view in views.apps.values())]
    if args.dot:  # one graph: the environment of the first named package, or the shelf's
        view = views.holding(names[0]) if names else views.shelf
        ui.out(dot_text(view.graph, _tree_roots(names, view, args.reverse),
                        reverse=args.reverse, depth=args.depth))
        return 0
    grown = [(view, build_trees(view.graph, _tree_roots(chosen, view, args.reverse),
                                reverse=args.reverse, depth=args.depth))
             for view, chosen in groups]
    if args.json:
        ui.emit_json([tree_json(tree) for _, trees in grown for tree in trees])
        return 0
    if not any(trees for _, trees in grown):
        ui.out("The shelf holds no packages.")
    for view, trees in grown:
        note = "" if view is views.shelf else " (isolated: its own environment)"
        for line in tree_lines(trees, reverse=args.reverse, note=note):
            ui.out(line)
    return 0


# -- why ------------------------------------------------------------------------------------

def _why_lines(package: InstalledPackage, role: Role | None, chains: Chains,
               graph: Graph) -> Iterator[str]:
    from pyshelf.core.tree import label

    own = label(package)
    if role == "explicit":
        yield f"{own} was installed explicitly."
    elif role == "kept":
        yield f"{own} was kept by `pyshelf remove --keep-orphans`."
    if not chains.shown:
        if role is None:
            yield f"{own} is needed by no package installed explicitly."
        return
    yield "It is also needed by:" if role else f"{own} is needed by:"
    for chain in chains.shown:
        yield "  " + " -> ".join(label(graph.packages[name]) for name in chain)
    if chains.more:
        yield f"  ... and {'' if chains.more_exact else 'at least '}{chains.more} more."


def run_why(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.core.tree import find_chains

    views = _views(args, layout)
    name = views.canonical(args.name)
    view = views.holding(name)
    package = view.installed(name)
    role = view.roles.get(name)
    chains = find_chains(view.graph, name, view.roots)
    if args.json:
        ui.emit_json({
            "name": package.display_name, "version": package.version,
            "explicit": role == "explicit", "kept": role == "kept",
            "chains": [[view.graph.packages[n].display_name for n in chain]
                       for chain in chains.shown],
            "more": chains.more, "more_exact": chains.more_exact,
        })
        return 0
    for line in _why_lines(package, role, chains, view.graph):
        ui.out(line)
    return 0


def _one_package_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    json_output(parser)


def _tree_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--reverse", action="store_true", help="who pulls NAME in")
    parser.add_argument("--depth", type=int, metavar="N", help="stop N levels down")
    tree_format = parser.add_mutually_exclusive_group()
    json_output(tree_format)
    tree_format.add_argument("--dot", action="store_true", help="Graphviz DOT output")


COMMANDS = (
    Command(
        name="deps",
        help="what a package depends on, and what requires it",
        examples="""examples:
  pyshelf deps pytest
  pyshelf deps pytest --json""",
        run=run_deps,
        report=True,
        arguments=_one_package_arguments,
        aliases=("list-deps",),
    ),
    Command(
        name="tree",
        help="the dependency tree of the explicit packages, or of NAME",
        examples="""examples:
  pyshelf tree                    # every explicit package and what it pulls in
  pyshelf tree black --depth 1
  pyshelf tree click --reverse    # who pulls click in
  pyshelf tree --dot | dot -Tsvg > shelf.svg""",
        run=run_tree,
        report=True,
        arguments=_tree_arguments,
    ),
    Command(
        name="why",
        help="the chains from explicit packages down to NAME",
        examples="""examples:
  pyshelf why certifi""",
        run=run_why,
        report=True,
        arguments=_one_package_arguments,
    ),
)
