"""shelf.toml: the shelf's intent as a file a person edits, syncs and shares."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from tests.e2e.helpers import packages, snapshot
from tests.support.sandbox import Sandbox

HAND_WRITTEN = """\
# my laptop's shelf
packages = [
    "beta",          # the beta command, everywhere
    # libraries for scripts
    "alpha<2",       # pinned below 2 on purpose
]
"""


def manifest(sandbox: Sandbox):
    return sandbox.home / ".config" / "pyshelf" / "shelf.toml"


def lock(sandbox: Sandbox):
    return sandbox.home / ".config" / "pyshelf" / "pylock.shelf.toml"


def second_home(shelf: Sandbox, tmp_path, shelf_templates, name: str) -> Sandbox:
    """Another machine: a fresh shelf with the same interpreter, index and uv cache."""
    return shelf_templates.copy_into(Sandbox(
        tmp_path / name, base_python=shelf.base_python, index_url=shelf.index_url,
        uv_cache_dir=shelf.uv_cache_dir))


def dotfiles_with(shelf: Sandbox, tmp_path, text: str):
    """A dotfiles checkout holding ``text`` as its manifest and ``shelf``'s lock."""
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "shelf.toml").write_text(text)
    (dotfiles / "pylock.shelf.toml").write_text(lock(shelf).read_text())
    return dotfiles


def test_init_writes_a_manifest_and_its_lock(shelf):
    text = manifest(shelf).read_text()
    assert text.startswith("# pyshelf's manifest")
    assert 'python = "3.' in text
    assert 'lock-version = "1.0"' in lock(shelf).read_text()


def test_a_hand_written_manifest_syncs_and_a_new_bash_finds_its_app(shelf):
    manifest(shelf).write_text(HAND_WRITTEN)
    assert shelf.run("sync", "--check").returncode == 1
    result = shelf.ok("sync", "--yes")
    assert "+ beta 1.0" in result.stdout and "+ alpha 1.0" in result.stdout
    assert packages(shelf) == {"alpha": ("1.0", "explicit"), "beta": ("1.0", "explicit"),
                               "gamma": ("1.1", "dependency")}
    assert manifest(shelf).read_text() == HAND_WRITTEN  # synced as written, byte for byte
    found = shelf.bash("command -v beta && pyshelf sync --check")
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith(str(shelf.shelf_home))
    assert "The shelf matches" in found.stdout
    assert '"beta"' in lock(shelf).read_text() or 'name = "beta"' in lock(shelf).read_text()
    again = shelf.ok("sync", "--yes")
    assert "Nothing to change" in again.stdout


def test_install_and_remove_keep_the_comments_byte_for_byte(shelf):
    manifest(shelf).write_text(HAND_WRITTEN)
    shelf.ok("sync", "--yes")
    shelf.ok("install", "epsilon", "--yes")
    assert manifest(shelf).read_text() == HAND_WRITTEN.replace(
        "    \"alpha<2\",       # pinned below 2 on purpose\n",
        "    \"alpha<2\",       # pinned below 2 on purpose\n    \"epsilon\",\n")
    shelf.ok("remove", "beta", "--yes")
    assert manifest(shelf).read_text() == (
        "# my laptop's shelf\npackages = [\n    # libraries for scripts\n"
        "    \"alpha<2\",       # pinned below 2 on purpose\n    \"epsilon\",\n]\n")
    assert shelf.ok("sync", "--check").returncode == 0


def test_a_hand_edit_not_yet_synced_survives_a_change(shelf):
    manifest(shelf).write_text(HAND_WRITTEN)
    shelf.ok("sync", "--yes")
    edited = HAND_WRITTEN.replace('"alpha<2",', '"alpha<2",\n    "zeta",  # later')
    manifest(shelf).write_text(edited)
    result = shelf.ok("install", "eta", "--yes")
    assert "has changes not yet synced (+zeta)" in result.stderr
    assert "`pyshelf sync`" in result.stderr
    text = manifest(shelf).read_text()
    assert '"zeta",  # later' in text and '"eta"' in text
    assert "zeta" not in packages(shelf)
    status = shelf.ok("status").stdout
    assert "not yet synced" in status and "+zeta" in status
    shelf.ok("sync", "--yes")
    assert "zeta" in packages(shelf)


@pytest.mark.parametrize(("text", "where"), [
    ('packages = [\n    "beta",\n    "alpha>=",\n]\n', "line 3, column 5"),
    ('packages = [\n    "beta",\n    { requirement = "alpha", isolatd = true },\n]\n',
     "line 3, column 30"),
    ('packages = [\n    "beta"\n    "alpha",\n]\n', "line 3, column 5"),
])
def test_a_bad_edit_is_refused_with_its_line_and_column(shelf, text, where):
    before = snapshot(shelf)
    manifest(shelf).write_text(text)
    result = shelf.run("sync", "--yes")
    assert result.returncode == 2
    assert f"shelf.toml, {where}: " in result.stderr
    assert snapshot(shelf) == before
    assert manifest(shelf).read_text() == text


def test_undo_after_sync_restores_the_file(shelf):
    shelf.ok("install", "alpha<2", "--yes")
    written = manifest(shelf).read_text()
    manifest(shelf).write_text(written.replace('"alpha<2",', '"alpha<2",  # keep\n    "beta",'))
    shelf.ok("sync", "--yes")
    assert "beta" in packages(shelf)
    shelf.ok("undo", "--yes")
    assert "beta" not in packages(shelf)
    assert manifest(shelf).read_text() == written.replace('"alpha<2",', '"alpha<2",  # keep')
    assert shelf.ok("sync", "--check").returncode == 0


def test_sync_check_exit_codes(shelf):
    assert shelf.run("sync", "--check").returncode == 0
    manifest(shelf).write_text('packages = ["beta"]\n')
    result = shelf.run("sync", "--check")
    assert result.returncode == 1 and "+beta" in result.stdout
    assert "beta" not in packages(shelf)


def test_a_shelf_elsewhere_keeps_its_manifest_in_its_home(shelf):
    before = manifest(shelf).read_text()
    other = shelf.home / "scratch-shelf"
    shelf.ok("--home", str(other), "init", "--python", str(shelf.base_python), "--yes",
             "--no-modify-shell", "--bin-dir", str(other / "bin"))
    shelf.ok("--home", str(other), "install", "beta", "--yes")
    assert manifest(shelf).read_text() == before  # the standard shelf's file is untouched
    assert '"beta"' in (other / "shelf.toml").read_text()
    assert (other / "pylock.shelf.toml").exists()
    assert shelf.run("--home", str(other), "sync", "--check").returncode == 0
    assert shelf.run("sync", "--check").returncode == 0


def test_locked_on_a_second_home_reproduces_the_versions(shelf, tmp_path, shelf_templates):
    shelf.ok("install", "alpha==1.0", "beta", "--yes")
    # the manifest asks for any alpha; the lock holds the 1.0 this shelf has
    dotfiles = dotfiles_with(shelf, tmp_path, 'packages = ["alpha", "beta"]\n')
    laptop = second_home(shelf, tmp_path, shelf_templates, "laptop")
    laptop.ok("sync", "--from", str(dotfiles), "--locked", "--yes")
    assert packages(laptop)["alpha"] == ("1.0", "explicit")
    assert packages(laptop)["gamma"] == packages(shelf)["gamma"]
    assert manifest(laptop).read_text() == 'packages = ["alpha", "beta"]\n'
    laptop.ok("sync", "--yes")  # without --locked: resolved anew
    assert packages(laptop)["alpha"] == ("1.0", "explicit")  # the shelf keeps what it has
    laptop.ok("update", "--yes")
    assert packages(laptop)["alpha"] == ("2.0", "explicit")


def test_sync_from_a_manifest_served_over_http(shelf, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (served / "shelf.toml").write_text("# the team's tools\npackages = [\"app-tool\"]\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/shelf.toml"
        shelf.ok("sync", "--from", url, "--yes")
        missing = shelf.run("sync", "--from", url.replace("shelf.toml", "nothing.toml"))
    finally:
        server.shutdown()
    assert "app-tool" in packages(shelf)
    assert manifest(shelf).read_text() == "# the team's tools\npackages = [\"app-tool\"]\n"
    assert missing.returncode == 1 and "was not found (HTTP 404)" in missing.stderr


def test_a_conflicting_entry_gets_the_install_conflict_and_the_isolated_offer(shelf):
    shelf.ok("install", "left", "--yes")
    before = snapshot(shelf)
    written = manifest(shelf).read_text()
    manifest(shelf).write_text(written.replace('"left",', '"left",\n    "shared-user",'))
    result = shelf.run("sync", "--yes")
    assert result.returncode == 3
    assert "`pyshelf install --isolated shared-user`" in result.stderr
    assert snapshot(shelf) == before
    isolated = written.replace('"left",', '"left",\n    { requirement = "shared-user", '
                                          'isolated = true },')
    manifest(shelf).write_text(isolated)
    shelf.ok("sync", "--yes")
    assert "shared-user" in shelf.bash("shared-user").stdout
    assert manifest(shelf).read_text() == isolated


PIPX_TOML = """\
[project]
name = "pipx-tools"
version = "1"
dependencies = []

[dependency-groups]
beta = ["beta>=1"]
app-tool = ["app-tool"]

[tool.pipx]
version = "1.0"

[tool.pipx.tools.app-tool]
apps = ["app-tool"]
suffix = "-1"
"""

PIXI_GLOBAL_TOML = """\
version = 1

[envs.tools]
channels = ["conda-forge"]
dependencies = { ripgrep = "*", python = "3.12.*" }
pypi-dependencies = { alpha = "<2", delta = { version = "*", extras = ["fast"] } }
exposed = { rg = "rg" }
"""


def test_import_of_a_pipx_manifest(shelf, tmp_path):
    source = tmp_path / "pipx.toml"
    source.write_text(PIPX_TOML)
    result = shelf.ok("import", str(source), "--yes")
    assert "app-tool.suffix, app-tool.apps" in result.stderr
    assert packages(shelf)["beta"] == ("1.0", "explicit")
    assert packages(shelf)["app-tool"] == ("1.1", "explicit")
    assert '"beta>=1"' in manifest(shelf).read_text()


def test_import_of_a_pixi_global_manifests_pypi_entries(shelf, tmp_path):
    source = tmp_path / "pixi-global.toml"
    source.write_text(PIXI_GLOBAL_TOML)
    result = shelf.ok("import", str(source), "--yes")
    assert "the conda packages python, ripgrep are not imported" in result.stderr
    assert "envs.tools.channels, envs.tools.exposed" in result.stderr
    assert packages(shelf)["alpha"] == ("1.0", "explicit")
    assert packages(shelf)["delta"][1] == "explicit"
    assert packages(shelf)["epsilon"][1] == "dependency"  # delta's extra fast brings it


def test_export_as_a_manifest_syncs_elsewhere(shelf, tmp_path, shelf_templates):
    shelf.ok("install", "beta", "alpha<2", "--yes")
    exported = tmp_path / "exported"
    exported.mkdir()
    shelf.ok("export", "--format", "manifest", "-o", str(exported / "shelf.toml"))
    assert (exported / "shelf.toml").read_text() == manifest(shelf).read_text()
    other = second_home(shelf, tmp_path, shelf_templates, "other")
    other.ok("sync", "--from", str(exported), "--yes")
    assert packages(other) == packages(shelf)


def test_hide_writes_expose_false_and_sync_applies_it_back(shelf):
    shelf.ok("config", "set", "expose", "apps")
    assert 'expose = "apps"' in manifest(shelf).read_text()
    shelf.ok("install", "beta", "--yes")
    assert (shelf.bin_dir / "beta").is_symlink()
    shelf.ok("hide", "beta")
    assert '{requirement = "beta", expose = false}' in manifest(shelf).read_text()
    shelf.ok("expose", "beta")
    assert '"beta"' in manifest(shelf).read_text()
    manifest(shelf).write_text(manifest(shelf).read_text().replace(
        '"beta"', '{ requirement = "beta", expose = false }'))
    shelf.ok("sync", "--yes")
    assert not (shelf.bin_dir / "beta").exists()
    assert shelf.ok("sync", "--check").returncode == 0


def test_a_write_missed_after_the_commit_is_reported_and_repaired(shelf):
    """A crash between the commit and the write leaves the file and its record as they
    were for the previous generation: that is drift to repair, not an edit to sync."""
    import sqlite3

    database = shelf.shelf_home / "state.db"

    def record() -> str:
        with sqlite3.connect(database) as connection:
            return connection.execute(
                "SELECT value FROM meta WHERE key = 'manifest_written'").fetchone()[0]

    old_text, old_record = manifest(shelf).read_text(), record()
    shelf.ok("install", "beta", "--yes")
    manifest(shelf).write_text(old_text)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'manifest_written'",
                           (old_record,))
    assert "still describes generation 0" in shelf.ok("status").stdout
    doctor = shelf.run("doctor")
    assert doctor.returncode == 1 and "still describes generation 0" in doctor.stdout
    assert shelf.run("sync", "--check").returncode == 1
    shelf.ok("sync", "--yes")
    assert "beta" in packages(shelf)  # repaired from the shelf, not undone from the file
    assert '"beta"' in manifest(shelf).read_text()
    assert shelf.run("sync", "--check").returncode == 0


def test_a_new_laptop_is_a_clone_and_a_locked_sync(shelf, tmp_path, shelf_templates):
    """The README's dotfiles workflow: the checkout's file becomes the manifest, and later
    changes are written into it, comments kept."""
    shelf.ok("install", "alpha==1.0", "--yes")
    dotfiles = dotfiles_with(shelf, tmp_path,
                             '# dotfiles\npackages = [\n    "alpha",  # libs\n]\n')
    laptop = second_home(shelf, tmp_path, shelf_templates, "laptop")
    laptop.ok("config", "set", "manifest", str(dotfiles / "shelf.toml"))
    laptop.ok("sync", "--locked", "--yes")
    assert packages(laptop)["alpha"] == ("1.0", "explicit")
    laptop.ok("install", "zeta", "--yes")
    assert (dotfiles / "shelf.toml").read_text() == (
        '# dotfiles\npackages = [\n    "alpha",  # libs\n    "zeta",\n]\n')
    assert 'name = "zeta"' in (dotfiles / "pylock.shelf.toml").read_text()


def test_sync_applies_the_settings_the_manifest_names(shelf):
    """The settings that make a shelf reproducible travel in the file: a hand edit of
    them is a difference `sync --check` reports and `sync` applies."""
    shelf.ok("install", "beta", "--yes")
    text = manifest(shelf).read_text()
    manifest(shelf).write_text('system-site-packages = true\nexpose = "apps"\n' + text)

    assert shelf.run("sync", "--check").returncode == 1
    shelf.ok("sync", "--yes")

    assert shelf.ok("config", "get", "system_site_packages").stdout == "true\n"
    assert shelf.ok("config", "get", "expose").stdout == "apps\n"
    config = (shelf.shelf_home / "env" / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = true" in config
    assert (shelf.bin_dir / "beta").is_symlink()  # an app: still on PATH in apps mode
    assert not (shelf.bin_dir / "python").exists()
    assert shelf.run("sync", "--check").returncode == 0
