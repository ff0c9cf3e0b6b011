"""The HTML report at scale: a summary plus every finding on exactly one page, plain links, escaped text,
each file swapped in whole (an interrupted write leaves the previous report as it was)."""

import os
import re
from collections import Counter
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from plugin.core import schema
from plugin.core.audit import RULES, AuditResult, Tolerances, write_html
from plugin.core.audit.report import page_names
from plugin.core.findings import Finding, Severity

LAYERS = [layer.name for layer in schema.GRID_LAYERS]


class _Page(HTMLParser):
    """Balanced tags, every id and href, the tables' cells under their heading, the text."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.hrefs, self.text = [], [], [], []
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.heading = ""
        self._cell: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            self.hrefs.append(attrs["href"])
        if tag == "h2":
            self._in_h2, self.heading = True, ""
        elif tag == "table":
            self.tables.append((self.heading, []))
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th"):
            self.tables[-1][1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_h2:
            self.heading += data
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Page:
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("<!DOCTYPE html>") and raw.rstrip().endswith("</html>")
    assert "<script" not in raw and "http" not in raw.split("<body>")[1]  # self-contained, offline
    page = _Page()
    page.feed(raw)
    page.close()
    assert page.stack == []
    return page


def _result(n: int, run_id: str = "20261202T030000-0badc0de") -> AuditResult:
    severities = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    findings = []
    for i in range(n):
        rule = RULES[i % len(RULES)]
        findings.append(
            Finding(
                rule_id=rule.id,
                severity=severities[(i // 7) % 3],
                layer=LAYERS[i % len(LAYERS)],
                codes=(f"6109020012{i % 100:02d}{i:05d}",),
                fids=(i,),
                geometry=None,
                measure=float(i) / 3,
                unit="m2",
                message_zh=f"问题 #{i} <b>&amp;</b> \"'",
                message_en=f"finding #{i} <script>alert(1)</script>",
                accepted=i % 1000 == 0,
                accepted_reason="已核实 <ok> & fine" if i % 1000 == 0 else "",
                key=str(i),
            )
        )
    started = datetime(2026, 12, 2, 3, 0, 0)
    return AuditResult(run_id, started, started + timedelta(seconds=9), findings, {"overlaps": 1.5}, Tolerances())


@pytest.fixture(scope="module")
def big():
    return _result(12000)


def test_twelve_thousand_findings_all_on_exactly_one_page(tmp_path, big):
    main = tmp_path / "审核 report.html"  # a space and Chinese: the links must be quoted
    assert write_html(big, main, page_size=2500) == main
    names = page_names(main, big.run_id, 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # no temporary file left
    pages = {name: _parse(tmp_path / name) for name in names}

    # every finding on exactly one page, in order, numbered 1…n, its text escaped and intact
    seen = Counter()
    numbers = []
    for name in names:
        table = next(rows for heading, rows in pages[name].tables if heading.startswith("问题清单"))
        assert 1 <= len(table) - 1 <= 2500
        for row in table[1:]:
            numbers.append(int(row[0]))
            seen[row[6]] += 1
    assert numbers == list(range(1, 12001))
    expected = Counter(
        f.message_zh + f.message_en + (f"已接受 accepted: {f.accepted_reason}" if f.accepted else "")
        for f in big.findings
    )
    assert seen == expected and max(seen.values()) == 1
    raw = "".join((tmp_path / n).read_text(encoding="utf-8") for n in names)
    assert "<script>" not in raw and "<b>&amp;" not in raw and "<ok>" not in raw
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in raw
    assert "&lt;script&gt;" in raw

    # the summary: counts by severity, rule and layer are the findings'
    summary = pages[names[0]]
    text = "".join(summary.text)
    for severity, n in Counter(f.severity.value for f in big.findings).items():
        assert f"{severity} : {n}" in text
    by_rule = next(rows for heading, rows in summary.tables if heading.startswith("按规则汇总"))
    counted = {row[0]: (int(row[4]), int(row[5])) for row in by_rule[1:]}
    assert counted == {
        r.id: (
            sum(f.rule_id == r.id for f in big.findings),
            sum(f.rule_id == r.id and f.accepted for f in big.findings),
        )
        for r in RULES
    }
    by_layer = next(rows for heading, rows in summary.tables if heading.startswith("按图层汇总"))
    layer_counts = {row[0].split()[-1]: [int(c) for c in row[1:]] for row in by_layer[1:]}
    assert layer_counts == {
        layer: [sum(f.layer == layer and f.severity == s for f in big.findings) for s in Severity] for layer in LAYERS
    }
    assert "12000（5 页 / pages）" in text

    # every link resolves to a written page and, with an anchor, to an element of it
    for name, page in pages.items():
        assert page.hrefs, name
        for href in page.hrefs:
            assert not re.match(r"^[a-z]+:", href)  # relative, offline
            target, _, anchor = href.partition("#")
            target = unquote(target)
            assert target in pages, href
            if anchor:
                assert anchor in pages[target].ids, href
        if name != names[0]:
            assert names[0] in {unquote(h.partition("#")[0]) for h in page.hrefs}  # back to the summary
    # the pages link each other: from page 1 every page is reachable
    assert {unquote(h.partition("#")[0]) for h in summary.hrefs} == set(names)
    # a rule's count leads to its first finding
    first = next(k for k, f in enumerate(big.findings) if f.rule_id == RULES[3].id)
    assert f"{names[first // 2500]}#f{first + 1}" in {unquote(h) for h in summary.hrefs}


def test_a_failed_write_leaves_the_previous_report_whole(tmp_path, big, monkeypatch):
    main = tmp_path / "audit.html"
    old = _result(6000, run_id="20261201T010000-00000001")
    write_html(old, main, page_size=2500)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(before) == 3

    # killed while the main file is being swapped in: the new pages are written, the old report is whole
    real_replace = os.replace

    def fail_on_main(src, dst):
        if Path(dst) == main:
            raise OSError("killed")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_main)
    with pytest.raises(OSError, match="killed"):
        write_html(big, main, page_size=2500)
    monkeypatch.setattr(os, "replace", real_replace)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert {k: after[k] for k in before} == before  # the previous main file and its pages untouched
    assert not [n for n in after if n.endswith(".tmp")]
    for href in _parse(main).hrefs:  # its links still lead to its own pages
        assert unquote(href.partition("#")[0]) in before

    # a finding that cannot be written half-way through a page: no trace of the failed write
    broken = _result(12000)
    broken.findings[7000].message_zh = None
    broken.findings[7000].message_en = object.__new__(_Unprintable)
    with pytest.raises(RuntimeError, match="unprintable"):
        write_html(broken, main, page_size=2500)
    assert {k: p.read_bytes() for k, p in ((p.name, p) for p in tmp_path.iterdir()) if k in before} == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    # a complete write replaces the report and removes the pages of earlier ones
    write_html(big, main, page_size=2500)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(page_names(main, big.run_id, 5))
    write_html(_result(10), main, page_size=2500)
    assert [p.name for p in tmp_path.iterdir()] == ["audit.html"]
    assert "未发现问题" not in main.read_text(encoding="utf-8")
    page = _parse(main)
    assert "page" not in "".join(page.text).split("Findings")[-1]  # one page: no navigation
    assert {h.partition("#")[0] for h in page.hrefs} == {"audit.html"}  # rule counts lead to their rows
    assert all(h.partition("#")[2] in page.ids for h in page.hrefs)


class _Unprintable:
    def __str__(self):
        raise RuntimeError("unprintable")


def test_other_files_beside_the_report_are_left_alone(tmp_path, big):
    keep = ["audit.json", "audit.old.html", "audit.p2.html", "other.0badc0de.p2.html", "audit.x.p2.htm"]
    for name in keep:
        (tmp_path / name).write_text("mine", encoding="utf-8")
    write_html(_result(3000, run_id="20261201T010000-00000001"), tmp_path / "audit.html", page_size=1000)
    write_html(big, tmp_path / "audit.html", page_size=6000)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*keep, *page_names(tmp_path / "audit.html", big.run_id, 2)]
    )
    assert all((tmp_path / name).read_text(encoding="utf-8") == "mine" for name in keep)
