"""A plain command line read without argparse, when it is certain to read the same.

argparse costs every command about 6 ms before it runs (its import with ``gettext``, the
``locale`` and ``shutil`` its help formatter brings in even when no help is shown, the
patterns it compiles): more than the query behind ``pyshelf list``. Most command lines are
plain: a command, some flags, an option's number, some names. This reads those from the
very definitions argparse is given (a command's ``arguments`` function adds them to a
stand-in), and answers None for anything it cannot be sure to read exactly as argparse
would: a help or version option, an unknown or abbreviated option, ``--opt=value``, grouped
short flags, ``--``, a missing or extra name, names on both sides of an option, a bad number,
two options that exclude each other, or a definition using more than flags, values and
names. argparse then parses the line as before, with its own messages.
"""

from __future__ import annotations

from types import SimpleNamespace

from pyshelf.commands.common import Command, add_common_options
from pyshelf.core.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence


_ABSENT = "==SUPPRESS=="  # an option left out of the result unless given (argparse.SUPPRESS)


class _Unsupported(Exception):
    """The definition uses something this reader does not read."""


class _Argument(NamedTuple):
    flags: tuple[str, ...]  # () for a positional
    dest: str
    takes_value: bool  # an option followed by its value; False for a flag
    many: bool  # a positional of nargs="*" or "+"
    needs_one: bool  # nargs="+": argparse says so when none is given
    convert: Callable[[str], object] | None
    default: object
    group: object  # the mutually exclusive group it belongs to (its stand-in), or None


class _Recorder:
    """Stands in for an ``ArgumentParser`` (or one of its exclusive groups) while a command's
    definition adds its arguments."""

    def __init__(self, arguments: list[_Argument], *, in_group: bool = False) -> None:
        self.arguments = arguments
        self.group = self if in_group else None

    def add_argument(self, *flags: str, action: str | None = None, nargs: str | None = None,
                     type: Callable[[str], object] | None = None,
                     default: object = None, help: str | None = None,
                     metavar: str | None = None) -> None:
        del help, metavar  # what --help shows, which argparse does
        positional = not flags[0].startswith("-")
        if action not in (None, "store_true") or nargs not in (None, "*", "+") or (
                nargs is not None and not positional) or (
                default not in (None, _ABSENT) and not positional):
            raise _Unsupported(flags[0])
        if positional:
            dest = flags[0]
        else:
            long = next((f for f in flags if f.startswith("--")), flags[0])
            dest = long.lstrip("-").replace("-", "_")
        if action == "store_true" and default is None:
            default = False
        self.arguments.append(_Argument(
            () if positional else flags, dest, not positional and action is None,
            nargs in ("*", "+"), nargs == "+", type, default, self.group))

    def add_mutually_exclusive_group(self) -> _Recorder:
        return _Recorder(self.arguments, in_group=True)

    def __getattr__(self, name: str) -> object:
        raise _Unsupported(name)  # subcommands, argument groups, defaults: argparse's job


def _recorded(define: Callable[[argparse.ArgumentParser], None]) -> list[_Argument]:
    arguments: list[_Argument] = []
    # the stand-in has the part of ArgumentParser's interface definitions use
    parser: argparse.ArgumentParser = _Recorder(arguments)  # type: ignore[assignment]
    define(parser)
    return arguments


def quick_arguments(argv: Sequence[str], at: int, command: Command) -> argparse.Namespace | None:
    """``argv`` (with the command named at ``at``) read as argparse would, or None."""
    try:
        common = _recorded(lambda parser: add_common_options(parser, _ABSENT))
        own = _recorded(command.arguments) if command.arguments is not None else []
    except (_Unsupported, TypeError):  # TypeError: an argparse keyword not listed above
        return None
    found: dict[str, object] = {}
    words: list[str] = []
    if not (_read(argv[:at], common, found, []) and _read(argv[at + 1:], [*common, *own],
                                                           found, words)):
        return None
    try:
        named = _names(own, words, found)
    except (ValueError, TypeError):  # a name its type refuses: argparse says so
        return None
    if not named:
        return None
    found["command"] = argv[at]
    # read by attribute, as argparse's Namespace is
    namespace: argparse.Namespace = SimpleNamespace(**found)  # type: ignore[assignment]
    return namespace


def _names(own: list[_Argument], words: list[str], found: dict[str, object]) -> bool:
    """The defaults of options not given, and ``words`` given to the positionals in order;
    False when argparse would find a name missing or one too many."""
    for argument in own:
        if argument.flags:
            if argument.dest not in found and argument.default != _ABSENT:
                found[argument.dest] = argument.default
        elif argument.many:
            if argument.needs_one and not words:
                return False  # argparse says it is missing
            found[argument.dest] = ([_convert(argument, w) for w in words] if words
                                    else argument.default if argument.default is not None
                                    else [])
            words = []
        elif words:
            found[argument.dest] = _convert(argument, words.pop(0))
        else:
            return False  # a name argparse would say is missing
    return not words  # any left argparse would call unrecognized


def _read(words: Sequence[str], arguments: list[_Argument], found: dict[str, object],
          names: list[str]) -> bool:
    """Options of ``words`` into ``found`` and the rest into ``names``; False when argparse
    must read them. ``names`` must be one run: argparse takes names that come after an
    option as a new list, not as more of the same."""
    by_flag = {flag: argument for argument in arguments for flag in argument.flags}
    groups: dict[int, str] = {}  # id of a group -> the option of it given
    index, run_ended = 0, False
    try:
        while index < len(words):
            word = words[index]
            argument = by_flag.get(word)
            if argument is None:
                if word.startswith("-") or (names and run_ended):
                    return False
                names.append(word)
            else:
                run_ended = bool(names)
                if argument.group is not None and groups.setdefault(
                        id(argument.group), argument.dest) != argument.dest:
                    return False  # two options that exclude each other
                if argument.takes_value:
                    index += 1
                    if index == len(words) or words[index].startswith("-"):
                        return False
                    found[argument.dest] = _convert(argument, words[index])
                else:
                    found[argument.dest] = True
            index += 1
    except (ValueError, TypeError):  # a value its type refuses: argparse says so
        return False
    return True


def _convert(argument: _Argument, word: str) -> object:
    return word if argument.convert is None else argument.convert(word)
