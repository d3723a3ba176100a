"""What the peers install: sets of real packages, and the changes made to each set."""

from __future__ import annotations

from dataclasses import dataclass

SMALL = "cowsay"  # one small package with a command and no dependencies


@dataclass(frozen=True)
class Workload:
    name: str
    packages: tuple[str, ...]
    add: str
    remove: str
    # What pipx and uv tool install of it: they take apps (packages with a console script)
    # only. Empty on a workload of libraries, where their cells read "n/a".
    apps: tuple[str, ...]
    small: str = SMALL  # installed into the set-up setup and removed again
    # A dependency of the packages that pyshelf is asked to install: its role changes, from
    # dependency to explicit, and nothing else does. None: not measured.
    role: str | None = None
    # The peers it runs with unless --peers names them: the pip-driven ones would spend most
    # of a run installing a big setup, and no target needs their numbers on it.
    peers: tuple[str, ...] | None = None


BLOG = ("black", "flake8", "isort", "mypy", "python-lsp-server[all]", "sqlfluff")
BIG_APPS = ("pytest", "jupyterlab", "sphinx", "django", "flask")
# The blog's add is a change of role for pyshelf as well (python-lsp-server[all] brings
# pylint), but one that other peers make too; the role row is pyshelf's alone.
WORKLOADS = {
    "blog": Workload("blog", BLOG, add="pylint", remove="sqlfluff", apps=BLOG,
                     role="pycodestyle"),
    "library": Workload("library", ("requests", "httpx", "pytest", "click", "cryptography"),
                        add="rich", remove="httpx", apps=(), role="idna"),
    "data": Workload("data", ("numpy", "pandas", "matplotlib"), add="scipy",
                     remove="matplotlib", apps=(), role="python-dateutil"),
    "big": Workload("big", (*BLOG, "requests", "httpx", "pytest", "click", "cryptography",
                            "numpy", "pandas", "matplotlib", "scipy", "jupyterlab", "sphinx",
                            "boto3", "django", "flask", "sqlalchemy"),
                    add="httpie", remove="sqlfluff", apps=(*BLOG, *BIG_APPS),
                    role="pycodestyle", peers=("pyshelf", "uv-tool", "py-trkpac")),
}
DEFAULT_WORKLOADS = ("blog", "big")
