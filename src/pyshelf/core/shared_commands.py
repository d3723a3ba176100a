"""Commands that more than one package of an environment ships under the same name.

Only one file can be ``bin/NAME``, and the installer leaves whichever package it happened to
install last, so a dependency can silently replace the command the person asked for. The
package asked for is the one whose command should be there; where none or several of the
owners were asked for, no choice is better than another, and the person is only told.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple


class SharedCommand(NamedTuple):
    command: str
    owners: tuple[str, ...]  # sorted canonical names
    # The one explicit owner, whose command belongs in bin; not part of equality, so a clash
    # is the same clash whatever the explicit set of the generation it is found in.
    winner: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SharedCommand) and (self.command, self.owners) == (
            other.command, other.owners)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self.command, self.owners))


def shared_commands(commands: Mapping[str, Iterable[str]], explicit: Collection[str]
                    ) -> list[SharedCommand]:
    """The commands of ``commands`` (package -> its command names) shipped by two or more
    packages, sorted by command."""
    owners: dict[str, set[str]] = {}
    for package, names in commands.items():
        for name in names:
            owners.setdefault(name, set()).add(package)
    found = []
    for command, packages in sorted(owners.items()):
        if len(packages) > 1:
            asked = [package for package in packages if package in explicit]
            found.append(SharedCommand(command, tuple(sorted(packages)),
                                       asked[0] if len(asked) == 1 else None))
    return found


def describe(shared: SharedCommand) -> str:
    owners = ", ".join(shared.owners[:-1]) + " and " + shared.owners[-1]
    which = (f"the explicit package {shared.winner}'s is the one in bin" if shared.winner
             else "which one is in bin depends on the order they were installed in")
    return f"{shared.command} is shipped by {owners}; {which}."
