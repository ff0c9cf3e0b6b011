"""Install a shapely wheel into the plugin's private folder of the QGIS profile, for the Python QGIS runs.

Sources, each ending in :func:`install_wheel_file`:

* a wheel file the planner picked (offline offices);
* an intranet QGIS plugin repository written by ``make package``: ``plugins.xml`` with ``wheels/index.json``
  and the wheels beside it (:func:`install_from_repository`);
* the package index pip is configured for, through pip run by QGIS's own Python (:func:`install_with_pip`).

A wheel is checked before anything is written: its name (shapely ≥ 2.0), its tags against this Python
(version, ABI, platform), the numpy it asks for against the numpy QGIS has. It is unpacked beside the target
and swapped in; the new shapely is imported and smoke-tested, and on any failure the previous folder comes
back. numpy and every other package of QGIS's Python are never touched (pip runs with ``--no-deps`` and only
downloads).

Standard library only, so that it runs before shapely exists, in QGIS and in a plain Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from . import tr
from .loader import MIN_SHAPELY, interpreter_key, private_dir, version_tuple

WHEEL_NAME = re.compile(
    r"^(?P<name>[^-]+)-(?P<version>[^-]+)(?:-(?P<build>\d[^-]*))?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$"
)
INDEX_FILE = "index.json"
WHEELS_DIR = "wheels"
STAGING_PREFIX = ".staging-"
PREVIOUS_PREFIX = ".previous-"


class InstallError(Exception):
    """A translated message for the planner; nothing was changed."""


@dataclass(frozen=True)
class Wheel:
    filename: str
    name: str
    version: str
    tags: frozenset  # of (python, abi, platform)

    @classmethod
    def parse(cls, filename: str) -> Wheel:
        match = WHEEL_NAME.match(os.path.basename(filename))
        if not match:
            raise InstallError(
                tr("{name} is not a wheel file name (name-version-python-abi-platform.whl).").format(
                    name=os.path.basename(filename)
                )
            )
        tags = frozenset(
            (py, abi, plat)
            for py in match["py"].split(".")
            for abi in match["abi"].split(".")
            for plat in match["plat"].split(".")
        )
        return cls(os.path.basename(filename), match["name"].lower().replace("_", "-"), match["version"], tags)

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_tuple(self.version)

    def describe(self) -> str:
        pythons = sorted({py for py, _, _ in self.tags})
        platforms = sorted({plat for _, _, plat in self.tags})
        return f"{'/'.join(pythons)} · {', '.join(platforms)}"


# ---------------------------------------------------------------------------------------------- this Python


def _glibc() -> tuple[int, int] | None:
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return None
    match = re.match(r"glibc (\d+)\.(\d+)", text)
    return (int(match[1]), int(match[2])) if match else None


def _platform_tags() -> list[str]:
    machine = platform.machine().lower()
    if sys.platform.startswith("linux"):
        arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
        tags = []
        glibc = _glibc()
        if glibc and glibc[0] == 2:
            for minor in range(glibc[1], 4, -1):
                tags.append(f"manylinux_2_{minor}_{arch}")
                legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}.get(minor)
                if legacy:
                    tags.append(f"{legacy}_{arch}")
        return [*tags, f"linux_{arch}"]
    if sys.platform == "win32":
        return {"amd64": ["win_amd64"], "x86_64": ["win_amd64"], "arm64": ["win_arm64"]}.get(machine, ["win32"])
    if sys.platform == "darwin":
        release = platform.mac_ver()[0] or "10.9"
        major, minor = (int(x) for x in [*release.split("."), "0"][:2])
        arch = "arm64" if machine == "arm64" else "x86_64"
        versions = [(m, 0) for m in range(major, 10, -1)] + [(10, n) for n in range(15 if major > 10 else minor, 8, -1)]
        return [f"macosx_{a}_{b}_{kind}" for a, b in versions for kind in (arch, "universal2")]
    return []


def interpreter_tags() -> set[tuple[str, str, str]]:
    """The wheel tags this Python can run (CPython extension wheels, abi3 and pure-Python wheels)."""
    key = interpreter_key()
    major, minor = sys.version_info[:2]
    platforms = _platform_tags()
    tags = {(key, key, plat) for plat in platforms}
    tags |= {(f"cp{major}{m}", "abi3", plat) for m in range(2, minor + 1) for plat in platforms}
    tags |= {(py, "none", "any") for py in (f"py{major}", f"py{major}{minor}", key)}
    return tags


def describe_interpreter() -> str:
    return f"CPython {sys.version_info.major}.{sys.version_info.minor} · {sys.platform} {platform.machine()}"


def numpy_version() -> str | None:
    try:
        import numpy
    except ImportError:
        return None
    return numpy.__version__


# ---------------------------------------------------------------------------------------------- requirements


def _compare(left: tuple[int, ...], op: str, right: tuple[int, ...]) -> bool:
    width = max(len(left), len(right))
    a = left + (0,) * (width - len(left))
    b = right + (0,) * (width - len(right))
    return {
        ">=": a >= b,
        ">": a > b,
        "<=": a <= b,
        "<": a < b,
        "==": a == b,
        "!=": a != b,
        "~=": a >= b and a[: len(right) - 1] == b[: len(right) - 1],
    }[op]


def satisfies(version: str, specifier: str) -> bool:
    """``satisfies("1.24.2", ">=1.21,<3")``: the subset of PEP 440 that wheels' numpy requirements use."""
    for clause in filter(None, (part.strip() for part in specifier.split(","))):
        match = re.match(r"(~=|==|!=|<=|>=|<|>)\s*([0-9][0-9.*]*)", clause)
        if not match:
            continue
        op, target = match.groups()
        if target.endswith(".*"):
            prefix = version_tuple(target[:-2])
            same = version_tuple(version)[: len(prefix)] == prefix
            if (op == "==" and not same) or (op == "!=" and same):
                return False
            continue
        if not _compare(version_tuple(version), op, version_tuple(target)):
            return False
    return True


def wheel_metadata(path: Path):
    """The METADATA of a wheel file (an email.message.Message)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if not names:
                raise InstallError(tr("{file} has no METADATA: it is not a complete wheel.").format(file=path.name))
            return Parser().parsestr(archive.read(names[0]).decode("utf-8", "replace"))
    except (zipfile.BadZipFile, OSError) as error:
        raise InstallError(
            tr("{file} cannot be read as a wheel (a damaged or incomplete download?): {error}").format(
                file=path.name, error=error
            )
        ) from error


def numpy_requirement(metadata) -> str:
    """The version specifier the wheel puts on numpy ('' when it names none)."""
    for requirement in metadata.get_all("Requires-Dist") or []:
        if ";" in requirement and "extra" in requirement.split(";", 1)[1]:
            continue
        match = re.match(r"\s*numpy\s*\(?([^;)]*)\)?", requirement, re.IGNORECASE)
        if match:
            return match[1].strip()
    return ""


def check_wheel(path: Path) -> Wheel:
    """Refuse, with a message that says why, a wheel this QGIS cannot use."""
    wheel = Wheel.parse(path.name)
    if wheel.name != "shapely":
        raise InstallError(tr("{file} is not a shapely wheel.").format(file=wheel.filename))
    if wheel.version_key < MIN_SHAPELY:
        raise InstallError(
            tr("{file} is shapely {version}; Community Grids needs shapely ≥ 2.0.").format(
                file=wheel.filename, version=wheel.version
            )
        )
    if not wheel.tags & interpreter_tags():
        raise InstallError(
            tr("{file} is built for {wheel}, but this QGIS runs {here}. Choose the wheel for {python}.").format(
                file=wheel.filename, wheel=wheel.describe(), here=describe_interpreter(), python=interpreter_key()
            )
        )
    metadata = wheel_metadata(path)
    wanted = numpy_requirement(metadata)
    have = numpy_version()
    if have is None:
        raise InstallError(tr("This QGIS's Python has no numpy, which shapely needs."))
    if wanted and not satisfies(have, wanted):
        raise InstallError(
            tr(
                "{file} needs numpy {wanted}, but this QGIS has numpy {have}, which the plugin never changes. "
                "Choose an older shapely (2.0 or 2.1 run on numpy 1.21 and newer)."
            ).format(file=wheel.filename, wanted=wanted, have=have)
        )
    return wheel


# ---------------------------------------------------------------------------------------------- installing


def clean_stale(parent: Path) -> None:
    """Remove staging folders of installs that were killed, and restore a target a killed swap left missing."""
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith(STAGING_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
    for entry in parent.iterdir():
        if entry.name.startswith(PREVIOUS_PREFIX):
            target = parent / entry.name[len(PREVIOUS_PREFIX) :].split("-", 1)[-1]
            if target.exists():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.rename(target)


def _extract(path: Path, into: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            parts = Path(member.filename).parts
            if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise InstallError(
                    tr("{file} contains an unsafe path: {name}").format(file=path.name, name=member.filename)
                )
        archive.extractall(into)


def _default_verify(target: Path) -> str | None:
    """Import the new shapely (deep-bound on Linux) and smoke-test it; None when it works."""
    from .loader import _forget, import_deep_bound, smoke_test

    if "shapely" in sys.modules:
        return None  # a shapely is already loaded in this process; the new one is used after a restart
    try:
        module = import_deep_bound(target)
    except Exception as error:
        _forget()
        return f"{type(error).__name__}: {error}"
    failure = smoke_test(module)
    if failure:
        _forget()
    return failure


def install_wheel_file(path, profile, *, verify=_default_verify, log=print) -> Path:
    """Check ``path`` and install it into the profile's private folder; returns that folder."""
    path = Path(path)
    if not path.is_file():
        raise InstallError(tr("The wheel file {file} does not exist.").format(file=path))
    wheel = check_wheel(path)
    target = private_dir(profile)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_stale(parent)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as error:
        raise InstallError(tr("Cannot write to {folder}: {error}").format(folder=parent, error=error)) from error
    previous = parent / f"{PREVIOUS_PREFIX}{os.getpid()}-{target.name}"
    try:
        _extract(path, staging)
        if target.exists():
            target.rename(previous)
        staging.rename(target)
    except (OSError, zipfile.BadZipFile) as error:
        shutil.rmtree(staging, ignore_errors=True)
        if previous.exists() and not target.exists():
            previous.rename(target)
        raise InstallError(tr("Installing {file} failed: {error}").format(file=wheel.filename, error=error)) from error
    except InstallError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    failure = verify(target) if verify else None
    if failure:
        shutil.rmtree(target, ignore_errors=True)
        if previous.exists():
            previous.rename(target)
        raise InstallError(
            tr(
                "shapely {version} was unpacked but does not work in this QGIS ({error}); the previous state is kept."
            ).format(version=wheel.version, error=failure)
        )
    shutil.rmtree(previous, ignore_errors=True)
    (target / "INSTALLED_BY_COMMUNITY_GRIDS.json").write_text(
        json.dumps({"wheel": wheel.filename, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}, ensure_ascii=False),
        encoding="utf-8",
    )
    log(
        tr("Installed shapely {version} ({file}) into {folder}.").format(
            version=wheel.version, file=wheel.filename, folder=target
        )
    )
    return target


# ---------------------------------------------------------------------------------------------- sources


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http/https/file URLs of the planner)
            return response.read()
    except (OSError, ValueError) as error:
        raise InstallError(tr("Could not download {url}: {error}").format(url=url, error=error)) from error


def repository_wheels_url(repository_url: str) -> str:
    """``http://host/qgis/plugins.xml`` → ``http://host/qgis/wheels/``."""
    base = repository_url if repository_url.endswith("/") else repository_url.rsplit("/", 1)[0] + "/"
    return urllib.parse.urljoin(base, f"{WHEELS_DIR}/")


def install_from_repository(
    repository_url: str, profile, *, timeout: float = 20.0, verify=_default_verify, log=print
) -> Path:
    """Install the newest wheel of the repository's ``wheels/index.json`` that this QGIS can run."""
    base = repository_wheels_url(repository_url)
    try:
        index = json.loads(_fetch(base + INDEX_FILE, timeout).decode("utf-8"))
    except ValueError as error:
        raise InstallError(
            tr("{url} is not a wheel index: {error}").format(url=base + INDEX_FILE, error=error)
        ) from error
    entries = index.get("wheels", []) if isinstance(index, dict) else []
    usable = []
    here = interpreter_tags()
    for entry in entries:
        try:
            wheel = Wheel.parse(entry["file"])
        except (InstallError, KeyError, TypeError):
            continue
        if wheel.name == "shapely" and wheel.version_key >= MIN_SHAPELY and wheel.tags & here:
            usable.append((wheel, entry))
    if not usable:
        raise InstallError(
            tr("The repository {url} has no shapely wheel for {here}.").format(url=base, here=describe_interpreter())
        )
    usable.sort(key=lambda pair: pair[0].version_key, reverse=True)
    refusals = []
    with tempfile.TemporaryDirectory(prefix="community-grids-wheel-") as folder:
        for wheel, entry in usable:
            data = _fetch(urllib.parse.urljoin(base, urllib.parse.quote(wheel.filename)), timeout)
            digest = entry.get("sha256")
            if digest and hashlib.sha256(data).hexdigest() != digest:
                raise InstallError(
                    tr("{file} from {url} does not match its checksum.").format(file=wheel.filename, url=base)
                )
            path = Path(folder) / wheel.filename
            path.write_bytes(data)
            try:
                check_wheel(path)
            except InstallError as error:  # e.g. it needs a newer numpy: try the next older wheel
                refusals.append(str(error))
                continue
            return install_wheel_file(path, profile, verify=verify, log=log)
    raise InstallError(" ".join(refusals))


def python_command() -> str | None:
    """The Python executable of this QGIS (``sys.executable`` is the QGIS binary inside QGIS)."""
    candidates = []
    if sys.platform == "win32":
        candidates += [Path(sys.prefix) / "python.exe", Path(sys.prefix) / "python3.exe"]
    else:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        for folder in (Path(sys.prefix) / "bin", Path(sys.exec_prefix) / "bin", Path(sys.executable).parent):
            candidates += [folder / f"python{version}", folder / "python3"]
    candidates.append(Path(sys.executable))
    for candidate in candidates:
        if candidate.is_file() and "python" in candidate.name.lower():
            return str(candidate)
    return None


def install_with_pip(
    profile, *, timeout: float = 120.0, verify=_default_verify, log=print, spec: str = "shapely>=2.0"
) -> Path:
    """Download a wheel with pip from the index pip is configured for, then install it like a file."""
    python = python_command()
    if python is None:
        raise InstallError(tr("The Python of this QGIS was not found, so pip cannot run. Install from a wheel file."))
    with tempfile.TemporaryDirectory(prefix="community-grids-pip-") as folder:
        refusals = []
        for _ in range(4):  # newest first; a wheel that needs a newer numpy than QGIS has moves the cap down
            command = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                       "--timeout", "15", "--retries", "1", "--dest", folder, spec]  # fmt: skip
            try:
                run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
            except (OSError, subprocess.TimeoutExpired) as error:
                raise InstallError(tr("pip could not run: {error}").format(error=error)) from error
            if run.returncode != 0:
                tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
                if any("No module named pip" in line for line in tail):
                    raise InstallError(tr("This QGIS's Python has no pip. Install from a wheel file instead."))
                raise InstallError(
                    tr("pip could not download shapely (no network?): {error}").format(error=" ".join(tail))
                )
            wheels = sorted(Path(folder).glob("shapely-*.whl"), key=lambda p: Wheel.parse(p.name).version_key)
            if not wheels:
                raise InstallError(tr("pip downloaded no shapely wheel."))
            newest = wheels[-1]
            try:
                check_wheel(newest)
            except InstallError as error:
                refusals.append(str(error))
                version = Wheel.parse(newest.name).version_key
                spec = f"shapely>=2.0,<{version[0]}.{version[1]}"
                newest.unlink()
                continue
            return install_wheel_file(newest, profile, verify=verify, log=log)
        raise InstallError(" ".join(refusals))


def write_repository_index(folder: Path) -> Path:
    """``wheels/index.json`` for the wheels in ``folder`` (used by ``make package``)."""
    entries = []
    for path in sorted(folder.glob("*.whl")):
        Wheel.parse(path.name)
        entries.append({"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    index = folder / INDEX_FILE
    index.write_text(json.dumps({"wheels": entries}, indent=1), encoding="utf-8")
    return index
