"""Processing: audit a grid workspace (or loose grid layers) — topology, nesting, coverage, codes, size, staffing."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..adapters.audit_store import (
    AuditStoreError,
    check_crs,
    check_geometry_type,
    findings_fields,
    iter_finding_features,
    read_boundary,
    read_exceptions_file,
    read_grid_layer,
    read_grid_source,
    write_findings_file,
)
from ..adapters.layer_edits import read_rows
from ..adapters.messages import finding_message, localized
from ..adapters.plain_workspace import open_plain_workspace, refuse_unsaved_edits, reload_project_layers
from ..adapters.rules_store import RulesError, load_rules
from ..adapters.workspace import WorkspaceError
from ..core import schema
from ..core.audit import AuditCancelled, Tolerances
from ..core.coderule import CodeRule, CodeRuleError
from ..core.findings import Severity
from ..core.model import WorkspaceData
from ..core.workspace_audit import audit_workspace, write_html_report, write_json_report
from ..i18n import tr
from .base import GridAlgorithm

# (parameter, Tolerances field)
TOLERANCES = (
    ("NOISE_AREA", "noise_area"),
    ("NOISE_WIDTH", "noise_width"),
    ("SLIVER_AREA", "sliver_area"),
    ("SLIVER_WIDTH", "sliver_width"),
    ("TINY_GRID_AREA", "tiny_grid_area"),
    ("THIN_GRID_WIDTH", "thin_grid_width"),
)
LOG_LIMIT = 50  # findings written to the log one by one


class AuditWorkspace(GridAlgorithm):
    NAME = "audit_workspace"
    DISPLAY = "Audit grid workspace"
    GROUP_ID = "audit"
    GROUP = "Audit"
    HELP = (
        "Checks a grid workspace against the standard: each grid's geometry (null, not a polygon, invalid, "
        "several parts, holes, tiny or thin), overlaps within a level, gaps and parts beyond the parent between "
        "levels (level 3 in level 2 in level 1, dedicated grids in one village), coverage of the county "
        "boundary, grid codes, the size rules of §7.3.3 (the workspace's own thresholds) and staffing "
        "(§8.1, §8.2).\n\n"
        "Input: a workspace GeoPackage, or separate polygon layers for the levels (each optional; a layer given "
        "here replaces the workspace's layer of that level). Layers need a 'code' field and a projected CRS in "
        "metres, all the same. Size rules are checked when the level 3 grids have household counts, staffing "
        "when a workspace (with its staff register) is given.\n\n"
        "Code rule: the rule the codes follow, e.g. village12+2+3 (12-digit village code + 2 digits per section "
        "+ 3 per group, the default) or village12+3+3. Empty: the workspace's rule; for loose layers without a "
        "workspace, the rule the codes' widths per level follow, stated in the findings and the reports.\n\n"
        "Tolerances: pieces at or below the noise thresholds come from rounding and are never reported; gaps and "
        "overlaps below the sliver area are reported as slivers (warnings); larger ones as gaps and overlaps "
        "(errors) whatever their shape, labelled strip-shaped when thinner than the sliver width.\n\n"
        "Outputs: the findings as a polygon layer (the schema's audit_findings fields), a JSON report and a "
        "bilingual HTML report with a summary by rule and by township and village. Findings accepted as "
        "exceptions in the workspace (audit_exceptions) stay accepted while their geometry is unchanged. With "
        "'Write findings to the workspace' the workspace's audit_findings table is replaced by this run's."
    )

    WORKSPACE = "WORKSPACE"
    LEVEL1 = "LEVEL1"
    LEVEL2 = "LEVEL2"
    LEVEL3 = "LEVEL3"
    DEDICATED = "DEDICATED"
    COUNTY_BOUNDARY = "COUNTY_BOUNDARY"
    CODE_RULE = "CODE_RULE"
    CHECK_SIZES = "CHECK_SIZES"
    CHECK_STAFFING = "CHECK_STAFFING"
    WRITE_TO_WORKSPACE = "WRITE_TO_WORKSPACE"
    FINDINGS = "FINDINGS"
    JSON = "JSON"
    HTML = "HTML"

    RUN_ID = "RUN_ID"
    FINDINGS_COUNT = "FINDINGS_COUNT"
    ERRORS = "ERRORS"
    WARNINGS = "WARNINGS"
    INFOS = "INFOS"
    BLOCKING = "BLOCKING"
    ACCEPTED = "ACCEPTED"

    LAYER_PARAMETERS = (
        (LEVEL1, schema.GRID_LEVEL1),
        (LEVEL2, schema.GRID_LEVEL2),
        (LEVEL3, schema.GRID_LEVEL3),
        (DEDICATED, schema.GRID_DEDICATED),
    )
    WRITTEN_TABLES = (schema.AUDIT_FINDINGS.name,)

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFile(
                self.WORKSPACE,
                tr("Grid workspace (GeoPackage)"),
                QgsProcessingParameterFile.Behavior.File,
                "gpkg",
                optional=True,
            )
        )
        for name, label in (
            (self.LEVEL1, tr("Level 1 grids (villages and communities)")),
            (self.LEVEL2, tr("Level 2 grids (sections)")),
            (self.LEVEL3, tr("Level 3 grids (groups, streets, buildings)")),
            (self.DEDICATED, tr("Dedicated grids")),
            (self.COUNTY_BOUNDARY, tr("County boundary")),
        ):
            self.addParameter(
                QgsProcessingParameterFeatureSource(name, label, [QgsProcessing.SourceType.TypeVector], optional=True)
            )
        self.addParameter(
            QgsProcessingParameterString(
                self.CODE_RULE,
                tr("Code rule (e.g. village12+3+3; empty: the workspace's, or inferred from the codes)"),
                "",
                optional=True,
            )
        )
        defaults = Tolerances()
        labels = (
            tr("Noise area (m²): smaller pieces are rounding noise, never reported"),
            tr("Noise width (m): thinner pieces are rounding noise, never reported"),
            tr("Sliver area (m²): smaller gaps and overlaps are slivers (warnings), larger ones errors"),
            tr("Sliver width (m): thinner gaps and overlaps are labelled strip-shaped"),
            tr("Tiny grid area (m²): smaller grids are reported as tiny"),
            tr("Thin grid width (m): narrower grids are reported as thin"),
        )
        for (name, attribute), label in zip(TOLERANCES, labels):
            self.addParameter(
                QgsProcessingParameterNumber(
                    name, label, QgsProcessingParameterNumber.Type.Double, getattr(defaults, attribute), False, 0.0
                )
            )
        self.addParameter(
            QgsProcessingParameterBoolean(self.CHECK_SIZES, tr("Check the size rules of level 3 grids"), True)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.CHECK_STAFFING, tr("Check staffing (workspace only)"), True)
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.WRITE_TO_WORKSPACE,
                tr("Write findings to the workspace (replaces the previous run's findings)"),
                False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.FINDINGS,
                tr("Audit findings"),
                QgsProcessing.SourceType.TypeVectorPolygon,
                optional=True,
                createByDefault=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.JSON, tr("JSON report"), tr("JSON files (*.json)"), optional=True, createByDefault=False
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.HTML, tr("HTML report"), tr("HTML files (*.html)"), optional=True, createByDefault=False
            )
        )
        self.addOutput(QgsProcessingOutputString(self.RUN_ID, tr("Audit run")))
        for name, label in (
            (self.FINDINGS_COUNT, tr("Findings")),
            (self.ERRORS, tr("Errors")),
            (self.WARNINGS, tr("Warnings")),
            (self.INFOS, tr("Notes")),
            (self.BLOCKING, tr("Errors not accepted (blocking filing)")),
            (self.ACCEPTED, tr("Findings accepted as exceptions")),
        ):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    # ------------------------------------------------------------ main thread

    def prepareAlgorithm(self, parameters, context, feedback):
        """Main thread: refuse to write over unsaved edits of the project's audit findings layer."""
        self._written = None
        if self.parameterAsBool(parameters, self.WRITE_TO_WORKSPACE, context):
            path = self.parameterAsFile(parameters, self.WORKSPACE, context)
            if path:
                try:
                    refuse_unsaved_edits(context.project(), path, self.WRITTEN_TABLES)
                except WorkspaceError as error:
                    raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        if getattr(self, "_written", None):
            reload_project_layers(context.project(), self._written, self.WRITTEN_TABLES)
        return {}

    # ------------------------------------------------------------ the run

    def processAlgorithm(self, parameters, context, feedback):
        try:
            tolerances = Tolerances(
                **{attr: self.parameterAsDouble(parameters, name, context) for name, attr in TOLERANCES}
            )
        except ValueError as error:
            raise QgsProcessingException(tr("The tolerances cannot be used: {error}").format(error=error)) from error
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        write = self.parameterAsBool(parameters, self.WRITE_TO_WORKSPACE, context)
        try:
            data, crs, origin = self._read(parameters, context, feedback, path)
        except (AuditStoreError, WorkspaceError) as error:
            raise QgsProcessingException(str(error)) from error
        for line in origin:
            feedback.pushInfo(line)
        code_rule = (self.parameterAsString(parameters, self.CODE_RULE, context) or "").strip()
        if code_rule:
            try:
                CodeRule.parse(code_rule)
            except CodeRuleError as error:
                raise QgsProcessingException(tr("The code rule cannot be used: {error}").format(error=error)) from error
            data.info.code_rule = code_rule
            feedback.pushInfo(tr("Codes are checked with the code rule {rule}.").format(rule=code_rule))
        elif not path:
            # loose layers: no workspace rule, the engine infers it from the codes' widths
            data.info.code_rule = ""

        exceptions, size_rules = {}, None
        check_sizes = self.parameterAsBool(parameters, self.CHECK_SIZES, context)
        check_staffing = self.parameterAsBool(parameters, self.CHECK_STAFFING, context)
        if path:
            try:
                exceptions = read_exceptions_file(path)
            except AuditStoreError as error:
                raise QgsProcessingException(str(error)) from error
            if check_sizes:
                try:
                    size_rules = load_rules(path)
                except RulesError as error:
                    raise QgsProcessingException(str(error)) from error
        else:
            if check_staffing:
                feedback.pushInfo(tr("No workspace: staffing was not checked (it needs the staff register)."))
            check_staffing = False
            if write:
                feedback.reportError(tr("No workspace is given: the findings were not written anywhere."), False)
                write = False
        level3 = data.grid(3)
        if check_sizes and len(level3) and not ({"households", "population"} & set(level3.attributes)):
            feedback.pushInfo(
                tr("Level 3 grids without 'households' or 'population' fields: the size rules were not checked.")
            )
            check_sizes = False

        def progress(fraction: float, text: str) -> None:
            feedback.setProgress(100.0 * fraction)
            feedback.setProgressText(localized(*_split(text)))

        try:
            result = audit_workspace(
                data,
                tolerances,
                size_rules,
                progress,
                feedback.isCanceled,
                exceptions,
                check_sizes=check_sizes,
                check_staffing=check_staffing,
            )
        except AuditCancelled as error:
            raise QgsProcessingException(tr("Cancelled.")) from error

        self._log(result, feedback)
        results = {
            self.RUN_ID: result.run_id,
            self.FINDINGS_COUNT: len(result.findings),
            self.ERRORS: result.counts_by_severity.get("error", 0),
            self.WARNINGS: result.counts_by_severity.get("warning", 0),
            self.INFOS: result.counts_by_severity.get("info", 0),
            self.BLOCKING: result.blocking_count,
            self.ACCEPTED: result.accepted_count,
        }
        fields = findings_fields()
        sink, dest_id = self.parameterAsSink(
            parameters, self.FINDINGS, context, fields, QgsWkbTypes.Type.MultiPolygon, crs
        )
        if sink is not None:
            for feature in iter_finding_features(result, fields):
                if not sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert):
                    raise QgsProcessingException(self.writeFeatureError(sink, parameters, self.FINDINGS))
            results[self.FINDINGS] = dest_id
        divisions = data.divisions
        for key, writer in ((self.JSON, write_json_report), (self.HTML, None)):
            target = self.parameterAsFileOutput(parameters, key, context)
            if not target:
                continue
            try:
                if writer is None:
                    write_html_report(result, target, divisions=divisions)
                else:
                    writer(result, target)
            except (OSError, ValueError) as error:
                raise QgsProcessingException(
                    tr("Could not write {path}: {error}").format(path=target, error=error)
                ) from error
            results[key] = target
            feedback.pushInfo(tr("Report written to {path}.").format(path=target))
        if write:
            try:
                n = write_findings_file(path, result)
            except AuditStoreError as error:
                raise QgsProcessingException(str(error)) from error
            self._written = path
            feedback.pushInfo(
                tr("{n} findings of run {run} written to the workspace's audit findings.").format(
                    n=n, run=result.run_id
                )
            )
        feedback.setProgress(100)
        return results

    # ------------------------------------------------------------ reading

    def _read(self, parameters, context, feedback, path):
        """The data to audit, its CRS and lines saying where each layer came from."""
        notes = []
        workspace = None
        grids = {}
        county = None
        staff, divisions = [], []
        info = schema.WorkspaceInfo(county_code="", county_name="", crs="")
        crs = None
        crs_from = ""
        if path:
            workspace = open_plain_workspace(path)
            info = workspace.info
            crs = workspace.crs
            crs_from = workspace.layers[schema.GRID_LEVEL1.name].name()
            check_crs(crs, str(path))
            staff = read_rows(workspace.layers[schema.STAFF.name])
            divisions = read_rows(workspace.layers[schema.DIVISIONS.name])
        given = {}
        for name, layer_def in (*self.LAYER_PARAMETERS, (self.COUNTY_BOUNDARY, schema.COUNTY_BOUNDARY)):
            if parameters.get(name) in (None, ""):
                continue
            source = self.parameterAsSource(parameters, name, context)
            if source is None:
                raise QgsProcessingException(self.invalidSourceError(parameters, name))
            label = source.sourceName() or name
            check_geometry_type(source.wkbType(), source.featureCount(), label, name == self.COUNTY_BOUNDARY)
            check_crs(source.sourceCrs(), label)
            if crs is None:
                crs, crs_from = source.sourceCrs(), label
            elif source.sourceCrs() != crs:
                raise AuditStoreError(
                    tr(
                        "Layer {layer} is in {crs}, but the audit runs in {audit_crs} (of {other}); reproject it "
                        "to that CRS first."
                    ).format(layer=label, crs=source.sourceCrs().authid(), audit_crs=crs.authid(), other=crs_from)
                )
            given[name] = (source, label, layer_def)
        if workspace is None and not given:
            raise QgsProcessingException(tr("Nothing to audit: give a grid workspace or at least one grid layer."))
        if not info.crs and crs is not None:
            info.crs = crs.authid()

        def iterate(source):
            flag = QgsProcessingFeatureSource.Flag.FlagSkipGeometryValidityChecks
            return lambda request: source.getFeatures(request, flag)

        for name, layer_def in self.LAYER_PARAMETERS:
            if name in given:
                source, label, _ = given[name]
                grids[layer_def.name] = read_grid_source(
                    iterate(source),
                    source.fields(),
                    source.wkbType(),
                    source.featureCount(),
                    label,
                    layer_def.level,
                    layer_def.name,
                    feedback,
                )
                count = len(grids[layer_def.name])
                notes.append(
                    tr("{what}: layer {layer} ({n} features).").format(
                        what=_level_label(layer_def), layer=label, n=count
                    )
                )
                if count == 0:
                    feedback.reportError(
                        tr("Layer {layer} is empty: it has no grids to audit.").format(layer=label), False
                    )
            elif workspace is not None:
                grids[layer_def.name] = read_grid_layer(
                    workspace.layers[layer_def.name], layer_def.level, layer_def.name
                )
        if self.COUNTY_BOUNDARY in given:
            source, label, _ = given[self.COUNTY_BOUNDARY]
            county = read_boundary(iterate(source), source.wkbType(), source.featureCount(), label)
            if county is None:
                feedback.reportError(
                    tr("Layer {layer} has no boundary polygon: county coverage is not checked.").format(layer=label),
                    False,
                )
        elif workspace is not None:
            layer = workspace.layers[schema.COUNTY_BOUNDARY.name]
            county = read_boundary(layer.getFeatures, layer.wkbType(), layer.featureCount(), layer.name())
        if workspace is not None:
            notes.insert(0, tr("Workspace {path} ({county}).").format(path=path, county=info.county_name))
        data = WorkspaceData(info=info, grids=grids, county_boundary=county, staff=staff, divisions=divisions)
        if workspace is not None and not any(name in given for name, _ in self.LAYER_PARAMETERS):
            # the workspace's own grids: its code registry is checked against them and the change log
            data.code_registry = read_rows(workspace.layers[schema.CODE_REGISTRY.name])
            data.change_log = read_rows(workspace.layers[schema.CHANGE_LOG.name])
        return data, crs, notes

    def _log(self, result, feedback) -> None:
        counts = result.counts_by_severity
        feedback.pushInfo(
            tr("Audit run {run}: {errors} errors, {warnings} warnings, {infos} notes; {accepted} accepted.").format(
                run=result.run_id,
                errors=counts.get("error", 0),
                warnings=counts.get("warning", 0),
                infos=counts.get("info", 0),
                accepted=result.accepted_count,
            )
        )
        rules = result.rule_by_id
        for rule_id, n in result.counts_by_rule.items():
            rule = rules.get(rule_id)
            title = localized(rule.title_zh, rule.title_en) if rule else rule_id
            feedback.pushInfo(f"  {rule_id}: {n} — {title}")
        for finding in result.findings[:LOG_LIMIT]:
            text = finding_message(finding)
            if finding.accepted:
                text = tr("{message} (accepted: {reason})").format(message=text, reason=finding.accepted_reason)
            if finding.severity is Severity.ERROR and not finding.accepted:
                feedback.reportError(text, False)
            else:
                feedback.pushInfo(text)
        if len(result.findings) > LOG_LIMIT:
            feedback.pushInfo(
                tr("… and {n} more findings (see the findings layer and the reports).").format(
                    n=len(result.findings) - LOG_LIMIT
                )
            )


def _split(text: str) -> tuple[str, str]:
    """The engine's "中文 / English" stage labels as (zh, en)."""
    zh, _, en = text.partition(" / ")
    return zh, en or zh


def _level_label(layer_def: schema.LayerDef) -> str:
    return localized(layer_def.title_zh, layer_def.title_en)
