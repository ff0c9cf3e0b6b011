"""Processing algorithms for codes, filing and the city's intake (§7.5, §7.6).

* ``allocate_codes`` — plan (and, unless a dry run, write) grid codes by the workspace's code rule;
* ``rebuild_code_registry`` — verify the code registry against grids and change log; rebuild it on request;
* ``export_filing_package`` — the county's filing package for the city (EPSG:4490 by default);
* ``merge_county_packages`` — the city merges county packages into one city workspace + findings;
* ``compare_packages`` — what changed between two packages: a layer of changed grids and a report.
"""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..adapters.messages import localized
from ..adapters.package_io import PackageError
from ..adapters.plain_workspace import open_plain_workspace, refuse_unsaved_edits, reload_project_layers
from ..adapters.workspace import WorkspaceError, qgs_fields
from ..core import filing as core
from ..core import schema
from ..core.diff import DIFF_KINDS
from ..i18n import prefers_chinese, tr
from .base import GridAlgorithm, add_city_check_parameters

GROUP_ID = "filing"
GROUP = "Codes and filing"
GRID_TABLES = tuple(d.name for d in schema.GRID_LAYERS)


def _file_parameter(name: str, label: str, optional: bool = False) -> QgsProcessingParameterFile:
    return QgsProcessingParameterFile(
        name,
        label,
        QgsProcessingParameterFile.Behavior.File,
        "gpkg",
        optional=optional,
        fileFilter=tr("GeoPackage (*.gpkg)"),
    )


def _geometry(shape) -> QgsGeometry:
    geometry = QgsGeometry()
    if shape is not None:
        import shapely

        geometry.fromWkb(shapely.to_wkb(shape, output_dimension=2))  # GEOS < 3.12 under qgis_process
        geometry.convertToMultiType()
    return geometry


# ---------------------------------------------------------------- allocate codes

PLAN_FIELDS = schema.LayerDef(
    "allocation_plan",
    schema.GeometryKind.NONE,
    "编码分配方案",
    "Code allocation plan",
    (
        schema.FieldDef("fid", schema.FieldType.INTEGER, "要素编号", "feature id"),
        schema.FieldDef("layer", schema.FieldType.STRING, "图层", "layer", 32),
        schema.FieldDef("old_code", schema.FieldType.STRING, "原编码", "old code", 32),
        schema.FieldDef("new_code", schema.FieldType.STRING, "新编码", "new code", 32),
        schema.FieldDef("reason", schema.FieldType.STRING, "原因", "reason", 32),
        schema.FieldDef("reason_label", schema.FieldType.STRING, "原因说明", "reason (label)", 200),
        schema.FieldDef("parent_code", schema.FieldType.STRING, "上级编码", "parent code", 32),
        schema.FieldDef("outcome", schema.FieldType.STRING, "结果", "outcome", 16),
    ),
)


class AllocateCodes(GridAlgorithm):
    NAME = "allocate_codes"
    DISPLAY = "Allocate codes"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Plans grid codes by the code rule stored in the workspace: grids without a code (and, when asked, with a "
        "code that breaks the rule, or a duplicated one) get the next free number under their parent, numbered "
        "west to east and north to south. Codes once issued are never issued again (the code registry). The plan "
        "(feature, layer, old and new code, reason) is the output table; save it as CSV if needed. Unless this is a "
        "dry run, the codes are written into the grid layers, the registry is updated and the re-codings are "
        "recorded in the change log."
    )
    WORKSPACE = "WORKSPACE"
    DRY_RUN = "DRY_RUN"
    RECODE_INVALID = "RECODE_INVALID"
    OUTPUT = "OUTPUT"
    ASSIGNED = "ASSIGNED"
    UNRESOLVED = "UNRESOLVED"
    APPLIED = "APPLIED"

    def initAlgorithm(self, config=None):
        self.addParameter(_file_parameter(self.WORKSPACE, tr("Grid workspace")))
        self.addParameter(QgsProcessingParameterBoolean(self.DRY_RUN, tr("Dry run (only show the plan)"), True))
        self.addParameter(
            QgsProcessingParameterBoolean(self.RECODE_INVALID, tr("Re-code codes that break the code rule"), False)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Allocation plan"), QgsProcessing.SourceType.TypeVector)
        )
        self.addOutput(QgsProcessingOutputNumber(self.ASSIGNED, tr("Grids given a code")))
        self.addOutput(QgsProcessingOutputNumber(self.UNRESOLVED, tr("Grids that could not be coded")))
        self.addOutput(QgsProcessingOutputNumber(self.APPLIED, tr("Codes written")))

    def prepareAlgorithm(self, parameters, context, feedback):
        self._written = None
        if not self.parameterAsBool(parameters, self.DRY_RUN, context):
            path = self.parameterAsFile(parameters, self.WORKSPACE, context)
            try:
                refuse_unsaved_edits(
                    context.project(), path, (*GRID_TABLES, schema.CODE_REGISTRY.name, schema.CHANGE_LOG.name)
                )
            except WorkspaceError as error:
                raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        if getattr(self, "_written", None):
            reload_project_layers(
                context.project(), self._written, (*GRID_TABLES, schema.CODE_REGISTRY.name, schema.CHANGE_LOG.name)
            )
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.codes_store import CodesError, plan_allocation, write_allocation
        from ..adapters.filing import current_user

        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        dry_run = self.parameterAsBool(parameters, self.DRY_RUN, context)
        try:
            workspace = open_plain_workspace(path)
            preview = plan_allocation(
                workspace, recode_invalid=self.parameterAsBool(parameters, self.RECODE_INVALID, context)
            )
        except (WorkspaceError, CodesError) as error:
            raise QgsProcessingException(str(error)) from error
        plan = preview.plan
        fields = qgs_fields(PLAN_FIELDS)
        sink, dest = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.NoGeometry, QgsCoordinateReferenceSystem()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        language = "zh" if prefers_chinese() else "en"
        for outcome, items in (
            ("planned" if dry_run else "applied", plan.assignments),
            ("unresolved", plan.unresolved),
            ("kept", plan.kept_invalid),
        ):
            for a in items:
                feature = QgsFeature(fields)
                feature.setAttributes(
                    [a.fid, a.layer, a.old_code, a.new_code, a.reason, a.reason_label(language), a.parent_code, outcome]
                )
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        for a in plan.unresolved:
            feedback.pushWarning(
                tr("{layer} feature {fid} ({code}): {reason}").format(
                    layer=a.layer, fid=a.fid, code=a.old_code or "—", reason=a.reason_label(language)
                )
            )
        applied = 0
        if not dry_run and not plan.is_empty:
            try:  # codes, change log and registry in one transaction of the file
                result = write_allocation(workspace, preview, current_user())
            except CodesError as error:
                raise QgsProcessingException(str(error)) from error
            applied = sum(result.changed.values())
            self._written = path
            feedback.pushInfo(
                tr("Wrote {n} codes; the registry gained {added} and changed {changed} entries.").format(
                    n=applied, added=result.registry_added, changed=result.registry_changed
                )
            )
        else:
            feedback.pushInfo(tr("{n} grids would get a code (dry run: nothing written).").format(n=len(plan)))
        return {
            self.OUTPUT: dest,
            self.ASSIGNED: len(plan),
            self.UNRESOLVED: len(plan.unresolved),
            self.APPLIED: applied,
        }


# ---------------------------------------------------------------- verify / rebuild the code registry


class RebuildCodeRegistry(GridAlgorithm):
    NAME = "rebuild_code_registry"
    DISPLAY = "Verify or rebuild the code registry"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Checks the workspace's code registry against the grids and the change log: a code a grid holds or the "
        "change log names must be recorded, a code no active grid holds must be retired, a retired code must not "
        "be in use again. By default only reports (nothing is written). With 'Rebuild', the missing entries are "
        "added and the wrong ones corrected in one transaction of the file; entries are never removed, so a code "
        "once issued is never issued again. A retired code in use again cannot be rebuilt away: give that grid a "
        "new code (Allocate codes)."
    )
    WORKSPACE = "WORKSPACE"
    REBUILD = "REBUILD"
    PROBLEMS = "PROBLEMS"
    REMAINING = "REMAINING"
    ADDED = "ADDED"
    CHANGED = "CHANGED"
    TABLES = (*GRID_TABLES, schema.CODE_REGISTRY.name, schema.CHANGE_LOG.name)

    def initAlgorithm(self, config=None):
        self.addParameter(_file_parameter(self.WORKSPACE, tr("Grid workspace")))
        self.addParameter(
            QgsProcessingParameterBoolean(self.REBUILD, tr("Rebuild (write the missing and wrong entries)"), False)
        )
        self.addOutput(QgsProcessingOutputNumber(self.PROBLEMS, tr("Disagreements found")))
        self.addOutput(QgsProcessingOutputNumber(self.REMAINING, tr("Disagreements left")))
        self.addOutput(QgsProcessingOutputNumber(self.ADDED, tr("Registry entries added")))
        self.addOutput(QgsProcessingOutputNumber(self.CHANGED, tr("Registry entries corrected")))

    def prepareAlgorithm(self, parameters, context, feedback):
        self._written = None
        if self.parameterAsBool(parameters, self.REBUILD, context):
            path = self.parameterAsFile(parameters, self.WORKSPACE, context)
            try:
                refuse_unsaved_edits(context.project(), path, self.TABLES)
            except WorkspaceError as error:
                raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        if getattr(self, "_written", None):
            reload_project_layers(context.project(), self._written, (schema.CODE_REGISTRY.name,))
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.codes_store import CodesError, rebuild_registry, verify_registry
        from ..core.audit.codes import registry_problem_text

        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        rebuild = self.parameterAsBool(parameters, self.REBUILD, context)
        try:
            workspace = open_plain_workspace(path, self.TABLES)
            problems = verify_registry(workspace)
        except (WorkspaceError, CodesError) as error:
            raise QgsProcessingException(str(error)) from error
        for problem in problems:
            feedback.pushWarning(localized(*registry_problem_text(problem)))
        added = changed = 0
        remaining = problems
        if rebuild and problems:
            try:  # one transaction of the file
                added, changed = rebuild_registry(workspace)
                remaining = verify_registry(workspace)
            except (WorkspaceError, CodesError) as error:
                raise QgsProcessingException(str(error)) from error
            self._written = path
            feedback.pushInfo(
                tr("The code registry gained {added} and corrected {changed} entries.").format(
                    added=added, changed=changed
                )
            )
            for problem in remaining:
                feedback.pushWarning(localized(*registry_problem_text(problem)))
        elif problems:
            feedback.pushInfo(
                tr("{n} disagreements found; nothing was written (run again with Rebuild to repair).").format(
                    n=len(problems)
                )
            )
        else:
            feedback.pushInfo(tr("The code registry agrees with the grids and the change log."))
        workspace.layers.clear()
        return {
            self.PROBLEMS: len(problems),
            self.REMAINING: len(remaining),
            self.ADDED: added,
            self.CHANGED: changed,
        }


# ---------------------------------------------------------------- export a filing package


class ExportFilingPackage(GridAlgorithm):
    NAME = "export_filing_package"
    DISPLAY = "Export filing package"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Writes the workspace as a filing package for the city: a GeoPackage in CGCS2000 (EPSG:4490 unless another "
        "exchange CRS is chosen) with the grid layers, the county boundary, the staff (personal phone numbers "
        "blanked unless included on purpose), optionally the households, the changes since the last filing, the "
        "findings of the latest audit and a metadata table (county, version, author, time, counts, audit summary). "
        "Export is refused while error findings of the latest audit are not accepted, unless an override reason "
        "is given; the reason is recorded in the package and in the workspace. The package is written to a "
        "temporary file, validated and then moved into place, so a failed export leaves a previous package intact.\n\n"
        "Personal data: staff phone numbers are left out unless included, staff names are included unless left "
        "out; what is left out is removed from every table and message of the package (audit findings, remarks, "
        "reasons), not only from the staff table. The notice map and permits are where names and phones are printed."
    )
    WORKSPACE = "WORKSPACE"
    EXCHANGE_CRS = "EXCHANGE_CRS"
    INCLUDE_HOUSEHOLDS = "INCLUDE_HOUSEHOLDS"
    INCLUDE_PHONES = "INCLUDE_PHONES"
    INCLUDE_NAMES = "INCLUDE_NAMES"
    OVERRIDE_REASON = "OVERRIDE_REASON"
    AUTHOR = "AUTHOR"
    VERSION = "VERSION"
    SINCE = "SINCE"
    ALL_CHANGES = "ALL_CHANGES"
    OUTPUT = "OUTPUT"
    GRIDS = "GRIDS"
    CHANGES = "CHANGES"
    BLOCKING = "BLOCKING"
    PACKAGE_VERSION = "PACKAGE_VERSION"
    TABLES = (
        *GRID_TABLES,
        schema.COUNTY_BOUNDARY.name,
        schema.HOUSEHOLDS.name,
        schema.STAFF.name,
        schema.CHANGE_LOG.name,
        schema.AUDIT_FINDINGS.name,
        schema.AUDIT_EXCEPTIONS.name,
    )

    def initAlgorithm(self, config=None):
        self.addParameter(_file_parameter(self.WORKSPACE, tr("Grid workspace")))
        self.addParameter(
            QgsProcessingParameterCrs(self.EXCHANGE_CRS, tr("Exchange CRS"), core.EXCHANGE_CRS, optional=True)
        )
        self.addParameter(QgsProcessingParameterBoolean(self.INCLUDE_HOUSEHOLDS, tr("Include households"), False))
        self.addParameter(QgsProcessingParameterBoolean(self.INCLUDE_PHONES, tr("Include staff phone numbers"), False))
        self.addParameter(QgsProcessingParameterBoolean(self.INCLUDE_NAMES, tr("Include staff names"), True))
        self.addParameter(
            QgsProcessingParameterString(
                self.OVERRIDE_REASON, tr("Override reason (export despite unaccepted error findings)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(self.AUTHOR, tr("Author (default: the QGIS user)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterString(self.VERSION, tr("Version (default: the last version + 1)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.SINCE, tr("Changes since (date, e.g. 2024-03-01; default: since the last filing)"), optional=True
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.ALL_CHANGES, tr("Include the whole change log"), False))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("Filing package"), tr("GeoPackage (*.gpkg)"))
        )
        self.addOutput(QgsProcessingOutputNumber(self.GRIDS, tr("Grids in the package")))
        self.addOutput(QgsProcessingOutputNumber(self.CHANGES, tr("Changes in the package")))
        self.addOutput(QgsProcessingOutputNumber(self.BLOCKING, tr("Unaccepted error findings (overridden)")))
        self.addOutput(QgsProcessingOutputString(self.PACKAGE_VERSION, tr("Package version")))

    def prepareAlgorithm(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        try:
            refuse_unsaved_edits(context.project(), path, self.TABLES)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        self._workspace = path
        return True

    def postProcessAlgorithm(self, context, feedback):
        path = getattr(self, "_workspace", None)
        if path:
            reload_project_layers(context.project(), path, (schema.WORKSPACE_INFO.name,))
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.filing import FilingRefused, export_package

        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        crs = self.parameterAsCrs(parameters, self.EXCHANGE_CRS, context)
        exchange = crs.authid() if crs.isValid() and crs.authid() else core.EXCHANGE_CRS
        since = (self.parameterAsString(parameters, self.SINCE, context) or "").strip() or None
        if since:
            from datetime import datetime

            try:
                datetime.fromisoformat(since)
            except ValueError as error:
                raise QgsProcessingException(
                    tr("{value!r} is not a date (expected e.g. 2024-03-01).").format(value=since)
                ) from error

        def progress(fraction):
            feedback.setProgress(100 * fraction)
            return not feedback.isCanceled()

        try:
            result = export_package(
                path,
                output,
                exchange_crs=exchange,
                include_households=self.parameterAsBool(parameters, self.INCLUDE_HOUSEHOLDS, context),
                include_phones=self.parameterAsBool(parameters, self.INCLUDE_PHONES, context),
                include_names=self.parameterAsBool(parameters, self.INCLUDE_NAMES, context),
                override_reason=self.parameterAsString(parameters, self.OVERRIDE_REASON, context) or "",
                author=self.parameterAsString(parameters, self.AUTHOR, context) or "",
                version=self.parameterAsString(parameters, self.VERSION, context) or None,
                since=since,
                all_changes=self.parameterAsBool(parameters, self.ALL_CHANGES, context),
                progress=progress,
            )
        except FilingRefused as error:
            for row in error.gate.blocking[:20]:
                feedback.reportError(core._finding_label(row))
            raise QgsProcessingException(str(error)) from error
        except (PackageError, WorkspaceError) as error:
            raise QgsProcessingException(str(error)) from error
        meta = result.metadata
        if result.gate.blocked:
            feedback.pushWarning(
                tr("Exported despite {n} unaccepted error finding(s); the override reason is recorded.").format(
                    n=len(result.gate.blocking)
                )
            )
        if not result.gate.audited:
            feedback.pushWarning(tr("The workspace has not been audited; the package carries no audit findings."))
        feedback.pushInfo(
            tr("Wrote {path}: version {version}, {grids} grids, {changes} changes, in {crs} ({seconds:.1f} s).").format(
                path=result.path,
                version=meta.version,
                grids=meta.grids,
                changes=result.changes,
                crs=meta.exchange_crs,
                seconds=result.seconds,
            )
        )
        return {
            self.OUTPUT: str(result.path),
            self.GRIDS: meta.grids,
            self.CHANGES: result.changes,
            self.BLOCKING: len(result.gate.blocking),
            self.PACKAGE_VERSION: meta.version,
        }


# ---------------------------------------------------------------- the city's intake


class MergeCountyPackages(GridAlgorithm):
    NAME = "merge_county_packages"
    DISPLAY = "Merge county packages"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "The city's intake: merges the filing packages of several counties (one package per county) into one city "
        "workspace in a metric CRS (the Gauss-Kruger zone of the packages' centre unless one is chosen) and checks "
        "them together: grid codes used in more than one county, level 1 grids overlapping across a county border, "
        "gaps between counties along their borders, level 1 codes outside their county. The findings are the layer "
        "city_findings of the merged GeoPackage."
    )
    PACKAGES = "PACKAGES"
    CRS = "CRS"
    MIN_AREA = "MIN_AREA"
    BORDER_TOLERANCE = "BORDER_TOLERANCE"
    OUTPUT = "OUTPUT"
    FINDINGS = "FINDINGS"
    FINDING_COUNT = "FINDING_COUNT"
    ERRORS = "ERRORS"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.PACKAGES, tr("County filing packages"), QgsProcessing.SourceType.TypeFile
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs(
                self.CRS, tr("Metric CRS for the checks (default: Gauss-Kruger zone)"), optional=True
            )
        )
        add_city_check_parameters(self)
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("City workspace"), tr("GeoPackage (*.gpkg)"))
        )
        self.addOutput(QgsProcessingOutputVectorLayer(self.FINDINGS, tr("City findings")))
        self.addOutput(QgsProcessingOutputNumber(self.FINDING_COUNT, tr("Findings")))
        self.addOutput(QgsProcessingOutputNumber(self.ERRORS, tr("Error findings")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.intake import merge_packages

        paths = self.parameterAsFileList(parameters, self.PACKAGES, context)
        if not paths:
            paths = [
                layer.source().split("|")[0] for layer in self.parameterAsLayerList(parameters, self.PACKAGES, context)
            ]
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)

        def progress(fraction):
            feedback.setProgress(100 * fraction)
            return not feedback.isCanceled()

        try:
            result = merge_packages(
                paths,
                output,
                crs=crs.authid() if crs.isValid() else None,
                min_area_m2=self.parameterAsDouble(parameters, self.MIN_AREA, context),
                border_tolerance_m=self.parameterAsDouble(parameters, self.BORDER_TOLERANCE, context),
                progress=progress,
            )
        except (PackageError, WorkspaceError) as error:
            raise QgsProcessingException(str(error)) from error
        language = "zh" if prefers_chinese() else "en"
        errors = 0
        for finding in result.findings:
            text = finding.message_zh if language == "zh" else finding.message_en
            if finding.severity.value == "error":
                errors += 1
                feedback.reportError(text)
            else:
                feedback.pushWarning(text)
        feedback.pushInfo(
            tr("Merged {n} counties ({counties}) into {path} in {crs}: {findings} findings, {errors} errors.").format(
                n=len(result.plan.counties),
                counties=", ".join(result.plan.counties),
                path=result.path,
                crs=result.crs,
                findings=len(result.findings),
                errors=errors,
            )
        )
        return {
            self.OUTPUT: str(result.path),
            self.FINDINGS: result.findings_uri,
            self.FINDING_COUNT: len(result.findings),
            self.ERRORS: errors,
        }


class ComparePackages(GridAlgorithm):
    NAME = "compare_packages"
    DISPLAY = "Compare packages"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Compares a filing package with the previous one: grids added, removed, retired, re-coded or reshaped, "
        "matched by code and then by geometry, with areas in m² computed in a metric CRS (the Gauss-Kruger zone "
        "of the packages unless one is chosen). Outputs a layer of the changed grids and a report with the counts "
        "(.html, .json or text, from the file name)."
    )
    BEFORE = "BEFORE"
    AFTER = "AFTER"
    CRS = "CRS"
    TOLERANCE = "TOLERANCE"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    CHANGED = "CHANGED"

    def initAlgorithm(self, config=None):
        self.addParameter(_file_parameter(self.BEFORE, tr("Previous package")))
        self.addParameter(_file_parameter(self.AFTER, tr("New package")))
        self.addParameter(
            QgsProcessingParameterCrs(self.CRS, tr("Metric CRS for areas (default: Gauss-Kruger zone)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOLERANCE,
                tr("Geometry tolerance (m², symmetric difference)"),
                QgsProcessingParameterNumber.Type.Double,
                0.01,
                minValue=0.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Changed grids"), QgsProcessing.SourceType.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.REPORT,
                tr("Report"),
                tr("HTML (*.html);;JSON (*.json);;Text (*.txt)"),
                optional=True,
                createByDefault=False,
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.CHANGED, tr("Changed grids")))
        for kind in DIFF_KINDS:
            label = localized(*DIFF_KINDS[kind])
            self.addOutput(QgsProcessingOutputNumber(kind.upper(), tr("Grids {kind}").format(kind=label)))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.intake import compare_packages, write_report

        before = self.parameterAsFile(parameters, self.BEFORE, context)
        after = self.parameterAsFile(parameters, self.AFTER, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        try:
            comparison = compare_packages(
                before,
                after,
                crs=crs.authid() if crs.isValid() else None,
                tolerance_m2=self.parameterAsDouble(parameters, self.TOLERANCE, context),
            )
        except (PackageError, WorkspaceError) as error:
            raise QgsProcessingException(str(error)) from error
        fields = qgs_fields(schema.PACKAGE_CHANGES)
        sink, dest = self.parameterAsSink(
            parameters,
            self.OUTPUT,
            context,
            fields,
            QgsWkbTypes.Type.MultiPolygon,
            QgsCoordinateReferenceSystem(comparison.after.crs),
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        names = schema.PACKAGE_CHANGES.field_names
        changed = 0
        for attributes, shape in comparison.changed_features():
            if feedback.isCanceled():
                break
            feature = QgsFeature(fields)
            feature.setAttributes([attributes.get(n) for n in names])
            feature.setGeometry(_geometry(shape))
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
            changed += 1
        results = {self.OUTPUT: dest, self.CHANGED: changed}
        results.update({kind.upper(): n for kind, n in comparison.diff.totals().items()})
        report = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report:
            try:
                write_report(comparison, report)
            except (OSError, WorkspaceError) as error:
                raise QgsProcessingException(str(error)) from error
            results[self.REPORT] = report
        feedback.pushInfo(comparison.diff.summary_text("zh" if prefers_chinese() else "en"))
        return results
