"""Settings: each kind of value normalised or refused, and environment beats the stored
value, which beats the default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyshelf.errors import PyshelfError, UsageError
from pyshelf.store.settings import (
    DEFAULTS,
    ENVIRONMENT_OVERRIDES,
    Setting,
    effective_settings,
    known_key,
    normalise,
)

INDEX_VARIABLE = "PYSHELF_INDEX_URL"


# --------------------------------------------------------------------------- precedence


def test_known_settings_are_all_reported():
    result = effective_settings({}, {})

    assert list(result) == ["python", "bin_dir", "shell_config", "modify_shell", "index_url",
                            "extra_index_urls", "keep_generations", "system_site_packages",
                            "expose", "certificate_file", "system_certificates",
                            "keyring_provider", "manifest", "bytecode"]


def test_the_shell_config_is_modified_until_declined():
    assert effective_settings({}, {})["modify_shell"] == Setting("true", "default")
    assert normalise("modify_shell", "No") == "false"
    assert effective_settings({}, {"PYSHELF_MODIFY_SHELL": "off"})["modify_shell"] == \
        Setting("false", "environment")


def test_unset_setting_comes_from_default():
    result = effective_settings({}, {})

    assert result["python"] == Setting(None, "default")
    assert result["index_url"] == Setting(None, "default")
    assert result["keep_generations"] == Setting("5", "default")
    assert result["system_site_packages"] == Setting("false", "default")


def test_every_setting_without_stored_value_or_environment_is_a_default():
    result = effective_settings({}, {})

    assert {s.source for s in result.values()} == {"default"}


def test_stored_value_beats_default():
    result = effective_settings({"python": "/usr/bin/python3"}, {})

    assert result["python"] == Setting("/usr/bin/python3", "file")


def test_stored_empty_value_is_still_stored():
    assert effective_settings({"bin_dir": ""}, {})["bin_dir"] == Setting("", "file")


def test_environment_beats_stored_value():
    result = effective_settings({"index_url": "https://stored/simple"},
                                {INDEX_VARIABLE: "https://env/simple"})

    assert result["index_url"] == Setting("https://env/simple", "environment")


def test_environment_beats_default():
    result = effective_settings({}, {INDEX_VARIABLE: "https://env/simple"})

    assert result["index_url"] == Setting("https://env/simple", "environment")


def test_empty_environment_variable_does_not_override():
    result = effective_settings({"index_url": "https://stored/simple"}, {INDEX_VARIABLE: ""})

    assert result["index_url"] == Setting("https://stored/simple", "file")


def test_every_setting_has_its_variable():
    expected = {key: "PYSHELF_" + key.upper() for key in DEFAULTS}

    assert expected == ENVIRONMENT_OVERRIDES


def test_environment_values_are_normalised():
    result = effective_settings({"keep_generations": "3"},
                                {"PYSHELF_KEEP_GENERATIONS": " 07 ",
                                 "PYSHELF_SYSTEM_SITE_PACKAGES": "Yes",
                                 "PYSHELF_EXTRA_INDEX_URLS": " https://a/simple  https://b/ "})

    assert result["keep_generations"] == Setting("7", "environment")
    assert result["system_site_packages"] == Setting("true", "environment")
    assert result["extra_index_urls"] == Setting("https://a/simple https://b/", "environment")


def test_python_from_the_environment_is_found_like_init_finds_it(tmp_path):
    python = tmp_path / "python3"
    python.touch()

    result = effective_settings({"python": "/stored"}, {"PYSHELF_PYTHON": str(python)})

    assert result["python"] == Setting(str(python), "environment")


@pytest.mark.parametrize(("variable", "value"), [
    ("PYSHELF_KEEP_GENERATIONS", "many"),
    ("PYSHELF_INDEX_URL", "not a url"),
    ("PYSHELF_SYSTEM_SITE_PACKAGES", "maybe"),
    ("PYSHELF_PYTHON", "/no/such/python"),
])
def test_bad_environment_value_names_the_variable(variable, value):
    with pytest.raises(PyshelfError) as caught:
        effective_settings({}, {variable: value})

    assert not isinstance(caught.value, UsageError)
    assert caught.value.message.startswith(f"The environment variable {variable} must be ")
    assert repr(value) in caught.value.message


def test_stored_values_are_trusted_not_rechecked():
    assert effective_settings({"keep_generations": "x"}, {})["keep_generations"].value == "x"


def test_unknown_stored_keys_are_not_settings():
    assert "colour" not in effective_settings({"colour": "blue"}, {})


def test_one_setting_source_does_not_leak_into_another():
    result = effective_settings({"python": "/p"}, {INDEX_VARIABLE: "https://env/simple"})

    assert result["python"].source == "file"
    assert result["index_url"].source == "environment"
    assert result["bin_dir"] == Setting(None, "default")


# --------------------------------------------------------------------------- keys


def test_unknown_key_names_the_known_ones():
    with pytest.raises(UsageError, match=r"There is no setting 'colour'; the settings are "
                                         r"python, bin_dir, .*expose, certificate_file, .*, "
                                         r"keyring_provider, manifest, bytecode\.$"):
        known_key("colour")


def test_normalise_refuses_an_unknown_key():
    with pytest.raises(UsageError, match="no setting 'colour'"):
        normalise("colour", "blue")


# --------------------------------------------------------------------------- validators


def _refused(key: str, raw: str) -> str:
    with pytest.raises(UsageError) as caught:
        normalise(key, raw)
    message = caught.value.message
    assert message.startswith(f"{key} must be ")
    assert message.endswith(".")
    return message


@pytest.mark.parametrize(("raw", "normal"), [
    ("1", "1"), ("5", "5"), (" 10 ", "10"), ("007", "7"),
])
def test_whole_number_normalised(raw, normal):
    assert normalise("keep_generations", raw) == normal


@pytest.mark.parametrize("raw", ["0", "-1", "", "2.5", "five", "+3", "1e3", "٣"])
def test_whole_number_refused(raw):
    message = _refused("keep_generations", raw)
    assert message == f"keep_generations must be a whole number of at least 1, not {raw!r}."


@pytest.mark.parametrize(("raw", "normal"), [
    ("true", "true"), ("TRUE", "true"), ("yes", "true"), ("On", "true"), ("1", "true"),
    ("false", "false"), ("No", "false"), ("off", "false"), ("0", "false"), (" yes ", "true"),
])
def test_boolean_normalised(raw, normal):
    assert normalise("system_site_packages", raw) == normal


@pytest.mark.parametrize("raw", ["", "maybe", "y", "2", "truee"])
def test_boolean_refused(raw):
    message = _refused("system_site_packages", raw)
    assert message == ("system_site_packages must be true or false (or yes/no, on/off, 1/0), "
                       f"not {raw!r}.")


@pytest.mark.parametrize(("raw", "normal"), [
    ("https://pypi.org/simple", "https://pypi.org/simple"),
    ("http://127.0.0.1:8080/simple/", "http://127.0.0.1:8080/simple/"),
    ("  https://mirror.example.com/simple  ", "https://mirror.example.com/simple"),
    ("https://user:token@host/simple", "https://user:token@host/simple"),
    ("file:///srv/index", "file:///srv/index"),
])
def test_url_normalised(raw, normal):
    assert normalise("index_url", raw) == normal


@pytest.mark.parametrize("raw", [
    "", "pypi.org/simple", "ftp://host/simple", "https://", "http:///simple",
    "https://host:port/simple", "https://host/a b", "file:relative/path", "/srv/index",
])
def test_url_refused(raw):
    message = _refused("index_url", raw)
    assert message == ("index_url must be an http, https or file URL such as "
                       f"https://pypi.org/simple, not {raw!r}.")


@pytest.mark.parametrize(("raw", "normal"), [
    ("", ""),
    ("https://a/simple", "https://a/simple"),
    ("  https://a/simple\n\thttps://b/simple  file:///srv/x ",
     "https://a/simple https://b/simple file:///srv/x"),
])
def test_urls_normalised(raw, normal):
    assert normalise("extra_index_urls", raw) == normal


def test_urls_refusal_names_the_bad_one():
    message = _refused("extra_index_urls", "https://a/simple ftp://b/simple")
    assert message == ("extra_index_urls must be http, https or file URLs separated by spaces, "
                       "and 'ftp://b/simple' is not one.")


@pytest.mark.parametrize("key", ["bin_dir", "shell_config"])
def test_path_is_made_absolute_with_home_expanded(key, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    assert normalise(key, "~/x/y") == str(tmp_path / "home" / "x" / "y")
    assert normalise(key, "rel/z") == str(tmp_path / "rel" / "z")
    assert normalise(key, "/abs/w") == "/abs/w"


@pytest.mark.parametrize("key", ["bin_dir", "shell_config"])
def test_empty_path_refused(key):
    assert _refused(key, "") == f"{key} must be a path, not an empty value."


def test_directory_may_exist_or_be_missing(tmp_path):
    assert normalise("bin_dir", str(tmp_path)) == str(tmp_path)
    assert normalise("bin_dir", str(tmp_path / "new" / "bin")) == str(tmp_path / "new" / "bin")


def test_directory_refuses_a_file_in_the_way(tmp_path):
    (tmp_path / "afile").touch()

    assert _refused("bin_dir", str(tmp_path / "afile")) == (
        f"bin_dir must be a directory, but {tmp_path / 'afile'} exists and is not one.")
    assert _refused("bin_dir", str(tmp_path / "afile" / "bin")) == (
        f"bin_dir must be a directory, but {tmp_path / 'afile'} exists and is not one.")


def test_file_may_exist_or_be_missing(tmp_path):
    (tmp_path / "rc").touch()

    assert normalise("shell_config", str(tmp_path / "rc")) == str(tmp_path / "rc")
    assert normalise("shell_config", str(tmp_path / "new.rc")) == str(tmp_path / "new.rc")


def test_file_refuses_a_directory(tmp_path):
    assert _refused("shell_config", str(tmp_path)) == (
        f"shell_config must be a file, but {tmp_path} is a directory.")


def _fake_python(directory: Path, name: str = "python3") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_interpreter_path_is_kept_unresolved(tmp_path):
    real = _fake_python(tmp_path / "real", "python3.99")
    link = tmp_path / "python3"
    link.symlink_to(real)

    assert normalise("python", str(link)) == str(link)


def test_interpreter_name_is_looked_up_on_path(tmp_path, monkeypatch):
    found = _fake_python(tmp_path / "bin", "mypython")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    assert normalise("python", "mypython") == str(found)


def test_interpreter_path_with_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    found = _fake_python(tmp_path / "py")

    assert normalise("python", "~/py/python3") == str(found)


@pytest.mark.parametrize("raw", ["no-such-python-anywhere", "/no/such/python", ""])
def test_interpreter_refused(raw, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert os.sep not in raw or not Path(raw).exists()

    message = _refused("python", raw)
    assert message == ("python must be a Python interpreter (a name on PATH or a path), "
                       f"and {raw!r} is not one.")


@pytest.mark.parametrize(("raw", "normal"), [("path", "path"), (" Apps ", "apps")])
def test_expose_mode_normalised(raw, normal):
    assert normalise("expose", raw) == normal


@pytest.mark.parametrize("raw", ["", "all", "bin"])
def test_expose_mode_refused(raw):
    assert _refused("expose", raw) == f"expose must be path or apps, not {raw!r}."


@pytest.mark.parametrize(("raw", "normal"), [("subprocess", "subprocess"),
                                             (" Disabled ", "disabled")])
def test_keyring_provider_normalised(raw, normal):
    assert normalise("keyring_provider", raw) == normal


def test_keyring_provider_refused():
    assert _refused("keyring_provider", "keychain") == (
        "keyring_provider must be disabled or subprocess, not 'keychain'.")


def test_certificate_file_must_be_a_readable_file(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")

    assert normalise("certificate_file", str(bundle)) == str(bundle)
    assert _refused("certificate_file", str(tmp_path / "none.pem")) == (
        f"certificate_file must be a readable file, and {tmp_path / 'none.pem'} cannot be "
        "read (No such file or directory).")
    assert _refused("certificate_file", str(tmp_path)).startswith(
        "certificate_file must be a readable file")  # a folder cannot be opened as one
