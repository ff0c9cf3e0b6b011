"""Processing algorithms that print: the public notice map (公示图) and the grid heads' work permits (工作证)."""

from __future__ import annotations

import datetime as _dt

from qgis.core import (
    Qgis,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..adapters import layouts
from ..adapters.workspace import WorkspaceError, open_workspace
from ..core import permits
from ..i18n import tr
from .base import GridAlgorithm

LANGUAGES = ("zh", "en")
PAPERS = ("A3", "A4")

try:  # QGIS ≥ 3.40 / QGIS 4
    NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
except AttributeError:  # QGIS 3.22
    NO_THREADING = QgsProcessingAlgorithm.Flag.FlagNoThreading

try:  # QGIS ≥ 3.36 / QGIS 4
    DATE_ONLY = Qgis.ProcessingDateTimeParameterDataType.Date
except AttributeError:  # QGIS 3.22
    DATE_ONLY = QgsProcessingParameterDateTime.Type.Date


class PrintAlgorithm(GridAlgorithm):
    """Common parameters and steps of the printing algorithms."""

    GROUP_ID = "publication"
    GROUP = "Publication"
    WORKSPACE = "WORKSPACE"
    AREA = "AREA"
    LEVELS = "LEVELS"
    ISSUER = "ISSUER"
    DATE = "DATE"
    LANGUAGE = "LANGUAGE"
    OUTPUT = "OUTPUT"
    PAGES = "PAGES"
    GRIDS = "GRIDS"
    HEADS = "HEADS"

    def flags(self):
        # Layouts are built and exported in the main thread (they are graphics scenes).
        return super().flags() | NO_THREADING

    def add_common_parameters(self) -> None:
        self.addParameter(QgsProcessingParameterFile(self.WORKSPACE, tr("Grid workspace"), extension="gpkg"))
        self.addParameter(
            QgsProcessingParameterString(
                self.AREA, tr("Township or village: code (9 or 12 digits) or name, e.g. 610902100 or 关庙镇")
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LEVELS,
                tr("Grid levels"),
                options=[
                    tr("Level 1 (villages and communities)"),
                    tr("Level 2 (sections)"),
                    tr("Level 3"),
                    tr("Dedicated grids"),
                ],
                allowMultiple=True,
                defaultValue=[0, 1, 2, 3],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.ISSUER, tr("Issuing unit (default: the township's government or office)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterDateTime(self.DATE, tr("Date (default: today)"), type=DATE_ONLY, optional=True)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LANGUAGE,
                tr("Language of the printed document"),
                options=[tr("Chinese"), tr("English")],
                defaultValue=0,
            )
        )

    def add_outputs(self, output_description: str) -> None:
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, output_description, tr("PDF files (*.pdf)"))
        )
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, tr("Pages")))
        self.addOutput(QgsProcessingOutputNumber(self.GRIDS, tr("Grids")))
        self.addOutput(QgsProcessingOutputNumber(self.HEADS, tr("Grid heads")))

    # ------------------------------------------------------------ steps

    def open(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        try:
            workspace = open_workspace(path)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        data = layouts.read_publication_data(workspace)
        text = self.parameterAsString(parameters, self.AREA, context)
        try:
            scope = permits.resolve_scope(data, text)
        except permits.ScopeError as error:
            raise QgsProcessingException(scope_message(error)) from error
        feedback.pushInfo(
            tr("{county} {township}: {name} ({code})").format(
                county=scope.county_name, township=scope.township_name, name=scope.name, code=scope.code
            )
        )
        return workspace, data, scope

    def levels(self, parameters, context) -> tuple[int, ...]:
        chosen = self.parameterAsEnums(parameters, self.LEVELS, context)
        order = permits.LEVEL_ORDER
        return tuple(order[i] for i in sorted(chosen)) if chosen else order

    def day(self, parameters, context) -> _dt.date:
        value = parameters.get(self.DATE) if isinstance(parameters, dict) else None
        if value in (None, ""):
            return _dt.date.today()
        stamp = self.parameterAsDateTime(parameters, self.DATE, context)
        qdate = stamp.date() if stamp is not None and stamp.isValid() else None
        if qdate is None or not qdate.isValid():
            raise QgsProcessingException(tr("{value} is not a date (use YYYY-MM-DD).").format(value=value))
        return _dt.date(qdate.year(), qdate.month(), qdate.day())

    def language(self, parameters, context) -> str:
        return LANGUAGES[self.parameterAsEnum(parameters, self.LANGUAGE, context)]


def scope_message(error: permits.ScopeError) -> str:
    if error.reason == "empty":
        return tr("Give the code or the name of a township or village.")
    if error.reason == "county":
        return tr("{value} is the whole county; notices and permits are made per township or village.").format(
            value=error.value
        )
    if error.reason == "ambiguous":
        return tr("{value} names several places ({codes}); give the code instead.").format(
            value=error.value, codes=", ".join(error.candidates)
        )
    return tr(
        "{value} is not a township or village of this workspace: give a 9-digit township code, "
        "a 12-digit village code or a name."
    ).format(value=error.value)


class PublicNoticeMap(PrintAlgorithm):
    NAME = "public_notice_map"
    DISPLAY = "Public notice map"
    HELP = (
        "Makes the public notice map of a township or village (网格划分公示图, §7.6 of the standard) as a PDF: "
        "the grids with their codes and names on a map, a table of every grid's head with phone, supervision "
        "phone and duties, the title, the issuing unit and the date. Grids without a head are listed as "
        "vacant. A long table continues on further pages. An offline raster can be put under the grids as a "
        "basemap."
    )
    PAPER = "PAPER"
    BASEMAP = "BASEMAP"

    def initAlgorithm(self, config=None):
        self.add_common_parameters()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PAPER, tr("Paper size"), options=[tr("A3 landscape"), tr("A4 landscape")], defaultValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterRasterLayer(self.BASEMAP, tr("Basemap (an offline raster, optional)"), optional=True)
        )
        self.add_outputs(tr("Public notice map (PDF)"))

    def processAlgorithm(self, parameters, context, feedback):
        workspace, data, scope = self.open(parameters, context, feedback)
        levels = self.levels(parameters, context)
        options = layouts.NoticeOptions(
            paper=PAPERS[self.parameterAsEnum(parameters, self.PAPER, context)],
            issuer=(self.parameterAsString(parameters, self.ISSUER, context) or "").strip(),
            day=self.day(parameters, context),
            language=self.language(parameters, context),
            levels=levels,
            basemap=self.parameterAsRasterLayer(parameters, self.BASEMAP, context),
        )
        grids = permits.grids_in_scope(data, scope, levels)
        if not grids:
            raise QgsProcessingException(
                tr("There are no active grids in {name} ({code}).").format(name=scope.name, code=scope.code)
            )
        vacant = sum(head.vacant for head in permits.grid_heads(data, grids))
        if vacant:
            feedback.pushWarning(
                tr("{count} grids have no grid head yet; the notice lists them as vacant.").format(count=vacant)
            )
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            path, printed = layouts.export_notice(workspace, scope, output, options, data)
        except (layouts.LayoutError, WorkspaceError, OSError) as error:
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(
            tr("Public notice map of {name}: {pages} pages, {grids} grids, {heads} grid heads → {path}").format(
                name=scope.name, pages=printed.pages, grids=printed.grids, heads=printed.heads, path=path
            )
        )
        return {self.OUTPUT: str(path), self.PAGES: printed.pages, self.GRIDS: printed.grids, self.HEADS: printed.heads}


class WorkPermits(PrintAlgorithm):
    NAME = "work_permits"
    DISPLAY = "Work permits"
    HELP = (
        "Makes the work permits (工作证, §11.4 of the standard) of every grid head of a township or village as a "
        "PDF to print and cut: eight cards per A4 page, each with the name, photo (or a place for it), position, "
        "grid, grid code, phone, supervision phone, duties, the issuing unit and the place of its seal. "
        "Photos are read from the staff table's photo field (a path, absolute or relative to the workspace)."
    )

    def initAlgorithm(self, config=None):
        self.add_common_parameters()
        self.add_outputs(tr("Work permits (PDF)"))

    def processAlgorithm(self, parameters, context, feedback):
        workspace, data, scope = self.open(parameters, context, feedback)
        levels = self.levels(parameters, context)
        options = layouts.PermitOptions(
            issuer=(self.parameterAsString(parameters, self.ISSUER, context) or "").strip(),
            day=self.day(parameters, context),
            language=self.language(parameters, context),
            levels=levels,
        )
        grids = permits.grids_in_scope(data, scope, levels)
        if not permits.permit_holders(permits.grid_heads(data, grids)):
            raise QgsProcessingException(
                tr("No grid head of {name} ({code}) is in the staff table.").format(name=scope.name, code=scope.code)
            )
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            path, printed = layouts.export_permits(workspace, scope, output, options, data)
        except (layouts.LayoutError, WorkspaceError, OSError) as error:
            raise QgsProcessingException(str(error)) from error
        for photo in printed.missing_photos:
            feedback.pushWarning(tr("Photo {path} not found; the permit has an empty photo box.").format(path=photo))
        feedback.pushInfo(
            tr("Work permits of {name}: {heads} cards on {pages} pages → {path}").format(
                name=scope.name, heads=printed.heads, pages=printed.pages, path=path
            )
        )
        return {self.OUTPUT: str(path), self.PAGES: printed.pages, self.GRIDS: printed.grids, self.HEADS: printed.heads}
