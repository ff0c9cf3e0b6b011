"""Audit reports: JSON for machines, a self-contained bilingual HTML page for people.

Both are written atomically: to a temporary file in the target's directory, then ``os.replace``.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

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
nav.pages{margin:8px 0;line-height:1.8}nav.pages a,nav.pages b{margin-right:6px}
"""


PAGE_SIZE = 2500  # findings per page of the HTML report


def page_names(path, run_id: str, pages: int) -> list[str]:
    """File names of the HTML report's pages: the main file (``path``, page 1) and its siblings
    ``<stem>.<run tag>.p<n><suffix>`` beside it (the run tag keeps an interrupted rewrite from mixing runs)."""
    path = Path(path)
    tag = re.sub(r"[^0-9A-Za-z]", "", str(run_id or ""))[-8:] or "run"
    return [path.name] + [f"{path.stem}.{tag}.p{n}{path.suffix}" for n in range(2, pages + 1)]


def _stale_pages(path, keep) -> list[Path]:
    """Sibling pages of an earlier report to ``path`` (any run tag) that are not in ``keep``."""
    path = Path(path)
    pattern = re.compile(re.escape(path.stem) + r"\.[0-9A-Za-z]+\.p[0-9]+" + re.escape(path.suffix) + "$")
    if not path.parent.is_dir():
        return []
    return [p for p in path.parent.iterdir() if pattern.match(p.name) and p.name not in keep]


def _href(name: str, anchor: str = "") -> str:
    return html.escape(quote(name) + (f"#{anchor}" if anchor else ""), quote=True)


_FINDINGS_HEADER = (
    "<table><tr><th>#</th><th>严重程度<br><span class='en'>severity</span></th><th>规则<br><span class='en'>"
    "rule</span></th><th>图层<br><span class='en'>layer</span></th><th>网格编码<br><span class='en'>codes</span>"
    "</th><th>量值<br><span class='en'>measure</span></th><th>说明<br><span class='en'>message</span></th>"
    "<th>位置 X, Y<br><span class='en'>location</span></th><th>指纹<br><span class='en'>fingerprint</span>"
    "</th></tr>"
)


def _finding_row(k: int, f, titles) -> str:
    layer = LAYER_LABEL.get(f.layer, (f.layer, f.layer))
    measure = "" if f.measure is None else f"{f.measure:,.2f} {'m²' if f.unit == 'm2' else f.unit}"
    loc = f"{f.location[0]:.2f}, {f.location[1]:.2f}" if f.location else ""
    accepted = f"<br><span class='accepted'>已接受 accepted: {_e(f.accepted_reason)}</span>" if f.accepted else ""
    return (
        f"<tr id='f{k}'><td class='n'>{k}</td><td class='{f.severity.value}'>{SEVERITY_LABEL[f.severity][0]}</td>"
        f"<td>{_e(f.rule_id)}<br><span class='en'>{_e(titles.get(f.rule_id, ''))}</span></td>"
        f"<td>{_e(layer[0])}</td><td>{'<br>'.join(_e(c) for c in f.codes)}</td><td class='n'>{_e(measure)}</td>"
        f"<td>{_e(f.message_zh)}<br><span class='en'>{_e(f.message_en)}</span>{accepted}</td>"
        f"<td>{_e(loc)}</td><td><code>{_e(f.fingerprint[:12])}</code></td></tr>\n"
    )


def _nav(names: list[str], page: int, total: int, page_size: int) -> str:
    """Plain links to every page of the findings (``page``: 1-based, the current one, not a link)."""
    pages = len(names)
    if pages <= 1:
        return ""
    links = []
    if page > 1:
        links.append(f"<a href='{_href(names[page - 2], 'findings')}'>« 上一页 <span class='en'>previous</span></a>")
    for n, name in enumerate(names, 1):
        label = f"{n}<span class='en'>（{(n - 1) * page_size + 1}–{min(n * page_size, total)}）</span>"
        links.append(f"<b>{label}</b>" if n == page else f"<a href='{_href(name, 'findings')}'>{label}</a>")
    if page < pages:
        links.append(f"<a href='{_href(names[page], 'findings')}'>下一页 <span class='en'>next</span> »</a>")
    return f"<nav class='pages'>第 {page} / {pages} 页 <span class='en'>page</span>：" + " ".join(links) + "</nav>\n"


def _write_findings(handle, findings, names: list[str], page: int, page_size: int, titles) -> None:
    total = len(findings)
    start = (page - 1) * page_size
    stop = min(start + page_size, total)
    nav = _nav(names, page, total, page_size)
    handle.write('<h2 id="findings">问题清单 <span class="en">Findings</span></h2>\n')
    if len(names) > 1:
        handle.write(
            f"<p>共 {total} 条，本页第 {start + 1}–{stop} 条。<span class='en'>{total} findings; "
            f"this page lists {start + 1}–{stop}.</span></p>\n"
        )
    handle.write(nav)
    handle.write(_FINDINGS_HEADER + "\n")
    for k in range(start, stop):
        handle.write(_finding_row(k + 1, findings[k], titles))
    handle.write("</table>\n")
    handle.write(nav)


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
    )


def write_html(
    result: AuditResult,
    path,
    divisions=None,
    page_size: int = PAGE_SIZE,
    title: str | None = None,
    rules=None,
) -> Path:
    """A self-contained HTML report: summary by severity, rule (``rules``: the catalogue, by default the
    topology and code rules), layer, township and village (names from ``divisions``: dicts with code, name,
    town_code, town_name), then the findings in pages of ``page_size``.

    ``path`` holds the summary and page 1; pages 2… are sibling files (:func:`page_names`) linked from every
    page. Each file is written streaming and swapped in atomically; the main file last, so that an interrupted
    write leaves the previous report whole (its own pages untouched: they bear the previous run's tag).
    Sibling pages of earlier reports to the same path are removed once the new main file is in place."""
    path = Path(path)
    page_size = max(1, int(page_size))
    rules = tuple(rules) if rules is not None else RULES
    titles = {r.id: r.title_zh for r in RULE_BY_ID.values()} | {r.id: r.title_zh for r in rules}
    findings = result.findings
    total = len(findings)
    pages = max(1, -(-total // page_size))
    names = page_names(path, result.run_id, pages)
    divisions = divisions or []
    village_names = {str(d.get("code", "")): d.get("name", "") for d in divisions}
    town_names = {str(d.get("town_code", "")): d.get("town_name", "") for d in divisions}
    info = result.info
    county = f"{info.county_name}（{info.county_code}）" if info and (info.county_name or info.county_code) else ""
    title = title or f"{county}网格审核报告 / Grid audit report"
    home = f"<p><a href='{_href(names[0])}'>← 汇总 <span class='en'>summary</span></a>　{_e(result.run_id)}</p>\n"

    for page in range(2, pages + 1):
        with atomic_writer(path.parent / names[page - 1]) as handle:
            handle.write(_head(f"{title} ({page}/{pages})"))
            handle.write(f"<h1>{_e(title)}</h1>\n")
            handle.write(home)
            _write_findings(handle, findings, names, page, page_size, titles)
            handle.write(home)
            handle.write("</body></html>\n")

    # one pass for every summary
    by_rule: dict[str, int] = defaultdict(int)
    accepted_by_rule: dict[str, int] = defaultdict(int)
    first_of_rule: dict[str, int] = {}
    per_layer: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_village: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sev_counts: dict[str, int] = defaultdict(int)
    for k, f in enumerate(findings):
        by_rule[f.rule_id] += 1
        first_of_rule.setdefault(f.rule_id, k)
        if f.accepted:
            accepted_by_rule[f.rule_id] += 1
        sev = f.severity.value
        sev_counts[sev] += 1
        per_layer[f.layer][sev] += 1
        per_village[village_of(f.codes)][sev] += 1

    with atomic_writer(path) as handle:
        add = handle.write
        add(_head(title))
        add(f"<h1>{_e(title)}</h1>\n<dl>\n")
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
            ("问题总数", "findings", f"{total}（{pages} 页 / pages）" if pages > 1 else total),
        ):
            add(f'<dt>{_e(zh)} <span class="en">{_e(en)}</span></dt><dd>{_e(value)}</dd>\n')
        add("</dl>\n<p>")
        add(
            "　".join(
                f'<span class="{s.value}">{SEVERITY_LABEL[s][0]} {s.value} : {sev_counts.get(s.value, 0)}</span>'
                for s in Severity
            )
        )
        add("</p>\n")

        # ---- by rule (a rule's count links to its first finding)
        add('<h2>按规则汇总 <span class="en">Summary by rule</span></h2>\n')
        add(
            "<table><tr><th>规则编号<br><span class='en'>rule</span></th><th>规则<br><span class='en'>title</span>"
            "</th><th>严重程度<br><span class='en'>severity</span></th><th>条款<br><span class='en'>clause</span>"
            "</th><th>问题数<br><span class='en'>findings</span></th><th>已接受<br><span class='en'>accepted</span>"
            "</th></tr>\n"
        )
        listed = set()
        for rule in rules:
            listed.add(rule.id)
            n = by_rule.get(rule.id, 0)
            cls = rule.severity.value if n else "muted"
            count = str(n)
            if n:
                k = first_of_rule[rule.id]
                count = f"<a href='{_href(names[k // page_size], f'f{k + 1}')}'>{n}</a>"
            add(
                f"<tr class='{cls}'><td>{_e(rule.id)}</td><td>{_e(rule.title_zh)}<br>"
                f"<span class='en'>{_e(rule.title_en)}</span></td><td class='{cls}'>"
                f"{SEVERITY_LABEL[rule.severity][0]} <span class='en'>{rule.severity.value}</span></td>"
                f"<td>§{_e(rule.clause)}</td><td class='n'>{count}</td>"
                f"<td class='n'>{accepted_by_rule.get(rule.id, 0)}</td></tr>\n"
            )
        for rule_id in sorted(set(by_rule) - listed):  # a finding of a rule outside the catalogue
            k = first_of_rule[rule_id]
            add(
                f"<tr><td>{_e(rule_id)}</td><td></td><td></td><td></td><td class='n'>"
                f"<a href='{_href(names[k // page_size], f'f{k + 1}')}'>{by_rule[rule_id]}</a></td>"
                f"<td class='n'>{accepted_by_rule.get(rule_id, 0)}</td></tr>\n"
            )
        add("</table>\n")

        # ---- by layer
        add('<h2>按图层汇总 <span class="en">Summary by layer</span></h2>\n')
        add(
            "<table><tr><th>图层<br><span class='en'>layer</span></th><th>错误<br><span class='en'>errors</span>"
            "</th><th>警告<br><span class='en'>warnings</span></th><th>提示<br><span class='en'>info</span></th>"
            "</tr>\n"
        )
        order = {name: k for k, name in enumerate(LAYER_LABEL)}
        for layer in sorted(per_layer, key=lambda name: (order.get(name, len(order)), name)):
            counts = per_layer[layer]
            label = LAYER_LABEL.get(layer, (layer, layer))
            add(
                f"<tr><td>{_e(label[0])} <span class='en'>{_e(layer)}</span></td>"
                f"<td class='n error'>{counts.get('error', 0)}</td><td class='n warning'>{counts.get('warning', 0)}"
                f"</td><td class='n info'>{counts.get('info', 0)}</td></tr>\n"
            )
        add("</table>\n")

        # ---- by township and village
        add('<h2>按乡镇、村（社区）汇总 <span class="en">Summary by township and village</span></h2>\n')
        add(
            "<table><tr><th>乡镇/街道<br><span class='en'>township</span></th><th>村/社区<br>"
            "<span class='en'>village</span></th><th>错误<br><span class='en'>errors</span></th><th>警告<br>"
            "<span class='en'>warnings</span></th><th>提示<br><span class='en'>info</span></th></tr>\n"
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
                f"<td class='n warning'>{counts.get('warning', 0)}</td>"
                f"<td class='n info'>{counts.get('info', 0)}</td></tr>\n"
            )
        add("</table>\n")

        # ---- findings, page 1
        if not findings:
            add('<h2 id="findings">问题清单 <span class="en">Findings</span></h2>\n')
            add("<p>未发现问题。<span class='en'>No findings.</span></p>\n")
        else:
            _write_findings(handle, findings, names, 1, page_size, titles)

        add('<h2>审核参数 <span class="en">Tolerances and timings</span></h2><table>\n')
        for key, value in result.tolerances.to_json().items():
            add(f"<tr><td>{_e(key)}</td><td class='n'>{_e(value)}</td></tr>\n")
        for key, value in result.timings.items():
            add(f"<tr><td>time: {_e(key)}</td><td class='n'>{value:.3f} s</td></tr>\n")
        add("</table></body></html>\n")

    for stale in _stale_pages(path, set(names)):
        with contextlib.suppress(OSError):
            stale.unlink()
    return path
