"""Staff register: phones, roles, CSV/XLSX import and the staffing audit (§7.4, §8.1, §8.2)."""

from __future__ import annotations

import openpyxl
import pytest
import shapely

from plugin.core.findings import Severity
from plugin.core.model import GridArray
from plugin.core.staffing import (
    RULE_BAD_PHONE,
    RULE_BAD_ROLE,
    RULE_BAD_VALUE,
    RULE_DEDICATED_HEAD,
    RULE_FILE,
    RULE_MISSING_NAME,
    RULE_NO_GRID_ADMIN,
    RULE_NO_GRID_HEAD,
    RULE_NO_PHONE,
    RULE_UNKNOWN_GRID,
    evaluate_staffing,
    normalize_phone,
    parse_role,
    read_staff_table,
    staffed_codes,
)

V = "610902001003"
X0, Y0 = 36_500_000.0, 3_600_000.0


# ---------------------------------------------------------------- phones and roles


@pytest.mark.parametrize(
    ("text", "normalized", "kind"),
    [
        ("13912345678", "13912345678", "mobile"),
        ("139 1234 5678", "13912345678", "mobile"),
        ("139-1234-5678", "13912345678", "mobile"),
        ("+86 139 1234 5678", "13912345678", "mobile"),
        ("+86-13912345678", "13912345678", "mobile"),
        ("0086 13912345678", "13912345678", "mobile"),
        ("8613912345678", "13912345678", "mobile"),
        ("１３９１２３４５６７８", "13912345678", "mobile"),  # full-width digits
        (13912345678, "13912345678", "mobile"),  # a spreadsheet number
        (13912345678.0, "13912345678", "mobile"),
        ("0915-3212345", "0915-3212345", "landline"),
        ("09153212345", "0915-3212345", "landline"),
        ("0915 3212345", "0915-3212345", "landline"),
        ("(0915)3212345", "0915-3212345", "landline"),
        ("010-12345678", "010-12345678", "landline"),
        ("01012345678", "010-12345678", "landline"),
        ("029-88881234", "029-88881234", "landline"),
        ("0915-3212345转801", "0915-3212345-801", "landline"),
        ("0915-3212345 ext. 12", "0915-3212345-12", "landline"),
        ("0915-3212345-801", "0915-3212345-801", "landline"),
        ("+86 915 3212345", "0915-3212345", "landline"),
        ("", None, ""),
        (None, None, ""),
    ],
)
def test_valid_phones(text, normalized, kind):
    phone = normalize_phone(text)
    assert (phone.normalized, phone.kind) == (normalized, kind)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1391234567", "11 位"),  # 10 digits
        ("139123456789", "11 位"),  # 12 digits
        ("12912345678", "11 位"),  # 12x is not a mobile prefix
        ("3212345", "缺少区号"),
        ("9153212345", "0 去掉"),  # the spreadsheet dropped the leading 0
        ("0915-321234", "位数不对"),
        ("0915-321234567", "位数不对"),
        ("13912345678转8", "11 位"),  # a mobile has no extension
        ("张三", "非数字"),
        ("12345", "11 位"),  # a hotline is no personal phone
    ],
)
def test_invalid_phones(text, hint):
    phone = normalize_phone(text)
    assert phone.normalized is None and phone.kind == "invalid"
    assert hint in phone.hint_zh
    assert phone.hint_en


def test_supervision_phone_may_be_a_hotline():
    assert normalize_phone("12345", allow_service=True).normalized == "12345"
    assert normalize_phone("400 123 4567", allow_service=True).normalized == "4001234567"
    assert normalize_phone("0915-12345", allow_service=True).kind == "invalid"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("网格长", "grid_head"),
        ("三级网格长", "grid_head"),
        ("专属网格长", "grid_head"),
        ("grid head", "grid_head"),
        ("Grid_Head", "grid_head"),
        ("网格管理员", "grid_admin"),
        ("grid administrator", "grid_admin"),
        ("监督员", "supervisor"),
        ("网格员", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_role(text, role):
    assert parse_role(text) == role


# ---------------------------------------------------------------- reading files

HEADER_ZH = ["序号", "姓名", "岗位", "网格编码", "联系电话", "监督电话", "职务", "单位安全负责人"]


def write_csv(path, rows, encoding="utf-8-sig", delimiter=","):
    text = "\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_read_csv_with_chinese_headers(tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            HEADER_ZH,
            [1, "张 三", "网格长", f"{V}01001", "139 1234 5678", "12345", "组长", "否"],
            [2, "李四", "网格管理员", V, "0915-3212345", "", "村委委员", ""],
            [],
            [3, "王五", "专属网格长", f"{V}Z01", "+86 13812345678", "", "安全科长", "是"],
        ],
    )
    rows, problems = read_staff_table(path)
    assert problems == []
    assert [r["_row"] for r in rows] == [2, 3, 5]
    first = rows[0]
    assert first["name"] == "张三"  # padding inside a Chinese name is dropped
    assert first["role"] == "grid_head"
    assert first["grid_code"] == f"{V}01001"
    assert first["phone"] == "13912345678"
    assert first["supervision_phone"] == "12345"
    assert first["position"] == "组长"
    assert first["safety_officer"] is False
    assert rows[1]["role"] == "grid_admin" and rows[1]["phone"] == "0915-3212345"
    assert rows[2]["safety_officer"] is True and rows[2]["phone"] == "13812345678"
    assert set(first) >= {"name", "phone", "role", "grid_code", "supervision_phone", "duties", "photo_path", "_row"}


def test_read_gb18030_csv_with_english_headers_and_semicolons(tmp_path):
    path = write_csv(
        tmp_path / "staff_gbk.csv",
        [["Name", "Role", "Grid code", "Phone"], ["赵六", "grid head", f"{V}01002", "13912345678"]],
        encoding="gb18030",
        delimiter=";",
    )
    rows, problems = read_staff_table(path)
    assert problems == []
    assert rows == [
        {
            "name": "赵六",
            "phone": "13912345678",
            "role": "grid_head",
            "grid_code": f"{V}01002",
            "supervision_phone": "",
            "duties": "",
            "position": "",
            "safety_officer": False,
            "photo_path": "",
            "_row": 2,
        }
    ]


def test_read_xlsx_with_title_row_and_numeric_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "网格长名单"
    ws.append(["西大街社区网格工作人员名单"])
    ws.merge_cells("A1:F1")
    ws.append(["姓名", "岗位", "网格编码（必填）", "手机号码", "是否安全负责人", "工作职责"])
    ws.append(["陈七", "网格长", int(f"{V}01"), 13912345678, None, "信息采集"])
    ws.append(["周八", "监督员", f"{V}01001", "0915-3212345转8", "是", None])
    ws.append([None, None, None, None, None, None])
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    rows, problems = read_staff_table(path)
    assert problems == []
    assert [r["_row"] for r in rows] == [3, 4]
    assert rows[0]["grid_code"] == f"{V}01"  # a number cell becomes the code text
    assert rows[0]["phone"] == "13912345678"
    assert rows[0]["duties"] == "信息采集"
    assert rows[1]["role"] == "supervisor"
    assert rows[1]["phone"] == "0915-3212345-8"
    assert rows[1]["safety_officer"] is True


def test_long_codes_stored_as_numbers_are_flagged(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "岗位", "网格编码", "电话"])
    wb.active.append(["陈七", "网格长", float(f"{V}01001"), "13912345678"])
    path = tmp_path / "numeric_codes.xlsx"
    wb.save(path)
    _, problems = read_staff_table(path)
    (p,) = problems
    assert (p.row, p.field, p.rule_id, p.severity) == (2, "grid_code", RULE_BAD_VALUE, Severity.WARNING)
    assert "15 位" in p.message_zh and "as text" in p.message_en


def test_read_xlsx_picks_the_sheet_with_the_register(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["说明：本表用于备案"])
    ws = wb.create_sheet("名单")
    ws.append(["姓名", "岗位", "网格编码", "电话"])
    ws.append(["陈七", "网格长", "X1", "13912345678"])
    path = tmp_path / "two_sheets.xlsx"
    wb.save(path)
    rows, problems = read_staff_table(path)
    assert problems == [] and rows[0]["name"] == "陈七"


def test_mapping_overrides_headers(tmp_path):
    path = write_csv(
        tmp_path / "custom.csv",
        [["负责人", "类别", "网格", "电话"], ["孙九", "网格长", "G1", "13912345678"]],
    )
    rows, problems = read_staff_table(path, mapping={"name": "负责人", "role": "类别", "grid_code": "网格"})
    assert problems == []
    assert (rows[0]["name"], rows[0]["role"], rows[0]["grid_code"], rows[0]["phone"]) == (
        "孙九",
        "grid_head",
        "G1",
        "13912345678",
    )


def test_malformed_rows_are_reported_with_row_name_and_code(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            HEADER_ZH,
            [1, "", "网格长", f"{V}01001", "13912345678", "", "", ""],
            [2, "吴十", "网格员", f"{V}01002", "1391234567", "", "", "也许"],
            [3, "郑一", "网格长", "", "", "", "", ""],
        ],
    )
    rows, problems = read_staff_table(path)
    assert len(rows) == 3
    got = [(p.row, p.rule_id) for p in problems]
    assert got == [
        (2, RULE_MISSING_NAME),
        (3, RULE_BAD_ROLE),
        (3, RULE_BAD_PHONE),
        (3, RULE_BAD_VALUE),
        (4, RULE_NO_PHONE),
        (4, RULE_UNKNOWN_GRID),
    ]
    missing, role, phone, value, _, code = problems
    assert missing.severity is Severity.ERROR
    assert "第 2 行" in missing.message_zh and "缺少姓名" in missing.message_zh and f"{V}01001" in missing.message_zh
    assert "row 2" in missing.message_en and "name is missing" in missing.message_en
    assert "吴十" in role.message_zh and "网格员" in role.message_zh and f"{V}01002" in role.message_zh
    assert "row 3 (吴十" in role.message_en
    assert phone.severity is Severity.WARNING and "1391234567" in phone.message_zh and "11 位" in phone.message_zh
    assert "is invalid" in phone.message_en
    assert rows[1]["phone"] == "1391234567"  # kept as written
    assert "也许" in value.message_zh
    assert "第 4 行（郑一" in code.message_zh and "未填写网格编码" in code.message_zh


def test_missing_columns_and_unreadable_files(tmp_path):
    path = write_csv(tmp_path / "nocode.csv", [["姓名", "岗位"], ["陈七", "网格长"]])
    rows, problems = read_staff_table(path)
    assert [(p.rule_id, p.field) for p in problems if p.row is None] == [(RULE_FILE, "grid_code")]
    assert "网格编码" in problems[0].message_zh and "grid code" in problems[0].message_en

    path = write_csv(tmp_path / "noheader.csv", [["a", "b"], ["1", "2"]])
    rows, problems = read_staff_table(path)
    assert rows == [] and problems[0].rule_id == RULE_FILE and "表头" in problems[0].message_zh

    (tmp_path / "staff.ods").write_bytes(b"x")
    rows, problems = read_staff_table(tmp_path / "staff.ods")
    assert rows == [] and "unsupported" in problems[0].message_en

    rows, problems = read_staff_table(tmp_path / "absent.csv")
    assert rows == [] and problems[0].rule_id == RULE_FILE and "absent.csv" in problems[0].message_zh

    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    rows, problems = read_staff_table(tmp_path / "broken.xlsx")
    assert rows == [] and problems[0].rule_id == RULE_FILE


# ---------------------------------------------------------------- audit


def grids():
    box = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    l1 = GridArray.from_records(
        "grid_level1", 1, [box, box], [V, "610902001004"], [None, None], ["西大街社区", "培新街社区"]
    )
    l2 = GridArray.from_records("grid_level2", 2, [box], [f"{V}01"], [V], ["一片"])
    l3 = GridArray.from_records(
        "grid_level3",
        3,
        [box, box, box],
        [f"{V}01001", f"{V}01002", f"{V}01003"],
        [f"{V}01"] * 3,
        ["一组", "二组", "三组"],
        attributes={"status": ["active", "active", "retired"]},
    )
    ded = GridArray.from_records(
        "grid_dedicated",
        0,
        [box, box],
        [f"{V}Z01", f"{V}Z02"],
        [V, V],
        ["安康中学", "汉江厂"],
        attributes={"kind": ["dedicated", "dedicated"]},
    )
    return {g.layer: g for g in (l1, l2, l3, ded)}


def staff_row(name, role, code, phone="13912345678", **extra):
    return {"name": name, "role": role, "grid_code": code, "phone": phone, **extra}


def full_staff():
    return [
        staff_row("甲", "grid_head", V),
        staff_row("乙", "grid_admin", V),
        staff_row("丙", "grid_head", "610902001004"),
        staff_row("丁", "grid_admin", "610902001004"),
        staff_row("戊", "grid_head", f"{V}01"),
        staff_row("己", "grid_head", f"{V}01001"),
        staff_row("庚", "grid_head", f"{V}01002"),
        staff_row("辛", "grid_head", f"{V}Z01", safety_officer=True),
        staff_row("壬", "grid_head", f"{V}Z02", position="安全负责人"),
    ]


def test_fully_staffed_register_has_no_findings():
    assert evaluate_staffing(grids(), full_staff()) == []
    assert staffed_codes(full_staff()) == {V, "610902001004", f"{V}01", f"{V}01001", f"{V}01002", f"{V}Z01", f"{V}Z02"}


def test_grids_without_head_or_admin():
    staff = [r for r in full_staff() if r["name"] not in ("丁", "己", "辛")]
    staff.append(staff_row("", "grid_head", f"{V}01001"))  # a nameless head does not count
    findings = evaluate_staffing(grids(), staff)
    heads = [f for f in findings if f.rule_id == RULE_NO_GRID_HEAD]
    assert sorted(f.codes for f in heads) == [(f"{V}01001",), (f"{V}Z01",)]
    assert all(f.severity is Severity.ERROR for f in heads)
    head = next(f for f in heads if f.codes == (f"{V}01001",))
    assert head.layer == "grid_level3" and head.fids == (1,) and head.geometry is not None
    assert "网格 610902001003" in head.message_zh and "（一组）未配备网格长" in head.message_zh
    assert "has no grid head" in head.message_en
    (admin,) = [f for f in findings if f.rule_id == RULE_NO_GRID_ADMIN]
    assert admin.codes == ("610902001004",) and admin.layer == "grid_level1"
    assert "培新街社区" in admin.message_zh and "网格管理员" in admin.message_zh
    assert "no grid administrator" in admin.message_en
    assert [f.rule_id for f in findings if f.layer == "staff"] == [RULE_MISSING_NAME]


def test_admin_on_a_lower_grid_does_not_count_for_the_village():
    staff = [r for r in full_staff() if r["name"] != "乙"] + [staff_row("乙", "grid_admin", f"{V}01")]
    findings = evaluate_staffing(grids(), staff)
    assert [(f.rule_id, f.codes) for f in findings] == [(RULE_NO_GRID_ADMIN, (V,))]


def test_dedicated_grid_head_must_be_safety_officer():
    staff = full_staff()
    staff[7] = staff_row("辛", "grid_head", f"{V}Z01", safety_officer=False, _row=9)
    staff.append(staff_row("癸", "grid_head", f"{V}Z01", safety_officer=True))
    findings = evaluate_staffing(grids(), staff)
    (f,) = findings
    assert f.rule_id == RULE_DEDICATED_HEAD and f.severity is Severity.WARNING
    assert f.codes == (f"{V}Z01",)
    assert "第 9 行（辛" in f.message_zh and "安康中学" in f.message_zh and "安全负责人" in f.message_zh
    assert "row 9 (辛" in f.message_en and "safety officer" in f.message_en


def test_row_problems_become_findings():
    staff = [
        *full_staff(),
        staff_row("子", "grid_head", "610902999999", _row=20, fid=77),
        staff_row("丑", "grid_head", f"{V}01003", _row=21),  # a retired grid
        staff_row("寅", "grid_head", f"{V}01001", phone="0915-12345", _row=22),
        staff_row("卯", "网格员", f"{V}01001", _row=23),
        staff_row("辰", "grid_head", f"{V}01001", supervision_phone="9153212345", _row=24),
    ]
    findings = evaluate_staffing(grids(), staff)
    got = [(f.rule_id, f.extra.get("row")) for f in findings]
    assert got == [
        (RULE_UNKNOWN_GRID, 20),
        (RULE_UNKNOWN_GRID, 21),
        (RULE_BAD_PHONE, 22),
        (RULE_BAD_ROLE, 23),
        (RULE_BAD_PHONE, 24),
    ]
    unknown, retired, phone, role, supervision = findings
    assert unknown.severity is Severity.ERROR and unknown.layer == "staff"
    assert unknown.codes == ("610902999999",) and unknown.fids == (77,)
    assert "第 20 行（子" in unknown.message_zh and "网格编码 610902999999 不存在" in unknown.message_zh
    assert "row 20 (子, grid 610902999999): no grid has the code 610902999999" in unknown.message_en
    assert "已撤销" in retired.message_zh and "retired" in retired.message_en
    assert phone.severity is Severity.WARNING and "0915-12345" in phone.message_zh
    assert role.severity is Severity.ERROR and "网格员" in role.message_zh
    assert "监督电话" in supervision.message_zh and "supervision phone" in supervision.message_en


def test_imported_register_audits_end_to_end(tmp_path):
    path = write_csv(
        tmp_path / "register.csv",
        [HEADER_ZH]
        + [
            [
                i,
                r["name"],
                r["role"],
                r["grid_code"],
                r["phone"],
                "",
                r.get("position", ""),
                "是" if r.get("safety_officer") else "否",
            ]
            for i, r in enumerate(full_staff(), 1)
        ],
    )
    rows, problems = read_staff_table(path)
    assert problems == []
    assert evaluate_staffing(grids(), rows) == []
