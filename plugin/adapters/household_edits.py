"""Attach household counts to a workspace's grids: read the source, run the core, write the totals back.

The rules (which grid takes a point, boundary points, outside points, roll-up) are the core's, stated in
:mod:`plugin.core.households`. This module only

* reads the household source — a point layer (households or building points) in any CRS, transformed to
  the workspace CRS by the feature iterator, or a table — with a field mapping checked against the source;
* reads the level 1–3 grids from their layers, edit buffers included;
* writes ``households``, ``population`` and ``relocated_households`` into each grid layer's edit buffer as
  one undoable edit command per layer (only values that change; retired grids are left alone), so one
  undo per layer takes the attachment back; :meth:`TotalsEdit.commit` saves it to the file;
* or (Processing) :func:`write_totals_file` writes the totals of all three levels into the file in ONE
  transaction, so a failure or a killed process never leaves level 3 new and levels 2 and 1 old.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from osgeo import ogr
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsProject,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..core import households as core
from ..core import schema
from ..core.errors import PluginError
from ..core.findings import Finding
from ..core.households import Attachment, BoundaryRule, HouseholdMapping
from ..core.model import GridArray, PointArray
from ..i18n import tr
from .arrays import python_value, read_grid_array
from .gdal_compat import open_vector, quiet_gdal
from .gpkg_write import WorkspaceWrite, WriteError, checkpoint
from .reproject import crs_is_undefined

TOTAL_FIELDS = ("households", "population", "relocated_households")
LEVELS = (3, 2, 1)

# Field names of the schema's households layer: used when the mapping leaves a measure unset.
DEFAULT_FIELDS = {
    "persons": "persons",
    "relocated": "relocated",
    "absent": "absent",
    "grid_code": "grid_code",
}


def mapping_label(key: str) -> str:
    """What a mapping key means, translated."""
    labels = {
        "households": tr("household count"),
        "persons": tr("persons"),
        "relocated": tr("relocated households"),
        "absent": tr("registered-but-absent households"),
        "grid_code": tr("grid code"),
        "group_name": tr("villager group name"),
        "village": tr("village or community"),
    }
    return labels.get(key, key)


class HouseholdError(PluginError):
    """Households could not be attached; the message is translated and names the layer and the problem."""


# ---------------------------------------------------------------- the field mapping


def resolve_mapping(fields: QgsFields, layer_name: str, table: bool, **given) -> HouseholdMapping:
    """A mapping from the fields the user chose (``given``: measure → field name or None).

    A chosen field must exist; a measure left unset uses the schema's field of that name when the source
    has it (``persons``, ``relocated``, ``absent``, ``grid_code``), else it is absent. A table needs a grid
    code or a villager-group name field.
    """
    names = set(fields.names())
    values: dict[str, str | None] = {}
    for key in ("households", "persons", "relocated", "absent", "grid_code", "group_name", "village"):
        chosen = (given.get(key) or "").strip() or None
        if chosen is not None and chosen not in names:
            raise HouseholdError(
                tr("Layer {layer} has no field {field} (chosen for the {what}).").format(
                    layer=layer_name, field=chosen, what=mapping_label(key)
                )
            )
        if chosen is None and key in DEFAULT_FIELDS and DEFAULT_FIELDS[key] in names:
            chosen = DEFAULT_FIELDS[key]
        values[key] = chosen
    if table and not (values["grid_code"] or values["group_name"]):
        raise HouseholdError(
            tr(
                "Table {layer} cannot be joined to grids: choose its grid code field or its villager group name field."
            ).format(layer=layer_name)
        )
    if not table:
        values["grid_code"] = values["group_name"] = values["village"] = None
    return HouseholdMapping(**values)


def mapped_fields(mapping: HouseholdMapping) -> list[str]:
    names = [
        mapping.households,
        mapping.persons,
        mapping.relocated,
        mapping.absent,
        mapping.grid_code,
        mapping.group_name,
        mapping.village,
    ]
    return list(dict.fromkeys(n for n in names if n))


def is_point_source(source) -> bool:
    return QgsWkbTypes.geometryType(source.wkbType()) == QgsWkbTypes.GeometryType.PointGeometry


# ---------------------------------------------------------------- reading


def _columns(source, names: list[str], request: QgsFeatureRequest, with_geometry: bool, feedback=None, transform=None):
    """fids, {name: object array}, wkb list — the accepted I/O loop over a layer's features.

    ``transform``: a QgsCoordinateTransform applied to each geometry (a geometry it cannot transform is
    read as missing)."""
    fields = source.fields()
    indexes = [(name, fields.indexFromName(name)) for name in names]
    request.setSubsetOfAttributes([i for _, i in indexes if i >= 0])
    if not with_geometry:
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    fids: list[int] = []
    wkbs: list = []
    raw: dict[str, list] = {name: [] for name in names}
    total = source.featureCount()
    step = max(total // 100, 1) if total > 0 else 10_000
    total = max(total, 1)
    for n, feature in enumerate(source.getFeatures(request)):
        fids.append(feature.id())
        attributes = feature.attributes()
        for name, index in indexes:
            raw[name].append(attributes[index])
        if with_geometry:
            geometry = feature.geometry()
            if transform is not None and not geometry.isNull():
                try:
                    geometry.transform(transform)
                except Exception:  # noqa: BLE001 - QgsCsException: the point is reported as without geometry
                    geometry = QgsGeometry()
            wkbs.append(None if geometry.isNull() else bytes(geometry.asWkb()))
        if feedback is not None and n % step == 0:
            if feedback.isCanceled():
                raise HouseholdError(tr("Cancelled."))
            feedback.setProgress(min(40.0 * n / total, 40.0))
    columns = {}
    for name, values in raw.items():
        column = np.empty(len(values), dtype=object)
        column[:] = [python_value(v) for v in values]
        columns[name] = column
    return np.asarray(fids, dtype=np.int64), columns, wkbs


def read_household_points(
    source,
    mapping: HouseholdMapping,
    crs: QgsCoordinateReferenceSystem,
    transform_context: QgsCoordinateTransformContext | None = None,
    feedback=None,
    bulk_layer: QgsVectorLayer | None = None,
    source_crs: QgsCoordinateReferenceSystem | None = None,
) -> PointArray:
    """The mapped fields and the points of ``source`` (a layer or a Processing source) in ``crs``.

    A GeoPackage layer read as stored (no edits, filter or transformation, numeric fields without nulls) is
    read in bulk through GDAL's Arrow interface; anything else through the QGIS feature iterator.
    ``bulk_layer``: the layer behind a Processing source, when the source is that whole layer.
    A source without a CRS (none, or GDAL's "undefined" SRS) is refused unless ``source_crs`` says which
    CRS its coordinates are in.
    """
    name = source.sourceName() if hasattr(source, "sourceName") else str(source)
    context = transform_context or QgsProject.instance().transformContext()
    transform = None
    if crs_is_undefined(source.sourceCrs()):
        if source_crs is None or not source_crs.isValid():
            raise HouseholdError(
                tr(
                    "Layer {layer} has no coordinate reference system (undefined SRS), so its points cannot be "
                    "placed in the grids. Set the layer's CRS, or choose the CRS of its points."
                ).format(layer=name)
            )
        transform = QgsCoordinateTransform(source_crs, crs, context)
    else:
        candidate = bulk_layer if bulk_layer is not None else source
        fast = read_points_bulk(candidate, mapping, crs) if isinstance(candidate, QgsVectorLayer) else None
        if fast is not None:
            return fast
    request = QgsFeatureRequest()
    if transform is None and source.sourceCrs() != crs:
        request.setDestinationCrs(crs, context)
    try:
        fids, columns, wkbs = _columns(source, mapped_fields(mapping), request, True, feedback, transform)
    except HouseholdError:
        raise
    except Exception as error:  # a failed transformation raises QgsCsException from the iterator
        raise HouseholdError(
            tr("Layer {layer} could not be read in the workspace CRS: {error}").format(layer=name, error=error)
        ) from error
    points = shapely.from_wkb(np.asarray(wkbs, dtype=object), on_invalid="ignore")
    return PointArray(core.LAYER, fids, points, columns)


def read_points_in(layer: QgsVectorLayer, mapping: HouseholdMapping, crs, rect) -> PointArray:
    """The household points of ``layer`` inside ``rect`` (a QgsRectangle in ``crs``), in ``crs``.

    Used by the map tools to count the households of new pieces; the layer's edit buffer is included.
    """
    request = QgsFeatureRequest()
    if layer.crs() != crs:
        request.setDestinationCrs(crs, QgsProject.instance().transformContext())
    request.setFilterRect(rect)
    fids, columns, wkbs = _columns(layer, mapped_fields(mapping), request, True)
    points = shapely.from_wkb(np.asarray(wkbs, dtype=object), on_invalid="ignore")
    return PointArray(core.LAYER, fids, points, columns)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_points_bulk(layer: QgsVectorLayer, mapping: HouseholdMapping, crs) -> PointArray | None:
    """The points of a GeoPackage layer read through GDAL's Arrow stream, or None when that is not exact.

    Exact when the layer is a whole GeoPackage table (no subset filter, no unsaved edits) in ``crs``, GDAL
    offers the Arrow stream, every mapped field is an integer, real or boolean column, and neither the
    mapped fields nor the geometry hold nulls (Arrow's null values would otherwise be read as 0).
    """
    try:
        with quiet_gdal():
            return _read_points_bulk(layer, mapping, crs)
    except Exception:  # noqa: BLE001 - any surprise: read through QGIS instead
        return None


def _read_points_bulk(layer: QgsVectorLayer, mapping: HouseholdMapping, crs) -> PointArray | None:
    """Arrow stream reading of :func:`read_points_bulk`."""
    if not hasattr(ogr.Layer, "GetArrowStreamAsNumPy") or layer.providerType() != "ogr":
        return None
    if layer.subsetString() or layer.isModified() or layer.crs() != crs:
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, table = parts.get("path"), parts.get("layerName")
    if not path or not table or not str(path).lower().endswith(".gpkg"):
        return None
    names = mapped_fields(mapping)
    dataset = open_vector(path)
    if dataset is None:
        return None
    try:
        ogr_layer = dataset.GetLayerByName(table)
        if ogr_layer is None or ogr_layer.GetGeomType() == ogr.wkbNone:
            return None
        definition = ogr_layer.GetLayerDefn()
        numeric = (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal)
        for name in names:
            index = definition.GetFieldIndex(name)
            if index < 0 or definition.GetFieldDefn(index).GetType() not in numeric:
                return None
        geometry_column = ogr_layer.GetGeometryColumn() or "geom"
        fid_column = ogr_layer.GetFIDColumn() or "fid"
        nullable = " OR ".join(f"{_quote(c)} IS NULL" for c in [geometry_column, *names])
        result = dataset.ExecuteSQL(f"SELECT COUNT(*) FROM {_quote(table)} WHERE {nullable}")
        if result is None:
            return None
        try:
            nulls = result.GetNextFeature().GetField(0)
        finally:
            dataset.ReleaseResultSet(result)
        if nulls:
            return None
        # Booleans are selected as integers: GDAL 3.6's NumPy bridge misreads Arrow's bit-packed booleans.
        flags = {
            n for n in names if definition.GetFieldDefn(definition.GetFieldIndex(n)).GetSubType() == ogr.OFSTBoolean
        }
        selected = [f"{_quote(fid_column)}", f"{_quote(geometry_column)}"]
        selected += [f"{_quote(n)} + 0 AS {_quote(n)}" if n in flags else _quote(n) for n in names]
        result = dataset.ExecuteSQL(f"SELECT {', '.join(selected)} FROM {_quote(table)}")
        if result is None:
            return None
        try:
            fid_key = result.GetFIDColumn() or fid_column
            geometry_key = result.GetGeometryColumn() or geometry_column
            batches = list(result.GetArrowStreamAsNumPy(options=["INCLUDE_FID=YES"]))
        finally:
            dataset.ReleaseResultSet(result)
    finally:
        dataset = None
    if not batches:
        fids = np.empty(0, dtype=np.int64)
        return PointArray(core.LAYER, fids, np.empty(0, dtype=object), {n: np.empty(0) for n in names})
    if any(key not in batches[0] for key in (fid_key, geometry_key, *names)):
        return None
    fids = np.concatenate([b[fid_key] for b in batches]).astype(np.int64)
    wkbs = np.concatenate([np.asarray(b[geometry_key], dtype=object) for b in batches])
    points = shapely.from_wkb(wkbs, on_invalid="ignore")
    columns = {}
    for name in names:
        values = np.concatenate([b[name] for b in batches])
        columns[name] = values != 0 if name in flags else values
    return PointArray(core.LAYER, fids, points, columns)


def read_household_rows(source, mapping: HouseholdMapping, feedback=None) -> list[dict]:
    """The mapped fields of each feature of a table; ``_row`` is the feature id shown in QGIS."""
    names = mapped_fields(mapping)
    fids, columns, _ = _columns(source, names, QgsFeatureRequest(), False, feedback)
    return [{name: columns[name][i] for name in names} | {"_row": int(fids[i])} for i in range(len(fids))]


def read_grid_levels(workspace) -> dict[int, GridArray]:
    """Level 1, 2 and 3 grids of a workspace, as their layers show them (edit buffers included)."""
    out = {}
    for level in (1, 2, 3):
        layer = workspace.grid_layer(level)
        missing = [name for name in TOTAL_FIELDS if layer.fields().indexFromName(name) < 0]
        if missing:
            raise HouseholdError(
                tr("Layer {layer} lacks the fields: {fields}.").format(layer=layer.name(), fields=", ".join(missing))
            )
        out[level] = read_grid_array(layer, level, schema.GRID_LAYER_BY_LEVEL[level].name)
    return out


# ---------------------------------------------------------------- attaching


def attach(
    workspace,
    source,
    mapping: HouseholdMapping,
    rule: BoundaryRule = BoundaryRule.LOWEST_CODE,
    as_table: bool | None = None,
    transform_context=None,
    feedback=None,
    bulk_layer: QgsVectorLayer | None = None,
    source_crs: QgsCoordinateReferenceSystem | None = None,
    replace_all: bool = False,
) -> tuple[Attachment, dict[int, GridArray]]:
    """Attach the households of ``source`` to the workspace's grids (nothing is written).

    A table updates only the grids its rows name unless ``replace_all``; points replace every grid's counts.
    """
    grids = read_grid_levels(workspace)
    table = (not is_point_source(source)) if as_table is None else as_table
    if table:
        rows = read_household_rows(source, mapping, feedback)
        attachment = core.attach_table(rows, grids[3], grids[2], grids[1], mapping)
        if not replace_all:
            attachment = core.keep_unnamed(attachment, grids[3], grids[2], grids[1])
    else:
        if not is_point_source(source):
            name = source.sourceName() if hasattr(source, "sourceName") else ""
            raise HouseholdError(
                tr("Layer {layer} has no point geometries; attach it as a table by grid code or group name.").format(
                    layer=name
                )
            )
        points = read_household_points(
            source, mapping, workspace.crs, transform_context, feedback, bulk_layer, source_crs
        )
        attachment = core.attach_households(points, grids[3], grids[2], grids[1], rule, mapping)
    return attachment, grids


def refusal_message(refusal: core.Refusal, layer_name: str) -> str:
    """Why an attachment is not written, translated: the layer, the cause and what the planner can do."""
    causes = {
        "outside": tr("{outside} of its {records} points lie outside every level 3 grid (wrong CRS or wrong area?)"),
        "no_geometry": tr("{missing} of its {records} points have no geometry"),
        "unmatched": tr("{unmatched} of its {records} rows match no grid (only {assigned} usable rows)"),
        "no_rows": tr("it holds no points or rows"),
        "": tr("{assigned} of its {records} points or rows were attached"),
    }
    facts = {
        "records": refusal.records,
        "assigned": refusal.assigned,
        "outside": refusal.outside,
        "missing": refusal.missing,
        "unmatched": refusal.unmatched,
    }
    cause = causes.get(refusal.cause, causes[""]).format(**facts)
    if refusal.reason == "nothing_attached":
        head = tr("Nothing was written: layer {layer} attaches no household to any grid, because {cause}.")
    else:
        head = tr(
            "Nothing was written: layer {layer} would lower the workspace's households from {old} to {new} "
            "({drop:.0%}), because {cause}."
        )
    text = head.format(layer=layer_name, cause=cause, old=refusal.old_total, new=refusal.new_total, drop=-refusal.drop)
    return text + " " + tr("Fix the source, or confirm a full replacement of the counts to write it anyway.")


def check_replacement(
    attachment: Attachment,
    grids: dict[int, GridArray],
    layer_name: str,
    confirm: bool = False,
    max_drop: float = core.DEFAULT_MAX_DROP,
) -> None:
    """Raise :class:`HouseholdError` when the attachment would zero or sharply lower the counts, unless the
    planner confirmed a full replacement."""
    if confirm:
        return
    refusal = core.replacement_refusal(attachment, grids[3], max_drop)
    if refusal is not None:
        raise HouseholdError(refusal_message(refusal, layer_name))


# ---------------------------------------------------------------- writing


@dataclass
class LayerChange:
    """The totals that change in one grid layer: feature ids, old and new values (rows × 3)."""

    level: int
    layer: QgsVectorLayer
    fids: np.ndarray
    old: list[tuple]
    new: np.ndarray


@dataclass
class TotalsEdit:
    """The attachment's edit commands, one per grid layer whose totals changed."""

    changes: list[LayerChange] = field(default_factory=list)
    started_editing: list[QgsVectorLayer] = field(default_factory=list)

    @property
    def counts(self) -> dict[int, int]:
        """Grids changed per level."""
        return {c.level: len(c.fids) for c in self.changes}

    def undo(self) -> None:
        """Take the attachment back (one undo per layer)."""
        for change in reversed(self.changes):
            change.layer.undoStack().undo()

    def commit(self) -> None:
        """Save the grid layers; when one fails, the others are left unsaved too where possible."""
        failed = []
        for change in self.changes:
            layer = change.layer
            if not layer.commitChanges():
                failed.append((layer, "; ".join(layer.commitErrors())))
                break
        if failed:
            layer, errors = failed[0]
            done = [c for c in self.changes if not c.layer.isEditable() and c.layer is not layer]
            for change in done:  # put the saved layers back as they were in the file
                restore = {
                    int(fid): dict(zip(_indexes(change.layer), old)) for fid, old in zip(change.fids, change.old)
                }
                change.layer.dataProvider().changeAttributeValues(restore)
                change.layer.reload()
            layer.rollBack()
            raise HouseholdError(
                tr("The counts could not be saved in layer {layer}: {errors}").format(layer=layer.name(), errors=errors)
            )


def _indexes(layer: QgsVectorLayer) -> list[int]:
    return [layer.fields().indexFromName(name) for name in TOTAL_FIELDS]


def _as_int(value):
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def plan_change(level: int, layer: QgsVectorLayer, grid: GridArray, totals: core.GridTotals) -> LayerChange:
    """The active grids whose stored totals differ from ``totals``."""
    new = np.column_stack([totals.households, totals.population, totals.relocated_households]).astype(np.int64)
    old = [
        [_as_int(v) for v in grid.attribute(name, None)]
        for name in TOTAL_FIELDS  # object columns; None when unset
    ]
    status = grid.attribute("status", None)
    rows = []
    old_rows = []
    for i in range(len(grid)):
        if status[i] == "retired":
            continue
        before = (old[0][i], old[1][i], old[2][i])
        if before != tuple(int(v) for v in new[i]):
            rows.append(i)
            old_rows.append(before)
    rows_arr = np.asarray(rows, dtype=np.int64)
    return LayerChange(level, layer, grid.fids[rows_arr], old_rows, new[rows_arr])


def write_totals(workspace, grids: dict[int, GridArray], attachment: Attachment, text: str | None = None) -> TotalsEdit:
    """Write the attachment's totals into the grid layers' edit buffers: one edit command per layer.

    All or nothing: when a layer refuses the change, the commands already made are undone.
    """
    edit = TotalsEdit()
    text = text or tr("Attach household counts")
    for level in LEVELS:
        totals = attachment.totals(level)
        if totals is None:
            continue
        layer = workspace.grid_layer(level)
        change = plan_change(level, layer, grids[level], totals)
        if len(change.fids) == 0:
            continue
        try:
            _apply(change, text, edit)
        except Exception:
            edit.undo()
            for started in edit.started_editing:
                if not started.isModified():
                    started.rollBack()
            raise
        edit.changes.append(change)
    return edit


def plan_totals(workspace, grids: dict[int, GridArray], attachment: Attachment) -> TotalsEdit:
    """The attachment's changes of every level (grids whose stored totals differ), nothing written yet."""
    edit = TotalsEdit()
    for level in LEVELS:
        totals = attachment.totals(level)
        if totals is None:
            continue
        change = plan_change(level, workspace.grid_layer(level), grids[level], totals)
        if len(change.fids):
            edit.changes.append(change)
    return edit


def write_totals_file(workspace, grids: dict[int, GridArray], attachment: Attachment) -> TotalsEdit:
    """Write the attachment's totals of every level into the workspace file in one transaction (all levels
    or none); the grid layers of ``workspace`` are reloaded. Returns the changes written (not undoable)."""
    edit = plan_totals(workspace, grids, attachment)
    if not edit.changes:
        return edit
    try:
        with WorkspaceWrite(workspace.path, tr("Attach household counts")) as write:
            for change in edit.changes:
                name = schema.GRID_LAYER_BY_LEVEL[change.level].name
                values = {
                    int(fid): {TOTAL_FIELDS[k]: int(new[k]) for k in range(3)}
                    for fid, new in zip(change.fids, change.new)
                }
                write.update(name, values)
                checkpoint(f"attach:level{change.level}-written")
            write.set_info({})
    except WriteError as error:
        raise HouseholdError(str(error)) from error
    for change in edit.changes:
        change.layer.reload()
    return edit


def _apply(change: LayerChange, text: str, edit: TotalsEdit) -> None:
    layer = change.layer
    if not layer.isEditable():
        if not layer.startEditing():
            raise HouseholdError(
                tr("Layer {layer} cannot be edited (is the file read-only?).").format(layer=layer.name())
            )
        edit.started_editing.append(layer)
    indexes = _indexes(layer)
    layer.beginEditCommand(text)
    try:
        for fid, old, new in zip(change.fids, change.old, change.new):
            values = {indexes[k]: int(new[k]) for k in range(3)}
            olds = {indexes[k]: old[k] for k in range(3)}
            if not layer.changeAttributeValues(int(fid), values, olds):
                raise HouseholdError(
                    tr("Layer {layer}, feature {fid}: the household counts could not be changed.").format(
                        layer=layer.name(), fid=int(fid)
                    )
                )
    except BaseException:
        layer.destroyEditCommand()
        raise
    layer.endEditCommand()


# ---------------------------------------------------------------- one call for the GUI


@dataclass
class AttachResult:
    attachment: Attachment
    findings: list[Finding]
    edit: TotalsEdit

    @property
    def assigned(self) -> int:
        return self.attachment.assigned


def attach_to_workspace(
    workspace,
    source: QgsVectorLayer,
    mapping: HouseholdMapping,
    rule: BoundaryRule = BoundaryRule.LOWEST_CODE,
    as_table: bool | None = None,
    source_crs: QgsCoordinateReferenceSystem | None = None,
    replace_all: bool = False,
    confirm: bool = False,
    max_drop: float = core.DEFAULT_MAX_DROP,
) -> AttachResult:
    """Attach ``source`` and write the totals into the grid layers' edit buffers (undoable, not saved).

    Refused (nothing written) when it would zero or sharply lower the counts, unless ``confirm``."""
    attachment, grids = attach(
        workspace, source, mapping, rule, as_table, source_crs=source_crs, replace_all=replace_all
    )
    check_replacement(attachment, grids, source.name(), confirm, max_drop)
    edit = write_totals(workspace, grids, attachment)
    return AttachResult(attachment, core.attachment_findings(attachment), edit)


def summary_lines(attachment: Attachment, edit: TotalsEdit | None = None) -> list[str]:
    """A short report of an attachment, translated."""
    lines = []
    if attachment.source == "points":
        lines.append(
            tr("{assigned} of {total} household points attached to level 3 grids.").format(
                assigned=attachment.assigned, total=len(attachment.grid_index)
            )
        )
        lines.append(
            tr("{outside} outside every grid, {boundary} on a shared boundary, {missing} without geometry.").format(
                outside=len(attachment.outside_fids),
                boundary=len(attachment.boundary_fids),
                missing=len(attachment.missing_fids),
            )
        )
    else:
        lines.append(
            tr("{assigned} of {total} table rows joined to level 3 grids; {unmatched} matched no grid.").format(
                assigned=attachment.assigned, total=len(attachment.grid_index), unmatched=len(attachment.unmatched_rows)
            )
        )
    for level in (1, 2, 3):
        totals = attachment.totals(level)
        if totals is None:
            continue
        lines.append(
            tr("Level {level}: {households} households, {population} persons, {relocated} relocated or absent.").format(
                level=level,
                households=int(totals.households.sum()),
                population=int(totals.population.sum()),
                relocated=int(totals.relocated_households.sum()),
            )
        )
    if edit is not None:
        counts = edit.counts
        lines.append(
            tr("Grids changed: level 3 {l3}, level 2 {l2}, level 1 {l1}.").format(
                l3=counts.get(3, 0), l2=counts.get(2, 0), l1=counts.get(1, 0)
            )
        )
    return lines
