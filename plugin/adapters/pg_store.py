"""A workspace in a PostgreSQL/PostGIS schema: the same layers as the GeoPackage (``core.schema``, DDL from
``core.pg_schema``), opened in QGIS through its ``postgres`` provider, written through psycopg2.

psycopg2 is what a stock QGIS ships: Debian's python3-psycopg2 (a dependency of the Makefile's system rule) and
the QGIS Windows installers (OSGeo4W bundles psycopg2 with QGIS's Python). Every write here is one database
transaction: a failure rolls it back and nothing is changed. Errors reach the user as translated messages: a
refused edit names the grid (the SQLSTATEs of ``core.pg_schema``'s triggers), a bad password, a server that does
not answer, a schema of a newer version and a role without rights each have their own message.
"""

from __future__ import annotations

import json
import os
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from osgeo import ogr
from qgis.core import QgsDataSourceUri, QgsVectorLayer, QgsWkbTypes

from ..core import pg_schema, schema
from ..i18n import tr
from .workspace import (
    Workspace,
    WorkspaceError,
    _check_target,
    _write_layer,
    atomic_path,
    now_iso,
    read_info,
    save_default_styles,
)

STORE = "postgis"


class PgStoreError(WorkspaceError):
    """A PostGIS workspace could not be reached, read or written; the message is translated."""


class PgConflict(PgStoreError):
    """A save refused because the grid changed since it was read; the refused edit is kept in refused_edits."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


# ---------------------------------------------------------------- connections


@dataclass(frozen=True)
class PgParams:
    """Where the workspace lives: libpq settings (no password kept when a passfile or service supplies it)."""

    host: str = ""
    port: int = 5432
    dbname: str = ""
    user: str = ""
    password: str = ""
    passfile: str = ""

    def libpq(self) -> dict:
        out = {"host": self.host, "port": int(self.port), "dbname": self.dbname, "user": self.user}
        if self.password:
            out["password"] = self.password
        if self.passfile:
            out["passfile"] = self.passfile
        return {k: v for k, v in out.items() if v not in ("", None)}

    def where(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"

    @classmethod
    def from_conninfo(cls, text: str) -> PgParams:
        """From a libpq string ``host=… port=… dbname=… user=… password=…`` (unknown keys refused)."""
        values: dict[str, str] = {}
        for part in text.split():
            key, sep, value = part.partition("=")
            if not sep or key not in {"host", "port", "dbname", "user", "password", "passfile"}:
                raise PgStoreError(tr("Not a PostgreSQL connection setting: {part}").format(part=part))
            values[key] = value.strip("'")
        try:
            port = int(values.pop("port", "5432"))
        except ValueError as error:
            raise PgStoreError(tr("Not a PostgreSQL connection setting: {part}").format(part=text)) from error
        return cls(port=port, **values)

    def with_login(self, user: str, password: str) -> PgParams:
        return PgParams(self.host, self.port, self.dbname, user, password, "")


def _psycopg2():
    try:
        import psycopg2
    except ImportError as error:  # a Python without psycopg2
        raise PgStoreError(
            tr("The PostgreSQL driver psycopg2 is missing from QGIS's Python ({error}).").format(error=error)
        ) from error
    return psycopg2


def connect(params: PgParams):
    """A psycopg2 connection, or PgStoreError with the reason in the user's words."""
    psycopg2 = _psycopg2()
    try:
        conn = psycopg2.connect(connect_timeout=10, application_name="community_grids", **params.libpq())
    except psycopg2.OperationalError as error:
        text = str(error).strip()
        if "password authentication failed" in text or "no password supplied" in text:
            raise PgStoreError(
                tr("PostgreSQL refused the password of user {user} ({where}).").format(
                    user=params.user, where=params.where()
                )
            ) from error
        if "does not exist" in text and "database" in text:
            raise PgStoreError(
                tr("The database {db} does not exist on {where}.").format(db=params.dbname, where=params.where())
            ) from error
        if any(s in text for s in ("Connection refused", "No such file or directory", "could not connect", "timeout")):
            raise PgStoreError(
                tr("The PostgreSQL server at {host}:{port} does not answer; is it running? ({error})").format(
                    host=params.host, port=params.port, error=text.splitlines()[0]
                )
            ) from error
        raise PgStoreError(
            tr("Could not connect to PostgreSQL ({where}): {error}").format(where=params.where(), error=text)
        ) from error
    return conn


def _detail(error) -> dict:
    diag = getattr(error, "diag", None)
    try:
        return json.loads(diag.message_detail) if diag is not None and diag.message_detail else {}
    except (TypeError, ValueError):
        return {}


def translate_error(error, layer: str = "", code: str = "") -> str:
    """A database error as the planner's message: the refused grid named where the database names it."""
    pgcode = getattr(error, "pgcode", None) or ""
    detail = _detail(error)
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    grid = detail.get("code") or code or "?"
    where = detail.get("layer") or layer
    if pgcode == pg_schema.SQLSTATE_OUTSIDE_TOWNSHIP:
        return tr(
            "Grid {code} ({layer}) is outside your township: the database refused the edit by {user}; "
            "nothing was changed."
        ).format(code=grid, layer=where, user=detail.get("user", ""))
    if pgcode == pg_schema.SQLSTATE_VERSION_CONFLICT:
        return tr(
            "Grid {code} ({layer}) was changed by {user} at {at} (version {version}) after you read it "
            "(version {read}); your edit was not saved: it is kept in refused_edits, nothing was overwritten."
        ).format(
            code=grid,
            layer=where,
            user=detail.get("current_by", ""),
            at=str(detail.get("current_at", ""))[:19].replace("T", " "),
            version=detail.get("current_version", ""),
            read=detail.get("read_version", ""),
        )
    if pgcode == pg_schema.SQLSTATE_VERSION_MISSING:
        return tr(
            "Grid {code} ({layer}): a save must name the version of the grid it read (the current one is {version}, "
            "last changed by {user}); your edit was not saved, nothing was overwritten."
        ).format(code=grid, layer=where, version=detail.get("current_version", ""), user=detail.get("current_by", ""))
    if pgcode == pg_schema.SQLSTATE_CODE_REUSED:
        return tr("Code {code}: {error}; nothing was changed.").format(code=grid, error=first)
    if pgcode == "42501":  # insufficient_privilege, row-level security included
        if "row-level security" in first:
            return tr(
                "Grid {code} ({layer}) is outside your township: the database's row security refused it; "
                "nothing was changed."
            ).format(code=grid, layer=where)
        return tr("Your database role may not do this ({error}); nothing was changed.").format(error=first)
    if pgcode == "23505":
        return tr("{layer}: a value that must be unique is taken ({error}); nothing was changed.").format(
            layer=where or "?", error=first
        )
    return tr("The database refused the change ({error}); nothing was changed.").format(error=first)


def _fail(conn, error, layer: str = "", code: str = ""):
    """Roll back and raise the translated PgStoreError for a psycopg2 error."""
    if not conn.closed:
        conn.rollback()
    raise PgStoreError(translate_error(error, layer, code)) from error


# ---------------------------------------------------------------- metadata


def schema_exists(conn, name: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_namespace where nspname = %s", (name,))
        return cur.fetchone() is not None


def read_pg_info(conn, name: str) -> schema.WorkspaceInfo:
    """Check (read-only) that schema ``name`` holds a workspace this plugin can open; return its metadata."""
    pg_schema.ident(name)
    psycopg2 = _psycopg2()
    if not schema_exists(conn, name):
        raise PgStoreError(tr("The database has no workspace schema {schema}.").format(schema=name))
    try:
        with conn.cursor() as cur:
            cur.execute(f"select key, value from {pg_schema.ident(name)}.workspace_info")
            rows = dict(cur.fetchall())
        conn.rollback()
    except psycopg2.Error as error:
        conn.rollback()
        if getattr(error, "pgcode", "") == "42P01":
            raise PgStoreError(
                tr("Schema {schema} is not a Community Grids workspace (no {table} table).").format(
                    schema=name, table=schema.WORKSPACE_INFO.name
                )
            ) from error
        raise PgStoreError(translate_error(error)) from error
    if rows.get(schema.INFO_MARKER) != schema.WORKSPACE_MARKER:
        raise PgStoreError(tr("Schema {schema} is not a Community Grids workspace.").format(schema=name))
    info = schema.WorkspaceInfo.from_rows(rows)
    if info.schema_version > schema.SCHEMA_VERSION:
        raise PgStoreError(
            tr(
                "Schema {schema} was written by a newer Community Grids (schema {found}, this plugin reads up to "
                "{supported}); update the plugin to open it. Nothing was changed."
            ).format(schema=name, found=info.schema_version, supported=schema.SCHEMA_VERSION)
        )
    if info.schema_version < 1:
        raise PgStoreError(tr("Schema {schema} has no valid schema version.").format(schema=name))
    return info


def _srid(info: schema.WorkspaceInfo) -> int:
    text = info.crs.upper()
    if not text.startswith("EPSG:"):
        raise PgStoreError(tr("{crs} is not an EPSG code; PostGIS needs one.").format(crs=info.crs))
    return int(text.split(":", 1)[1])


# ---------------------------------------------------------------- create / copy in


def _create_tables(cur, name: str, info: schema.WorkspaceInfo, overwrite: bool) -> None:
    if overwrite:
        cur.execute(f"drop schema if exists {pg_schema.ident(name)} cascade")
    for statement in pg_schema.tables_ddl(name, _srid(info)):
        cur.execute(statement)


def _create_rules(cur, name: str) -> None:
    for statement in pg_schema.rules_ddl(name):
        cur.execute(statement)


def _insert_rows(cur, name: str, layer_def: schema.LayerDef, rows, srid: int) -> int:
    """Insert ``rows`` = [(fid or None, {field: value}, wkb or None)] into a workspace table."""
    from psycopg2.extras import execute_values

    if not rows:
        return 0
    names = list(layer_def.field_names)
    columns = ["fid", *names] + (["geom"] if layer_def.geometry is not schema.GeometryKind.NONE else [])
    geom_sql = (
        "st_multi(st_geomfromwkb(%s, {srid}))"
        if layer_def.geometry is schema.GeometryKind.MULTIPOLYGON
        else "st_geomfromwkb(%s, {srid})"
    )
    template = (
        "("
        + ", ".join(["%s"] * (1 + len(names)) + ([geom_sql.format(srid=srid)] if len(columns) > len(names) + 1 else []))
        + ")"
    )
    values = []
    for fid, attributes, wkb in rows:
        row = [fid, *(attributes.get(n) for n in names)]
        if len(columns) > len(names) + 1:
            row.append(None if wkb is None else bytes(wkb))
        values.append(tuple(row))
    table = f"{pg_schema.ident(name)}.{pg_schema.ident(layer_def.name)}"
    column_sql = ", ".join(pg_schema.ident(c) for c in columns)
    execute_values(cur, f"insert into {table} ({column_sql}) values %s", values, template=template, page_size=2000)
    cur.execute(
        f"select setval(pg_get_serial_sequence(%s, 'fid'), greatest((select max(fid) from {table}), 1))",
        (f"{pg_schema.ident(name)}.{layer_def.name}",),
    )
    return len(values)


def _gpkg_rows(dataset, layer_def: schema.LayerDef):
    layer = dataset.GetLayerByName(layer_def.name)
    definition = layer.GetLayerDefn()
    index = {definition.GetFieldDefn(i).GetName(): i for i in range(definition.GetFieldCount())}
    rows = []
    layer.ResetReading()
    for feature in layer:
        attributes = {}
        for f in layer_def.fields:
            i = index.get(f.name)
            if i is None or not feature.IsFieldSetAndNotNull(i):
                attributes[f.name] = None
                continue
            value = feature.GetField(i)
            if f.type is schema.FieldType.BOOLEAN:
                value = bool(value)
            elif f.type is schema.FieldType.DATE and isinstance(value, str):
                value = value[:10]
            attributes[f.name] = value
        geometry = feature.GetGeometryRef()
        wkb = None
        if geometry is not None and not geometry.IsEmpty():
            wkb = geometry.ExportToIsoWkb()
        rows.append((feature.GetFID(), attributes, wkb))
    return rows


def copy_gpkg_to_pg(gpkg_path, params: PgParams, name: str, overwrite: bool = False, feedback=None) -> dict:
    """Copy the workspace GeoPackage ``gpkg_path`` into a new schema ``name`` (one transaction; fids kept).

    Returns {layer: rows copied}. An existing schema is refused unless ``overwrite``.
    """
    pg_schema.ident(name)
    info = read_info(gpkg_path)
    srid = _srid(info)
    psycopg2 = _psycopg2()
    counts: dict[str, int] = {}
    with closing(connect(params)) as conn:
        if schema_exists(conn, name) and not overwrite:
            raise PgStoreError(tr("Schema {schema} already exists; it was left unchanged.").format(schema=name))
        dataset = ogr.Open(str(gpkg_path), 0)
        try:
            with conn.cursor() as cur:
                _create_tables(cur, name, info, overwrite)
                for layer_def in schema.WORKSPACE_LAYERS:
                    if feedback is not None and feedback.isCanceled():
                        conn.rollback()
                        raise PgStoreError(tr("Cancelled; nothing was changed."))
                    counts[layer_def.name] = _insert_rows(cur, name, layer_def, _gpkg_rows(dataset, layer_def), srid)
                    if feedback is not None:
                        feedback.pushInfo(f"{layer_def.name}: {counts[layer_def.name]}")
                _create_rules(cur, name)  # after the rows: a copy is not an edit, nothing logged
            conn.commit()
        except psycopg2.Error as error:
            _fail(conn, error)
        finally:
            dataset = None
    return counts


def forget_styles(conn, name: str) -> None:
    """Remove the layer_styles rows of schema ``name`` (QGIS keeps one table for the database, in ``public``)."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass('public.layer_styles') is not null")
        if cur.fetchone()[0]:
            cur.execute(
                "delete from public.layer_styles where f_table_catalog = current_database() and f_table_schema = %s",
                (name,),
            )
    conn.commit()


def save_pg_styles(params: PgParams, name: str) -> None:
    """Store each layer's style as its default in the database's layer_styles table (QGIS's own table).

    The schema's previous styles are removed first: QGIS asks before replacing a style of the same name, a
    question nobody answers in a Processing run or a script."""
    from .styles import apply_layer_style

    with closing(connect(params)) as conn:
        forget_styles(conn, name)
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = pg_layer(params, name, layer_def)
        apply_layer_style(layer, layer_def)
        message = layer.saveStyleToDatabase(layer_def.name, layer_def.title_zh, True, "")
        if isinstance(message, tuple):  # QGIS ≥ 3.38 returns (ok, message)
            message = message[-1]
        if message:
            raise PgStoreError(
                tr("Could not store the style of {layer}: {error}").format(layer=layer_def.name, error=message)
            )
        del layer


# ---------------------------------------------------------------- open in QGIS


def layer_uri(params: PgParams, name: str, layer_def: schema.LayerDef) -> str:
    uri = QgsDataSourceUri()
    uri.setConnection(params.host, str(params.port), params.dbname, params.user, params.password)
    geometry = "geom" if layer_def.geometry is not schema.GeometryKind.NONE else ""
    uri.setDataSource(name, layer_def.name, geometry or None, "", "fid")
    if geometry:
        uri.setWkbType(
            {
                schema.GeometryKind.POINT: QgsWkbTypes.Type.Point,
                schema.GeometryKind.POLYGON: QgsWkbTypes.Type.Polygon,
                schema.GeometryKind.MULTIPOLYGON: QgsWkbTypes.Type.MultiPolygon,
            }[layer_def.geometry]
        )
    return uri.uri(False)


def pg_layer(params: PgParams, name: str, layer_def: schema.LayerDef, title: str | None = None) -> QgsVectorLayer:
    return open_postgres_layer(params, layer_uri(params, name, layer_def), title or layer_def.name, name, layer_def)


def open_postgres_layer(params: PgParams, uri: str, title: str, name: str, layer_def: schema.LayerDef):
    """A QGIS ``postgres`` layer of ``uri`` (schema ``name``'s ``layer_def``), or the provider's reason."""
    if params.passfile:
        os.environ.setdefault("PGPASSFILE", params.passfile)
    layer = QgsVectorLayer(uri, title, "postgres")
    if not layer.isValid():
        error = layer.dataProvider().error().message() if layer.dataProvider() is not None else ""
        raise PgStoreError(
            tr("Layer {layer} of schema {schema} did not open: {error}").format(
                layer=layer_def.name, schema=name, error=error or "?"
            )
        )
    return layer


@dataclass
class PgWorkspace(Workspace):
    """An open PostGIS workspace: ``path`` names it (schema@database) for messages; ``params`` reach it."""

    params: PgParams = field(default_factory=PgParams)
    schema_name: str = ""
    store: str = STORE


def open_pg_workspace(params: PgParams, name: str, styled: bool = True, layer_names=None) -> PgWorkspace:
    """Open the workspace of schema ``name`` in QGIS (the same layers, styles and properties as a GeoPackage's)."""
    from .styles import apply_layer_style

    with closing(connect(params)) as conn:
        info = read_pg_info(conn, name)
    label = f"{name}@{params.host}:{params.port}/{params.dbname}"
    workspace = PgWorkspace(Path(label), info, params=params, schema_name=name)
    wanted = set(layer_names) if layer_names is not None else None
    for layer_def in schema.WORKSPACE_LAYERS:
        if wanted is not None and layer_def.name not in wanted:
            continue
        layer = pg_layer(params, name, layer_def, layer_def.title_zh if styled else layer_def.name)
        if styled:
            apply_layer_style(layer, layer_def)
        layer.setCustomProperty(schema.PROPERTY_LAYER, layer_def.name)
        layer.setCustomProperty(schema.PROPERTY_WORKSPACE, label)
        workspace.layers[layer_def.name] = layer
    from .pg_versions import guard_workspace

    guard_workspace(workspace)  # every save of a grid names the version it read
    return workspace


# ---------------------------------------------------------------- copy out


def _readable_columns(cur, name: str, layer_def: schema.LayerDef) -> list[str]:
    cur.execute(
        "select column_name from information_schema.columns c where table_schema = %s and table_name = %s "
        "and has_column_privilege(format('%%I.%%I', table_schema, table_name), column_name, 'SELECT')",
        (name, layer_def.name),
    )
    present = {r[0] for r in cur.fetchall()}
    return [f.name for f in layer_def.fields if f.name in present]


def pg_rows(conn, name: str, layer_def: schema.LayerDef):
    """[(fid, {field: value}, wkb)] of one table, the columns the current role may read (others None)."""
    with conn.cursor() as cur:
        readable = _readable_columns(cur, name, layer_def)
        select = ["fid", *(pg_schema.ident(c) for c in readable)]
        if layer_def.geometry is not schema.GeometryKind.NONE:
            select.append("case when geom is null or st_isempty(geom) then null else st_asbinary(geom) end")
        cur.execute(
            f"select {', '.join(select)} from {pg_schema.ident(name)}.{pg_schema.ident(layer_def.name)} order by fid"
        )
        out = []
        for record in cur:
            attributes = {f.name: None for f in layer_def.fields}
            for column, value in zip(readable, record[1:]):
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                attributes[column] = value
            wkb = bytes(record[-1]) if layer_def.geometry is not schema.GeometryKind.NONE and record[-1] else None
            out.append((record[0], attributes, wkb))
    return out


def copy_pg_to_gpkg(params: PgParams, name: str, gpkg_path, overwrite: bool = False) -> Path:
    """Write the workspace of schema ``name`` to a workspace GeoPackage (swapped in when complete, styled).

    The rows are read in one repeatable-read transaction: a consistent snapshot while others edit.
    """
    from qgis.core import QgsCoordinateReferenceSystem

    path = Path(gpkg_path)
    if path.suffix.lower() != ".gpkg":
        raise PgStoreError(
            tr("A workspace is a GeoPackage: the file name must end in .gpkg ({path}).").format(path=path)
        )
    _check_target(path, overwrite)
    psycopg2 = _psycopg2()
    with closing(connect(params)) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        info = read_pg_info(conn, name)
        crs = QgsCoordinateReferenceSystem(info.crs)
        try:
            tables = {d.name: pg_rows(conn, name, d) for d in schema.WORKSPACE_LAYERS}
        except psycopg2.Error as error:
            _fail(conn, error)
        conn.rollback()
    info.updated = now_iso()
    tables[schema.WORKSPACE_INFO.name] = [(None, {"key": k, "value": v}, None) for k, v in info.to_rows()]
    try:
        with atomic_path(path) as tmp:
            for index, layer_def in enumerate(schema.WORKSPACE_LAYERS):
                rows = [(attributes, wkb) for _, attributes, wkb in tables[layer_def.name]]
                _write_layer(tmp, layer_def, crs, rows, first=index == 0)
            _null_empty_geometries(tmp)
            save_default_styles(tmp)
    except OSError as error:
        raise PgStoreError(tr("Could not write {path}: {error}").format(path=path, error=error)) from error
    return path


def _null_empty_geometries(path: Path) -> None:
    """Rows written without a geometry get an empty one from QGIS's writer; a GeoPackage stores no geometry as
    NULL (GDAL's validator refuses the empty blobs in a filing package)."""
    dataset = ogr.Open(str(path), 1)
    try:
        for layer_def in schema.WORKSPACE_LAYERS:
            if layer_def.geometry is schema.GeometryKind.NONE:
                continue
            column = dataset.GetLayerByName(layer_def.name).GetGeometryColumn()
            dataset.ExecuteSQL(
                f'update "{layer_def.name}" set "{column}" = null where "{column}" is not null and st_isempty("{column}")'
            )
    finally:
        dataset = None


# ---------------------------------------------------------------- roles


@dataclass(frozen=True)
class Township:
    code: str  # 9 digits
    name: str
    role: str  # the township's group role


def setup_roles(conn, name: str, county_role: str, townships: list[Township], buffer_m: float = 1.0) -> None:
    """Create the county and township group roles (when missing), each township's editing area (the union of
    its level 1 grids, widened by ``buffer_m``), the grants and the row-level security policies. One
    transaction."""
    psycopg2 = _psycopg2()
    s = pg_schema.ident(name)
    try:
        with conn.cursor() as cur:
            for role in [county_role, *(t.role for t in townships)]:
                cur.execute("select 1 from pg_roles where rolname = %s", (role,))
                if cur.fetchone() is None:
                    cur.execute(f"create role {pg_schema.ident(role)} nologin")
            cur.execute(
                f"insert into {s}.workspace_info (key, value) values ('county_role', %s) "
                "on conflict (key) do update set value = excluded.value",
                (county_role,),
            )
            for town in townships:
                if len(town.code) != pg_schema.TOWN_CODE_LENGTH or not town.code.isdigit():
                    raise PgStoreError(tr("{code} is not a 9-digit township code.").format(code=town.code))
                cur.execute(
                    f"insert into {s}.{pg_schema.TOWNSHIPS} (town_code, town_name, role_name, geom) "
                    f"select %s, %s, %s, st_multi(st_buffer(st_union(geom), %s)) from {s}.grid_level1 "
                    "where left(code, %s) = %s having count(*) > 0",
                    (town.code, town.name, town.role, buffer_m, pg_schema.TOWN_CODE_LENGTH, town.code),
                )
                if cur.rowcount != 1:
                    raise PgStoreError(
                        tr("Township {code} has no level 1 grids in schema {schema}.").format(
                            code=town.code, schema=name
                        )
                    )
            for statement in pg_schema.roles_sql(name, county_role, {t.role: t.code for t in townships}):
                cur.execute(statement)
            cur.execute(
                "grant select on all tables in schema public to "
                + ", ".join(pg_schema.ident(r) for r in [county_role, *(t.role for t in townships)])
            )
        conn.commit()
    except psycopg2.Error as error:
        _fail(conn, error)


def upgrade_workspace(conn, name: str) -> None:
    """Bring workspace ``name`` made by an earlier plugin up to date (the schema's owner; idempotent, one
    transaction): the trigger refusing an update that names no version, and — when change requests are
    installed — the approval naming the version and the column of a request's map (``map_png``)."""
    psycopg2 = _psycopg2()
    from ..core import pg_changesets

    try:
        with conn.cursor() as cur:
            for statement in pg_schema.upgrade_versions_ddl(name):
                cur.execute(statement)
            cur.execute("select to_regclass(%s) is not null", (f"{name}.{pg_changesets.SETS}",))
            if cur.fetchone()[0]:
                for statement in pg_changesets.upgrade_sql(name):
                    cur.execute(statement)
        conn.commit()
    except psycopg2.Error as error:
        _fail(conn, error)


def create_login(conn, login: str, password: str, group: str) -> None:
    """A login role (the planner) with a password, member of ``group`` (idempotent: the password is reset)."""
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (login,))
        verb = "alter" if cur.fetchone() else "create"
        cur.execute(f"{verb} role {pg_schema.ident(login)} login password %s", (password,))
        cur.execute(f"grant {pg_schema.ident(group)} to {pg_schema.ident(login)}")
    conn.commit()


def drop_pg_workspace(conn, name: str, roles=()) -> None:
    """Drop schema ``name``, its layer styles and the roles given (their grants first)."""
    forget_styles(conn, name)
    with conn.cursor() as cur:
        cur.execute(f"drop schema if exists {pg_schema.ident(name)} cascade")
        for role in roles:
            cur.execute("select 1 from pg_roles where rolname = %s", (role,))
            if cur.fetchone():
                cur.execute(f"drop owned by {pg_schema.ident(role)}")
                cur.execute(f"drop role {pg_schema.ident(role)}")
    conn.commit()


# ---------------------------------------------------------------- edits with the database's rules


def read_grid(conn, name: str, layer: str, fid: int) -> dict:
    """One grid's attributes with ``version`` (what a save must name), ``updated_by`` and ``updated_at``."""
    layer_def = schema.LAYER_BY_NAME[layer]
    columns = ", ".join(pg_schema.ident(c) for c in ("fid", *layer_def.field_names, *pg_schema.GRID_EXTRA_COLUMNS))
    with conn.cursor() as cur:
        cur.execute(f"select {columns} from {pg_schema.ident(name)}.{pg_schema.ident(layer)} where fid = %s", (fid,))
        record = cur.fetchone()
        names = [d[0] for d in cur.description]
    conn.rollback()
    if record is None:
        raise PgStoreError(tr("Layer {layer} has no feature {fid}.").format(layer=layer, fid=fid))
    return dict(zip(names, record))


def save_grid(
    conn, name: str, layer: str, fid: int, read_version: int, values: dict, wkb: bytes | None = None, reason: str = ""
) -> int:
    """Save ``values`` (and geometry ``wkb``) over grid ``fid``, read at ``read_version``; one transaction.

    Returns the new version. A grid changed by someone else since it was read is refused (PgConflict naming
    that change) and the refused edit is kept in ``refused_edits``; an edit outside the role's township is
    refused (PgStoreError naming the grid). Nothing is overwritten in either case.
    """
    psycopg2 = _psycopg2()
    layer_def = schema.LAYER_BY_NAME[layer]
    s = pg_schema.ident(name)
    sets = [f"{pg_schema.ident(k)} = %s" for k in values if k in layer_def.field_names]
    args = [values[k] for k in values if k in layer_def.field_names]
    if wkb is not None:
        sets.append(
            f"geom = st_multi(st_geomfromwkb(%s, st_srid((select geom from {s}.{pg_schema.ident(layer)} where fid = %s))))"
        )
        args += [psycopg2.Binary(wkb), fid]
    sets.append("version = %s")
    args.append(read_version)
    try:
        with conn.cursor() as cur:
            if reason:
                cur.execute("select set_config('community_grids.reason', %s, true)", (reason,))
            cur.execute(
                f"update {s}.{pg_schema.ident(layer)} set {', '.join(sets)} where fid = %s returning version",
                (*args, fid),
            )
            row = cur.fetchone()
        if row is None:
            conn.rollback()
            raise PgStoreError(tr("Layer {layer} has no feature {fid}.").format(layer=layer, fid=fid))
        conn.commit()
        return int(row[0])
    except psycopg2.Error as error:
        conn.rollback()
        message = translate_error(error, layer, str(values.get("code") or ""))
        if getattr(error, "pgcode", "") == pg_schema.SQLSTATE_VERSION_CONFLICT:
            details = _detail(error)
            _keep_refused(conn, name, layer, fid, read_version, values, wkb, details, message)
            raise PgConflict(message, details) from error
        raise PgStoreError(message) from error


def _keep_refused(conn, name, layer, fid, read_version, values, wkb, details, message) -> None:
    psycopg2 = _psycopg2()
    s = pg_schema.ident(name)
    with conn.cursor() as cur:
        cur.execute(
            f"insert into {s}.{pg_schema.REFUSED_EDITS} (layer, grid_fid, grid_code, read_version, current_version, "
            "current_by, current_at, attributes, geom, reason) values (%s, %s, %s, %s, %s, %s, %s, %s, "
            + (
                "st_multi(st_geomfromwkb(%s, (select st_srid(geom) from "
                + f"{s}.{pg_schema.ident(layer)} where fid = %s)))"
                if wkb is not None
                else "%s"
            )
            + ", %s)",
            (
                layer,
                fid,
                details.get("code"),
                read_version,
                details.get("current_version"),
                details.get("current_by"),
                details.get("current_at"),
                json.dumps(values, ensure_ascii=False, default=str),
                *((psycopg2.Binary(wkb), fid) if wkb is not None else (None,)),
                message,
            ),
        )
    conn.commit()


def allocate_code(conn, name: str, parent: str, width: int, layer: str | None = None, level: int | None = None) -> str:
    """The next code under ``parent`` (registered at once; committed): safe with any number of connections."""
    psycopg2 = _psycopg2()
    try:
        with conn.cursor() as cur:
            cur.execute(f"select {pg_schema.ident(name)}.allocate_code(%s, %s, %s, %s)", (parent, width, layer, level))
            code = cur.fetchone()[0]
        conn.commit()
        return code
    except psycopg2.Error as error:
        _fail(conn, error, schema.CODE_REGISTRY.name, parent)


# ---------------------------------------------------------------- audit and filing from the database


def audit_open_workspace(workspace, write: bool = False):
    """Audit an open workspace (GeoPackage or PostGIS) the way the audit dock does: the layers captured, the
    county's size rules and accepted exceptions applied. With ``write`` the findings replace the workspace's
    ``audit_findings`` (through the layer: on PostGIS one database transaction)."""
    from ..core.workspace_audit import audit_workspace
    from .audit_store import snapshot_workspace, write_findings_layer

    inputs = snapshot_workspace(workspace)
    result = audit_workspace(inputs.read(), None, inputs.size_rules, exceptions=inputs.exceptions)
    if write:
        write_findings_layer(workspace.layers[schema.AUDIT_FINDINGS.name], result)
    return result


def export_filing_from_pg(params: PgParams, name: str, output, work_dir, **options):
    """The filing package of the workspace in schema ``name``: the workspace copied out of the database into
    ``work_dir`` (a consistent snapshot), then the GeoPackage exporter of ``adapters.filing`` on that copy.
    ``options`` are ``export_package``'s (override_reason, author…). Returns (copy path, ExportResult)."""
    from .filing import export_package

    copy = Path(work_dir) / f"{name}.gpkg"
    copy_pg_to_gpkg(params, name, copy, overwrite=True)
    return copy, export_package(copy, output, **options)


def rebuild_pg_registry(workspace: PgWorkspace) -> tuple[int, int]:
    """The county's registration of the codes its grids hold (``codes_store.rebuild_registry`` on the database):
    codes held are registered, codes only the change log names are registered retired; nothing is removed.
    One transaction; returns (entries added, entries changed)."""
    from ..core.codes import rebuild_registry_from
    from .codes_store import load_registry, read_change_log, read_grids, registry_edits

    stored, fids = load_registry(workspace.layers[schema.CODE_REGISTRY.name])
    rebuilt = rebuild_registry_from(stored, read_grids(workspace), read_change_log(workspace))
    adds, changes = registry_edits(stored, rebuilt, fids)
    names = schema.CODE_REGISTRY.field_names
    table = f"{pg_schema.ident(workspace.schema_name)}.{pg_schema.ident(schema.CODE_REGISTRY.name)}"
    psycopg2 = _psycopg2()
    with closing(connect(workspace.params)) as conn:
        try:
            with conn.cursor() as cur:
                for row in adds:
                    cur.execute(
                        f"insert into {table} ({', '.join(pg_schema.ident(n) for n in names)}) "
                        f"values ({', '.join(['%s'] * len(names))})",
                        [row.get(n) for n in names],
                    )
                for fid, values in changes.items():
                    values = {k: v for k, v in values.items() if k in names and k != "code"}
                    if values:
                        cur.execute(
                            f"update {table} set {', '.join(f'{pg_schema.ident(k)} = %s' for k in values)} "
                            "where fid = %s",
                            [*values.values(), fid],
                        )
            conn.commit()
        except psycopg2.Error as error:
            _fail(conn, error, schema.CODE_REGISTRY.name)
    workspace.layers[schema.CODE_REGISTRY.name].reload()
    return len(adds), len(changes)
