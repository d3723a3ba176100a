"""Which packages uv builds from source, read from its PEP 751 lock, and how the plan warns."""

from __future__ import annotations

import pytest

from pyshelf.core.lockfile import load_toml
from pyshelf.core.model import IntentEntry
from pyshelf.core.source_builds import SourceBuild, source_build_note, tags_fit, without_wheel

# As uv writes it for one interpreter: only the wheels that interpreter can install.
PYLOCK = """
lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.13"

[[packages]]
name = "PyYAML"
version = "6.0.1"
sdist = { url = "http://index/files/PyYAML-6.0.1.tar.gz", hashes = { sha256 = "00" } }

[[packages]]
name = "numpy"
version = "2.1.3"
sdist = { url = "http://index/files/numpy-2.1.3.tar.gz", hashes = { sha256 = "00" } }
wheels = [{ url = "http://index/files/numpy-2.1.3-cp313-cp313-manylinux_2_17_x86_64.whl" }]

[[packages]]
name = "six"
version = "1.16.0"
wheels = [{ url = "http://index/files/six-1.16.0-py2.py3-none-any.whl" }]
"""

CP313 = frozenset({"cp313-cp313-manylinux_2_17_x86_64", "cp313-abi3-linux_x86_64",
                   "py3-none-any", "py313-none-any"})


def test_a_package_with_an_sdist_and_no_wheel_for_the_target_is_built():
    assert without_wheel(load_toml(PYLOCK)) == {"pyyaml"}


def test_a_lock_without_packages_builds_nothing():
    assert without_wheel(load_toml('lock-version = "1.0"\n')) == set()
    assert without_wheel({"packages": "not a list"}) == set()


@pytest.mark.parametrize(("tags", "fits"), [
    (["py3-none-any"], True),
    (["py2.py3-none-any"], True),  # a compressed tag set: one of them is enough
    (["cp313-cp313-manylinux_2_17_x86_64"], True),
    (["cp312-cp312-manylinux_2_17_x86_64"], False),  # another Python's build
    (["cp313-cp313-win_amd64"], False),  # another platform's
    (["not a tag"], False),
    ([], False),
])
def test_an_installed_wheel_fits_when_one_of_its_tags_is_the_targets(tags, fits):
    assert tags_fit(tags, CP313) is fits


def build(name: str, version: str = "1.0") -> SourceBuild:
    return SourceBuild(name, name, version)


def test_no_build_no_note():
    assert source_build_note([], "3.13.0", []) is None


def test_a_dependency_is_named_with_its_version_and_can_be_updated():
    note = source_build_note([build("leaf", "2.0")], "3.13.0", [])
    assert note == (
        "leaf 2.0 has no wheel for Python 3.13.0 on the package index, so it is built from "
        "source: that needs its build backend (and, for compiled code, a compiler and "
        "headers) and can take minutes. A newer release may have a wheel: `pyshelf update "
        "leaf` moves it to the newest release its requirements allow.")


def test_a_pin_the_person_wrote_must_be_dropped_for_the_package_to_move():
    intent = [IntentEntry("pyyaml", "pyyaml==6.0.1"), IntentEntry("other", "other")]
    note = source_build_note([SourceBuild("pyyaml", "PyYAML", "6.0.1")], "3.13", intent)
    assert note is not None
    assert note.startswith("PyYAML 6.0.1 has no wheel for Python 3.13 on the package index")
    assert note.endswith("`pyshelf install --upgrade pyyaml` drops the pin 'pyyaml==6.0.1' "
                         "and moves it to the newest release.")
    assert "pyshelf update" not in note


def test_several_are_named_in_one_note_each_with_its_way_to_move():
    intent = [IntentEntry("a", "a===1.0"), IntentEntry("b", "b==2.0"),
              IntentEntry("c", "c==1.*"), IntentEntry("d", "d>=1")]
    note = source_build_note([build(n) for n in "abcde"], "3.13.0", intent)
    assert note is not None
    assert note.startswith("a 1.0, b 1.0, c 1.0, d 1.0 and e 1.0 have no wheel for Python "
                           "3.13.0 on the package index, so they are built from source: that "
                           "needs their build backend")
    assert ("`pyshelf update c d e` moves them to the newest release their requirements "
            "allow; `pyshelf install --upgrade a b` drops the pins 'a===1.0' and 'b==2.0' "
            "and moves them to the newest release.") in note
