"""The shape of the dependency graph: trees, chains and Graphviz text (``deps``, ``tree``, ``why``).

Pure functions over the records a generation already holds (packages and edges), so every
answer is testable without a database and costs no process, no uv and no network. Everything
is ordered by canonical name, so the same shelf always prints the same text.
"""

from __future__ import annotations

from itertools import islice

from pyshelf.core.model import Edge, InstalledPackage
from pyshelf.core.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

CHAIN_LIMIT = 50
"""``why`` lists this many chains; a dense graph can have millions, and nobody reads them."""
PATH_BUDGET = 100_000
"""Partial paths ``why`` may explore before it stops counting, so its time stays bounded."""


class Link(NamedTuple):
    """One requirement seen from one of its ends: the package at the other end, and the
    specifier the requirement carries ("" when it has none)."""

    package: InstalledPackage
    specifier: str


class Graph:
    """A generation's packages with their requirements indexed both ways."""

    def __init__(self, packages: Iterable[InstalledPackage], edges: Iterable[Edge]) -> None:
        self.packages: dict[str, InstalledPackage] = {p.name: p for p in packages}
        self._requires: dict[str, list[Link]] = {}
        self._required_by: dict[str, list[Link]] = {}
        # An edge to a package the record does not hold has nothing to print; it is skipped.
        known = [e for e in edges if e.package in self.packages and e.requires in self.packages]
        for edge in sorted(known, key=lambda e: e.requires):
            self._requires.setdefault(edge.package, []).append(
                Link(self.packages[edge.requires], edge.specifier))
        for edge in sorted(known, key=lambda e: e.package):
            self._required_by.setdefault(edge.requires, []).append(
                Link(self.packages[edge.package], edge.specifier))

    def requires(self, name: str) -> list[Link]:
        return self._requires.get(name, [])

    def required_by(self, name: str) -> list[Link]:
        return self._required_by.get(name, [])

    def bottoms(self) -> list[str]:
        """The packages that require nothing: where every reverse tree ends up."""
        return sorted(name for name in self.packages if name not in self._requires)

    def links(self, name: str, *, reverse: bool) -> list[Link]:
        """The next level of a tree: what ``name`` requires, or with ``reverse`` who requires it."""
        return self.required_by(name) if reverse else self.requires(name)


def label(package: InstalledPackage) -> str:
    return f"{package.display_name}=={package.version}"


# -- trees ----------------------------------------------------------------------------------

class Node(NamedTuple):
    """A package in a tree; ``specifier`` links it to its parent (None for a root)."""

    package: InstalledPackage
    specifier: str | None = None
    children: tuple[Node, ...] = ()
    cycle: bool = False


def build_trees(graph: Graph, roots: Sequence[str], *, reverse: bool = False,
                depth: int | None = None) -> list[Node]:
    """One tree per root; ``depth`` counts the levels shown below the roots (None: all).

    A package is repeated wherever it is needed, as pipdeptree does, so each branch reads on
    its own; only a package already on the branch above it is cut off, as a cycle.
    """
    return [_grow(graph, graph.packages[root], None, frozenset(), depth, reverse)
            for root in roots]


def _grow(graph: Graph, package: InstalledPackage, specifier: str | None,
          above: frozenset[str], levels: int | None, reverse: bool) -> Node:
    if package.name in above:
        return Node(package, specifier, cycle=True)
    if levels == 0:
        return Node(package, specifier)
    below = None if levels is None else levels - 1
    children = tuple(
        _grow(graph, link.package, link.specifier, above | {package.name}, below, reverse)
        for link in graph.links(package.name, reverse=reverse)
    )
    return Node(package, specifier, children)


def tree_lines(trees: Iterable[Node], *, reverse: bool = False, note: str = ""
               ) -> Iterator[str]:
    """Each tree as indented lines; ``note`` follows each root's label (say, where it
    lives)."""
    for root in trees:
        yield label(root.package) + note
        yield from _branches(root, "", reverse)


def _branches(parent: Node, prefix: str, reverse: bool) -> Iterator[str]:
    for index, child in enumerate(parent.children):
        last = index == len(parent.children) - 1
        yield prefix + ("└── " if last else "├── ") + _child_text(parent, child, reverse)
        yield from _branches(child, prefix + ("    " if last else "│   "), reverse)


def _child_text(parent: Node, child: Node, reverse: bool) -> str:
    """Forward, the bracket is the parent's requirement on this row's package; reversed, this
    row's package is the one requiring, so the bracket names what it requires."""
    text = label(child.package)
    specifier = child.specifier or ""
    requirement = parent.package.display_name + specifier if reverse else specifier
    if requirement:
        text += f" [requires: {requirement}]"
    return text + " (cycle)" if child.cycle else text


def tree_json(node: Node) -> dict[str, object]:
    return {
        "name": node.package.display_name,
        "version": node.package.version,
        "specifier": node.specifier,
        "cycle": node.cycle,
        "children": [tree_json(child) for child in node.children],
    }


# -- Graphviz -------------------------------------------------------------------------------

def dot_quote(text: str) -> str:
    """A DOT double-quoted string; newlines become DOT's own ``\\n`` line break in labels."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _distances(graph: Graph, roots: Iterable[str], reverse: bool,
               depth: int | None) -> dict[str, int]:
    """How many levels below the nearest root each package a tree would show is."""
    distance = dict.fromkeys(roots, 0)
    frontier, level = list(distance), 0
    while frontier and (depth is None or level < depth):
        level += 1
        following = []
        for name in frontier:
            for link in graph.links(name, reverse=reverse):
                if link.package.name not in distance:
                    distance[link.package.name] = level
                    following.append(link.package.name)
        frontier = following
    return distance


def dot_text(graph: Graph, roots: Sequence[str], *, reverse: bool = False,
             depth: int | None = None) -> str:
    """The part of the graph a tree would show, as a Graphviz digraph.

    Arrows always point from a package to what it requires, also with ``reverse``, which only
    changes which packages are drawn; explicit packages are bold boxes.
    """
    distance = _distances(graph, roots, reverse, depth)
    lines = ["digraph pyshelf {"]
    for name in sorted(distance):
        package = graph.packages[name]
        style = ", shape=box, style=bold" if package.is_explicit else ""
        node_label = dot_quote(f"{package.display_name}\n{package.version}")
        lines.append(f"  {dot_quote(name)} [label={node_label}{style}];")
    expanded = [name for name in distance if depth is None or distance[name] < depth]
    for source, target, specifier in _dot_edges(graph, expanded, reverse):
        edge_label = f" [label={dot_quote(specifier)}]" if specifier else ""
        lines.append(f"  {dot_quote(source)} -> {dot_quote(target)}{edge_label};")
    lines.append("}")
    return "\n".join(lines)


def _dot_edges(graph: Graph, expanded: Iterable[str],
               reverse: bool) -> list[tuple[str, str, str]]:
    """The requirements a tree would follow out of the ``expanded`` packages."""
    edges = set()
    for name in expanded:
        for link in graph.links(name, reverse=reverse):
            ends = (link.package.name, name) if reverse else (name, link.package.name)
            edges.add((*ends, link.specifier))
    return sorted(edges)


# -- chains ---------------------------------------------------------------------------------

class Chains(NamedTuple):
    """The first chains (each from a root down to the package), and how many more exist.

    ``more_exact`` is False when the search stopped at its budget: ``more`` is then only a
    lower bound.
    """

    shown: list[tuple[str, ...]]
    more: int
    more_exact: bool


def find_chains(graph: Graph, target: str, heads: Iterable[str], *, limit: int = CHAIN_LIMIT,
                budget: int = PATH_BUDGET) -> Chains:
    """Every path without repeats from a head down to ``target``, shortest first, then by name.

    At most ``budget`` partial paths are explored; as they are explored shortest first, a search
    cut short still finds every chain shorter than where it stopped.
    """
    starts = set(heads) - {target}
    paths = _upward_paths(graph, target)
    found = [path for path in islice(paths, budget) if path[0] in starts]
    exhausted = next(paths, None) is None
    found.sort(key=lambda chain: (len(chain), chain))
    return Chains(found[:limit], max(len(found) - limit, 0), more_exact=exhausted)


def _upward_paths(graph: Graph, target: str) -> Iterator[tuple[str, ...]]:
    """Paths without repeats ending at ``target``, grown upwards one level at a time, lazily
    so that a budget also bounds the memory."""
    frontier: list[tuple[str, ...]] = [(target,)]
    while frontier:
        following = []
        for path in frontier:
            for link in graph.required_by(path[0]):
                if link.package.name not in path:
                    longer = (link.package.name, *path)
                    following.append(longer)
                    yield longer
        frontier = following
