"""Each package's table out of uv's pylock, kept with its store entry."""

from __future__ import annotations

import pytest
from tests.support.toml import tomllib
from tests.support.uv_pylock import TABLES, UV_PYLOCK

from pyshelf.core.pylock import assemble
from pyshelf.errors import PyshelfError
from pyshelf.package_store.lock_tables import split


def test_each_table_is_cut_out_as_uv_wrote_it_and_named_canonically():
    tables = split(UV_PYLOCK.replace('name = "typing-extensions"', 'name = "Typing_Extensions"'))

    assert list(tables) == ["black", "qlproj", "typing-extensions"]
    assert tables["black"] == TABLES["black"]
    assert tables["qlproj"] == TABLES["qlproj"]
    for table in tables.values():  # each is a TOML document of its own
        assert len(tomllib.loads(table)["packages"]) == 1


def test_the_tables_put_together_again_are_uvs_text():
    assert assemble("3.11.7", split(UV_PYLOCK)) == UV_PYLOCK.replace('"uv"', '"pyshelf"')


def test_a_lock_of_no_packages_has_no_tables():
    assert split('lock-version = "1.0"\ncreated-by = "uv"\npackages = []\n') == {}


def test_a_lock_that_is_not_toml_is_one_sentence():
    with pytest.raises(PyshelfError, match=r"uv wrote a pylock\.toml that pyshelf cannot read"):
        split("[[packages]\nname = 1\n")
