"""Processing: propose the level 3 division of level 2 grids automatically, preview it, accept it."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..adapters.division_store import (
    PREVIEW_FIELDS,
    DivisionStoreError,
    division_inputs,
    plan_division,
    preview_rows,
    write_acceptance,
)
from ..adapters.editing import to_qgs
from ..adapters.plain_workspace import open_plain_workspace, refuse_unsaved_edits, reload_project_layers
from ..adapters.qgis_compat import variant_type
from ..adapters.workspace import WorkspaceError
from ..core import schema
from ..core.division import DivisionCancelled
from ..i18n import prefers_chinese, tr
from .base import GridAlgorithm

TABLES = (schema.GRID_LEVEL3.name, schema.CODE_REGISTRY.name, schema.CHANGE_LOG.name)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace("，", ",").replace(";", ",").split(",") if c.strip()]


class ProposeDivision(GridAlgorithm):
    NAME = "propose_division"
    DISPLAY = "Propose the level 3 division"
    GROUP_ID = "households"
    GROUP = "Households, size and staff"
    HELP = (
        "Divides level 2 grids into level 3 grids automatically by the standard's size rules (§7.3.3): 30–50 "
        "households per rural grid, 50–80 per urban grid (the workspace's rules), each grid an edge-connected "
        "polygon, all of them partitioning their parent exactly. Boundaries follow the given lines (roads, rivers, "
        "ridges, walls) where a cut along them keeps the grids in range; elsewhere a straight cut half-way "
        "between two households. A relocation site of 40 households or more stands alone (§7.3.3 g); a smaller "
        "one stays with its group (f). Grids whose codes are listed as locked are kept; the rest of their parent is "
        "divided again.\n\n"
        "Households are the workspace's household points (one household each, persons from 'persons'). A "
        "household on a shared boundary counts in the grid that comes first west to east, north to south (the "
        "one that gets the lowest code).\n\n"
        "The output is a preview layer: each grid's households, persons, status (within, under, over, relocation "
        "site, locked), the rule it meets or why it cannot, and its compactness (Polsby–Popper). Each proposal is "
        "audited first; a parent whose proposal would carry a finding the present drawing does not is not offered. "
        "Nothing is written unless 'accept' is on: then, in one transaction, the parents' present level 3 grids "
        "(not locked) are retired, the proposed grids added with codes allocated by the workspace's code rule "
        "(west to east, north to south), and the change log and the code registry updated."
    )

    WORKSPACE = "WORKSPACE"
    PARENTS = "PARENTS"
    LINES = "LINES"
    SITES = "SITES"
    SITE_HOUSEHOLDS = "SITE_HOUSEHOLDS"
    LOCKED = "LOCKED"
    SEED = "SEED"
    ACCEPT = "ACCEPT"
    OUTPUT = "OUTPUT"
    GRIDS = "GRIDS"
    WITHIN = "WITHIN"
    REFUSED = "REFUSED"
    WRITTEN = "WRITTEN"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterFile(
                self.WORKSPACE, tr("Grid workspace (GeoPackage)"), QgsProcessingParameterFile.Behavior.File, "gpkg"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.PARENTS,
                tr("Codes of the level 2 grids to divide (comma-separated; blank: all)"),
                "",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.LINES,
                tr("Lines the boundaries should follow (roads, rivers, ridges, walls)"),
                QgsProcessing.SourceType.TypeVectorLine,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.SITES,
                tr("Relocation sites (points or polygons)"),
                [QgsProcessing.SourceType.TypeVectorPoint, QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.SITE_HOUSEHOLDS,
                tr("Relocation sites: household count field (points)"),
                None,
                self.SITES,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(self.LOCKED, tr("Codes of level 3 grids to keep (locked)"), "", optional=True)
        )
        self.addParameter(QgsProcessingParameterNumber(self.SEED, tr("Seed"), defaultValue=0, minValue=0))
        self.addParameter(
            QgsProcessingParameterBoolean(self.ACCEPT, tr("Accept: write the proposal into the workspace"), False)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Proposed level 3 grids (preview)"), QgsProcessing.SourceType.TypeVectorPolygon
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.GRIDS, tr("Proposed grids")))
        self.addOutput(QgsProcessingOutputNumber(self.WITHIN, tr("Proposed grids within the size range")))
        self.addOutput(QgsProcessingOutputNumber(self.REFUSED, tr("Parents not offered")))
        self.addOutput(QgsProcessingOutputNumber(self.WRITTEN, tr("Grids written")))

    def prepareAlgorithm(self, parameters, context, feedback):
        self._written = None
        if self.parameterAsBool(parameters, self.ACCEPT, context):
            path = self.parameterAsFile(parameters, self.WORKSPACE, context)
            try:
                refuse_unsaved_edits(context.project(), path, TABLES)
            except WorkspaceError as error:
                raise QgsProcessingException(str(error)) from error
        return True

    def postProcessAlgorithm(self, context, feedback):
        if getattr(self, "_written", None):
            reload_project_layers(context.project(), self._written, TABLES)
        return {}

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.filing import current_user

        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        try:
            workspace = open_plain_workspace(path)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        crs = workspace.crs
        source = self.parameterAsSource(parameters, self.SITES, context)
        lines, sites, site_households = division_inputs(
            crs,
            context.transformContext(),
            self.parameterAsLayerList(parameters, self.LINES, context),
            source,
            self.parameterAsString(parameters, self.SITE_HOUSEHOLDS, context) if source is not None else "",
        )
        chinese = prefers_chinese()

        def progress(fraction, label):
            feedback.setProgress(80.0 * fraction)

        try:
            plan = plan_division(
                workspace,
                _codes(self.parameterAsString(parameters, self.PARENTS, context)),
                lines=lines,
                sites=sites,
                site_households=site_households,
                lock_codes=_codes(self.parameterAsString(parameters, self.LOCKED, context)),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                progress=progress,
                is_cancelled=feedback.isCanceled,
            )
        except DivisionCancelled as error:
            raise QgsProcessingException(tr("Cancelled.")) from error
        except DivisionStoreError as error:
            raise QgsProcessingException(str(error)) from error
        for job, error in zip(plan.jobs, plan.errors):
            if error is not None:
                text = error.message_zh if chinese else str(error)
                feedback.reportError(tr("{parent}: {problem}").format(parent=job.label, problem=text), False)
        for job, prop in zip(plan.jobs, plan.proposals):
            if prop is None:
                continue
            for note in prop.notes:
                feedback.pushWarning(
                    tr("{parent}: {problem}").format(
                        parent=job.label, problem=note.message_zh if chinese else note.message_en
                    )
                )
        for code, findings in plan.refused.items():
            for f in findings:
                feedback.reportError(
                    tr("{parent}: not offered, the audit found: {problem}").format(
                        parent=code, problem=f.message_zh if chinese else f.message_en
                    ),
                    False,
                )

        fields = QgsFields()
        for name, kind in PREVIEW_FIELDS:
            fields.append(QgsField(name, variant_type(kind)))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        rows = preview_rows(plan, chinese)
        for values, geom in rows:
            feature = QgsFeature(fields)
            feature.setAttributes([values[name] for name, _ in PREVIEW_FIELDS])
            feature.setGeometry(to_qgs(geom))
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        within = int(sum(np.count_nonzero(p.status == "within") for p in plan.proposals if p is not None))
        feedback.pushInfo(
            tr("{n} grids proposed in {parents} parents, {within} within the size range.").format(
                n=len(rows), parents=sum(p is not None for p in plan.proposals), within=within
            )
        )
        written = 0
        if self.parameterAsBool(parameters, self.ACCEPT, context):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            try:
                acc = write_acceptance(workspace, plan, current_user())
            except DivisionStoreError as error:
                raise QgsProcessingException(str(error)) from error
            written = len(acc.rows)
            self._written = path
            feedback.pushInfo(
                tr("Wrote {n} grids with codes {first}…{last}; {retired} grids retired; {log} change log rows.").format(
                    n=written,
                    first=acc.codes[0] if acc.codes else "",
                    last=acc.codes[-1] if acc.codes else "",
                    retired=len(acc.retire),
                    log=len(acc.records),
                )
            )
        else:
            feedback.pushInfo(tr("Nothing was written (accept is off): this is a preview."))
        feedback.setProgress(100)
        return {
            self.OUTPUT: dest,
            self.GRIDS: len(rows),
            self.WITHIN: within,
            self.REFUSED: len(plan.refused),
            self.WRITTEN: written,
        }
