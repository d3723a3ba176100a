"""``pyshelf status`` shows the shelf's health; ``pyshelf doctor`` checks it and repairs it."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from contextlib import closing

import pytest
from tests.e2e.helpers import (
    current_target,
    entry_name,
    generation_dirs,
    packages,
    run_without_subprocesses,
    uv_wrapper,
)

pytestmark = pytest.mark.shelf("install beta --yes")


def status(shelf) -> dict:
    return json.loads(shelf.ok("status", "--json").stdout)


def doctor(shelf, *args: str):
    return shelf.run("doctor", *args)


def test_status_of_a_healthy_shelf(shelf):
    text = shelf.ok("status").stdout
    data = status(shelf)

    assert data["home"] == str(shelf.shelf_home)
    assert data["generation"]["id"] == 1
    assert data["interpreter"]["state"] == "ok"
    assert data["packages"] == {"total": 2, "explicit": 1, "local": 0, "dependencies": 1,
                                "isolated": 0}
    assert data["generations_on_disk"]["ids"] == [0, 1]
    sizes = data["generations_on_disk"]["sizes"]
    assert sizes["1"]["bytes"] > 0 and sizes["1"]["files"] > 0
    assert data["store"]["entries"] == 2  # beta and its dependency, each filled once
    assert data["store"]["bytes"] > 0 and data["store"]["files"] > 0
    assert "Store:           2 entries, " in text
    assert data["shell"]["blocks"] == 1
    assert data["bin_dir"] == {"path": str(shelf.bin_dir)}
    assert data["expose"] == "path"
    assert data["outside_changes"]["count"] == 0
    assert data["last_operation"]["command"] == "pyshelf install beta --yes"
    assert "Packages:        2: 1 explicit, 0 local, 1 dependencies" in text
    assert "; `pyshelf doctor` checks what a new shell gets" in text
    assert "Outside changes: none" in text
    assert "exposes the whole shelf)" in text


def store_entries(shelf) -> list:
    return sorted(p for p in (shelf.shelf_home / "store").iterdir()
                  if not p.name.startswith("."))


def test_status_adds_up_the_disk_from_the_database_without_walking_it_or_a_process(shelf):
    before = status(shelf)
    entry = store_entries(shelf)[0]
    entry.chmod(0o755)
    (entry / "unreadable").mkdir(mode=0o000)
    (shelf.shelf_home / "gens" / "1" / "big.bin").write_bytes(b"x" * 1_000_000)

    after = run_without_subprocesses(shelf, ["status", "--json"], walk=False)

    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == before  # neither the new file nor the folder counted
    (entry / "unreadable").rmdir()
    entry.chmod(0o555)


def test_status_names_what_is_wrong(shelf, tmp_path):
    shelf.rc.write_text("# my settings\n")
    (shelf.shelf_home / "gens/1/lib/python3.11/site-packages/zz_extra-1.0.dist-info").mkdir(
        parents=True)

    text = shelf.ok("status").stdout
    data = status(shelf)

    assert data["shell"]["blocks"] == 0
    assert "NO block(s) in" in text
    assert data["outside_changes"] == {"count": 1, "details": ["zz-extra 1.0 added"]}


def test_interpreter_that_now_leads_elsewhere_or_is_gone(sandbox, tmp_path):
    chosen = tmp_path / "python3"  # like /usr/bin/python3, repointed by an upgrade
    chosen.symlink_to(sandbox.base_python)
    sandbox.ok("init", "--python", str(chosen), "--yes")

    chosen.unlink()
    chosen.symlink_to("/bin/sh")
    changed = status(sandbox)["interpreter"]
    chosen.unlink()
    gone = status(sandbox)["interpreter"]
    result = doctor(sandbox)

    assert (changed["state"], changed["now_resolves_to"]) == ("changed",
                                                             os.path.realpath("/bin/sh"))
    assert gone["state"] == "missing"
    assert result.returncode == 1
    assert "advice: run `pyshelf rebuild`" in result.stdout


def test_doctor_on_a_healthy_shelf(shelf):
    result = doctor(shelf)

    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "The shelf is healthy."
    assert "problem" not in result.stdout


@pytest.mark.shelf("install beta --yes", init="--expose apps")
def test_doctor_on_a_healthy_apps_only_shelf_accepts_the_system_python3(shelf):
    result = doctor(shelf)

    assert result.returncode == 0, result.stdout
    assert "problem" not in result.stdout
    assert not shelf.bash("command -v python3").stdout.startswith(str(shelf.shelf_home))


@pytest.mark.shelf("install beta --yes", init="--expose apps")
def test_doctor_on_an_apps_only_shelf_checks_the_bin_dir_and_the_links(shelf):
    (shelf.shelf_home / "gens" / "1" / "bin" / "beta").unlink()  # the link now leads nowhere
    with shelf.rc.open("a") as rc:
        rc.write("PATH=/usr/bin:/bin\n")  # after the block: the bin dir is gone again

    result = doctor(shelf, "--fix")

    assert result.returncode == 1
    assert (f"app links: {shelf.bin_dir / 'beta'} leads to "
            f"{shelf.shelf_home / 'env' / 'bin' / 'beta'}, which cannot be run") in result.stdout
    assert "advice: `pyshelf rebuild` builds the shelf's commands anew" in result.stdout
    assert (f"shell: a new shell's PATH lacks {shelf.bin_dir} although {shelf.rc} has the "
            "pyshelf block") in result.stdout
    assert "python3" not in result.stdout
    shelf.ok("rebuild", "--yes")
    shelf.rc.write_text(shelf.rc.read_text().replace("PATH=/usr/bin:/bin\n", ""))
    assert doctor(shelf).returncode == 0


def test_doctor_names_a_python3_put_before_the_shelfs(shelf, tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "python3").symlink_to(shelf.base_python)
    with shelf.rc.open("a") as rc:
        rc.write(f"PATH={tmp_path / 'other'}:$PATH\n")

    result = doctor(shelf)

    assert result.returncode == 1
    assert f"a new shell's python3 is {tmp_path / 'other' / 'python3'}, not the shelf's" in (
        result.stdout)
    assert f"advice: move the pyshelf block to the end of {shelf.rc}" in result.stdout


@pytest.mark.parametrize("login_file", [None, ".bash_profile"])
@pytest.mark.parametrize("expose", ["path", "apps"])
def test_doctor_says_when_the_shell_does_not_read_the_config(sandbox, expose, login_file):
    profile = sandbox.home / ".profile"
    if login_file:
        (sandbox.home / login_file).write_text("# read by login shells instead of .profile\n")
    sandbox.init("--expose", expose, "--shell-config", str(profile))

    result = doctor(sandbox)

    assert result.returncode == 1
    assert f"shell: a new interactive bash does not read {profile}, so its PATH lacks" in (
        result.stdout)
    reason = "only a login shell reads it"
    if login_file:
        reason += f", and a login bash reads {sandbox.home / login_file} instead"
    assert f"({reason})" in result.stdout
    assert "advice: `pyshelf config set shell_config ~/.bashrc` moves the block" in (
        result.stdout)
    assert "move the pyshelf block to the end" not in result.stdout
    sandbox.ok("config", "set", "shell_config", str(sandbox.rc))
    assert doctor(sandbox).returncode == 0


def test_plain_doctor_changes_nothing_and_fix_points_a_missing_env_back(shelf):
    env = shelf.shelf_home / "env"
    env.unlink()
    scratch = shelf.shelf_home / "work" / "resolve-4194305"  # a dead process's
    scratch.mkdir(parents=True)

    found = doctor(shelf)

    assert found.returncode == 1
    assert not os.path.lexists(env) and scratch.is_dir()
    assert f"problem  generations: {env} is missing" in found.stdout
    assert "scratch folders" in found.stdout
    assert found.stdout.count("fix: `pyshelf doctor --fix` repairs this") == 2
    assert found.stderr == ""
    fixed = doctor(shelf, "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert f"{env} was missing; it points at generation 1 again" in fixed.stderr
    assert "None" not in fixed.stderr
    assert current_target(shelf) == "gens/1" and not scratch.exists()


def test_doctor_finds_and_fixes_what_is_safe(shelf):
    (shelf.shelf_home / "gens" / "9" / "bin").mkdir(parents=True)  # unknown to the database
    (shelf.shelf_home / "env").unlink()
    (shelf.shelf_home / "env").symlink_to("gens/0")
    shelf.rc.write_text(shelf.rc.read_text() * 2)  # duplicated block
    (shelf.bin_dir / "pyshelf").unlink()

    found = doctor(shelf)
    assert found.returncode == 1
    assert "gens/9 on disk are unknown to the database" in found.stdout
    assert f"{shelf.shelf_home / 'env'} does not point at the current generation 1" in (
        found.stdout)
    assert current_target(shelf) == "gens/0"
    assert "has 2 pyshelf blocks" in found.stdout
    assert "launcher" in found.stdout and "is missing" in found.stdout
    assert generation_dirs(shelf) == ["0", "1", "9"]  # without --fix nothing changes

    fixed = doctor(shelf, "--fix")

    assert fixed.returncode == 0, fixed.stdout
    assert fixed.stdout.count("fixed") == 3
    assert generation_dirs(shelf) == ["0", "1"]
    assert current_target(shelf) == "gens/1"
    assert shelf.rc.read_text().count("# >>> pyshelf >>>") == 1
    assert shelf.bash("pyshelf --version && beta").returncode == 0
    assert doctor(shelf).returncode == 0


def test_doctor_checks_and_repairs_the_app_links(shelf):
    shelf.ok("install", "--isolated", "app-tool", "--yes")
    (shelf.bin_dir / "app-tool").unlink()
    (shelf.bin_dir / "old-app").symlink_to(shelf.shelf_home / "env" / "bin" / "old-app")
    (shelf.shelf_home / "isolated" / "gone-3").mkdir()  # no generation uses it
    (shelf.bin_dir / "blocked").write_text("theirs\n")

    found = doctor(shelf)

    assert found.returncode == 1
    assert "app-tool is not linked, old-app is left over" in found.stdout
    assert "unused isolated environments" in found.stdout
    fixed = doctor(shelf, "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    assert not (shelf.bin_dir / "old-app").is_symlink()
    assert not (shelf.shelf_home / "isolated" / "gone-3").exists()
    assert (shelf.bin_dir / "blocked").read_text() == "theirs\n"  # not pyshelf's to touch


def test_doctor_names_a_file_in_the_way_of_an_app_but_leaves_it(shelf):
    shelf.ok("install", "--isolated", "app-tool", "--yes")
    (shelf.bin_dir / "app-tool").unlink()
    (shelf.bin_dir / "app-tool").write_text("theirs\n")

    result = doctor(shelf, "--fix")

    assert result.returncode == 1
    assert "is in the way of the shelf's app-tool" in result.stdout
    assert "`pyshelf expose app-tool --command --force` replaces it" in result.stdout
    assert (shelf.bin_dir / "app-tool").read_text() == "theirs\n"


def test_doctor_rebuilds_a_missing_current_generation(shelf):
    shutil.rmtree(shelf.shelf_home / "gens" / "1")

    fixed = doctor(shelf, "--fix")

    assert fixed.returncode == 0, fixed.stdout
    assert "rebuilt generation 1 from its lock as generation 2" in fixed.stdout
    assert current_target(shelf) == "gens/2"
    assert shelf.bash("beta").stdout == "beta 1.0\n"


def test_doctor_rebuilds_isolated_apps_whose_environments_went_too(shelf):
    shelf.ok("install", "--isolated", "app-tool", "--yes")  # generation 2
    shutil.rmtree(shelf.shelf_home / "gens" / "2")
    shutil.rmtree(shelf.shelf_home / "isolated")

    fixed = doctor(shelf, "--fix")

    assert fixed.returncode == 0, fixed.stdout
    assert current_target(shelf) == "gens/3"
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"  # rebuilt from its lock


def test_doctor_reports_outside_changes_without_touching_them(shelf):
    (shelf.shelf_home / "gens/1/lib/python3.11/site-packages/zz_extra-1.0.dist-info").mkdir()

    result = doctor(shelf, "--fix")

    assert result.returncode == 1
    assert "1 package(s) changed outside pyshelf (zz-extra 1.0 added)" in result.stdout
    assert "advice: `pyshelf adopt` records them" in result.stdout


def test_corrupt_database_is_set_aside_and_rebuilt_from_the_generations(shelf, tmp_path):
    shelf.ok("install", "alpha", "--yes")
    shelf.ok("config", "set", "keep_generations", "7")
    shelf.ok("install", "gamma", "--yes")  # its record carries keep_generations=7
    before = packages(shelf)
    disk_before = status(shelf)
    database = shelf.shelf_home / "state.db"
    garbage = random.Random(7).randbytes(4096)
    database.write_bytes(garbage)
    for suffix in ("-wal", "-shm"):
        (shelf.shelf_home / f"state.db{suffix}").unlink(missing_ok=True)

    refused = shelf.run("list")
    checked = doctor(shelf)
    assert refused.returncode == 1
    assert "`pyshelf doctor --fix` sets it aside" in refused.stderr
    assert checked.returncode == 1 and database.read_bytes() == garbage

    fixed = doctor(shelf, "--fix")

    assert fixed.returncode == 0, fixed.stdout
    aside = list(shelf.shelf_home.glob("state.db.broken-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert packages(shelf) == before
    disk = status(shelf)  # the store's and each generation's size, rebuilt from disk
    assert disk["store"] == disk_before["store"] and disk["store"]["entries"] > 0
    assert disk["generations_on_disk"] == disk_before["generations_on_disk"]
    assert shelf.ok("config", "get", "keep_generations").stdout == "7\n"
    assert "database rebuilt from 4 generation(s)" in shelf.ok("history").stdout
    assert "baseline" in shelf.ok("snapshots").stdout
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "compile", "exit 2"))
    # the packages' requirements are restored with the rest: a removal needs no resolver
    assert "- alpha" in shelf.ok("remove", "alpha", "--dry-run").stdout
    shelf.env.pop("PYSHELF_UV")
    shelf.ok("rollback", "--to", "2", "--yes")  # restored generations are real generations
    assert packages(shelf)["gamma"] == ("1.1", "dependency")


def test_database_from_a_newer_pyshelf_is_never_rebuilt(shelf):
    database = shelf.shelf_home / "state.db"
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA user_version = 99")
        db.commit()
    before = database.read_bytes()

    result = doctor(shelf, "--fix")

    assert result.returncode == 1
    assert "written by a newer pyshelf" in result.stdout
    assert database.read_bytes() == before
    assert not list(shelf.shelf_home.glob("state.db.broken-*"))


def test_doctor_unlinks_planted_symlinks_and_never_follows_them(shelf, tmp_path):
    outside = tmp_path / "outside"
    (outside / "bin").mkdir(parents=True)
    (outside / "bin" / "precious").write_text("keep me")
    (shelf.shelf_home / "gens" / "7").symlink_to(outside, target_is_directory=True)
    (shelf.shelf_home / "gens" / "notes.txt").write_text("stray")

    found = doctor(shelf)
    fixed = doctor(shelf, "--fix")

    assert "holds symlinks pyshelf did not make: 7" in found.stdout
    assert "holds entries pyshelf did not make: notes.txt" in found.stdout
    assert "fixed    generations: removed the symlinks 7" in fixed.stdout
    # a file pyshelf did not make is the person's to delete
    assert fixed.returncode == 1, fixed.stdout
    assert "pyshelf deletes only what it made" in fixed.stdout
    assert generation_dirs(shelf) == ["0", "1", "notes.txt"]
    assert (outside / "bin" / "precious").read_text() == "keep me"


def test_doctor_reports_a_missing_uv(shelf, tmp_path):
    shelf.env["PYSHELF_UV"] = str(tmp_path / "no-such-uv")

    result = doctor(shelf, "--fix")

    assert result.returncode == 1
    assert f"problem  uv: uv at {tmp_path / 'no-such-uv'} cannot be run" in result.stdout


def entry_of(shelf, name: str):
    return next(p for p in store_entries(shelf) if entry_name(p) == name)


def test_doctor_names_a_deleted_store_entry_and_rebuild_refills_it(shelf):
    entry = entry_of(shelf, "beta")
    shutil.rmtree(entry)

    found = doctor(shelf)

    assert found.returncode == 1
    assert f"links to store entries that are missing: {entry.name}" in found.stdout
    assert "`pyshelf rebuild` installs them again" in found.stdout
    shelf.ok("rebuild", "--yes")
    assert entry.is_dir() and shelf.bash("beta").stdout == "beta 1.0\n"
    assert doctor(shelf).returncode == 0


def test_doctor_deep_finds_a_modified_store_file_and_fix_replaces_the_entry(shelf):
    entry = entry_of(shelf, "beta")
    module = next(p for p in entry.rglob("*.py") if "__pycache__" not in p.parts)
    original = module.read_bytes()
    module.write_bytes(original + b"# changed\n")
    relative = module.relative_to(entry).as_posix()

    plain, deep = doctor(shelf), doctor(shelf, "--deep")

    assert plain.returncode == 0, plain.stdout  # plain doctor reads no file's content
    assert deep.returncode == 1
    assert f"beta 1.0 ({entry.name}): {relative}" in deep.stdout
    assert "then run `pyshelf rebuild`" in deep.stdout
    fixed = doctor(shelf, "--deep", "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert f"moved {entry.name} to the trash" in fixed.stdout
    assert module.read_bytes() == original and shelf.bash("beta").stdout == "beta 1.0\n"
    assert doctor(shelf, "--deep").returncode == 0


def test_doctor_names_an_entry_that_lost_a_file_and_store_leftovers(shelf):
    entry = entry_of(shelf, "beta")
    linked = next(entry.rglob("*.dist-info")) / "WHEEL"  # each dist-info file is a link
    linked.parent.chmod(0o755)
    linked.unlink()
    store = shelf.shelf_home / "store"
    store.chmod(0o755)
    (store / ".new-zz-999999999").mkdir()  # its process is gone
    (store / "zz-1.0-0123456789abcdef").mkdir()  # no generation uses it

    found = doctor(shelf)

    assert found.returncode == 1
    assert f"store entries lack files the current generation links to: {entry.name}" in (
        found.stdout)
    assert "store entries no generation on disk uses: zz-1.0-0123456789abcdef" in found.stdout
    assert "half-filled store entries left by an interrupted change: .new-zz-999999999" in (
        found.stdout)
    fixed = doctor(shelf, "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert not (store / ".new-zz-999999999").exists()
    assert not (store / "zz-1.0-0123456789abcdef").exists()
    assert linked.is_file() and shelf.bash("beta").stdout == "beta 1.0\n"
