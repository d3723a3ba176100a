"""Paths inside one venv."""

from __future__ import annotations

from pathlib import Path

from pyshelf.venv import paths


def test_bin_python_and_scripts(tmp_path: Path) -> None:
    assert paths.bin_dir(tmp_path) == tmp_path / "bin"
    assert paths.python(tmp_path) == tmp_path / "bin" / "python"
    assert paths.script(tmp_path, "black") == tmp_path / "bin" / "black"


def test_site_packages_of_a_venv(tmp_path: Path) -> None:
    assert paths.site_packages(tmp_path) is None
    (tmp_path / "lib" / "python3.12" / "site-packages").mkdir(parents=True)

    assert paths.site_packages(tmp_path) == tmp_path / "lib" / "python3.12" / "site-packages"


def test_venv_of_its_site_packages(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    assert paths.venv_of(site) == tmp_path
    assert paths.bin_dir(paths.venv_of(site)) == tmp_path / "bin"


def test_venv_of_a_script() -> None:
    assert paths.venv_of_script(Path("/env/bin/black")) == Path("/env")
    assert paths.venv_of_script(Path("/env/lib/black")) is None


def test_python_versions(tmp_path: Path) -> None:
    assert paths.python_versions(tmp_path) == []
    (tmp_path / "lib" / "python3.12").mkdir(parents=True)

    assert paths.python_versions(tmp_path) == ["3.12"]
