"""Personal data in the filing package: phones (default out) and staff names leave the county only by choice.

"Out" means out of every table and message of the file: the tests scan the package's bytes for every phone
and name of the staff register, in the forms a message may quote them (as written, digits only)."""

from __future__ import annotations

import pytest
from test_filing import add_table_rows, make_workspace

from plugin.adapters.filing import export_package, read_package_metadata
from plugin.adapters.package_io import open_gpkg
from plugin.adapters.package_io import read_rows as ogr_rows
from plugin.core import filing as core

STAFF = [("王五", "13800000001"), ("赵六", "13800000002"), ("邓兰平", "192-3546-862")]


@pytest.fixture
def workspace(tmp_path, qgis_app):
    path = make_workspace(tmp_path / "county.gpkg")
    source = open_gpkg(path)
    code = ogr_rows(source, "staff")[0]["grid_code"]
    source = None
    add_table_rows(
        path,
        "staff",
        [{"name": "邓兰平", "phone": "192-3546-862", "role": "grid_admin", "grid_code": code, "duties": "巡查"}],
    )
    add_table_rows(
        path,
        "audit_findings",
        [
            {
                "run_id": "r1",
                "run_at": "2024-03-01T08:00:00",
                "rule_id": "staff.phone",
                "severity": "warning",
                "layer": "staff",
                "codes": code,
                "message_zh": f"第 1126 行（邓兰平，网格 {code}）：电话“1923546862”无效",
                "message_en": f"row 1126 (邓兰平, grid {code}): phone “1923546862” is invalid",
            },
            {
                "run_id": "r1",
                "run_at": "2024-03-01T08:00:00",
                "rule_id": "staff.duplicate",
                "severity": "info",
                "layer": "staff",
                "message_en": "王五 (13800000001) and 赵六 (13800000002) share a grid",
            },
        ],
    )
    add_table_rows(
        path,
        "change_log",
        [
            {
                "changed_at": "2024-03-01T10:00:00",
                "change_kind": "create",
                "layer": "grid_level3",
                "new_code": "A",
                "reason": "赵六 asked for it, call 138 0000 0002",
            }
        ],
    )
    return path


def leaks(path, values):
    data = path.read_bytes()
    return [v for v in values if v.encode("utf-8") in data]


def phone_forms(phone):
    return {phone, "".join(ch for ch in phone if ch.isdigit())}


PHONES = sorted(set().union(*(phone_forms(p) for _, p in STAFF)))
NAMES = [n for n, _ in STAFF]


def test_default_package_holds_no_phone_of_the_register(workspace, tmp_path):
    result = export_package(workspace, tmp_path / "package.gpkg", record=False)
    assert leaks(result.path, PHONES) == []
    assert sorted(leaks(result.path, NAMES)) == sorted(NAMES)  # names go by default
    meta = read_package_metadata(result.path)
    assert not meta.phones_included and meta.names_included
    package = open_gpkg(result.path)
    messages = [r["message_en"] for r in ogr_rows(package, "audit_findings")]
    assert any(f"phone “{core.WITHHELD}” is invalid" in m for m in messages)
    assert {r["supervision_phone"] for r in ogr_rows(package, "staff")} >= {"12345"}  # published, kept
    package = None


def test_names_left_out_of_every_table_and_message(workspace, tmp_path):
    result = export_package(workspace, tmp_path / "package.gpkg", include_names=False, record=False)
    assert leaks(result.path, PHONES + NAMES) == []
    meta = read_package_metadata(result.path)
    assert not meta.names_included
    package = open_gpkg(result.path)
    staff = ogr_rows(package, "staff")
    assert len(staff) == 3 and all(r["name"].startswith("S") and r["role"] for r in staff)  # rows kept
    package = None


def test_phones_on_request_are_in_the_package(workspace, tmp_path):
    """The scan finds what is there: with phones included, the register's phones are in the file."""
    result = export_package(workspace, tmp_path / "package.gpkg", include_phones=True, record=False)
    assert set(leaks(result.path, [p for _, p in STAFF])) == {p for _, p in STAFF}
    assert read_package_metadata(result.path).phones_included


def test_scrubber_replaces_longest_values_first():
    scrub = core.Scrubber(core.personal_values([{"name": "邓兰", "phone": None}, {"name": "邓兰平"}], False, True))
    assert scrub("邓兰平 and 邓兰") == "*** and ***"
    assert core.personal_values([{"name": "王", "phone": "110"}], True, True) == []  # too short to mask safely
