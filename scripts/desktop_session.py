"""`make desktop-session`: a planner's session in plain ``qgis`` with the plugin installed from its ZIP.

    .venv/bin/python scripts/desktop_session.py --project build/demo/hanbin_sample.qgz --out build/desktop

Builds the ZIP (scripts/package.py), copies the sample project and its GeoPackage into OUT/sample (the sample
itself is never edited), makes a fresh QGIS profile under OUT/profile (Chinese interface, zh_CN; the plugin
manager's start-up check off; the attribute form after drawing off) and starts plain ``qgis`` under Xvfb twice,
with devtools/desktop_session.py as ``--code`` and none of this checkout on QGIS's paths:

1. install: QGIS's "Install from ZIP" installs the ZIP; the plugin's install dialog installs the shapely wheel
   (build/wheels, ``make wheels``) into the profile;
2. session: QGIS opens the project from its command line; the driver subdivides and merges a grid, audits,
   accepts a finding, exports the filing package and prints a notice map, with real mouse and key events.

Screenshots go to OUT/screenshots (desktop_*.png), each stage's result to OUT/<stage>.json; the filing package
is checked with GDAL's validate_gpkg. Exit status 0 when every step did what it should; the failures otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "devtools" / "desktop_session.py"
WHEELS = ROOT / "build" / "wheels"
SCREEN = "-screen 0 1500x950x24"
EXPECTED_SHOTS = (
    "desktop_1_project.png",
    "desktop_2_subdivide_sketch.png",
    "desktop_3_subdivided.png",
    "desktop_4_merge_picked.png",
    "desktop_5_merged.png",
    "desktop_6_audit.png",
    "desktop_7_accepted.png",
    "desktop_9_filing.png",
    "desktop_10_notice.png",
)


def build_zip(out: Path) -> Path:
    spec = importlib.util.spec_from_file_location("package_script", ROOT / "scripts" / "package.py")
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    return package.build(out)


def shapely_wheel() -> Path | None:
    """The newest shapely wheel in build/wheels (``make wheels``) for this Python whose numpy requirement QGIS's
    numpy meets; None when there is none (a QGIS with its own shapely 2 needs none)."""
    import zipfile

    from packaging.requirements import Requirement
    from packaging.version import Version

    numpy = subprocess.run(
        ["/usr/bin/python3", "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    py = f"cp{sys.version_info.major}{sys.version_info.minor}"
    fitting = []
    for wheel in WHEELS.glob(f"shapely-*-{py}-*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            text = archive.read(meta).decode("utf-8")
        needs = [Requirement(line.split(":", 1)[1]) for line in text.splitlines() if line.startswith("Requires-Dist:")]
        if all(Version(numpy) in r.specifier for r in needs if r.name == "numpy" and r.marker is None):
            fitting.append((Version(wheel.name.split("-")[1]), wheel))
    return max(fitting)[1] if fitting else None


def copy_project(project: Path, folder: Path) -> Path:
    """The project and the GeoPackages beside it, copied (the project refers to them by relative paths)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in [project, *project.parent.glob(project.stem + "*.gpkg")]:
        shutil.copyfile(source, folder / source.name)
    return folder / project.name


def fresh_profile(config: Path) -> None:
    shutil.rmtree(config, ignore_errors=True)
    ini = config / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(
        "[app]\nplugin_installer\\checkOnStart=false\n\n"
        "[locale]\noverrideFlag=true\nuserLocale=zh-Hans\nglobalLocale=zh_CN\n\n"
        "[CommunityGrids]\nopen_attribute_form=false\n",
        encoding="utf-8",
    )


def run_qgis(stage: str, out: Path, extra_env: dict, arguments: list[str], timeout: int = 900) -> dict:
    """Plain ``qgis`` (no PYTHONPATH, plugin path or preload of ours) with the driver; its result."""
    drop = ("QGIS_PLUGINPATH", "PYTHONPATH", "LD_PRELOAD", "QT_QPA_PLATFORM", "VIRTUAL_ENV", "PYQGIS_STARTUP")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    runtime = out / "runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    result = out / f"{stage}.json"
    result.unlink(missing_ok=True)
    env.update(
        QGIS_CUSTOM_CONFIG_PATH=str(out / "profile"),
        XDG_RUNTIME_DIR=str(runtime),
        LANG="zh_CN.UTF-8",
        CG_SESSION_STAGE=stage,
        CG_SESSION_RESULT=str(result),
        CG_SESSION_SHOTS=str(out / "screenshots"),
        CG_SESSION_OUT=str(out),
        **extra_env,
    )
    command = ["xvfb-run", "-a", "-s", SCREEN, "qgis", "--noversioncheck", "--nologo", "--nocustomization"]
    command += ["--code", str(DRIVER), *arguments]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    (out / f"{stage}.log").write_text(run.stdout + "\n" + run.stderr, encoding="utf-8")
    if not result.exists():
        return {"errors": [f"QGIS ended without a result ({run.returncode}); see {out / (stage + '.log')}"]}
    data = json.loads(result.read_text(encoding="utf-8"))
    data["returncode"] = run.returncode
    if run.returncode != 0:
        data["errors"].append(f"QGIS exited with status {run.returncode}; see {out / (stage + '.log')}")
    return data


def validate_gpkg(path: Path) -> str:
    """GDAL's own GeoPackage validator, run as QGIS's Python would: '' when valid, else its complaints."""
    run = subprocess.run(
        ["/usr/bin/python3", "-m", "osgeo_utils.samples.validate_gpkg", str(path)], capture_output=True, text=True
    )
    problems = (run.stdout + run.stderr).strip()
    return "" if run.returncode == 0 and not problems else problems or f"status {run.returncode}"


def run_session(project: Path, out: Path) -> dict:
    """Both stages; the session's result with the launcher's own checks added to its errors."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    zip_path = build_zip(out / "dist")
    sample = copy_project(project, out / "sample")
    fresh_profile(out / "profile")
    wheel = shapely_wheel()
    install = run_qgis("install", out, {"CG_SESSION_ZIP": str(zip_path), "CG_SESSION_WHEEL": str(wheel or "")}, [])
    if install["errors"] or install.get("after_shapely") != "CommunityGridsPlugin":
        install["errors"].append(f"the plugin is not installed: {install.get('after_shapely')}")
        return {"install": install, "errors": install["errors"]}
    session = run_qgis("session", out, {}, [str(sample)])
    errors = list(session["errors"])
    missing = [name for name in EXPECTED_SHOTS if not (out / "screenshots" / name).exists()]
    if missing and not errors:
        errors.append(f"screenshots missing: {missing}")
    package = Path(session.get("filing", {}).get("path", out / "filing_package.gpkg"))
    if "export_filing" in session.get("steps", []):
        session["filing"]["validate_gpkg"] = problems = validate_gpkg(package)
        if problems:
            errors.append(f"the filing package is not a valid GeoPackage: {problems}")
    return {"install": install, "session": session, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=ROOT / "build" / "demo" / "hanbin_sample.qgz")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "desktop")
    args = parser.parse_args()
    if not args.project.exists():
        print(f"No project {args.project}: run `make demo` first.", file=sys.stderr)
        return 2
    outcome = run_session(args.project.resolve(), args.out.resolve())
    (args.out / "result.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    session = outcome.get("session", {})
    print(f"steps done: {', '.join(session.get('steps', [])) or 'none'}")
    for name in session.get("screenshots", []):
        print(f"screenshot {args.out / 'screenshots' / name}")
    for error in outcome["errors"]:
        print(f"FAILED: {error}", file=sys.stderr)
    return 1 if outcome["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
