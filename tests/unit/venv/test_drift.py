"""Reading names and versions off dist-info folders, and comparing them with the record."""

from __future__ import annotations

from pyshelf.venv.drift import Drift, compare, installed_versions, site_packages


def test_installed_versions_reads_folder_names_only(tmp_path):
    for name in ("Foo_Bar-1.0.dist-info", "zope.interface-6.0.dist-info", "baz-2.0.egg-info",
                 "foo_bar", "__pycache__", "local_thing-1.0+abc.dist-info"):
        (tmp_path / name).mkdir()

    assert installed_versions(tmp_path) == {"foo-bar": "1.0", "zope-interface": "6.0",
                                            "local-thing": "1.0+abc"}


def test_compare_finds_added_removed_and_changed():
    drift = compare({"a": "1.0", "b": "2.0", "c": "3.0"},
                    {"a": "1.0.0", "b": "2.1", "d": "4.0"})

    assert drift == Drift(added={"d": "4.0"}, removed={"c": "3.0"},
                          changed={"b": ("2.0", "2.1")})
    assert drift.count == 3
    assert drift.summary() == "b 2.0 -> 2.1, c 3.0 removed, d 4.0 added"


def test_summary_says_how_many_more():
    drift = compare({}, {f"p{i}": "1" for i in range(5)})

    assert drift.summary(limit=2) == "p0 1 added, p1 1 added, and 3 more"


def test_no_drift():
    assert compare({"a": "1"}, {"a": "1"}).count == 0


def test_site_packages_of_a_venv(tmp_path):
    assert site_packages(tmp_path) is None
    (tmp_path / "lib" / "python3.12" / "site-packages").mkdir(parents=True)

    assert site_packages(tmp_path) == tmp_path / "lib" / "python3.12" / "site-packages"
