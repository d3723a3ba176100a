"""The confined remover: what it deletes, and everything it refuses to reach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyshelf.removal import (
    RemovalRefused,
    discard_new_home,
    is_own,
    real_folder,
    remove,
    symlinked_folders,
    unlink_link,
    unlink_same_file,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A folder outside the home whose files must outlive every test here."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "thesis.txt").write_text("years of work")
    (outside / "deep" / "notes.txt").write_text("more")
    return outside


def assert_intact(outside: Path) -> None:
    assert (outside / "thesis.txt").read_text() == "years of work"
    assert (outside / "deep" / "notes.txt").read_text() == "more"


def test_a_generation_goes_with_everything_in_it(home: Path) -> None:
    gen = home / "gens" / "3"
    (gen / "lib" / "site-packages" / "pkg").mkdir(parents=True)
    (gen / "lib" / "site-packages" / "pkg" / "__init__.py").write_text("")
    (gen / "bin").mkdir()
    (gen / "bin" / "python").symlink_to("/usr/bin/python3")

    assert remove(home, gen) is True

    assert not gen.exists()
    assert (home / "gens").is_dir()
    assert remove(home, gen) is False  # already gone: nothing to do


def test_a_symlink_inside_a_tree_is_unlinked_never_followed(home: Path, canary: Path) -> None:
    gen = home / "gens" / "4"
    (gen / "lib").mkdir(parents=True)
    (gen / "lib" / "planted").symlink_to(canary, target_is_directory=True)
    (gen / "file-link").symlink_to(canary / "thesis.txt")

    remove(home, gen)

    assert not os.path.lexists(gen)
    assert_intact(canary)


@pytest.mark.parametrize("folder", ["gens", "work", "trash", "runs", "app", "isolated"])
def test_a_symlinked_folder_of_the_home_is_refused_as_a_whole(home: Path, canary: Path,
                                                              folder: str) -> None:
    (home / folder).symlink_to(canary, target_is_directory=True)
    names = {"gens": "1", "work": "resolve-1", "trash": "1.2.3", "runs": "ab" * 10,
             "app": "0.1.0-" + "1" * 19, "isolated": "black-1"}
    (canary / names[folder]).mkdir()
    (canary / names[folder] / "inside.txt").write_text("keep")

    with pytest.raises(RemovalRefused, match=f"{home / folder} is a symlink"):
        remove(home, home / folder / names[folder])
    with pytest.raises(RemovalRefused, match="is a symlink"):
        real_folder(home, folder)

    assert (canary / names[folder] / "inside.txt").read_text() == "keep"
    assert symlinked_folders(home) == [home / folder]
    assert_intact(canary)


def test_a_symlink_at_a_deeper_level_of_the_path_is_refused(home: Path, canary: Path) -> None:
    (home / "gens" / "5").mkdir(parents=True)
    (home / "gens" / "5" / "bin").symlink_to(canary, target_is_directory=True)
    (canary / "pip").write_text("not pyshelf's")

    with pytest.raises(RemovalRefused, match="bin is a symlink"):
        remove(home, home / "gens" / "5" / "bin" / "pip")

    assert (canary / "pip").read_text() == "not pyshelf's"


def test_a_generation_that_is_a_symlink_loses_only_the_link(home: Path, canary: Path) -> None:
    (home / "gens").mkdir()
    (home / "gens" / "6").symlink_to(canary, target_is_directory=True)

    assert remove(home, home / "gens" / "6") is True

    assert not os.path.lexists(home / "gens" / "6")
    assert_intact(canary)


def test_a_store_entry_goes_with_its_aliases_whatever_they_lead_to(home: Path,
                                                                   canary: Path) -> None:
    """An entry's ``.p``, ``.i`` and ``.c`` are links; they go, and what they lead to stays
    (here a canary outside the home, as if they had been swapped)."""
    entry = home / "store" / "0123456789abcdef"
    (entry / "lib").mkdir(parents=True)
    for alias in (".p", ".i", ".c"):
        (entry / alias).symlink_to(canary, target_is_directory=True)
    entry.chmod(0o555)  # read-only, as a complete entry is

    assert remove(home, entry) is True

    assert not entry.exists()
    assert_intact(canary)


@pytest.mark.parametrize("relative", [
    "gens/notes.txt", "work/Thesis", "runs/lock", "runs/not-a-key", "app/current",
    "app/mine", "isolated/black", "trash/plain", "state.db", "lock", "elsewhere/1", "gens",
    "store/0123456789abcde", "store/0123456789ABCDEF", "store/notes",
])
def test_names_pyshelf_does_not_make_are_refused(home: Path, relative: str) -> None:
    path = home / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("someone else's")

    assert not is_own(home, path)
    with pytest.raises(RemovalRefused, match="did not make it"):
        remove(home, path)

    assert path.read_text() == "someone else's"


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside/thesis.txt", "gens/../../outside"])
def test_nothing_outside_the_home_is_ever_taken(home: Path, canary: Path, path: str) -> None:
    with pytest.raises(RemovalRefused, match="not inside"):
        remove(home, home / path if not path.startswith("/") else Path(path))
    assert_intact(canary)


def test_env_goes_only_as_a_symlink(home: Path, canary: Path) -> None:
    (home / "env").symlink_to(canary, target_is_directory=True)
    assert remove(home, home / "env") is True
    assert not os.path.lexists(home / "env")

    (home / "env").mkdir()
    (home / "env" / "kept.txt").write_text("a real folder pyshelf never makes")
    assert remove(home, home / "env") is False
    assert (home / "env" / "kept.txt").exists()
    assert_intact(canary)


def test_own_names(home: Path) -> None:
    own = ["gens/12", "work/resolve-4242", "work/isolated-resolve-7", "trash/12.99.1234",
           "trash/black-3.99.1234", "runs/0123456789abcdef0123", "app/0.1.0-" + "7" * 19,
           "app/.new-77", "isolated/mkdocs-material-3", "gens/12/bin/pip", "env",
           "store/0123456789abcdef", "store/six-1.17.0-0123456789abcdef", "store/.new-six-77"]
    assert all(is_own(home, home / p) for p in own)


def test_unlink_link_takes_a_symlink_and_nothing_else(tmp_path: Path, canary: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "black").symlink_to(canary / "thesis.txt")
    (bin_dir / "script").write_text("#!/bin/sh\n")

    assert unlink_link(bin_dir / "black") is True
    assert unlink_link(bin_dir / "script") is False
    assert unlink_link(bin_dir / "missing") is False

    assert (bin_dir / "script").exists()
    assert_intact(canary)


def test_unlink_same_file_refuses_a_file_swapped_in(tmp_path: Path) -> None:
    made = tmp_path / "temp"
    made.write_text("pyshelf's")
    seen = made.stat()
    made.rename(tmp_path / "moved")
    made.write_text("someone else's, same name")

    assert unlink_same_file(made, seen) is False
    assert made.read_text() == "someone else's, same name"
    assert unlink_same_file(tmp_path / "moved", seen) is True
    assert not (tmp_path / "moved").exists()


def _half_made_home(home: Path, canary: Path) -> None:
    """What a first init that failed late leaves: the database with SQLite's files, the
    lock, a generation, ``env``, and a home folder that is a symlink out of the home."""
    for name in ("state.db", "state.db-wal", "state.db-shm", "lock"):
        (home / name).write_text("x")
    (home / "gens" / "0" / "bin").mkdir(parents=True)
    (home / "gens" / "0" / "bin" / "python").symlink_to(canary / "thesis.txt")
    (home / "env").symlink_to("gens/0")
    (home / "app").symlink_to(canary)


def test_discard_new_home_takes_what_init_made_and_the_home_it_made(home, canary):
    _half_made_home(home, canary)

    discard_new_home(home, found=set(), made_home=True)

    assert not home.exists()
    assert_intact(canary)


def test_discard_new_home_keeps_what_was_there_before(home, canary):
    (home / "notes.txt").write_text("the person's")
    (home / "gens").mkdir()
    (home / "gens" / "7").mkdir()  # before init: not init's to take
    _half_made_home(home, canary)

    discard_new_home(home, found={"notes.txt", "gens"}, made_home=False)

    assert sorted(path.name for path in home.iterdir()) == ["gens", "notes.txt"]
    assert sorted(path.name for path in (home / "gens").iterdir()) == ["0", "7"]
    assert_intact(canary)


def test_discard_new_home_leaves_a_home_someone_else_wrote_into(home):
    (home / "state.db").write_text("x")
    (home / "theirs").write_text("arrived meanwhile")

    discard_new_home(home, found=set(), made_home=True)

    assert [path.name for path in home.iterdir()] == ["theirs"]
