"""The private cluster of scripts/pg_cluster.sh: PostGIS available, start idempotent, a crash recovered."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg_cluster.sh"


def test_cluster_runs_postgis(pg_connect):
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("select postgis_lib_version(), current_setting('server_version_num')::int")
        postgis, server = cur.fetchone()
    assert postgis.startswith("3.")
    assert server >= 150000


def test_start_is_idempotent_and_status_reports(pg_cluster):
    first = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=True)
    assert "running" in first.stdout
    status = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True)
    assert status.returncode == 0 and "running" in status.stdout


def test_restart_after_immediate_stop_keeps_committed_data(pg_connect, pg_restart, unique_name):
    conn = pg_connect()
    with conn, conn.cursor() as cur:
        cur.execute(f"create table public.{unique_name} (n int)")
        cur.execute(f"insert into public.{unique_name} values (1)")
    conn.close()
    pg_restart("immediate")
    conn = pg_connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"select n from public.{unique_name}")
            assert cur.fetchall() == [(1,)]
    finally:
        with conn, conn.cursor() as cur:
            cur.execute(f"drop table public.{unique_name}")
