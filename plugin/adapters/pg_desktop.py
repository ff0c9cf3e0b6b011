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

from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

from ..core import pg_schema, schema
from ..core.model import GridArray
from ..i18n import tr
from .pg_store import PgParams, PgStoreError, PgWorkspace, _psycopg2, connect, open_pg_workspace, translate_error

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
    return PgParams(host=uri.host(), port=port, dbname=uri.database(), user=uri.username(), password=uri.password())


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

    Every check (connection, password, schema version, rights) runs before anything is added."""
    workspace = open_pg_workspace(params, name)
    label = workspace_label(params, name)
    present: dict[str, QgsVectorLayer] = {}
    for layer in project.mapLayers().values():
        if (
            isinstance(layer, QgsVectorLayer)
            and layer.providerType() == "postgres"
            and layer.customProperty(schema.PROPERTY_WORKSPACE) == label
            and QgsDataSourceUri(layer.source()).username() == params.user
        ):
            present.setdefault(layer.customProperty(schema.PROPERTY_LAYER), layer)
    for key, layer in present.items():
        if key in workspace.layers:
            workspace.layers[key] = layer
    return workspace


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
