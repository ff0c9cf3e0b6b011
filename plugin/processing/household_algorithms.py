"""Processing: attach household counts to a workspace's grids (points by location, or a table by code/name)."""

from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

from ..adapters.household_edits import (
    HouseholdError,
    attach,
    check_replacement,
    is_point_source,
    mapping_label,
    resolve_mapping,
    summary_lines,
    write_totals_file,
)
from ..adapters.messages import finding_message
from ..adapters.plain_workspace import open_plain_workspace, refuse_unsaved_edits, reload_project_layers
from ..adapters.qgis_compat import variant_type
from ..adapters.workspace import WorkspaceError
from ..core import schema
from ..core.households import DEFAULT_MAX_DROP, BoundaryRule, attachment_findings
from ..core.schema import FieldType
from ..i18n import tr
from .base import GridAlgorithm

BOUNDARY_RULES = (BoundaryRule.LOWEST_CODE, BoundaryRule.NEAREST_CENTROID)


def findings_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length in (
        ("rule_id", FieldType.STRING, 40),
        ("severity", FieldType.STRING, 8),
        ("layer", FieldType.STRING, 32),
        ("codes", FieldType.STRING, 255),
        ("source_fid", FieldType.INTEGER, 0),
        ("row", FieldType.INTEGER, 0),
        ("message", FieldType.STRING, 500),
        ("message_zh", FieldType.STRING, 500),
        ("message_en", FieldType.STRING, 500),
    ):
        fields.append(QgsField(name, variant_type(kind), len=length))
    return fields


def finding_feature(finding, fields: QgsFields) -> QgsFeature:
    feature = QgsFeature(fields)
    row = finding.extra.get("row") if finding.extra else None
    feature.setAttributes(
        [
            finding.rule_id,
            finding.severity.value,
            finding.layer,
            ",".join(finding.codes),
            int(finding.fids[0]) if finding.fids else None,
            int(row) if row is not None else None,
            finding_message(finding),
            finding.message_zh,
            finding.message_en,
        ]
    )
    if finding.location is not None:
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*finding.location)))
    return feature


class AttachHouseholds(GridAlgorithm):
    NAME = "attach_households"
    DISPLAY = "Attach households"
    GROUP_ID = "households"
    GROUP = "Households, size and staff"
    HELP = (
        "Counts households, persons and relocated or registered-but-absent households per level 3 grid and rolls "
        "the totals up to level 2 and level 1 (by parent code); the counts are written to the grids' fields "
        "households, population and relocated_households in the workspace.\n\n"
        "Sources: household points (one household per point), building points with a household count field, or a "
        "table without geometry joined by grid code or, when the code is blank, by villager group name (narrowed by "
        "a village field when names repeat). Points in another CRS are transformed to the workspace CRS.\n\n"
        "Rules: a point belongs to the level 3 grid that contains it, boundary included. A point on the shared "
        "boundary of several grids (or in an overlap) goes to the grid with the lowest code (or, if chosen, the "
        "grid whose centre is nearest) and is reported. A point outside every active level 3 grid, or without "
        "geometry, is not counted and is reported. Retired grids take no households and keep their counts. "
        "Relocated and absent fields may be yes/no flags (the point's households) or counts; relocated households "
        "= relocated + absent, at most the point's households. Missing or invalid numbers count as 0 and are "
        "reported. A grid whose parent code is not found is not rolled up and is reported.\n\n"
        "Points replace every active grid's counts, grids without households get 0. A table updates only the grids "
        "its rows name, unless 'replace all' is chosen. Points in a layer without a CRS (GeoPackage srs_id 0) are "
        "refused unless their CRS is given.\n\n"
        "Counts are never zeroed silently: a run that attaches nothing, or that would lower the workspace's "
        "household total by more than the allowed share, writes nothing and says why (outside every grid, no "
        "geometry, rows matching no grid), unless a full replacement is confirmed. The findings (outside, "
        "boundary, unmatched rows …) go to the optional findings layer and the log."
    )

    WORKSPACE = "WORKSPACE"
    INPUT = "INPUT"
    MODE = "MODE"
    HOUSEHOLDS_FIELD = "HOUSEHOLDS_FIELD"
    PERSONS_FIELD = "PERSONS_FIELD"
    RELOCATED_FIELD = "RELOCATED_FIELD"
    ABSENT_FIELD = "ABSENT_FIELD"
    GRID_CODE_FIELD = "GRID_CODE_FIELD"
    GROUP_NAME_FIELD = "GROUP_NAME_FIELD"
    VILLAGE_FIELD = "VILLAGE_FIELD"
    BOUNDARY_RULE = "BOUNDARY_RULE"
    SOURCE_CRS = "SOURCE_CRS"
    REPLACE_ALL = "REPLACE_ALL"
    MAX_DROP = "MAX_DROP"
    CONFIRM = "CONFIRM"
    WRITE = "WRITE"
    FINDINGS = "FINDINGS"

    ASSIGNED = "ASSIGNED"
    OUTSIDE = "OUTSIDE"
    ON_BOUNDARY = "ON_BOUNDARY"
    NO_GEOMETRY = "NO_GEOMETRY"
    UNMATCHED = "UNMATCHED"
    HOUSEHOLDS = "HOUSEHOLDS"
    POPULATION = "POPULATION"
    RELOCATED = "RELOCATED"
    GRIDS_CHANGED = "GRIDS_CHANGED"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFile(
                self.WORKSPACE, tr("Grid workspace (GeoPackage)"), QgsProcessingParameterFile.Behavior.File, "gpkg"
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                tr("Household points, building points or household table"),
                [QgsProcessing.SourceType.TypeVectorPoint, QgsProcessing.SourceType.TypeVector],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODE,
                tr("Attach by"),
                options=[
                    tr("Automatic: points by location, a table without geometry by code or name"),
                    tr("Location of the points"),
                    tr("Grid code or villager group name (table)"),
                ],
                defaultValue=0,
            )
        )
        for name, label in (
            (self.HOUSEHOLDS_FIELD, tr("Household count field (blank: one household per point or row)")),
            (self.PERSONS_FIELD, tr("Persons field (blank: 'persons' if present)")),
            (self.RELOCATED_FIELD, tr("Relocated households field, flag or count (blank: 'relocated' if present)")),
            (self.ABSENT_FIELD, tr("Registered-but-absent field, flag or count (blank: 'absent' if present)")),
            (self.GRID_CODE_FIELD, tr("Table: grid code field (blank: 'grid_code' if present)")),
            (self.GROUP_NAME_FIELD, tr("Table: villager group name field")),
            (self.VILLAGE_FIELD, tr("Table: village or community field (code or name)")),
        ):
            self.addParameter(QgsProcessingParameterField(name, label, None, self.INPUT, optional=True))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.BOUNDARY_RULE,
                tr("A point on a shared boundary goes to"),
                options=[tr("the grid with the lowest code"), tr("the grid whose centre is nearest")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs(
                self.SOURCE_CRS, tr("CRS of the points when their layer has none"), None, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.REPLACE_ALL, tr("Table: replace all grids' counts (grids the table does not name get 0)"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_DROP,
                tr("Refuse when the household total would drop by more than (%)"),
                QgsProcessingParameterNumber.Type.Double,
                DEFAULT_MAX_DROP * 100,
                minValue=0,
                maxValue=100,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.CONFIRM, tr("Confirm a full replacement even if it lowers or zeroes the counts"), False
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.WRITE, tr("Write the counts into the workspace"), True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.FINDINGS,
                tr("Findings (outside, boundary, unmatched)"),
                QgsProcessing.SourceType.TypeVectorPoint,
                optional=True,
                createByDefault=False,
            )
        )
        for name, label in (
            (self.ASSIGNED, tr("Points or rows attached")),
            (self.OUTSIDE, tr("Points outside every grid")),
            (self.ON_BOUNDARY, tr("Points on a shared boundary")),
            (self.NO_GEOMETRY, tr("Points without geometry")),
            (self.UNMATCHED, tr("Table rows matching no grid")),
            (self.HOUSEHOLDS, tr("Households in level 3 grids")),
            (self.POPULATION, tr("Persons in level 3 grids")),
            (self.RELOCATED, tr("Relocated or absent households in level 3 grids")),
            (self.GRIDS_CHANGED, tr("Grids whose counts changed")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    GRID_TABLES = (schema.GRID_LEVEL1.name, schema.GRID_LEVEL2.name, schema.GRID_LEVEL3.name)

    def prepareAlgorithm(self, parameters, context, feedback):
        """Main thread: refuse when the project holds unsaved edits of this workspace's grid layers."""
        self._written = None
        if self.parameterAsBool(parameters, self.WRITE, context):
            path = self.parameterAsFile(parameters, self.WORKSPACE, context)
            try:
                refuse_unsaved_edits(context.project(), path, self.GRID_TABLES)
            except WorkspaceError as error:
                raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        """Main thread: show the new counts in the project's layers of the workspace."""
        if getattr(self, "_written", None):
            reload_project_layers(context.project(), self._written, self.GRID_TABLES)
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        try:
            workspace = open_plain_workspace(path, self.GRID_TABLES)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        mode = self.parameterAsEnum(parameters, self.MODE, context)
        as_table = {0: not is_point_source(source), 1: False, 2: True}[mode]
        given = {
            key: self.parameterAsString(parameters, name, context)
            for key, name in (
                ("households", self.HOUSEHOLDS_FIELD),
                ("persons", self.PERSONS_FIELD),
                ("relocated", self.RELOCATED_FIELD),
                ("absent", self.ABSENT_FIELD),
                ("grid_code", self.GRID_CODE_FIELD),
                ("group_name", self.GROUP_NAME_FIELD),
                ("village", self.VILLAGE_FIELD),
            )
        }
        name = source.sourceName()
        rule = BOUNDARY_RULES[self.parameterAsEnum(parameters, self.BOUNDARY_RULE, context)]
        try:
            mapping = resolve_mapping(source.fields(), name, as_table, **given)
            for key, value in vars(mapping).items():
                if value:
                    feedback.pushInfo(tr("Field for the {what}: {field}").format(what=mapping_label(key), field=value))
            feedback.pushInfo(tr("Reading {layer}…").format(layer=name))
            value = parameters.get(self.INPUT)
            whole = not isinstance(value, QgsProcessingFeatureSourceDefinition)
            bulk_layer = self.parameterAsVectorLayer(parameters, self.INPUT, context) if whole else None
            source_crs = self.parameterAsCrs(parameters, self.SOURCE_CRS, context)
            replace_all = self.parameterAsBool(parameters, self.REPLACE_ALL, context)
            attachment, grids = attach(
                workspace,
                source,
                mapping,
                rule,
                as_table,
                context.transformContext(),
                feedback,
                bulk_layer,
                source_crs if source_crs.isValid() else None,
                replace_all,
            )
        except HouseholdError as error:
            raise QgsProcessingException(str(error)) from error
        feedback.setProgress(60)

        findings = attachment_findings(attachment)
        for finding in findings:
            text = finding_message(finding)
            if finding.severity.value == "info":
                feedback.pushInfo(text)
            else:
                feedback.reportError(text, False)
        sink, dest_id = self.parameterAsSink(
            parameters, self.FINDINGS, context, findings_fields(), QgsWkbTypes.Type.Point, workspace.crs
        )
        if sink is not None:
            fields = findings_fields()
            for finding in findings:
                sink.addFeature(finding_feature(finding, fields), QgsFeatureSink.Flag.FastInsert)

        changed = 0
        confirm = self.parameterAsBool(parameters, self.CONFIRM, context)
        max_drop = self.parameterAsDouble(parameters, self.MAX_DROP, context) / 100.0
        if self.parameterAsBool(parameters, self.WRITE, context):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            try:
                check_replacement(attachment, grids, name, confirm, max_drop)
                # all levels in one transaction: of the file, or of the database for a shared workspace's job
                shared = getattr(self, "shared", None)
                writer = shared.write_totals if shared is not None else write_totals_file
                edit = writer(workspace, grids, attachment)
                feedback.setProgress(75)
            except HouseholdError as error:
                raise QgsProcessingException(str(error)) from error
            changed = sum(edit.counts.values())
            self._written = path
            for line in summary_lines(attachment, edit):
                feedback.pushInfo(line)
            feedback.pushInfo(tr("Counts written to {path}.").format(path=shared.label if shared is not None else path))
        else:
            for line in summary_lines(attachment):
                feedback.pushInfo(line)
            feedback.pushInfo(tr("Nothing was written (the write option is off)."))
        feedback.setProgress(100)
        level3 = attachment.level3
        results = {
            self.ASSIGNED: attachment.assigned,
            self.OUTSIDE: len(attachment.outside_fids),
            self.ON_BOUNDARY: len(attachment.boundary_fids),
            self.NO_GEOMETRY: len(attachment.missing_fids),
            self.UNMATCHED: len(attachment.unmatched_rows),
            self.HOUSEHOLDS: int(level3.households.sum()),
            self.POPULATION: int(level3.population.sum()),
            self.RELOCATED: int(level3.relocated_households.sum()),
            self.GRIDS_CHANGED: changed,
        }
        if sink is not None:
            results[self.FINDINGS] = dest_id
        return results
