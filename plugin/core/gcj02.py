"""GCJ-02 (the offset coordinates of Chinese web maps) ⇄ WGS84, vectorised over coordinates.

No PROJ definition of GCJ-02 exists. The formulas are those of the public-domain (CC0) PRCoords
library by Mingye Wang, vendored unchanged as ``plugin/vendor/prcoords.py`` (so a ZIP install needs
nothing from PyPI). Its functions are written for one coordinate with the ``math`` module; this
module loads a second copy of the same file whose ``math`` is numpy, so PRCoords' own ``wgs_gcj``
shifts whole coordinate arrays at once. The inverse is PRCoords' iterative "bored" method
(Caijun 2014) run on arrays, to about a millimetre. ``tests/core/test_gcj02.py`` checks both
against the scalar PRCoords and against the real GCJ-02/WGS84 county boundaries in shared/data.

Coordinates are longitude / latitude in degrees; points outside China are returned unchanged,
as PRCoords does. No qgis or Qt import here.
"""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import numpy as np
import shapely

from ..vendor import prcoords as _scalar

# PRCoords' rough bounding box of China (sanity_in_china_p).
CHINA_LAT = (0.8293, 55.8271)
CHINA_LON = (72.004, 137.8347)
# Iteration of the inverse: stop when the residual is below this many degrees (≈ 1 mm) or after MAX_ITER.
INVERSE_EPS = 1e-8
MAX_ITER = 12

_NUMPY_MATH = SimpleNamespace(
    pi=np.pi,
    sin=np.sin,
    cos=np.cos,
    sqrt=np.sqrt,
    pow=np.power,
    radians=np.radians,
    hypot=np.hypot,
    asin=np.arcsin,
)


def _load_vectorised():
    """A second instance of the vendored PRCoords module whose ``math`` works on numpy arrays."""
    spec = importlib.util.spec_from_file_location(f"{__name__}._prcoords_numpy", _scalar.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.math = _NUMPY_MATH
    return module


_vector = _load_vectorised()


def in_china(lon, lat) -> np.ndarray:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1]) & (lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1])


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 − WGS84 in degrees (Δlon, Δlat) at WGS84 coordinates: PRCoords ``wgs_gcj`` on arrays."""
    shifted = _vector.wgs_gcj(_vector.Coords(lat, lon), False)
    return np.asarray(shifted.lon) - lon, np.asarray(shifted.lat) - lat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 (arrays of degrees); points outside China unchanged."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    d_lon, d_lat = _offset(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 (arrays of degrees), to about a millimetre; points outside China unchanged.

    PRCoords' ``gcj_wgs_bored``: start from the rough inverse and iterate the forward formula to its
    fixed point, every coordinate at once.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    inside = in_china(g_lon, g_lat)
    d_lon, d_lat = _offset(g_lon, g_lat)
    w_lon, w_lat = g_lon - d_lon, g_lat - d_lat  # gcj_wgs (rough)
    for _ in range(MAX_ITER):
        d_lon, d_lat = _offset(w_lon, w_lat)
        r_lon = w_lon + d_lon - g_lon
        r_lat = w_lat + d_lat - g_lat
        w_lon = w_lon - r_lon
        w_lat = w_lat - r_lat
        if np.size(r_lon) == 0 or float(np.max(np.hypot(r_lon, r_lat))) < INVERSE_EPS:
            break
    return np.where(inside, w_lon, g_lon), np.where(inside, w_lat, g_lat)


def _xy_transform(function):
    def transform(coords: np.ndarray) -> np.ndarray:
        lon, lat = function(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return transform


def geometries_gcj02_to_wgs84(geometries):
    """Shapely geometries (lon/lat degrees, GCJ-02) corrected to WGS84; one vectorised transform."""
    return shapely.transform(geometries, _xy_transform(gcj02_to_wgs84))


def geometries_wgs84_to_gcj02(geometries):
    """Shapely geometries (lon/lat degrees, WGS84) offset into GCJ-02 (for tests and comparisons)."""
    return shapely.transform(geometries, _xy_transform(wgs84_to_gcj02))
