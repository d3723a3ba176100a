"""Files and symlinks replaced in one rename, and files written once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pyshelf import atomic


def test_replace_file_writes_a_new_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "config"
    atomic.replace_file(target, b"new\n")

    assert target.read_bytes() == b"new\n"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]


def test_replace_file_replaces_with_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "launcher"
    target.write_bytes(b"old")
    atomic.replace_file(target, b"new", 0o750)

    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o750


def test_replace_file_replaces_a_symlink_not_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_bytes(b"kept")
    link = tmp_path / "link"
    link.symlink_to(real)
    atomic.replace_file(link, b"new")

    assert real.read_bytes() == b"kept"
    assert not link.is_symlink() and link.read_bytes() == b"new"


def test_a_failed_rename_leaves_nothing_behind(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, target: Path) -> Path:
        raise OSError("no")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OSError):
        atomic.replace_file(tmp_path / "config", b"new")
    assert list(tmp_path.iterdir()) == []


def test_create_file_never_replaces(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    assert atomic.create_file(backup, b"first", 0o640)
    assert not atomic.create_file(backup, b"second", 0o600)

    assert backup.read_bytes() == b"first"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640


def test_replace_symlink(tmp_path: Path) -> None:
    link = tmp_path / "env"
    atomic.replace_symlink(link, "gens/1")
    atomic.replace_symlink(link, "gens/2")

    assert link.readlink() == Path("gens/2")
    assert [p.name for p in tmp_path.iterdir()] == ["env"]
