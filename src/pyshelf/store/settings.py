"""The shelf's settings: what they are, their defaults, what each accepts, and where each
value came from.

Values live in the database's ``config`` table, already in normal form, because they were
checked when ``init`` or ``config set`` stored them. Any setting can be overridden for one
process by ``PYSHELF_<KEY>`` (a company mirror in CI, a test index); those values never went
through ``config set``, so they are checked here, and a bad one names its variable.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from pyshelf.core.records import NamedTuple
from pyshelf.engine.interpreter import find_python
from pyshelf.errors import PyshelfError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Literal

    Source = Literal["default", "file", "environment"]

DEFAULTS: dict[str, str | None] = {
    "python": None,  # python, bin_dir and shell_config are chosen and stored by init
    "bin_dir": None,
    "shell_config": None,
    "modify_shell": "true",  # false: the person puts the shelf on PATH; the config is theirs
    "index_url": None,  # uv's own default index
    "extra_index_urls": None,
    "keep_generations": "5",
    "system_site_packages": "false",
    "expose": "path",  # path: the shelf's bin on PATH; apps: only explicit apps' commands
    "certificate_file": None,  # PEM certificate authorities uv trusts (a proxy's, say)
    "system_certificates": "false",  # trust the operating system's certificate store
    "keyring_provider": "disabled",  # subprocess: credentials from the `keyring` command
    "manifest": None,  # shelf.toml; default $XDG_CONFIG_HOME/pyshelf/shelf.toml
    "bytecode": "background",  # when a new store entry is compiled: background, now or off
}

ENVIRONMENT_OVERRIDES: dict[str, str] = {key: f"PYSHELF_{key.upper()}" for key in DEFAULTS}


class Setting(NamedTuple):
    value: str | None
    source: Source


# --------------------------------------------------------------------------- validators


class InvalidValue(ValueError):
    """What a setting expects, worded to follow "<name> must be", so that the caller can name
    the key (``config set``) or the environment variable the value came from."""


def absolute_path(value: str) -> str:
    """Paths are stored absolute so that a later command run from elsewhere means the same
    file; ``~`` is expanded because a quoted ``~/bin`` reaches pyshelf unexpanded."""
    return str(Path(value).expanduser().absolute())


def _path(raw: str) -> Path:
    if not raw.strip():
        raise InvalidValue("a path, not an empty value")
    return Path(absolute_path(raw))


def _mode(path: Path) -> int | None:
    """The file type at ``path``, or None where nothing can be seen (missing or unreadable:
    writing there reports that better than a guess here)."""
    try:
        return path.stat().st_mode
    except OSError:
        return None


def _directory(raw: str) -> str:
    """A missing directory is fine (the launcher creates it), but not one that could never be
    created because a file is in the way."""
    path = _path(raw)
    for candidate in (path, *path.parents):
        mode = _mode(candidate)
        if mode is None:
            continue
        if not stat.S_ISDIR(mode):
            raise InvalidValue(f"a directory, but {candidate} exists and is not one")
        break
    return str(path)


def _file(raw: str) -> str:
    path = _path(raw)
    if stat.S_ISDIR(_mode(path) or 0):
        raise InvalidValue(f"a file, but {path} is a directory")
    return str(path)


def _readable_file(raw: str) -> str:
    """A certificate bundle is read by uv on every command: one that cannot be read now
    would make every change fail later, far from the setting that caused it."""
    path = _path(raw)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InvalidValue(f"a readable file, and {path} cannot be read ({exc.strerror})") \
            from exc
    if not stat.S_ISREG(_mode(path) or 0):
        raise InvalidValue(f"a file, but {path} is not one")
    return str(path)


def _interpreter(raw: str) -> str:
    """Kept as chosen, not resolved, so that a distribution repointing ``python3`` is noticed
    later instead of being hidden behind the old target."""
    try:
        return find_python(raw)
    except UsageError as exc:
        raise InvalidValue(
            f"a Python interpreter (a name on PATH or a path), and {raw!r} is not one"
        ) from exc


_URL_SCHEMES = ("http", "https", "file")


def _url(raw: str) -> str:
    url = raw.strip()
    expected = f"an http, https or file URL such as https://pypi.org/simple, not {raw!r}"
    try:
        from urllib.parse import urlsplit  # imported where a URL is checked, not on every start

        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number only shows up when asked for
    except ValueError as exc:
        raise InvalidValue(expected) from exc
    needs_host = parts.scheme in ("http", "https")
    if (parts.scheme not in _URL_SCHEMES or any(c.isspace() for c in url)
            or (needs_host and not parts.hostname)
            or (parts.scheme == "file" and not parts.path.startswith("/"))):
        raise InvalidValue(expected)
    return url


def _urls(raw: str) -> str:
    urls = raw.split()
    for url in urls:
        try:
            _url(url)
        except InvalidValue:
            raise InvalidValue(
                f"http, https or file URLs separated by spaces, and {url!r} is not one"
            ) from None
    return " ".join(urls)


def _whole_number(raw: str) -> str:
    if not re.fullmatch(r"\s*[0-9]+\s*", raw) or int(raw) < 1:
        raise InvalidValue(f"a whole number of at least 1, not {raw!r}")
    return str(int(raw))


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _boolean(raw: str) -> str:
    word = raw.strip().lower()
    if word in _TRUE:
        return "true"
    if word in _FALSE:
        return "false"
    raise InvalidValue(f"true or false (or yes/no, on/off, 1/0), not {raw!r}")


EXPOSE_MODES = ("path", "apps")


def _one_of(*words: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        word = raw.strip().lower()
        if word not in words:
            raise InvalidValue(f"{' or '.join(words)}, not {raw!r}")
        return word
    return check


KEYRING_PROVIDERS = ("disabled", "subprocess")
BYTECODE_MODES = ("background", "now", "off")


VALIDATORS: dict[str, Callable[[str], str]] = {
    "python": _interpreter,
    "bin_dir": _directory,
    "shell_config": _file,
    "modify_shell": _boolean,
    "index_url": _url,
    "extra_index_urls": _urls,
    "keep_generations": _whole_number,
    "system_site_packages": _boolean,
    "expose": _one_of(*EXPOSE_MODES),
    "certificate_file": _readable_file,
    "system_certificates": _boolean,
    "keyring_provider": _one_of(*KEYRING_PROVIDERS),
    "manifest": _file,
    "bytecode": _one_of(*BYTECODE_MODES),
}


def known_key(key: str) -> str:
    if key not in DEFAULTS:
        raise UsageError(f"There is no setting {key!r}; the settings are "
                         f"{', '.join(DEFAULTS)}.")
    return key


def normalise(key: str, raw: str) -> str:
    """The form ``raw`` is stored in; a UsageError says what ``key`` expects instead."""
    try:
        return VALIDATORS[known_key(key)](raw)
    except InvalidValue as exc:
        raise UsageError(f"{key} must be {exc}.") from exc


# --------------------------------------------------------------------------- precedence


def effective_settings(stored: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, Setting]:
    """Every known setting: environment beats the stored value, which beats the default.

    An empty variable does not override, so ``PYSHELF_INDEX_URL= pyshelf ...`` is a way to
    switch an exported override off for one command.
    """
    result: dict[str, Setting] = {}
    for key, default in DEFAULTS.items():
        variable = ENVIRONMENT_OVERRIDES[key]
        if environ.get(variable):
            try:
                value = VALIDATORS[key](environ[variable])
            except InvalidValue as exc:
                raise PyshelfError(
                    f"The environment variable {variable} must be {exc}; fix it or unset it."
                ) from exc
            result[key] = Setting(value, "environment")
        elif key in stored:
            result[key] = Setting(stored[key], "file")
        else:
            result[key] = Setting(default, "default")
    return result
