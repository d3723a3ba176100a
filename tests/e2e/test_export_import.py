"""export and import: the same state on another machine, and no trust in the file."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import packages, run_in_terminal, snapshot
from tests.support.sandbox import Sandbox
from tests.support.toml import tomllib

pytestmark = pytest.mark.shelf("install beta delta[fast] alpha<2 --yes")


@pytest.fixture
def other(tmp_path, sandbox, shelf_templates):
    machine = Sandbox(tmp_path / "other-home", base_python=sandbox.base_python,
                      index_url=sandbox.index_url, uv_cache_dir=sandbox.uv_cache_dir)
    return shelf_templates.copy_into(machine)


@pytest.mark.parametrize(("fmt", "name"), [
    ("requirements", "shelf.txt"), ("json", "shelf.json"), ("pylock", "pylock.toml"),
])
def test_round_trip_into_another_home(shelf, other, fmt, name):
    exported = other.home / name
    shelf.ok("export", "--format", fmt, "-o", str(exported))
    result = other.ok("import", str(exported), "--yes")
    assert "+ alpha 1.0" in result.stdout
    assert packages(other) == packages(shelf)
    requested = {p["name"]: p["requested"]
                 for p in json.loads(other.ok("list", "--json").stdout)["packages"]}
    assert requested["delta"] == "delta[fast]" and requested["alpha"] == "alpha<2"


def test_exact_pins_are_honoured_over_newer_releases(shelf, other):
    exported = other.home / "pins.txt"
    exported.write_text("alpha==1.0\ngamma==1.0\nbeta==1.0\n")
    other.ok("import", str(exported), "--yes")
    assert packages(other) == {"alpha": ("1.0", "explicit"), "beta": ("1.0", "explicit"),
                               "gamma": ("1.0", "explicit")}


def test_pylock_export_is_a_valid_pep_751_file(shelf):
    data = tomllib.loads(shelf.ok("export", "--format", "pylock").stdout)
    assert data["lock-version"] == "1.0"
    found = {p["name"]: p["version"] for p in data["packages"]}
    assert found == {"alpha": "1.0", "beta": "1.0", "delta": "1.0", "epsilon": "1.0",
                     "eta": "1.0", "gamma": "1.1"}
    assert all(p["wheels"][0]["hashes"]["sha256"] for p in data["packages"])
    assert data["tool"]["pyshelf"]["requested"] == ["alpha<2", "beta", "delta[fast]"]


# Each parser's refusals are unit tests (tests/unit/test_export_formats.py); one file per
# format shows that the command refuses it as a usage error and changes nothing.
@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("bad.txt", "beta==1.0\n--index-url http://evil.invalid/simple\n",
     "line 2: options such as '--index-url'"),
    ("bad.json", "{not json", "is not valid JSON"),
    ("pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'beta'\nversion = '1.0'\n"
     "wheels = [{ url = 'x', hashes = { sha256 = \"00\\n--index-url http://evil.invalid\" } }]\n",
     "the sha256 hash of 'beta' is not a 64-digit hexadecimal digest"),
], ids=["requirements", "json", "pylock"])
def test_bad_import_files_are_refused(shelf, name, content, fragment):
    bad = shelf.home / name
    bad.write_text(content)
    before = snapshot(shelf)
    result = shelf.run("import", str(bad), "--yes")
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr and str(bad) in result.stderr
    assert snapshot(shelf) == before


def test_missing_import_file(shelf):
    result = shelf.run("import", "nope.txt", "--yes")
    assert result.returncode == 1 and "There is no file nope.txt" in result.stderr


def _with_a_wrong_hash(pylock: str, name: str) -> str:
    """The pylock with the last digit of ``name``'s wheel hash changed."""
    package = next(p for p in tomllib.loads(pylock)["packages"] if p["name"] == name)
    digest = package["wheels"][0]["hashes"]["sha256"]
    return pylock.replace(digest, digest[:-1] + ("1" if digest[-1] == "0" else "0"))


def test_a_pylock_hash_that_differs_is_refused_naming_the_package(shelf, other):
    exported = other.home / "pylock.toml"
    shelf.ok("export", "--format", "pylock", "-o", str(exported))
    exported.write_text(_with_a_wrong_hash(exported.read_text(), "beta"))
    before = snapshot(other)

    result = other.run("import", str(exported), "--yes")

    assert result.returncode == 1
    assert result.stderr == (f"error: The file the package index has for beta 1.0 does not "
                             f"match its hash in {exported}; nothing was changed.\n")
    assert snapshot(other) == before


@pytest.mark.parametrize(("name", "content"), [
    ("empty.txt", ""), ("pylock.toml", "lock-version = '1.0'\n"),
])
def test_an_import_that_empties_the_shelf_is_refused_without_a_terminal(shelf, name, content):
    empty = shelf.home / name
    empty.write_text(content)
    before = snapshot(shelf)

    result = shelf.run("import", str(empty), "--yes")

    assert result.returncode == 1
    assert result.stderr == (
        f"error: {empty} lists no packages, so importing it would remove every package from "
        "the shelf, and there is no terminal to confirm that on; nothing was changed "
        "(--allow-empty imports it anyway).\n")
    assert snapshot(shelf) == before


def test_an_import_that_empties_the_shelf_asks_at_a_terminal_even_with_yes(shelf):
    empty = shelf.home / "empty.txt"
    empty.write_text("")
    before = snapshot(shelf)

    code, out, err = run_in_terminal(shelf, ["import", str(empty), "--yes"], "n\n")

    assert code == 4, err
    assert f"{empty} lists no packages, so importing it removes every package" in err
    assert "- alpha 1.0" in out and "Proceed? [y/N]" in out
    assert snapshot(shelf) == before


def test_allow_empty_empties_the_shelf_without_asking(shelf):
    empty = shelf.home / "empty.txt"
    empty.write_text("")

    shelf.ok("import", str(empty), "--yes", "--allow-empty")

    assert packages(shelf) == {}
