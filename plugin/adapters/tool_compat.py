"""Enums that QGIS 3.22 and QGIS ≥ 3.30 / QGIS 4 spell differently, for map tools, snapping and layer pickers.

Each name is looked up on the new ``Qgis`` enum first and on the old class otherwise, so the same
code runs on QGIS 3.22 (Qt 5) and on QGIS 4 (Qt 6).
"""

from __future__ import annotations

from qgis.core import Qgis, QgsFieldProxyModel, QgsMapLayerProxyModel, QgsSnappingConfig, QgsTolerance, QgsWkbTypes


def _first(*candidates):
    for owner, path in candidates:
        value = owner
        try:
            for name in path.split("."):
                value = getattr(value, name)
        except AttributeError:
            continue
        return value
    raise AttributeError(f"none of {[p for _, p in candidates]} exists in this QGIS")


POLYGON_GEOMETRY = _first((Qgis, "GeometryType.Polygon"), (QgsWkbTypes, "GeometryType.PolygonGeometry"))
LINE_GEOMETRY = _first((Qgis, "GeometryType.Line"), (QgsWkbTypes, "GeometryType.LineGeometry"))
POINT_GEOMETRY = _first((Qgis, "GeometryType.Point"), (QgsWkbTypes, "GeometryType.PointGeometry"))

SNAP_ADVANCED = _first(
    (Qgis, "SnappingMode.AdvancedConfiguration"), (QgsSnappingConfig, "SnappingMode.AdvancedConfiguration")
)
SNAP_VERTEX = _first((Qgis, "SnappingType.Vertex"), (QgsSnappingConfig, "SnappingTypes.VertexFlag"))
SNAP_SEGMENT = _first((Qgis, "SnappingType.Segment"), (QgsSnappingConfig, "SnappingTypes.SegmentFlag"))
UNIT_PIXELS = _first((Qgis, "MapToolUnit.Pixels"), (QgsTolerance, "UnitType.Pixels"))

POINT_LAYERS = _first((Qgis, "LayerFilter.PointLayer"), (QgsMapLayerProxyModel, "Filter.PointLayer"))
POLYGON_LAYERS = _first((Qgis, "LayerFilter.PolygonLayer"), (QgsMapLayerProxyModel, "Filter.PolygonLayer"))
NUMERIC_FIELDS = _first((Qgis, "FieldFilter.Numeric"), (QgsFieldProxyModel, "Filter.Numeric"))


def geometry_type(layer):
    """The geometry type of a vector layer (old or new enum)."""
    return layer.geometryType()


def vertex_and_segment():
    """Snapping to vertices and segments (a flags value on either QGIS)."""
    return SNAP_VERTEX | SNAP_SEGMENT
