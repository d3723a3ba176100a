"""shelf.toml as text: mistakes located by line and column, and edits that leave every
byte the person wrote where it was (checked for generated files by hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyshelf.core.manifest import Manifest, ManifestEntry
from pyshelf.manifest.document import ManifestError, edit, parse, render

HOME = "/home/me"


def load(text):
    return parse(text, "shelf.toml", base="/dots", home=HOME)


@pytest.mark.parametrize(("text", "where"), [
    ('packages = [\n    "ok",\n    "bad>=",\n]\n', "line 3, column 5"),
    ('packages = [\n  { requirement = "a", isolatd = true },\n]\n', "line 2, column 24"),
    ('python = "3.12"\ncolour = "red"\n', "line 2, column 1"),
    ('packages = [\n    "a"\n    "b",\n]\n', "line 3, column 5"),
    ('packages = ["a",\n', "line 1, column 17"),
])
def test_mistakes_are_located(text, where):
    with pytest.raises(ManifestError) as caught:
        load(text)
    assert caught.value.message.startswith(f"shelf.toml, {where}: ")
    assert caught.value.message.endswith("; nothing was changed.")
    assert caught.value.exit_code == 2


def test_a_new_file_reads_back_as_written():
    manifest = Manifest((ManifestEntry("alpha", "alpha<2"),
                         ManifestEntry("tool", "tool", "/home/me/src/tool", editable=True),
                         ManifestEntry("mk", "mk", isolated=True, with_specs=("x",))),
                        {"python": "3.12", "index_url": "https://mirror/simple"})
    text = render(manifest, HOME)
    assert '{requirement = "tool", path = "~/src/tool", editable = true}' in text
    assert load(text)[1] == manifest


names = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True), min_size=1,
                 max_size=6, unique=True)
comments = st.text(st.characters(max_codepoint=0x2FF, blacklist_categories=("Cc", "Cs")),
                   max_size=20)


@st.composite
def commented(draw):
    chosen = draw(names)
    lines = [f"# {draw(comments)}", f'python = "3.12"  # {draw(comments)}', "packages = ["]
    for name in chosen:
        spec = draw(st.sampled_from(["", ">=1", "<2", "[x]", "==1.0"]))
        note = draw(comments)
        lines.append(f'    "{name}{spec}",' + (f"  # {note}" if note else ""))
        if draw(st.booleans()):
            lines.append(f"    # {draw(comments)}")
    lines.append("]")
    return chosen, "\n".join(lines) + "\n"


@given(commented())
def test_reading_and_writing_back_changes_no_byte(case):
    _, text = case
    document, manifest = load(text)
    edit(document, manifest, manifest, HOME)
    assert document.as_string() == text


@given(commented(), st.data())
def test_removing_and_adding_keeps_every_other_line(case, data):
    chosen, text = case
    document, manifest = load(text)
    gone = set(data.draw(st.lists(st.sampled_from(chosen), unique=True)))
    target = Manifest((*(e for e in manifest.entries if e.name not in gone),
                       ManifestEntry("zz-new", "zz-new>=3")), manifest.settings)
    edit(document, manifest, target, HOME)
    written = document.as_string()
    kept = [line for line in text.split("\n")
            if not any(line.startswith(f'    "{name}') and line[5 + len(name)] in '"><[='
                       for name in gone)]
    assert [line for line in written.split("\n") if line != '    "zz-new>=3",'] == kept
    assert load(written)[1] == target
