"""A generation's PEP 751 lock, put together from the tables of its packages.

uv writes each package's ``[[packages]]`` table from that package alone (its name, version,
index, and the files of the release that suit the interpreter; for a direct reference, its
source), never from the others: with every package of a generation pinned on its own line,
no table carries a marker. So the tables kept with the store entries, each as uv wrote it,
in uv's order (by canonical name) under the header uv writes, are the lock uv would write
for the same pins, and no uv has to run for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from packaging.version import Version

from pyshelf.core.model import PATH_KINDS, IntentEntry, IsolatedApp

LOCK_VERSION = "1.0"  # the PEP 751 version uv writes; readers refuse a major they lack
CREATED_BY = "pyshelf"  # PEP 751: the tool that wrote the file


def requires_python(version: str) -> str:
    """uv's ``requires-python`` for an interpreter of ``version`` (``3.11.7``): that
    version or later, with trailing zero parts left out as uv leaves them (``3.13.0``:
    ``>=3.13``)."""
    release = list(Version(version).release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return ">=" + ".".join(str(part) for part in release)


def assemble(python_version: str, tables: Mapping[str, str]) -> str:
    """The lock of the packages in ``tables`` (canonical name -> that package's
    ``[[packages]]`` table, as uv wrote it, ending in a newline) for an interpreter of
    ``python_version``, laid out as uv lays out its own: the header, then the tables one
    blank line apart, or ``packages = []`` when there are none (the key is required)."""
    header = (f'lock-version = "{LOCK_VERSION}"\n'
              f'created-by = "{CREATED_BY}"\n'
              f'requires-python = "{requires_python(python_version)}"\n')
    if not tables:
        return header + "packages = []\n"
    return "\n".join([header, *(tables[name] for name in sorted(tables))])


def machine_specific(intent: Sequence[IntentEntry]) -> list[str]:
    """The entries that name a path on this machine, which another machine may not have."""
    return sorted(e.name for e in intent if e.kind in PATH_KINDS)


def isolated_rows(isolated: Sequence[IsolatedApp]) -> list[dict[str, object]]:
    """What an export says about each isolated app: the request and its versions."""
    return [{"name": app.name, "spec": app.spec, "with": list(app.with_specs),
             "packages": [{"name": p.display_name, "version": p.version}
                          for p in app.packages]}
            for app in isolated]


def pylock_tool_table(intent: Sequence[IntentEntry], isolated: Sequence[IsolatedApp] = ()
                      ) -> str:
    """pyshelf's own ``[tool.pyshelf]`` table, which PEP 751 reserves for tools: what was
    asked for, the entries that name a path on this machine, and the isolated apps."""
    requested = [e.spec for e in intent if e.role == "explicit"]
    table = f"\n[tool.pyshelf]\nrequested = {inline_toml(requested)}\n"
    if local := machine_specific(intent):
        table += f"machine-specific = {inline_toml(local)}\n"
    if isolated:
        table += f"isolated = {inline_toml(isolated_rows(isolated))}\n"
    return table


def inline_toml(value: object, *, padding: str = " ") -> str:
    """A TOML value for the strings, booleans, lists and tables pyshelf writes, in inline
    forms; ``padding`` goes inside a table's braces (uv's pylock has a space there,
    tomlkit's manifest none)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a JSON string without ASCII escaping is a TOML string
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(inline_toml(item, padding=padding) for item in value) + "]"
    if isinstance(value, dict):
        return ("{" + padding + ", ".join(f"{key} = {inline_toml(item, padding=padding)}"
                                          for key, item in value.items()) + padding + "}")
    raise TypeError(f"no TOML form for {value!r}")
