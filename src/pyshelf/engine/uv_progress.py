"""What uv is doing, from the lines it writes to stderr as it works.

pyshelf reads uv's stderr through a pipe, so uv draws no progress bars; it prints instead
what a person would otherwise wait on in silence: ``Downloading numpy
(15.0MiB)`` / `` Downloaded numpy`` for every download over 1 MiB (or of unknown size),
``Building X`` / ``Built X`` for every build, and the summaries ``Resolved N packages``,
``Prepared N packages``, ``Installed N packages``. Its verbose mode would say more (every
download), but in debug lines that change between releases and bury the error text pyshelf
turns into sentences, so only these lines are read. A small download ends unannounced: the
display names what is in flight, and counts what the step covers.

uv right-aligns its action verbs to one width (``   Building``, ``      Built``,
``Downloading``), which tells its own lines from a build backend's output quoted in an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyshelf.ui import counted

_VERB_WIDTH = 11  # uv's: len("Downloading")
_ACTION = re.compile(r"^( *)(Downloading|Downloaded|Building|Built) (\S.*)$")
_SUMMARY = re.compile(r"^(Resolved|Prepared|Installed) (\d+) packages? in ")
_SIZED = re.compile(r"^(\S+) \(([^()]+)\)$")
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # a FORCE_COLOR in the person's environment reaches uv


@dataclass(frozen=True)
class Said:
    """One line of uv's that tells what it does: ``what`` is the verb (``Downloading``,
    ``Resolved`` ...), ``subject`` the package as uv writes it (``numpy``, ``pyyaml==6.0.1``,
    ``proj @ file:///src/proj``), ``size`` a download's size, ``count`` a summary's."""

    what: str
    subject: str = ""
    size: str = ""
    count: int = 0


def read_line(line: str) -> Said | None:
    """The meaning of one line of uv's stderr, or None for any other line."""
    text = _COLOUR.sub("", line.rstrip("\r\n"))
    summary = _SUMMARY.match(text)
    if summary:
        return Said(summary.group(1), count=int(summary.group(2)))
    action = _ACTION.match(text)
    if not action or len(action.group(1)) + len(action.group(2)) != _VERB_WIDTH:
        return None
    verb, subject = action.group(2), action.group(3).strip()
    sized = _SIZED.match(subject) if verb == "Downloading" else None
    if sized:
        return Said(verb, sized.group(1), size=sized.group(2))
    return Said(verb, subject)


def short_name(subject: str) -> str:
    """The project's name out of uv's ``pyyaml==6.0.1`` or ``proj @ file:///src/proj``:
    a status line has no room for the URL."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(subject).name
    except InvalidRequirement:
        return subject


@dataclass(frozen=True)
class Update:
    """What to show after a line: the ``status`` a terminal redraws in place, and the
    ``line`` (if any) a log gets, once, in order."""

    status: str
    line: str | None = None


@dataclass
class Tracker:
    """One uv run as its lines tell it: the step's ``headline`` (``Resolving 12
    requirements``) and what is in flight within it (``downloading numpy (15.0MiB)``).
    ``installs`` is set for a sync, where ``Prepared`` ends the downloads and builds and the
    install itself begins."""

    headline: str
    installs: bool = False
    active: dict[str, str] = field(default_factory=dict)  # subject -> what is done with it

    @classmethod
    def resolving(cls, requirements: int) -> Tracker:
        things = f" {counted(requirements, 'requirement')}" if requirements else ""
        return cls(f"Resolving{things}")

    @classmethod
    def installing(cls, packages: int) -> Tracker:
        return cls(f"Installing {counted(packages, 'package')}", installs=True)

    def opening(self) -> Update:
        """What is shown as uv starts: a resolve is its own step in a log, while a sync
        follows the line that announced the build."""
        return Update(self.status(), None if self.installs else f"{self.headline} ...")

    def status(self) -> str:
        doing = ", ".join(self.active.values())
        return f"{self.headline}: {doing} ..." if doing else f"{self.headline} ..."

    def feed(self, line: str) -> Update | None:
        """The display after ``line``, or None when the line changes nothing."""
        said = read_line(line)
        if said is None:
            return None
        log = None
        if said.what == "Downloading":
            size = f" ({said.size})" if said.size else ""
            self.active[said.subject] = f"downloading {said.subject}{size}"
            log = f"Downloading {said.subject}{size} ..."
        elif said.what == "Building":
            self.active[said.subject] = f"building {short_name(said.subject)}"
        elif said.what in ("Downloaded", "Built"):
            self.active.pop(said.subject, None)
            log = f"Built {said.subject}" if said.what == "Built" else None
        elif said.what == "Resolved" and self.installs:
            self.headline = Tracker.installing(said.count).headline
        elif said.what == "Prepared" and self.installs:
            self.active.clear()
            log = f"{self.headline} ..."
        else:
            return None
        return Update(self.status(), log)
