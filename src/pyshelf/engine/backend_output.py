"""What a build backend said when it failed, out of uv's report.

uv wraps a backend's output in its own chain (``Failed to build``, ``Call to
`backend.build_wheel` failed``) and ends with a hint that build failures "usually indicate a
problem with the package"; the line that tells the person what to fix (``setuptools-scm was
unable to detect version``, a compiler's ``fatal error: Python.h: No such file``) is in the
backend's ``[stderr]`` or ``[stdout]`` block above it.
"""

from __future__ import annotations

import re

_SAYS_WHAT_FAILED = r"(?i)error|fatal|failed|unable|cannot|not found|no such"
_BLOCK_START = ("[stderr]", "[stdout]")
SHOWN = 3  # lines: enough for a compiler's error and its context, short enough to read


def backend_lines(stderr: str) -> list[str]:
    """The last lines of the backend's own output that say what went wrong (those naming an
    error, else its last lines), without traceback frames; empty when uv shows none."""
    said = [line for line in _blocks(stderr) if not _is_frame(line)]
    telling = [line for line in said if re.search(_SAYS_WHAT_FAILED, line)]
    return (telling or said)[-SHOWN:]


def _blocks(stderr: str) -> list[str]:
    """The lines inside uv's ``[stderr]``/``[stdout]`` blocks, stripped of uv's indent (each
    block ends where uv's own ``hint:`` or ``error:`` lines resume)."""
    lines: list[str] = []
    indent: int | None = None
    for line in stderr.splitlines():
        stripped = line.strip()
        if stripped in _BLOCK_START:
            indent = len(line) - len(line.lstrip())
            continue
        if indent is None:
            continue
        if stripped and len(line) - len(line.lstrip()) < indent:
            indent = None  # back in uv's own lines
            continue
        if stripped:
            lines.append(line[indent:].rstrip())
    return lines


def _is_frame(line: str) -> bool:
    """A traceback's header, frames and source lines: where, not what."""
    return line.startswith(("Traceback (most recent call last)", " ", "\t"))
