"""Which store entries collection may take: none that an environment on disk lists."""

from __future__ import annotations

from pathlib import Path

from pyshelf.layout import Layout
from pyshelf.package_store.compose import COMPOSITION_FILE, Composition, write_composition
from pyshelf.package_store.in_use import unfinished_entries, unused_entries

USED, FREE = "beta-1.0-" + "a" * 16, "gamma-1.1-" + "b" * 16


def shelf_with_entries(tmp_path: Path) -> Layout:
    layout = Layout(tmp_path / "home")
    for name in (USED, FREE, ".new-alpha-123"):
        (layout.store / name).mkdir(parents=True)
    (layout.store / "notes").mkdir()  # not a name pyshelf gives an entry
    gen = layout.gen_dir(1)
    gen.mkdir(parents=True)
    write_composition(gen, Composition(entries=[USED], copied={}))
    (layout.gen_dir(0)).mkdir()  # built the old way: no composition file
    return layout


def test_only_entries_no_environment_lists_are_unused(tmp_path):
    layout = shelf_with_entries(tmp_path)
    assert [e.name for e in unused_entries(layout)] == [FREE]
    assert [e.name for e in unfinished_entries(layout)] == [".new-alpha-123"]


def test_an_isolated_environment_keeps_its_entries(tmp_path):
    layout = shelf_with_entries(tmp_path)
    app = layout.isolated / "tool-1"
    app.mkdir(parents=True)
    write_composition(app, Composition(entries=[FREE], copied={}))
    assert unused_entries(layout) == []


def test_nothing_is_unused_while_a_composition_cannot_be_read(tmp_path):
    layout = shelf_with_entries(tmp_path)
    (layout.gen_dir(2)).mkdir()
    (layout.gen_dir(2) / COMPOSITION_FILE).write_text("{not json")
    assert unused_entries(layout) == []
