"""``pyshelf config``: every setting with its source, checked changes, and the launcher and the
shell block following the settings they depend on."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from tests.e2e.helpers import current_target, generation_dirs, packages
from tests.support.places import (
    UNUSABLE,
    WORDS,
    hand_over,
    make_unusable,
    run_unprivileged,
    unreadable_file,
)

KEYS = ["python", "bin_dir", "shell_config", "modify_shell", "index_url", "extra_index_urls",
        "keep_generations", "system_site_packages", "expose", "certificate_file",
        "system_certificates", "keyring_provider", "manifest", "bytecode"]


def stored(sandbox) -> dict[str, str]:
    """The config table itself, read past pyshelf."""
    uri = f"file:{sandbox.shelf_home / 'state.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        return dict(db.execute("SELECT key, value FROM config").fetchall())


def settings(sandbox) -> dict[str, dict[str, str | None]]:
    return json.loads(sandbox.ok("config", "--json").stdout)


# --------------------------------------------------------------------------- reading


def test_show_lists_every_setting_with_value_and_source(shelf):
    lines = shelf.ok("config").stdout.splitlines()

    assert lines[0].split() == ["Key", "Value", "Source"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert list(rows) == KEYS
    assert rows["python"] == [str(shelf.base_python), "file"]
    assert rows["bin_dir"] == [str(shelf.bin_dir), "file"]
    assert rows["shell_config"] == [str(shelf.rc), "file"]
    assert rows["index_url"] == [shelf.index_url, "environment"]
    assert rows["extra_index_urls"] == ["-", "default"]
    assert rows["keep_generations"] == ["5", "default"]
    assert rows["system_site_packages"] == ["false", "default"]
    assert rows["expose"] == ["path", "default"]
    assert rows["bytecode"] == ["now", "environment"]  # the test environment's choice
    assert shelf.ok("config", "show").stdout == shelf.ok("config").stdout


def test_json_gives_value_and_source_of_every_setting(shelf):
    data = settings(shelf)

    assert list(data) == KEYS
    assert data["python"] == {"value": str(shelf.base_python), "source": "file"}
    assert data["index_url"] == {"value": shelf.index_url, "source": "environment"}
    assert data["extra_index_urls"] == {"value": None, "source": "default"}
    assert data["keep_generations"] == {"value": "5", "source": "default"}


def test_get_prints_the_effective_value_or_an_empty_line(shelf):
    assert shelf.ok("config", "get", "keep_generations").stdout == "5\n"
    assert shelf.ok("config", "get", "index_url").stdout == shelf.index_url + "\n"
    assert shelf.ok("config", "get", "extra_index_urls").stdout == "\n"


# --------------------------------------------------------------------------- changing


def test_set_stores_the_normal_form_and_unset_goes_back_to_the_default(shelf):
    result = shelf.ok("config", "set", "keep_generations", " 07 ")
    assert result.stdout == "keep_generations = 7\n"
    assert stored(shelf)["keep_generations"] == "7"
    assert settings(shelf)["keep_generations"] == {"value": "7", "source": "file"}
    assert shelf.ok("config", "get", "keep_generations").stdout == "7\n"

    result = shelf.ok("config", "unset", "keep_generations")
    assert result.stdout == "keep_generations = 5\n"
    assert "keep_generations" not in stored(shelf)
    assert settings(shelf)["keep_generations"] == {"value": "5", "source": "default"}


@pytest.mark.parametrize(("key", "raw", "normal"), [
    ("system_site_packages", "YES", "true"),
    ("system_site_packages", "off", "false"),
    ("extra_index_urls", " https://a.example/simple   file:///srv/index ",
     "https://a.example/simple file:///srv/index"),
    ("index_url", "https://mirror.example.com/simple", "https://mirror.example.com/simple"),
])
def test_set_normalises(shelf, key, raw, normal):
    assert shelf.ok("config", "set", key, raw).stdout == f"{key} = {normal}\n"
    assert stored(shelf)[key] == normal


def test_environment_override_is_shown_as_environment(shelf):
    shelf.ok("config", "set", "keep_generations", "3")
    shelf.env["PYSHELF_KEEP_GENERATIONS"] = "9"

    assert settings(shelf)["keep_generations"] == {"value": "9", "source": "environment"}
    assert shelf.ok("config", "get", "keep_generations").stdout == "9\n"
    result = shelf.ok("config", "set", "keep_generations", "4")
    assert "PYSHELF_KEEP_GENERATIONS is set" in result.stderr
    assert stored(shelf)["keep_generations"] == "4"

    del shelf.env["PYSHELF_KEEP_GENERATIONS"]
    assert settings(shelf)["keep_generations"] == {"value": "4", "source": "file"}


def test_bad_environment_value_names_the_variable(shelf):
    shelf.env["PYSHELF_SYSTEM_SITE_PACKAGES"] = "perhaps"

    result = shelf.run("list")

    assert result.returncode == 1
    assert "PYSHELF_SYSTEM_SITE_PACKAGES must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("key", "value"), [("python", "python3"),
                                          ("system_site_packages", "true")])
def test_build_settings_say_they_apply_to_the_next_generation(shelf, key, value):
    result = shelf.ok("config", "set", key, value)

    assert "takes effect with the next generation" in result.stderr
    assert "pyshelf rebuild" in result.stderr
    assert "takes effect" not in shelf.ok("config", "set", key, value).stderr  # no change


# --------------------------------------------------------------------------- refusals


def _refused(sandbox, *args: str) -> str:
    before = stored(sandbox)
    result = sandbox.run("config", *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert stored(sandbox) == before
    return result.stderr


@pytest.mark.parametrize("action", [("get",), ("set", "colour"), ("unset",)])
def test_unknown_key_is_a_usage_error_naming_the_keys(shelf, action):
    args = [action[0], "colour", *action[1:]]
    message = _refused(shelf, *args)
    assert "There is no setting 'colour'" in message
    assert ", ".join(KEYS) in message


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("python", "/no/such/python3", "python must be a Python interpreter"),
    ("python", "no-such-python-anywhere", "python must be a Python interpreter"),
    ("bin_dir", "", "bin_dir must be a path"),
    ("bin_dir", "{home}/afile", "bin_dir must be a directory"),
    ("bin_dir", "{home}/afile/bin", "bin_dir must be a directory"),
    ("shell_config", "{home}", "shell_config must be a file"),
    ("index_url", "ftp://mirror/simple", "index_url must be an http, https or file URL"),
    ("index_url", "https://", "index_url must be an http, https or file URL"),
    ("index_url", "mirror.example.com/simple", "index_url must be an http, https or file URL"),
    ("extra_index_urls", "https://ok/simple nope", "'nope' is not one"),
    ("keep_generations", "0", "keep_generations must be a whole number of at least 1"),
    ("keep_generations", "many", "keep_generations must be a whole number of at least 1"),
    ("system_site_packages", "perhaps", "system_site_packages must be true or false"),
])
def test_bad_values_are_refused_and_change_nothing(shelf, key, value, fragment):
    (shelf.home / "afile").write_text("not a directory\n")
    rc_before = shelf.rc.read_bytes()

    message = _refused(shelf, "set", key, value.format(home=shelf.home))

    assert fragment in message
    assert shelf.rc.read_bytes() == rc_before
    assert (shelf.bin_dir / "pyshelf").is_file()


def test_interpreter_that_does_not_start_is_refused(shelf):
    fake = shelf.home / "python3"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 1\n")
    fake.chmod(0o755)

    message = _refused(shelf, "set", "python", str(fake))

    assert f"The interpreter {fake} does not start" in message


def test_python_cannot_be_unset(shelf):
    message = _refused(shelf, "unset", "python")
    assert "python cannot be unset" in message
    assert "pyshelf config set python" in message


# --------------------------------------------------------------------------- taking effect


def test_keep_generations_limits_what_collection_keeps(shelf):
    shelf.ok("config", "set", "keep_generations", "2")

    for spec in ["alpha<2", "alpha", "gamma<1.1", "gamma"]:
        shelf.ok("install", spec, "--yes")

    current = int(current_target(shelf).removeprefix("gens/"))
    # the newest two, plus generation 0 that the baseline snapshot pins
    assert generation_dirs(shelf) == sorted(["0", str(current - 1), str(current)])
    assert current == 4


def test_set_bin_dir_moves_the_launcher_and_path(shelf):
    new_bin = shelf.home / "tools" / "bin"

    result = shelf.ok("config", "set", "bin_dir", str(new_bin))

    assert result.stdout == f"bin_dir = {new_bin}\n"
    assert (new_bin / "pyshelf").is_file()
    assert not (shelf.bin_dir / "pyshelf").exists()
    assert f"Removed the pyshelf launcher from {shelf.bin_dir}." in result.stderr
    shell = shelf.bash("command -v pyshelf; pyshelf config get bin_dir")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == [str(new_bin / "pyshelf"), str(new_bin)]
    assert str(shelf.bin_dir) not in shelf.rc.read_text()


def test_bin_dir_that_cannot_go_on_path_changes_nothing(shelf):
    rc_before = shelf.rc.read_bytes()
    before = stored(shelf)

    result = shelf.run("config", "set", "bin_dir", str(shelf.home / "a:b"))

    assert result.returncode == 1
    assert "':' in its name" in result.stderr
    assert stored(shelf) == before
    assert shelf.rc.read_bytes() == rc_before
    assert (shelf.bin_dir / "pyshelf").is_file()
    assert not (shelf.home / "a:b").exists()


def test_unset_bin_dir_goes_back_to_init_default(shelf):
    shelf.ok("config", "set", "bin_dir", "~/elsewhere")
    assert stored(shelf)["bin_dir"] == str(shelf.home / "elsewhere")

    result = shelf.ok("config", "unset", "bin_dir")

    assert result.stdout == f"bin_dir = {shelf.bin_dir}\n"
    assert (shelf.bin_dir / "pyshelf").is_file()
    assert not (shelf.home / "elsewhere" / "pyshelf").exists()
    assert shelf.bash("command -v pyshelf").stdout == f"{shelf.bin_dir / 'pyshelf'}\n"


def test_foreign_launcher_in_the_old_bin_dir_is_left_alone(shelf):
    (shelf.bin_dir / "pyshelf").write_text("#!/bin/sh\necho pipx-managed\n")

    shelf.ok("config", "set", "bin_dir", str(shelf.home / "bin"))

    assert (shelf.bin_dir / "pyshelf").read_text() == "#!/bin/sh\necho pipx-managed\n"
    assert (shelf.home / "bin" / "pyshelf").is_file()


def test_bin_dir_without_a_managed_block_leaves_the_shell_config_alone(sandbox):
    sandbox.init("--no-modify-shell")

    result = sandbox.ok("config", "set", "bin_dir", str(sandbox.home / "bin"))

    assert not sandbox.rc.exists()
    assert "put " + str(sandbox.home / "bin") + " on PATH yourself" in result.stderr


def test_set_shell_config_moves_the_block(shelf):
    new_rc = shelf.home / ".config" / "shelf.sh"

    result = shelf.ok("config", "set", "shell_config", str(new_rc))

    assert result.stdout == f"shell_config = {new_rc}\n"
    assert "# >>> pyshelf >>>" not in shelf.rc.read_text()
    assert "# >>> pyshelf >>>" in new_rc.read_text()
    shell = shelf.bash(f". '{new_rc}'; command -v python3")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout == f"{shelf.shelf_home / 'env' / 'bin' / 'python3'}\n"

    shelf.ok("config", "unset", "shell_config")  # $SHELL is bash: back to ~/.bashrc
    assert "# >>> pyshelf >>>" in shelf.rc.read_text()
    assert "# >>> pyshelf >>>" not in new_rc.read_text()


def test_index_url_is_used_and_unset_goes_back_to_uvs_default(shelf):
    del shelf.env["PYSHELF_INDEX_URL"]
    # What uv uses when pyshelf names no index: here the test index, never the real PyPI.
    shelf.env["UV_INDEX_URL"] = shelf.index_url
    shelf.ok("config", "set", "index_url", shelf.index_url)
    assert settings(shelf)["index_url"] == {"value": shelf.index_url, "source": "file"}

    shelf.ok("config", "set", "index_url", "http://127.0.0.1:9/simple/")
    before = generation_dirs(shelf)
    result = shelf.run("install", "alpha", "--yes")
    assert result.returncode == 1
    assert "The package index at 127.0.0.1:9 could not be connected to" in result.stderr
    assert generation_dirs(shelf) == before

    shelf.ok("config", "unset", "index_url")
    assert settings(shelf)["index_url"] == {"value": None, "source": "default"}
    shelf.ok("install", "alpha", "--yes")
    assert "alpha" in packages(shelf)


# --------------------------------------------------------------------------- unusable places


def _person_text_around_the_block(sandbox) -> None:
    """The person's lines before and after the block: taking the block out and putting it
    back would move it to the end, so equal bytes show that the file was never touched."""
    sandbox.rc.write_bytes(b"# mine\n" + sandbox.rc.read_bytes() + b"alias ll='ls -l'\n")


def _move_refused(sandbox, key: str, value: Path, fragment: str, run=None) -> None:
    """``config set`` refuses with one sentence (exit 2), the setting and the shell config
    stay byte for byte, and a new bash still finds the shelf and pyshelf."""
    rc_before = sandbox.rc.read_bytes()
    before = stored(sandbox)

    result = (run or sandbox.run)("config", "set", key, str(value))

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr and str(value) in result.stderr
    assert stored(sandbox) == before
    assert sandbox.rc.read_bytes() == rc_before
    shell = sandbox.bash("command -v python3; command -v pyshelf")
    assert shell.stdout.splitlines() == [str(sandbox.shelf_home / "env" / "bin" / "python3"),
                                         str(sandbox.bin_dir / "pyshelf")]


@pytest.mark.parametrize("kind", UNUSABLE)
def test_shell_config_that_cannot_take_the_block_changes_nothing(shelf, kind):
    _person_text_around_the_block(shelf)
    new_rc = shelf.home / "new-rc"
    make_unusable(new_rc, kind)

    _move_refused(shelf, "shell_config", new_rc, WORDS[kind])

    assert not (shelf.home / "gone").exists()


@pytest.mark.parametrize("kind", UNUSABLE[1:])
def test_bin_dir_that_cannot_be_made_changes_nothing(shelf, kind):
    _person_text_around_the_block(shelf)
    new_bin = shelf.home / "tools"
    make_unusable(new_bin, kind)

    _move_refused(shelf, "bin_dir", new_bin, WORDS[kind])


@pytest.mark.parametrize("kind", UNUSABLE)
def test_bin_dir_with_something_in_the_launchers_way_changes_nothing(shelf, kind):
    _person_text_around_the_block(shelf)
    new_bin = shelf.home / "tools"
    new_bin.mkdir()
    make_unusable(new_bin / "pyshelf", kind)

    _move_refused(shelf, "bin_dir", new_bin, "in the way of the pyshelf launcher")


def _unreadable_rc(home: Path) -> tuple[str, Path, str]:
    unreadable_file(home / "new-rc")
    return "shell_config", home / "new-rc", "permission denied"


def _unwritable_bin_dir(home: Path) -> tuple[str, Path, str]:
    (home / "tools").mkdir()
    if os.geteuid() != 0:
        (home / "tools").chmod(0o555)  # as root, being root's is what stops nobody
    return "bin_dir", home / "tools", "is not writable"


def _unreadable_launcher(home: Path) -> tuple[str, Path, str]:
    (home / "tools").mkdir()
    hand_over(home / "tools")
    unreadable_file(home / "tools" / "pyshelf")
    return "bin_dir", home / "tools", "cannot be read"


@pytest.mark.parametrize("place", [_unreadable_rc, _unwritable_bin_dir, _unreadable_launcher])
def test_place_the_person_may_not_use_changes_nothing(reachable_sandbox, place):
    sandbox = reachable_sandbox
    sandbox.init()
    _person_text_around_the_block(sandbox)
    hand_over(sandbox.home)
    key, value, fragment = place(sandbox.home)

    _move_refused(sandbox, key, value, fragment,
                  run=lambda *args: run_unprivileged(sandbox, *args))
