"""Processing algorithm: import existing grid boundaries into a level of a workspace file."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProject,
)

from ..core import schema
from ..i18n import tr
from .base import GridAlgorithm

LEVELS = (1, 2, 3, schema.LEVEL_DEDICATED)


class ImportGridBoundaries(GridAlgorithm):
    NAME = "import_grid_boundaries"
    DISPLAY = "Import grid boundaries"
    GROUP_ID = "drawing"
    GROUP = "Drawing and import"
    HELP = (
        "Imports polygons from any vector source (Shapefile, GeoPackage, GeoJSON…, in any CRS) into one grid "
        "level of a workspace: the chosen fields give each grid its code, name and parent code; geometries are "
        "reprojected into the workspace CRS. Much Chinese boundary data comes from web maps in GCJ-02 "
        "coordinates, some hundreds of metres off: tick the GCJ-02 option to correct them to WGS84 first. "
        "Features without a polygon, or whose code is already used in the level, are skipped and listed in the log. "
        "The features are written to the file: save or discard edits of that layer in QGIS first."
    )
    INPUT = "INPUT"
    WORKSPACE = "WORKSPACE"
    LEVEL = "LEVEL"
    CODE_FIELD = "CODE_FIELD"
    NAME_FIELD = "NAME_FIELD"
    PARENT_FIELD = "PARENT_FIELD"
    GCJ02 = "GCJ02"
    ADDED = "ADDED"
    SKIPPED = "SKIPPED"

    def initAlgorithm(self, config=None):  # noqa: N802
        polygon_type = getattr(QgsProcessing, "TypeVectorPolygon", None)
        if polygon_type is None:  # QGIS ≥ 3.36
            from qgis.core import Qgis

            polygon_type = Qgis.ProcessingSourceType.VectorPolygon
        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, tr("Boundaries to import"), [polygon_type]))
        self.addParameter(QgsProcessingParameterFile(self.WORKSPACE, tr("Workspace GeoPackage"), extension="gpkg"))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LEVEL,
                tr("Grid level"),
                options=[
                    tr("Level 1 (village/community)"),
                    tr("Level 2 (section)"),
                    tr("Level 3 (group/street/building)"),
                    tr("Dedicated grid"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(self.CODE_FIELD, tr("Code field"), parentLayerParameterName=self.INPUT)
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.NAME_FIELD, tr("Name field"), parentLayerParameterName=self.INPUT, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.PARENT_FIELD, tr("Parent code field"), parentLayerParameterName=self.INPUT, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.GCJ02, tr("Correct GCJ-02 (web map) coordinates to WGS84"), False)
        )
        self.addOutput(QgsProcessingOutputNumber(self.ADDED, tr("Grids imported")))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED, tr("Features skipped")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..adapters.importer import FileWorkspace, ImportFailure, import_boundaries

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("The boundaries to import could not be read."))
        path = self.parameterAsFile(parameters, self.WORKSPACE, context)
        level = LEVELS[self.parameterAsEnum(parameters, self.LEVEL, context)]
        code_field = self.parameterAsString(parameters, self.CODE_FIELD, context)
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        parent_field = self.parameterAsString(parameters, self.PARENT_FIELD, context) or None
        correct = self.parameterAsBool(parameters, self.GCJ02, context)
        self._path = path
        try:
            workspace = FileWorkspace(path)
            result = import_boundaries(
                source,
                workspace,
                level,
                code_field,
                name_field,
                parent_field,
                correct_gcj02=correct,
                commit=True,
                source_name=source.sourceName() if hasattr(source, "sourceName") else tr("input"),
            )
        except ImportFailure as error:
            raise QgsProcessingException(str(error)) from error
        for message in result.skipped:
            feedback.reportError(message, False)
        for message in result.warnings:
            if hasattr(feedback, "pushWarning"):  # QGIS ≥ 3.16.3
                feedback.pushWarning(message)
            else:
                feedback.reportError(message, False)
        feedback.pushInfo(
            tr("Imported {added} grids into {layer} of {path}.").format(
                added=result.added, layer=schema.GRID_LAYER_BY_LEVEL[level].name, path=path
            )
        )
        return {self.ADDED: result.added, self.SKIPPED: len(result.skipped)}

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        """Layers of the same file open in the project show the imported grids."""
        path = getattr(self, "_path", None)
        if path:
            for layer in QgsProject.instance().mapLayers().values():
                if layer.source().split("|")[0] == path and hasattr(layer, "reload"):
                    layer.reload()
                    layer.triggerRepaint()
        return {}
