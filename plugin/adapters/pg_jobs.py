"""The Jobs page's file jobs on a shared PostGIS workspace (issue 14, item 1).

* Read-only jobs (filing package, notice map, permits) and the computing half of the writing ones run on a
  consistent snapshot of the schema copied into a temporary GeoPackage — ``pg_store.copy_pg_to_gpkg``, the copy
  the headless filing export (``pg_store.export_filing_from_pg``) goes through — made inside the job's task and
  removed afterwards (:class:`SharedJob`).
* The writing jobs compute with the GeoPackage path's code on that snapshot and only swap the writer: the
  household counts (:meth:`SharedJob.write_totals`) and the staff register (:meth:`SharedJob.import_staff`) go
  into the PostGIS tables in ONE transaction through the role's own connection, so row-level security, the
  township triggers and the version triggers apply: every grid UPDATE names the version read before the
  snapshot was taken (a grid changed since is refused, nothing is overwritten), and a refusal becomes
  ``pg_store.translate_error``'s message naming the grid.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..core import pg_schema, schema
from ..i18n import tr
from .pg_desktop import TOWNSHIP, workspace_role
from .pg_store import PgStoreError, _detail, _fail, _psycopg2, connect, copy_pg_to_gpkg, translate_error

TOTAL_FIELDS = ("households", "population", "relocated_households")


def phones_readable(params, name: str) -> bool:
    """Whether the connected role may read the staff's phone columns (a township role may not)."""
    with closing(connect(params)) as conn, conn.cursor() as cur:
        table = f"{pg_schema.ident(name)}.{pg_schema.ident(schema.STAFF.name)}"
        cur.execute(
            "select bool_and(has_column_privilege(%s, c, 'SELECT')) from unnest(%s::text[]) as c",
            (table, list(schema.PHONE_FIELDS)),
        )
        row = cur.fetchone()
        conn.rollback()
    return bool(row and row[0])


def staff_writable(params, name: str) -> bool:
    """Whether the connected role may write the staff register (the county role)."""
    with closing(connect(params)) as conn, conn.cursor() as cur:
        table = f"{pg_schema.ident(name)}.{pg_schema.ident(schema.STAFF.name)}"
        cur.execute("select has_table_privilege(%s, 'INSERT') and has_table_privilege(%s, 'DELETE')", (table, table))
        row = cur.fetchone()
        conn.rollback()
    return bool(row and row[0])


def own_township_changes(changes, grids, role) -> list:
    """The changes a township's attachment may write: its own grids' (codes under its township code).

    The counting code re-totals every grid of the county, so a neighbour's grid whose stored counts are unset or
    do not add up would "change" although the township's table says nothing of it: such rows are left out (they
    are not the township's to write). A neighbour's level 3 grid the table gives households to stays in, and the
    database refuses it with its message naming the grid. The county role writes every change."""
    if role.kind != TOWNSHIP or not role.town_code:
        return changes
    kept = []
    for change in changes:
        grid = grids[change.level]
        codes = dict(zip((int(f) for f in grid.fids), grid.codes))
        own = np.array([str(codes.get(int(f)) or "").startswith(role.town_code) for f in change.fids], dtype=bool)
        named = (change.level == 3) & (np.asarray(change.new)[:, 0] > 0) if len(change.fids) else own
        keep = own | named
        if keep.all():
            kept.append(change)
        elif keep.any():
            index = np.flatnonzero(keep)
            kept.append(
                replace(
                    change,
                    fids=np.asarray(change.fids)[index],
                    old=[change.old[i] for i in index],
                    new=np.asarray(change.new)[index],
                )
            )
    return kept


class SharedJob:
    """One job on a shared workspace: the snapshot's temporary folder, the versions read, the writers."""

    def __init__(self, workspace):
        self.params = workspace.params
        self.schema_name = workspace.schema_name
        self.label = str(workspace.path)
        self.folder = Path(tempfile.mkdtemp(prefix="cg_shared_"))
        self.copy = self.folder / f"{self.schema_name}.gpkg"
        self.versions: dict[str, dict[int, int]] = {}

    # ------------------------------------------------------------ the snapshot (task thread)

    def read_versions(self) -> None:
        """{layer: {fid: version}} of every grid, read before the snapshot: what the job's writes name."""
        psycopg2 = _psycopg2()
        s = pg_schema.ident(self.schema_name)
        with closing(connect(self.params)) as conn:
            try:
                with conn.cursor() as cur:
                    for layer_def in schema.GRID_LAYERS:
                        cur.execute(f"select fid, version from {s}.{pg_schema.ident(layer_def.name)}")
                        self.versions[layer_def.name] = {int(f): int(v) for f, v in cur.fetchall() if v is not None}
                conn.rollback()
            except psycopg2.Error as error:
                _fail(conn, error)

    def snapshot(self, versions: bool = False) -> Path:
        """The schema copied into the temporary GeoPackage (one repeatable-read transaction)."""
        if versions:
            self.read_versions()
        return copy_pg_to_gpkg(self.params, self.schema_name, self.copy, overwrite=True)

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------ the writers

    def write_totals(self, workspace, grids, attachment):
        """``household_edits.write_totals_file``'s changes (computed on the snapshot ``workspace``) written into
        the PostGIS grid tables in one transaction, each UPDATE naming the version read. Returns the TotalsEdit."""
        from .household_edits import HouseholdError, plan_totals

        edit = plan_totals(workspace, grids, attachment)
        if not edit.changes:
            return edit
        psycopg2 = _psycopg2()
        s = pg_schema.ident(self.schema_name)
        sets = ", ".join(f"{pg_schema.ident(n)} = %s" for n in TOTAL_FIELDS)
        with closing(connect(self.params)) as conn:
            layer, code = "", ""
            try:
                edit.changes = own_township_changes(edit.changes, grids, workspace_role(conn, self.schema_name))
                with conn.cursor() as cur:
                    cur.execute(
                        "select set_config('community_grids.reason', %s, true)", (tr("Attach household counts"),)
                    )
                    for change in edit.changes:
                        layer = schema.GRID_LAYER_BY_LEVEL[change.level].name
                        grid = grids[change.level]
                        codes = dict(zip((int(f) for f in grid.fids), grid.codes))
                        read = self.versions.get(layer, {})
                        for fid, new in zip(change.fids, change.new):
                            fid, code = int(fid), str(codes.get(int(fid)) or "")
                            if fid not in read:
                                raise HouseholdError(
                                    tr(
                                        "Grid {code} ({layer}) is no longer in the shared workspace; nothing was changed."
                                    ).format(code=code or fid, layer=layer)
                                )
                            cur.execute(
                                f"update {s}.{pg_schema.ident(layer)} set {sets}, version = %s where fid = %s "
                                "returning fid",
                                (*(int(new[k]) for k in range(3)), read[fid], fid),
                            )
                            if cur.fetchone() is None:
                                raise HouseholdError(
                                    tr(
                                        "Grid {code} ({layer}) is no longer in the shared workspace; nothing was changed."
                                    ).format(code=code or fid, layer=layer)
                                )
                conn.commit()
            except psycopg2.Error as error:
                if getattr(error, "pgcode", "") == pg_schema.SQLSTATE_VERSION_CONFLICT:
                    conn.rollback()
                    detail = _detail(error)
                    raise HouseholdError(
                        tr(
                            "Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after the counts "
                            "were computed from version {read}; no count was written. Attach the households again."
                        ).format(
                            code=detail.get("code") or code,
                            layer=layer,
                            user=detail.get("current_by", ""),
                            at=str(detail.get("current_at", ""))[:19].replace("T", " "),
                            version=detail.get("current_version", ""),
                            read=detail.get("read_version", ""),
                        )
                    ) from error
                try:
                    _fail(conn, error, layer, code)
                except PgStoreError as refused:
                    raise HouseholdError(str(refused)) from error
            except BaseException:
                conn.rollback()
                raise
        return edit

    def import_staff(self, plan, replace: bool) -> int:
        """``staff_store.import_to_file`` into the PostGIS staff table: one transaction (replaced or appended)."""
        from .table_store import TableStoreError

        psycopg2 = _psycopg2()
        table = f"{pg_schema.ident(self.schema_name)}.{pg_schema.ident(schema.STAFF.name)}"
        names = set(schema.STAFF.field_names)
        with closing(connect(self.params)) as conn:
            try:
                with conn.cursor() as cur:
                    if replace:
                        cur.execute(f"delete from {table}")
                    for row in plan.rows:
                        values = {k: v for k, v in row.items() if k in names}
                        columns = ", ".join(pg_schema.ident(k) for k in values)
                        cur.execute(
                            f"insert into {table} ({columns}) values ({', '.join(['%s'] * len(values))})",
                            list(values.values()),
                        )
                conn.commit()
            except psycopg2.Error as error:
                try:
                    _fail(conn, error, schema.STAFF.name)
                except PgStoreError as refused:
                    raise TableStoreError(str(refused)) from error
        return len(plan.rows)

    def record_filing(self) -> str:
        """Record the filing package just exported from the snapshot (its version, time and file, an override's
        reason) in the shared workspace's ``workspace_info``, as the export records it in a GeoPackage: the next
        package's version and its changes follow. Returns "" or the message why it was not recorded."""
        from ..core import filing as core
        from .package_io import open_gpkg, read_key_values

        dataset = open_gpkg(self.copy)
        try:
            rows = read_key_values(dataset, schema.WORKSPACE_INFO.name)
        finally:
            dataset = None
        keys = (core.INFO_LAST_PACKAGE_AT, core.INFO_LAST_PACKAGE_VERSION, core.INFO_LAST_PACKAGE_FILE)
        values = {k: v for k, v in rows.items() if k in keys or k.startswith(core.INFO_OVERRIDE_PREFIX)}
        psycopg2 = _psycopg2()
        table = f"{pg_schema.ident(self.schema_name)}.{pg_schema.ident(schema.WORKSPACE_INFO.name)}"
        with closing(connect(self.params)) as conn:
            try:
                with conn.cursor() as cur:
                    for key, value in values.items():
                        cur.execute(
                            f"insert into {table} (key, value) values (%s, %s) "
                            "on conflict (key) do update set value = excluded.value",
                            (key, value),
                        )
                conn.commit()
            except psycopg2.Error as error:
                conn.rollback()
                return tr(
                    "The package was not recorded in the shared workspace (its version and date): {error}"
                ).format(error=translate_error(error, schema.WORKSPACE_INFO.name))
        return ""
