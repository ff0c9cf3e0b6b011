"""JSON and HTML reports: valid, complete, bilingual, written atomically."""

import json
import os
from html.parser import HTMLParser

import pytest

from devtools.synthetic import DEFECT_KINDS, generate_city, plant_defects
from plugin.core.audit import RULES, run_audit, write_html, write_json
from plugin.core.audit.report import atomic_write_text, village_of


@pytest.fixture(scope="module")
def audited():
    city = generate_city(1200, seed=41)
    data, _ = plant_defects(city, DEFECT_KINDS, seed=1)
    result = run_audit(data)
    result.findings[0].accepted = True
    result.findings[0].accepted_reason = "已核实 <ok> & fine"
    return data, result


def test_json_report(tmp_path, audited):
    _data, result = audited
    path = write_json(result, tmp_path / "out" / "audit.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["run_id"] == result.run_id
    assert len(doc["findings"]) == len(result.findings)
    assert doc["counts_by_rule"] == result.counts_by_rule
    assert doc["counts_by_severity"]["error"] == sum(1 for f in result.findings if f.severity.value == "error")
    assert {r["id"] for r in doc["rules"]} == {r.id for r in RULES}
    assert doc["workspace"]["crs"] == "EPSG:4524"
    assert doc["tolerances"]["noise_area"] == 1e-6
    assert set(doc["timings_s"]) >= {"overlaps", "nesting"}
    first = doc["findings"][0]
    assert first["accepted"] is True and first["fingerprint"] == result.findings[0].fingerprint
    assert any("平方米" in f["message_zh"] for f in doc["findings"])
    assert "\\u" not in path.read_text(encoding="utf-8")  # UTF-8, not escaped
    assert [p.name for p in path.parent.iterdir()] == ["audit.json"]  # no temporary file left


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_report(tmp_path, audited):
    data, result = audited
    path = write_html(result, tmp_path / "audit.html", divisions=data.divisions)
    html = path.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []  # balanced
    text = "".join(checker.text)
    assert "按规则汇总" in text and "Summary by rule" in text
    assert "按乡镇、村（社区）汇总" in text and "Summary by township and village" in text
    assert "问题清单" in text and "Findings" in text
    division = next(d for d in data.divisions if d["code"] == village_of(result.findings[0].codes))
    assert division["name"] in text and division["town_name"] in text
    assert "已核实 <ok> & fine" in text  # escaped in the source, intact as text
    assert "<ok>" not in html
    assert "<script" not in html and "http" not in html.split("<body>")[1]  # self-contained
    for finding in result.findings:
        assert finding.message_zh in text


def test_html_report_pages_rows_and_handles_no_findings(tmp_path):
    city = generate_city(100, seed=2)
    clean = run_audit(city)
    text = write_html(clean, tmp_path / "clean.html").read_text(encoding="utf-8")
    assert "未发现问题" in text
    data, _ = plant_defects(generate_city(1200, seed=41), DEFECT_KINDS, seed=1)
    result = run_audit(data)
    text = write_html(result, tmp_path / "short.html", page_size=3).read_text(encoding="utf-8")
    pages = -(-len(result.findings) // 3)
    assert f"第 1 / {pages} 页" in text and "本页第 1–3 条" in text
    assert len(list(tmp_path.glob("short.*.p*.html"))) == pages - 1


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_village_of():
    assert village_of(("61090200120101001",)) == "610902001201"
    assert village_of(("", "abc", "610902001201")) == "610902001201"
    assert village_of(()) == ""


def test_streamed_json_is_the_whole_result(tmp_path, audited):
    _data, result = audited
    doc = json.loads(write_json(result, tmp_path / "a.json").read_text(encoding="utf-8"))
    whole = result.to_json()
    assert doc.pop("rules") == [
        {"id": r.id, "severity": r.severity.value, "clause": r.clause, "title_zh": r.title_zh, "title_en": r.title_en}
        for r in RULES
    ]
    assert doc == whole and len(doc["findings"]) == len(result.findings) > 20
    assert "findings" not in result.to_json(findings=False)


def test_a_failure_while_streaming_keeps_the_old_file(tmp_path, audited, monkeypatch):
    _data, result = audited
    target = tmp_path / "audit.json"
    target.write_text("old", encoding="utf-8")
    finding = result.findings[5]
    monkeypatch.setattr(type(finding), "to_json", lambda self: (_ for _ in ()).throw(ValueError("bad value")))
    with pytest.raises(ValueError, match="bad value"):
        write_json(result, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]
