"""Find and import a usable shapely ≥ 2.0 for the plugin, once per process.

Where it comes from, in this order:

1. a shapely another plugin (or QGIS) already imported: used when it is ≥ 2.0 and works, else a message
   saying which one is loaded and what to do;
2. the plugin's private folder in the QGIS profile (``python/dependencies/community_grids/cpXY``), filled by
   :mod:`.wheels` from the install dialog or the ``install_dependencies`` algorithm;
3. QGIS's own Python (the Windows installers bundle shapely 2.0/2.1; Debian 13 has python3-shapely 2.1).

On Linux the import uses deep binding (``RTLD_DEEPBIND`` in the dlopen flags of that import only): a wheel's
extension modules then resolve GEOS from the GEOS bundled beside them before the process's global scope,
where the QGIS executable's own GEOS sits. Without it a wheel's shapely would call a mix of two GEOS
versions ("WKB output dimension must be 2 or 3", or a crash). On Windows and macOS shared libraries are
resolved per module and nothing mixes. After the import a small smoke test proves that shapely works.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import os
import pkgutil
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import tr

MIN_SHAPELY = (2, 0)
PRIVATE_PARENT = ("python", "dependencies", "community_grids")


@dataclass
class Problem:
    """Why the plugin cannot run yet; ``kind`` is one of missing, too_old_loaded, broken_private, unusable."""

    kind: str
    message: str
    details: str = ""


@dataclass
class Outcome:
    module: object | None = None
    source: str = ""  # "loaded", "private" or "system"
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.module is not None and self.problem is None


def interpreter_key() -> str:
    """``cp311`` for CPython 3.11: wheels with extension modules are built per Python version."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def private_dir(profile: str | os.PathLike) -> Path:
    """The folder of the QGIS profile that holds the plugin's own shapely for this Python version."""
    return Path(profile).joinpath(*PRIVATE_PARENT, interpreter_key())


def version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in str(text).split(".")[:3]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits or 0))
    return tuple(parts)


def deep_binding_available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "RTLD_DEEPBIND")


@contextlib.contextmanager
def deep_binding():
    """Within the block, extension modules are dlopened with RTLD_DEEPBIND (Linux; a no-op elsewhere)."""
    if not deep_binding_available():
        yield
        return
    previous = sys.getdlopenflags()
    sys.setdlopenflags(previous | os.RTLD_DEEPBIND)
    try:
        yield
    finally:
        sys.setdlopenflags(previous)


def _extension_submodules(package) -> list[str]:
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    names = []
    for info in pkgutil.iter_modules(package.__path__):
        spec = importlib.util.find_spec(f"{package.__name__}.{info.name}")
        if spec is not None and spec.origin and spec.origin.endswith(suffixes):
            names.append(spec.name)
    return sorted(names)


def _forget(prefix: str = "shapely") -> None:
    for name in [m for m in sys.modules if m == prefix or m.startswith(prefix + ".")]:
        del sys.modules[name]


def import_deep_bound(folder: Path | None = None):
    """Import shapely (from ``folder`` first when given) and every extension module of it, deep-bound."""
    import numpy  # noqa: F401  (numpy is QGIS's; loaded the ordinary way, outside the deep-bound block)

    added = False
    if folder is not None:
        sys.path.insert(0, str(folder))
        added = True
        importlib.invalidate_caches()
    try:
        with deep_binding():
            module = importlib.import_module("shapely")
            for name in _extension_submodules(module):
                importlib.import_module(name)
    finally:
        if added:
            # shapely's own submodules are found through shapely.__path__ from now on
            with contextlib.suppress(ValueError):
                sys.path.remove(str(folder))
    return module


def smoke_test(module) -> str | None:
    """None when shapely computes correctly in this process, else the error text."""
    try:
        square = module.box(0.0, 0.0, 2.0, 2.0)
        other = module.box(1.0, 0.0, 3.0, 2.0)
        wkb = module.to_wkb(square)
        if not module.equals(module.from_wkb(wkb), square):
            return "WKB round trip changed the geometry"
        area = float(module.area(module.union_all([square, other])))
        if abs(area - 6.0) > 1e-9:
            return f"union area {area} instead of 6"
    except Exception as error:  # any failure of GEOS here means the plugin cannot trust it
        return f"{type(error).__name__}: {error}"
    return None


def _installed_version(folder: Path | None) -> tuple[str, str] | None:
    """(version, location) of the shapely an import would find, read without importing it."""
    from importlib import metadata

    paths = [str(folder)] if folder is not None else sys.path
    for dist in metadata.distributions(path=paths):
        if (dist.metadata.get("Name") or "").lower() == "shapely":
            return dist.version, str(dist.locate_file(""))
    if folder is None:
        spec = importlib.util.find_spec("shapely")
        if spec is not None and spec.origin:
            return "", str(Path(spec.origin).parent)
    return None


def install_hint(profile: str | os.PathLike | None) -> str:
    target = private_dir(profile) if profile else Path("<profile>").joinpath(*PRIVATE_PARENT, interpreter_key())
    return tr(
        "Install it from the plugin: Plugins ▸ Community Grids ▸ Install shapely… (or headless: qgis_process run "
        "community_grids:install_dependencies -- WHEEL=/path/to/shapely-2.x.whl). It goes into {target}; "
        "nothing of QGIS's own Python changes."
    ).format(target=target)


def _numpy_problem() -> Problem | None:
    try:
        import numpy  # noqa: F401
    except ImportError as error:
        return Problem(
            "missing",
            tr(
                "Community Grids needs numpy, which this QGIS's Python does not have ({error}). Install QGIS with "
                "its Python packages (the Windows and macOS installers include numpy; on Debian/Ubuntu: "
                "apt install python3-numpy)."
            ).format(error=error),
        )
    return None


def _checked(module, source: str, where: str) -> Outcome:
    version = getattr(module, "__version__", "?")
    if version_tuple(version) < MIN_SHAPELY:
        return Outcome(
            None,
            source,
            Problem(
                "too_old_loaded",
                tr(
                    "This QGIS has already loaded shapely {version} ({where}), probably for another plugin; "
                    "Community Grids needs shapely ≥ 2.0 and a process can hold only one shapely. Disable or "
                    "update the plugin that uses shapely {version}, then restart QGIS."
                ).format(version=version, where=where),
            ),
        )
    failure = smoke_test(module)
    if failure:
        return Outcome(
            None,
            source,
            Problem(
                "unusable",
                tr(
                    "shapely {version} ({where}) is loaded but does not work in this QGIS: {error}. This happens "
                    "when two GEOS libraries mix in one process. Restart QGIS; if it stays, reinstall shapely "
                    "from the plugin (Plugins ▸ Community Grids ▸ Install shapely…)."
                ).format(version=version, where=where, error=failure),
            ),
        )
    return Outcome(module, source)


def load_shapely(profile: str | os.PathLike | None) -> Outcome:
    """Find, import and check shapely; never raises."""
    numpy_problem = _numpy_problem()
    if numpy_problem:
        return Outcome(problem=numpy_problem)
    loaded = sys.modules.get("shapely")
    if loaded is not None:
        return _checked(loaded, "loaded", getattr(loaded, "__file__", "?"))

    folder = private_dir(profile) if profile else None
    if folder is not None and (folder / "shapely" / "__init__.py").is_file():
        try:
            module = import_deep_bound(folder)
        except Exception as error:  # a broken or foreign install must not break QGIS
            _forget()
            return Outcome(
                problem=Problem(
                    "broken_private",
                    tr(
                        "The plugin's own shapely in {folder} cannot be imported ({error}). Reinstall it: "
                        "Plugins ▸ Community Grids ▸ Install shapely…"
                    ).format(folder=folder, error=f"{type(error).__name__}: {error}"),
                    traceback.format_exc(),
                )
            )
        outcome = _checked(module, "private", str(folder))
        if outcome.problem is not None and outcome.problem.kind == "unusable":
            outcome.problem.kind = "broken_private"
        return outcome

    found = _installed_version(None)
    if found is None:
        return Outcome(
            problem=Problem(
                "missing",
                tr(
                    "Community Grids needs the Python package shapely ≥ 2.0, which this QGIS does not have. {hint}"
                ).format(hint=install_hint(profile)),
            )
        )
    version, where = found
    if version and version_tuple(version) < MIN_SHAPELY:
        return Outcome(
            problem=Problem(
                "missing",
                tr(
                    "Community Grids needs shapely ≥ 2.0; this QGIS's Python has shapely {version} ({where}), "
                    "which stays as it is for other plugins. {hint}"
                ).format(version=version, where=where, hint=install_hint(profile)),
            )
        )
    try:
        module = import_deep_bound(None)
    except Exception as error:
        _forget()
        return Outcome(
            problem=Problem(
                "missing",
                tr("shapely in this QGIS's Python ({where}) cannot be imported ({error}). {hint}").format(
                    where=where, error=f"{type(error).__name__}: {error}", hint=install_hint(profile)
                ),
                traceback.format_exc(),
            )
        )
    return _checked(module, "system", where)


_outcome: Outcome | None = None


def ensure_shapely(profile: str | os.PathLike | None = None, *, again: bool = False) -> Outcome:
    """The process-wide result of :func:`load_shapely` (computed once; ``again`` after an install)."""
    global _outcome
    if _outcome is None or again or (_outcome.problem is not None and "shapely" not in sys.modules):
        _outcome = load_shapely(profile)
    return _outcome


def qgis_profile() -> str | None:
    """The active QGIS profile folder, when running inside QGIS (desktop or qgis_process)."""
    try:
        from qgis.core import QgsApplication
    except ImportError:
        return None
    path = QgsApplication.qgisSettingsDirPath()
    return path or None
