"""The private PostgreSQL/PostGIS cluster (scripts/pg_cluster.sh) for the tests of the shared workspace.

The session starts the cluster (initdb once under build/pg, then start: idempotent) and reads its connection
settings. Nothing is skipped: when the server cannot be installed or started, every test using it FAILS with the
script's own message. Each test owns the schemas and roles it creates (unique names) and drops them.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg_cluster.sh"


def _run(action: str) -> str:
    proc = subprocess.run([str(SCRIPT), action], capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        pytest.fail(
            f"the private PostgreSQL cluster: `scripts/pg_cluster.sh {action}` failed "
            f"(exit {proc.returncode}):\n{proc.stdout}{proc.stderr}",
            pytrace=False,
        )
    return proc.stdout


def read_env() -> dict[str, str]:
    """The cluster's settings: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSFILE and CG_PG_BIN."""
    settings = {}
    for line in _run("env").splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            settings[key] = shlex.split(value)[0] if value else ""
    return settings


@pytest.fixture(scope="session")
def pg_cluster():
    """Start the cluster (idempotent) and return its settings as a dict of libpq variables."""
    _run("start")
    settings = read_env()
    import psycopg2

    try:
        psycopg2.connect(**pg_params(settings)).close()
    except psycopg2.Error as exc:
        pytest.fail(f"the private PostgreSQL cluster started but refuses the superuser: {exc}", pytrace=False)
    return settings


def pg_params(settings: dict[str, str], **overrides) -> dict:
    """psycopg2.connect keyword arguments for the cluster's superuser (overrides: user, password, dbname…)."""
    params = {
        "host": settings["PGHOST"],
        "port": int(settings["PGPORT"]),
        "dbname": settings["PGDATABASE"],
        "user": settings["PGUSER"],
        "passfile": settings["PGPASSFILE"],
    }
    params.update(overrides)
    return params


@pytest.fixture
def pg_connect(pg_cluster):
    """connect(**overrides) -> a psycopg2 connection to the cluster; every connection is closed afterwards."""
    import psycopg2

    opened = []

    def connect(**overrides):
        conn = psycopg2.connect(**pg_params(pg_cluster, **overrides))
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        if not conn.closed:
            conn.close()


@pytest.fixture
def pg_restart(pg_cluster):
    """restart(mode) -> stop the server with `pg_ctl stop -m mode` (immediate = a crash) and start it again."""

    def restart(mode: str = "immediate") -> None:
        data = str(Path(pg_cluster["PGPASSFILE"]).parent / "data")
        cmd = [os.path.join(pg_cluster["CG_PG_BIN"], "pg_ctl"), "-D", data, "-w", "-m", mode, "stop"]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        _run("start")

    return restart


@pytest.fixture
def unique_name():
    """A fresh lower-case name for this test's schema and roles (cluster-wide objects never collide)."""
    return "t" + uuid.uuid4().hex[:10]


from pg_helpers import TOWN_A, TOWN_B, small_data  # noqa: E402


class SharedWorkspace:
    """A small workspace copied into schema ``name`` with a county role and two township roles, each with a
    login (``logins[group] = PgParams``)."""

    def __init__(self, admin, name, gpkg):
        self.admin = admin
        self.name = name
        self.gpkg = gpkg
        self.county = f"{name}_county"
        self.town_a = f"{name}_town_a"
        self.town_b = f"{name}_town_b"
        self.logins = {}

    @property
    def roles(self):
        groups = [self.county, self.town_a, self.town_b]
        return [*(f"{g}_login" for g in groups), *groups]


@pytest.fixture
def pg_admin(pg_cluster):
    """The cluster's superuser as plugin connection settings (PgParams)."""
    from plugin.adapters.pg_store import PgParams

    os.environ["PGPASSFILE"] = pg_cluster["PGPASSFILE"]  # QGIS's postgres provider reads libpq's variables
    return PgParams(
        host=pg_cluster["PGHOST"],
        port=int(pg_cluster["PGPORT"]),
        dbname=pg_cluster["PGDATABASE"],
        user=pg_cluster["PGUSER"],
        passfile=pg_cluster["PGPASSFILE"],
    )


@pytest.fixture
def shared_workspace(pg_admin, unique_name, tmp_path, qgis_app):
    """The small workspace in PostGIS with its roles; schema and roles dropped afterwards."""
    from contextlib import closing

    from plugin.adapters import pg_store
    from plugin.adapters.workspace import write_workspace

    data = small_data()
    gpkg = tmp_path / "small.gpkg"
    write_workspace(gpkg, data.info, data)
    pg_store.copy_gpkg_to_pg(gpkg, pg_admin, unique_name)
    ws = SharedWorkspace(pg_admin, unique_name, gpkg)
    try:
        with closing(pg_store.connect(pg_admin)) as conn:
            pg_store.setup_roles(
                conn,
                unique_name,
                ws.county,
                [pg_store.Township(TOWN_A, "甲镇", ws.town_a), pg_store.Township(TOWN_B, "乙镇", ws.town_b)],
            )
            for group in (ws.county, ws.town_a, ws.town_b):
                login, password = f"{group}_login", f"pw-{group}"
                pg_store.create_login(conn, login, password, group)
                ws.logins[group] = pg_admin.with_login(login, password)
        yield ws
    finally:
        with closing(pg_store.connect(pg_admin)) as conn:
            with conn.cursor() as cur:  # connections of the test's logins would keep the roles alive
                cur.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where usename = any(%s)", (ws.roles,)
                )
            conn.commit()
            pg_store.drop_pg_workspace(conn, unique_name, ws.roles)
