"""Processing algorithms for a shared workspace on PostgreSQL/PostGIS: copy a GeoPackage workspace into a
database schema, and a schema back into a GeoPackage workspace (adapters/pg_store.py does the work)."""

from __future__ import annotations

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProviderRegistry,
)

from ..adapters.pg_store import PgParams, PgStoreError, copy_gpkg_to_pg, copy_pg_to_gpkg, save_pg_styles
from ..adapters.workspace import WorkspaceError
from ..core.pg_schema import IdentifierError, ident
from ..i18n import tr
from .base import GridAlgorithm


def resolve_connection(text: str) -> PgParams:
    """A QGIS PostgreSQL connection's name (Browser → PostgreSQL), or libpq settings ``host=… dbname=… user=…``."""
    text = (text or "").strip()
    if not text:
        raise QgsProcessingException(tr("Give a PostgreSQL connection."))
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    if "=" not in text and metadata is not None:
        try:
            connection = metadata.findConnection(text)
        except Exception:  # QgsProviderConnectionException: no such connection
            connection = None
        if connection is None:
            raise QgsProcessingException(tr("There is no PostgreSQL connection named {name}.").format(name=text))
        uri = QgsDataSourceUri(connection.uri())
        return PgParams(
            host=uri.host(),
            port=int(uri.port() or 5432),
            dbname=uri.database(),
            user=uri.username(),
            password=uri.password(),
        )
    try:
        return PgParams.from_conninfo(text)
    except PgStoreError as error:
        raise QgsProcessingException(str(error)) from error


def _schema_name(text: str) -> str:
    try:
        ident(text)
    except IdentifierError as error:
        raise QgsProcessingException(
            tr("{name} is not a schema name: use lower-case letters, digits and underscores.").format(name=text)
        ) from error
    return text


class CopyWorkspaceToPostgis(GridAlgorithm):
    NAME = "copy_workspace_to_postgis"
    DISPLAY = "Copy workspace to PostGIS"
    HELP = (
        "Copies a workspace GeoPackage into a new schema of a PostgreSQL/PostGIS database (one transaction: all "
        "or nothing), with the same layers, fields, aliases and styles, and the rules the database keeps for a "
        "shared workspace: change log triggers, grid versions, the code registry. Connection: the name of a QGIS "
        "PostgreSQL connection or libpq settings (host=... port=... dbname=... user=...)."
    )
    WORKSPACE = "WORKSPACE"
    CONNECTION = "CONNECTION"
    SCHEMA = "SCHEMA"
    OVERWRITE = "OVERWRITE"
    STYLES = "STYLES"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace GeoPackage"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(self.CONNECTION, tr("PostgreSQL connection")))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Database schema")))
        self.addParameter(
            QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace the schema if it exists"), defaultValue=False)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.STYLES, tr("Store the layer styles in the database"), defaultValue=True)
        )

    def processAlgorithm(self, parameters, context, feedback):
        params = resolve_connection(self.parameterAsString(parameters, self.CONNECTION, context))
        name = _schema_name(self.parameterAsString(parameters, self.SCHEMA, context))
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        try:
            counts = copy_gpkg_to_pg(
                path, params, name, self.parameterAsBool(parameters, self.OVERWRITE, context), feedback
            )
            if self.parameterAsBool(parameters, self.STYLES, context):
                save_pg_styles(params, name)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(tr("{rows} rows copied into schema {schema}.").format(rows=sum(counts.values()), schema=name))
        return {self.SCHEMA: name}


class CopyPostgisToWorkspace(GridAlgorithm):
    NAME = "copy_postgis_to_workspace"
    DISPLAY = "Copy workspace from PostGIS"
    HELP = (
        "Writes the workspace of a PostgreSQL/PostGIS schema to a workspace GeoPackage (a consistent snapshot, "
        "moved into place when complete), e.g. to export a filing package or to work offline. Columns your "
        "database role may not read (staff phones for a township role) stay empty."
    )
    CONNECTION = "CONNECTION"
    SCHEMA = "SCHEMA"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterString(self.CONNECTION, tr("PostgreSQL connection")))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Database schema")))
        self.addParameter(
            QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace the file if it exists"), defaultValue=False)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Workspace GeoPackage"), fileFilter=tr("GeoPackage (*.gpkg)")
            )
        )

    def processAlgorithm(self, parameters, context, feedback):
        params = resolve_connection(self.parameterAsString(parameters, self.CONNECTION, context))
        name = _schema_name(self.parameterAsString(parameters, self.SCHEMA, context))
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            path = copy_pg_to_gpkg(params, name, output, self.parameterAsBool(parameters, self.OVERWRITE, context))
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        return {self.OUTPUT: str(path)}
