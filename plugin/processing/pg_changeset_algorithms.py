"""Processing algorithms for change requests (§7.6) in a shared PostGIS workspace (``adapters.pg_changesets``
underneath; the database keeps the rules: a township role proposes for its own township only, only the county role
decides).

* ``pg_install_change_sets`` — the schema's owner: adds the change-request tables and rules to the workspace;
* ``pg_propose_change_set`` — a township role: its edited copy (a workspace GeoPackage) against the workspace;
* ``pg_approve_change_set`` — the county role: approve with the approval reference (批复文号), one transaction;
* ``pg_reject_change_set`` — the county role: reject with a reason (no grid changes);
* ``pg_list_change_sets`` — the workspace's change requests, into a table and the log.
"""

from __future__ import annotations

from contextlib import closing

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..adapters import pg_changesets as pgc
from ..adapters import pg_store
from ..adapters.package_io import PackageError
from ..adapters.qgis_compat import variant_type
from ..adapters.workspace import WorkspaceError
from ..core import changesets as core
from ..core import pg_schema, schema
from ..i18n import prefers_chinese, tr
from .base import GridAlgorithm
from .pg_algorithms import _schema_name, resolve_connection

GROUP_ID = "changes"
GROUP = "Change requests"
CONNECTION = "CONNECTION"
SCHEMA = "SCHEMA"
STATUSES = ("", core.PROPOSED, core.APPROVED, core.REJECTED)
LIST_FIELDS = (
    ("set_id", schema.FieldType.STRING),
    ("township_code", schema.FieldType.STRING),
    ("status", schema.FieldType.STRING),
    ("proposed_by", schema.FieldType.STRING),
    ("proposed_at", schema.FieldType.STRING),
    ("approval_ref", schema.FieldType.STRING),
    ("decided_by", schema.FieldType.STRING),
    ("decided_at", schema.FieldType.STRING),
)


def _workspace_parameters(algorithm: GridAlgorithm) -> None:
    algorithm.addParameter(QgsProcessingParameterString(CONNECTION, tr("PostgreSQL connection")))
    algorithm.addParameter(QgsProcessingParameterString(SCHEMA, tr("Database schema")))


def _open(algorithm: GridAlgorithm, parameters, context):
    """(connection, schema name) of the workspace; the connection is the caller's to close."""
    params = resolve_connection(algorithm.parameterAsString(parameters, CONNECTION, context))
    name = _schema_name(algorithm.parameterAsString(parameters, SCHEMA, context))
    try:
        return pg_store.connect(params), name
    except WorkspaceError as error:
        raise QgsProcessingException(str(error)) from error


def _fail(error: Exception):
    from ..adapters.changeset_package import translate

    if isinstance(error, core.ChangeSetError):
        raise QgsProcessingException(translate(error)) from error
    if isinstance(error, (PackageError, WorkspaceError)):
        raise QgsProcessingException(str(error)) from error
    raise error


def _language() -> str:
    return "zh" if prefers_chinese() else "en"


class PgInstallChangeSets(GridAlgorithm):
    NAME = "pg_install_change_sets"
    DISPLAY = "Add change requests to a PostGIS workspace"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Adds the change-request tables and the rules the database keeps for them to a shared PostGIS workspace: "
        "a township role proposes changes of its own township's grids only, only the county role approves or "
        "rejects. Run it as the schema's owner after the roles were set up; the county and township roles are "
        "read from the workspace."
    )

    def initAlgorithm(self, config=None):
        _workspace_parameters(self)

    def processAlgorithm(self, parameters, context, feedback):
        conn, name = _open(self, parameters, context)
        with closing(conn):
            try:
                info = pg_store.read_pg_info(conn, name)
                with conn.cursor() as cur:
                    cur.execute(f"select value from {pg_schema.ident(name)}.workspace_info where key = 'county_role'")
                    row = cur.fetchone()
                    cur.execute(f"select role_name from {pg_schema.ident(name)}.{pg_schema.TOWNSHIPS} order by 1")
                    townships = [r[0] for r in cur.fetchall()]
                conn.rollback()
            except Exception as error:  # noqa: BLE001 - psycopg2.Error: no roles set up
                conn.rollback()
                if isinstance(error, WorkspaceError):
                    raise QgsProcessingException(str(error)) from error
                row, townships = None, []
            if row is None or not townships:
                raise QgsProcessingException(
                    tr("Workspace {schema} has no county and township roles yet: set up the roles first.").format(
                        schema=name
                    )
                )
            try:
                pgc.install_change_sets(conn, name, row[0], townships)
            except Exception as error:  # noqa: BLE001
                _fail(error)
        feedback.pushInfo(
            tr("Change requests added to workspace {schema} (county {county}).").format(
                schema=name, county=info.county_code
            )
        )
        return {}


class PgProposeChangeSet(GridAlgorithm):
    NAME = "pg_propose_change_set"
    DISPLAY = "Propose a change set on PostGIS (township)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "A township's written application for a change of its grids (§7.6) in a shared PostGIS workspace: "
        "compares its edited copy (a workspace GeoPackage, e.g. from 'Copy workspace from PostGIS') with the "
        "workspace's grids and keeps the change set in the database as a proposal of the connected (township) "
        "role. No grid changes until the county approves. Only the township's own grids may change; the database "
        "refuses the rest. Give the copy as it was received to compare with it instead of the grids as they are now."
    )
    EDITED = "EDITED"
    BASE = "BASE"
    TOWNSHIP = "TOWNSHIP"
    REASON = "REASON"
    TITLE = "TITLE"
    SET_ID = "SET_ID"
    ITEMS = "ITEMS"

    def initAlgorithm(self, config=None):
        _workspace_parameters(self)
        self.addParameter(
            QgsProcessingParameterFile(
                self.EDITED,
                tr("Township's edited workspace"),
                QgsProcessingParameterFile.Behavior.File,
                "gpkg",
                fileFilter=tr("GeoPackage (*.gpkg)"),
            )
        )
        self.addParameter(QgsProcessingParameterString(self.TOWNSHIP, tr("Township code (9 digits)")))
        self.addParameter(QgsProcessingParameterString(self.REASON, tr("Reason for the change"), multiLine=True))
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title"), optional=True))
        self.addParameter(
            QgsProcessingParameterFile(
                self.BASE,
                tr("Workspace as received (optional)"),
                QgsProcessingParameterFile.Behavior.File,
                "gpkg",
                optional=True,
                fileFilter=tr("GeoPackage (*.gpkg)"),
            )
        )
        self.addOutput(QgsProcessingOutputString(self.SET_ID, tr("Change request id")))
        self.addOutput(QgsProcessingOutputNumber(self.ITEMS, tr("Grids changed")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.changeset_package import read_workspace_grids

        edited = self.parameterAsFile(parameters, self.EDITED, context)
        base = self.parameterAsFile(parameters, self.BASE, context)
        conn, name = _open(self, parameters, context)
        with closing(conn):
            try:
                info = pg_store.read_pg_info(conn, name)
                before = read_workspace_grids(base) if base else pgc.read_pg_grids(conn, name)
                cs = core.propose_change_set(
                    before,
                    read_workspace_grids(edited),
                    self.parameterAsString(parameters, self.TOWNSHIP, context),
                    self.parameterAsString(parameters, self.REASON, context),
                    county_code=info.county_code,
                    title=self.parameterAsString(parameters, self.TITLE, context) or "",
                    crs=info.crs,
                )
                cs = pgc.propose(conn, name, cs, context=before)
            except Exception as error:  # noqa: BLE001 - _fail re-raises what it does not know
                _fail(error)
        feedback.pushInfo(core.application_text(cs, _language()))
        return {self.SET_ID: cs.set_id, self.ITEMS: len(cs.items)}


class PgApproveChangeSet(GridAlgorithm):
    NAME = "pg_approve_change_set"
    DISPLAY = "Approve a change set on PostGIS (county)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "The county role approves a proposed change request of a shared PostGIS workspace with the approval "
        "reference (批复文号): in one transaction the grids change and the change log records every change with "
        "the reference (the 7-day filing clock of §7.5 starts now). A request whose grids were changed since it "
        "was proposed is refused, nothing changed. Only the county role may approve."
    )
    SET_ID = "SET_ID"
    REFERENCE = "REFERENCE"
    STATUS = "STATUS"
    DEADLINE = "DEADLINE"

    def initAlgorithm(self, config=None):
        _workspace_parameters(self)
        self.addParameter(QgsProcessingParameterString(self.SET_ID, tr("Change request id")))
        self.addParameter(QgsProcessingParameterString(self.REFERENCE, tr("Approval reference (批复文号)")))
        self.addOutput(QgsProcessingOutputString(self.STATUS, tr("Status")))
        self.addOutput(QgsProcessingOutputString(self.DEADLINE, tr("File with the city by")))

    def processAlgorithm(self, parameters, context, feedback):
        conn, name = _open(self, parameters, context)
        with closing(conn):
            try:
                cs = pgc.approve(
                    conn,
                    name,
                    self.parameterAsString(parameters, self.SET_ID, context).strip(),
                    self.parameterAsString(parameters, self.REFERENCE, context).strip(),
                )
            except Exception as error:  # noqa: BLE001
                _fail(error)
        feedback.pushInfo(cs.status_message(_language()))
        deadline = cs.filing_deadline()
        return {self.STATUS: cs.status, self.DEADLINE: deadline.isoformat() if deadline else ""}


class PgRejectChangeSet(GridAlgorithm):
    NAME = "pg_reject_change_set"
    DISPLAY = "Reject a change set on PostGIS (county)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "The county role rejects a proposed change request of a shared PostGIS workspace with a reason; no grid "
        "changes. Only the county role may reject."
    )
    SET_ID = "SET_ID"
    REASON = "REASON"
    STATUS = "STATUS"

    def initAlgorithm(self, config=None):
        _workspace_parameters(self)
        self.addParameter(QgsProcessingParameterString(self.SET_ID, tr("Change request id")))
        self.addParameter(QgsProcessingParameterString(self.REASON, tr("Reason for rejection"), multiLine=True))
        self.addOutput(QgsProcessingOutputString(self.STATUS, tr("Status")))

    def processAlgorithm(self, parameters, context, feedback):
        conn, name = _open(self, parameters, context)
        with closing(conn):
            try:
                cs = pgc.reject(
                    conn,
                    name,
                    self.parameterAsString(parameters, self.SET_ID, context).strip(),
                    self.parameterAsString(parameters, self.REASON, context),
                )
            except Exception as error:  # noqa: BLE001
                _fail(error)
        feedback.pushInfo(cs.status_message(_language()))
        return {self.STATUS: cs.status}


class PgListChangeSets(GridAlgorithm):
    NAME = "pg_list_change_sets"
    DISPLAY = "List change sets on PostGIS"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Lists the change requests of a shared PostGIS workspace (newest first), all or those of one status, "
        "into a table and the log: id, township, status, who proposed it and when, the approval reference, who "
        "decided and when. A township role sees its own township's requests."
    )
    STATUS = "STATUS"
    OUTPUT = "OUTPUT"
    COUNT = "COUNT"

    def initAlgorithm(self, config=None):
        _workspace_parameters(self)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.STATUS,
                tr("Status"),
                options=[tr("All"), tr("Proposed"), tr("Approved"), tr("Rejected")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Change requests"), QgsProcessing.SourceType.TypeVector, optional=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.COUNT, tr("Change requests")))

    def processAlgorithm(self, parameters, context, feedback):
        status = STATUSES[self.parameterAsEnum(parameters, self.STATUS, context)]
        conn, name = _open(self, parameters, context)
        with closing(conn):
            try:
                pg_store.read_pg_info(conn, name)
                rows = pgc.change_sets(conn, name, status or None)
            except WorkspaceError as error:
                raise QgsProcessingException(str(error)) from error
            except Exception as error:  # noqa: BLE001 - psycopg2.Error: no change-request tables
                conn.rollback()
                raise QgsProcessingException(
                    tr("Workspace {schema} has no change requests: {error}").format(
                        schema=name, error=str(error).strip().splitlines()[0]
                    )
                ) from error
        fields = QgsFields()
        for field, kind in LIST_FIELDS:
            fields.append(QgsField(field, variant_type(kind)))
        sink, dest = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.NoGeometry, QgsCoordinateReferenceSystem()
        )
        for row in rows:
            values = ["" if row[f] is None else str(row[f]) for f, _ in LIST_FIELDS]
            feedback.pushInfo(
                tr("{id}: township {township}, {status}, proposed by {user} at {at}{ref}").format(
                    id=row["set_id"],
                    township=row["township_code"],
                    status=row["status"],
                    user=row["proposed_by"],
                    at=row["proposed_at"],
                    ref=f" — {row['approval_ref']}" if row["approval_ref"] else "",
                )
            )
            if sink is not None:
                feature = QgsFeature(fields)
                feature.setAttributes(values)
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        out = {self.COUNT: len(rows)}
        if sink is not None:
            out[self.OUTPUT] = dest
        return out
