"""Bad-input corpus: geometry kinds × coordinate values, CRSs, count values, staff sheets (deterministic).

Every case ends in a usable value or a translated message naming the feature or layer — never a
traceback, never a silently NULL geometry."""

from __future__ import annotations

import itertools
import math

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsField, QgsFields, QgsGeometry
from qgis.PyQt.QtCore import QVariant

from plugin.adapters.audit_store import AuditStoreError, check_crs
from plugin.adapters.importer import check_coordinates, clean_polygons, read_source
from plugin.core import filing
from plugin.core.households import _count_value

X, Y = 36_540_000.0, 3_615_000.0
KINDS = {
    "Polygon": "Polygon (({r}))",
    "PolygonZ": "Polygon Z (({rz}))",
    "PolygonM": "Polygon M (({rm}))",
    "PolygonZM": "Polygon ZM (({rzm}))",
    "MultiPolygon": "MultiPolygon ((({r})))",
    "MultiPolygonZM": "MultiPolygon ZM ((({rzm})))",
    "CurvePolygon": "CurvePolygon (CircularString ({a}, {b}, {a}))",
    "MultiSurface": "MultiSurface (CurvePolygon (CircularString ({a}, {b}, {a})))",
    "CompoundRing": "CurvePolygon (CompoundCurve (CircularString ({a}, {m}, {c}), ({c}, {a})))",
    "LineString": "LineString ({r})",
    "Point": "Point ({a})",
    "Empty": "Polygon EMPTY",
}
VALUES = {"normal": None, "nan": math.nan, "inf": math.inf, "-inf": -math.inf, "1e15": 1e15, "1e300": 1e300}


def wkt(kind: str, value) -> str:
    x0 = X if value is None else value
    ring = [(x0, Y), (X + 500, Y), (X + 500, Y + 500), (X, Y + 500), (x0, Y)]

    def fmt(v):
        return "nan" if isinstance(v, float) and math.isnan(v) else ("inf" if v == math.inf else repr(v))

    def coords(extra=""):
        return ", ".join(f"{fmt(x)} {fmt(y)}{extra}" for x, y in ring)

    return KINDS[kind].format(
        r=coords(),
        rz=coords(" 10"),
        rm=coords(" 5"),
        rzm=coords(" 10 5"),
        a=f"{fmt(x0)} {Y}",
        b=f"{X + 400} {Y + 400}",
        m=f"{X + 200} {Y + 200}",
        c=f"{X + 400} {Y}",
    )


class Feature:
    """A minimal feature (what read_source reads): id, attribute, geometry."""

    def __init__(self, fid, geometry):
        self._fid, self._geometry = fid, geometry

    def id(self):
        return self._fid

    def attribute(self, name):
        return "C1" if name == "code" else None

    def geometry(self):
        return self._geometry


@pytest.mark.parametrize(("kind", "value"), list(itertools.product(KINDS, VALUES)))
def test_import_geometry_corpus(qgis_app, kind, value):
    geometry = QgsGeometry.fromWkt(wkt(kind, VALUES[value]))
    fields = QgsFields()
    fields.append(QgsField("code", QVariant.Type.String))
    records = read_source([Feature(7, geometry)], fields, "corpus", "code", None, None)
    check_coordinates(records, False, "corpus")
    cleaned = clean_polygons(records.geometries)
    if 0 in records.problems:
        assert "Feature 7" in records.problems[0]
        return
    polygon = cleaned[0]
    if polygon is None:  # not a polygon, empty or unreadable by QGIS: reported as "no polygon geometry"
        assert kind in ("LineString", "Point", "Empty") or geometry.isNull()
        return
    assert polygon.is_valid and not polygon.has_z and polygon.area > 0
    assert all(math.isfinite(c) for c in polygon.bounds)
    if kind in ("PolygonZ", "PolygonM", "PolygonZM", "MultiPolygonZM"):
        assert any("Z and M values" in note for note in records.notes)
    if kind in ("CurvePolygon", "MultiSurface", "CompoundRing"):
        assert any("curved features" in note for note in records.notes)


CRS_CASES = {
    "EPSG:4524": None,
    "EPSG:3857": None,
    "EPSG:32649": None,
    "EPSG:4326": "geographic",
    "EPSG:4490": "geographic",
    "EPSG:2227": "feet",
    "EPSG:2263": "feet",
    "EPSG:3361": "feet",
    "": "no coordinate reference system",
}


@pytest.mark.parametrize("authid", list(CRS_CASES))
def test_audit_crs_corpus(qgis_app, authid):
    crs = QgsCoordinateReferenceSystem(authid) if authid else QgsCoordinateReferenceSystem()
    expected = CRS_CASES[authid]
    if expected is None:
        check_crs(crs, "grids")
        return
    with pytest.raises(AuditStoreError) as raised:
        check_crs(crs, "grids")
    assert "grids" in str(raised.value) and expected in str(raised.value)


COUNT_VALUES = [
    ("3", 3),
    (3, 3),
    (3.0, 3),
    ("  12 ", 12),
    ("１２", 12),
    (0, 0),
    (-1, None),
    ("-1", None),
    (2.5, None),
    ("2.5", None),
    (math.nan, None),
    (math.inf, None),
    ("inf", None),
    ("三", None),
    ("", None),
    (None, None),
    ("abc", None),
    (True, 1),
    ("1e3", 1000),
    ("0x10", None),
]


@pytest.mark.parametrize(("value", "expected"), COUNT_VALUES)
def test_household_count_corpus(value, expected):
    assert _count_value(value) == expected


STAFF_SHEETS = [
    ([{"name": "王五", "phone": "13800000001"}], "王五 13800000001", "王五 ***"),
    ([{"name": "王五", "phone": "138-0000-0001"}], "call 13800000001", "call ***"),
    ([{"name": "王五", "phone": "138 0000 0001"}], "call 138 0000 0001", "call ***"),
    ([{"name": "王五", "phone": None}], "王五 has no phone", "王五 has no phone"),
    ([{"name": None, "phone": "13800000001"}], "13800000001", "***"),
    ([{"name": "王", "phone": "110"}], "王 110", "王 110"),  # too short to mask without damage
    ([{"name": "邓兰", "phone": ""}, {"name": "邓兰平", "phone": "1923546862"}], "邓兰平 1923546862", "邓兰平 ***"),
    ([], "nothing to mask 13800000001", "nothing to mask 13800000001"),
    ([{"name": "王五", "phone": "+86 138 0000 0001"}], "+86 138 0000 0001", "***"),
    ([{"name": "O'Brien", "phone": "(555) 010-9999"}], "(555) 010-9999 O'Brien", "*** O'Brien"),
]


@pytest.mark.parametrize(("rows", "text", "expected"), STAFF_SHEETS)
def test_staff_sheet_phone_corpus(rows, text, expected):
    scrub = filing.Scrubber(filing.personal_values(rows, phones=True, names=False))
    assert scrub(text) == expected
    names = filing.Scrubber(filing.personal_values(rows, phones=True, names=True))
    for row in rows:
        if row.get("name") and len(row["name"]) >= filing.MIN_NAME_LENGTH:
            assert row["name"] not in names(f"{row['name']} ok")
