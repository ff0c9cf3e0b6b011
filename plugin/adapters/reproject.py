"""Reproject shapely geometries with QGIS's own transformation machinery (PROJ through QGIS)."""

from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProject,
)


def transform_geometries(geometries, source: str, target: str) -> np.ndarray:
    """Each geometry transformed from ``source`` to ``target`` (authority ids such as EPSG:4326)."""
    transform = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem(source), QgsCoordinateReferenceSystem(target), QgsProject.instance()
    )
    geometries = np.asarray(geometries, dtype=object)
    out = np.empty(len(geometries), dtype=object)
    for i, wkb in enumerate(shapely.to_wkb(geometries)):
        if wkb is None:
            out[i] = None
            continue
        geometry = QgsGeometry()
        geometry.fromWkb(wkb)
        geometry.transform(transform)
        out[i] = bytes(geometry.asWkb())
    return shapely.from_wkb(out)


def crs_is_undefined(crs: QgsCoordinateReferenceSystem | None) -> bool:
    """True when a layer has no usable CRS: none at all, or GDAL's stand-in for "no CRS".

    A GeoPackage table with ``srs_id`` 0 (or -1) is read by QGIS as a valid CRS named "Undefined geographic
    SRS" (or "Undefined Cartesian SRS") without an authority; any transformation of it fails.
    """
    if crs is None or not crs.isValid():
        return True
    return not crs.authid() and crs.description().lower().startswith("undefined")
