"""The manifest's meaning, from parsed values: checking, mapping onto the shelf, and the
edit a change makes to a file someone changed."""

from __future__ import annotations

import pytest

from pyshelf.core.manifest import (
    Manifest,
    ManifestEntry,
    ManifestProblem,
    RequirementForms,
    applied,
    as_written,
    differences,
    exposure_changes,
    fill_names,
    from_shelf,
    intent_of,
    isolated_of,
    learn_written,
    read_manifest,
    version_met,
)
from pyshelf.core.model import IntentEntry, IsolatedApp


def read(data, forms=None):
    return read_manifest(data, base="/dots", home="/home/me", forms=forms)


def test_strings_and_tables_become_entries():
    manifest = read({"python": "3.12", "packages": [
        "Requests >= 2.30", {"requirement": "mkdocs", "isolated": True, "with": ["mk-x"]},
        {"path": "~/src/tool", "editable": True}, {"path": "vendor/w-1.0-py3-none-any.whl"},
        "tool2 @ file:///opt/t2", {"requirement": "gamma==1.1", "kept": True},
        {"requirement": "httpie", "expose": ["http"]}]})
    assert [e.requirement for e in manifest.entries][:2] == ["requests>=2.30", "mkdocs"]
    assert manifest.entries[1].with_specs == ("mk-x",)
    assert manifest.entries[2] == ManifestEntry("", "", "/home/me/src/tool", editable=True)
    assert manifest.entries[3].path == "/dots/vendor/w-1.0-py3-none-any.whl"
    assert manifest.entries[3].kind == "wheel"
    assert (manifest.entries[4].path, manifest.entries[4].kind) == ("/opt/t2", "local")
    assert manifest.entries[5].kept and manifest.entries[6].expose == ("http",)
    assert manifest.settings == {"python": "3.12"}


def test_defaults_are_the_same_as_absent():
    assert read({"expose": "path", "system-site-packages": False}).settings == {}
    assert read({"extra-index-urls": ["https://a", "https://b"]}).settings == {
        "extra_index_urls": "https://a https://b"}


@pytest.mark.parametrize(("data", "place", "words"), [
    ({"colour": 1}, ("colour",), "'colour' is not a manifest field"),
    ({"packages": ["ok", "bad>="]}, ("packages", 1), "is not a valid requirement"),
    ({"packages": [{"requirement": "a", "pth": "x"}]}, ("packages", 0, "pth"),
     "'pth' is not a package field"),
    ({"packages": [{"requirement": "a", "with": ["b"]}]}, ("packages", 0, "with"),
     "add isolated = true"),
    ({"packages": [{"requirement": "a", "editable": True}]}, ("packages", 0, "editable"),
     "editable needs the path"),
    ({"packages": ["a", "A"]}, ("packages", 1), "'a' is listed twice"),
    ({"packages": "a"}, ("packages",), "packages must be a list"),
    ({"expose": "some"}, ("expose",), "expose must be"),
    ({"python": "3.x.y"}, ("python",), "python must be a version"),
    ({"version": 2}, ("version",), "version 2 is not a manifest version"),
    ({"packages": [{"isolated": True}]}, ("packages", 0), "needs a requirement or a path"),
])
def test_mistakes_name_their_place(data, place, words):
    with pytest.raises(ManifestProblem) as caught:
        read(data)
    assert caught.value.place == place
    assert words in caught.value.message


def test_a_shelf_is_the_manifest_its_intent_and_choices_make():
    intent = [IntentEntry("alpha", "alpha<2"),
              IntentEntry("tool", "tool @ file:///home/me/src/tool", "editable",
                          source_path="/home/me/src/tool"),
              IntentEntry("gamma", "gamma==1.1", role="kept")]
    apps = [IsolatedApp("mkdocs", "mkdocs", ("mk-x",))]
    exposure = {("package", "tool"): False, ("command", "tool-run"): True}
    made = from_shelf(intent, apps, exposure, {"tool": ["tool-run", "tool-debug"]},
                      {"python": "3.12", "expose": "path"})
    assert made == read({"python": "3.12", "packages": [
        "alpha<2", {"path": "~/src/tool", "editable": True, "requirement": "tool",
                    "expose": ["tool-run"]},
        {"requirement": "gamma==1.1", "kept": True},
        {"requirement": "mkdocs", "isolated": True, "with": ["mk-x"]}]})
    back = intent_of(made, intent, "now")
    assert back == intent
    assert isolated_of(made, apps, "now") == apps


def test_a_path_entry_listed_alone_is_named_by_the_shelf():
    manifest = fill_names(read({"packages": [{"path": "/src/tool"}]}), {"/src/tool": "tool"})
    assert manifest.entries[0].name == "tool" and manifest.entries[0].key == "tool"


def test_exposure_changes_follow_the_listed_packages_only():
    wanted = read({"packages": [{"requirement": "a", "expose": False},
                                {"requirement": "b", "expose": ["b1"]}, "c"]})
    have = {("package", "c"): False, ("package", "dep"): True, ("command", "c9"): False}
    assert exposure_changes(wanted, {"b": ["b1", "b2"], "c": ["c9"]}, have) == {
        ("package", "a"): False, ("package", "b"): False, ("command", "b1"): True,
        ("package", "c"): None}


def test_a_change_applied_to_an_edited_file_keeps_the_edit():
    before = read({"packages": ["alpha", "beta"]})
    after = read({"packages": ["alpha", "gamma"], "index-url": "https://mirror/simple"})
    edited = read({"packages": ["alpha<2", "beta", "zeta"]})
    result = applied(edited, before, after)
    assert [e.requirement for e in result.entries] == ["alpha<2", "zeta", "gamma"]
    assert result.settings == {"index_url": "https://mirror/simple"}
    assert differences(result, after) == ["+zeta", "~alpha"]


def test_differences_name_both_ways_and_settings():
    on_disk = read({"packages": ["alpha", "beta>=1"], "system-site-packages": True})
    shelf = read({"packages": ["beta", "gamma"]})
    assert differences(on_disk, shelf) == ["+alpha", "-gamma", "~beta",
                                           "setting system_site_packages"]


@pytest.mark.parametrize(("request_", "version", "met"), [
    ("3.12", "3.12.4", True), ("3.12", "3.13.0", False), ("3.12.4", "3.12.4", True),
    ("3.12.3", "3.12.4", False), (">=3.11", "3.12.4", True), ("<3.12", "3.12.4", False),
    ("3.13", "3.13.0rc1", True), ("3.1", "3.12.4", False),
])
def test_python_requests(request_, version, met):
    assert version_met(request_, version) is met


def test_paths_under_home_are_written_with_a_tilde():
    assert as_written("/home/me/src/tool", "/home/me") == "~/src/tool"
    assert as_written("/opt/tool", "/home/me") == "/opt/tool"
    assert Manifest().by_key() == {}


EVERY_KIND = {"python": ">=3.11", "packages": [
    "Requests >= 2.30", {"requirement": "mkdocs", "isolated": True, "with": ["Mk_X>1"]},
    {"path": "~/src/tool", "editable": True}, "tool2 @ file:///opt/t2",
    "app @ https://example.invalid/app-1.0.tar.gz", {"requirement": "gamma==1.1", "kept": True}]}


def test_requirements_read_before_are_taken_from_the_forms_without_a_parser(monkeypatch):
    """A manifest read with the forms an earlier read left says what a fresh read says,
    and asks packaging nothing but its direct references (a URL's form is not kept)."""
    forms = RequirementForms()
    fresh = read(EVERY_KIND, forms)
    assert set(forms.used) == {"Requests >= 2.30", "mkdocs", "Mk_X>1", "gamma==1.1"}
    assert forms.used["Requests >= 2.30"] == ("requests", "requests>=2.30")
    assert forms.pythons == {">=3.11"}
    parsed: list[str] = []
    import packaging.requirements

    original = packaging.requirements.Requirement.__init__

    def counting(self, text):
        parsed.append(text)
        original(self, text)

    monkeypatch.setattr(packaging.requirements.Requirement, "__init__", counting)
    again = RequirementForms(forms.known, forms.pythons)

    assert read(EVERY_KIND, again) == fresh
    assert sorted(parsed) == ["app @ https://example.invalid/app-1.0.tar.gz", "tool2",
                              "tool2 @ file:///opt/t2"]
    assert again.used == forms.used


def test_a_line_not_seen_before_is_checked_as_ever():
    forms = RequirementForms({"black": ("black", "black")})
    with pytest.raises(ManifestProblem, match="is not a valid requirement"):
        read({"packages": ["black", "bad>="]}, forms)
    assert read({"packages": ["black", "Click"]}, forms).entries[1].requirement == "click"


def test_what_a_change_writes_is_known_to_the_next_read():
    forms = RequirementForms()
    learn_written(Manifest((ManifestEntry("cowsay", "cowsay>=6"),
                            ManifestEntry("mkdocs", "mkdocs", isolated=True,
                                          with_specs=("mk-x",)))), forms)
    assert forms.used == {"cowsay>=6": ("cowsay", "cowsay>=6"), "mkdocs": ("mkdocs", "mkdocs"),
                          "mk-x": ("mk-x", "mk-x")}
