"""The managed block that puts pyshelf's ``bin`` directory on PATH.

pyshelf owns exactly one region of the person's shell config, fenced by marker lines, and
never touches a byte outside it. Everything here works on bytes because rc files are not
guaranteed to be UTF-8, and a package manager has no business re-encoding someone's dotfiles.

Removing the block must give back the file exactly as it was before pyshelf appended it. The
blank line pyshelf puts in front of an appended block is therefore treated as part of the
block: removal takes it away again. The one case that cannot be told apart from the bytes
alone is a file that did not end with a newline (pyshelf had to add one before the blank
line); that fact is recorded on the start marker line itself, as ``# >>> pyshelf >>>
(file had no final newline)``, so removal knows to take the added newline away too.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

from pyshelf.atomic import create_file, replace_file
from pyshelf.errors import PyshelfError
from pyshelf.host.write_targets import LOOP_WORDS, nearest_existing
from pyshelf.xdg import base_dir

ShellKind = Literal["bash", "zsh", "fish"]

START_MARKER = b"# >>> pyshelf >>>"
END_MARKER = b"# <<< pyshelf <<<"
MANAGED_NOTE = b"# Managed by pyshelf; changes inside this block are overwritten."
NO_EOL_NOTE = b"(file had no final newline)"
BACKUP_SUFFIX = ".pyshelf-backup"


# --------------------------------------------------------------------------- detection


def detect_shell(shell_env: str | None) -> ShellKind:
    """Guess the person's shell from ``$SHELL``; bash is the safe default for anything else."""
    if not shell_env:
        return "bash"
    name = Path(shell_env.strip()).name.lstrip("-")
    if name == "zsh":
        return "zsh"
    if name == "fish":
        return "fish"
    return "bash"


def default_config_path(kind: ShellKind, home: Path, environ: Mapping[str, str]) -> Path:
    """Where each shell reads interactive config without needing anything else to source it.

    fish gets a file of its own in ``conf.d`` because fish sources those automatically, which
    keeps pyshelf out of the person's hand-written ``config.fish`` altogether.
    """
    if kind == "zsh":
        return _zsh_dir(home, environ) / ".zshrc"
    if kind == "fish":
        return _fish_dir(home, environ) / "conf.d" / "pyshelf.fish"
    return home / ".bashrc"


def _zsh_dir(home: Path, environ: Mapping[str, str]) -> Path:
    zdotdir = environ.get("ZDOTDIR", "")
    return Path(zdotdir) if zdotdir else home


def _fish_dir(home: Path, environ: Mapping[str, str]) -> Path:
    return base_dir("XDG_CONFIG_HOME", environ, home) / "fish"


# The files a shell reads only when it is a login shell, in the order bash looks for its
# own: bash reads the first of them that exists, and none of the others.
_LOGIN_NAMES: dict[ShellKind, tuple[str, ...]] = {
    "bash": (".bash_profile", ".bash_login", ".profile"),
    "zsh": (".zprofile", ".zlogin"),
    "fish": (),
}


def shell_kind_for_path(path: Path) -> ShellKind:
    """Pick the syntax for an explicitly named config file, since ``$SHELL`` may not match it."""
    if path.suffix == ".fish":
        return "fish"
    if "zsh" in path.name or path.name in _LOGIN_NAMES["zsh"]:
        return "zsh"
    return "bash"


def why_new_shell_skips(rc: Path, kind: ShellKind, home: Path,
                        environ: Mapping[str, str]) -> str | None:
    """Why a new interactive shell of ``kind`` that is no login shell (a terminal window's,
    and the one ``doctor`` starts to look) never reads ``rc`` by itself; None if it does.
    Another startup file may still source ``rc``: only running the shell can tell that, so
    this explains what a run showed rather than predicting it."""
    reads = _interactive_files(kind, home, environ)
    if any(_reads(rc, pattern) for pattern in reads):
        return None
    login = [(home if kind == "bash" else _zsh_dir(home, environ)) / name
             for name in _LOGIN_NAMES[kind]]
    if not any(_same_file(rc, path) for path in login):
        return "it reads " + " and ".join(map(str, reads))
    first = next((path for path in login if path.exists()), None)
    if kind == "bash" and first is not None and not _same_file(rc, first):
        return f"only a login shell reads it, and a login bash reads {first} instead"
    return "only a login shell reads it"


def _interactive_files(kind: ShellKind, home: Path, environ: Mapping[str, str]) -> list[Path]:
    """The person's files an interactive, non-login shell of ``kind`` reads at its start."""
    if kind == "zsh":
        return [_zsh_dir(home, environ) / ".zshenv", _zsh_dir(home, environ) / ".zshrc"]
    if kind == "fish":
        return [_fish_dir(home, environ) / "config.fish",
                _fish_dir(home, environ) / "conf.d" / "*.fish"]
    return [home / ".bashrc"]


def _reads(rc: Path, pattern: Path) -> bool:
    if "*" not in pattern.name:
        return _same_file(rc, pattern)
    return _same_file(rc.parent, pattern.parent) and fnmatch(rc.name, pattern.name)


def _same_file(one: Path, other: Path) -> bool:
    """Same path once symlinks are followed (dotfiles are often links into a repository)."""
    return os.path.realpath(one) == os.path.realpath(other)


# --------------------------------------------------------------------------- rendering


def _dir_bytes(directory: Path) -> bytes:
    """Raw bytes of a directory name, refusing the ones no PATH entry can hold."""
    raw = os.fsencode(directory)
    if b"\n" in raw or b"\0" in raw:
        raise PyshelfError(
            f"The directory {str(directory)!r} has a newline in its name, which cannot be "
            "written safely into a shell config file; move pyshelf to a directory whose path "
            "has no newline in it."
        )
    if b":" in raw:
        raise PyshelfError(
            f"The directory {str(directory)!r} has a ':' in its name, and ':' separates "
            "entries in PATH; move pyshelf to a directory whose path has no ':' in it."
        )
    return raw


def _posix_quote(raw: bytes) -> bytes:
    """Single-quote for sh: nothing inside single quotes is special except the quote itself."""
    return b"'" + raw.replace(b"'", b"'\\''") + b"'"


def _fish_quote(raw: bytes) -> bytes:
    """Single-quote for fish, where backslash and quote are the only escapes in single quotes."""
    return b"'" + raw.replace(b"\\", b"\\\\").replace(b"'", b"\\'") + b"'"


def render_block(kind: ShellKind, path_dirs: Sequence[Path]) -> bytes:
    """The complete managed block, markers included.

    Directories are prepended last-to-first so ``path_dirs[0]`` ends up first on PATH. Each
    one is written out literally rather than looped over, so no helper variable is created
    in the person's shell and a reader of the rc file sees exactly what gets added. Each is
    guarded by an "already on PATH?" check so sourcing the file twice adds nothing.
    """
    raws = [_dir_bytes(directory) for directory in path_dirs]
    lines = [START_MARKER, MANAGED_NOTE]
    if kind == "fish":
        for raw in reversed(raws):
            quoted = _fish_quote(raw)
            lines += [
                b"if not contains -- " + quoted + b" $PATH",
                # -g, never -U: a universal variable would outlive the removal of this block.
                b"    set -gx PATH " + quoted + b" $PATH",
                b"end",
            ]
    else:
        for raw in reversed(raws):
            quoted = _posix_quote(raw)
            lines += [
                b'case ":${PATH-}:" in',
                b"    *:" + quoted + b":*) ;;",
                b"    *) PATH=" + quoted + b'"${PATH:+:${PATH}}" ;;',
                b"esac",
            ]
        lines.append(b"export PATH")
    lines.append(END_MARKER)
    return b"\n".join(lines) + b"\n"


# --------------------------------------------------------------------------- block editing


class _UnclosedBlockError(PyshelfError):
    """A start marker without its end marker; carries the line so callers can name the file."""

    def __init__(self, line: int, next_start: int | None) -> None:
        self.line = line
        self.next_start = next_start
        super().__init__(self.describe(""))

    def describe(self, where: str) -> str:
        """The message, optionally naming the file the block is in."""
        before = (
            f" before the next start marker on line {self.next_start}"
            if self.next_start is not None
            else ""
        )
        prefix = f"In {where}, the" if where else "The"
        return (
            f"{prefix} pyshelf block starting on line {self.line} has no end marker line "
            f"'{END_MARKER.decode()}'{before}; add that line where the block ends or delete "
            "the block by hand, then run the command again."
        )


@dataclass(frozen=True)
class _Span:
    """One managed block: byte offsets of its start marker line and just past its end line."""

    start: int
    end: int
    no_eol: bool


def _lines(content: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of each line, newline included; only ``\\n`` ends a line in sh."""
    pos = 0
    size = len(content)
    while pos < size:
        newline = content.find(b"\n", pos)
        end = size if newline == -1 else newline + 1
        yield pos, end
        pos = end


def _find_blocks(content: bytes) -> list[_Span]:
    spans: list[_Span] = []
    open_start: tuple[int, int, bool] | None = None  # offset, line number, no_eol
    for number, (begin, end) in enumerate(_lines(content), start=1):
        stripped = content[begin:end].strip()
        if stripped.startswith(START_MARKER):
            if open_start is not None:
                raise _UnclosedBlockError(open_start[1], number)
            note = stripped[len(START_MARKER) :].strip()
            open_start = (begin, number, note == NO_EOL_NOTE)
        elif stripped.startswith(END_MARKER) and open_start is not None:
            spans.append(_Span(open_start[0], end, open_start[2]))
            open_start = None
        # An end marker with no start is left alone: it is the person's text, not a block.
    if open_start is not None:
        raise _UnclosedBlockError(open_start[1], None)
    return spans


def _with_no_eol_note(block: bytes) -> bytes:
    first_end = block.find(b"\n")
    return START_MARKER + b" " + NO_EOL_NOTE + block[first_end:]


def _drop_separator(out: bytearray, span: _Span, at_eof: bool) -> None:
    """Take away the blank line (and recorded added newline) that came in with a block."""
    if span.no_eol and at_eof:
        if out.endswith(b"\n\n"):
            del out[-2:]
        elif out.endswith(b"\n"):
            del out[-1:]
    elif out.endswith(b"\n\n"):
        del out[-1:]


def has_block(content: bytes) -> int:
    """How many complete managed blocks there are; a start without an end raises instead."""
    return len(_find_blocks(content))


def apply_block(content: bytes, block: bytes | None) -> bytes:
    """Put ``block`` into ``content`` (or take every block out when it is None).

    Pure so it can be property-tested; ``apply_block(apply_block(x, b), None) == x`` for any
    ``x`` without marker lines, and applying the same block twice changes nothing.
    """
    if block is not None and not block.startswith(START_MARKER):
        raise ValueError("block must begin with the pyshelf start marker line")
    spans = _find_blocks(content)
    if not spans:
        if block is None:
            return content
        if not content:
            return block
        if content.endswith(b"\n"):
            return content + b"\n" + block
        return content + b"\n\n" + _with_no_eol_note(block)

    out = bytearray()
    previous = 0
    for index, span in enumerate(spans):
        out += content[previous : span.start]
        if index == 0 and block is not None:
            # Keep the recorded separator so removing later still restores the original.
            out += _with_no_eol_note(block) if span.no_eol else block
        else:
            _drop_separator(out, span, at_eof=span.end == len(content))
        previous = span.end
    out += content[previous:]
    return bytes(out)


# --------------------------------------------------------------------------- files


def _name(path: Path, target: Path) -> str:
    """Name the file as the person gave it, plus where a symlink really points."""
    if path.is_symlink():
        return f"{path} (a link to {target})"
    return str(path)


def _read_existing(path: Path, target: Path) -> tuple[bytes, int] | None:
    """The file's bytes and permission bits, or None when there is no file yet."""
    shown = _name(path, target)
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise PyshelfError(
            f"Cannot look at {shown}: permission denied; fix the permissions of its directory "
            "or choose another file with --shell-config."
        ) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # named as given: where a loop "points" says nothing
            raise PyshelfError(
                f"{path} {LOOP_WORDS}; fix the links or choose another file with "
                "--shell-config."
            ) from exc
        if exc.errno == errno.ENOTDIR:
            raise PyshelfError(
                f"{shown} cannot be made because {nearest_existing(target)} is a file, not a "
                "directory; move it aside or choose another file with --shell-config."
            ) from exc
        raise PyshelfError(
            f"Cannot read {shown}: {exc.strerror}; fix the path or choose another file with "
            "--shell-config."
        ) from exc
    if stat.S_ISDIR(info.st_mode):
        raise PyshelfError(
            f"{shown} is a directory, not a shell config file; give the path of a file with "
            "--shell-config."
        )
    if not stat.S_ISREG(info.st_mode):
        raise PyshelfError(
            f"{shown} is not a regular file, so pyshelf will not edit it; give the path of a "
            "normal file with --shell-config."
        )
    try:
        return target.read_bytes(), stat.S_IMODE(info.st_mode)
    except PermissionError as exc:
        raise PyshelfError(
            f"Cannot read {shown}: permission denied; make it readable (chmod u+r) or choose "
            "another file with --shell-config."
        ) from exc
    except OSError as exc:
        raise PyshelfError(
            f"Cannot read {shown}: {exc.strerror}; fix the file or choose another one with "
            "--shell-config."
        ) from exc


def _check_directory(path: Path, target: Path) -> None:
    """Refuse a new config file in a missing directory that a symlink points into: making
    it would guess what the link's owner meant. (A file in the directory's way was refused
    when the file was looked for.)"""
    directory = target.parent
    if not directory.is_dir() and path.is_symlink():
        raise PyshelfError(
            f"{path} is a symlink to {target}, but the directory {directory} does not exist; "
            "create that directory or fix the link, then run the command again."
        )


def _ensure_directory(path: Path, target: Path) -> None:
    """Create the missing parents of a new config file (fish's conf.d usually)."""
    _check_directory(path, target)
    shown = _name(path, target)
    directory = target.parent
    if directory.is_dir():
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise PyshelfError(
            f"Cannot create the directory {directory} for {shown}: permission denied; create "
            "it yourself or choose another file with --shell-config."
        ) from exc
    except OSError as exc:  # what _check_directory refused, if it appeared since, too
        raise PyshelfError(
            f"Cannot create the directory {directory} for {shown}: {exc.strerror}; create it "
            "yourself or choose another file with --shell-config."
        ) from exc


def _check_writable(path: Path, target: Path, existed: bool) -> None:
    """Refuse up front: os.replace would happily swap out a file the person made read-only."""
    shown = _name(path, target)
    if existed and not os.access(target, os.W_OK):
        raise PyshelfError(
            f"{shown} is not writable; make it writable (chmod u+w) or choose another file "
            "with --shell-config."
        )
    # A new file's missing directories are made from the nearest one that exists.
    if not os.access(nearest_existing(target.parent), os.W_OK | os.X_OK):
        raise PyshelfError(
            f"The directory holding {shown} is not writable, so pyshelf cannot write the file "
            "there; make the directory writable or choose another file with --shell-config."
        )


def _write_backup(target: Path, content: bytes, mode: int) -> None:
    """Keep the person's original once: an existing backup is never replaced."""
    create_file(target.with_name(target.name + BACKUP_SUFFIX), content, mode)


def _apply(path: Path, target: Path, content: bytes, block: bytes | None) -> bytes:
    """:func:`apply_block`, with a half-deleted block refused in a sentence naming the file."""
    try:
        return apply_block(content, block)
    except _UnclosedBlockError as exc:
        raise PyshelfError(exc.describe(_name(path, target))) from exc


def check_config_file(path: Path) -> None:
    """Refuse, changing nothing, a file that cannot take the block, with the sentence that
    writing it would fail with: a directory, a symlink loop, a link into a missing
    directory, an unreadable or unwritable file, a half-deleted block, a directory that
    cannot be written. Moving the block is two writes (into the new file, out of the old
    one); finding out at the second that the first cannot happen is too late."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    existing = _read_existing(path, target)
    if existing is None:
        _check_directory(path, target)
    else:
        _apply(path, target, existing[0], None)
    _check_writable(path, target, existed=existing is not None)


def update_config_file(path: Path, block: bytes | None) -> bool:
    """Make ``path`` hold ``block`` (or no block when None); True when the file changed.

    A symlinked rc file is edited where it really lives so dotfile managers keep working.
    The first time pyshelf changes a file it keeps a ``.pyshelf-backup`` copy next to it.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    existing = _read_existing(path, target)
    if existing is None and block is None:
        return False
    content, mode = existing if existing is not None else (b"", None)
    updated = _apply(path, target, content, block)
    if updated == content:
        return False

    shown = _name(path, target)
    if existing is None:
        _ensure_directory(path, target)
    _check_writable(path, target, existed=existing is not None)
    try:
        if existing is not None and mode is not None:
            _write_backup(target, content, mode)
        replace_file(target, updated, mode)
    except PermissionError as exc:
        raise PyshelfError(
            f"Cannot write {shown}: permission denied; make it and its directory writable or "
            "choose another file with --shell-config."
        ) from exc
    except OSError as exc:
        raise PyshelfError(
            f"Cannot write {shown}: {exc.strerror or exc}; fix the problem or choose another "
            "file with --shell-config, then run the command again."
        ) from exc
    return True
