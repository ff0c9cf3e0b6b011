#!/usr/bin/env python3
"""End to end through ``qgis_process``: the audit algorithm on the synthetic city, against the audit in process.

A fresh process builds the city of ``scripts/bench_audit.py`` (``generate_city(n, seed, detail)``, about one
planted defect per 120 level 3 grids) and writes it as a workspace GeoPackage (not timed). Then:

1. **in process** (a fresh Python process with QGIS started): the workspace read through the plugin's adapters,
   then the whole workspace audit (``audit_workspace``: topology, codes, size rules, staffing) on it — the
   reference time;
2. **qgis_process**: ``qgis_process.bin run community_grids:audit_workspace`` (through ``scripts/qgis_process.sh``:
   a throwaway profile with this checkout as plugin; Debian 12's ``qgis_process`` wrapper passes an option 3.22
   rejects) reading the workspace, auditing it, writing the findings layer (a GeoPackage), the JSON and the HTML
   report. Wall time and the CPU time of that child process (user + system, ``os.wait4``); the start-up alone
   (``qgis_process.bin help`` of the algorithm) beside it;
3. **where the time goes**: the same algorithm run in process (``processing.run``) with its steps timed (wall and
   CPU): reading the layers, the audit, the findings layer, the JSON and the HTML report.

The ratio is qgis_process wall / in-process audit wall (target ≤ 1.5×), and the same in CPU time. The machine
may be loaded by other jobs: CPU time is the steadier figure. Both runs must report the same findings.

    .venv/bin/python scripts/bench_qgis_process.py                        # 100k, realistic
    .venv/bin/python scripts/bench_qgis_process.py --size 10000 --detail simple --keep build/bench_qp
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALGORITHM = "community_grids:audit_workspace"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- workers (each in a fresh process)


def prepare(n: int, seed: int, detail: str, per_grids: int, gpkg: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from devtools.qgis_app import start_qgis
    from devtools.synthetic import defect_plan, generate_city, plant_defects

    start_qgis(with_processing=False)
    from plugin.adapters.workspace import write_workspace

    t0 = time.perf_counter()
    data = generate_city(n, seed=seed, detail=detail)
    data, planted = plant_defects(data, defect_plan(n, per_grids), seed=seed, skip_unplaced=True)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_workspace(gpkg, data.info, data, overwrite=True)
    return {
        "n3": len(data.grid(3)),
        "grids": sum(len(data.grid(k)) for k in (0, 1, 2, 3)),
        "planted": sum(len(p.expected) for p in planted),
        "generate_s": generated,
        "write_s": time.perf_counter() - t0,
        "gpkg_mb": os.path.getsize(gpkg) / 1e6,
    }


def in_process(gpkg: str, out: str) -> dict:
    """The reference (read, then audit_workspace), then the algorithm itself in process with its steps timed."""
    sys.path.insert(0, str(ROOT))
    from devtools.qgis_app import register_provider, start_qgis

    start_qgis(with_processing=True)
    register_provider()
    import processing
    from qgis.core import QgsProcessingFeedback

    from plugin.adapters.audit_store import read_exceptions_file
    from plugin.adapters.plain_workspace import open_plain_workspace
    from plugin.adapters.rules_store import load_rules
    from plugin.core.workspace_audit import audit_workspace
    from plugin.processing import audit_algorithms as alg

    row: dict = {}
    t0, c0 = time.perf_counter(), _cpu()
    data = open_plain_workspace(gpkg).read_data()
    exceptions, size_rules = read_exceptions_file(gpkg), load_rules(gpkg)
    row["read_s"], row["read_cpu_s"] = time.perf_counter() - t0, _cpu() - c0
    t0, c0 = time.perf_counter(), _cpu()
    result = audit_workspace(data, None, size_rules, None, None, exceptions)
    row["audit_s"], row["audit_cpu_s"] = time.perf_counter() - t0, _cpu() - c0
    row["findings"] = len(result.findings)
    row["stages"] = dict(result.timings)
    del data, result

    # the algorithm in process, its steps timed by wrapping what processAlgorithm calls, in its order:
    # read (_read) → audit (audit_workspace) → findings layer (until the first report starts) → JSON → HTML
    marks: list[tuple[str, float, float]] = []

    def timed(name, func):
        def wrapper(*args, **kwargs):
            marks.append((f"{name}:start", time.perf_counter(), _cpu()))
            try:
                return func(*args, **kwargs)
            finally:
                marks.append((f"{name}:end", time.perf_counter(), _cpu()))

        return wrapper

    originals = {
        "audit_workspace": alg.audit_workspace,
        "write_json_report": alg.write_json_report,
        "write_html_report": alg.write_html_report,
    }
    read = alg.AuditWorkspace._read
    alg.audit_workspace = timed("audit", originals["audit_workspace"])
    alg.write_json_report = timed("json", originals["write_json_report"])
    alg.write_html_report = timed("html", originals["write_html_report"])
    alg.AuditWorkspace._read = timed("read", read)
    try:
        t0, c0 = time.perf_counter(), _cpu()
        processing.run(ALGORITHM, _parameters(gpkg, out, "inproc"), feedback=QgsProcessingFeedback())
        row["algorithm_s"], row["algorithm_cpu_s"] = time.perf_counter() - t0, _cpu() - c0
        marks.append(("done", time.perf_counter(), _cpu()))
    finally:
        for name, func in originals.items():
            setattr(alg, name, func)
        alg.AuditWorkspace._read = read
    at = {name: (wall, cpu) for name, wall, cpu in marks}
    steps = (
        ("read layers", "read:start", "read:end"),
        ("audit", "audit:start", "audit:end"),
        ("findings layer", "audit:end", "json:start"),
        ("JSON", "json:start", "json:end"),
        ("HTML", "html:start", "html:end"),
        ("after (outputs)", "html:end", "done"),
    )
    row["steps"] = {label: (at[b][0] - at[a][0], at[b][1] - at[a][1]) for label, a, b in steps if a in at and b in at}
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return row


def _parameters(gpkg: str, out: str, tag: str) -> dict:
    return {
        "WORKSPACE": gpkg,
        "FINDINGS": os.path.join(out, f"findings_{tag}.gpkg"),
        "JSON": os.path.join(out, f"audit_{tag}.json"),
        "HTML": os.path.join(out, f"audit_{tag}.html"),
    }


def _child(cmd: list[str], env: dict) -> dict:
    """Run ``cmd``; its wall time, and its CPU time and peak memory from ``os.wait4``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024.0,
        "rc": proc.returncode,
        "output": output.decode("utf-8", "replace"),
    }


def run_qgis_process(gpkg: str, out: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COMMUNITY_GRIDS_BUILD=os.path.join(out, "qgis"))
    script = str(ROOT / "scripts" / "qgis_process.sh")
    startup = _child([script, "help", ALGORITHM], env)  # also enables the plugin in the throwaway profile
    startup = _child([script, "help", ALGORITHM], env)
    args = [f"{k}={v}" for k, v in _parameters(gpkg, out, "qgis_process").items()]
    run = _child([script, "run", ALGORITHM, "--", *args], env)
    if run["rc"] != 0:
        sys.stderr.write(run["output"][-4000:])
        raise SystemExit(f"qgis_process failed ({run['rc']})")
    with open(os.path.join(out, "audit_qgis_process.json"), encoding="utf-8") as handle:
        findings = len(json.load(handle)["findings"])
    return {
        "startup_s": startup["wall_s"],
        "startup_cpu_s": startup["cpu_s"],
        "wall_s": run["wall_s"],
        "cpu_s": run["cpu_s"],
        "peak_mb": run["peak_mb"],
        "findings": findings,
    }


def _worker(args, *call) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(call)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=dict(os.environ), cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"worker {call[0]} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100000, help="level 3 grids")
    parser.add_argument("--detail", default="realistic", choices=["simple", "realistic"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-grids", type=int, default=120)
    parser.add_argument("--keep", help="keep the workspace and outputs in this folder")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, *rest = json.loads(args.worker)
        print(json.dumps({"prepare": prepare, "in_process": in_process}[name](*rest)))
        return 0

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_qp_") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        gpkg = str(folder / "city.gpkg")
        city = _worker(args, "prepare", args.size, args.seed, args.detail, args.per_grids, gpkg)
        print(
            f"city: {args.size} level 3 grids ({args.detail}), {city['grids']} grids in all, {city['planted']} "
            f"planted findings; generated in {city['generate_s']:.1f} s, workspace written in {city['write_s']:.1f} s "
            f"({city['gpkg_mb']:.0f} MB; not timed)",
            flush=True,
        )
        ours = _worker(args, "in_process", gpkg, str(folder))
        qp = run_qgis_process(gpkg, str(folder))
    after = os.getloadavg()
    print(f"cpus: {os.cpu_count()}, load before: {load[0]:.2f}, after: {after[0]:.2f}")
    print(f"{'':44} {'wall s':>8} {'cpu s':>8}")
    print(f"{'in process: read the workspace (adapters)':44} {ours['read_s']:>8.2f} {ours['read_cpu_s']:>8.2f}")
    print(f"{'in process: whole workspace audit (reference)':44} {ours['audit_s']:>8.2f} {ours['audit_cpu_s']:>8.2f}")
    print(f"{'qgis_process: start-up alone (help)':44} {qp['startup_s']:>8.2f} {qp['startup_cpu_s']:>8.2f}")
    print(f"{'qgis_process: read, audit, layer, JSON, HTML':44} {qp['wall_s']:>8.2f} {qp['cpu_s']:>8.2f}")
    ratio, cpu_ratio = qp["wall_s"] / ours["audit_s"], qp["cpu_s"] / ours["audit_cpu_s"]
    verdict = "met" if ratio <= 1.5 else "NOT met"
    print(f"ratio qgis_process / in-process audit: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 1.5×: {verdict})")
    same = "yes" if qp["findings"] == ours["findings"] else "NO"
    print(f"findings: in process {ours['findings']}, qgis_process {qp['findings']} (same: {same}); ", end="")
    print(f"peak memory: qgis_process {qp['peak_mb']:.0f} MB, in-process worker {ours['peak_mb']:.0f} MB")
    print(f"Where the time goes: the algorithm run in process ({ours['algorithm_s']:.2f} s wall, ", end="")
    print(f"{ours['algorithm_cpu_s']:.2f} s CPU)")
    print(f"{'step':20} {'wall s':>8} {'cpu s':>8}")
    for label, (wall, cpu) in ours["steps"].items():
        print(f"{label:20} {wall:>8.2f} {cpu:>8.2f}")
    return 0 if same == "yes" else 1


if __name__ == "__main__":
    sys.exit(main())
