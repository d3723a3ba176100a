"""An isolated HOME in which the real ``pyshelf`` console script is run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["SYSTEM_PATH", "Sandbox", "pyshelf_script"]

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"

# Variables that would let the developer's own setup leak into a test.
_DROP_EXACT = frozenset({"XDG_DATA_HOME", "XDG_CONFIG_HOME", "VIRTUAL_ENV", "PYTHONPATH"})
_DROP_PREFIXES = ("UV_", "PYSHELF_")


def pyshelf_script() -> Path:
    """The installed entry point, so tests cover packaging as well as the code."""
    return Path(sys.executable).parent / "pyshelf"


def _format_failure(args: list[str], proc: subprocess.CompletedProcess[str]) -> str:
    return (
        f"command failed: {args!r}\n"
        f"exit code: {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}"
        f"--- stderr ---\n{proc.stderr}"
    )


class Sandbox:
    def __init__(
        self,
        home: Path,
        *,
        base_python: Path,
        index_url: str,
        uv_cache_dir: Path,
    ) -> None:
        self.home = home
        self.base_python = base_python
        self.index_url = index_url
        self.uv_cache_dir = uv_cache_dir
        self.shelf_home = home / ".local" / "share" / "pyshelf"
        self.bin_dir = home / ".local" / "bin"
        self.rc = home / ".bashrc"
        home.mkdir(parents=True, exist_ok=True)

        env = {
            key: value
            for key, value in os.environ.items()
            if key not in _DROP_EXACT and not key.startswith(_DROP_PREFIXES)
        }
        env.update(
            HOME=str(home),
            SHELL="/bin/bash",
            UV_CACHE_DIR=str(uv_cache_dir),
            # uv retries a refused connection three times with backoff (~10 s); the test index
            # is local, so a failure is never transient and retrying only slows offline tests.
            UV_HTTP_RETRIES="0",
            NO_COLOR="1",
            PYSHELF_INDEX_URL=index_url,
            # compiled while the store is filled, so that no child is still writing into it
            # when a test looks at the store or copies a shelf
            PYSHELF_BYTECODE="now",
            PATH=f"{Path(sys.executable).parent}:{SYSTEM_PATH}",
        )
        self.env: dict[str, str] = env

    def run(
        self,
        *args: str,
        input: str | None = None,
        check: bool | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(pyshelf_script()), *args]
        proc = subprocess.run(
            argv,
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.home,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(_format_failure(argv, proc))
        return proc

    def ok(
        self, *args: str, input: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return self.run(*args, input=input, check=True, timeout=timeout)

    def init(self, *extra_args: str) -> subprocess.CompletedProcess[str]:
        return self.ok("init", "--python", str(self.base_python), "--yes", *extra_args)

    def bash(
        self, script: str, *, login: bool = False, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run ``script`` in a fresh bash that sees only what the user's startup files add.

        PATH starts from the bare system value, so a command is found only if pyshelf's rc edit
        put it there. ``login=True`` sources the first of ~/.bash_profile, ~/.bash_login and
        ~/.profile (bash's login order) instead of ~/.bashrc; /etc/profile is skipped because
        it may reset PATH and is not pyshelf's to edit.
        """
        if login:
            prelude = (
                'for f in "$HOME/.bash_profile" "$HOME/.bash_login" "$HOME/.profile"; do\n'
                '  if [ -f "$f" ]; then . "$f"; break; fi\n'
                "done\n"
            )
        else:
            prelude = 'if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n'
        env = {**self.env, "PATH": SYSTEM_PATH}
        return subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", prelude + script],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd=self.home,
            timeout=timeout,
            check=False,
        )
