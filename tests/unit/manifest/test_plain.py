"""The manifest written without tomlkit is the file tomlkit writes, and edits, for it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pyshelf.core.manifest import Manifest, ManifestEntry
from pyshelf.manifest.document import edit, parse, render
from pyshelf.manifest.plain import in_file_order, plain_text

HOME = "/home/me"
NAMES = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,3})?", fullmatch=True)
SPECS = st.sampled_from(["", ">=1", "==2.0", "[cli]", "[a,b]<3", '; python_version >= "3.8"'])
TEXT = st.text(st.characters(codec="utf-8"), max_size=8)


@st.composite
def entries(draw):
    name = draw(NAMES)
    path = draw(st.none() | st.sampled_from([f"{HOME}/src/{name}", f"/opt/{name}-1.whl"]))
    isolated = path is None and draw(st.booleans())
    return ManifestEntry(
        name, name + (draw(SPECS) if path is None else ""), path=path,
        editable=path is not None and not path.endswith(".whl") and draw(st.booleans()),
        isolated=isolated,
        with_specs=tuple(draw(st.lists(NAMES, max_size=2))) if isolated else (),
        expose=draw(st.sampled_from([True, False, ("cmd",), ("a", "b c")])),
        kept=path is None and not isolated and draw(st.booleans()))


@st.composite
def manifests(draw):
    listed = draw(st.lists(entries(), max_size=6, unique_by=lambda e: e.name))
    settings_ = {key: value for key, value in {
        "python": draw(st.sampled_from([None, "3.12", ">=3.11", "/usr/bin/python3"])),
        "index_url": draw(st.none() | TEXT.map(lambda t: f"https://i/{t}".strip())),
        "extra_index_urls": draw(st.sampled_from([None, "https://a", "https://a https://b"])),
        "system_site_packages": draw(st.sampled_from([None, "true"])),
        "expose": draw(st.sampled_from([None, "apps"])),
    }.items() if value is not None}
    return Manifest(tuple(listed), settings_)


@settings(max_examples=200, deadline=None)
@given(manifests())
def test_a_new_file_is_what_tomlkit_renders(manifest):
    text = plain_text(manifest, HOME)
    if text is None:  # a character only tomlkit may write
        return
    assert text == render(manifest, HOME)
    assert parse(text, "shelf.toml", base="/", home=HOME)[1] == manifest


@settings(max_examples=200, deadline=None)
@given(manifests(), manifests())
def test_a_file_it_wrote_is_changed_as_tomlkit_edits_it(before, after):
    """Entries that stay keep their place, new ones come last; the settings of both
    manifests being the same, as a change of packages leaves them."""
    after = after._replace(settings=before.settings)
    text = plain_text(before, HOME)
    if text is None:
        return
    document, on_disk = parse(text, "shelf.toml", base="/", home=HOME)
    edit(document, on_disk, after, HOME)
    if not after.entries and before.entries:
        return  # tomlkit leaves an empty array; the next write is tomlkit's again
    ordered = in_file_order(after, [entry.key for entry in before.entries])
    assert plain_text(ordered, HOME) in (document.as_string(), None)


def test_a_control_character_is_left_to_tomlkit():
    assert plain_text(Manifest((), {"index_url": "https://i/\x7f"}), HOME) is None
    assert plain_text(Manifest((), {"index_url": "https://i/\ud800"}), HOME) is None
    assert plain_text(Manifest((), {"index_url": "https://i/\x01"}), HOME) is not None
    assert plain_text(Manifest((), {"index_url": "https://i/é"}), HOME) is not None
