"""The city's database (§7.5 synchronisation): county filing packages taken into PostGIS with history.

One PostgreSQL schema (``city`` unless named) holds, in one metric CRS chosen when it is created:

* ``city_info`` — key/value: the schema version, the CRS;
* ``city_packages`` — every package taken in (the columns of ``core.schema.CITY_PACKAGES``, plus when and by whom);
* ``city_grids`` — every grid of every package taken in: the grid fields of ``core.schema.GRID_FIELDS`` (the grid's
  own ``valid_from``/``valid_to`` dates as ``grid_valid_from``/``grid_valid_to``), county, layer, the fid in the
  package, the geometry, and the history columns ``valid_from``/``valid_to`` (timestamptz): a row is current while
  ``valid_to`` is null;
* ``city_boundaries`` — the counties' boundaries, with the same history columns;
* ``city_findings`` — the city's checks (the columns of ``core.schema.CITY_FINDINGS``), one ``run_id`` per run.

:func:`load_package` takes a county's package in ONE transaction: that county's current grids and boundary get
``valid_to`` = the transaction's time, the package's rows are added with ``valid_from`` = the same time (the
previous ones stay queryable: :func:`read_county` / :func:`read_current` with ``as_of``). A failure leaves the
database as it was. :func:`check_city` runs the city's cross-border checks of ``core.diff.check_merged_counties``
(codes used in two counties, level 1 overlaps and gaps across county borders, level 1 codes outside their county)
on the current grids: codes used by more than one county are found by SQL over all layers, and only those grids
plus every county's level 1 grids are read back into the core check — the same findings as over everything.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely

from ..core import schema
from ..core.diff import check_merged_counties
from ..core.findings import Finding
from ..core.model import GridArray, WorkspaceData
from ..i18n import tr

CITY_SCHEMA_VERSION = 1
DEFAULT_SCHEMA = "city"
GRIDS, PACKAGES, BOUNDARIES, FINDINGS, INFO = (
    "city_grids",
    schema.CITY_PACKAGES.name,
    "city_boundaries",
    schema.CITY_FINDINGS.name,
    "city_info",
)
# the grid's own validity dates are renamed: valid_from / valid_to are the history of the city's rows
RENAMED = {"valid_from": "grid_valid_from", "valid_to": "grid_valid_to"}
GRID_COLUMNS = tuple(RENAMED.get(f.name, f.name) for f in schema.GRID_FIELDS)
_SQL_TYPES = {
    schema.FieldType.STRING: "text",
    schema.FieldType.INTEGER: "bigint",
    schema.FieldType.REAL: "double precision",
    schema.FieldType.DATE: "date",
    schema.FieldType.DATETIME: "timestamptz",
    schema.FieldType.BOOLEAN: "boolean",
    schema.FieldType.BINARY: "bytea",
}


class CityDbError(Exception):
    """The city database cannot be used as asked; the message is translated and says what to do."""


def _ident(name: str) -> str:
    if not name or not all(c.isalnum() or c == "_" for c in name):
        raise CityDbError(tr("{name} is not a valid schema name (letters, digits and _ only).").format(name=name))
    return '"' + name + '"'


def _columns(fields) -> str:
    return ",\n  ".join(f'"{RENAMED.get(f.name, f.name)}" {_SQL_TYPES[f.type]}' for f in fields)


def connect(dsn: str):
    """A psycopg2 connection for a libpq connection string (or a saved QGIS PostgreSQL connection's name)."""
    import psycopg2

    dsn = _qgis_connection(dsn) or dsn
    try:
        return psycopg2.connect(dsn)
    except psycopg2.OperationalError as error:
        text = str(error).strip()
        if "password authentication failed" in text:
            message = tr("The city database refused the user name or password: {error}")
        elif "could not connect" in text or "Connection refused" in text or "No such file" in text:
            message = tr("The city database server cannot be reached (is it running?): {error}")
        else:
            message = tr("Could not connect to the city database: {error}")
        raise CityDbError(message.format(error=text)) from error


def _qgis_connection(name: str) -> str | None:
    """The libpq connection string of a saved QGIS PostgreSQL connection named ``name`` (None if none)."""
    if "=" in name or "://" in name:
        return None
    try:
        from qgis.core import QgsDataSourceUri, QgsProviderRegistry

        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        connection = metadata.findConnection(name) if metadata is not None else None
        return QgsDataSourceUri(connection.uri()).connectionInfo(True) if connection is not None else None
    except Exception:  # noqa: BLE001 - outside QGIS, or no such connection
        return None


# ---------------------------------------------------------------- creating and opening


def create_city_db(conn, crs: str, name: str = DEFAULT_SCHEMA) -> None:
    """Create the city's schema (PostGIS is created when missing) in the metric CRS ``crs`` ('EPSG:n')."""
    srid = _srid(crs)
    s = _ident(name)
    package_fields = _columns(schema.CITY_PACKAGES.fields)
    finding_fields = _columns(schema.CITY_FINDINGS.fields)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", (srid,))
        if cur.fetchone() is None:
            raise CityDbError(tr("PostGIS does not know the CRS {crs}.").format(crs=crs))
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        cur.execute(f"CREATE TABLE {s}.{INFO} (key text PRIMARY KEY, value text)")
        cur.execute(
            f"INSERT INTO {s}.{INFO} VALUES ('schema_version', %s), ('crs', %s)", (str(CITY_SCHEMA_VERSION), crs)
        )
        cur.execute(
            f"""CREATE TABLE {s}.{PACKAGES} (
  package_id bigserial PRIMARY KEY,
  {package_fields},
  loaded_at timestamptz NOT NULL DEFAULT now(),
  loaded_by text NOT NULL DEFAULT current_user)"""
        )
        cur.execute(
            f"""CREATE TABLE {s}.{GRIDS} (
  id bigserial PRIMARY KEY,
  package_id bigint NOT NULL REFERENCES {s}.{PACKAGES},
  county_code text NOT NULL,
  layer text NOT NULL,
  source_fid bigint,
  {_columns(schema.GRID_FIELDS)},
  geom geometry(MultiPolygon, {srid}),
  valid_from timestamptz NOT NULL,
  valid_to timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from))"""
        )
        cur.execute(
            f"""CREATE TABLE {s}.{BOUNDARIES} (
  id bigserial PRIMARY KEY,
  package_id bigint NOT NULL REFERENCES {s}.{PACKAGES},
  county_code text NOT NULL,
  geom geometry(MultiPolygon, {srid}),
  valid_from timestamptz NOT NULL,
  valid_to timestamptz)"""
        )
        cur.execute(
            f"""CREATE TABLE {s}.{FINDINGS} (
  id bigserial PRIMARY KEY,
  {finding_fields},
  geom geometry(MultiPolygon, {srid}))"""
        )
        cur.execute(f"CREATE INDEX ON {s}.{GRIDS} (county_code, layer) WHERE valid_to IS NULL")
        cur.execute(f"CREATE INDEX ON {s}.{GRIDS} (code) WHERE valid_to IS NULL")
        cur.execute(f"CREATE INDEX ON {s}.{GRIDS} (county_code, valid_from, valid_to)")
        cur.execute(f"CREATE INDEX ON {s}.{GRIDS} USING gist (geom)")
        cur.execute(f"CREATE INDEX ON {s}.{BOUNDARIES} (county_code, valid_from, valid_to)")


def city_crs(conn, name: str = DEFAULT_SCHEMA) -> str:
    """The city database's CRS; refuses a missing schema or one written by a newer plugin."""
    s = _ident(name)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (f"{s}.{INFO}",))
        if cur.fetchone()[0] is None:
            conn.rollback()
            raise CityDbError(tr("The database has no city schema {name}; create it first.").format(name=name))
        cur.execute(f"SELECT key, value FROM {s}.{INFO}")
        info = dict(cur.fetchall())
    conn.rollback()
    version = int(info.get("schema_version") or 0)
    if version > CITY_SCHEMA_VERSION:
        raise CityDbError(
            tr(
                "The city schema {name} was written by a newer Community Grids (version {found}, this plugin reads up "
                "to {supported}); update the plugin."
            ).format(name=name, found=version, supported=CITY_SCHEMA_VERSION)
        )
    return info["crs"]


def _srid(crs: str) -> int:
    authority, _, code = str(crs).partition(":")
    if authority.upper() != "EPSG" or not code.isdigit():
        raise CityDbError(tr("The city database needs an EPSG CRS, not {crs}.").format(crs=crs))
    return int(code)


# ---------------------------------------------------------------- taking a package in


@dataclass
class LoadResult:
    package_id: int
    county_code: str
    grids: int
    replaced: int  # the county's grids that were current before
    loaded_at: datetime


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _grid_copy_buffer(
    package_id: int, county: str, grids: dict[str, GridArray], srid: int, valid_from: datetime
) -> tuple[io.StringIO, int]:
    out = io.StringIO()
    count = 0
    for name, grid in grids.items():
        if not len(grid):
            continue
        from .package_io import multipolygons

        geoms = multipolygons(grid.geometries)
        ok = ~shapely.is_missing(geoms)
        hexes = np.full(len(grid), None, dtype=object)
        if ok.any():
            hexes[ok] = shapely.to_wkb(shapely.set_srid(geoms[ok], srid), hex=True, include_srid=True)
        columns = []
        for f in schema.GRID_FIELDS:
            if f.name == "code":
                columns.append(grid.codes)
            elif f.name == "parent_code":
                columns.append(grid.parent_codes)
            elif f.name == "name":
                columns.append(grid.names)
            elif f.name == "level":
                columns.append(grid.attributes.get("level", np.full(len(grid), grid.level, dtype=object)))
            else:
                columns.append(grid.attributes.get(f.name, np.full(len(grid), None, dtype=object)))
        text_columns = [[_copy_text(v) for v in column.tolist()] for column in columns]
        fids = grid.fids.tolist()
        prefix = f"{package_id}\t{_copy_text(county)}\t{name}\t"
        since = valid_from.isoformat()
        for i in range(len(grid)):
            values = "\t".join(c[i] for c in text_columns)
            out.write(f"{prefix}{fids[i]}\t{values}\t{hexes[i] or chr(92) + 'N'}\t{since}\n")
        count += len(grid)
    out.seek(0)
    return out, count


def load_package(conn, path: str | os.PathLike, name: str = DEFAULT_SCHEMA, progress=None) -> LoadResult:
    """Take a county's filing package in (see the module's doc): one transaction, history kept."""
    from .intake import read_package
    from .package_io import multipolygons

    crs = city_crs(conn, name)
    srid = _srid(crs)
    s = _ident(name)
    package = read_package(path)
    package.grids = _read_all_fields(path)
    county = package.source.county_code
    if not county:
        raise CityDbError(tr("{path} names no county (no county_code in its metadata).").format(path=path))
    grids, boundary = package.to_metric(crs)
    if progress:
        progress(0.3)
    meta = package.metadata
    row = {
        "county_code": county,
        "county_name": package.source.county_name,
        "file": Path(path).name,
        "version": meta.get("version", ""),
        "created_at": meta.get("created_at", ""),
        "grids": int(sum(len(g) for g in grids.values())),
    }
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{name}/{county}",))  # one load per county
        cur.execute(
            f"SELECT version, created_at FROM {s}.{PACKAGES} WHERE county_code = %s ORDER BY package_id DESC LIMIT 1",
            (county,),
        )
        last = cur.fetchone()
        if last is not None and row["version"] and (last[0], last[1]) == (row["version"], row["created_at"]):
            raise CityDbError(
                tr("The package {version} of county {county} ({created}) was already taken in.").format(
                    version=row["version"], county=county, created=row["created_at"]
                )
            )
        keys = list(row)
        cur.execute(
            f"INSERT INTO {s}.{PACKAGES} ({', '.join(keys)}) VALUES ({', '.join(['%s'] * len(keys))}) "
            "RETURNING package_id, loaded_at",
            [row[k] for k in keys],
        )
        package_id, loaded_at = cur.fetchone()
        cur.execute(
            f"UPDATE {s}.{GRIDS} SET valid_to = %s WHERE county_code = %s AND valid_to IS NULL", (loaded_at, county)
        )
        replaced = cur.rowcount
        cur.execute(
            f"UPDATE {s}.{BOUNDARIES} SET valid_to = %s WHERE county_code = %s AND valid_to IS NULL",
            (loaded_at, county),
        )
        buffer, count = _grid_copy_buffer(package_id, county, grids, srid, loaded_at)
        columns = ", ".join(("package_id", "county_code", "layer", "source_fid", *GRID_COLUMNS, "geom", "valid_from"))
        cur.copy_expert(f"COPY {s}.{GRIDS} ({columns}) FROM STDIN", buffer)
        if boundary is not None:
            (multi,) = multipolygons(np.asarray([boundary], dtype=object))
            cur.execute(
                f"INSERT INTO {s}.{BOUNDARIES} (package_id, county_code, geom, valid_from) "
                "VALUES (%s, %s, ST_GeomFromWKB(%s, %s), %s)",
                (package_id, county, shapely.to_wkb(multi), srid, loaded_at),
            )
    if progress:
        progress(1.0)
    return LoadResult(package_id, county, count, replaced, loaded_at)


def _read_all_fields(path) -> dict[str, GridArray]:
    """The package's grid layers with every grid field of the schema (sizes and dates too, for the audit)."""
    from .package_io import layer_names, open_gpkg, read_grid_layer

    dataset = open_gpkg(path)
    names = layer_names(dataset)
    extra = tuple(f.name for f in schema.GRID_FIELDS if f.name not in ("code", "parent_code", "name"))
    return {
        d.name: read_grid_layer(dataset, d.name, d.level, extra_fields=extra)
        for d in schema.GRID_LAYERS
        if d.name in names
    }


# ---------------------------------------------------------------- reading back (current or as of a time)


def _when(as_of) -> tuple[str, tuple]:
    if as_of is None:
        return "valid_to IS NULL", ()
    return "valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)", (as_of, as_of)


def _grid_arrays(rows, layers=None) -> dict[str, GridArray]:
    """GridArrays by layer from rows (layer, source_fid, *GRID_COLUMNS, wkb)."""
    by_layer: dict[str, list] = {}
    for r in rows:
        by_layer.setdefault(r[0], []).append(r)
    out = {}
    for layer_def in schema.GRID_LAYERS:
        if layers is not None and layer_def.name not in layers:
            continue
        part = by_layer.get(layer_def.name, [])
        n = len(part)

        def column(k, part=part, n=n):
            values = np.empty(n, dtype=object)
            values[:] = [r[k] for r in part]
            return values

        wkbs = column(len(GRID_COLUMNS) + 2)
        geoms = shapely.from_wkb([None if w is None else bytes(w) for w in wkbs]) if n else np.empty(0, dtype=object)
        geometries = np.empty(n, dtype=object)
        geometries[:] = list(geoms)
        attributes = {}
        for k, f in enumerate(schema.GRID_FIELDS):
            if f.name not in ("code", "parent_code", "name"):
                attributes[f.name] = column(k + 2)
        index = {f.name: k + 2 for k, f in enumerate(schema.GRID_FIELDS)}
        out[layer_def.name] = GridArray(
            layer_def.name,
            layer_def.level,
            np.asarray([r[1] for r in part], dtype=np.int64),
            column(index["code"]),
            column(index["parent_code"]),
            column(index["name"]),
            geometries,
            attributes,
        )
    return out


def _select_grids() -> str:
    columns = ", ".join(f'"{c}"' for c in GRID_COLUMNS)
    return f"SELECT layer, source_fid, {columns}, ST_AsBinary(geom)"


def read_county(conn, county: str, as_of=None, name: str = DEFAULT_SCHEMA) -> WorkspaceData:
    """A county's grids and boundary as they are (or were at ``as_of``), for the county's audit."""
    crs = city_crs(conn, name)
    s = _ident(name)
    when, args = _when(as_of)
    with conn.cursor() as cur:
        cur.execute(
            f"{_select_grids()} FROM {s}.{GRIDS} WHERE county_code = %s AND {when} ORDER BY layer, source_fid",
            (county, *args),
        )
        grids = _grid_arrays(cur.fetchall())
        cur.execute(
            f"SELECT ST_AsBinary(geom) FROM {s}.{BOUNDARIES} WHERE county_code = %s AND {when}", (county, *args)
        )
        row = cur.fetchone()
        cur.execute(
            f"SELECT county_name FROM {s}.{PACKAGES} WHERE county_code = %s ORDER BY package_id DESC LIMIT 1",
            (county,),
        )
        named = cur.fetchone()
    conn.rollback()
    boundary = shapely.from_wkb(bytes(row[0])) if row and row[0] is not None else None
    info = schema.WorkspaceInfo(county_code=county, county_name=named[0] if named else "", crs=crs)
    return WorkspaceData(info=info, grids=grids, county_boundary=boundary)


def counties(conn, name: str = DEFAULT_SCHEMA, as_of=None) -> list[str]:
    s = _ident(name)
    when, args = _when(as_of)
    with conn.cursor() as cur:
        cur.execute(f"SELECT DISTINCT county_code FROM {s}.{GRIDS} WHERE {when} ORDER BY 1", args)
        out = [r[0] for r in cur.fetchall()]
    conn.rollback()
    return out


def grid_history(conn, code: str, name: str = DEFAULT_SCHEMA) -> list[dict]:
    """Every city row of a grid code, oldest first: county, layer, package, valid_from, valid_to, area."""
    s = _ident(name)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT county_code, layer, package_id, valid_from, valid_to, ST_Area(geom), status FROM {s}.{GRIDS} "
            "WHERE code = %s ORDER BY valid_from, id",
            (code,),
        )
        keys = ("county_code", "layer", "package_id", "valid_from", "valid_to", "area", "status")
        out = [dict(zip(keys, r)) for r in cur.fetchall()]
    conn.rollback()
    return out


# ---------------------------------------------------------------- the city's checks


@dataclass
class CityCheck:
    run_id: str
    findings: list[Finding]
    counties: list[str]


def check_city(
    conn,
    name: str = DEFAULT_SCHEMA,
    *,
    as_of=None,
    min_area_m2: float = 1.0,
    border_tolerance_m: float = 1.0,
    store: bool = True,
) -> CityCheck:
    """The city's cross-border checks on the current grids (or those at ``as_of``); with ``store`` the findings
    are written to ``city_findings`` under a new run id, in one transaction."""
    from .intake import finding_rows

    s = _ident(name)
    srid = _srid(city_crs(conn, name))
    when, args = _when(as_of)
    level1 = schema.GRID_LEVEL1.name
    active = "(status IS NULL OR status <> 'retired') AND code IS NOT NULL"
    with conn.cursor() as cur:
        # level 1 grids of every county, and the grids of other layers holding a code used by two counties
        # (a join, not "code IN (subquery)": a subplan over a million codes does not fit in work_mem)
        cur.execute(
            f"""WITH dup AS (SELECT code FROM {s}.{GRIDS} WHERE {when} AND {active}
                             GROUP BY code HAVING count(DISTINCT county_code) > 1)
                {_select_grids()}, county_code FROM {s}.{GRIDS} WHERE {when} AND layer = %s
                UNION ALL
                {_select_grids()}, county_code FROM {s}.{GRIDS} JOIN dup USING (code) WHERE {when} AND layer <> %s
                ORDER BY county_code, layer, source_fid""",
            (*args, *args, level1, *args, level1),
        )
        rows = cur.fetchall()
        cur.execute(f"SELECT county_code, ST_AsBinary(geom) FROM {s}.{BOUNDARIES} WHERE {when}", args)
        bounds = {c: shapely.from_wkb(bytes(w)) for c, w in cur.fetchall() if w is not None}
    conn.rollback()
    by_county: dict[str, list] = {}
    for r in rows:
        by_county.setdefault(r[-1], []).append(r[:-1])
    data = {county: _grid_arrays(part) for county, part in by_county.items()}
    for county in bounds:
        data.setdefault(county, {})
    findings = check_merged_counties(data, bounds, min_area_m2=min_area_m2, border_tolerance_m=border_tolerance_m)
    run_at = datetime.now().astimezone().replace(microsecond=0)
    run_id = run_at.strftime("city-%Y%m%dT%H%M%S")
    if store:
        from .package_io import multipolygons

        records = finding_rows(findings, run_id, run_at.isoformat())
        geoms = multipolygons([f.geometry for f in findings])
        keys = list(schema.CITY_FINDINGS.field_names)
        with conn, conn.cursor() as cur:
            for record, geom in zip(records, geoms):
                wkb = None if geom is None else shapely.to_wkb(geom)
                cur.execute(
                    f"INSERT INTO {s}.{FINDINGS} ({', '.join(keys)}, geom) "
                    f"VALUES ({', '.join(['%s'] * len(keys))}, ST_GeomFromWKB(%s, %s))",
                    [record.get(k) for k in keys] + [wkb, srid],
                )
    return CityCheck(run_id, findings, sorted(data))
