"""Build the installable plugin: build/community_grids-<version>.zip (run by `make package`).

The ZIP holds one folder, ``community_grids/``, as QGIS's "Install from ZIP" expects, with only what the
plugin needs at run time (an allow-list, so that new development files never slip in):

* ``__init__.py``, ``metadata.txt``, LICENSE / README / CHANGELOG when present;
* ``plugin/`` (Python sources and vendored licences), ``resources/`` (icons, styles, templates, data), ``ui/``;
* ``i18n/*.qm``, compiled here from ``i18n/*.ts`` with lrelease (the .ts themselves stay out).

Never inside: tests, scripts, Makefile, .ci, pyproject.toml, requirements.txt, .venv, build, caches
(__pycache__, *.pyc, .ruff_cache, .pytest_cache, .hypothesis), hidden files, editor backups.

Before writing, metadata.txt is checked (the keys the QGIS plugin repository requires), every Python file
is compiled, and the resources named by metadata.txt must exist. The archive is reproducible (sorted
entries, fixed timestamps and permissions) and written atomically.
"""

from __future__ import annotations

import argparse
import configparser
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_NAME = "community_grids"
TOP_FILES = ("__init__.py", "metadata.txt")
OPTIONAL_TOP_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "README.md", "README.txt", "CHANGELOG.md")
TOP_DIRS = ("plugin", "resources", "ui")
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", ".mypy_cache", "tests"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp", ".bak", ".tmp", "~", ".ts", ".pro")
REQUIRED_METADATA = (
    "name",
    "qgisMinimumVersion",
    "description",
    "about",
    "version",
    "author",
    "email",
    "repository",
)
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """The plugin cannot be packaged: metadata or files are missing or wrong."""


def read_metadata(root: Path = ROOT) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep the keys' case (qgisMinimumVersion)
    if not parser.read(root / "metadata.txt", encoding="utf-8"):
        raise PackageError("metadata.txt is missing")
    if "general" not in parser:
        raise PackageError("metadata.txt has no [general] section")
    general = parser["general"]
    missing = [key for key in REQUIRED_METADATA if not general.get(key, "").strip()]
    if missing:
        raise PackageError(f"metadata.txt lacks: {', '.join(missing)}")
    icon = general.get("icon", "").strip()
    if icon and not (root / icon).is_file():
        raise PackageError(f"metadata.txt names the icon {icon}, which does not exist")
    return general


def _wanted(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    if any(part in EXCLUDED_PARTS or part.startswith(".") for part in relative.parts):
        return False
    return not path.name.endswith(EXCLUDED_SUFFIXES)


def plugin_files(root: Path = ROOT) -> list[Path]:
    """Every file of the plugin proper, relative to ``root`` (translations are added separately)."""
    files: list[Path] = []
    for name in TOP_FILES:
        if not (root / name).is_file():
            raise PackageError(f"{name} is missing")
        files.append(Path(name))
    files += [Path(name) for name in OPTIONAL_TOP_FILES if (root / name).is_file()]
    for folder in TOP_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and _wanted(path, root):
                files.append(path.relative_to(root))
    return files


def compile_translations(root: Path, out_dir: Path) -> list[Path]:
    """Compile i18n/*.ts into out_dir/*.qm with lrelease; returns the .qm files."""
    sources = sorted((root / "i18n").glob("*.ts"))
    if not sources:
        return []
    lrelease = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if lrelease is None:
        raise PackageError("lrelease not found: install qttools5-dev-tools (make system)")
    out_dir.mkdir(parents=True, exist_ok=True)
    compiled = []
    for ts in sources:
        qm = out_dir / f"{ts.stem}.qm"
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        if not qm.is_file() or qm.stat().st_size == 0:
            raise PackageError(f"lrelease made no {qm.name}")
        compiled.append(qm)
    return compiled


def check_python(root: Path, files: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for relative in files:
            if relative.suffix == ".py":
                try:
                    py_compile.compile(str(root / relative), cfile=os.path.join(tmp, "x.pyc"), doraise=True)
                except py_compile.PyCompileError as error:
                    raise PackageError(f"{relative} does not compile: {error.msg}") from error


def _add(archive: zipfile.ZipFile, source: Path, arcname: str) -> None:
    info = zipfile.ZipInfo(arcname, date_time=ZIP_TIME)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, source.read_bytes())


def build(out_dir: Path | None = None, root: Path = ROOT) -> Path:
    """Write <out_dir>/community_grids-<version>.zip and return its path."""
    out_dir = Path(out_dir or root / "build")
    general = read_metadata(root)
    version = general["version"].strip()
    files = plugin_files(root)
    check_python(root, files)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PLUGIN_NAME}-{version}.zip"
    with tempfile.TemporaryDirectory(prefix="community_grids_qm_") as qm_dir:
        translations = compile_translations(root, Path(qm_dir))
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp.zip", dir=out_dir)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp_name, "w") as archive:
                entries = [(root / f, f"{PLUGIN_NAME}/{f.as_posix()}") for f in files]
                entries += [(qm, f"{PLUGIN_NAME}/i18n/{qm.name}") for qm in translations]
                for source, arcname in sorted(entries, key=lambda e: e[1]):
                    _add(archive, source, arcname)
            with zipfile.ZipFile(tmp_name) as archive:
                bad = archive.testzip()
                if bad is not None:
                    raise PackageError(f"{bad} is damaged in the archive")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes it private
            os.replace(tmp_name, target)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    return target


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_repository(zip_path: Path, folder: Path, base_url: str, wheels_from: Path | None, root: Path = ROOT) -> Path:
    """A QGIS plugin repository any intranet web server can host, in ``folder``:

    * ``plugins.xml`` (what QGIS's plugin manager reads; Plugins ▸ Manage and Install ▸ Settings ▸ Add), naming
      ``<base_url>community_grids.<version>.zip`` (QGIS takes the plugin's id from the file name up to the dot);
    * the ZIP itself under that name;
    * ``wheels/`` with the shapely wheels of ``wheels_from`` and their ``index.json``, from which the plugin's
      private install takes the wheel for the QGIS it runs in.

    Written into a temporary folder and swapped in, so a server never serves half a repository.
    """
    sys.path.insert(0, str(root))
    try:
        from plugin.bootstrap.wheels import WHEELS_DIR, write_repository_index
    finally:
        sys.path.remove(str(root))
    meta = read_metadata(root)
    version = meta["version"]
    base = base_url if base_url.endswith("/") else base_url + "/"
    file_name = f"{PLUGIN_NAME}.{version}.zip"
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        shutil.copy2(zip_path, staging / file_name)
        (staging / WHEELS_DIR).mkdir()
        for wheel in sorted(wheels_from.glob("shapely-*.whl")) if wheels_from else []:
            shutil.copy2(wheel, staging / WHEELS_DIR / wheel.name)
        write_repository_index(staging / WHEELS_DIR)
        fields = {
            "description": meta["description"],
            "about": meta["about"],
            "version": version,
            "qgis_minimum_version": meta["qgisMinimumVersion"],
            "qgis_maximum_version": meta.get("qgisMaximumVersion", ""),
            "homepage": meta.get("homepage", ""),
            "file_name": file_name,
            "icon": meta.get("icon", ""),
            "author_name": meta["author"],
            "author_email": meta["email"],
            "download_url": base + file_name,
            "experimental": meta.get("experimental", "False"),
            "deprecated": meta.get("deprecated", "False"),
            "tracker": meta.get("tracker", ""),
            "repository": meta["repository"],
            "tags": meta.get("tags", ""),
            "category": meta.get("category", ""),
            "changelog": meta.get("changelog", ""),
        }
        body = "\n".join(f"    <{key}>{_xml_text(value.strip())}</{key}>" for key, value in fields.items())
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<plugins>\n'
            f'  <pyqgis_plugin name="{_xml_text(meta["name"])}" version="{version}">\n{body}\n  </pyqgis_plugin>\n'
            "</plugins>\n"
        )
        (staging / "plugins.xml").write_text(xml, encoding="utf-8")
        if folder.exists():
            old = folder.with_name(folder.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            staging.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder / "plugins.xml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="folder of the ZIP (default: build/)")
    parser.add_argument("--list", action="store_true", help="list the archive's entries")
    parser.add_argument("--repository", type=Path, help="also write a plugin repository (plugins.xml, ZIP, wheels)")
    parser.add_argument("--base-url", default="http://localhost:8000/", help="where the repository will be served")
    parser.add_argument("--wheels", type=Path, help="folder of shapely wheels to put into the repository")
    args = parser.parse_args(argv)
    try:
        target = build(args.out)
    except (PackageError, subprocess.CalledProcessError) as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    if args.list:
        print("\n".join(names))
    size = target.stat().st_size
    print(f"{target} ({len(names)} files, {size / 1024:.0f} KiB)")
    if args.repository:
        xml = write_repository(target, args.repository, args.base_url, args.wheels)
        count = len(list((args.repository / "wheels").glob("*.whl")))
        print(f"{xml} (plugin repository for {args.base_url}, {count} shapely wheels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
