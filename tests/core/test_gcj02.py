"""GCJ-02 ⇄ WGS84: the numpy port agrees with the vendored PRCoords and undoes the real offset data."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.core import gcj02
from plugin.vendor import prcoords

ROOT = Path(__file__).resolve().parents[2]
WGS84_FILE = ROOT / "resources" / "data" / "ankang_counties_wgs84.geojson"  # copies of ../shared/data
GCJ02_FILE = ROOT / "tests" / "data" / "ankang_counties_gcj02.geojson"

LON = st.floats(73.0, 135.0, allow_nan=False)
LAT = st.floats(18.0, 53.0, allow_nan=False)


def metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres (arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371000 * np.arcsin(np.sqrt(a))


@settings(max_examples=300, deadline=None)
@given(LON, LAT)
def test_forward_matches_prcoords(lon, lat):
    expected = prcoords.wgs_gcj((lat, lon))
    got_lon, got_lat = gcj02.wgs84_to_gcj02([lon], [lat])
    assert got_lon[0] == pytest.approx(expected.lon, abs=1e-12)
    assert got_lat[0] == pytest.approx(expected.lat, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(LON, LAT)
def test_inverse_matches_prcoords_and_round_trips(lon, lat):
    g_lon, g_lat = gcj02.wgs84_to_gcj02([lon], [lat])
    w_lon, w_lat = gcj02.gcj02_to_wgs84(g_lon, g_lat)
    assert metres(w_lon, w_lat, lon, lat)[0] < 0.005  # 5 mm
    reference = prcoords.gcj_wgs_bored((g_lat[0], g_lon[0]))
    assert metres(w_lon, w_lat, reference.lon, reference.lat)[0] < 0.05


def test_offset_size_in_ankang():
    """Around Ankang (109°E, 32.7°N) the offset is some hundreds of metres."""
    g_lon, g_lat = gcj02.wgs84_to_gcj02([109.02], [32.70])
    distance = metres(109.02, 32.70, g_lon[0], g_lat[0])
    assert 200 < distance < 800


def test_outside_china_is_unchanged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tuple(prcoords.wgs_gcj((48.85, 2.35))) == (48.85, 2.35)
    lon, lat = gcj02.gcj02_to_wgs84([2.35, -70.0], [48.85, 10.0])
    assert list(lon) == [2.35, -70.0]
    assert list(lat) == [48.85, 10.0]


def test_empty_and_mixed_geometries():
    assert len(gcj02.geometries_gcj02_to_wgs84(np.array([], dtype=object))) == 0
    geoms = np.array([shapely.Point(109, 32.7), None, shapely.LineString([(109, 32), (110, 33)])], dtype=object)
    out = gcj02.geometries_gcj02_to_wgs84(geoms)
    assert out[1] is None
    assert out[0].x < 109 and shapely.get_num_coordinates(out[2]) == 2


def _county_geometries(path):
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["adcode"] for f in features]
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return dict(zip(codes, geoms))


def test_real_gcj02_counties_corrected_within_metres():
    gcj = _county_geometries(GCJ02_FILE)
    wgs = _county_geometries(WGS84_FILE)
    assert set(gcj) == set(wgs)
    for code in gcj:
        corrected = gcj02.geometries_gcj02_to_wgs84(gcj[code])
        a = shapely.get_coordinates(corrected)
        b = shapely.get_coordinates(wgs[code])
        raw = shapely.get_coordinates(gcj[code])
        assert a.shape == b.shape, code
        before = metres(raw[:, 0], raw[:, 1], b[:, 0], b[:, 1])
        after = metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        assert before.min() > 300, code  # the raw data really are offset
        assert after.max() < 3.0, (code, after.max())
        assert math.isclose(shapely.area(corrected), shapely.area(wgs[code]), rel_tol=1e-4)
