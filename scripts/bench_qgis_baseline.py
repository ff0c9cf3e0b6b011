#!/usr/bin/env python3
"""Baseline: QGIS 3.22's own Processing tools against our audit, on the audit benchmark's synthetic cities.

For each size a fresh process builds the city of ``scripts/bench_audit.py`` (``generate_city(n, seed)``, one
defect of each of the 27 kinds planted by ``plant_defects(data, DEFECT_KINDS, seed)``) and writes it as a
workspace GeoPackage (``write_workspace``; not timed). Then, each in its own process under a time cap, the
closest QGIS route a user would take on the level 3 layer:

- validity: ``qgis:checkvalidity`` with the GEOS method (QGIS 3.22's id for "Check validity");
- self-overlaps: ``native:intersection`` of the level 3 layer with itself, pairs of two different features
  whose intersection has area > 1e-6 m² (each pair comes out twice: counted once);
- gaps: ``native:dissolve`` of level 3, ``native:difference`` level 2 minus that, ``native:multiparttosingleparts``;
  pieces with area > 1e-6 m², each named by the level 2 grid it lies in;

and our audit (``plugin.core.audit.run_audit``) on the same GeoPackage, read through the plugin's adapters, in a
process of its own. Wall time (``time.perf_counter`` around the Processing calls / the read and the audit) and the
process's peak resident set (``ru_maxrss``, QGIS started in every process). Exactness: for every planted defect a
step is meant to find, whether it was reported (matched by the grids' codes), and what else was reported:
"extra" = pieces/pairs > 1e-6 m² matching no planted defect, "noise" = pieces/pairs of 0 < area <= 1e-6 m².

Processing's invalid-geometry setting defaults to "stop the algorithm when a geometry is invalid": on these
cities (one bow-tie) the overlap and gap steps then stop. They run with "skip invalid features" (``--invalid``),
which a user picks after that stop; the skipped bow-tie grid then leaves a hole the gap step reports.

    .venv/bin/python scripts/bench_qgis_baseline.py                  # 1k, 10k, 100k; 600 s cap per algorithm
    .venv/bin/python scripts/bench_qgis_baseline.py --sizes 1000 --cap 60 --keep build/qgis_baseline

Figures depend on the machine and its load. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOISE = 1e-6  # m²: what counts as an overlap or gap piece at all
L2, L3 = "grid_level2", "grid_level3"
STEPS = ("validity", "overlaps", "gaps")
AUDIT_STAGE = {"validity": "geometry", "overlaps": "overlaps", "gaps": "nesting"}
# what each step is meant to find: planted (rule, layer) -> step
RULE_STEP = {
    ("geom.invalid", L3): "validity",
    ("overlap", L3): "overlaps",
    ("overlap.contains", L3): "overlaps",
    ("overlap.duplicate", L3): "overlaps",
    ("overlap.sliver", L3): "overlaps",
    ("gap", L2): "gaps",
    ("gap.sliver", L2): "gaps",
}
# what a single QGIS Processing step cannot express: label -> planted kinds
NOT_EXPRESSIBLE = (
    ("outside its own parent (by parent_code)", ("outside", "section_gap")),
    ("wrong/unknown parent_code, across parents", ("mismatch", "unknown_parent", "split")),
    ("dedicated grid over two villages", ("dedicated_split",)),
    ("codes (duplicate, malformed, missing)", ("duplicate_code", "malformed_code", "missing_code")),
)
INVALID_MODES = {"skip": 1, "nocheck": 0, "abort": 2}  # QgsFeatureRequest.InvalidGeometryCheck


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _key(rule, layer, codes) -> str:
    return json.dumps([rule, layer, sorted(c for c in codes if c)])


# ---------------------------------------------------------------- workers (each in a fresh process)


def prepare(n: int, seed: int, gpkg: str) -> dict:
    """Build the city with planted defects and write it as a workspace; say what was planted."""
    sys.path.insert(0, str(ROOT))
    from devtools.qgis_app import start_qgis
    from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects

    start_qgis(with_processing=False)
    from plugin.adapters.workspace import write_workspace

    data, planted = plant_defects(generate_city(n, seed=seed), DEFECT_KINDS, seed=seed)
    write_workspace(gpkg, data.info, data, overwrite=True)
    return {
        "n3": len(data.grid(3)),
        "n2": len(data.grid(2)),
        "planted": [
            {"kind": p.kind, "keys": [_key(*k) for k in p.expected], "areas": {_key(*k): a for k, a in p.areas.items()}}
            for p in planted
        ],
    }


def ours(gpkg: str) -> dict:
    """Read the workspace through the plugin's adapters and audit it."""
    sys.path.insert(0, str(ROOT))
    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=False)
    from plugin.adapters.plain_workspace import open_plain_workspace
    from plugin.core.audit import run_audit

    t0 = time.perf_counter()
    data = open_plain_workspace(gpkg).read_data()
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = run_audit(data, workers=None)
    audit_s = time.perf_counter() - t0
    return {
        "read_s": read_s,
        "audit_s": audit_s,
        "stages": result.timings,
        "peak_mb": _peak_mb(),
        "findings": [{"key": _key(f.rule_id, f.layer, f.codes), "measure": f.measure} for f in result.findings],
    }


def qgis_step(step: str, gpkg: str, invalid: str, cap: float) -> dict:
    """One QGIS Processing route on the level 3 layer; what it reports, raw. An algorithm that runs longer than
    ``cap`` seconds ends this process with ``{"timeout": algorithm}``."""
    import threading

    sys.path.insert(0, str(ROOT))
    from devtools.qgis_app import start_qgis

    start_qgis(with_processing=True)
    import processing
    from processing.tools import dataobjects
    from qgis.core import QgsProcessingException, QgsVectorLayer

    context = dataobjects.createContext()
    context.setInvalidGeometryCheck(INVALID_MODES[invalid])
    l3 = f"{gpkg}|layername={L3}"
    l2 = f"{gpkg}|layername={L2}"
    tmp = "TEMPORARY_OUTPUT"

    def as_layer(value):  # processing.run hands back temporary outputs as layers or as layer ids
        return value if isinstance(value, QgsVectorLayer) else context.getMapLayer(value)

    out: dict = {"step": step, "algorithms": {}}

    def expire(alg):
        print(json.dumps({"timeout": alg}), flush=True)
        os._exit(3)

    def run(alg, params):
        timer = threading.Timer(cap, expire, (alg,))
        timer.daemon = True
        started = time.perf_counter()
        timer.start()
        try:
            return processing.run(alg, params, context=context)
        finally:
            timer.cancel()
            out["algorithms"][alg] = time.perf_counter() - started

    t0 = time.perf_counter()
    try:
        if step == "validity":
            res = run(
                "qgis:checkvalidity",
                {"INPUT_LAYER": l3, "METHOD": 2, "VALID_OUTPUT": tmp, "INVALID_OUTPUT": tmp, "ERROR_OUTPUT": tmp},
            )
            out["seconds"] = time.perf_counter() - t0
            out["invalid"] = [f["code"] for f in as_layer(res["INVALID_OUTPUT"]).getFeatures()]
            out["errors"] = res["ERROR_COUNT"]
        elif step == "overlaps":
            res = run(
                "native:intersection",
                {
                    "INPUT": l3,
                    "OVERLAY": l3,
                    "INPUT_FIELDS": ["fid", "code"],
                    "OVERLAY_FIELDS": ["fid", "code"],
                    "OVERLAY_FIELDS_PREFIX": "o_",
                    "OUTPUT": tmp,
                },
            )
            out["seconds"] = time.perf_counter() - t0
            pairs: dict = {}
            for f in as_layer(res["OUTPUT"]).getFeatures():
                if f["fid"] == f["o_fid"]:
                    continue  # a feature with itself
                pair = tuple(sorted((int(f["fid"]), int(f["o_fid"]))))
                codes = sorted(str(c) for c in (f["code"], f["o_code"]) if c)
                area = f.geometry().area()
                pairs[pair] = (codes, max(area, pairs.get(pair, ([], 0.0))[1]))
            out["pairs"] = [{"codes": c, "area": a} for c, a in pairs.values()]
        elif step == "gaps":
            dissolved = run("native:dissolve", {"INPUT": l3, "FIELD": [], "OUTPUT": tmp})["OUTPUT"]
            difference = run("native:difference", {"INPUT": l2, "OVERLAY": dissolved, "OUTPUT": tmp})["OUTPUT"]
            res = run("native:multiparttosingleparts", {"INPUT": difference, "OUTPUT": tmp})
            out["seconds"] = time.perf_counter() - t0
            out["pieces"] = [
                {"codes": [str(f["code"])], "area": f.geometry().area()} for f in as_layer(res["OUTPUT"]).getFeatures()
            ]
        else:
            raise ValueError(step)
    except QgsProcessingException as error:
        out["seconds"] = time.perf_counter() - t0
        out["failed"] = str(error).strip().splitlines()[-1][:160]
    out["peak_mb"] = _peak_mb()
    return out


# ---------------------------------------------------------------- scoring


def _rule_layer(key: str) -> tuple:
    rule, layer, _codes = json.loads(key)
    return rule, layer


def _codes(key: str) -> str:
    return json.dumps(json.loads(key)[2])


def score(size: dict) -> dict:
    """Per step: found/planted, extras and area errors for QGIS and for our audit; the rows QGIS cannot express."""
    planted = size["planted"]
    by_key = {k: p for p in planted for k in p["keys"]}
    areas = {k: a for p in planted for k, a in p["areas"].items()}
    findings = {f["key"]: f["measure"] for f in size["ours"]["findings"]}
    # the level 2 grid holding the bow-tie: skipped as invalid, it leaves a hole the gap route reports
    bowtie_parents = {json.loads(k)[2][0][:-3] for k in by_key if _rule_layer(k) == ("geom.invalid", L3)}
    rows = {}
    for step in STEPS:
        want = {k for k in by_key if RULE_STEP.get(_rule_layer(k)) == step}
        want_by_codes = {_codes(k): k for k in want}
        row = {"planted": len(want)}
        q = size["qgis"][step]
        if "seconds" in q and "failed" not in q:
            found, extra, noise, bowtie, errors = set(), 0, 0, 0, []
            if step == "validity":
                items = [{"codes": [c], "area": None} for c in q["invalid"]]
            else:
                items = sorted(q["pairs"] if step == "overlaps" else q["pieces"], key=lambda i: -i["area"])
            for item in items:
                k = want_by_codes.get(json.dumps(sorted(c for c in item["codes"] if c)))
                if item["area"] is not None and item["area"] <= NOISE:
                    noise += item["area"] > 0
                elif k is not None and k not in found:
                    found.add(k)
                    if k in areas:
                        errors.append(abs(item["area"] - areas[k]))
                else:
                    extra += 1
                    bowtie += step == "gaps" and item["codes"][0] in bowtie_parents
            row.update(
                qgis_found=len(found),
                qgis_missed=sorted(by_key[k]["kind"] for k in want - found),
                qgis_extra=extra,
                qgis_bowtie=bowtie,
                qgis_noise=noise,
                qgis_area_err=max(errors, default=None),
            )
        mine = {k for k in findings if RULE_STEP.get(_rule_layer(k)) == step}
        row["ours_found"] = len(want & mine)
        row["ours_extra"] = len(mine - want)
        row["ours_area_err"] = max((abs(findings[k] - areas[k]) for k in want & mine if k in areas), default=None)
        rows[step] = row
    beyond = []
    for label, kinds in NOT_EXPRESSIBLE:
        keys = {k for p in planted if p["kind"] in kinds for k in p["keys"] if k.startswith(('["parent', '["code'))}
        beyond.append((label, len(keys & set(findings)), len(keys)))
    exact = set(findings) == set(by_key) and len(size["ours"]["findings"]) == len(by_key)
    return {"rows": rows, "beyond": beyond, "exact": exact, "n_planted": len(by_key)}


# ---------------------------------------------------------------- driver


def _child(args: list, timeout: float | None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), *args]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"timeout": "the whole step"}
    if done.returncode == 3 and '"timeout"' in done.stdout:
        return json.loads(done.stdout.strip().splitlines()[-1])
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        return {"crashed": done.returncode}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _t(entry: dict, cap: float) -> str:
    if entry.get("timeout"):
        return f"> {cap:.0f} s"
    if "crashed" in entry:
        return "crashed"
    if "failed" in entry:
        return "failed"
    return f"{entry['seconds']:.2f} s"


LABELS = {
    "validity": "validity (checkvalidity, GEOS)",
    "overlaps": "self-overlaps (intersection with itself)",
    "gaps": "gaps in parents (dissolve, difference)",
}


def _err(value) -> str:
    return "—" if value is None else f"{value:.1e}"


def print_size(size: dict, cap: float) -> None:
    s = score(size)
    o = size["ours"]
    print(
        f"\n== {size['n3']:,} level 3 grids, {size['n2']:,} level 2; {s['n_planted']} findings planted; our audit: "
        f"read {o['read_s']:.2f} s + audit {o['audit_s']:.2f} s (all 4 layers, all rules), peak {o['peak_mb']:.0f} MB, "
        f"exact: {'yes' if s['exact'] else 'NO'}"
    )
    head = (
        f"{'step':<42} {'QGIS':>9} {'ours':>7} {'found Q':>8} {'ours':>5} "
        f"{'false pos. Q':>13} {'ours':>5} {'QGIS MB':>8} {'area err Q':>10} {'ours':>8}"
    )
    print(head)
    print("-" * len(head))
    total_q, capped = 0.0, False
    for step in STEPS:
        q, r = size["qgis"][step], s["rows"][step]
        capped |= bool(q.get("timeout") or "failed" in q or "crashed" in q)
        total_q += q.get("seconds", 0.0)
        ran = "qgis_found" in r
        found_q = f"{r['qgis_found']}/{r['planted']}" if ran else "—"
        fp_q = f"{r['qgis_extra']} + {r['qgis_noise']}n" if ran else "—"
        found_o = f"{r['ours_found']}/{r['planted']}"
        print(
            f"{LABELS[step]:<42} {_t(q, cap):>9} {o['stages'][AUDIT_STAGE[step]]:>5.2f} s {found_q:>8} "
            f"{found_o:>5} {fp_q:>13} {r['ours_extra']:>5} "
            f"{q['peak_mb'] if 'peak_mb' in q else float('nan'):>8.0f} "
            f"{_err(r.get('qgis_area_err')):>10} {_err(r['ours_area_err']):>8}"
        )
        if r.get("qgis_missed"):
            print(f"    QGIS missed: {', '.join(r['qgis_missed'])}")
        if r.get("qgis_bowtie"):
            print(f"    QGIS extra: {r['qgis_bowtie']} = the hole left by the skipped bow-tie grid")
        if "failed" in q:
            print(f"    QGIS stopped: {q['failed']}")
        if q.get("timeout"):
            print(f"    QGIS: {q['timeout']} ran over the cap")
        if len(q.get("algorithms", {})) > 1:
            print("    QGIS: " + ", ".join(f"{a} {t:.2f} s" for a, t in q["algorithms"].items()))
    total = f"{'>' if capped else ''}{total_q:.2f} s"
    print(f"{'the three QGIS routes / our whole audit':<42} {total:>9} {o['audit_s']:>5.2f} s")
    for label, found, planted in s["beyond"]:
        print(f"{label:<42} {'n/a':>9} {'':>7} {'—':>8} {f'{found}/{planted}':>5}")
    print(
        "(false pos. Q: extra pieces > 1e-6 m² + n pieces of noise <= 1e-6 m²; area err: max |measured − planted| m²)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="level 3 grid counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cap", type=float, default=600.0, help="seconds allowed to each QGIS algorithm run")
    parser.add_argument(
        "--invalid", choices=sorted(INVALID_MODES), default="skip", help="Processing's handling of invalid geometries"
    )
    parser.add_argument("--keep", type=Path, help="keep the GeoPackages in this folder")
    parser.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        what, *rest = args.worker
        if what == "prepare":
            result = prepare(int(rest[0]), args.seed, rest[1])
        elif what == "ours":
            result = ours(rest[0])
        else:
            result = qgis_step(rest[0], rest[1], args.invalid, args.cap)
        print(json.dumps(result))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="bench_qgis_")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"cpus: {os.cpu_count()}, load before: {load:.2f}, seed {args.seed}, cap {args.cap:.0f} s per QGIS algorithm run, "
        f"invalid geometries: {args.invalid}"
    )
    sizes = []
    try:
        for n in args.sizes:
            gpkg = str(folder / f"city_{n}.gpkg")
            size = _child(["--seed", str(args.seed), "--worker", "prepare", str(n), gpkg], None)
            if "planted" not in size:
                return 1
            size["ours"] = _child(["--worker", "ours", gpkg], None)
            if "findings" not in size["ours"]:
                return 1
            size["qgis"] = {}
            for step in STEPS:
                # the cap is per algorithm (the worker ends itself); the gap route runs three of them
                cap = args.cap * (3 if step == "gaps" else 1) + 60
                size["qgis"][step] = _child(
                    ["--invalid", args.invalid, "--cap", str(args.cap), "--worker", "qgis", step, gpkg], cap
                )
            print_size(size, args.cap)
            sys.stdout.flush()
            sizes.append(size)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(sizes, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
