"""Each package's table out of uv's pylock, kept with its store entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.toml import tomllib
from tests.support.uv_pylock import TABLES, UV_PYLOCK

from pyshelf.change.resolve import pylock
from pyshelf.core.lockfile import parse_lock
from pyshelf.core.pylock import assemble
from pyshelf.engine.processes import Compiled
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.package_store.lock_tables import split, when_filled


def test_each_table_is_cut_out_as_uv_wrote_it_and_named_canonically():
    tables = split(UV_PYLOCK.replace('name = "typing-extensions"', 'name = "Typing_Extensions"'))

    assert list(tables) == ["black", "qlproj", "typing-extensions"]
    assert tables["black"] == TABLES["black"]
    assert tables["qlproj"] == TABLES["qlproj"]
    for table in tables.values():  # each is a TOML document of its own
        assert len(tomllib.loads(table)["packages"]) == 1


def test_the_tables_put_together_again_are_uvs_text():
    assert assemble("3.11.7", split(UV_PYLOCK)) == UV_PYLOCK.replace('"uv"', '"pyshelf"')


def test_a_lock_not_cut_at_its_header_lines_is_split_as_tomlkit_reads_it():
    # a table after the packages, and a header indented: cutting at the header lines
    # would give pieces that are not the tables
    assert split(UV_PYLOCK + "\n[tool.other]\nkey = 1\n") == TABLES
    indented = split(UV_PYLOCK.replace('\n[[packages]]\nname = "qlproj"',
                                       '\n  [[packages]]\nname = "qlproj"'))
    assert list(indented) == list(TABLES)
    assert indented["black"] == TABLES["black"]
    for table in indented.values():
        assert len(tomllib.loads(table)["packages"]) == 1


def test_a_lock_of_no_packages_has_no_tables():
    assert split('lock-version = "1.0"\ncreated-by = "uv"\npackages = []\n') == {}


def test_a_lock_that_is_not_toml_is_one_sentence():
    with pytest.raises(PyshelfError, match=r"uv wrote a pylock\.toml that pyshelf cannot read"):
        split("[[packages]\nname = 1\n")


class Uv:
    """Stands in for the engine: answers a ``--no-deps`` pylock compile with those of
    :data:`UV_PYLOCK`'s tables that were asked for, and keeps what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.pylocks: dict[tuple[str, str], str] = {}

    def compile(self, requirements_in: Path, lock_out: Path, python: str, **options: object
                ) -> Compiled:
        assert options["output_format"] == "pylock.toml" and options["no_deps"]
        names = list(parse_lock(requirements_in.read_text()).packages)
        self.asked.append(names)
        return Compiled(assemble("3.11.7", {name: TABLES[name] for name in names}), [])


BLACK, TYPING = (parse_lock("black==24.8.0\ntyping-extensions==4.12.2\n").packages[name]
                 for name in ("black", "typing-extensions"))


def test_a_fill_asks_uv_only_for_tables_no_earlier_pylock_of_its_pins_gave(tmp_path):
    """The look-up for source builds before the plan asked uv about the packages the
    change brings; the fill that installs them takes their tables from that answer."""
    uv = Uv()
    layout = Layout(tmp_path)
    pylock(uv, layout, [BLACK], "python3", label="source-builds", no_deps=True)

    tables = when_filled(uv, layout, "python3", [BLACK, TYPING])

    assert uv.asked == [["black"], ["typing-extensions"]]
    assert tables == {"black": TABLES["black"], "typing-extensions": TABLES["typing-extensions"]}
    assert when_filled(uv, layout, "python3.13", [BLACK]) == {"black": TABLES["black"]}
    assert uv.asked[-1] == ["black"]  # another interpreter's answer is not this one's
