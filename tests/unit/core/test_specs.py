"""What the person types becomes a normalised PEP 508 requirement, or a UsageError."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pyshelf.core.specs import parse_install_specs, parse_package_name, parse_requirement
from pyshelf.errors import EXIT_USAGE, UsageError


def test_install_spec_name_is_canonical_and_spec_normalised():
    [entry] = parse_install_specs(["Black[D] >= 1.0"], "2024-01-01")

    parsed = Requirement(entry.spec)
    assert entry.name == "black"
    assert parsed.name == "black"
    assert {canonicalize_name(e) for e in parsed.extras} == {"d"}
    assert str(parsed.specifier) == ">=1.0"
    assert entry.spec == str(parsed)


def test_install_spec_entry_is_explicit_index_requirement_with_timestamp():
    [entry] = parse_install_specs(["requests"], "2024-01-01T00:00:00")

    assert (entry.kind, entry.role, entry.source_path, entry.added_at) == (
        "index", "explicit", None, "2024-01-01T00:00:00")


def test_install_spec_drops_surrounding_whitespace_and_legacy_parentheses():
    [entry] = parse_install_specs(["  Requests (>=2.0,<3)  "], "t")

    assert Requirement(entry.spec).specifier == Requirement("x>=2.0,<3").specifier
    assert entry.spec.startswith("requests")
    assert " " not in entry.spec


def test_install_specs_keep_order_one_entry_each():
    entries = parse_install_specs(["zeta", "Alpha>=1", "mid[x]"], "t")

    assert [e.name for e in entries] == ["zeta", "alpha", "mid"]


def test_marker_is_accepted_and_kept():
    [entry] = parse_install_specs(['requests ; python_version >= "3.8"'], "t")

    assert entry.name == "requests"
    assert str(Requirement(entry.spec).marker) == 'python_version >= "3.8"'


@pytest.mark.parametrize(
    "texts",
    [["Foo", "foo"], ["foo", "FOO>=1"], ["Foo.Bar", "foo_bar"], ["foo-bar", "FOO__BAR[x]"]],
)
def test_same_package_twice_is_refused(texts):
    with pytest.raises(UsageError, match="more than once"):
        parse_install_specs(texts, "t")


@pytest.mark.parametrize("text", ["-e", "--index-url=x", "-r req.txt", "  -e ./proj"])
def test_option_like_text_is_refused_as_usage_error_naming_it(text):
    with pytest.raises(UsageError, match="cannot start with '-'") as caught:
        parse_requirement(text)

    assert caught.value.exit_code == EXIT_USAGE == 2
    assert text.strip() in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_text_is_refused(text):
    with pytest.raises(UsageError, match="empty"):
        parse_requirement(text)


@pytest.mark.parametrize("text", ["requests>=", "foo bar", "requests==1.0;", "[x]", "=="])
def test_invalid_requirement_is_refused_naming_it(text):
    with pytest.raises(UsageError, match="not a valid requirement") as caught:
        parse_requirement(text)

    assert text in caught.value.message


@pytest.mark.parametrize(
    "text",
    ["./proj", "../proj", "/abs/proj", "dist/foo-1.0-py3-none-any.whl",
     "dist/foo-1.0.tar.gz"],
)
def test_path_with_slash_is_refused_as_path(text):
    with pytest.raises(UsageError, match="looks like a path"):
        parse_requirement(text)


@pytest.mark.parametrize("text", ["foo-1.0-py3-none-any.whl", "proj-1.0.tar.gz", "proj.zip"])
def test_bare_archive_file_name_is_refused_as_path(text):
    with pytest.raises(UsageError, match="looks like a path"):
        parse_requirement(text)


@pytest.mark.parametrize(
    "text",
    ["foo @ https://example.com/foo.whl", "Foo@file:///tmp/foo.whl",
     "foo[x] @ git+https://example.com/foo.git ; python_version > '3'"],
)
def test_direct_url_requirement_is_refused(text):
    with pytest.raises(UsageError, match="direct URL"):
        parse_requirement(text)


def test_parse_requirement_returns_packaging_requirement():
    requirement = parse_requirement("Foo[bar]>=1")

    assert isinstance(requirement, Requirement)
    assert requirement.name == "Foo"


@pytest.mark.parametrize(
    ("text", "name"), [("Foo_Bar", "foo-bar"), (" Zope.Interface ", "zope-interface")]
)
def test_package_name_is_canonicalised(text, name):
    assert parse_package_name(text) == name


@pytest.mark.parametrize("text", ["foo>=1", "foo[x]", "foo; python_version > '3'", "foo==1.0"])
def test_package_name_refuses_requirement_parts(text):
    with pytest.raises(UsageError, match="not a package name"):
        parse_package_name(text)


@pytest.mark.parametrize("text", ["-e", "", "./proj", "foo @ https://example.com/foo.whl"])
def test_package_name_refuses_what_requirements_refuse(text):
    with pytest.raises(UsageError):
        parse_package_name(text)


@pytest.mark.parametrize("text", ["foo_", "0_", "foo__[x]>=1"])
def test_name_ending_in_underscore_is_refused(text):
    with pytest.raises(UsageError):
        parse_install_specs([text], "t")


_PIECES = st.sampled_from(
    ["foo", "Bar", "_", "-", ".", "0", "[", "]", ",", "x", ">=", "==", "===", "~=", "!=", "<",
     "1.0", "*", ";", " ", "@", "(", ")", "'", '"', "python_version", "extra", " and ",
     "/", "https://h/p", "#", "\n"]
)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=12).map("".join)))
@example("foo_")
def test_any_text_gives_reparsable_spec_or_usage_error(text):
    try:
        entries = parse_install_specs([text], "t")
    except UsageError:
        return
    for entry in entries:
        assert not entry.spec.startswith("-")
        assert canonicalize_name(Requirement(entry.spec).name) == entry.name


_NAMES = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?\Z")
_VERSIONS = st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,3}){0,2}\Z")


@settings(max_examples=300)
@given(
    name=_NAMES,
    extras=st.lists(_NAMES, max_size=2),
    specifiers=st.lists(st.tuples(st.sampled_from(["==", ">=", "<", "!=", "~="]), _VERSIONS),
                        max_size=2),
)
def test_valid_requirement_round_trips_to_same_requirement(name, extras, specifiers):
    assume(not any(op == "~=" and "." not in version for op, version in specifiers))
    text = name + (f"[{','.join(extras)}]" if extras else "")
    text += ",".join(op + version for op, version in specifiers)

    [entry] = parse_install_specs([text], "t")

    original, written = Requirement(text), Requirement(entry.spec)
    assert entry.name == canonicalize_name(name) == written.name
    assert written.extras == original.extras
    assert written.specifier == original.specifier
    assert not entry.spec.startswith("-")
