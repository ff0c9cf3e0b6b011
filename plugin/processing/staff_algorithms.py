"""Processing: import a staff register (CSV or XLSX) into a workspace's staff table."""

from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..adapters.plain_workspace import open_plain_workspace, refuse_unsaved_edits, reload_project_layers
from ..adapters.qgis_compat import variant_type
from ..adapters.staff_store import StaffImportError, import_to_file, plan_import, problem_text
from ..adapters.table_store import TableStoreError
from ..adapters.workspace import WorkspaceError
from ..core import schema
from ..core.findings import Severity
from ..core.schema import FieldType
from ..i18n import tr
from .base import GridAlgorithm


def report_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length in (
        ("row", FieldType.INTEGER, 0),
        ("outcome", FieldType.STRING, 16),
        ("field", FieldType.STRING, 32),
        ("rule_id", FieldType.STRING, 40),
        ("severity", FieldType.STRING, 8),
        ("message", FieldType.STRING, 500),
        ("message_zh", FieldType.STRING, 500),
        ("message_en", FieldType.STRING, 500),
    ):
        fields.append(QgsField(name, variant_type(kind), len=length))
    return fields


class ImportStaff(GridAlgorithm):
    NAME = "import_staff"
    DISPLAY = "Import staff"
    GROUP_ID = "households"
    GROUP = "Households, size and staff"
    HELP = (
        "Imports a staff register (网格工作人员名单) from a CSV file (UTF-8 or GB18030) or an Excel workbook (.xlsx) "
        "into the workspace's staff table. Headers may be Chinese or English (姓名/name, 岗位/role, 网格编码/grid "
        "code, 联系电话/phone, 监督电话, 工作职责, 职务, 单位安全负责人, 照片) and may sit below title rows.\n\n"
        "Each row is checked: a row without a name, with an unknown role, an invalid phone or supervision phone, a "
        "missing grid code, a code that no grid of the workspace has, a retired grid or an unreadable value is "
        "rejected and reported with its row number, name and grid code; a row without a phone is imported with a "
        "note; a row repeating a person already in the register (same name, grid and role) is skipped. The valid "
        "rows are written in one transaction.\n\n"
        "Append adds the rows to the register; Replace deletes the register's rows first (refused when no row "
        "is valid). The optional report table lists every rejected, skipped or noted row."
    )
    INPUT = "INPUT"
    WORKSPACE = "WORKSPACE"
    MODE = "MODE"
    SHEET = "SHEET"
    REPORT = "REPORT"
    WRITTEN = "WRITTEN"
    REJECTED = "REJECTED"
    SKIPPED = "SKIPPED"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFile(
                self.INPUT,
                tr("Staff register (CSV or XLSX)"),
                QgsProcessingParameterFile.Behavior.File,
                fileFilter=tr("Staff registers (*.csv *.xlsx *.xlsm *.tsv *.txt)"),
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.WORKSPACE, tr("Grid workspace (GeoPackage)"), QgsProcessingParameterFile.Behavior.File, "gpkg"
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODE,
                tr("Existing staff"),
                options=[tr("Append to the register"), tr("Replace the register")],
                defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.SHEET, tr("Worksheet (XLSX, optional)"), optional=True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.REPORT,
                tr("Import report"),
                QgsProcessing.SourceType.TypeVector,
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.WRITTEN, tr("Rows written")))
        self.addOutput(QgsProcessingOutputNumber(self.REJECTED, tr("Rows rejected")))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED, tr("Rows skipped as duplicates")))

    def prepareAlgorithm(self, parameters, context, feedback):
        """Main thread: refuse when the project holds unsaved edits of this workspace's staff layer."""
        self._written = None
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        try:
            refuse_unsaved_edits(context.project(), path, [schema.STAFF.name])
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        """Main thread: show the imported rows in the project's staff layer."""
        if getattr(self, "_written", None):
            reload_project_layers(context.project(), self._written, [schema.STAFF.name])
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        register = self.parameterAsFile(parameters, self.INPUT, context)
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        replace = self.parameterAsEnum(parameters, self.MODE, context) == 1
        sheet = (self.parameterAsString(parameters, self.SHEET, context) or "").strip() or None
        try:
            workspace = open_plain_workspace(path, [d.name for d in schema.GRID_LAYERS] + [schema.STAFF.name])
            plan = plan_import(register, workspace, replace, sheet)
        except (WorkspaceError, StaffImportError) as error:
            raise QgsProcessingException(str(error)) from error

        rejected_rows = set(plan.rejected_rows)
        for problem in plan.problems:
            if problem.row in rejected_rows or problem.severity is Severity.ERROR:
                feedback.reportError(problem_text(problem), False)
            else:
                feedback.pushInfo(problem_text(problem))
        sink, dest_id = self.parameterAsSink(
            parameters, self.REPORT, context, report_fields(), QgsWkbTypes.Type.NoGeometry
        )
        if sink is not None:
            fields = report_fields()
            for problem in plan.problems:
                if problem.row in rejected_rows:
                    outcome = "rejected"
                elif problem.row in plan.skipped_rows:
                    outcome = "skipped"
                else:
                    outcome = "imported"
                feature = QgsFeature(fields)
                feature.setAttributes(
                    [
                        problem.row,
                        outcome,
                        problem.field,
                        problem.rule_id,
                        problem.severity.value,
                        problem_text(problem),
                        problem.message_zh,
                        problem.message_en,
                    ]
                )
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)

        try:
            shared = getattr(self, "shared", None)  # a shared workspace's job: written into the database
            writer = shared.import_staff if shared is not None else lambda p, r: import_to_file(workspace, p, r)
            written = writer(plan, replace) if plan.rows or replace else 0
            self._written = path
        except TableStoreError as error:
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(
            tr("{written} staff rows written to {path} ({mode}); {rejected} rejected, {skipped} skipped.").format(
                written=written,
                path=shared.label if shared is not None else path,
                mode=tr("replaced") if replace else tr("appended"),
                rejected=len(plan.rejected_rows),
                skipped=len(plan.skipped_rows),
            )
        )
        results = {
            self.WRITTEN: written,
            self.REJECTED: len(plan.rejected_rows),
            self.SKIPPED: len(plan.skipped_rows),
        }
        if sink is not None:
            results[self.REPORT] = dest_id
        return results
