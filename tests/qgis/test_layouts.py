"""Public notice maps and work permits: layouts exported to PDF, read back, and rendered for a look.

The PDFs are opened with pypdf (and pdftotext when installed) and must show the names, codes and phones
of the workspace. Text extracted from PDFs made with the Noto CJK fonts may hold Kangxi radicals
(⽹ U+2F79 for 网), which NFKC normalisation turns back into the ordinary characters.

``COMMUNITY_GRIDS_DOC_IMAGES=1`` also writes docs/images/notice_map.png and docs/images/work_permits.png
(from the Hanbin sample when it builds, else from the small workspace here).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from plugin.core import permits, schema
from plugin.core.model import GridArray, WorkspaceData

ROOT = Path(__file__).resolve().parents[2]
TOWNSHIP = "610902100"  # 关庙镇
OTHER_TOWNSHIP_VILLAGE = "610902101001"
ORIGIN = (36_615_000.0, 3_610_000.0)  # EPSG:4524 (CGCS2000 / 3-degree GK zone 36, with zone prefix)
SUPERVISION = "0915-3612345"
HEAD_DUTIES = "统筹本网格信息采集、矛盾纠纷排查化解、安全隐患巡查、政策宣传和便民服务，督促网格员履职"
SAFETY_DUTIES = "负责本单位安全生产和治安防范，落实隐患排查整改，配合属地网格开展工作"
VILLAGES_CSV = ROOT / "resources" / "data" / "ankang_villages.csv"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国华明丽军伟芳娜秀英敏静强磊洋艳勇杰娟涛超霞平刚桂兰玉梅晓红文斌志宏海燕春燕凤云丽红"
NUMBERS = "一二三四五六七八九十"


def _names(n: int) -> list[str]:
    out, i = [], 0
    while len(out) < n:
        name = (
            SURNAMES[i % len(SURNAMES)]
            + GIVEN[(i * 7) % len(GIVEN)]
            + ("" if i % 3 else GIVEN[(i * 3 + 5) % len(GIVEN)])
        )
        if name not in out:
            out.append(name)
        i += 1
    return out


def township_villages(count: int) -> list[tuple[str, str, str]]:
    """The first ``count`` real villages and communities of 关庙镇: (code, name, area class)."""
    import csv

    with VILLAGES_CSV.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["town_code"] == TOWNSHIP]
    first = ("610902100001", "610902100201", "610902100202")  # 周台社区, 皂树村, 张山村
    rows.sort(key=lambda r: (first.index(r["code"]) if r["code"] in first else len(first), r["code"]))
    return [(r["code"], r["name"], "urban" if "社区" in r["name"] else "rural") for r in rows[:count]]


def small_workspace_data(n_villages: int = 3) -> tuple[WorkspaceData, dict]:
    """关庙镇 with ``n_villages`` villages (2 sections × 3 groups each), a school, a neighbour; staff."""
    x0, y0 = ORIGIN
    vw, vh = 3000.0, 4000.0
    per_row = 5
    villages = township_villages(n_villages)
    l1, l2, l3, ded = [], [], [], []
    for v, (code, name, area_class) in enumerate(villages):
        vx = x0 + (v % per_row) * vw
        vy = y0 - (v // per_row) * vh
        l1.append((box(vx, vy, vx + vw, vy + vh), code, TOWNSHIP, name, area_class))
        for s in range(2):
            sy = vy + vh - (s + 1) * vh / 2
            section = f"{code}{s + 1:02d}"
            l2.append((box(vx, sy, vx + vw, sy + vh / 2), section, code, f"{NUMBERS[s]}片区", area_class))
            for g in range(3):
                gx = vx + g * vw / 3
                group_name = f"{NUMBERS[s * 3 + g]}组" if area_class == "rural" else f"{NUMBERS[s * 3 + g]}号楼院"
                l3.append(
                    (box(gx, sy, gx + vw / 3, sy + vh / 2), f"{section}{g + 1:03d}", section, group_name, area_class)
                )
    first = villages[0][0]
    ded.append((box(x0 + 300, y0 + 2300, x0 + 800, y0 + 2700), f"{first}90", first, "关庙镇中心小学", "urban"))
    columns = min(len(villages), per_row)
    neighbour = box(x0 + columns * vw, y0, x0 + (columns + 1) * vw, y0 + vh)
    l1.append((neighbour, OTHER_TOWNSHIP_VILLAGE, "610902101", "高新社区居委会", "urban"))

    def array(layer_def, rows):
        n = len(rows)
        return GridArray.from_records(
            layer_def.name,
            layer_def.level,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            attributes={
                "kind": np.array(["dedicated" if layer_def.level == 0 else "comprehensive"] * n, dtype=object),
                "area_class": np.array([r[4] for r in rows], dtype=object),
                "status": np.array(["active"] * n, dtype=object),
                "households": np.full(n, 40, dtype=np.int64),
            },
        )

    grids = {
        schema.GRID_LEVEL1.name: array(schema.GRID_LEVEL1, l1),
        schema.GRID_LEVEL2.name: array(schema.GRID_LEVEL2, l2),
        schema.GRID_LEVEL3.name: array(schema.GRID_LEVEL3, l3),
        schema.GRID_DEDICATED.name: array(schema.GRID_DEDICATED, ded),
    }
    vacant = l3[4][1]  # one level 3 grid without a head
    heads = [r for r in (l1 + l2 + l3 + ded) if r[1] != vacant]
    names = _names(len(heads) + len(villages) + 1)
    staff = []
    for i, row in enumerate(heads):
        dedicated = row in ded
        staff.append(
            {
                "name": names[i],
                "phone": f"139{16000000 + i * 7919:08d}",
                "role": "grid_head",
                "grid_code": row[1],
                "supervision_phone": "0915-3234567" if row[1] == OTHER_TOWNSHIP_VILLAGE else SUPERVISION,
                "duties": SAFETY_DUTIES if dedicated else HEAD_DUTIES,
                "position": "安全负责人" if dedicated else ("村党支部书记" if len(row[1]) == 12 else "村民小组长"),
                "safety_officer": dedicated,
                "photo_path": "photos/head_0.png" if i == 0 else None,
            }
        )
    for j, (code, _, _) in enumerate(villages):
        staff.append(
            {
                "name": names[len(heads) + j],
                "phone": f"138{29000000 + j:08d}",
                "role": "grid_admin",
                "grid_code": code,
                "supervision_phone": SUPERVISION,
                "duties": "负责网格划分和编码维护",
                "position": "专职网格员",
            }
        )
    divisions = [
        {"code": code, "name": name, "town_code": TOWNSHIP, "town_name": "关庙镇", "ur_code": "122"}
        for code, name, _ in villages
    ]
    divisions.append(
        {"code": OTHER_TOWNSHIP_VILLAGE, "name": "高新社区居委会", "town_code": "610902101", "town_name": "张滩镇"}
    )
    info = schema.WorkspaceInfo(county_code="610902", county_name="汉滨区", crs="EPSG:4524")
    data = WorkspaceData(
        info=info,
        grids=grids,
        county_boundary=shapely.union_all([r[0] for r in l1]).buffer(500).envelope,
        staff=staff,
        divisions=divisions,
    )
    return data, {"vacant": vacant, "heads": heads, "staff": staff, "villages": villages}


def pdf_text(path: Path) -> list[str]:
    """The text of every page, NFKC-normalised (Kangxi radicals → ordinary characters), spaces removed."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return [_normal(page.extract_text() or "") for page in reader.pages]


# Qt's PDF text maps name each glyph by the lowest code point that shares it, so some characters come out as
# CJK radicals (⽹ for 网, ⺠ for 民). NFKC maps the Kangxi radicals back; the CJK Radicals Supplement needs
# the table below (from Unicode's EquivalentUnifiedIdeograph.txt, block U+2E80–U+2EFF).
_RADICALS = str.maketrans(
    "⺁⺂⺃⺄⺅⺆⺇⺈⺉⺊⺋⺌⺍⺎⺏⺐⺑⺒⺓⺔⺕⺖⺗⺘⺙⺛⺜⺝⺞⺟⺠⺡⺢⺣⺤⺥⺦⺧⺨⺩⺪⺫⺬⺭⺮⺯⺰⺱⺲⺳⺴⺵⺶⺷⺸⺹⺺⺻⺼⺽⺾⺿⻀⻁⻂⻃⻄"
    "⻅⻆⻇⻈⻉⻊⻋⻌⻍⻎⻏⻐⻑⻒⻓⻔⻕⻖⻗⻘⻙⻚⻛⻜⻝⻞⻟⻠⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻫⻬⻭⻮⻯⻰⻱⻲⻳",
    "厂乛乚乙亻冂𠘨刀刂卜㔾小小兀尣尢𡯂巳幺彑\U0002b739忄心扌攵旡日月歺母民氵氺灬爫爫丬牛犭王𤴔目示礻𥫗糹纟罓罒㓁冗𦉫羊𦍌𦍋耂肀聿肉𦥑艹艹艹虎衤"
    "覀西见角𧢲讠贝𧾷车辶辶辶邑钅長镸长门𨸏阝雨青韦页风飞食𩙿飠饣𩠐马骨鬼鱼鸟卤麦黄黾斉齐歯齿竜龙龜亀龟",
)


def _normal(text: str) -> str:
    """Text as extracted and as expected made comparable: NFKC, radicals mapped, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).translate(_RADICALS).split())


def has(expected: str, text: str) -> bool:
    return _normal(expected) in text


def count(expected: str, text: str) -> int:
    return text.count(_normal(expected))


def pdftotext(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return _normal(out.stdout.decode("utf-8", "replace"))


def _png_photo(path: Path) -> Path:
    """A small portrait photo (a grey silhouette on blue) for the permits."""
    from qgis.PyQt.QtGui import QColor, QImage, QPainter

    image = QImage(240, 320, QImage.Format.Format_RGB32)
    image.fill(QColor("#4a78b8"))
    painter = QPainter(image)
    painter.setBrush(QColor("#e8e8e8"))
    painter.drawEllipse(75, 60, 90, 110)
    painter.drawEllipse(30, 190, 180, 200)
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path), "PNG")
    return path


def _write(folder: Path, n_villages: int):
    from plugin.adapters.workspace import open_workspace, write_workspace

    data, meta = small_workspace_data(n_villages)
    path = folder / f"guanmiao_{n_villages}.gpkg"
    write_workspace(path, data.info, data)
    _png_photo(folder / "photos" / "head_0.png")
    return open_workspace(path), meta


@pytest.fixture(scope="module")
def small(tmp_path_factory, qgis_app):
    return _write(tmp_path_factory.mktemp("layouts"), 3)


@pytest.fixture(scope="module")
def large(tmp_path_factory, qgis_app):
    return _write(tmp_path_factory.mktemp("layouts_large"), 23)


DAY = dt.date(2025, 11, 20)


# ---------------------------------------------------------------- content (pure)


def test_scope_from_code_name_and_short_name():
    data, _ = small_workspace_data(3)
    township = permits.resolve_scope(data, "610902100")
    assert (township.kind, township.name, township.township_name) == ("township", "关庙镇", "关庙镇")
    assert permits.resolve_scope(data, "关庙镇") == township
    village = permits.resolve_scope(data, "皂树村")
    assert (village.code, village.kind, village.name) == ("610902100201", "village", "皂树村")
    assert permits.resolve_scope(data, "皂树村委会") == village
    assert permits.resolve_scope(data, " 610902100201 ") == village
    assert permits.resolve_scope(data, "周台社区").code == "610902100001"
    for text, reason in (("", "empty"), ("610902", "county"), ("610902199", "not_found"), ("高山村", "not_found")):
        with pytest.raises(permits.ScopeError) as error:
            permits.resolve_scope(data, text)
        assert error.value.reason == reason, text


def test_grids_and_heads_in_scope():
    data, meta = small_workspace_data(3)
    scope = permits.resolve_scope(data, "610902100")
    grids = permits.grids_in_scope(data, scope)
    codes = [g.code for g in grids]
    assert codes == sorted(codes)  # a tree walk: each village, then its sections and groups
    assert len(grids) == 3 + 6 + 18 + 1
    assert OTHER_TOWNSHIP_VILLAGE not in codes
    by_code = {g.code: g for g in grids}
    assert by_code["61090210020101002"].path_name == "皂树村一片区二组"
    assert by_code["610902100001"].path_name == "周台社区"
    assert by_code["61090210000190"].path_name == "周台社区关庙镇中心小学"
    heads = permits.grid_heads(data, grids)
    vacant = [h for h in heads if h.vacant]
    assert [h.grid.code for h in vacant] == [meta["vacant"]]
    assert len(permits.permit_holders(heads)) == len(grids) - 1
    only_level1 = permits.grids_in_scope(data, scope, levels=(1,))
    assert [g.level for g in only_level1] == [1, 1, 1]
    # retired grids are left out
    level3 = data.grids[schema.GRID_LEVEL3.name]
    level3.attributes["status"][0] = "retired"
    assert len(permits.grids_in_scope(data, scope)) == len(grids) - 1


def test_duties_once_or_marked():
    data, _ = small_workspace_data(3)
    village = permits.resolve_scope(data, "张山村")
    heads = permits.grid_heads(data, permits.grids_in_scope(data, village))
    assert permits.shared_duties(heads) == HEAD_DUTIES
    assert permits.duties_note(heads).startswith("网格长工作职责：统筹")
    township = permits.resolve_scope(data, "关庙镇")
    heads = permits.grid_heads(data, permits.grids_in_scope(data, township))
    assert permits.duty_markers(heads) == {HEAD_DUTIES: "①", SAFETY_DUTIES: "②"}
    rows = permits.notice_rows(heads, ("code", "duty_marker"))
    assert ["61090210000190", "②"] in rows
    note = permits.duties_note(heads, "en")
    assert "① " + HEAD_DUTIES in note and "② " + SAFETY_DUTIES in note


def test_wrap_text_breaks_chinese_and_keeps_words():
    text = "统筹本网格信息采集、矛盾纠纷排查化解、安全隐患巡查"
    wrapped = permits.wrap_text(text, 10)
    assert wrapped.replace("\n", "") == text
    assert all(permits.text_width(line) <= 10 for line in wrapped.split("\n"))
    assert not any(line.startswith(("、", "，")) for line in wrapped.split("\n"))
    assert permits.wrap_text("grid head of section 61090210020101", 12).split("\n")[-1] == "61090210020101"
    short = permits.wrap_text(text * 3, 10, max_lines=2)
    assert short.count("\n") == 1 and short.endswith("…")


def test_wording_in_both_languages():
    data, _ = small_workspace_data(3)
    scope = permits.resolve_scope(data, "关庙镇")
    assert permits.notice_title(scope) == "关庙镇网格划分公示图"
    assert permits.default_issuer(scope) == "关庙镇人民政府"
    assert permits.default_issuer(scope, "en") == "People's Government of 关庙镇"
    assert permits.format_date(DAY) == "2025年11月20日"
    assert permits.format_date(DAY, "en") == "2025-11-20"
    assert permits.short_place_name("周台社区居委会") == "周台社区"
    assert permits.short_place_name("张山村民委员会") == "张山村"
    assert permits.short_place_name("新城社区居民委员会") == "新城社区"


# ---------------------------------------------------------------- PDFs


def test_notice_map_of_a_township(small, tmp_path):
    from plugin.adapters import layouts

    workspace, meta = small
    data = layouts.read_publication_data(workspace)
    scope = permits.resolve_scope(data, "610902100")
    options = layouts.NoticeOptions(paper="A3", day=DAY)
    path, printed = layouts.export_notice(workspace, scope, tmp_path / "notice.pdf", options, data)
    assert path.exists() and not list(tmp_path.glob(".*tmp*"))
    assert (printed.pages, printed.grids, printed.heads) == (1, 28, 27)
    pages = pdf_text(path)
    assert len(pages) == 1
    text = pages[0]
    for expected in (
        "关庙镇网格划分公示图",
        "发布单位：关庙镇人民政府",
        "公示日期：2025年11月20日",
        "（待配备）",
        SUPERVISION,
    ):
        assert has(expected, text), expected
    assert has(HEAD_DUTIES[:20], text) and has(SAFETY_DUTIES[:15], text)
    for row in meta["heads"]:
        if row[1] != OTHER_TOWNSHIP_VILLAGE:
            assert has(row[1], text), row[1]
    for person in meta["staff"]:
        if person["role"] == "grid_head" and person["grid_code"] != OTHER_TOWNSHIP_VILLAGE:
            assert has(person["name"], text) and has(person["phone"], text), person["name"]
    for name in ("周台社区", "皂树村", "张山村", "关庙镇中心小学", "一片区", "六组"):
        assert has(name, text), name
    neighbour = next(p for p in meta["staff"] if p["grid_code"] == OTHER_TOWNSHIP_VILLAGE)
    assert not has(neighbour["name"], text)
    from pypdf import PdfReader

    box = PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (420, 297)
    plain = pdftotext(path)
    if plain is not None:
        assert has("关庙镇网格划分公示图", plain) and not has(neighbour["name"], plain)


def test_notice_map_of_a_village_on_a4_in_english(small, tmp_path):
    from plugin.adapters import layouts

    workspace, _ = small
    data = layouts.read_publication_data(workspace)
    scope = permits.resolve_scope(data, "皂树村")
    options = layouts.NoticeOptions(paper="A4", day=DAY, language="en", issuer="Guanmiao township")
    path, printed = layouts.export_notice(workspace, scope, tmp_path / "village", options, data)
    assert path.name == "village.pdf"
    assert printed.grids == 1 + 2 + 6
    (text,) = pdf_text(path)
    assert has("Grid division of 皂树村: public notice", text)
    assert has("Issued by: Guanmiao township", text) and has("2025-11-20", text)
    assert has("61090210020102003", text)
    assert not has("610902100001", text) and not has("610902100202", text)  # other villages: context only
    from pypdf import PdfReader

    box = PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)


def test_long_notice_continues_on_further_pages(large, tmp_path):
    from plugin.adapters import layouts

    workspace, meta = large
    data = layouts.read_publication_data(workspace)
    scope = permits.resolve_scope(data, "关庙镇")
    path, printed = layouts.export_notice(workspace, scope, tmp_path / "long.pdf", layouts.NoticeOptions("A4"), data)
    pages = pdf_text(path)
    assert printed.pages == len(pages) >= 3
    assert printed.grids == 23 * (1 + 2 + 6) + 1
    everything = "".join(pages)
    for village_code, _, _ in meta["villages"]:
        assert has(village_code, everything)
    for person in meta["staff"]:
        if person["role"] == "grid_head" and person["grid_code"] != OTHER_TOWNSHIP_VILLAGE:
            assert has(person["name"], everything), person["name"]
    for number, text in enumerate(pages, start=1):
        assert has(f"第 {number} 页　共 {len(pages)} 页", text)
        assert has("发布单位：关庙镇人民政府", text)
        if number > 1:
            assert has("关庙镇网格划分公示图（续）", text)
    assert all(len(text) > 300 for text in pages)  # no empty page


def test_work_permits(small, tmp_path):
    from plugin.adapters import layouts

    workspace, meta = small
    data = layouts.read_publication_data(workspace)
    scope = permits.resolve_scope(data, "关庙镇")
    options = layouts.PermitOptions(day=DAY)
    path, printed = layouts.export_permits(workspace, scope, tmp_path / "permits.pdf", options, data)
    holders = [p for p in meta["staff"] if p["role"] == "grid_head" and p["grid_code"] != OTHER_TOWNSHIP_VILLAGE]
    holders.sort(key=lambda p: p["grid_code"])  # cards follow the grids' tree, i.e. their codes
    assert printed.heads == len(holders) == 27
    assert printed.pages == 4 and printed.missing_photos == []
    pages = pdf_text(path)
    assert len(pages) == 4
    for index, person in enumerate(holders):  # in grid order, eight to a page
        page = pages[index // layouts.PERMITS_PER_PAGE]
        for value in (person["name"], person["phone"], person["grid_code"], person["position"]):
            assert has(value, page), (index, value)
    for number, (page, cards) in enumerate(zip(pages, (8, 8, 8, 3)), start=1):
        assert has(f"关庙镇 网格长工作证　第 {number} 页　共 4 页", page)  # the page's header
        assert count("网格长工作证", page) == cards + 1
        for value in ("（盖章）", "发证单位：关庙镇人民政府", SUPERVISION):
            assert count(value, page) == cards, value
    assert has("皂树村一片区二组", "".join(pages))
    assert not has(meta["vacant"], "".join(pages))
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    assert "/XObject" in str(reader.pages[0]["/Resources"])  # the photo of the first card is embedded


def test_missing_photo_is_reported(small, tmp_path):
    from plugin.adapters import layouts

    workspace, _ = small
    data = layouts.read_publication_data(workspace)
    row = next(r for r in data.staff if r["grid_code"] == "61090210000101")  # a section head of 周台社区
    row["photo_path"] = "photos/nobody.jpg"
    scope = permits.resolve_scope(data, "周台社区")
    _, printed = layouts.export_permits(workspace, scope, tmp_path / "p.pdf", layouts.PermitOptions(day=DAY), data)
    assert printed.missing_photos == ["photos/nobody.jpg"]


# ---------------------------------------------------------------- Processing


def test_processing_algorithms(small, provider, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    workspace, _ = small
    notice = processing.run(
        "community_grids:public_notice_map",
        {
            "WORKSPACE": str(workspace.path),
            "AREA": "关庙镇",
            "PAPER": 1,
            "ISSUER": "汉滨区关庙镇人民政府",
            "DATE": "2025-11-20",
            "OUTPUT": str(tmp_path / "notice.pdf"),
        },
    )
    assert (notice["GRIDS"], notice["HEADS"]) == (28, 27)
    text = "".join(pdf_text(Path(notice["OUTPUT"])))
    assert notice["PAGES"] == len(pdf_text(Path(notice["OUTPUT"]))) == 2  # A4: the table goes on
    assert has("发布单位：汉滨区关庙镇人民政府", text) and has("2025年11月20日", text)
    cards = processing.run(
        "community_grids:work_permits",
        {"WORKSPACE": str(workspace.path), "AREA": "610902100202", "LEVELS": [0, 1], "OUTPUT": str(tmp_path / "p.pdf")},
    )
    assert (cards["HEADS"], cards["PAGES"]) == (3, 1)  # the village head and its two section heads
    assert has("张山村", pdf_text(Path(cards["OUTPUT"]))[0])
    with pytest.raises(QgsProcessingException, match="not a township or village"):
        processing.run(
            "community_grids:work_permits",
            {"WORKSPACE": str(workspace.path), "AREA": "610902199", "OUTPUT": str(tmp_path / "x.pdf")},
        )
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- a look at the pages


def _render(pdf: Path, png: Path, dpi: int, page: int = 1) -> Path:
    stem = png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    return png


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_pages_render(tmp_path, qgis_app):
    """Render the first pages with poppler; with COMMUNITY_GRIDS_DOC_IMAGES=1 also the README's pictures."""
    from qgis.PyQt.QtGui import QImage

    from plugin.adapters import layouts

    if os.environ.get("COMMUNITY_GRIDS_DOC_IMAGES"):
        workspace, data, township = _doc_workspace(tmp_path)
        out = ROOT / "docs" / "images"
        out.mkdir(parents=True, exist_ok=True)
    else:
        workspace, _ = _write(tmp_path, 3)
        data, township, out = layouts.read_publication_data(workspace), "关庙镇", tmp_path
    try:
        scope = permits.resolve_scope(data, township)
        notice, _ = layouts.export_notice(workspace, scope, tmp_path / "n.pdf", layouts.NoticeOptions(day=DAY), data)
        cards, _ = layouts.export_permits(workspace, scope, tmp_path / "c.pdf", layouts.PermitOptions(day=DAY), data)
    finally:
        workspace.layers.clear()  # the layers belong to no project: free them while QGIS is still up
    for pdf, name, dpi in ((notice, "notice_map.png", 110), (cards, "work_permits.png", 110)):
        png = _render(pdf, out / name, dpi)
        image = QImage(str(png))
        assert image.width() > 800 and image.height() > 800
        colours = {image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 17)}
        assert len(colours) > 20  # not a blank page


def _doc_workspace(folder: Path):
    """The Hanbin sample (one township) when it builds, else the 23-village workspace of these tests."""
    from plugin.adapters import layouts
    from plugin.adapters.workspace import open_workspace, write_workspace

    try:
        from plugin.core.sample import build_sample

        sample = build_sample()
        path = write_workspace(folder / "hanbin.gpkg", sample.data.info, sample.data)
        workspace = open_workspace(path)
        data = layouts.read_publication_data(workspace)
        return workspace, data, "关庙镇"
    except Exception:  # noqa: BLE001 - the sample is optional for the pictures
        workspace, _ = _write(folder, 23)
        return workspace, layouts.read_publication_data(workspace), "关庙镇"


def test_wrap_text_leaves_no_single_character_on_the_last_line():
    text = "统筹本网格信息采集、矛盾纠纷排查化解、安全隐患巡查、政策宣传和便民服务，督促网格员履职"
    lines = permits.wrap_text(text, 22).split("\n")
    assert "".join(lines) == text and len(lines[-1]) >= 2
    assert permits.wrap_text("abcdefgh x", 5).split("\n") == ["abcdefgh", "x"]  # Latin words are never split
