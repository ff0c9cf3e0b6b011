"""The dock's "Import grid boundaries…" dialog: a layer or a file, field mapping, level, GCJ-02 option."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsMapLayerProxyModel, QgsProject, QgsVectorLayer
from qgis.PyQt.QtWidgets import QDialog

from ..adapters.editing import EditFailure
from ..adapters.importer import ImportFailure, import_boundaries
from ..core import schema
from ..i18n import tr
from .forms import load_form
from .session import slot_guard

LEVELS = (1, 2, 3, schema.LEVEL_DEDICATED)  # the entries of "Into level", in ui/import_dialog.ui
VECTOR_FILTER = "Vector files (*.shp *.gpkg *.geojson *.json *.kml *.gml *.tab *.mif);;All files (*)"


def _polygon_filter():
    filters = getattr(QgsMapLayerProxyModel, "Filter", QgsMapLayerProxyModel)
    value = getattr(filters, "PolygonLayer", None)
    if value is None:  # QGIS ≥ 3.34
        value = Qgis.LayerFilter.PolygonLayer
    return value


class ImportDialog(QDialog):
    def __init__(self, iface, session, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.session = session
        self.file_layer: QgsVectorLayer | None = None
        self.ui = load_form("import_dialog")()
        self.ui.setupUi(self)  # ui/import_dialog.ui (object name CommunityGridsImportDialog)
        ui = self.ui
        self.layer_combo, self.file_widget, self.level_combo, self.gcj_check = (
            ui.layer_combo,
            ui.file_widget,
            ui.level_combo,
            ui.gcj_check,
        )
        self.code_combo, self.name_combo, self.parent_combo = ui.code_combo, ui.name_combo, ui.parent_combo
        self.layer_combo.setFilters(_polygon_filter())
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setExceptedLayerList(list(session.workspace.layers.values()))
        self.file_widget.setFilter(tr(VECTOR_FILTER))
        self.file_widget.fileChanged.connect(self._file_chosen)
        for index, level in enumerate(LEVELS):  # the entries of ui/import_dialog.ui, in this order
            self.level_combo.setItemData(index, level)
        ui.buttons.accepted.connect(self.run)
        self.layer_combo.layerChanged.connect(self._layer_changed)
        self._layer_changed(self.layer_combo.currentLayer())

    def source_layer(self):
        return self.file_layer or self.layer_combo.currentLayer()

    @slot_guard
    def _file_chosen(self, path: str) -> None:
        self.file_layer = None
        if path:
            layer = QgsVectorLayer(path, Path(path).stem, "ogr")
            if layer.isValid():
                self.file_layer = layer
            elif Path(path.partition("|")[0]).is_file():  # it exists: GDAL's reason, not "not found"
                from ..adapters.gdal_compat import open_failure

                self.session.report(
                    tr("{path} exists but cannot be read as a vector file: {error}").format(
                        path=path, error=open_failure(path.partition("|")[0]) or layer.error().summary()
                    )
                )
            else:
                self.session.report(tr("{path} does not exist.").format(path=path))
        self._set_fields(self.source_layer())

    @slot_guard
    def _layer_changed(self, layer) -> None:
        if layer is not None:
            self.file_layer = None
        self._set_fields(self.source_layer())

    def _set_fields(self, layer) -> None:
        for combo in (self.code_combo, self.name_combo, self.parent_combo):
            combo.setLayer(layer)
        if layer is None:
            return
        names = [n.lower() for n in layer.fields().names()]
        for combo, guesses in (
            (self.code_combo, ("code", "code12", "adcode", "bm", "wgbm", "dm")),
            (self.name_combo, ("name", "mc", "wgmc", "名称")),
            (self.parent_combo, ("parent_code", "parent", "sjbm")),
        ):
            for guess in guesses:
                if guess in names:
                    combo.setField(layer.fields().names()[names.index(guess)])
                    break

    @slot_guard
    def run(self) -> None:
        layer = self.source_layer()
        if layer is None:
            self.session.report(tr("Choose a layer or a file to import."))
            return
        level = self.level_combo.currentData()
        try:
            result = import_boundaries(
                layer,
                self.session.workspace,
                level,
                self.code_combo.currentField(),
                self.name_combo.currentField() or None,
                self.parent_combo.currentField() or None,
                correct_gcj02=self.gcj_check.isChecked(),
                commit=False,
            )
        except (ImportFailure, EditFailure) as error:
            self.session.report(str(error))
            return
        except Exception as error:  # noqa: BLE001
            self.session.report_exception(error)
            return
        for message in result.skipped + result.warnings:
            self.session.report(message, Qgis.MessageLevel.Warning)
        self.session.report(
            tr("Imported {count} grids from {layer} into {target}.").format(
                count=result.added, layer=layer.name(), target=self.session.editor.layer(level).name()
            ),
            Qgis.MessageLevel.Success,
        )
        self.session.changed()
        if self.file_layer is not None and QgsProject.instance().mapLayer(self.file_layer.id()) is None:
            self.file_layer = None
        self.accept()
