"""Locks computed from the current one without the resolver: what a removal keeps, and a
current lock joined by what an addition brings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement

from pyshelf.core.graph import Distribution, dependency_edges
from pyshelf.core.lockfile import parse_lock
from pyshelf.core.model import IntentEntry, Lock
from pyshelf.core.narrow import added_lock, kept_lock, plain_pins
from pyshelf.core.reach import edges_of, from_json, of_requires, reached, to_json, with_roots

LINUX = {**default_environment(), "sys_platform": "linux"}
WINDOWS = {**LINUX, "sys_platform": "win32"}


def lock_of(*names: str, version: str = "1.0") -> Lock:
    return parse_lock("".join(f"{name}=={version}\n" for name in names))


def wanted(*specs: str) -> list[IntentEntry]:
    return [IntentEntry(name=Requirement(spec).name, spec=spec) for spec in specs]


def kept_by(lock: Lock, requires: dict[str, tuple[str, ...]], env: dict[str, str],
            intent: list[IntentEntry], recorded: list[str] | None = None) -> Lock | None:
    """kept_lock on the reach a generation of ``recorded`` (default: ``intent``'s specs)
    would have kept, after a trip through its JSON."""
    versions = {name: package.version for name, package in lock.packages.items()}
    specs = [entry.spec for entry in intent] if recorded is None else recorded
    reach = from_json(to_json(of_requires(requires, versions, specs, env)))
    assert reach is not None
    return kept_lock(lock, with_roots(reach, [e.spec for e in intent], versions, env), intent)


def kept(lock: Lock, requires: dict[str, tuple[str, ...]], *specs: str,
         env: dict[str, str] = LINUX) -> list[str] | None:
    result = kept_by(lock, requires, env, wanted(*specs))
    return None if result is None else result.text.splitlines()


def test_what_the_rest_still_reaches_stays_at_its_pin_in_the_locks_order():
    lock = parse_lock("a==1.0\nb==2.0\nc==3.0\nd==4.0\n")
    requires = {"a": ("b>=1",), "b": (), "c": ("b", "d"), "d": ()}

    assert kept(lock, requires, "a") == ["a==1.0", "b==2.0"]
    assert kept(lock, requires, "c") == ["b==2.0", "c==3.0", "d==4.0"]
    assert kept(lock, requires) == []
    assert kept_by(lock, requires, LINUX, []) == Lock(text="", packages={})


def test_an_extra_goes_with_the_package_that_asked_for_it():
    lock = lock_of("delta", "epsilon", "wants-fast")
    requires = {"delta": ('epsilon; extra == "fast"',), "epsilon": (),
                "wants-fast": ("delta[fast]",)}

    assert kept(lock, requires, "delta", "wants-fast") == [
        "delta==1.0", "epsilon==1.0", "wants-fast==1.0"]
    assert kept(lock, requires, "delta") == ["delta==1.0"]
    assert kept(lock, requires, "delta[fast]") == ["delta==1.0", "epsilon==1.0"]


def test_an_extra_a_package_asks_of_itself_counts():
    lock = lock_of("a", "e")
    requires = {"a": ('a[x]; extra == "all"', 'e; extra == "x"'), "e": ()}

    assert kept(lock, requires, "a[all]") == ["a==1.0", "e==1.0"]
    assert kept(lock, requires, "a") == ["a==1.0"]


def test_markers_are_those_of_the_recorded_environment():
    lock = lock_of("a", "colorama")
    requires = {"a": ('colorama; sys_platform == "win32"',), "colorama": ()}

    assert kept(lock, requires, "a", env=LINUX) == ["a==1.0"]
    assert kept(lock, requires, "a", env=WINDOWS) == ["a==1.0", "colorama==1.0"]
    assert kept(lock, requires, 'a; sys_platform == "win32"', env=LINUX) == []


def test_uncertainty_leaves_it_to_the_resolver():
    lock = lock_of("a", "b")
    cases = [
        ({"a": ("b",)}, "a"),  # b's requirements were never recorded
        ({"a": ("c",), "b": ()}, "a"),  # c is needed but not locked
        ({"a": ("b>=2",), "b": ()}, "a"),  # the pin no longer satisfies it
        ({"a": ("b @ https://example.com/b-1.0-py3-none-any.whl",), "b": ()}, "a"),
        ({"a": ("b ; ",), "b": ()}, "a"),  # unreadable
        ({"a": ('b; no_such_variable == "1"',), "b": ()}, "a"),  # no such marker
        ({"a": (), "b": ()}, "c"),  # asked for, not locked
    ]
    for requires, spec in cases:
        assert kept(lock, requires, spec) is None, requires


def test_direct_references_and_unusual_locks_leave_it_to_the_resolver():
    requires = {"a": ()}
    local = [IntentEntry(name="a", spec="a @ file:///src/a", kind="local")]
    assert kept_by(lock_of("a"), requires, LINUX, local) is None
    for text in ("# a comment\na==1.0\n", "a==1.0", "A==1.0\n",
                 "a @ file:///src/a\n", "--index-url https://example.com\na==1.0\n"):
        assert kept_by(parse_lock(text), requires, LINUX, wanted("a")) is None, text


def test_additions_join_the_lock_in_name_order():
    joined = added_lock(parse_lock("beta==1.0\ngamma==1.1\n"),
                        parse_lock("alpha==2.0\ngamma==1.1\nzeta==1.0\n"))

    assert joined is not None
    assert joined.text == "alpha==2.0\nbeta==1.0\ngamma==1.1\nzeta==1.0\n"
    assert joined == parse_lock(joined.text)


def test_additions_that_disagree_or_are_not_plain_are_refused():
    current = parse_lock("beta==1.0\ngamma==1.1\n")
    assert added_lock(current, parse_lock("gamma==1.0\n")) is None
    assert added_lock(current, parse_lock("a @ https://example.com/a-1.0.tar.gz\n")) is None
    assert added_lock(parse_lock("gamma==1.1\nbeta==1.0\n"), parse_lock("a==1.0\n")) is None


def test_plain_pins_are_read_only_from_plain_locks():
    assert plain_pins(parse_lock("a==1.0\nb==2.0\n")) == {"a": "1.0", "b": "2.0"}
    assert plain_pins(parse_lock("")) == {}
    assert plain_pins(parse_lock("a==1.0\nb @ file:///src/b\n")) is None


# Random graphs: every package at 1.0, requirements with and without markers and extras.
NAMES = [f"p{i}" for i in range(7)]
MARKERS = [None, 'sys_platform == "linux"', 'sys_platform == "win32"']
requirement = st.builds(
    lambda target, extras, marker, only_with: (target, extras, marker, only_with),
    st.sampled_from(NAMES), st.sets(st.sampled_from(["x", "y"]), max_size=2),
    st.sampled_from(MARKERS), st.sampled_from([None, "x", "y"]))
graphs = st.fixed_dictionaries({name: st.lists(requirement, max_size=3) for name in NAMES})
roots = st.lists(st.tuples(st.sampled_from(NAMES), st.sets(st.sampled_from(["x", "y"]),
                                                          max_size=2)),
                 max_size=4, unique_by=lambda root: root[0])


def text(target: str, extras: set[str], marker: str | None, only_with: str | None) -> str:
    conditions = [c for c in (marker, f'extra == "{only_with}"' if only_with else None) if c]
    spec = target + (f"[{','.join(sorted(extras))}]" if extras else "")
    return spec + ("; " + " and ".join(conditions) if conditions else "")


def reached_pairs(graph: dict[str, list[str]], specs: list[str]) -> set[str]:
    """An oracle of another shape: nodes are (package, one extra or none), reached from the
    roots; a requirement holds for a node when its marker holds with that node's extra."""
    pending = []
    for spec in specs:
        root = Requirement(spec)
        if root.marker is None or root.marker.evaluate({**LINUX, "extra": ""}):
            pending += [(root.name, ""), *((root.name, e) for e in root.extras)]
    seen: set[tuple[str, str]] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        name, extra = node
        for line in graph[name]:
            required = Requirement(line)
            marker = required.marker or Marker('python_version > "0"')
            if marker.evaluate({**LINUX, "extra": extra}):
                pending += [(required.name, ""), *((required.name, e) for e in required.extras)]
    return {name for name, _ in seen}


@given(graphs, roots)
def test_a_removal_keeps_exactly_what_the_intent_reaches(graph, chosen):
    requires = {name: tuple(text(*r) for r in reqs) for name, reqs in graph.items()}
    lock = lock_of(*NAMES)
    specs = [name + (f"[{','.join(sorted(extras))}]" if extras else "")
             for name, extras in chosen]

    result = kept_by(lock, requires, LINUX, wanted(*specs))

    assert result is not None
    expected = reached_pairs({n: list(r) for n, r in requires.items()}, specs)
    assert set(result.packages) == expected
    assert result.text == "".join(f"{name}==1.0\n" for name in NAMES if name in expected)
    assert kept_by(result, requires, LINUX, wanted(*specs)) == result  # nothing more goes


@given(graphs, roots, roots)
def test_the_reach_recorded_for_more_answers_every_removal_from_it(graph, chosen, more):
    """A removal walks the reach its generation recorded for the whole intent before it."""
    requires = {name: tuple(text(*r) for r in reqs) for name, reqs in graph.items()}
    lock = lock_of(*NAMES)
    specs = [name + (f"[{','.join(sorted(extras))}]" if extras else "")
             for name, extras in chosen]
    before = [*specs, *(name + (f"[{','.join(sorted(extras))}]" if extras else "")
                        for name, extras in more)]

    assert kept_by(lock, requires, LINUX, wanted(*specs), recorded=before) == kept_by(
        lock, requires, LINUX, wanted(*specs))


def test_an_extra_its_generation_never_asked_for_is_left_to_the_resolver():
    lock = lock_of("a", "e")
    requires = {"a": ('e; extra == "x"',), "e": ()}

    assert kept_by(lock, requires, LINUX, wanted("a[x]"), recorded=["a"]) is None
    kept_a = kept_by(lock, requires, LINUX, wanted("a"), recorded=["a[x]"])
    assert kept_a is not None and kept_a.text == "a==1.0\n"


def test_a_record_of_another_shape_is_no_record():
    assert from_json("[]") is None
    assert from_json('{"packages": {"a": [[""], true, [["b"]]]}, "roots": {}}') is None


@given(graphs, roots, roots)
def test_a_walked_reach_has_the_edges_a_fresh_evaluation_finds(graph, chosen, more):
    """The generation a removal records: its edges and reach come from the one before."""
    requires = {name: tuple(text(*r) for r in reqs) for name, reqs in graph.items()}
    versions = dict.fromkeys(NAMES, "1.0")
    specs = [name + (f"[{','.join(sorted(extras))}]" if extras else "")
             for name, extras in chosen]
    before = of_requires(requires, versions, [*specs, *(name for name, _ in more)], LINUX)

    extras = reached(before, [before.roots[spec] for spec in specs], NAMES)

    assert extras is not None
    kept = [Distribution(name, name, "1.0", requires[name]) for name in sorted(extras)]
    assert edges_of(before, extras) == dependency_edges(kept, map(Requirement, specs), LINUX)
