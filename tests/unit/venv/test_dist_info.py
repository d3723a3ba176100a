"""Reading ``*.dist-info`` folders: names and versions, METADATA, RECORD and WHEEL."""

from __future__ import annotations

from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

from pyshelf.core.graph import Distribution, dependency_edges
from pyshelf.core.model import Edge
from pyshelf.venv import dist_info


def write_dist_info(site: Path, display: str, version: str, *requires: str) -> Path:
    info = site / f"{display.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {display}", f"Version: {version}",
             *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n\nThe long description.\n",
                                   encoding="utf-8")
    return info


def test_installed_versions_reads_folder_names_only(tmp_path: Path) -> None:
    for name in ("Foo_Bar-1.0.dist-info", "zope.interface-6.0.dist-info", "baz-2.0.egg-info",
                 "foo_bar", "__pycache__", "local_thing-1.0+abc.dist-info"):
        (tmp_path / name).mkdir()

    assert dist_info.installed_versions(tmp_path) == {"foo-bar": "1.0", "zope-interface": "6.0",
                                                      "local-thing": "1.0+abc"}


def test_find_by_canonical_name(tmp_path: Path) -> None:
    (tmp_path / "Foo_Bar-1.0.dist-info").mkdir()

    assert dist_info.find(tmp_path, "foo-bar") == tmp_path / "Foo_Bar-1.0.dist-info"
    assert dist_info.find(tmp_path, "other") is None


def test_read_distributions_reads_names_versions_and_requirements(tmp_path: Path) -> None:
    write_dist_info(tmp_path, "Foo_Bar", "1.2", "baz>=1", 'qux; extra == "x"')
    write_dist_info(tmp_path, "baz", "3.0")

    found = dist_info.read_distributions(tmp_path)

    assert found == [
        Distribution("baz", "baz", "3.0", ()),
        Distribution("foo-bar", "Foo_Bar", "1.2", ("baz>=1", 'qux; extra == "x"')),
    ]


def test_read_distributions_of_empty_directory_is_empty(tmp_path: Path) -> None:
    assert dist_info.read_distributions(tmp_path) == []


def test_read_distributions_skips_unreadable_and_nameless_metadata(tmp_path: Path) -> None:
    (tmp_path / "gone-1.0.dist-info").mkdir()
    nameless = tmp_path / "nameless-1.0.dist-info"
    nameless.mkdir()
    (nameless / "METADATA").write_text("Metadata-Version: 2.1\nVersion: 1.0\n")

    assert dist_info.read_distributions(tmp_path) == []


def test_legacy_reads_egg_info_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "old-1.0.egg-info").write_text("Metadata-Version: 1.1\nName: old\nVersion: 1.0\n")
    folder = tmp_path / "older-2.0.egg-info"
    folder.mkdir()
    (folder / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: older\nVersion: 2.0\n")

    assert dist_info.read_distributions(tmp_path) == []
    assert [d.name for d in dist_info.read_distributions(tmp_path, legacy=True)] == [
        "old", "older"]


def test_read_distributions_feeds_dependency_edges(tmp_path: Path) -> None:
    write_dist_info(tmp_path, "App", "1.0", "Lib>=2", 'winlib; sys_platform == "win32"')
    write_dist_info(tmp_path, "lib", "2.5")
    write_dist_info(tmp_path, "winlib", "1.0")

    edges = dependency_edges(dist_info.read_distributions(tmp_path), [Requirement("app")],
                             dict(default_environment()))

    assert edges == [Edge("app", "lib", ">=2")]


def test_recorded_files_are_normalised_against_site_packages(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    info = write_dist_info(site, "tool", "1.0")
    (info / "RECORD").write_text("tool/__init__.py,sha256=x,1\n../../../bin/tool,,\n\n")

    assert dist_info.recorded_files(info) == [site / "tool" / "__init__.py",
                                              tmp_path / "bin" / "tool"]


def test_recorded_files_of_a_missing_or_broken_record_are_none(tmp_path: Path) -> None:
    info = write_dist_info(tmp_path, "tool", "1.0")
    assert dist_info.recorded_files(info) == []
    (info / "RECORD").write_bytes(b"\xff\xfe,,\n")
    assert dist_info.recorded_files(info) == []


def test_wheel_tags(tmp_path: Path) -> None:
    info = write_dist_info(tmp_path, "fast", "1.0")
    assert dist_info.wheel_tags(info) == []
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
                                "Tag: cp312-cp312-manylinux_2_17_x86_64\n"
                                "Tag: cp312-cp312-musllinux_1_1_x86_64\n")

    assert dist_info.wheel_tags(info) == ["cp312-cp312-manylinux_2_17_x86_64",
                                          "cp312-cp312-musllinux_1_1_x86_64"]
