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


# ---------------------------------------------------------------- files, tables and codes, through the algorithms
# Each case runs the real Processing algorithm on its own copy of one workspace: a clear message (the
# workspace unchanged) or the correct result — never a traceback.


@pytest.fixture(scope="module")
def county(tmp_path_factory, qgis_app):
    from devtools.synthetic import generate_city
    from plugin.adapters.workspace import write_workspace

    folder = tmp_path_factory.mktemp("corpus")
    data = generate_city(12, seed=3)
    write_workspace(folder / "ws.gpkg", data.info, data)
    codes = [c for c in data.grids["grid_level3"].codes if c]
    assert len(codes) >= 8
    return folder, codes


def workspace_copy(county, tmp_path):
    import shutil

    shutil.copy(county[0] / "ws.gpkg", tmp_path / "ws.gpkg")
    return tmp_path / "ws.gpkg"


def table_rows(path, sql):
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute(sql).fetchall()


def run_algorithm(name, parameters):
    """(results, None) or (None, message); a Python traceback fails the test."""
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):  # noqa: N802
            self.errors.append(error)

    feedback = Feedback()
    try:
        return processing.run(f"community_grids:{name}", parameters, feedback=feedback), None
    except QgsProcessingException as error:
        message = str(error)
        for text in (message, *feedback.errors):
            assert "Traceback" not in text and "There were errors executing" not in text, text
        return None, message


HEADER = "姓名,岗位,网格编码,联系电话\n"


def _good(codes):
    return f"张三,网格长,{codes[0]},13912345678\n李四,网格长,{codes[1]},13812345678\n"


def _xlsx(path, rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def _bad_rows_xlsx(path, codes):
    _xlsx(
        path,
        [
            ["姓名", "岗位", "网格编码", "联系电话"],
            ["王五", "网格长", codes[4], 13512345678],  # valid
            ["", "网格长", codes[5], 13512345679],  # no name
            ["赵六", "厨师", codes[6], 13512345670],  # unknown role
            ["孙七", "网格长", int(codes[7]), "abc"],  # bad phone
            [None, None, None, None],  # blank row: ignored
            ["周八", "网格长", 1.5, 13512345671],  # a number for a code
        ],
    )


# name -> (file name, payload(codes) -> bytes or writer(path, codes), extra parameters, expected)
# expected: (written, rejected, skipped) or the words of the refusal
STAFF_FILES = {
    "gbk": ("gbk.csv", lambda c: (HEADER + _good(c)).encode("gbk"), {}, (2, 0, 0)),
    "gb18030": ("gb18030.csv", lambda c: (HEADER + _good(c).replace("张三", "张𠀀")).encode("gb18030"), {}, (2, 0, 0)),
    "utf8-bom": ("bom.csv", lambda c: (HEADER + _good(c)).encode("utf-8-sig"), {}, (2, 0, 0)),
    "semicolons": ("semi.csv", lambda c: (HEADER + _good(c)).replace(",", ";").encode(), {}, (2, 0, 0)),
    "tabs": ("tabs.tsv", lambda c: (HEADER + _good(c)).replace(",", "\t").encode(), {}, (2, 0, 0)),
    "header only": ("header.csv", lambda c: HEADER.encode(), {}, (0, 0, 0)),
    "utf-16": ("utf16.csv", lambda c: (HEADER + _good(c)).encode("utf-16"), {}, "unknown text encoding"),
    "binary": ("junk.csv", lambda c: bytes(range(256)) * 8, {}, "unknown text encoding"),
    "empty file": ("empty.csv", lambda c: b"", {}, "no header row"),
    "missing column": (
        "nocode.csv",
        lambda c: "姓名,岗位,联系电话\n张三,网格长,13912345678\n".encode(),
        {},
        "is missing",
    ),
    "bad codes": (
        "codes.csv",
        lambda c: (
            (
                HEADER
                + f"甲,网格长,{c[0][:-1]},13912345678\n"  # one digit short
                + f"乙,网格长,{c[1]}0,13912345678\n"  # one digit long
                + "丙,网格长,61-09-02,13912345678\n"  # malformed
                + f"丁,网格长, {c[2]} ,13912345678\n"  # spaces around: trimmed, valid
                + f"戊,网格长,{c[3]},13912345678\n"
                + f"戊,网格长,{c[3]},13912345678\n"  # the same row again: skipped
            ).encode()
        ),
        {},
        (2, 3, 1),
    ),
    "xlsx bad rows": ("bad.xlsx", _bad_rows_xlsx, {}, (1, 4, 0)),
    "xlsx missing sheet": ("bad.xlsx", _bad_rows_xlsx, {"SHEET": "无此表"}, "does not exist"),
    "not a workbook": ("fake.xlsx", lambda c: b"not a workbook", {}, "not a zip file"),
    "ods sheet": ("staff.ods", lambda c: b"PK\x03\x04 an OpenDocument sheet", {}, "is a .ods file"),
}


@pytest.mark.parametrize("case", list(STAFF_FILES))
def test_staff_register_file_corpus(county, tmp_path, provider, case):
    name, payload, extra, expected = STAFF_FILES[case]
    workspace = workspace_copy(county, tmp_path)
    register = tmp_path / name
    if name.endswith(".xlsx") and payload is _bad_rows_xlsx:
        payload(register, county[1])
    else:
        register.write_bytes(payload(county[1]))
    before = table_rows(workspace, "SELECT * FROM staff")
    results, message = run_algorithm(
        "import_staff", {"INPUT": str(register), "WORKSPACE": str(workspace), "MODE": 0, **extra}
    )
    if isinstance(expected, str):
        assert results is None and expected in message and register.name in message, message
        assert table_rows(workspace, "SELECT * FROM staff") == before
        return
    assert (results["WRITTEN"], results["REJECTED"], results["SKIPPED"]) == expected
    names = [n for (n,) in table_rows(workspace, "SELECT name FROM staff ORDER BY fid")]
    assert len(names) == len(before) + expected[0]
    if case in ("gbk", "gb18030"):
        assert names[-2:] == (["张三", "李四"] if case == "gbk" else ["张𠀀", "李四"])  # decoded, not garbled


def test_a_locked_workspace_is_refused_for_every_table_write(county, tmp_path, provider):
    import sqlite3

    workspace = workspace_copy(county, tmp_path)
    register = tmp_path / "staff.csv"
    register.write_bytes((HEADER + _good(county[1])).encode())
    holder = sqlite3.connect(workspace, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing
    try:
        for name, parameters in (
            ("import_staff", {"INPUT": str(register), "WORKSPACE": str(workspace), "MODE": 1}),
            ("audit_workspace", {"WORKSPACE": str(workspace), "WRITE_TO_WORKSPACE": True}),
            ("rebuild_code_registry", {"WORKSPACE": str(workspace), "REBUILD": True}),
        ):
            results, message = run_algorithm(name, parameters)
            assert results is None and "locked" in message, (name, message)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert table_rows(workspace, "SELECT count(*) FROM staff") == [(0,)]


def test_a_read_only_file_system_is_refused(county, tmp_path, provider):
    """A workspace on a file system mounted read-only (root can write a chmod 444 file, not this)."""
    import os
    import shutil
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root (the CI runs as root)")
    disk = tmp_path / "ro"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("a tmpfs cannot be mounted here")
    try:
        shutil.copy(county[0] / "ws.gpkg", disk / "ws.gpkg")
        register = tmp_path / "staff.csv"
        register.write_bytes((HEADER + _good(county[1])).encode())
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        results, message = run_algorithm(
            "import_staff", {"INPUT": str(register), "WORKSPACE": str(disk / "ws.gpkg"), "MODE": 1}
        )
        assert results is None and "read-only" in message, message
        assert table_rows(disk / "ws.gpkg", "SELECT count(*) FROM staff") == [(0,)]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
        if os.path.ismount(disk):
            subprocess.run(["umount", "-l", str(disk)], check=False)


# a level 3 grid's code -> the audit rule that must name it
CODE_CASES = {
    "malformed": (lambda c: "ABC123", "code.malformed"),
    "one digit short": (lambda c: c[0][:-1], "code.malformed"),
    "one digit long": (lambda c: c[0] + "7", "code.malformed"),
    "full-width digits": (
        lambda c: c[0].translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "code.malformed",
    ),
    "duplicate": (lambda c: c[1], "code.duplicate"),
    "blank": (lambda c: "   ", "code.missing"),
    "another parent": (lambda c: c[0][:6] + "99999999001", "code.prefix"),
}


@pytest.mark.parametrize("case", list(CODE_CASES))
def test_grid_code_corpus(county, tmp_path, provider, case):
    from plugin.adapters.gpkg_write import WorkspaceWrite

    make, rule = CODE_CASES[case]
    code = make(county[1])
    workspace = workspace_copy(county, tmp_path)
    with WorkspaceWrite(workspace, "corpus") as write:
        fid = min(write.fids("grid_level3"))
        write.update("grid_level3", {fid: {"code": code}})
    _, message = run_algorithm("audit_workspace", {"WORKSPACE": str(workspace), "WRITE_TO_WORKSPACE": True})
    assert message is None
    found = table_rows(workspace, "SELECT rule_id, codes, feature_ids FROM audit_findings WHERE layer = 'grid_level3'")
    named = [r for r in found if r[0] == rule and (code.strip() in r[1] if code.strip() else str(fid) in r[2])]
    assert named, found


# a household table (CSV) -> the words of the refusal; the counts stay as they were
HOUSEHOLD_TABLES = {
    "gbk": (lambda c: ("grid_code,户数\n" + "".join(f"{x},3\n" for x in c)).encode("gbk"), "not UTF-8"),
    "no code column": (lambda c: "户数,人口\n3,9\n".encode(), "cannot be joined"),
    "header only": (lambda c: b"grid_code,households\n", "holds no points or rows"),
    "no code matches": (
        lambda c: ("grid_code,households\n" + "".join(f"X{x},3\n" for x in c)).encode(),
        "match no grid",
    ),
    "no usable count": (
        lambda c: ("grid_code,households\n" + "".join(f"{x},abc\n" for x in c)).encode(),
        "would lower",
    ),
    "empty file": (lambda c: b"", "exists but cannot be read"),
}


@pytest.mark.parametrize("case", list(HOUSEHOLD_TABLES))
def test_household_table_corpus(county, tmp_path, provider, case):
    payload, words = HOUSEHOLD_TABLES[case]
    workspace = workspace_copy(county, tmp_path)
    table = tmp_path / "households.csv"
    table.write_bytes(payload(county[1]))
    counts = "SELECT fid, households, population FROM grid_level3 ORDER BY fid"
    before = table_rows(workspace, counts)
    results, message = run_algorithm("attach_households", {"WORKSPACE": str(workspace), "INPUT": str(table)})
    assert results is None and words in message, message
    assert table_rows(workspace, counts) == before
