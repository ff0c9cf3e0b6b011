"""The audit bench (scripts/bench_audit.py) on a tiny city: the city generated and written to a file by one
process, read and audited by another, the planted defects found exactly, the memory figures of the reading
process present. No time is asserted."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_audit", ROOT / "scripts" / "bench_audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_audits_a_city_read_from_a_file(tmp_path, capsys):
    bench = _bench()
    args = ["--sizes", "600", "--details", "simple", "--fallback-sizes", "600", "--bare-sizes", "--json"]
    assert bench.main([*args, "--keep", str(tmp_path), "--counties", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    native, fallback = rows["native"], rows["fallback"]
    assert len(native) == len(fallback) == 1
    row = native[0]
    assert row["exact"] and row["planted"] >= 29
    assert row["counties"] == 2
    assert 0 < row["rss_before_audit_mb"] <= row["peak_rss_mb"]
    stages = [text for text, _start, _high in row["stage_rss_mb"]]
    assert stages[0] == "checking geometries" and "checking staffing" in stages
    assert fallback[0]["findings_digest"] == row["findings_digest"]
    assert len(list(tmp_path.glob("city_600_simple_*_c2_*.bin"))) == 1  # kept, and reused by the fallback run
