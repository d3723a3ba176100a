"""Which sources of an intent are gone, and the sentence that names each one."""

from __future__ import annotations

import pytest

from pyshelf.change.local_sources import gone_sentence, gone_sources, refuse_gone_sources
from pyshelf.core.model import IntentEntry
from pyshelf.errors import PyshelfError


def _entry(name, kind, path):
    return IntentEntry(name=name, spec=f"{name} @ file://{path}", kind=kind,
                       source_path=str(path))


def test_only_path_entries_whose_path_is_gone_are_named(tmp_path):
    (tmp_path / "here").mkdir()
    here = _entry("here", "editable", tmp_path / "here")
    gone = _entry("gone", "local", tmp_path / "gone")
    wheel = _entry("wheel", "wheel", tmp_path / "w-1.0-py3-none-any.whl")
    url = IntentEntry("far", "far @ https://example.invalid/far.whl", "url",
                      source_path="https://example.invalid/far.whl")
    index = IntentEntry("beta", "beta")
    assert gone_sources([here, gone, wheel, url, index]) == [gone, wheel]


@pytest.mark.parametrize(("kind", "words", "again"), [
    ("editable", "The project folder", "install -e NEWPATH"),
    ("local", "The project folder", "install NEWPATH"),
    ("wheel", "The wheel file", "install NEWPATH"),
])
def test_the_sentence_names_the_package_the_path_and_both_ways_on(kind, words, again):
    assert gone_sentence(_entry("tool", kind, "/src/tool")) == (
        f"{words} /src/tool of tool is gone; `pyshelf remove tool` takes it off the shelf, "
        f"or `pyshelf {again}` installs it from where it is now.")


def test_a_refusal_names_every_gone_source_and_a_whole_intent_passes(tmp_path):
    refuse_gone_sources([_entry("here", "local", tmp_path)])
    with pytest.raises(PyshelfError) as caught:
        refuse_gone_sources([_entry("a", "local", tmp_path / "a"),
                             _entry("b", "wheel", tmp_path / "b.whl")])
    assert caught.value.message.splitlines() == [
        gone_sentence(_entry("a", "local", tmp_path / "a")),
        gone_sentence(_entry("b", "wheel", tmp_path / "b.whl"))]
