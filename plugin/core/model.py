"""The core's in-memory model: grid layers as parallel numpy arrays of shapely geometries.

Adapters (plugin/adapters) fill these from QGIS layers or files; the audit, rules, codes and diff
engines read them. No qgis or Qt import here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import schema


@dataclass
class GridArray:
    """One grid layer: row i of every array describes the same feature."""

    layer: str
    level: int
    fids: np.ndarray  # int64 feature ids of the source layer
    codes: np.ndarray  # object array of str | None
    parent_codes: np.ndarray  # object array of str | None
    names: np.ndarray  # object array of str | None
    geometries: np.ndarray  # object array of shapely geometries (None for a null geometry)
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.fids)
        for name in ("codes", "parent_codes", "names", "geometries"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{self.layer}: {name} has {len(getattr(self, name))} rows, expected {n}")
        for name, values in self.attributes.items():
            if len(values) != n:
                raise ValueError(f"{self.layer}: attribute {name} has {len(values)} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.fids)

    @classmethod
    def empty(cls, layer: str, level: int) -> GridArray:
        obj = np.empty(0, dtype=object)
        return cls(layer, level, np.empty(0, dtype=np.int64), obj, obj.copy(), obj.copy(), obj.copy())

    @classmethod
    def from_records(
        cls,
        layer: str,
        level: int,
        geometries,
        codes,
        parent_codes=None,
        names=None,
        fids=None,
        attributes: dict | None = None,
    ) -> GridArray:
        """Build from plain sequences (tests, generators)."""
        geoms = np.asarray(list(geometries), dtype=object)
        n = len(geoms)
        return cls(
            layer=layer,
            level=level,
            fids=np.arange(1, n + 1, dtype=np.int64) if fids is None else np.asarray(fids, dtype=np.int64),
            codes=np.asarray(list(codes), dtype=object),
            parent_codes=np.asarray([None] * n if parent_codes is None else list(parent_codes), dtype=object),
            names=np.asarray([None] * n if names is None else list(names), dtype=object),
            geometries=geoms,
            attributes={k: np.asarray(v) for k, v in (attributes or {}).items()},
        )

    def attribute(self, name: str, default=None) -> np.ndarray:
        """An attribute column, or a column of ``default`` when the layer lacks it."""
        if name in self.attributes:
            return self.attributes[name]
        return np.full(len(self), default, dtype=object)

    def subset(self, mask_or_index) -> GridArray:
        return GridArray(
            self.layer,
            self.level,
            self.fids[mask_or_index],
            self.codes[mask_or_index],
            self.parent_codes[mask_or_index],
            self.names[mask_or_index],
            self.geometries[mask_or_index],
            {k: v[mask_or_index] for k, v in self.attributes.items()},
        )

    def areas(self) -> np.ndarray:
        return shapely.area(self.geometries)


@dataclass
class PointArray:
    """A point layer (households) as arrays."""

    layer: str
    fids: np.ndarray
    points: np.ndarray  # shapely Points (object array)
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.fids)


@dataclass
class WorkspaceData:
    """All of a workspace that the engines need, in the workspace CRS (metres)."""

    info: schema.WorkspaceInfo
    grids: dict[str, GridArray]  # by layer name: grid_level1, grid_level2, grid_level3, grid_dedicated
    county_boundary: object | None = None  # shapely (Multi)Polygon or None
    households: PointArray | None = None
    staff: list[dict] = field(default_factory=list)
    divisions: list[dict] = field(default_factory=list)
    # rows of code_registry and change_log (None: not read, the registry is not checked)
    code_registry: list[dict] | None = None
    change_log: list[dict] | None = None

    def grid(self, level: int) -> GridArray:
        layer = schema.GRID_LAYER_BY_LEVEL[level]
        return self.grids.get(layer.name) or GridArray.empty(layer.name, level)
