"""Filing packages for the city (§7.5, §7.6): what goes in, whether export may proceed, and the city's intake.

Pure Python (shapely, numpy); no qgis or Qt import. The adapters (plugin/adapters/filing.py and
plugin/adapters/intake.py) read and write the files; this module decides:

* which audit findings block filing: error-severity findings of the latest audit run that are not
  accepted (``accepted`` set, or their fingerprint listed in ``audit_exceptions``);
* which change-log rows form the change set of a package: those not filed yet, plus those changed
  after the last package (``last_package_at`` in workspace_info), or all changed since a given time;
* the package's metadata table (``package_metadata``: key/value rows);
* the merge plan of several county packages (one package per county, the metric CRS of the checks);
* the text/HTML/JSON report of a comparison of two packages.

Message templates are English (marked with ``translatable``); the adapters pass them to ``tr()``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from . import schema
from .changes import _as_datetime
from .diff import DIFF_KINDS, PackageDiff
from .errors import TemplateError

PACKAGE_MARKER = "community_grids_filing_package"
PACKAGE_FORMAT = 1
EXCHANGE_CRS = "EPSG:4490"  # CGCS2000 geographic

# workspace_info keys written by the export
INFO_LAST_PACKAGE_AT = "last_package_at"
INFO_LAST_PACKAGE_VERSION = "last_package_version"
INFO_LAST_PACKAGE_FILE = "last_package_file"
INFO_OVERRIDE_PREFIX = "filing_override/"  # + ISO time: one row per override, never overwritten


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 - the name scripts/i18n.py extracts
    """Marks an English message template for translation (the adapter calls tr() on it); no Qt here."""
    return text


translatable = QT_TR_NOOP


class FilingError(TemplateError, ValueError):
    """A package cannot be made or read as asked. ``template`` is English; ``params`` fill it."""


MSG_BLOCKED = QT_TR_NOOP(
    "Export refused: {count} error finding(s) of the audit run {run} are not accepted, e.g. {examples}. "
    "Correct them, accept them as exceptions, or export with an override reason."
)
MSG_SAME_COUNTY = QT_TR_NOOP("County {county} is given twice ({first} and {second}); give one package per county.")
MSG_NO_COUNTY = QT_TR_NOOP("{path} names no county (no package_metadata or workspace_info county_code).")
MSG_TOO_FEW = QT_TR_NOOP("Give at least one county package to merge.")

# ---------------------------------------------------------------- layers of a package (schema style)

# The layers of filing packages and of the city's intake are defined with the workspace's, in core.schema.

# ---------------------------------------------------------------- audit gate


@dataclass
class AuditGate:
    """The latest audit run and what it means for filing."""

    run_id: str | None
    run_at: str | None
    counts: dict[str, int]  # severity -> findings of the latest run
    accepted: int
    blocking: list[dict]  # rows (error, not accepted) of the latest run

    @property
    def audited(self) -> bool:
        return self.run_id is not None

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)

    def summary(self) -> dict:
        return {
            "run_id": self.run_id or "",
            "run_at": self.run_at or "",
            "errors": self.counts.get("error", 0),
            "warnings": self.counts.get("warning", 0),
            "infos": self.counts.get("info", 0),
            "accepted": self.accepted,
            "blocking": len(self.blocking),
        }

    def refusal(self, max_examples: int = 3) -> FilingError:
        examples = "; ".join(_finding_label(row) for row in self.blocking[:max_examples])
        return FilingError(MSG_BLOCKED, count=len(self.blocking), run=self.run_id or "", examples=examples)


def _finding_label(row: Mapping) -> str:
    codes = row.get("codes") or ""
    fids = row.get("feature_ids") or ""
    where = codes or (f"fid {fids}" if fids else "")
    return f"{row.get('rule_id')} [{row.get('layer') or ''}{': ' + where if where else ''}]"


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "t")
    return bool(value)


def latest_run(rows: Iterable[Mapping]) -> tuple[str | None, str | None]:
    """(run_id, run_at) of the latest audit run: the greatest run_at, then the greatest run_id."""
    best = None
    for row in rows:
        run_id = row.get("run_id")
        if not run_id:
            continue
        key = (str(row.get("run_at") or ""), str(run_id))
        if best is None or key > best:
            best = key
    if best is None:
        return None, None
    return best[1], best[0] or None


def audit_gate(findings: Iterable[Mapping], exceptions: Iterable[Mapping] = ()) -> AuditGate:
    """Which findings of the latest run block filing (``findings``: audit_findings rows)."""
    rows = list(findings)
    accepted_prints = {r.get("fingerprint") for r in exceptions if r.get("fingerprint")}
    run_id, run_at = latest_run(rows)
    counts: dict[str, int] = {}
    accepted = 0
    blocking = []
    for row in rows:
        if run_id is None or row.get("run_id") != run_id:
            continue
        severity = row.get("severity") or ""
        counts[severity] = counts.get(severity, 0) + 1
        is_accepted = _truthy(row.get("accepted")) or (row.get("fingerprint") in accepted_prints)
        accepted += is_accepted
        if severity == "error" and not is_accepted:
            blocking.append(dict(row))
    return AuditGate(run_id, run_at, counts, accepted, blocking)


# ---------------------------------------------------------------- change set


def change_set(
    rows: Iterable[Mapping], *, last_package_at=None, since=None, all_changes: bool = False
) -> list[Mapping]:
    """The change-log rows a package carries, oldest first.

    ``since`` given: every change at or after it. Otherwise the changes not filed yet, plus those made
    after the last package (``last_package_at``). ``all_changes``: the whole log.
    """
    since_dt = _as_datetime(since)
    last_dt = _as_datetime(last_package_at)
    out = []
    for row in rows:
        changed = _as_datetime(row.get("changed_at"))
        if all_changes:
            keep = True
        elif since_dt is not None:
            keep = changed is not None and _naive(changed) >= _naive(since_dt)
        else:
            keep = not row.get("filed_at") or (
                last_dt is not None and changed is not None and _naive(changed) > _naive(last_dt)
            )
        if keep:
            out.append(row)
    return sorted(out, key=lambda r: str(r.get("changed_at") or ""))


def _naive(value: datetime) -> datetime:
    """Compare local times: an aware time is converted to local time and its zone dropped."""
    if value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


# ---------------------------------------------------------------- metadata


@dataclass
class PackageMetadata:
    """The ``package_metadata`` table of a filing package."""

    county_code: str
    county_name: str
    version: str
    author: str
    created_at: str
    exchange_crs: str
    workspace_crs: str
    code_rule: str
    counts: dict[str, int] = field(default_factory=dict)
    audit: dict = field(default_factory=dict)
    override_reason: str = ""
    override_by: str = ""
    phones_included: bool = False
    households_included: bool = False
    names_included: bool = True
    changes_since: str = ""
    changes_count: int = 0
    source_file: str = ""
    plugin_version: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def grids(self) -> int:
        return sum(self.counts.get(name, 0) for name in schema.PACKAGE_GRID_LAYERS)

    def to_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("package", PACKAGE_MARKER),
            ("format", str(PACKAGE_FORMAT)),
            ("schema_version", str(schema.SCHEMA_VERSION)),
            ("county_code", self.county_code),
            ("county_name", self.county_name),
            ("version", self.version),
            ("author", self.author),
            ("created_at", self.created_at),
            ("exchange_crs", self.exchange_crs),
            ("workspace_crs", self.workspace_crs),
            ("code_rule", self.code_rule),
            ("grids", str(self.grids)),
            ("counts", json.dumps(self.counts, ensure_ascii=False, sort_keys=True)),
        ]
        rows += [(f"count_{name}", str(n)) for name, n in sorted(self.counts.items())]
        rows += [(f"audit_{k}", str(v)) for k, v in self.audit.items()]
        rows += [
            ("override", "yes" if self.override_reason else "no"),
            ("override_reason", self.override_reason),
            ("override_by", self.override_by),
            ("phones_included", "yes" if self.phones_included else "no"),
            ("households_included", "yes" if self.households_included else "no"),
            ("staff_names_included", "yes" if self.names_included else "no"),
            ("changes_since", self.changes_since),
            ("changes_count", str(self.changes_count)),
            ("source_file", self.source_file),
            ("plugin_version", self.plugin_version),
        ]
        rows += sorted(self.extra.items())
        return rows

    @classmethod
    def from_rows(cls, rows: Mapping[str, str]) -> PackageMetadata:
        counts = {}
        try:
            counts = {k: int(v) for k, v in json.loads(rows.get("counts") or "{}").items()}
        except (ValueError, TypeError, AttributeError):
            counts = {}
        audit = {k[len("audit_") :]: v for k, v in rows.items() if k.startswith("audit_")}
        known = {k for k, _ in cls("", "", "", "", "", "", "", "").to_rows()} | {f"count_{n}" for n in counts}
        return cls(
            county_code=rows.get("county_code", ""),
            county_name=rows.get("county_name", ""),
            version=rows.get("version", ""),
            author=rows.get("author", ""),
            created_at=rows.get("created_at", ""),
            exchange_crs=rows.get("exchange_crs", ""),
            workspace_crs=rows.get("workspace_crs", ""),
            code_rule=rows.get("code_rule", ""),
            counts=counts,
            audit=audit,
            override_reason=rows.get("override_reason", ""),
            override_by=rows.get("override_by", ""),
            phones_included=rows.get("phones_included") == "yes",
            households_included=rows.get("households_included") == "yes",
            names_included=rows.get("staff_names_included", "yes") == "yes",  # older packages carried names
            changes_since=rows.get("changes_since", ""),
            changes_count=int(rows.get("changes_count") or 0),
            source_file=rows.get("source_file", ""),
            plugin_version=rows.get("plugin_version", ""),
            extra={k: v for k, v in rows.items() if k not in known and not k.startswith("audit_")},
        )


# ---------------------------------------------------------------- personal data left out of a package

WITHHELD = "***"  # what replaces a withheld phone number or staff name in the package's text
MIN_PHONE_LENGTH = 5  # shorter "phones" (e.g. 110) would mask ordinary numbers; the staff column is cleared anyway
MIN_NAME_LENGTH = 2  # a one-character "name" would mask ordinary words; the staff table's column is cleared anyway


def _phone_forms(value: str) -> set[str]:
    """A phone as written and its digits alone (messages may quote either)."""
    text = str(value).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return {form for form in (text, digits) if len(form) >= MIN_PHONE_LENGTH}


def personal_values(staff_rows: Iterable[Mapping], phones: bool, names: bool) -> list[str]:
    """The staff register's values to withhold: personal phones (``schema.PHONE_FIELDS``) and/or names.

    Longest first, so that a value containing another is replaced whole."""
    values: set[str] = set()
    for row in staff_rows:
        if phones:
            for name in schema.PHONE_FIELDS:
                if row.get(name):
                    values |= _phone_forms(row[name])
        if names and row.get("name"):
            name = str(row["name"]).strip()
            if len(name) >= MIN_NAME_LENGTH:
                values.add(name)
    return sorted(values, key=lambda v: (-len(v), v))


class Scrubber:
    """Replaces every withheld value in a text by :data:`WITHHELD` (one regular expression, longest first)."""

    def __init__(self, values: Iterable[str]):
        import re

        values = [v for v in values if v]
        self.pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None

    def __call__(self, text):
        if self.pattern is None or not isinstance(text, str):
            return text
        return self.pattern.sub(WITHHELD, text)

    def leaks(self, text: str) -> list[str]:
        return [] if self.pattern is None else self.pattern.findall(text)


def next_version(previous: str | None) -> str:
    """The next package version: previous + 1 when it is a number, else 1."""
    try:
        return str(int(str(previous).strip()) + 1)
    except (TypeError, ValueError):
        return "1"


def override_key(when: datetime | date | str) -> str:
    text = when.isoformat(timespec="seconds") if isinstance(when, datetime) else str(when)
    return (INFO_OVERRIDE_PREFIX + text)[:64]


def override_record(reason: str, user: str, package: str, version: str, gate: AuditGate) -> str:
    """The workspace_info value recording an override (JSON, at most 2000 characters)."""
    value = {
        "reason": reason,
        "user": user,
        "package": package,
        "version": version,
        "audit_run": gate.run_id or "",
        "blocking": len(gate.blocking),
        "rules": sorted({str(r.get("rule_id")) for r in gate.blocking}),
    }
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 2000 else text[:1997] + "..."


# ---------------------------------------------------------------- city intake


@dataclass(frozen=True)
class PackageSource:
    """One input of the city's merge: a file and the county it is for."""

    path: str
    county_code: str
    county_name: str = ""
    version: str = ""
    created_at: str = ""
    crs: str = ""


@dataclass
class MergePlan:
    sources: list[PackageSource]
    crs: str  # the metric CRS of the checks and of the merged workspace
    city_code: str  # the shared prefix of the counties (e.g. 6109), for workspace_info

    @property
    def counties(self) -> list[str]:
        return [s.county_code for s in self.sources]


def city_code(county_codes: Iterable[str]) -> str:
    """The prefix the counties share, cut to a prefecture (4 digits) or province (2) code."""
    codes = [c for c in county_codes if c]
    if not codes:
        return ""
    prefix = codes[0]
    for c in codes[1:]:
        while not c.startswith(prefix):
            prefix = prefix[:-1]
    for width in (6, 4, 2):
        if len(prefix) >= width:
            return prefix[:width]
    return prefix


def merge_plan(sources: Iterable[PackageSource], crs: str) -> MergePlan:
    """Check the inputs (one per county) and order them by county code."""
    sources = list(sources)
    if not sources:
        raise FilingError(MSG_TOO_FEW)
    seen: dict[str, PackageSource] = {}
    for s in sources:
        if not s.county_code:
            raise FilingError(MSG_NO_COUNTY, path=s.path)
        if s.county_code in seen:
            raise FilingError(MSG_SAME_COUNTY, county=s.county_code, first=seen[s.county_code].path, second=s.path)
        seen[s.county_code] = s
    ordered = sorted(sources, key=lambda s: s.county_code)
    return MergePlan(ordered, crs, city_code([s.county_code for s in ordered]))


# ---------------------------------------------------------------- comparison report


def diff_report(
    diff: PackageDiff, before: Mapping[str, str], after: Mapping[str, str], crs: str, fmt: str = "text"
) -> str:
    """The comparison report as ``text``, ``html`` or ``json`` (bilingual labels; no geometry)."""
    totals = diff.totals()
    changed = sum(n for k, n in totals.items() if k != "unchanged")
    if fmt == "json":
        body = diff.to_json(with_geometry=False)
        body.update(before=dict(before), after=dict(after), crs=crs, changed=changed)
        return json.dumps(body, ensure_ascii=False, indent=1)
    head = [
        f"before / 原数据包: {before.get('file', '')} ({before.get('county_name', '')} {before.get('version', '')})",
        f"after / 新数据包: {after.get('file', '')} ({after.get('county_name', '')} {after.get('version', '')})",
        f"CRS for areas / 面积计算坐标系: {crs}",
    ]
    if fmt == "html":
        e = html.escape
        kinds = list(DIFF_KINDS)
        rows = "".join(
            "<tr><th>{}</th>{}</tr>".format(
                e(layer), "".join(f"<td>{diff.counts[layer].get(k, 0)}</td>" for k in kinds)
            )
            for layer in diff.counts
        )
        totals_row = "<tr><th>合计 total</th>{}</tr>".format("".join(f"<td>{totals[k]}</td>" for k in kinds))
        header = "".join(f"<th>{e(DIFF_KINDS[k][0])}<br>{e(DIFF_KINDS[k][1])}</th>" for k in kinds)
        items = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                e(DIFF_KINDS[i.kind][0] + " " + DIFF_KINDS[i.kind][1]),
                e(i.layer),
                e(i.old_code or ""),
                e(i.new_code or ""),
                "" if i.area_before is None else f"{i.area_before:.1f}",
                "" if i.area_after is None else f"{i.area_after:.1f}",
                f"{i.changed_area:.1f}",
            )
            for i in diff.items
            if i.kind != "unchanged"
        )
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>网格数据包比对 Package comparison</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
            "padding:2px 6px;text-align:right}</style></head><body>"
            "<h1>网格数据包比对 Package comparison</h1>"
            + "".join(f"<p>{e(line)}</p>" for line in head)
            + f"<p>变动网格 changed grids: {changed}</p>"
            + f"<table><tr><th></th>{header}</tr>{rows}{totals_row}</table>"
            + "<h2>变动明细 Changes</h2><table><tr><th>kind</th><th>layer</th><th>old code</th><th>new code</th>"
            "<th>area before (m²)</th><th>area after (m²)</th><th>changed area (m²)</th></tr>"
            + items
            + "</table></body></html>"
        )
    return "\n".join([*head, "", diff.summary_text("zh"), "", diff.summary_text("en")]) + "\n"
