"""Bad input gets one clear sentence, a non-zero exit, and changes nothing."""

from __future__ import annotations

import os
import subprocess

import pytest
from tests.e2e.helpers import packages, snapshot
from tests.support.sandbox import pyshelf_script

pytestmark = pytest.mark.shelf("install beta --yes")


def _refused(shelf, *args, code):
    before = snapshot(shelf)
    result = shelf.run(*args)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(shelf) == before
    return result


@pytest.mark.parametrize(("spec", "fragment"), [
    ("requests>=", "is not a valid requirement"),
    ("foo bar", "is not a valid requirement"),
    ("foo_", "is not a valid requirement"),
    ("requests[", "is not a valid requirement"),
])
def test_invalid_requirements(shelf, spec, fragment):
    result = _refused(shelf, "install", spec, "--yes", code=2)
    assert fragment in result.stderr


@pytest.mark.parametrize("spec", ["--index-url=http://evil.invalid/simple", "-rrequirements.txt"])
def test_option_like_names_never_reach_uv(shelf, spec):
    result = _refused(shelf, "install", "--yes", "--", spec, code=2)
    assert "cannot start with '-'" in result.stderr


def test_unknown_option_is_a_usage_error(shelf):
    _refused(shelf, "install", "--index-url", "x", "beta", code=2)


def test_unknown_package(shelf):
    result = _refused(shelf, "install", "no-such-package-here", "--yes", code=1)
    assert "No package named 'no-such-package-here'" in result.stderr


@pytest.mark.parametrize(("spec", "sentence"), [
    ("alpha==99.0", "The package index has no release 99.0 of alpha; nothing was changed."),
    ("alpha>=5", "The package index has no release of alpha matching >=5 (it has only "
                 "alpha<=2.0); nothing was changed."),
])
def test_a_release_the_index_does_not_have_is_no_conflict(shelf, spec, sentence):
    result = _refused(shelf, "install", spec, "--yes", code=1)
    assert result.stderr == f"Resolving 1 requirement ...\nerror: {sentence}\n"


def test_conflict_exits_3_with_explanation(shelf):
    result = _refused(shelf, "install", "left", "right", "--yes", code=3)
    assert "cannot be installed together" in result.stderr
    assert "shared" in result.stderr


def test_missing_transitive_dependency_is_a_conflict(shelf):
    result = _refused(shelf, "install", "needs-missing", "--yes", code=3)
    assert "does-not-exist-anywhere" in result.stderr


def test_conflict_with_what_is_already_installed(shelf):
    shelf.ok("install", "left", "--yes")
    result = _refused(shelf, "install", "right", "--yes", code=3)
    assert "shared" in result.stderr


def test_package_for_another_python(shelf):
    result = _refused(shelf, "install", "future-only", "--yes", code=3)
    assert "Python" in result.stderr


def test_unreachable_index(shelf, wheel_index):
    wheel_index.server.stop()
    try:
        result = _refused(shelf, "install", "alpha", "--yes", code=1)
    finally:
        wheel_index.server.start()
    assert result.stderr.startswith("Resolving 1 requirement ...\nerror: ")
    assert "could not be connected to (Connection refused" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2


def test_remove_with_a_requirement_instead_of_a_name(shelf):
    result = _refused(shelf, "remove", "beta>=1", "--yes", code=2)
    assert "give just the name" in result.stderr


def _answering(shelf, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pyshelf with a terminal on stdin that types ``answer`` at the prompt."""
    typist, terminal = os.openpty()
    os.write(typist, answer.encode() + b"\n")
    try:
        return subprocess.run([str(pyshelf_script()), *args], stdin=terminal, env=shelf.env,
                              cwd=shelf.home, capture_output=True, text=True, timeout=120,
                              check=False)
    finally:
        os.close(terminal)
        os.close(typist)


def test_saying_no_at_the_prompt_is_an_abort_not_an_error(shelf):
    before = snapshot(shelf)

    declined = _answering(shelf, "n", "install", "alpha")

    assert declined.returncode == 4
    assert declined.stdout.endswith("Proceed? [y/N] ")
    assert declined.stderr == "Resolving 1 requirement ...\nNothing was changed.\n"
    assert snapshot(shelf) == before
    assert _answering(shelf, "y", "install", "alpha").returncode == 0
    assert "alpha" in packages(shelf)


def test_a_mistyped_command_gets_a_suggestion_not_every_command(shelf):
    result = _refused(shelf, "instal", "alpha", code=2)

    assert result.stderr.splitlines()[-1] == (
        "pyshelf: error: 'instal' is not a pyshelf command; did you mean install? "
        "`pyshelf --help` lists them.")


def test_a_bare_pyshelf_shows_the_help(shelf):
    result = shelf.run()

    assert result.returncode == 0
    assert result.stdout.startswith("usage: pyshelf")
    assert "install         install packages onto the shelf" in result.stdout
