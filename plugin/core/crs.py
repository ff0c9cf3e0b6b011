"""Choice of the workspace CRS: CGCS2000 3-degree Gauss-Kruger zones with the zone prefix.

EPSG:4513 is zone 25 (central meridian 75°E) … EPSG:4533 is zone 45 (135°E). This only picks an EPSG
code from a longitude; all coordinate transformation is left to QGIS or pyproj.
"""

from __future__ import annotations

import math

FIRST_ZONE, LAST_ZONE = 25, 45
FIRST_EPSG = 4513
EXCHANGE_CRS = "EPSG:4490"  # CGCS2000 geographic, for filing packages


def gk3_zone(longitude: float) -> int:
    """The 3-degree zone whose central meridian (3 × zone) is nearest ``longitude``."""
    if not -180.0 <= longitude <= 180.0 or math.isnan(longitude):
        raise ValueError(f"longitude {longitude} is out of range")
    zone = math.floor((longitude + 1.5) / 3.0)
    if not FIRST_ZONE <= zone <= LAST_ZONE:
        raise ValueError(f"longitude {longitude:.3f} lies outside China's 3-degree zones 25–45 (75°E–135°E)")
    return zone


def gk3_epsg(longitude: float) -> str:
    """The authority id, e.g. ``EPSG:4524`` for Hanbin (109.0°E, zone 36)."""
    return f"EPSG:{FIRST_EPSG + gk3_zone(longitude) - FIRST_ZONE}"
