"""The export formats and their parsers: what a file says, and what an import refuses."""

from __future__ import annotations

import json

import pytest
from packaging.specifiers import SpecifierSet
from tests.support.toml import tomllib

from pyshelf.core.model import IntentEntry, IsolatedApp, Lock, LockedPackage
from pyshelf.core.pylock import pylock_tool_table
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.export_formats import (
    HashedPin,
    guess_format,
    hash_check_requirements,
    parse_json_export,
    parse_pylock,
    parse_requirements_file,
    read_import,
    render_json,
    render_requirements,
)

WHEN = "2026-01-01T00:00:00+00:00"
SHA = "ab" * 32
LOCK = Lock("", {name: LockedPackage(name, display, version) for name, display, version in [
    ("alpha", "alpha", "1.0"), ("beta", "Beta", "1.0"), ("gamma", "gamma", "1.1"),
]})
INTENT = [IntentEntry("alpha", "alpha<2", added_at=WHEN),
          IntentEntry("beta", "beta", added_at=WHEN),
          IntentEntry("gamma", "gamma", role="kept", added_at=WHEN)]
APP = IsolatedApp("app-tool", "app-tool>=1", ("leaf",), WHEN)


def specs(imported) -> list[str]:
    return [entry.spec for entry in imported.intent]


def test_requirements_export_marks_what_was_asked_for_and_reads_back():
    text = render_requirements(LOCK, INTENT, "made by a test", [APP])
    assert text.splitlines()[:5] == [
        "# made by a test", "# Recreate with: pyshelf import FILE",
        "alpha==1.0  # requested: alpha<2", "Beta==1.0  # requested: beta", "gamma==1.1"]
    imported = parse_requirements_file(text, "shelf.txt", WHEN)
    assert specs(imported) == ["alpha<2", "beta"]
    assert imported.pins == {"alpha": "1.0", "beta": "1.0", "gamma": "1.1"}
    assert [(a.name, a.spec, a.with_specs) for a in imported.isolated] == [
        ("app-tool", "app-tool>=1", ("leaf",))]


def test_a_requirement_not_for_this_platform_is_exported_as_asked_for():
    windows_only = 'colorama; sys_platform == "win32"'
    intent = [*INTENT, IntentEntry("colorama", windows_only, added_at=WHEN)]
    text = render_requirements(LOCK, intent, "made by a test")
    assert text.splitlines()[3:5] == [
        "Beta==1.0  # requested: beta", f"{windows_only}  # requested: {windows_only}"]
    imported = parse_requirements_file(text, "shelf.txt", WHEN)
    assert specs(imported) == ["alpha<2", "beta", windows_only]
    assert "colorama" not in imported.pins


def test_a_plain_requirements_file_is_all_explicit_with_its_exact_pins():
    imported = parse_requirements_file("# comment\n\nAlpha==1.0\ngamma>=1  # why not\n",
                                       "plain.txt", WHEN)
    assert specs(imported) == ["alpha==1.0", "gamma>=1"]
    assert imported.pins == {"alpha": "1.0"}
    assert all(entry.added_at == WHEN for entry in imported.intent)


@pytest.mark.parametrize(("content", "fragment"), [
    ("beta==1.0\n--index-url http://evil.invalid/simple\n",
     "line 2: options such as '--index-url'"),
    ("-r other.txt\n", "line 1: options such as '-r'"),
    ("beta==1.0\n$(rm -rf ~)\n", "line 2:"),
    ("./local/project\n", "line 1: './local/project' looks like a path"),
    ("far @ file://elsewhere/far.whl\n", "line 1: 'far' must name an absolute path"),
    ("-e file:///src/tool\n", "line 1: options such as '-e'"),
    ("-e https://example.invalid/x  # requested: x @ https://example.invalid/x\n",
     "line 1: an editable 'x' must be a project folder"),
    ("-e file:///src/a  # requested: tool @ file:///src/b\n",
     "line 1: the requested 'tool' does not match"),
    ("beta==1.0\nbeta==1.0\n", "is given more than once"),
    ("beta==1.0  # requested: alpha\n", "the requested 'alpha' does not match 'beta'"),
    ("# isolated: {broken\n", "line 1: the isolated app is not valid JSON"),
])
def test_bad_requirements_files_are_refused_naming_the_line(content, fragment):
    with pytest.raises(UsageError) as refused:
        parse_requirements_file(content, "bad.txt", WHEN)
    assert fragment in refused.value.message
    assert refused.value.message.startswith("bad.txt")


def test_json_export_reads_back_its_intent_pins_python_and_apps():
    text = render_json(LOCK, INTENT, 7, "3.12.4", [APP])
    assert json.loads(text)["generation"] == 7
    imported = parse_json_export(text, "shelf.json", WHEN)
    assert specs(imported) == ["alpha<2", "beta"]  # the kept one is not asked for
    assert imported.pins == {"alpha": "1.0", "beta": "1.0", "gamma": "1.1"}
    assert imported.python == SpecifierSet("==3.12.*")
    assert [a.name for a in imported.isolated] == ["app-tool"]
    assert imported.isolated_pins == {"app-tool": {}}


SOURCES = [IntentEntry("tool", "tool @ file:///src/tool", "editable", source_path="/src/tool"),
           IntentEntry("wheel", "wheel @ file:///w/wheel-1.0-py3-none-any.whl", "wheel",
                       source_path="/w/wheel-1.0-py3-none-any.whl"),
           IntentEntry("proj", "proj @ file:///src/proj", "local", source_path="/src/proj"),
           IntentEntry("far", "far @ https://example.invalid/far.whl", "url",
                       source_path="https://example.invalid/far.whl"),
           IntentEntry("beta", "beta")]
SOURCES_LOCK = Lock("", {
    "tool": LockedPackage("tool", "tool", "", "file:///src/tool", editable=True),
    "wheel": LockedPackage("wheel", "wheel", "", "file:///w/wheel-1.0-py3-none-any.whl"),
    "proj": LockedPackage("proj", "proj", "", "file:///src/proj"),
    "far": LockedPackage("far", "far", "", "https://example.invalid/far.whl"),
    "beta": LockedPackage("beta", "beta", "1.0")})


def _sources(imported):
    return [(e.name, e.kind, e.source_path, e.spec) for e in imported.intent]


def test_local_editable_and_url_entries_read_back_from_requirements_and_json():
    text = render_requirements(SOURCES_LOCK, SOURCES, "made by a test")
    assert "# machine-specific (paths on this machine): proj, tool, wheel" in text.splitlines()
    assert "-e file:///src/tool  # requested: tool @ file:///src/tool" in text.splitlines()
    expected = [(e.name, e.kind, e.source_path, e.spec) for e in SOURCES]
    from_text = parse_requirements_file(text, "shelf.txt", WHEN)
    assert sorted(_sources(from_text)) == sorted(expected)
    assert from_text.pins == {"beta": "1.0"}
    from_json = parse_json_export(render_json(SOURCES_LOCK, SOURCES, 1, "3.12.4"),
                                  "shelf.json", WHEN)
    assert _sources(from_json) == expected and from_json.pins == {"beta": "1.0"}


def test_a_pylock_reads_its_sources_from_its_requests_and_editables_from_directories():
    lock = pylock("name = 'tool'\ndirectory = { path = '/src/tool', editable = true }",
                  "name = 'proj'\ndirectory = { path = '/src/proj', editable = false }",
                  f"name = 'far'\nversion = '1.0'\narchive = {{ url = 'x', hashes = "
                  f"{{ sha256 = '{SHA}' }} }}",
                  "name = 'beta'\nversion = '1.0'",
                  tool=pylock_tool_table(SOURCES[:1] + SOURCES[2:]))
    imported = parse_pylock(lock, "pylock.toml", WHEN)
    assert _sources(imported) == [(e.name, e.kind, e.source_path, e.spec)
                                  for e in SOURCES[:1] + SOURCES[2:]]
    assert imported.pins == {"beta": "1.0"}
    assert tomllib.loads(lock)["tool"]["pyshelf"]["machine-specific"] == ["proj", "tool"]


def test_json_export_without_a_python_version_sets_no_python():
    text = render_json(LOCK, INTENT, 1, "unknown")
    assert parse_json_export(text, "shelf.json", WHEN).python is None


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "is not valid JSON"),
    ('{"format": "other"}', "is not a pyshelf JSON export"),
    ("[]", "is not a pyshelf JSON export"),
    ('{"format": "pyshelf-export", "packages": []}', "is missing a field pyshelf needs"),
    ('{"format": "pyshelf-export", "requirements": [], "packages": [],'
     ' "isolated": [{"with": []}]}', "has an isolated app without a field pyshelf needs"),
])
def test_bad_json_files_are_refused(content, fragment):
    with pytest.raises(UsageError, match=fragment):
        parse_json_export(content, "bad.json", WHEN)


def pylock(*packages: str, tool: str = "") -> str:
    return "lock-version = '1.0'\n" + "".join(
        f"[[packages]]\n{package}\n" for package in packages) + tool


def test_pylock_keeps_hashes_markers_and_what_was_asked_for():
    text = pylock(f"name = 'Beta'\nversion = '1.0'\nwheels = [{{ url = 'x', hashes = "
                  f"{{ sha256 = '{SHA.upper()}' }} }}]",
                  "name = 'gamma'\nversion = '1.1'\nmarker = 'python_version < \"3\"'\n"
                  f"sdist = {{ url = 'y', hashes = {{ sha256 = '{SHA}' }} }}",
                  "name = 'alpha'\nversion = '1.0'",
                  tool=pylock_tool_table(INTENT, [APP]))
    imported = parse_pylock(text, "pylock.toml", WHEN)
    assert specs(imported) == ["alpha<2", "beta"]
    assert imported.pins == {"beta": "1.0", "gamma": "1.1", "alpha": "1.0"}
    assert [a.spec for a in imported.isolated] == ["app-tool>=1"]
    assert [(p.name, p.digests) for p in imported.hashed] == [
        ("beta", (f"sha256:{SHA}",)), ("gamma", (f"sha256:{SHA}",))]
    environment = {"python_version": "3.12"}
    assert hash_check_requirements(imported.hashed, environment) == (
        f"beta==1.0 --hash=sha256:{SHA}\n")


def test_pylock_without_a_tool_table_asks_for_its_exact_pins():
    imported = parse_pylock("requires-python = '>=3.10'\n" + pylock(
        "name = 'alpha'\nversion = '1.0'"), "pylock.toml", WHEN)
    assert specs(imported) == ["alpha==1.0"]
    assert imported.python == SpecifierSet(">=3.10")
    assert imported.hashed == []


def test_the_tool_table_is_valid_toml():
    table = tomllib.loads(pylock_tool_table(INTENT, [APP]))["tool"]["pyshelf"]
    assert table["requested"] == ["alpha<2", "beta"]
    assert table["isolated"][0]["with"] == ["leaf"]


def test_a_marker_that_cannot_be_evaluated_counts_as_applying():
    from packaging.markers import Marker
    pin = HashedPin("x", "1", (f"sha256:{SHA}",), Marker("'fast' in extras"))
    assert pin.applies_to({"python_version": "3.12"})
    assert not HashedPin("x", "1", (), Marker("python_version < '3'")).applies_to(
        {"python_version": "3.12"})
    assert pin.line() == f"x==1 --hash=sha256:{SHA}"


@pytest.mark.parametrize(("content", "fragment"), [
    ("not toml = = =", "is not valid TOML"),
    ("lock-version = '2.0'\n", "is not a PEP 751 lock file"),
    (pylock("name = 'x'\nversion = '1'\ndirectory = { path = '/etc' }"),
     "only packages from an index can be imported, unless the file is a pyshelf export"),
    (pylock("version = '1'"), "every package needs a name and a version"),
    (pylock("name = 'x'\nversion = '>=1'"), "the version of 'x' is not an exact version"),
    (pylock("name = 'x'\nversion = '1'", "name = 'X'\nversion = '1'"),
     "'x' appears more than once"),
    (pylock("name = 'beta'\nversion = '1.0'\nwheels = [{ url = 'x', hashes = "
            "{ sha256 = \"00\\n--index-url http://evil.invalid\" } }]"),
     "the sha256 hash of 'beta' is not a 64-digit hexadecimal digest"),
    (pylock("name = 'beta'\nversion = '1.0'\nwheels = [{ url = 'x', hashes = { md5 = '00' } }]"),
     "'beta' carries a md5 hash, which pyshelf cannot check"),
    (pylock("name = 'beta'\nversion = '1.0'\nwheels = [{ url = 'x', hashes = 'x' }]"),
     "the hashes of 'beta' must be a table"),
    (pylock("name = 'beta'\nversion = '1.0'\nwheels = ['x']"),
     "the files of 'beta' must be tables"),
    (pylock(f"name = 'beta'\nversion = '1.0'\nmarker = 'not a marker'\n"
            f"wheels = [{{ url = 'x', hashes = {{ sha256 = '{SHA}' }} }}]"),
     "the marker of 'beta' is not a valid marker"),
    (pylock(tool="[tool.pyshelf]\nrequested = 'beta'\n"),
     "tool.pyshelf.requested must be a list of requirements"),
    ("lock-version = '1.0'\nrequires-python = 'three'\n", "requires-python is not a valid"),
])
def test_bad_pylock_files_are_refused(content, fragment):
    with pytest.raises(UsageError, match=fragment):
        parse_pylock(content, "pylock.toml", WHEN)


@pytest.mark.parametrize(("name", "expected"), [
    ("pylock.toml", "pylock"), ("x.json", "json"), ("x.txt", "requirements"), ("x", "requirements"),
])
def test_the_format_follows_the_file_name(tmp_path, name, expected):
    assert guess_format(tmp_path / name) == expected


def test_read_import_picks_the_parser_and_names_missing_or_unreadable_files(tmp_path):
    exported = tmp_path / "shelf.json"
    exported.write_text(render_json(LOCK, INTENT, 1, "3.12.4"))
    assert specs(read_import(exported, None, WHEN)) == ["alpha<2", "beta"]
    with pytest.raises(UsageError, match="is not valid TOML"):
        read_import(exported, "pylock", WHEN)
    with pytest.raises(PyshelfError, match=r"There is no file .*nope\.txt to import"):
        read_import(tmp_path / "nope.txt", None, WHEN)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(PyshelfError, match="cannot be read"):
        read_import(binary, None, WHEN)


def test_an_empty_file_lists_nothing():
    assert parse_requirements_file("", "empty.txt", WHEN).lists_nothing()
    assert parse_pylock("lock-version = '1.0'\n", "pylock.toml", WHEN).lists_nothing()
    assert not parse_requirements_file("beta\n", "one.txt", WHEN).lists_nothing()
