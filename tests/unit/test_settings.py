"""effective_settings: environment beats the stored value, which beats the default."""

from __future__ import annotations

from pyshelf.settings import Setting, effective_settings

INDEX_VARIABLE = "PYSHELF_INDEX_URL"


def test_known_settings_are_all_reported():
    result = effective_settings({}, {})

    assert {"python", "bin_dir", "shell_config", "index_url"} <= result.keys()


def test_unset_setting_comes_from_default():
    result = effective_settings({}, {})

    assert result["python"] == Setting(None, "default")
    assert result["index_url"] == Setting(None, "default")


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


def test_environment_does_not_override_settings_without_a_variable():
    result = effective_settings({"python": "/stored"},
                                {"PYSHELF_PYTHON": "/env", "python": "/env"})

    assert result["python"] == Setting("/stored", "file")


def test_unknown_stored_keys_are_not_settings():
    assert "colour" not in effective_settings({"colour": "blue"}, {})


def test_one_setting_source_does_not_leak_into_another():
    result = effective_settings({"python": "/p"}, {INDEX_VARIABLE: "https://env/simple"})

    assert result["python"].source == "file"
    assert result["index_url"].source == "environment"
    assert result["bin_dir"] == Setting(None, "default")
