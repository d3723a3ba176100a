"""The source of ``tinybackend``, a PEP 517 build backend published in the test index.

Local-project tests need a backend that installs without the network; this one uses only
the standard library. It reads ``[project]`` from pyproject.toml (before Python 3.11, whose
standard library parses no TOML, only the subset ``write_project`` writes), takes the
version from a ``VERSION`` file when it is listed as dynamic (so a project's name and
version can only be known by building it), packs every top-level package directory, and
supports editable installs the two ways real backends make them: a ``.pth`` file listing
the project folder (hatchling, setuptools' compat mode), or, with ``[tool.tinybackend]
editable = "finder"``, setuptools' ``__editable__.<name>-<version>.pth`` whose import line
installs a finder module mapping each package to its folder.
"""

BACKEND = r'''
import base64, hashlib, io, json, os, zipfile

try:
    import tomllib
except ImportError:  # Python 3.10, whose build environment has no TOML parser
    tomllib = None

def _toml(path):
    if tomllib is not None:
        with open(path, "rb") as f:
            return tomllib.load(f)
    # The subset write_project writes: [table] headers and keys whose values are JSON too.
    data = table = {}
    with open(path) as f:
        for line in map(str.strip, f):
            if line.startswith("["):
                table = data
                for part in line.strip("[]").split("."):
                    table = table.setdefault(part, {})
            elif line:
                key, _, value = line.partition("=")
                table[key.strip()] = json.loads(value)
    return data

def _project():
    project = _toml("pyproject.toml")["project"]
    if "version" in project.get("dynamic", []):
        with open("VERSION") as f:
            project["version"] = f.read().strip()
    if project.get("name") == "broken-on-purpose":
        raise RuntimeError("this project refuses to build")
    return project

def _stem(project):
    return project["name"].replace("-", "_").replace(".", "_") + "-" + project["version"]

def _metadata(project):
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"],
             "Version: " + project["version"]]
    lines += ["Requires-Dist: " + r for r in project.get("dependencies", [])]
    return "\n".join(lines) + "\n"

def _entry_points(project):
    scripts = project.get("scripts", {})
    if not scripts:
        return None
    return "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())

def _packages():
    return sorted(d for d in os.listdir(".")
                  if os.path.isfile(os.path.join(d, "__init__.py")))

def _write(path, files):
    record, stem_info = [], [n for n in files if n.endswith("dist-info/METADATA")][0]
    info = stem_info.rsplit("/", 1)[0]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{name},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")

def _wheel(wheel_directory, editable):
    project = _project()
    stem = _stem(project)
    files = {}
    if editable and _tool().get("editable") == "finder":
        files.update(_finder_files(stem))
    elif editable:
        files[stem.split("-")[0] + ".pth"] = (os.path.abspath(".") + "\n").encode()
    else:
        for package in _packages():
            for root, _, names in os.walk(package):
                for name in names:
                    if name.endswith(".py"):
                        full = os.path.join(root, name)
                        with open(full, "rb") as f:
                            files[full.replace(os.sep, "/")] = f.read()
    files[f"{stem}.dist-info/METADATA"] = _metadata(project).encode()
    files[f"{stem}.dist-info/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tinybackend\n"
                                       b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    entry_points = _entry_points(project)
    if entry_points:
        files[f"{stem}.dist-info/entry_points.txt"] = entry_points.encode()
    name = f"{stem}-py3-none-any.whl"
    _write(os.path.join(wheel_directory, name), files)
    return name

def _tool():
    return _toml("pyproject.toml").get("tool", {}).get("tinybackend", {})

FINDER = """import importlib.util, sys

MAPPING = {mapping!r}


class _EditableFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname not in MAPPING:
            return None
        folder = MAPPING[fullname]
        return importlib.util.spec_from_file_location(
            fullname, folder + "/__init__.py", submodule_search_locations=[folder])


def install():
    if _EditableFinder not in sys.meta_path:
        sys.meta_path.append(_EditableFinder)
"""

def _finder_files(stem):
    finder = "__editable___" + stem.replace("-", "_").replace(".", "_") + "_finder"
    mapping = {package: os.path.abspath(package) for package in _packages()}
    return {f"__editable__.{stem}.pth": f"import {finder}; {finder}.install()\n".encode(),
            f"{finder}.py": FINDER.format(mapping=mapping).encode()}

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_editable(config_settings=None):
    return []

def get_requires_for_build_sdist(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, editable=False)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, editable=True)

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError("tinybackend builds wheels only")
'''
