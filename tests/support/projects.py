"""Local projects on disk for the tests of ``install ./path`` and ``install -e``."""

from __future__ import annotations

from pathlib import Path


def write_project(root: Path, name: str, version: str, *, dependencies: tuple[str, ...] = (),
                  message: str = "hello", script: str | None = None,
                  editable: str = "path") -> Path:
    """A project built by tinybackend, with its version dynamic (read from VERSION); its
    editable install is a ``.pth`` naming its folder, or with ``editable="finder"`` the
    import hook setuptools installs."""
    package = name.replace("-", "_")
    root.mkdir(parents=True, exist_ok=True)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    scripts = f'\n[project.scripts]\n{script} = "{package}:main"\n' if script else ""
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["tinybackend"]\nbuild-backend = "tinybackend"\n\n'
        f'[project]\nname = "{name}"\ndynamic = ["version"]\ndependencies = [{deps}]\n'
        + scripts
        + ('\n[tool.tinybackend]\neditable = "finder"\n' if editable == "finder" else "")
    )
    (root / "VERSION").write_text(version + "\n")
    set_message(root, name, message)
    return root


def set_message(root: Path, name: str, message: str) -> None:
    """Change only a .py file, which a cached build would not notice."""
    package = root / name.replace("-", "_")
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(
        f"MESSAGE = {message!r}\n\n\ndef main() -> int:\n    print(MESSAGE)\n    return 0\n"
    )
