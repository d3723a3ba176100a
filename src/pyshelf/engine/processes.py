"""The one place that runs other programs: uv, and the interpreters of generations.

Keeping every subprocess here means reporting commands can be checked to start none, every
uv call gets the same isolating flags (``--no-config``, no Python downloads, a short retry
budget), and uv's failures are turned into sentences in one place.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pyshelf import ui
from pyshelf.engine.backend_output import backend_lines
from pyshelf.engine.network import IndexAccess, index_failure
from pyshelf.errors import ConflictError, DiskFullError, PyshelfError

if TYPE_CHECKING:
    from pyshelf.engine.uv_progress import Tracker

# Variables that would point uv at another environment, interpreter or project than the
# generation pyshelf names explicitly.
_REDIRECTING_VARIABLES = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONHOME",
    "UV_PYTHON",
    "UV_SYSTEM_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
    "UV_REQUIRE_HASHES",
)

# Runs inside a base interpreter (which need not have packaging): reports the facts pyshelf
# records for a generation, with markers and wheel tags computed by packaging itself. A venv
# has its base's markers and tags, so a generation's own interpreter is never started.
_DESCRIBE = r"""
import json, os, site, sys, sysconfig
sys.path.insert(0, sys.argv[1])
from packaging.markers import default_environment
from packaging.tags import sys_tags
print(json.dumps({
    "executable": sys.executable,
    "resolved": os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
    "implementation": sys.implementation.name,
    "version": ".".join(map(str, sys.version_info[:3])),
    "marker_env": default_environment(),
    "site_dirs": site.getsitepackages() if hasattr(site, "getsitepackages") else [],
    "user_site": site.getusersitepackages(),
    "tags": [str(tag) for tag in sys_tags()],
    "abi": sysconfig.get_config_var("SOABI") or sys.implementation.cache_tag,
}))
"""


class InterpreterFacts(NamedTuple):
    executable: str  # the path it runs as, past any launcher script (what uv's venvs link)
    resolved: str
    implementation: str
    version: str
    marker_env: dict[str, str]
    site_dirs: tuple[Path, ...]  # the interpreter's own site-packages (a base's: the system's)
    user_site: Path  # where `pip install --user` puts packages for it
    tags: frozenset[str]  # the wheel tags it installs (``cp313-cp313-manylinux_2_17_x86_64``)
    # What compiled files are built for (``cpython-312-x86_64-linux-gnu``): interpreters
    # that share it can share installed packages, bytecode and extension modules alike.
    abi: str = ""


class Compiled(NamedTuple):
    """What ``uv pip compile`` wrote, and a sentence for each yanked release it chose."""

    text: str
    yanked: list[str]


# uv's wording when a file's hash is not one the requirement allows: `name==version`.
_HASH_MISMATCH = r"Hash mismatch for `([^`=]+)==([^`]+)`"


def find_uv() -> str:
    """uv's binary, shipped by the ``uv`` package next to pyshelf."""
    override = os.environ.get("PYSHELF_UV")
    if override:
        return override
    try:
        from uv import find_uv_bin
    except ImportError as exc:
        raise PyshelfError("uv is not installed next to pyshelf; reinstall pyshelf.") from exc
    try:
        return find_uv_bin()
    except FileNotFoundError as exc:
        raise PyshelfError("uv's binary is missing; reinstall pyshelf.") from exc


def _uv_environment(access: IndexAccess) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_VARIABLES}
    env.update(access.uv_environment(os.environ))
    env.setdefault("UV_HTTP_RETRIES", "1")
    env.setdefault("UV_HTTP_TIMEOUT", "20")
    env["UV_NO_PROGRESS"] = "1"
    return env


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _failed(what: str, stderr: str) -> str:
    """``what`` failed, with the build backend's own words when a build was the cause, else
    uv's last line."""
    said = backend_lines(stderr)
    if said:
        return f"{what}; its build backend said:\n" + "\n".join(f"  {line}" for line in said)
    return f"{what}: {_last_error_line(stderr)}"


def _is_disk_full(stderr: str) -> bool:
    """uv's own wording for ENOSPC, e.g. ``failed to copy file from ... to ...: No space left
    on device (os error 28)``. Checked before the network markers, so a download that could
    not be written to a full cache is never blamed on the network."""
    return "No space left on device" in stderr or "(os error 28)" in stderr


class Engine:
    """Runs uv with the shelf's index settings; ``bytecode`` (the setting) says whether the
    store's new entries are compiled while they are filled (``now``), afterwards in a
    detached child (``background``) or not at all (``off``)."""

    def __init__(self, *, index_url: str | None = None, extra_index_urls: Sequence[str] = (),
                 access: IndexAccess | None = None, verbose: bool = False,
                 bytecode: str = "background") -> None:
        self.index_url = index_url
        self.extra_index_urls = tuple(extra_index_urls)
        self.access = access or IndexAccess()
        self.verbose = verbose
        self.bytecode = bytecode
        self._uv: str | None = None
        # An offline compile of this engine failed: uv's cache lacks something the change
        # asks for (or the requirements conflict, after which a change seldom fills
        # anything), most likely a package uv has never seen, whose wheels it cannot have
        # either; so a sync goes to the index at once. A wrong guess costs what a sync of
        # wheels uv lacks costs: one revalidation of each filled package's page.
        self._cache_lacks = False
        # (python, pin line) -> uv's text of the last ``--no-deps`` pylock of that pin for
        # that python in this process: a release's table never changes, so the entries a
        # fill makes take theirs from the look-up for source builds before the plan.
        self.pylocks: dict[tuple[str, str], str] = {}

    @property
    def uv(self) -> str:
        if self._uv is None:
            self._uv = find_uv()
        return self._uv

    @property
    def index_identity(self) -> str:
        """The indexes packages come from, as one string: a store entry is for these."""
        return " ".join([self.index_url or "", *self.extra_index_urls])

    def _run(self, argv: list[str], watch: Watch | None = None
             ) -> subprocess.CompletedProcess[str]:
        return self._start(argv, watch).finish()

    def _start(self, argv: list[str], watch: Watch | None = None) -> Running:
        if watch is not None:
            watch.begin()
        try:
            process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                errors="replace", env=_uv_environment(self.access), stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise PyshelfError(f"Could not run {argv[0]} ({exc.strerror}).") from exc
        return Running(argv, process, verbose=self.verbose, watch=watch)

    def _index_args(self) -> list[str]:
        args = ["--index-url", self.index_url] if self.index_url else []
        for url in self.extra_index_urls:
            args += ["--extra-index-url", url]
        return args

    def _raise_for(self, result: subprocess.CompletedProcess[str], failure: str) -> None:
        """Turn a failed uv run into one sentence: a full disk, an unreachable index, or
        ``failure``."""
        if result.returncode == 0:
            return
        if _is_disk_full(result.stderr):
            raise DiskFullError(detail=result.stderr)
        self._raise_if_the_index_failed(result.stderr)
        raise PyshelfError(_failed(failure, result.stderr), detail=result.stderr)

    def _raise_if_the_index_failed(self, stderr: str) -> None:
        failure = index_failure(stderr, self.index_url)
        if failure is not None:
            raise PyshelfError(failure.sentence(), detail=stderr)

    def compile(self, requirements_in: Path, lock_out: Path, python: str, *,
                upgrade: bool = False, upgrade_packages: Sequence[str] = (),
                refresh_packages: Sequence[str] = (), constraints: Path | None = None,
                no_emit: Sequence[str] = (), find_links: Path | None = None,
                output_format: str = "requirements.txt", offline: bool = False,
                quiet: bool = False, no_deps: bool = False) -> Compiled:
        """Resolve ``requirements_in`` into ``lock_out``, preferring pins already there;
        ``offline`` resolves from uv's cache alone (and fails if it lacks anything);
        ``quiet`` (a resolve nobody waits on) shows no progress; ``no_deps`` resolves
        exactly the requirements given (pins whose dependencies are pinned already). The
        yanked releases it chose are returned, not said: only the caller knows whether
        this resolution is the one the change uses."""
        argv = [
            self.uv, "pip", "compile", "--no-config", "--no-python-downloads", "--no-header",
            "--no-annotate", "--python", python, *self._index_args(), "--format",
            output_format, "--output-file", str(lock_out), str(requirements_in),
        ]
        if upgrade:
            argv.append("--upgrade")
        for name in upgrade_packages:
            argv += ["--upgrade-package", name]
        for name in refresh_packages:
            argv += ["--refresh-package", name]
        for name in no_emit:
            argv += ["--no-emit-package", name]
        if find_links is not None:
            argv += ["--find-links", str(find_links)]
        if constraints is not None:
            argv += ["--constraint", str(constraints)]
        if offline:
            argv.append("--offline")
        if no_deps:
            argv.append("--no-deps")
        if quiet:
            result = self._run(argv)
        else:
            from pyshelf.engine.uv_progress import Tracker  # only a run that is watched

            with watching(lambda: Tracker.resolving(_requirement_count(requirements_in))
                          ) as watch:
                result = self._run(argv, watch)
        if result.returncode != 0:
            self._cache_lacks = self._cache_lacks or offline
            stderr = result.stderr
            if _is_disk_full(stderr):
                raise DiskFullError(detail=stderr)
            self._raise_if_the_index_failed(stderr)
            from pyshelf.engine.unavailable import unavailable

            missing = unavailable(stderr)
            if missing:
                raise PyshelfError(missing, detail=stderr)
            if "No solution found" in stderr:
                raise ConflictError(
                    "These requirements cannot be installed together; nothing was changed.",
                    detail=_resolver_explanation(stderr),
                )
            raise PyshelfError(_failed("Resolving failed", stderr), detail=stderr)
        from pyshelf.engine.unavailable import yanked  # it reads requirements: not at import

        return Compiled(lock_out.read_text(encoding="utf-8"), yanked(result.stderr))

    def create_venv(self, path: Path, python: str, *, system_site_packages: bool) -> None:
        self.start_venv(path, python, system_site_packages=system_site_packages).wait()

    def start_venv(self, path: Path, python: str, *, system_site_packages: bool
                   ) -> PendingVenv:
        """Start creating the venv and return at once, so resolving can overlap it."""
        argv = [self.uv, "venv", "--no-config", "--no-python-downloads", "--no-project",
                "--quiet", "--python", python, str(path)]
        if system_site_packages:
            argv.append("--system-site-packages")
        return PendingVenv(self._start(argv), python)

    def project_name(self, project: Path, python: str) -> str:
        """The distribution name a local project builds, from its real metadata (names and
        versions may be dynamic, so pyproject.toml is not read by hand)."""
        import tempfile  # only local projects need it; every change imports this module

        with tempfile.TemporaryDirectory(prefix="pyshelf-") as scratch:
            source = Path(scratch) / "project.in"
            source.write_text(project.as_uri() + "\n", encoding="utf-8")
            result = self._run([
                self.uv, "pip", "compile", "--no-config", "--no-python-downloads", "--no-header",
                "--no-annotate", "--no-deps", "--python", python, *self._index_args(),
                str(source),
            ])
        self._raise_for(result, f"Building the project at {project} failed")
        for line in result.stdout.splitlines():
            name, separator, _ = line.partition(" @ ")
            if separator:
                return name.strip()
        raise PyshelfError(f"uv did not report the name of the project at {project}.")

    def sync(self, lock: Path, python: Path, *, reinstall: Sequence[str] = (),
             compile_bytecode: bool = False, only_cached: bool = False) -> None:
        """Make the environment hold exactly ``lock``.

        Every version is pinned and a release never changes, so uv's cache is tried alone
        first: with the wheels cached that skips one index revalidation per package. Only
        if the cache lacks something does uv go to the index (sync finishes what the first
        attempt began), and at once where an offline compile of this engine found the
        cache lacking already (an install of a package uv has never seen), since the first
        attempt could only fail. ``compile_bytecode`` compiles what the environment holds, in
        parallel, so that no first import has to. ``only_cached`` installs from the cache's
        wheels alone, quietly, or fails: a guess made ahead of the plan (a rebuild's prefill)
        must neither fetch nor build what the plan has not named."""
        argv = [
            self.uv, "pip", "sync", "--no-config", "--no-python-downloads",
            "--allow-empty-requirements", "--python", str(python), *self._index_args(),
            str(lock),
        ]
        if compile_bytecode:
            argv.append("--compile-bytecode")
        for name in reinstall:
            argv += ["--reinstall-package", name]
        if only_cached:
            self._raise_for(self._run([*argv, "--offline", "--no-build"]),
                            "Installing the packages from uv's cache failed")
            return
        from pyshelf.engine.uv_progress import Tracker

        with watching(lambda: Tracker.installing(_requirement_count(lock))) as watch:
            if not self._cache_lacks and self._run([*argv, "--offline"], watch).returncode == 0:
                return
            self._raise_for(self._run(argv, watch), "Installing the packages failed")

    def check_hashes(self, requirements: Path, target: Path, python: str, *, source: str
                     ) -> None:
        """Have uv fetch each of ``requirements`` (exact pins with their ``--hash`` options,
        no dependencies) into the scratch folder ``target`` with hash checking on, from its
        cache alone first; a file whose hash is not one ``source`` gives raises the sentence
        that names the package. The wheels stay in uv's cache, which is where the build
        installs them from."""
        argv = [
            self.uv, "pip", "install", "--no-config", "--no-python-downloads", "--quiet",
            "--no-deps", "--require-hashes", "--target", str(target), "--python", python,
            *self._index_args(), "-r", str(requirements),
        ]
        result = self._run([*argv, "--offline"])
        if result.returncode != 0 and not re.search(_HASH_MISMATCH, result.stderr):
            result = self._run(argv)  # the cache lacked a file
        mismatch = re.search(_HASH_MISMATCH, result.stderr) if result.returncode else None
        if mismatch:
            name, version = mismatch.groups()
            raise PyshelfError(f"The file the package index has for {name} {version} does not "
                               f"match its hash in {source}; nothing was changed.",
                               detail=result.stderr)
        self._raise_for(result, f"Checking the hashes in {source} failed")

    def install_into(self, target: Path, python: str, specs: Sequence[str], *,
                     no_deps: bool = False) -> None:
        """Install ``specs`` as plain folders into ``target`` (``--target``): pyshelf's own
        copy, which belongs to no interpreter."""
        result = self._run([
            self.uv, "pip", "install", "--no-config", "--no-python-downloads", "--quiet",
            "--target", str(target), "--python", python,
            *(["--no-deps"] if no_deps else []), *self._index_args(), "--", *specs,
        ])
        self._raise_for(result, "Installing pyshelf's own copy failed")

    def newer_versions(self, python: Path) -> dict[str, str]:
        """Canonical name -> the newest version on the index, for each package installed
        for ``python`` that has a newer one (``uv pip list --outdated``)."""
        from packaging.utils import canonicalize_name

        result = self._run([
            self.uv, "pip", "list", "--no-config", "--no-python-downloads", "--outdated",
            "--format", "json", "--python", str(python), *self._index_args(),
        ])
        self._raise_for(result, "Looking up newer releases failed")
        try:
            rows = json.loads(result.stdout or "[]")
            return {canonicalize_name(row["name"]): str(row["latest_version"]) for row in rows}
        except (ValueError, TypeError, KeyError) as exc:
            raise PyshelfError("uv's list of newer releases could not be read.",
                               detail=result.stdout) from exc

    def describe(self, python: str) -> InterpreterFacts:
        """Start ``python`` once and read the facts a generation records about it."""
        return self.start_describe(python).result()

    def start_describe(self, python: str) -> PendingFacts:
        """Start describing ``python`` and return at once, so other work can overlap it."""
        import packaging

        packaging_parent = str(Path(packaging.__file__).parent.parent)
        try:
            process = subprocess.Popen(
                [python, "-I", "-c", _DESCRIBE, packaging_parent],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise PyshelfError(f"The interpreter {python} cannot be started ({exc.strerror}).") \
                from exc
        return PendingFacts(python, process)


def compile_bytecode(python: str, targets: Sequence[Path], *, parallel: bool) -> None:
    """Compile the modules at ``targets`` (files, or folders walked whole) with ``python``
    and wait: see :func:`start_compiling`."""
    start_compiling(python, targets, parallel=parallel).wait()


class Compiling:
    """A compile of bytecode under way; :meth:`wait` lets it finish."""

    def __init__(self, process: subprocess.Popen[bytes] | None) -> None:
        self._process = process

    def wait(self) -> None:
        if self._process is not None:
            self._process.wait()


def start_compiling(python: str, targets: Sequence[Path], *, parallel: bool) -> Compiling:
    """Begin compiling the modules at ``targets`` with ``python``, as uv's
    ``--compile-bytecode`` does: the interpreter's own magic number, no optimisation level,
    pycs checked by the source's timestamp. ``py_compile`` writes each pyc to a temporary
    name and renames it, so a pyc cut short by a kill is never read. Bytecode is a cache:
    a module that does not compile (a test file for Python 2) is left without, as is
    everything if the interpreter cannot start, and what compiling prints (old packages'
    SyntaxWarnings) is dropped."""
    if not targets:
        return Compiling(None)
    argv = [python, "-I", "-m", "compileall", "-q", "--invalidation-mode", "timestamp",
            *(["-j", "0"] if parallel else []), *map(str, targets)]
    try:
        return Compiling(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
    except OSError:
        return Compiling(None)


def start_pyshelf_detached(code: str, args: Sequence[str], *, keep: Collection[int] = ()
                           ) -> bool:
    """Start ``code`` (Python) in a fresh interpreter of pyshelf's own, detached (its own
    session, no terminal, no pipe of ours), with ``args`` as ``sys.argv[1:]`` and the
    descriptors ``keep``, and return at once; False when it could not be started.

    A fresh interpreter rather than a fork: SQLite must not be used in a child forked from
    a process that has the database open, and the child records what it did there."""
    import sys

    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         pass_fds=tuple(keep), start_new_session=True, env=environ)
    except OSError:
        return False
    return True


def detach(work: Callable[[], None], *, keep: Collection[int] = ()) -> bool:
    """Run ``work`` in a detached child at low priority and return at once; False when no
    child could be made (the caller then decides whether to do the work itself).

    The child is its own session, has no terminal and no pipe of ours, and keeps no
    descriptor but ``keep``: the writer lock it inherited would otherwise hold the next
    change until the child is done. It never returns into pyshelf."""
    try:
        child = os.fork()
    except OSError:
        return False
    if child:
        return True
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        for fd in _open_descriptors():
            if fd > 2 and fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        with contextlib.suppress(OSError):
            os.nice(10)
        work()
    finally:
        os._exit(0)


def _open_descriptors() -> list[int]:
    """This process's open descriptors (Linux and macOS both list them in ``/dev/fd``)."""
    try:
        return [int(entry.name) for entry in Path("/dev/fd").iterdir() if entry.name.isdigit()]
    except OSError:
        return list(range(3, 256))


def _requirement_count(path: Path) -> int:
    """How many requirements a file pyshelf wrote for uv holds: one a line, and of the option
    lines only ``-e`` names one. A count for the display; nothing is read out of them."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return sum(1 for line in lines if line and not line.startswith("#")
               and (not line.startswith("-") or line.startswith("-e ")))


class Watch:
    """One step's uv runs told to the person as uv writes its lines (the step may run uv
    twice: from its cache, then from the index)."""

    def __init__(self, progress: ui.Progress, tracker: Callable[[], Tracker]) -> None:
        self._progress = progress
        self._new_tracker = tracker
        self._tracker = tracker()

    def begin(self) -> None:
        """A new run starts afresh: what a failed one had in flight is not in flight now."""
        self._tracker = self._new_tracker()
        opening = self._tracker.opening()
        self._progress.update(opening.status, opening.line)

    def __call__(self, line: str) -> None:
        update = self._tracker.feed(line)
        if update is not None:
            self._progress.update(update.status, update.line)


@contextmanager
def watching(tracker: Callable[[], Tracker]) -> Iterator[Watch]:
    """A :class:`Watch` whose display is erased when the step ends, however it ends."""
    with ui.Progress() as progress:
        yield Watch(progress, tracker)


class Running:
    """A uv working in the background; ``finish`` waits for it and returns what it said.

    Its stderr is read line by line in a thread of its own as uv writes it, which feeds
    ``watch`` and keeps the whole text for the errors made of it; meanwhile ``finish``
    reads stdout, so neither pipe can fill and stall uv."""

    def __init__(self, argv: list[str], process: subprocess.Popen[str], *, verbose: bool,
                 watch: Watch | None = None) -> None:
        self._argv = argv
        self._process = process
        self._verbose = verbose
        self._started = time.perf_counter()
        self._stderr: list[str] = []
        self._reader = threading.Thread(target=self._read_stderr, args=(watch,), daemon=True)
        self._reader.start()

    def _read_stderr(self, watch: Watch | None) -> None:
        assert self._process.stderr is not None
        with self._process.stderr as stream:
            for line in stream:
                self._stderr.append(line)
                if watch is None:
                    continue
                try:
                    watch(line)
                except Exception:
                    # A display that fails (its terminal gone) must not stop the draining,
                    # or uv would block on a full pipe.
                    watch = None

    def finish(self) -> subprocess.CompletedProcess[str]:
        assert self._process.stdout is not None
        try:
            with self._process.stdout as stream:
                stdout = stream.read()
            self._process.wait()
            self._reader.join()
        except BaseException:  # Ctrl-C while waiting: uv must not outlive the change
            self.cancel()
            raise
        if self._verbose:
            took = time.perf_counter() - self._started
            ui.detail(f"+ {shlex.join(self._argv)}  ({took:.3f} s, exit "
                      f"{self._process.returncode})")
        return subprocess.CompletedProcess(self._argv, self._process.returncode, stdout,
                                           "".join(self._stderr))

    def cancel(self) -> None:
        """Stop it if it still runs, and wait for it to be gone."""
        if self._process.returncode is None:
            self._process.kill()
            self._process.wait()


class PendingVenv:
    """``uv venv`` running in the background; ``wait`` raises what ``create_venv`` would."""

    def __init__(self, running: Running, python: str) -> None:
        self._running = running
        self._python = python

    def wait(self) -> None:
        result = self._running.finish()
        if result.returncode != 0:
            if _is_disk_full(result.stderr):
                raise DiskFullError(detail=result.stderr)
            raise PyshelfError(
                f"Creating the environment with {self._python} failed: "
                f"{_last_error_line(result.stderr)}",
                detail=result.stderr,
            )

    def cancel(self) -> None:
        self._running.cancel()


class PendingFacts:
    """An interpreter being described in the background; ``result`` waits for it. One
    made by :meth:`known` holds facts read before, and starts nothing."""

    def __init__(self, python: str, process: subprocess.Popen[str] | None) -> None:
        self._python = python
        self._process = process
        self._facts: InterpreterFacts | None = None
        self.printed: str | None = None  # what a started interpreter printed, once read
        self.identity: str | None = None  # what those facts hold for (``interpreter.identity``)
        self._reading = threading.Lock()  # a rebuild's prefill asks from a thread too

    @classmethod
    def known(cls, python: str, printed: str) -> PendingFacts:
        """Facts an earlier description of the same interpreter printed."""
        pending = cls(python, None)
        pending._facts = facts_from(printed)
        return pending

    def result(self) -> InterpreterFacts:
        with self._reading:
            if self._facts is None:
                self._facts = self._read()
            return self._facts

    def error(self) -> PyshelfError | None:
        """Why the interpreter failed to start, if it did: a clearer cause than whatever
        uv, running the same interpreter meanwhile, made of it."""
        try:
            self.result()
        except PyshelfError as exc:
            return exc
        return None

    def _read(self) -> InterpreterFacts:
        assert self._process is not None  # a known one has its facts
        stdout, stderr = self._process.communicate()
        if self._process.returncode != 0:
            raise PyshelfError(
                f"The interpreter {self._python} does not start: {_last_error_line(stderr)}",
                detail=stderr,
            )
        facts = facts_from(stdout)
        self.printed = stdout
        return facts

    def cancel(self) -> None:
        """Stop the interpreter unless its facts were read; safe to call more than once."""
        if (self._facts is None and self._process is not None
                and self._process.returncode is None):
            self._process.kill()
            self._process.communicate()


def facts_from(printed: str) -> InterpreterFacts:
    """The facts in what :data:`_DESCRIBE` printed."""
    facts = json.loads(printed)
    return InterpreterFacts(
        executable=facts["executable"], resolved=facts["resolved"],
        implementation=facts["implementation"], version=facts["version"],
        marker_env=facts["marker_env"],
        site_dirs=tuple(Path(d) for d in facts["site_dirs"]),
        user_site=Path(facts["user_site"]),
        tags=frozenset(facts["tags"]), abi=facts["abi"],
    )


def _resolver_explanation(stderr: str) -> str:
    """uv's explanation without its ``error:``/``hint:`` prefixes, indented for reading."""
    lines = []
    for raw in stderr.strip().splitlines():
        line = raw.rstrip()
        for prefix in ("error: ", "  cause: "):
            if line.startswith(prefix):
                line = line[len(prefix):]
        if line.strip():
            lines.append("  " + line.strip())
    return "\n".join(lines)


class NewShell(NamedTuple):
    """What a freshly started interactive shell of the person's kind sees."""

    path: list[str]
    python3: str | None


_PROBE_MARK = "pyshelf-probe"


def probe_new_shell(shell: str, path: str) -> NewShell | None:
    """Start ``shell`` interactively (so it reads the person's startup files) with ``path``
    as PATH, and ask it for its PATH and its ``python3``: the only way to know what a new
    terminal really gets. None if the shell is missing, fails or takes too long.

    The shell runs in its own session, so an interactive shell cannot grab (and stop on) the
    terminal pyshelf runs in.
    """
    script = (f"printf '%s\\n' \"{_PROBE_MARK}-path:$PATH\"; "
              f"printf '%s\\n' \"{_PROBE_MARK}-python3:$(command -v python3)\"")
    try:
        result = subprocess.run(
            [shell, "-i", "-c", script], capture_output=True, text=True, errors="replace",
            env={**os.environ, "PATH": path}, stdin=subprocess.DEVNULL, timeout=10,
            start_new_session=True, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        if key.startswith(f"{_PROBE_MARK}-"):
            found[key[len(_PROBE_MARK) + 1:]] = value
    if "path" not in found:
        return None
    return NewShell(path=found["path"].split(":"), python3=found.get("python3") or None)


def run_other_tool(command: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Run another tool's own command (pipx's or pip's uninstall, after an adopt); True if it
    succeeded. A tool that is missing or fails is the caller's to report, never a crash:
    the change it follows is already made."""
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, check=False,
                                stdin=subprocess.DEVNULL, env=dict(environ))
    except OSError:
        return False
    return result.returncode == 0
