"""What the live audit reads after an edit: the edited grids and the grids around them, edit buffers included.

:class:`LiveReader` holds what does not change while drawing (the county boundary, the divisions, the size
rules: read once, again after :meth:`LiveReader.invalidate`) and reads the grids near an edit through
rectangle requests (the provider's spatial index and the edit buffer): the edited features by id, the
parent level's features in their box, and the edited level's features in the box of those parents.
:meth:`LiveReader.check` hands them to :func:`plugin.core.live_audit.check_neighbourhood`.
"""

from __future__ import annotations

import time

import numpy as np
import shapely
from qgis.core import QgsFeatureRequest, QgsRectangle

from ..core import live_audit, schema
from ..core.model import GridArray
from .audit_store import GRID_FIELD_NAMES, _text, read_boundary, read_features
from .layer_edits import read_rows


def _grid(layer, level: int, name: str, rect: QgsRectangle | None = None, fids=None):
    def iterate(request: QgsFeatureRequest):
        if fids is not None:
            request.setFilterFids(list(fids))
        return layer.getFeatures(request)

    found, columns, geoms = read_features(iterate, layer.fields(), GRID_FIELD_NAMES, filter_rect=rect)
    codes = _text(columns.pop("code"))
    parents = _text(columns.pop("parent_code"))
    names = columns.pop("name")
    present = set(layer.fields().names())
    attributes = {k: v for k, v in columns.items() if k in present}
    return GridArray(name, level, found, codes, parents, names, geoms, attributes)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _rect(bounds) -> QgsRectangle | None:
    x0, y0, x1, y1 = bounds
    if any(v != v for v in bounds):  # NaN: nothing
        return None
    return QgsRectangle(x0, y0, x1, y1)


class LiveReader:
    """Reads the neighbourhood of an edit of an open workspace and checks it."""

    def __init__(self, workspace, tolerances=None):
        self.workspace = workspace
        self.tolerances = tolerances
        self._county = None
        self._divisions = None
        self._size_rules = None
        self._loaded = False
        self._seen: dict[tuple[int, int], tuple] = {}  # (level, fid) -> the grid as last checked

    def invalidate(self) -> None:
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        from .rules_store import RulesError, load_rules

        layer = self.workspace.layer(schema.COUNTY_BOUNDARY.name)
        try:
            self._county = read_boundary(layer.getFeatures, layer.wkbType(), layer.featureCount(), layer.name())
        except Exception:  # noqa: BLE001 - a broken county boundary: the full audit reports it
            self._county = None
        if self._county is not None:
            shapely.prepare(self._county)
        self._divisions = read_rows(self.workspace.layer(schema.DIVISIONS.name))
        try:
            self._size_rules = load_rules(self.workspace)
        except RulesError:
            self._size_rules = None
        self._loaded = True

    def removed(self, level: int, fids) -> dict:
        """What grids ``fids`` of ``level``, just deleted from the edit buffer, were: {fid: (geometry, code,
        parent code, name)} as last checked here, else as saved in the file (a grid added and deleted in the
        same buffer and never checked is gone without a trace: it left nothing behind)."""
        out = {}
        missing = []
        for fid in fids:
            key = (level, int(fid))
            if key in self._seen:
                out[int(fid)] = self._seen.pop(key)
            elif int(fid) >= 0:
                missing.append(int(fid))
        if missing:
            layer = self.workspace.grid_layer(level)
            saved = _grid(layer.dataProvider(), level, layer.name(), fids=missing)
            for i, fid in enumerate(saved.fids):
                out[int(fid)] = (saved.geometries[i], saved.codes[i], saved.parent_codes[i], saved.names[i])
        return out

    def check(self, level: int, fids, removed: dict | None = None) -> live_audit.LiveResult | None:
        """The live audit of the grids ``fids`` of ``level`` and of the places grids ``removed`` (from
        :meth:`removed`) left (None when there is no geometry to check)."""
        t0 = time.perf_counter()
        self._load()
        layer = self.workspace.grid_layer(level)
        name = schema.GRID_LAYER_BY_LEVEL[level].name
        edited = _grid(layer, level, name, fids=fids) if fids else GridArray.empty(name, level)
        for i, fid in enumerate(edited.fids):
            self._seen[(level, int(fid))] = (
                edited.geometries[i],
                edited.codes[i],
                edited.parent_codes[i],
                edited.names[i],
            )
        if removed:
            # the place a deleted grid left: its neighbours and parent are checked there (a gap, most often)
            rows = list(removed.values())

            def column(present, k):
                return np.concatenate([present, _objects([r[k] for r in rows])])

            edited = GridArray(
                name,
                level,
                np.concatenate([edited.fids, np.array(list(removed), dtype=np.int64)]),
                codes=column(edited.codes, 1),
                parent_codes=column(edited.parent_codes, 2),
                names=column(edited.names, 3),
                geometries=column(edited.geometries, 0),
            )
        geoms = edited.geometries[~shapely.is_missing(edited.geometries)]
        if not len(geoms):
            return None
        bounds = shapely.total_bounds(geoms)
        upper = live_audit.parent_level(level)
        parents = None
        if upper is None:
            box = live_audit.edit_box(edited)
            area = _rect(shapely.bounds(box))
        else:
            parents = _grid(
                self.workspace.grid_layer(upper), upper, schema.GRID_LAYER_BY_LEVEL[upper].name, _rect(bounds)
            )
            if len(parents):
                parent_bounds = shapely.total_bounds(parents.geometries[~shapely.is_missing(parents.geometries)])
                bounds = (
                    min(bounds[0], parent_bounds[0]),
                    min(bounds[1], parent_bounds[1]),
                    max(bounds[2], parent_bounds[2]),
                    max(bounds[3], parent_bounds[3]),
                )
            area = _rect(bounds)
        candidates = _grid(layer, level, name, area)
        result = live_audit.check_neighbourhood(
            self.workspace.info,
            level,
            edited,
            parents,
            candidates,
            self._county,
            self.tolerances,
            self._size_rules,
            self._divisions,
        )
        result.seconds = time.perf_counter() - t0  # reading included
        return result
