"""The shelf's PEP 751 lock put together from each package's table, as uv lays out its own."""

from __future__ import annotations

import pytest
from tests.support.toml import tomllib
from tests.support.uv_pylock import TABLES, UV_PYLOCK

from pyshelf.core.pylock import assemble, requires_python


@pytest.mark.parametrize(("version", "expected"), [
    ("3.11.7", ">=3.11.7"), ("3.13.0", ">=3.13"), ("3.10.13", ">=3.10.13"),
    ("3.12.10", ">=3.12.10"),
])
def test_requires_python_is_the_interpreter_version_as_uv_writes_it(version, expected):
    assert requires_python(version) == expected


def test_the_tables_in_name_order_under_the_header_are_uvs_layout():
    tables = dict(reversed(TABLES.items()))  # given in any order

    assembled = assemble("3.11.7", tables)

    assert assembled == UV_PYLOCK.replace('created-by = "uv"', 'created-by = "pyshelf"')


def test_names_sort_as_canonical_names_sort():
    tables = {name: f'[[packages]]\nname = "{name}"\nversion = "1"\n'
              for name in ("python-lsp-server", "pylsp-mypy", "python-lsp-jsonrpc", "pycodestyle")}

    names = [p["name"] for p in tomllib.loads(assemble("3.12.1", tables))["packages"]]

    assert names == ["pycodestyle", "pylsp-mypy", "python-lsp-jsonrpc", "python-lsp-server"]


def test_a_lock_of_no_packages_has_the_required_empty_array():
    assembled = assemble("3.12.1", {})

    assert tomllib.loads(assembled) == {"lock-version": "1.0", "created-by": "pyshelf",
                                        "requires-python": ">=3.12.1", "packages": []}
    assert assembled.endswith('requires-python = ">=3.12.1"\npackages = []\n')
