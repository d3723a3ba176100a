"""The commands a package installed, from its RECORD."""

from __future__ import annotations

from pathlib import Path

from pyshelf.venv.scripts import package_scripts


def _site(tmp_path: Path, record: str, name: str = "tool-1.0") -> Path:
    site = tmp_path / "env" / "lib" / "python3.12" / "site-packages"
    (site / f"{name}.dist-info").mkdir(parents=True)
    (site / f"{name}.dist-info" / "RECORD").write_text(record)
    return site


def test_scripts_come_from_the_record(tmp_path: Path) -> None:
    site = _site(tmp_path, "tool/__init__.py,sha256=x,1\n"
                           "../../../bin/tool,sha256=y,2\n"
                           "../../../bin/tool-admin,,\n"
                           "../../../share/man/tool.1,,\n"
                           "tool-1.0.dist-info/RECORD,,\n")
    assert package_scripts(site, "tool") == ["tool", "tool-admin"]
    assert package_scripts(site, "other") == []


def test_a_package_with_an_unreadable_record_has_no_scripts(tmp_path: Path) -> None:
    site = _site(tmp_path, "")
    (site / "tool-1.0.dist-info" / "RECORD").unlink()
    assert package_scripts(site, "tool") == []
