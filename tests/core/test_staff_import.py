"""Which register rows are imported: rejected, noted and skipped rows, row by row (no QGIS)."""

from __future__ import annotations

from plugin.core.findings import Severity
from plugin.core.staff_import import RULE_DUPLICATE, plan_staff_import, staff_record
from plugin.core.staffing import RULE_FILE, RULE_NO_PHONE, RULE_UNKNOWN_GRID, read_staff_table

V = "610902001003"
ACTIVE = {f"{V}01001", f"{V}01002", V}
RETIRED = {f"{V}01009"}


def write_csv(path, rows):
    path.write_text("\n".join(",".join(str(v) for v in row) for row in rows) + "\n", encoding="utf-8")
    return path


def test_rows_are_split_with_every_reason(tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["姓名", "岗位", "网格编码", "联系电话"],
            ["张三", "网格长", f"{V}01001", "139 1234 5678"],
            ["李四", "网格长", f"{V}01002", "12345"],
            ["王五", "网格长", f"{V}01077", "13812345678"],
            ["赵六", "网格长", f"{V}01009", "13612345678"],
            ["钱七", "网格管理员", V, ""],
            ["张三", "网格长", f"{V}01001", "13912345678"],
        ],
    )
    rows, problems = read_staff_table(path)
    plan = plan_staff_import(rows, problems, ACTIVE, RETIRED, existing=[])
    assert plan.usable
    assert [r["name"] for r in plan.rows] == ["张三", "钱七"]
    assert plan.rows_numbers == [2, 6]
    assert plan.rejected_rows == [3, 4, 5]
    assert plan.skipped_rows == [7]
    by_row = {(p.row, p.rule_id) for p in plan.problems}
    assert (4, RULE_UNKNOWN_GRID) in by_row and (5, RULE_UNKNOWN_GRID) in by_row
    assert (6, RULE_NO_PHONE) in by_row and (7, RULE_DUPLICATE) in by_row
    retired = next(p for p in plan.rejected if p.row == 5)
    assert "已撤销" in retired.message_zh and "retired" in retired.message_en
    assert plan.rows[0] == {
        "name": "张三",
        "phone": "13912345678",
        "role": "grid_head",
        "grid_code": f"{V}01001",
        "supervision_phone": None,
        "duties": None,
        "position": None,
        "safety_officer": False,
        "photo_path": None,
    }


def test_existing_register_rows_are_duplicates_in_append_mode(tmp_path):
    path = write_csv(tmp_path / "staff.csv", [["姓名", "岗位", "网格编码"], ["张三", "网格长", f"{V}01001"]])
    rows, problems = read_staff_table(path)
    existing = [{"name": "张三", "role": "grid_head", "grid_code": f"{V}01001"}]
    assert plan_staff_import(rows, problems, ACTIVE, RETIRED, existing).skipped_rows == [2]
    assert len(plan_staff_import(rows, problems, ACTIVE, RETIRED, None).rows) == 1


def test_a_file_problem_rejects_the_whole_file(tmp_path):
    path = write_csv(tmp_path / "nocode.csv", [["姓名", "岗位"], ["陈七", "网格长"]])
    rows, problems = read_staff_table(path)
    plan = plan_staff_import(rows, problems, ACTIVE, RETIRED)
    assert not plan.usable and plan.rows == []
    assert plan.file_problems[0].rule_id == RULE_FILE and plan.file_problems[0].severity is Severity.ERROR


def test_staff_record_normalises_values():
    record = staff_record({"name": " 张  三 ", "role": "网格长", "grid_code": " X1 ", "safety_officer": "是"})
    assert (record["name"], record["role"], record["grid_code"], record["safety_officer"]) == (
        "张三",
        "grid_head",
        "X1",
        True,
    )
