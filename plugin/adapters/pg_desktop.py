"""What the desktop needs of a shared PostGIS workspace (issue 14), beneath the dock's dialogs:

* :func:`saved_connections` / :func:`connection_params` — QGIS's saved PostgreSQL connections (Browser →
  PostgreSQL), read through ``QgsProviderMetadata.connections()`` (QGIS ≥ 3.10: the same on 3.22 and 3.40);
* :func:`workspace_schemas` — the schemas of a database that hold a workspace the connected role may read;
* :func:`workspace_role` — which role the connected user plays in a workspace: the county, a township, or none;
* :func:`open_in_project` — the workspace's layers, those already in the project reused (never added twice);
* :func:`layer_grids` — the grid layers as the core's arrays: as saved (the provider) and with the planner's
  pending edits (the layers' edit buffers), what a township's change request compares.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

from ..core import pg_schema, schema
from ..core.model import GridArray
from ..i18n import tr
from .pg_store import (
    PgParams,
    PgStoreError,
    PgWorkspace,
    _psycopg2,
    _readable_columns,
    connect,
    open_postgres_layer,
    pg_layer,
    read_pg_info,
    translate_error,
)
from .pg_versions import guard_workspace

COUNTY = "county"
TOWNSHIP = "township"
NO_ROLE = ""


# ---------------------------------------------------------------- QGIS's saved connections


def _metadata():
    return QgsProviderRegistry.instance().providerMetadata("postgres")


def saved_connections() -> list[str]:
    """The names of QGIS's saved PostgreSQL connections, sorted."""
    metadata = _metadata()
    if metadata is None:
        return []
    try:
        return sorted(metadata.connections(False).keys())
    except Exception:  # noqa: BLE001 - QgsProviderConnectionException: none readable
        return []


def connection_params(name: str) -> PgParams:
    """The libpq settings of the saved connection ``name`` (user and password as saved, possibly empty)."""
    metadata = _metadata()
    connection = None
    if metadata is not None:
        try:
            connection = metadata.findConnection(name, False)
        except Exception:  # noqa: BLE001 - QgsProviderConnectionException
            connection = None
    if connection is None:
        raise PgStoreError(tr("There is no PostgreSQL connection named {name}.").format(name=name))
    uri = QgsDataSourceUri(connection.uri())
    try:
        port = int(uri.port() or 5432)
    except ValueError:
        port = 5432
    user, password = uri.username(), uri.password()
    if uri.authConfigId():  # credentials kept in QGIS's authentication database
        user, password = _auth_credentials(uri.authConfigId(), user, password)
    return PgParams(host=uri.host(), port=port, dbname=uri.database(), user=user, password=password)


def _auth_credentials(authcfg: str, user: str, password: str) -> tuple[str, str]:
    """User and password of a basic authentication configuration (others: what the URI had)."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    config = QgsAuthMethodConfig()
    try:
        QgsApplication.authManager().loadAuthenticationConfig(authcfg, config, True)
    except Exception:  # noqa: BLE001 - no authentication database: the user is asked for the password
        return user, password
    return config.config("username") or user, config.config("password") or password


# ---------------------------------------------------------------- schemas and roles


def workspace_schemas(params: PgParams) -> list[tuple[str, str]]:
    """[(schema, county name)] of the database's workspaces the connected role may read, sorted by schema.

    A connection refused (password, server down) raises PgStoreError with the reason in the user's words."""
    psycopg2 = _psycopg2()
    out = []
    with closing(connect(params)) as conn:
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where c.relname = %s and c.relkind in ('r', 'p') "
                    "and has_schema_privilege(n.oid, 'USAGE') and has_table_privilege(c.oid, 'SELECT') "
                    "order by 1",
                    (schema.WORKSPACE_INFO.name,),
                )
                names = [r[0] for r in cur.fetchall()]
                for name in names:
                    try:
                        pg_schema.ident(name)
                    except pg_schema.IdentifierError:
                        continue
                    cur.execute(
                        f"select key, value from {pg_schema.ident(name)}.{schema.WORKSPACE_INFO.name} "
                        "where key in (%s, 'county_name')",
                        (schema.INFO_MARKER,),
                    )
                    rows = dict(cur.fetchall())
                    if rows.get(schema.INFO_MARKER) == schema.WORKSPACE_MARKER:
                        out.append((name, rows.get("county_name") or ""))
            conn.rollback()
        except psycopg2.Error as error:
            conn.rollback()
            raise PgStoreError(translate_error(error)) from error
    return out


@dataclass(frozen=True)
class WorkspaceRole:
    """The connected user's part in a shared workspace."""

    user: str
    kind: str = NO_ROLE  # COUNTY, TOWNSHIP or NO_ROLE
    town_code: str = ""
    town_name: str = ""
    role: str = ""

    def describe(self) -> str:
        if self.kind == COUNTY:
            return tr("You are {user}: the county role ({role}); you decide change requests.").format(
                user=self.user, role=self.role
            )
        if self.kind == TOWNSHIP:
            return tr("You are {user}: township {name} ({code}), role {role}; you propose change requests.").format(
                user=self.user, name=self.town_name, code=self.town_code, role=self.role
            )
        return tr("You are {user}: neither the county role nor a township role of this workspace.").format(
            user=self.user
        )


def workspace_role(conn, name: str) -> WorkspaceRole:
    """The connected user's role in workspace ``name`` (read-only; a schema without roles: NO_ROLE)."""
    psycopg2 = _psycopg2()
    s = pg_schema.ident(name)
    with conn.cursor() as cur:
        cur.execute("select current_user")
        user = cur.fetchone()[0]
        try:
            cur.execute(f"select value from {s}.{schema.WORKSPACE_INFO.name} where key = 'county_role'")
            row = cur.fetchone()
            if row and row[0]:
                cur.execute("select pg_has_role(current_user, %s, 'MEMBER')", (row[0],))
                if cur.fetchone()[0]:
                    conn.rollback()
                    return WorkspaceRole(user, COUNTY, role=row[0])
            cur.execute(
                f"select town_code, town_name, role_name from {s}.{pg_schema.TOWNSHIPS} "
                "where pg_has_role(current_user, role_name, 'MEMBER') order by town_code limit 1"
            )
            row = cur.fetchone()
        except psycopg2.Error:  # no townships table (roles never set up) or no right to read it
            conn.rollback()
            return WorkspaceRole(user)
    conn.rollback()
    if row is None:
        return WorkspaceRole(user)
    return WorkspaceRole(user, TOWNSHIP, row[0], row[1] or "", row[2])


# ---------------------------------------------------------------- layers


def workspace_label(params: PgParams, name: str) -> str:
    """What the layers of schema ``name`` carry as their workspace property (``open_pg_workspace``'s label)."""
    return f"{name}@{params.host}:{params.port}/{params.dbname}"


def open_in_project(params: PgParams, name: str, project) -> PgWorkspace:
    """Open the workspace of schema ``name``; the layers of it already in ``project`` are used as they are.

    Every check (connection, password, schema version, rights) runs before a layer is made. A table with
    columns the role may not read (a township: the staff's phones) opens read-only without them (empty)."""
    from .styles import apply_layer_style

    psycopg2 = _psycopg2()
    with closing(connect(params)) as conn:
        info = read_pg_info(conn, name)
        restricted: dict[str, set[str]] = {}
        try:
            with conn.cursor() as cur:
                for layer_def in schema.WORKSPACE_LAYERS:
                    readable = set(_readable_columns(cur, name, layer_def))
                    if any(f.name not in readable for f in layer_def.fields):
                        restricted[layer_def.name] = readable
            conn.rollback()
        except psycopg2.Error as error:
            conn.rollback()
            raise PgStoreError(translate_error(error)) from error
    label = workspace_label(params, name)
    workspace = PgWorkspace(Path(label), info, params=params, schema_name=name)
    present: dict[str, QgsVectorLayer] = {}
    for layer in project.mapLayers().values():
        if (
            isinstance(layer, QgsVectorLayer)
            and layer.isValid()
            and layer.providerType() == "postgres"
            and layer.customProperty(schema.PROPERTY_WORKSPACE) == label
            and QgsDataSourceUri(layer.source()).username() == params.user
        ):
            present.setdefault(layer.customProperty(schema.PROPERTY_LAYER), layer)
    for layer_def in schema.WORKSPACE_LAYERS:
        layer = present.get(layer_def.name)
        if layer is None:
            if layer_def.name in restricted:
                layer = _restricted_layer(params, name, layer_def, restricted[layer_def.name])
            else:
                layer = pg_layer(params, name, layer_def, layer_def.title_zh)
            apply_layer_style(layer, layer_def)  # loading a style resets custom properties: set them after
        layer.setCustomProperty(schema.PROPERTY_LAYER, layer_def.name)
        layer.setCustomProperty(schema.PROPERTY_WORKSPACE, label)
        workspace.layers[layer_def.name] = layer
    guard_workspace(workspace)  # every save of a grid names the version it read (adapters.pg_versions)
    return workspace


def _restricted_layer(params: PgParams, name: str, layer_def: schema.LayerDef, readable: set[str]) -> QgsVectorLayer:
    """A read-only layer of the columns the role may read; the others are there, empty."""
    columns = ["fid"] + [
        pg_schema.ident(f.name)
        if f.name in readable
        else f"null::{pg_schema.column_type(f)} as {pg_schema.ident(f.name)}"
        for f in layer_def.fields
    ]
    geometry = layer_def.geometry is not schema.GeometryKind.NONE
    if geometry:
        columns.append("geom")
    sql = f"(select {', '.join(columns)} from {pg_schema.ident(name)}.{pg_schema.ident(layer_def.name)})"
    uri = QgsDataSourceUri()
    uri.setConnection(params.host, str(params.port), params.dbname, params.user, params.password)
    uri.setDataSource("", sql, "geom" if geometry else None, "", "fid")
    return open_postgres_layer(params, uri.uri(False), layer_def.title_zh, name, layer_def)


def project_pg_workspaces(project) -> list[tuple[PgParams, str]]:
    """[(connection, schema)] of the shared workspaces whose layers ``project`` holds (a saved project read
    again), in layer-tree order; the connection is the layers' own (user, and password when it was kept)."""
    tree_ids = [node.layerId() for node in project.layerTreeRoot().findLayers()]
    out: list[tuple[PgParams, str]] = []
    seen = set()
    for layer in [project.mapLayer(i) for i in tree_ids] + list(project.mapLayers().values()):
        if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "postgres":
            continue
        label = layer.customProperty(schema.PROPERTY_WORKSPACE)
        if layer.customProperty(schema.PROPERTY_LAYER) not in schema.LAYER_BY_NAME or not label or "@" not in label:
            continue
        uri = QgsDataSourceUri(layer.source())
        try:
            port = int(uri.port() or 5432)
        except ValueError:
            port = 5432
        params = PgParams(uri.host(), port, uri.database(), uri.username(), uri.password())
        name = label.split("@", 1)[0]
        if workspace_label(params, name) != label or (params, name) in seen:
            continue
        seen.add((params, name))
        out.append((params, name))
    return out


def layer_grids(workspace, pending: bool = True) -> dict[str, GridArray]:
    """The workspace's grid layers as arrays: with the layers' edit buffers (``pending``) or as saved."""
    from .audit_store import read_grid_source

    out = {}
    for layer_def in schema.GRID_LAYERS:
        layer = workspace.layers[layer_def.name]
        source = layer if pending else layer.dataProvider()
        out[layer_def.name] = read_grid_source(
            source.getFeatures,
            source.fields(),
            layer.wkbType(),
            source.featureCount(),
            layer.name(),
            layer_def.level,
            layer_def.name,
        )
    return out


def has_pending_edits(workspace) -> bool:
    return any(workspace.layers[d.name].isModified() for d in schema.GRID_LAYERS)


def discard_pending_edits(workspace) -> None:
    """End editing of the grid layers without saving (their edits are held in a change request now)."""
    for layer_def in schema.GRID_LAYERS:
        layer = workspace.layers[layer_def.name]
        if layer.isEditable():
            layer.rollBack()
        layer.reload()
