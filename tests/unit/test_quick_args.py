"""A plain command line read without argparse reads exactly as argparse reads it, and any
other is left to argparse."""

from __future__ import annotations

import contextlib
import io
import random

import pytest

from pyshelf.cli import MODULES, build_parser, definition
from pyshelf.quick_args import _ABSENT, quick_arguments

COMMANDS = [word for word in MODULES if word != "pip"]
# words no definition knows, or only argparse reads
ODD = ["-h", "--help", "--version", "--", "-", "-vq", "--json=1", "--exp", "--home=/h", "-1",
       "x", "7"]


def by_argparse(argv: list[str]) -> dict[str, object] | None:
    """What argparse makes of ``argv``; None when it refuses it (or prints help)."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(build_parser(argv[_at(argv)]).parse_args(argv))
        except SystemExit:
            return None


def _at(argv: list[str]) -> int:
    return next(i for i, word in enumerate(argv) if not word.startswith("-")
                and (i == 0 or argv[i - 1] != "--home"))


def pool(word: str) -> list[str]:
    """Every option of the command's parser (values after those that take one), and names."""
    parser = build_parser(word)
    sub = next(a for a in parser._actions if a.dest == "command").choices[word]  # type: ignore[union-attr,index]
    words = []
    for action in sub._actions:
        for flag in action.option_strings:
            words.append(f"{flag} 2" if action.nargs is None and action.const is None
                         and not action.option_strings[0].startswith("-h") else flag)
    return [*words, "a", "b", "3", *ODD]


def lines(word: str, count: int = 300) -> list[list[str]]:
    chosen = random.Random(word)
    words = pool(word)
    found = [[word]]
    for _ in range(count):
        before = chosen.choice([[], ["-v"], ["--home", "/h"], ["-q", "--home", "/h"]])
        after = [part for picked in chosen.choices(words, k=chosen.randint(0, 4))
                 for part in picked.split()]
        found.append([*before, word, *after])
    return found


@pytest.mark.parametrize("word", COMMANDS)
def test_a_line_read_without_argparse_reads_as_argparse_reads_it(word):
    for argv in lines(word):
        quick = quick_arguments(argv, _at(argv), definition(word))
        if quick is not None:
            assert vars(quick) == by_argparse(argv), argv


@pytest.mark.parametrize(("argv", "expected"), [
    (["list"], {"command": "list", "explicit": False, "deps": False, "local": False,
                "isolated": False, "json": False}),
    (["--home", "/h", "list", "--json", "-q"],
     {"command": "list", "home": "/h", "quiet": True, "explicit": False, "deps": False,
      "local": False, "isolated": False, "json": True}),
    (["tree", "a", "b", "--reverse", "--depth", "2"],
     {"command": "tree", "names": ["a", "b"], "reverse": True, "depth": 2, "json": False,
      "dot": False}),
    (["why", "--json", "a"], {"command": "why", "name": "a", "json": True}),
    (["history", "--limit", "3"], {"command": "history", "limit": 3, "json": False}),
    (["diff", "1", "2"], {"command": "diff", "targets": [1, 2], "json": False}),
    (["status", "--no-wait"], {"command": "status", "no_wait": True, "json": False}),
    (["remove", "--yes", "a", "b"], {"command": "remove", "names": ["a", "b"], "yes": True,
                                     "dry_run": False, "keep_orphans": False}),
])
def test_plain_lines_are_read_without_argparse(argv, expected):
    quick = quick_arguments(argv, _at(argv), definition(argv[_at(argv)]))
    assert quick is not None
    assert vars(quick) == expected == by_argparse(argv)


@pytest.mark.parametrize("argv", [
    ["list", "--help"], ["list", "--exp"], ["list", "--explicit", "--deps"], ["list", "x"],
    ["why"], ["why", "a", "b"], ["tree", "a", "--reverse", "b"], ["history", "--limit", "x"],
    ["history", "--limit"], ["history", "--limit=3"], ["tree", "--json", "--dot"],
    ["-vq", "list"], ["--json", "list"], ["status", "--", "x"], ["diff", "1", "x"],
    ["remove"], ["remove", "--yes"],
])
def test_what_argparse_must_read_is_left_to_it(argv):
    assert quick_arguments(argv, _at(argv), definition(argv[_at(argv)])) is None


def test_the_absent_default_is_argparses():
    import argparse

    assert argparse.SUPPRESS == _ABSENT
