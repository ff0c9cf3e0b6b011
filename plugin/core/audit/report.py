"""Audit reports: JSON for machines, a self-contained bilingual HTML page for people.

Both are written atomically: to a temporary file in the target's directory, then ``os.replace``.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from .. import schema
from ..findings import Severity
from .engine import AuditResult
from .rules import RULE_BY_ID, RULES

SEVERITY_LABEL = {
    Severity.ERROR: ("错误", "error"),
    Severity.WARNING: ("警告", "warning"),
    Severity.INFO: ("提示", "info"),
}
LAYER_LABEL = schema.LAYER_LABELS
VILLAGE_WIDTH, TOWN_WIDTH = 12, 9


@contextlib.contextmanager
def atomic_writer(path, encoding: str = "utf-8"):
    """A text handle on a temporary file beside ``path``, moved over it when the block ends without an error:
    readers see the old file or the whole new one; a failed write leaves no trace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is for reading
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: readers see the old file or the whole new one."""
    with atomic_writer(path, encoding) as handle:
        handle.write(text)
    return Path(path)


def write_json_streaming(result, path, rules) -> Path:
    """``result.to_json()`` with the rule catalogue ``rules``, written atomically with the findings streamed
    one by one (never the whole document as one string: a run may have a hundred thousand findings)."""
    doc = result.to_json(findings=False)
    doc["rules"] = [
        {"id": r.id, "severity": r.severity.value, "clause": r.clause, "title_zh": r.title_zh, "title_en": r.title_en}
        for r in rules
    ]
    head = json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)
    with atomic_writer(path) as handle:
        handle.write(head[: head.rindex("}")].rstrip() + ',\n "findings": [')
        for k, finding in enumerate(result.findings):
            handle.write(",\n  " if k else "\n  ")
            handle.write(json.dumps(finding.to_json(), ensure_ascii=False, allow_nan=False))
        handle.write("\n ]\n}\n")
    return Path(path)


def write_json(result: AuditResult, path) -> Path:
    """The whole result (run, counts, timings, tolerances, rule catalogue, findings) as UTF-8 JSON."""
    return write_json_streaming(result, path, RULES)


def village_of(codes) -> str:
    """The village/community a finding belongs to: the first 12 digits of its first grid code."""
    for code in codes:
        if code and len(code) >= VILLAGE_WIDTH and code[:VILLAGE_WIDTH].isdigit():
            return code[:VILLAGE_WIDTH]
    return ""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left}
th{background:#f0f0f0}td.n{text-align:right}
.error{color:#b00020;font-weight:bold}.warning{color:#a65e00}.info{color:#555}
.en{color:#666;font-size:12px}.accepted{color:#2e7d32}.muted{color:#888}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px}dt{font-weight:bold}
"""


def write_html(result: AuditResult, path, divisions=None, max_rows: int = 5000, title: str | None = None) -> Path:
    """A self-contained HTML report: summary by rule, by township and village (names from ``divisions``:
    dicts with code, name, town_code, town_name) and the list of findings (the first ``max_rows``)."""
    divisions = divisions or []
    village_names = {str(d.get("code", "")): d.get("name", "") for d in divisions}
    town_names = {str(d.get("town_code", "")): d.get("town_name", "") for d in divisions}
    info = result.info
    county = f"{info.county_name}（{info.county_code}）" if info and (info.county_name or info.county_code) else ""
    title = title or f"{county}网格审核报告 / Grid audit report"
    sev_counts = result.counts_by_severity
    rows: list[str] = []
    add = rows.append
    add("<!DOCTYPE html>")
    add('<html lang="zh-CN"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>")
    add(f"<h1>{_e(title)}</h1>")
    add("<dl>")
    for zh, en, value in (
        ("审核批次", "run", result.run_id),
        ("开始时间", "started", result.started.isoformat(timespec="seconds")),
        ("用时", "duration", f"{result.duration:.2f} 秒 / s"),
        ("坐标系", "CRS", info.crs if info else ""),
        (
            "编码规则",
            "code rule",
            (info.code_rule if info else "")
            + (
                "（未给出，按编码位数推断 / not given: inferred from the codes' widths）"
                if result.code_rule_inferred
                else ""
            ),
        ),
        (
            "网格数量",
            "grids",
            "，".join(f"{LAYER_LABEL.get(k, (k,))[0]} {v}" for k, v in result.feature_counts.items()),
        ),
        ("阻止备案的错误", "errors blocking filing", result.blocking_count),
        ("已接受的例外", "accepted exceptions", result.accepted_count),
    ):
        add(f'<dt>{_e(zh)} <span class="en">{_e(en)}</span></dt><dd>{_e(value)}</dd>')
    add("</dl>")
    add(
        "<p>"
        + "　".join(
            f'<span class="{s.value}">{SEVERITY_LABEL[s][0]} {s.value} : {sev_counts.get(s.value, 0)}</span>'
            for s in Severity
        )
        + "</p>"
    )

    # ---- by rule
    by_rule = result.counts_by_rule
    accepted_by_rule: dict[str, int] = defaultdict(int)
    for f in result.findings:
        if f.accepted:
            accepted_by_rule[f.rule_id] += 1
    add('<h2>按规则汇总 <span class="en">Summary by rule</span></h2>')
    add(
        "<table><tr><th>规则编号<br><span class='en'>rule</span></th><th>规则<br><span class='en'>title</span></th>"
        "<th>严重程度<br><span class='en'>severity</span></th><th>条款<br><span class='en'>clause</span></th>"
        "<th>问题数<br><span class='en'>findings</span></th><th>已接受<br><span class='en'>accepted</span></th></tr>"
    )
    for rule in RULES:
        n = by_rule.get(rule.id, 0)
        cls = rule.severity.value if n else "muted"
        add(
            f"<tr class='{cls if n else 'muted'}'><td>{_e(rule.id)}</td><td>{_e(rule.title_zh)}<br>"
            f"<span class='en'>{_e(rule.title_en)}</span></td><td class='{cls}'>{SEVERITY_LABEL[rule.severity][0]} "
            f"<span class='en'>{rule.severity.value}</span></td><td>§{_e(rule.clause)}</td>"
            f"<td class='n'>{n}</td><td class='n'>{accepted_by_rule.get(rule.id, 0)}</td></tr>"
        )
    add("</table>")

    # ---- by township and village
    per_village: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in result.findings:
        per_village[village_of(f.codes)][f.severity.value] += 1
    add('<h2>按乡镇、村（社区）汇总 <span class="en">Summary by township and village</span></h2>')
    add(
        "<table><tr><th>乡镇/街道<br><span class='en'>township</span></th><th>村/社区<br><span class='en'>village</span>"
        "</th><th>错误<br><span class='en'>errors</span></th><th>警告<br><span class='en'>warnings</span></th>"
        "<th>提示<br><span class='en'>info</span></th></tr>"
    )
    for village in sorted(per_village, key=lambda v: (v == "", v)):
        counts = per_village[village]
        if village:
            town = village[:TOWN_WIDTH]
            town_cell = f"{_e(town_names.get(town, ''))} {_e(town)}"
            village_cell = f"{_e(village_names.get(village, ''))} {_e(village)}"
        else:
            town_cell = "—"
            village_cell = "未归属村/社区 <span class='en'>not in a village (county level)</span>"
        add(
            f"<tr><td>{town_cell}</td><td>{village_cell}</td><td class='n error'>{counts.get('error', 0)}</td>"
            f"<td class='n warning'>{counts.get('warning', 0)}</td><td class='n info'>{counts.get('info', 0)}</td></tr>"
        )
    add("</table>")

    # ---- findings
    add('<h2>问题清单 <span class="en">Findings</span></h2>')
    if len(result.findings) > max_rows:
        add(
            f"<p class='warning'>仅列出前 {max_rows} 条（共 {len(result.findings)} 条），完整清单见 JSON 报告。"
            f"<br><span class='en'>Only the first {max_rows} of {len(result.findings)} findings are listed; "
            "the JSON report has them all.</span></p>"
        )
    if not result.findings:
        add("<p>未发现问题。<span class='en'>No findings.</span></p>")
    else:
        add(
            "<table><tr><th>#</th><th>严重程度<br><span class='en'>severity</span></th><th>规则<br><span class='en'>"
            "rule</span></th><th>图层<br><span class='en'>layer</span></th><th>网格编码<br><span class='en'>codes</span>"
            "</th><th>量值<br><span class='en'>measure</span></th><th>说明<br><span class='en'>message</span></th>"
            "<th>位置 X, Y<br><span class='en'>location</span></th><th>指纹<br><span class='en'>fingerprint</span>"
            "</th></tr>"
        )
        for k, f in enumerate(result.findings[:max_rows], 1):
            rule = RULE_BY_ID.get(f.rule_id)
            layer = LAYER_LABEL.get(f.layer, (f.layer, f.layer))
            measure = "" if f.measure is None else f"{f.measure:,.2f} {'m²' if f.unit == 'm2' else f.unit}"
            loc = f"{f.location[0]:.2f}, {f.location[1]:.2f}" if f.location else ""
            accepted = (
                f"<br><span class='accepted'>已接受 accepted: {_e(f.accepted_reason)}</span>" if f.accepted else ""
            )
            add(
                f"<tr><td class='n'>{k}</td><td class='{f.severity.value}'>{SEVERITY_LABEL[f.severity][0]}</td>"
                f"<td>{_e(f.rule_id)}<br><span class='en'>{_e(rule.title_zh if rule else '')}</span></td>"
                f"<td>{_e(layer[0])}</td><td>{'<br>'.join(_e(c) for c in f.codes)}</td><td class='n'>{_e(measure)}</td>"
                f"<td>{_e(f.message_zh)}<br><span class='en'>{_e(f.message_en)}</span>{accepted}</td>"
                f"<td>{_e(loc)}</td><td><code>{_e(f.fingerprint[:12])}</code></td></tr>"
            )
        add("</table>")

    add('<h2>审核参数 <span class="en">Tolerances and timings</span></h2><table>')
    for key, value in result.tolerances.to_json().items():
        add(f"<tr><td>{_e(key)}</td><td class='n'>{_e(value)}</td></tr>")
    for key, value in result.timings.items():
        add(f"<tr><td>time: {_e(key)}</td><td class='n'>{value:.3f} s</td></tr>")
    add("</table></body></html>")
    return atomic_write_text(path, "\n".join(rows) + "\n")
