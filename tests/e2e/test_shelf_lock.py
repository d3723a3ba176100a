"""The shelf's PEP 751 lock, put together from the tables its store entries keep: what uv
writes for the same pins, asking uv only about the entries a change fills."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.e2e.helpers import killed_where_paused, store_entries, store_entry, uv_wrapper
from tests.support.projects import write_project
from tests.support.sandbox import Sandbox
from tests.support.toml import tomllib
from uv import find_uv_bin

pytestmark = pytest.mark.shelf("install beta --yes")

TABLE_FILE = "pyshelf-pylock.toml"


def lock_file(shelf: Sandbox) -> Path:
    return shelf.home / ".config" / "pyshelf" / "pylock.shelf.toml"


def uv_pylock(shelf: Sandbox, tmp_path: Path) -> str:
    """uv's own pylock of the current generation's pins, as pyshelf wrote the lock before
    it kept tables: one ``uv pip compile`` of every pin."""
    out = tmp_path / "uv-own" / "pylock.toml"
    out.parent.mkdir(exist_ok=True)
    subprocess.run([find_uv_bin(), "pip", "compile", "--no-config", "--quiet", "--no-header",
                    "--python", str(shelf.base_python), "--index-url", shelf.index_url,
                    "--format", "pylock.toml", "--output-file", str(out),
                    str(shelf.shelf_home / "env" / "pyshelf-lock.txt")],
                   env=shelf.env, check=True)
    return out.read_text()


def meaning(text: str) -> dict[str, object]:
    """A lock as TOML readers see it, less who wrote it and pyshelf's own table."""
    data = tomllib.loads(text)
    data.pop("created-by")
    data.pop("tool", None)
    return data


def assert_lock_is_uvs(shelf: Sandbox, tmp_path: Path, *, written_by: str = "pyshelf"
                       ) -> None:
    text = lock_file(shelf).read_text()
    assert meaning(text) == meaning(uv_pylock(shelf, tmp_path))
    assert tomllib.loads(text)["created-by"] == written_by


def uv_synced_from(lock: Path, shelf: Sandbox, tmp_path: Path) -> list[str]:
    """What ``uv pip sync`` of ``lock`` installs into a new venv."""
    venv = tmp_path / "from-the-lock"
    uv = find_uv_bin()
    subprocess.run([uv, "venv", "--quiet", "--python", str(shelf.base_python), str(venv)],
                   env=shelf.env, check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([uv, "pip", "sync", "--no-config", "--quiet", "--python", python,
                    str(lock)], env=shelf.env, check=True)
    return subprocess.run([uv, "pip", "freeze", "--python", python], env=shelf.env,
                          check=True, capture_output=True, text=True).stdout.split()


def log_pylock_runs(shelf: Sandbox, tmp_path: Path) -> Path:
    """Have every ``uv pip compile`` of a pylock (its input is ``pins.txt``) append the
    pins it was given to the returned log, one ``== <scratch folder>`` line before each."""
    log = tmp_path / "pylock-runs.log"
    logging = (f'for a in "$@"; do case "$a" in */pins.txt) '
               f'{{ echo "== ${{a%/pins.txt}}"; cat "$a"; }} >> "{log}";; esac; done')
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "compile", logging))
    return log


def pins_asked(log: Path) -> list[str]:
    """The pins the logged pylock runs were given, after the line that names the scratch
    folder of each, the check for source builds before the plan included: the entries a
    change fills take their tables from its answer, so each pin is asked about once."""
    runs = log.read_text().split("== ") if log.exists() else []
    return sorted(pin for run in runs if run for pin in run.splitlines()[1:])


def test_install_remove_and_undo_write_uvs_lock_asking_uv_only_for_what_was_filled(
        shelf, tmp_path):
    assert_lock_is_uvs(shelf, tmp_path)
    log = log_pylock_runs(shelf, tmp_path)

    shelf.ok("install", "alpha", "--yes")

    assert pins_asked(log) == ["alpha==2.0"]  # the new entry's table, and nothing else
    assert (store_entry(shelf, "alpha") / TABLE_FILE).is_file()
    assert_lock_is_uvs(shelf, tmp_path)
    assert [p["name"] for p in tomllib.loads(lock_file(shelf).read_text())["packages"]] == [
        "alpha", "beta", "gamma"]
    log.unlink()

    shelf.ok("remove", "alpha", "--yes")

    assert not log.exists()  # no uv at all for the lock
    assert_lock_is_uvs(shelf, tmp_path)

    shelf.ok("undo", "--yes")

    assert not log.exists()
    assert_lock_is_uvs(shelf, tmp_path)
    assert uv_synced_from(lock_file(shelf), shelf, tmp_path) == [
        "alpha==2.0", "beta==1.0", "gamma==1.1"]
    assert shelf.ok("export", "--format", "pylock").stdout == lock_file(shelf).read_text()


def test_the_lock_of_an_editable_project_a_wheel_file_and_a_url_is_uvs(
        shelf, tmp_path, wheel_index):
    project = write_project(shelf.home / "src" / "edit-tool", "edit-tool", "1.0")
    wheel = shelf.home / "alpha-1.0-py3-none-any.whl"
    shutil.copy(wheel_index.root / "files" / wheel.name, wheel)
    url = wheel_index.url.replace("/simple/", "/files/eta-1.0-py3-none-any.whl")

    shelf.ok("install", "-e", str(project), str(wheel), f"eta @ {url}", "--yes")

    assert_lock_is_uvs(shelf, tmp_path)
    for name in ("alpha", "edit-tool", "eta"):
        assert (store_entry(shelf, name) / TABLE_FILE).is_file()
    shelf.ok("remove", "eta", "--yes")
    assert_lock_is_uvs(shelf, tmp_path)


def as_filled_before_tables_were_kept(entry: Path) -> None:
    mode = entry.stat().st_mode
    entry.chmod(mode | 0o200)  # the store's folders are read-only
    (entry / TABLE_FILE).unlink()
    entry.chmod(mode)


def test_entries_filled_before_tables_were_kept_get_theirs_from_one_uv_run(shelf, tmp_path):
    as_filled_before_tables_were_kept(store_entry(shelf, "beta"))
    log = log_pylock_runs(shelf, tmp_path)

    shelf.ok("install", "alpha", "--yes")

    assert pins_asked(log) == ["alpha==2.0", "beta==1.0"]  # alpha's fill, beta's lock
    assert_lock_is_uvs(shelf, tmp_path)
    as_filled_before_tables_were_kept(store_entry(shelf, "gamma"))
    log.unlink()

    shelf.ok("remove", "alpha", "--yes")

    assert pins_asked(log) == ["beta==1.0", "gamma==1.1"]
    assert_lock_is_uvs(shelf, tmp_path, written_by="uv")  # every table uv's: its lock


# Pauses pyshelf halfway through writing a filled entry's table, so that it can be killed
# with the table cut short in the entry it has not named yet.
_PAUSE_IN_THE_TABLE = """
import os, pathlib, time
_write_text = pathlib.Path.write_text
def write_text(self, data, *args, **kwargs):
    if self.name == "pyshelf-pylock.toml" and self.parent.name.startswith(".new-"):
        _write_text(self, data[:len(data) // 2], *args, **kwargs)
        pathlib.Path(os.environ["STORE_TEST_MARKER"]).touch()
        time.sleep(60)
    return _write_text(self, data, *args, **kwargs)
pathlib.Path.write_text = write_text
"""


def test_a_fill_killed_while_writing_a_table_leaves_no_half_table_used(shelf, tmp_path):
    killed_where_paused(shelf, tmp_path, _PAUSE_IN_THE_TABLE, "install", "alpha", "--yes")
    [unfinished] = [e for e in (shelf.shelf_home / "store").iterdir()
                    if e.name.startswith(".new-")]
    half = (unfinished / TABLE_FILE).read_text()
    assert not store_entries(shelf, "alpha")

    shelf.ok("install", "alpha", "--yes")

    assert not unfinished.exists()
    text = (store_entry(shelf, "alpha") / TABLE_FILE).read_text()
    assert text.startswith(half) and len(text) > len(half)
    [table] = tomllib.loads(text)["packages"]
    assert (table["name"], table["version"]) == ("alpha", "2.0")
    assert_lock_is_uvs(shelf, tmp_path)
