"""Trees, chains and DOT text over plain package and edge records (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyshelf.core.model import Edge, InstalledPackage
from pyshelf.core.tree import (
    Graph,
    build_trees,
    dot_quote,
    dot_text,
    find_chains,
    tree_json,
    tree_lines,
)


def pkg(name: str, version: str = "1.0", *, explicit: bool = False,
        display: str | None = None) -> InstalledPackage:
    return InstalledPackage(name=name, display_name=display or name, version=version,
                            is_explicit=explicit, source="index", installed_at="")


def edge(text: str) -> Edge:
    """``"a>b>=1"``: a requires b with specifier ``>=1``."""
    package, rest = text.split(">", 1)
    cut = next((i for i, c in enumerate(rest) if c in "<>=!~"), len(rest))
    return Edge(package, rest[:cut], rest[cut:])


def graph(explicit: str, *edges: str, others: str = "") -> Graph:
    """Explicit names (space separated), then edges; other packages appear through ``others``."""
    records = [edge(text) for text in edges]
    names = set(explicit.split()) | set(others.split())
    names |= {e.package for e in records} | {e.requires for e in records}
    return Graph([pkg(n, explicit=n in explicit.split()) for n in sorted(names)], records)


def lines(g: Graph, *roots: str, reverse: bool = False, depth: int | None = None) -> list[str]:
    return list(tree_lines(build_trees(g, roots, reverse=reverse, depth=depth), reverse=reverse))


CHAIN = graph("app", "app>lib>=1.0", "lib>leaf>=2")


def test_forward_tree_shows_specifiers_in_brackets():
    assert lines(CHAIN, "app") == [
        "app==1.0",
        "└── lib==1.0 [requires: >=1.0]",
        "    └── leaf==1.0 [requires: >=2]",
    ]


def test_connectors_for_siblings_and_nested_children():
    g = graph("a", "a>b", "a>c", "b>d", "b>e")
    assert lines(g, "a") == [
        "a==1.0",
        "├── b==1.0",
        "│   ├── d==1.0",
        "│   └── e==1.0",
        "└── c==1.0",
    ]


def test_children_are_sorted_by_canonical_name_not_display_name():
    g = Graph([pkg("a", explicit=True), pkg("b-x", display="Zed"), pkg("c", display="Alpha")],
              [Edge("a", "c", ""), Edge("a", "b-x", "")])
    assert lines(g, "a") == ["a==1.0", "├── Zed==1.0", "└── Alpha==1.0"]


def test_reverse_tree_names_what_each_row_requires():
    assert lines(CHAIN, "leaf", reverse=True) == [
        "leaf==1.0",
        "└── lib==1.0 [requires: leaf>=2]",
        "    └── app==1.0 [requires: lib>=1.0]",
    ]


def test_reverse_bracket_without_specifier_still_names_the_requirement():
    assert lines(graph("a", "a>b"), "b", reverse=True) == ["b==1.0", "└── a==1.0 [requires: b]"]


@pytest.mark.parametrize(("depth", "count"), [(0, 1), (1, 2), (2, 3), (5, 3)])
def test_depth_counts_levels_below_the_roots(depth, count):
    assert len(lines(CHAIN, "app", depth=depth)) == count


def test_depth_zero_is_roots_only():
    assert lines(graph("a b", "a>c", "b>c"), "a", "b", depth=0) == ["a==1.0", "b==1.0"]


def test_shared_dependency_is_repeated_under_each_parent():
    g = graph("top", "top>left", "top>right", "left>base", "right>base")
    assert lines(g, "top") == [
        "top==1.0",
        "├── left==1.0",
        "│   └── base==1.0",
        "└── right==1.0",
        "    └── base==1.0",
    ]


def test_cycle_is_marked_and_not_followed():
    g = graph("a", "a>b>=1", "b>c", "c>a<2")
    assert lines(g, "a") == [
        "a==1.0",
        "└── b==1.0 [requires: >=1]",
        "    └── c==1.0",
        "        └── a==1.0 [requires: <2] (cycle)",
    ]


def test_cycle_in_reverse():
    g = graph("a", "a>b", "b>a")
    assert lines(g, "a", reverse=True) == [
        "a==1.0",
        "└── b==1.0 [requires: a]",
        "    └── a==1.0 [requires: b] (cycle)",
    ]


def test_self_requirement_is_a_cycle():
    assert lines(graph("a", "a>a"), "a") == ["a==1.0", "└── a==1.0 (cycle)"]


def test_package_on_another_branch_is_not_a_cycle():
    g = graph("a", "a>b", "a>c", "b>c")
    assert "(cycle)" not in "\n".join(lines(g, "a"))


def test_edges_to_unknown_packages_are_skipped():
    g = Graph([pkg("a", explicit=True)], [Edge("a", "ghost", ">=1"), Edge("ghost", "a", "")])
    assert lines(g, "a") == ["a==1.0"]
    assert g.required_by("a") == []


def test_bottoms_are_the_packages_that_require_nothing():
    g = graph("a", "a>b", "b>c", "a>d", "e>e", others="lonely")
    assert g.bottoms() == ["c", "d", "lonely"]


def test_json_nodes_nest_children_with_null_specifier_for_roots():
    g = graph("a", "a>b>=1", "b>a")
    assert [tree_json(t) for t in build_trees(g, ["a"])] == [{
        "name": "a", "version": "1.0", "specifier": None, "cycle": False,
        "children": [{
            "name": "b", "version": "1.0", "specifier": ">=1", "cycle": False,
            "children": [{"name": "a", "version": "1.0", "specifier": "", "cycle": True,
                          "children": []}],
        }],
    }]


def test_json_reverse_uses_children_for_requirers():
    (root,) = build_trees(CHAIN, ["leaf"], reverse=True, depth=1)
    assert tree_json(root)["children"] == [
        {"name": "lib", "version": "1.0", "specifier": ">=2", "cycle": False, "children": []},
    ]


# -- DOT ------------------------------------------------------------------------------------

def test_dot_draws_reachable_nodes_and_labelled_edges():
    g = graph("app", "app>lib>=1.0", "lib>leaf", others="stray")
    assert dot_text(g, ["app"]).splitlines() == [
        "digraph pyshelf {",
        '  "app" [label="app\\n1.0", shape=box, style=bold];',
        '  "leaf" [label="leaf\\n1.0"];',
        '  "lib" [label="lib\\n1.0"];',
        '  "app" -> "lib" [label=">=1.0"];',
        '  "lib" -> "leaf";',
        "}",
    ]


def test_dot_depth_limits_nodes_and_edges():
    g = graph("a", "a>b", "a>c", "b>c", "c>d")
    text = dot_text(g, ["a"], depth=1)
    assert '"d"' not in text
    assert '"b" -> "c"' not in text
    assert '"a" -> "b";' in text and '"a" -> "c";' in text


def test_dot_reverse_keeps_arrows_pointing_at_requirements():
    text = dot_text(CHAIN, ["leaf"], reverse=True, depth=1)
    assert '"lib" -> "leaf" [label=">=2"];' in text
    assert '"app"' not in text


def test_dot_of_nothing_is_an_empty_digraph():
    assert dot_text(CHAIN, []) == "digraph pyshelf {\n}"


@pytest.mark.parametrize(("text", "quoted"), [
    ("plain", '"plain"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("back\\slash", '"back\\\\slash"'),
    ("two\nlines", '"two\\nlines"'),
    ("a -> b; }", '"a -> b; }"'),
])
def test_dot_quote(text, quoted):
    assert dot_quote(text) == quoted


def test_dot_quotes_odd_display_names_and_versions():
    g = Graph([pkg("odd", '1.0+"x"', explicit=True, display='O"dd\\')], [])
    assert '  "odd" [label="O\\"dd\\\\\\n1.0+\\"x\\"", shape=box, style=bold];' in \
        dot_text(g, ["odd"]).splitlines()


# -- chains ---------------------------------------------------------------------------------

def test_single_chain_from_an_explicit_package():
    chains = find_chains(CHAIN, "leaf", ["app"])
    assert (chains.shown, chains.more, chains.more_exact) == ([("app", "lib", "leaf")], 0, True)


def test_diamond_gives_both_chains_alphabetically():
    g = graph("top", "top>right", "top>left", "left>base", "right>base")
    assert find_chains(g, "base", ["top"]).shown == [
        ("top", "left", "base"), ("top", "right", "base"),
    ]


def test_shortest_first_then_alphabetical_including_explicit_middles():
    g = graph("httpie requests zz", "httpie>requests", "requests>certifi", "zz>certifi",
              "httpie>aaa", "aaa>bbb", "bbb>certifi")
    assert find_chains(g, "certifi", ["httpie", "requests", "zz"]).shown == [
        ("requests", "certifi"),
        ("zz", "certifi"),
        ("httpie", "requests", "certifi"),
        ("httpie", "aaa", "bbb", "certifi"),
    ]


def test_target_itself_is_not_a_chain_but_other_heads_are():
    g = graph("a b", "a>b")
    assert find_chains(g, "b", ["a", "b"]).shown == [("a", "b")]
    assert find_chains(g, "a", ["a", "b"]).shown == []


def test_chains_do_not_loop_through_cycles():
    g = graph("a", "a>b", "b>c", "c>b")
    assert find_chains(g, "c", ["a"]).shown == [("a", "b", "c")]


def test_unreachable_target_has_no_chains():
    assert find_chains(graph("a", others="lonely"), "lonely", ["a"]).shown == []


def stacked_diamonds(layers: int) -> Graph:
    """2**layers distinct chains from ``n0`` down to ``n{layers}``."""
    edges = [f"n{i}>{side}{i}" for i in range(layers) for side in "lr"]
    edges += [f"{side}{i}>n{i + 1}" for i in range(layers) for side in "lr"]
    return graph("n0", *edges)


def test_chains_beyond_the_limit_are_counted():
    chains = find_chains(stacked_diamonds(4), "n4", ["n0"], limit=5)
    assert len(chains.shown) == 5
    assert (chains.more, chains.more_exact) == (16 - 5, True)
    assert chains.shown[0] == ("n0", "l0", "n1", "l1", "n2", "l2", "n3", "l3", "n4")


def test_budget_bounds_the_search_and_says_the_count_is_a_lower_bound():
    chains = find_chains(stacked_diamonds(30), "n30", ["n0"], limit=3, budget=5_000)
    assert chains.shown == []
    assert chains.more_exact is False
    g = graph("a b", "a>t", "b>x", *(f"x>y{i}" for i in range(50)), *(f"y{i}>t" for i in range(50)))
    cut = find_chains(g, "t", ["a", "b"], limit=1, budget=10)
    assert cut.shown == [("a", "t")]
    assert cut.more_exact is False


def brute_force_chains(g: Graph, target: str, heads: set[str]) -> list[tuple[str, ...]]:
    found = []

    def walk(path: tuple[str, ...]) -> None:
        if path[-1] == target:
            found.append(path)
            return
        for link in g.requires(path[-1]):
            if link.package.name not in path:
                walk((*path, link.package.name))

    for head in heads - {target}:
        walk((head,))
    return sorted(found, key=lambda chain: (len(chain), chain))


NAMES = "abcdef"


@given(st.sets(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES))),
       st.sets(st.sampled_from(NAMES)), st.sampled_from(NAMES), st.integers(0, 4))
def test_chains_match_brute_force_on_any_small_graph(pairs, heads, target, limit):
    g = Graph([pkg(n) for n in NAMES], [Edge(a, b, "") for a, b in pairs if a != b])
    expected = brute_force_chains(g, target, heads)
    chains = find_chains(g, target, heads, limit=limit)
    assert chains.shown == expected[:limit]
    assert chains.more == len(expected) - len(chains.shown)
    assert chains.more_exact
