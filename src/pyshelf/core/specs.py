"""Turning what the person typed into requirements uv can be trusted with.

Nothing typed reaches uv's command line or input file unchecked: a leading ``-`` would become
an option, and a requirements file obeys ``-r`` and ``--index-url`` lines. Every spec is
parsed as PEP 508 by ``packaging`` and written back out in its normalised form.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from pyshelf.core.model import IntentEntry
from pyshelf.core.spec_errors import plain_reason
from pyshelf.errors import UsageError

_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tar.bz2", ".zip", ".tgz")


def reject_option_like(text: str) -> None:
    if text.startswith("-"):
        raise UsageError(
            f"'{text}' is not a package: names cannot start with '-' "
            "(put options before the package names)."
        )


def is_path_like(text: str) -> bool:
    """Whether ``install`` should treat ``text`` as a local project or wheel file.

    A URL requirement (``name @ https://...``) is not a path; a bare word is a package name,
    as with pip: a project in the current directory is written ``./name``.
    """
    stripped = text.strip()
    if stripped.startswith((".", "/", "~")):
        return True
    try:
        if Requirement(stripped).url:
            return False
    except InvalidRequirement:
        pass
    return "/" in stripped or stripped.endswith(_ARCHIVE_SUFFIXES)


def parse_requirement(text: str, *, allow_url: bool = False) -> Requirement:
    """Parse one PEP 508 requirement typed by the person, with a readable refusal."""
    stripped = text.strip()
    if not stripped:
        raise UsageError("An empty string is not a requirement; give a name like 'requests'.")
    reject_option_like(stripped)
    path_refusal = UsageError(
        f"'{stripped}' looks like a path; pyshelf installs requirements from the package "
        "index, such as 'name>=1.0'."
    )
    try:
        requirement = Requirement(stripped)
        canonicalize_name(requirement.name, validate=True)
    except (InvalidRequirement, InvalidName) as exc:
        if "/" in stripped or stripped.endswith(_ARCHIVE_SUFFIXES):
            raise path_refusal from exc
        reason = plain_reason(stripped, str(exc).splitlines()[0])
        raise UsageError(f"'{stripped}' is not a valid requirement: {reason}.") from exc
    if requirement.url and not allow_url:
        raise UsageError(
            f"'{stripped}' is a direct URL requirement; pyshelf installs requirements from the "
            "package index, such as 'name>=1.0'."
        )
    if stripped.endswith(_ARCHIVE_SUFFIXES) and not requirement.url:
        raise path_refusal
    return requirement


def parse_install_specs(texts: Iterable[str], added_at: str) -> list[IntentEntry]:
    """The intent entries for requirements given to ``install`` (index or direct URL)."""
    entries = []
    for text in texts:
        requirement = parse_requirement(text, allow_url=True)
        name = canonicalize_name(requirement.name)
        requirement.name = name  # so that 'BETA' and 'beta' are the same request
        entries.append(IntentEntry(name=name, spec=str(requirement),
                                   kind="url" if requirement.url else "index",
                                   source_path=requirement.url, added_at=added_at))
    return unique_by_name(entries)


def unique_by_name(entries: Iterable[IntentEntry], where: str = "") -> list[IntentEntry]:
    """Refuse two requests for one package in the same command (or file: ``where``)."""
    seen: dict[str, IntentEntry] = {}
    for entry in entries:
        if entry.name in seen:
            prefix = f"{where}: " if where else ""
            raise UsageError(f"{prefix}'{entry.name}' is given more than once; give each "
                             "package once.")
        seen[entry.name] = entry
    return list(seen.values())


def parse_package_name(text: str) -> str:
    """A bare package name (for ``remove``), canonicalised for comparison."""
    requirement = parse_requirement(text)
    if requirement.specifier or requirement.extras or requirement.marker:
        raise UsageError(
            f"'{text.strip()}' is a requirement, not a package name; give just the name "
            f"('{requirement.name}')."
        )
    return canonicalize_name(requirement.name)
