"""Change requests (§7.6) in a shared PostGIS workspace: a township role's edits held as a proposed change set,
decided by the county role — with the rules kept by the database (``core.pg_changesets``).

* :func:`install_change_sets` — the change-set tables, functions, privileges and policies (the schema's owner,
  after ``pg_store.setup_roles``);
* :func:`read_pg_grids` — the workspace's grids as the core's arrays (what a township's edits are compared with);
* :func:`propose` — a township's change set (``core.changesets.propose_change_set``) written as the connected
  role's proposal, in one transaction; the database refuses an item outside the role's township;
* :func:`approve` / :func:`reject` — the county role's decision through the database's functions;
* :func:`read_change_set` / :func:`change_sets` — a proposal back as a ``core.changesets.ChangeSet``.

Refusals come back as ``pg_store.PgStoreError`` (or ``core.changesets.ChangeSetError``) with a translated message
naming the change request or the grid; nothing is changed then.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..core import changesets as core
from ..core import pg_changesets as sql
from ..core import schema
from ..core.model import GridArray
from ..core.pg_schema import ident
from ..i18n import tr
from .pg_store import PgStoreError, _psycopg2, read_pg_info


def _srid(conn, name: str) -> int:
    crs = read_pg_info(conn, name).crs
    authority, _, code = crs.partition(":")
    if authority.upper() != "EPSG" or not code.isdigit():
        raise PgStoreError(tr("The workspace's CRS {crs} is not an EPSG code.").format(crs=crs))
    return int(code)


def install_change_sets(conn, name: str, county_role: str, township_roles: list[str]) -> None:
    """Create the change-set tables and rules in workspace ``name`` (one transaction; the schema's owner)."""
    psycopg2 = _psycopg2()
    srid = _srid(conn, name)
    try:
        with conn.cursor() as cur:
            for statement in (
                *sql.tables_sql(name, srid),
                *sql.functions_sql(name),
                *sql.grants_sql(name, county_role, township_roles),
            ):
                cur.execute(statement)
        conn.commit()
    except psycopg2.Error as error:
        conn.rollback()
        raise PgStoreError(
            tr("Could not add change requests to workspace {schema}: {error}").format(
                schema=name, error=str(error).strip()
            )
        ) from error


# ---------------------------------------------------------------- reading


def read_pg_grids(conn, name: str) -> dict[str, GridArray]:
    """Every grid layer of the workspace with all the schema's grid fields, keyed by fid."""
    s = ident(name)
    fields = [f.name for f in schema.GRID_FIELDS]
    columns = ", ".join(ident(f) for f in fields)
    out = {}
    with conn.cursor() as cur:
        for layer in schema.GRID_LAYERS:
            cur.execute(f"select fid, {columns}, st_asbinary(geom) from {s}.{ident(layer.name)} order by fid")
            rows = cur.fetchall()
            n = len(rows)

            def column(k, rows=rows, n=n):
                values = np.empty(n, dtype=object)
                values[:] = [r[k] for r in rows]
                return values

            wkbs = [None if r[-1] is None else bytes(r[-1]) for r in rows]
            geometries = np.empty(n, dtype=object)
            geometries[:] = list(shapely.from_wkb(wkbs)) if n else []
            index = {f: k + 1 for k, f in enumerate(fields)}
            attributes = {f: column(index[f]) for f in fields if f not in ("code", "parent_code", "name")}
            out[layer.name] = GridArray(
                layer.name,
                layer.level,
                np.asarray([r[0] for r in rows], dtype=np.int64),
                column(index["code"]),
                column(index["parent_code"]),
                column(index["name"]),
                geometries,
                attributes,
            )
    conn.rollback()
    return out


def read_change_set(conn, name: str, set_id: str) -> core.ChangeSet:
    s = ident(name)
    with conn.cursor() as cur:
        cur.execute(f"select * from {s}.{sql.SETS} where set_id = %s", (set_id,))
        row = cur.fetchone()
        if row is None:
            conn.rollback()
            raise PgStoreError(
                tr("There is no change request {id} in workspace {schema}.").format(id=set_id, schema=name)
            )
        record = dict(zip([d[0] for d in cur.description], row))
        cur.execute(
            f"select *, st_asbinary(geom) as wkb from {s}.{sql.ITEMS} where set_id = %s order by item_no", (set_id,)
        )
        names = [d[0] for d in cur.description]
        items = [dict(zip(names, r)) for r in cur.fetchall()]
        cur.execute(f"select item_no, st_asbinary(geom) from {s}.{sql.BEFORE} where set_id = %s", (set_id,))
        before = {int(k): shapely.from_wkb(bytes(w)) for k, w in cur.fetchall() if w is not None}
    conn.rollback()
    after = [None if i["wkb"] is None else shapely.from_wkb(bytes(i["wkb"])) for i in items]
    return core.ChangeSet.from_rows(record, items, after, before)


def change_sets(conn, name: str, status: str | None = None) -> list[dict]:
    """The workspace's change requests (newest first): id, township, status, proposer, reference, times."""
    s = ident(name)
    where, args = ("where status = %s", (status,)) if status else ("", ())
    with conn.cursor() as cur:
        cur.execute(
            f"select set_id, township_code, status, proposed_by, proposed_at, approval_ref, decided_by, decided_at "
            f"from {s}.{sql.SETS} {where} order by proposed_at desc, fid desc",
            args,
        )
        names = [d[0] for d in cur.description]
        out = [dict(zip(names, r)) for r in cur.fetchall()]
    conn.rollback()
    return out


# ---------------------------------------------------------------- proposing and deciding


def _user(conn) -> str:
    with conn.cursor() as cur:
        cur.execute("select current_user")
        return cur.fetchone()[0]


def _has_column(conn, name: str, table: str, column: str) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "select 1 from information_schema.columns where table_schema = %s and table_name = %s and column_name = %s",
            (name, table, column),
        )
        return cur.fetchone() is not None


def propose(conn, name: str, cs: core.ChangeSet, context: dict[str, GridArray] | None = None) -> core.ChangeSet:
    """Write ``cs`` as the connected role's proposal (one transaction), with the map of the change (a PNG of
    ``adapters.changeset_map``; ``context``: the grids as they are, drawn around it). The database refuses an
    item for a grid outside the role's township: PgStoreError naming the grid, nothing written."""
    psycopg2 = _psycopg2()
    s = ident(name)
    srid = _srid(conn, name)
    cs.proposed_by = _user(conn)
    cs.status = core.PROPOSED
    cs.crs = cs.crs or f"EPSG:{srid}"
    from .changeset_map import render_change_map
    from .package_io import multipolygons

    if cs.map_png is None:
        cs.map_png = render_change_map(cs, context) or None
    row = cs.row()
    if not _has_column(conn, name, sql.SETS, "map_png"):  # a workspace not upgraded (pg_store.upgrade_workspace)
        row.pop("map_png", None)
    items = cs.item_rows()
    after = multipolygons([i.after_geometry if i.action != core.RETIRE else None for i in cs.items])
    item = None
    stage = "set"
    try:
        with conn.cursor() as cur:
            keys = list(row)
            cur.execute(
                f"insert into {s}.{sql.SETS} ({', '.join(ident(k) for k in keys)}) "
                f"values ({', '.join(['%s'] * len(keys))})",
                [row[k] for k in keys],
            )
            stage = "items"
            for item, geometry in zip(items, after):
                keys = list(item)
                wkb = None if geometry is None else shapely.to_wkb(geometry)
                cur.execute(
                    f"insert into {s}.{sql.ITEMS} ({', '.join(ident(k) for k in keys)}, geom) "
                    f"values ({', '.join(['%s'] * len(keys))}, st_geomfromwkb(%s, %s))",
                    [*(item[k] for k in keys), wkb, srid],
                )
            item = None
            befores = [i for i in cs.items if i.before_geometry is not None]
            for it, geometry in zip(befores, multipolygons([i.before_geometry for i in befores])):
                cur.execute(
                    f"insert into {s}.{sql.BEFORE} (set_id, item_no, geom) values (%s, %s, st_geomfromwkb(%s, %s))",
                    (cs.set_id, it.item_no, None if geometry is None else shapely.to_wkb(geometry), srid),
                )
        conn.commit()
    except psycopg2.Error as error:
        conn.rollback()
        text = str(error).strip().splitlines()[0]
        if stage == "set" and error.pgcode == "42501":
            raise PgStoreError(
                tr(
                    "The database refused change request {id}: user {user} does not propose for township {township}; "
                    "nothing was proposed."
                ).format(id=cs.set_id, user=cs.proposed_by, township=cs.township_code)
            ) from error
        if item is not None and error.pgcode == "42501":
            raise PgStoreError(
                tr(
                    "The database refused change request {id}: grid {code} ({layer}) is not in township {township} "
                    "of user {user}; nothing was proposed."
                ).format(
                    id=cs.set_id,
                    code=item["code"] or item["name"] or "",
                    layer=item["layer"],
                    township=cs.township_code,
                    user=cs.proposed_by,
                )
            ) from error
        raise PgStoreError(
            tr("The database refused change request {id}; nothing was proposed: {error}").format(
                id=cs.set_id, error=text
            )
        ) from error
    return cs


def _decide(conn, name: str, set_id: str, call: str, args: tuple) -> None:
    psycopg2 = _psycopg2()
    s = ident(name)
    try:
        with conn.cursor() as cur:
            cur.execute(f"select {s}.{call}(%s, %s)", (set_id, *args))
        conn.commit()
    except psycopg2.Error as error:
        conn.rollback()
        text = str(error).strip().splitlines()[0]
        if error.pgcode == sql.SQLSTATE_NOT_COUNTY:
            message = tr("Only the county role decides change requests; change request {id} was left as it was.")
        elif error.pgcode == sql.SQLSTATE_STALE:
            message = tr("Change request {id} cannot be approved, nothing was changed: {error}")
        elif error.pgcode == "23505":
            message = tr("Change request {id} would reuse a registered grid code; nothing was changed: {error}")
        else:
            message = tr("The database refused the decision on change request {id}: {error}")
        raise PgStoreError(message.format(id=set_id, error=text)) from error


def approve(conn, name: str, set_id: str, approval_ref: str) -> core.ChangeSet:
    """Approve (county role): the set becomes current in one transaction, logged with ``approval_ref``."""
    if not (approval_ref or "").strip():
        raise core.ChangeSetError(core.MSG_NO_REF, set_id=set_id)
    _decide(conn, name, set_id, "approve_change_set", (approval_ref,))
    return read_change_set(conn, name, set_id)


def reject(conn, name: str, set_id: str, reason: str) -> core.ChangeSet:
    """Reject (county role) with a reason; no grid changes."""
    if not (reason or "").strip():
        raise core.ChangeSetError(core.MSG_NO_REJECT_REASON, set_id=set_id)
    _decide(conn, name, set_id, "reject_change_set", (reason,))
    return read_change_set(conn, name, set_id)
