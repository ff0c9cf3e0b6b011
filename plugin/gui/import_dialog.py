"""The dock's "Import grid boundaries…" dialog: a layer or a file, field mapping, level, GCJ-02 option."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsMapLayerProxyModel, QgsProject, QgsVectorLayer
from qgis.gui import QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from ..adapters.editing import EditFailure
from ..adapters.importer import ImportFailure, import_boundaries
from ..core import schema
from ..i18n import tr
from .session import slot_guard

LEVELS = (1, 2, 3, schema.LEVEL_DEDICATED)
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
        self.setWindowTitle(tr("Import grid boundaries"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.layer_combo = QgsMapLayerComboBox(self)
        self.layer_combo.setFilters(_polygon_filter())
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setExceptedLayerList(list(session.workspace.layers.values()))
        self.file_widget = QgsFileWidget(self)
        self.file_widget.setFilter(tr(VECTOR_FILTER))
        self.file_widget.fileChanged.connect(self._file_chosen)
        self.code_combo = QgsFieldComboBox(self)
        self.name_combo = QgsFieldComboBox(self)
        self.name_combo.setAllowEmptyFieldName(True)
        self.parent_combo = QgsFieldComboBox(self)
        self.parent_combo.setAllowEmptyFieldName(True)
        self.level_combo = QComboBox(self)
        for level in LEVELS:
            self.level_combo.addItem(
                {
                    1: tr("Level 1 (village/community)"),
                    2: tr("Level 2 (section)"),
                    3: tr("Level 3 (group/street/building)"),
                    0: tr("Dedicated grid"),
                }[level],
                level,
            )
        self.gcj_check = QCheckBox(tr("Correct GCJ-02 (web map) coordinates to WGS84"), self)
        self.gcj_check.setToolTip(
            tr(
                "Boundaries traced from Amap, Tencent or other Chinese web maps are in GCJ-02, some hundreds of metres off."
            )
        )
        form.addRow(tr("Layer"), self.layer_combo)
        form.addRow(tr("…or file"), self.file_widget)
        form.addRow(tr("Code field"), self.code_combo)
        form.addRow(tr("Name field"), self.name_combo)
        form.addRow(tr("Parent code field"), self.parent_combo)
        form.addRow(tr("Into level"), self.level_combo)
        layout.addLayout(form)
        layout.addWidget(self.gcj_check)
        note = QLabel(
            tr("The grids are added to the workspace layer as one edit that you can undo; save the layer to keep them.")
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
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
