"""What the public notice (公示, §7.6) and the grid heads' work permits (工作证, §11.4) say.

The standard: townships publish their grid division and each grid's staff — name, contact, supervision
phone, duties (§7.6); every grid head carries a work permit with name, photo, contact, supervision phone
and duties, stamped by the issuing unit (§11.4).

This module decides the *content*: which area a code or name means (:func:`resolve_scope`), which grids
and grid heads it holds (:func:`grids_in_scope`, :func:`grid_heads`), titles, table rows, card lines and
line breaks. The print layouts (plugin.adapters.layouts) only place it on paper.

The printed documents are official Chinese documents, so their wording is kept here in Chinese and English
(``DOC_TEXT``, like the schema's aliases) and chosen by a ``language`` argument ("zh" or "en"), independent
of the interface language. Pure Python: no qgis or Qt import.
"""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata
from dataclasses import dataclass

import shapely

from . import schema
from .errors import PluginError
from .model import WorkspaceData

TOWNSHIP_DIGITS = 9
VILLAGE_DIGITS = 12
LEVEL_ORDER = (1, 2, 3, schema.LEVEL_DEDICATED)
GRID_HEAD = "grid_head"

# The printed documents' words: key -> (Chinese, English).
DOC_TEXT: dict[str, tuple[str, str]] = {
    "notice_title": ("{place}网格划分公示图", "Grid division of {place}: public notice"),
    "notice_continued": ("{title}（续）", "{title} (continued)"),
    "notice_counts": (
        "{county}{township}{village}　共有网格 {total} 个：{parts}",
        "{county}, {township}{village}: {total} grids ({parts})",
    ),
    "count_part": ("{label}{n}个", "{label} {n}"),
    "table_title": ("网格长及联系方式", "Grid heads and contacts"),
    "col_code": ("网格编码", "Grid code"),
    "col_name": ("网格名称", "Grid name"),
    "col_level": ("层级", "Level"),
    "col_head": ("网格长", "Grid head"),
    "col_phone": ("联系电话", "Phone"),
    "col_supervision": ("监督电话", "Supervision"),
    "col_duties": ("工作职责", "Duties"),
    "col_duty_marker": ("职责", "Duties"),
    "level_1": ("一级", "L1"),
    "level_2": ("二级", "L2"),
    "level_3": ("三级", "L3"),
    "level_0": ("专属", "Ded."),
    "legend_1": (schema.GRID_LEVEL1.title_zh, "Level 1 grid (village, community)"),
    "legend_2": (schema.GRID_LEVEL2.title_zh, "Level 2 grid (section)"),
    "legend_3": (schema.GRID_LEVEL3.title_zh, "Level 3 grid (group, street, building)"),
    "legend_0": (schema.GRID_DEDICATED.title_zh, "Dedicated grid"),
    "legend_context": ("相邻村（社区）", "Neighbouring villages"),
    "legend_title": ("图　例", "Legend"),
    "vacant": ("（待配备）", "(vacant)"),
    "duties_shared": ("网格长工作职责：{duties}", "Duties of every grid head: {duties}"),
    "duties_marked": ("网格长工作职责（见表中“职责”栏）：", "Duties of the grid heads (column “Duties”):"),
    "issuer": ("发布单位：{issuer}", "Issued by: {issuer}"),
    "notice_date": ("公示日期：{date}", "Published: {date}"),
    "page": ("第 {page} 页　共 {pages} 页", "Page {page} of {pages}"),
    "scale_unit": ("千米", "km"),
    "footer_note": (
        "如对网格划分或网格工作人员有意见建议，请拨打监督电话。",
        "Comments on the grids or their staff: please call the supervision phone.",
    ),
    "permit_title": ("网格长工作证", "Grid head work permit"),
    "permit_name": ("姓　　名", "Name"),
    "permit_position": ("职　　务", "Position"),
    "permit_grid": ("所在网格", "Grid"),
    "permit_code": ("网格编码", "Grid code"),
    "permit_phone": ("联系电话", "Phone"),
    "permit_supervision": ("监督电话", "Supervision"),
    "permit_duties": ("工作职责", "Duties"),
    "permit_issuer": ("发证单位：{issuer}", "Issued by: {issuer}"),
    "permit_date": ("发证日期：{date}", "Date of issue: {date}"),
    "photo": ("照片", "Photo"),
    "seal": ("（盖章）", "(seal)"),
    "issuer_town": ("{name}人民政府", "People's Government of {name}"),
    "issuer_street": ("{name}办事处", "Office of {name}"),
    "issuer_other": ("{name}", "{name}"),
}

_SHORT_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
)


def doc_text(key: str, language: str = "zh", **values) -> str:
    """A document phrase in ``language`` ("zh" or anything else for English), with ``values`` filled in."""
    zh, en = DOC_TEXT[key]
    return (zh if language == "zh" else en).format(**values)


class ScopeError(PluginError, ValueError):
    """The code or name does not name one township or village of the workspace.

    ``reason`` is one of "empty", "not_found", "ambiguous", "county"; ``value`` the text given;
    ``candidates`` the matches of an ambiguous name. Adapters turn this into a translated message.
    """

    def __init__(self, reason: str, value: str, candidates: tuple[str, ...] = ()):
        super().__init__(f"{reason}: {value!r}" + (f" ({', '.join(candidates)})" if candidates else ""))
        self.reason = reason
        self.value = value
        self.candidates = candidates


@dataclass(frozen=True)
class Scope:
    """The area a notice or a set of permits is for: one township (9-digit code) or village (12 digits)."""

    code: str
    kind: str  # "township" or "village"
    name: str  # short display name: 关庙镇, 皂树村, 周台社区
    township_code: str
    township_name: str
    county_code: str
    county_name: str

    @property
    def is_village(self) -> bool:
        return self.kind == "village"


@dataclass(frozen=True)
class GridEntry:
    code: str
    name: str
    level: int
    parent_code: str | None
    path_name: str  # the grid named from its village down: 皂树村一片区三组


@dataclass(frozen=True)
class HeadEntry:
    """A grid and one of its heads; ``name`` None when the grid has no head yet."""

    grid: GridEntry
    name: str | None
    phone: str = ""
    supervision_phone: str = ""
    duties: str = ""
    position: str = ""
    photo_path: str = ""

    @property
    def vacant(self) -> bool:
        return self.name is None


def short_place_name(name: str | None) -> str:
    """皂树村委会 → 皂树村, 周台社区居委会 → 周台社区; other names unchanged."""
    name = (name or "").strip()
    for suffix, short in _SHORT_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if short == "社区" and stem.endswith("社区"):
                return stem
            return stem + short
    return name


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _divisions_by_code(data: WorkspaceData) -> dict[str, dict]:
    return {_text(row.get("code")): row for row in data.divisions if _text(row.get("code"))}


def _level1_names(data: WorkspaceData) -> dict[str, str]:
    grid = data.grids.get(schema.GRID_LEVEL1.name)
    if grid is None:
        return {}
    return {_text(c): _text(n) for c, n in zip(grid.codes, grid.names) if _text(c)}


def township_names(data: WorkspaceData) -> dict[str, str]:
    return {
        _text(row.get("town_code")): _text(row.get("town_name"))
        for row in data.divisions
        if _text(row.get("town_code"))
    }


def resolve_scope(data: WorkspaceData, text: str) -> Scope:
    """The township or village that ``text`` names: a 9- or 12-digit code, or a (short) name."""
    value = _text(text)
    if not value:
        raise ScopeError("empty", value)
    towns = township_names(data)
    divisions = _divisions_by_code(data)
    villages = dict(_level1_names(data))
    for code, row in divisions.items():
        villages.setdefault(code, _text(row.get("name")))
    county = data.info.county_code
    if value.isdigit():
        if len(value) == len(county or "") and value == county:
            raise ScopeError("county", value)
        if len(value) == TOWNSHIP_DIGITS:
            known = value in towns or any(c.startswith(value) for c in villages)
            if not known:
                raise ScopeError("not_found", value)
            return _scope(data, value, "township", towns)
        if len(value) == VILLAGE_DIGITS:
            if value not in villages:
                raise ScopeError("not_found", value)
            return _scope(data, value, "village", towns, villages.get(value, ""))
        raise ScopeError("not_found", value)
    matches: list[tuple[str, str]] = []
    for code, name in towns.items():
        if value == name:
            matches.append((code, "township"))
    for code, name in villages.items():
        if value in (name, short_place_name(name)):
            matches.append((code, "village" if len(code) == VILLAGE_DIGITS else "township"))
    if not matches:
        raise ScopeError("not_found", value)
    if len(matches) > 1:
        raise ScopeError("ambiguous", value, tuple(sorted(c for c, _ in matches)))
    code, kind = matches[0]
    return _scope(data, code, kind, towns, villages.get(code, ""))


def _scope(data: WorkspaceData, code: str, kind: str, towns: dict[str, str], village_name: str = "") -> Scope:
    township_code = code[:TOWNSHIP_DIGITS]
    township_name = towns.get(township_code, "") or township_code
    name = short_place_name(village_name) if kind == "village" else township_name
    return Scope(
        code=code,
        kind=kind,
        name=name or code,
        township_code=township_code,
        township_name=township_name,
        county_code=data.info.county_code,
        county_name=data.info.county_name,
    )


def _active(grid) -> list[bool]:
    status = grid.attribute("status", "active")
    return [_text(s) != "retired" for s in status]


def grids_in_scope(data: WorkspaceData, scope: Scope, levels=LEVEL_ORDER) -> list[GridEntry]:
    """The active grids of ``levels`` whose code lies under the scope's code, in code order (a tree walk)."""
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    rows: list[tuple[str, str, int, str | None]] = []
    for layer_def in schema.GRID_LAYERS:
        grid = data.grids.get(layer_def.name)
        if grid is None or len(grid) == 0:
            continue
        active = _active(grid)
        for i in range(len(grid)):
            code = _text(grid.codes[i])
            if not code or not active[i] or not code.startswith(scope.code):
                continue
            name = _text(grid.names[i])
            parent = _text(grid.parent_codes[i]) or None
            names[code] = name
            parents[code] = parent
            if layer_def.level in levels:
                rows.append((code, name, layer_def.level, parent))
    entries = []
    for code, name, level, parent in sorted(rows, key=lambda r: (r[0], LEVEL_ORDER.index(r[2]))):
        entries.append(GridEntry(code, name, level, parent, _path_name(code, level, names, parents)))
    return entries


def _path_name(code: str, level: int, names: dict[str, str], parents: dict[str, str | None]) -> str:
    """The grid named from its village down (皂树村一片区三组); a level 1 grid is its short name."""
    chain = [code]
    current = parents.get(code)
    while current and current in names and current not in chain and len(chain) < 4:
        chain.append(current)
        current = parents.get(current)
    village = code[:VILLAGE_DIGITS]
    if len(chain[-1]) != VILLAGE_DIGITS and village in names and village not in chain:
        chain.append(village)  # a broken parent link: name the grid from its village at least
    parts = []
    for item in reversed(chain):
        name = names.get(item) or item
        parts.append(short_place_name(name) if len(item) == VILLAGE_DIGITS else name)
    return "".join(parts)


def _is_head(row: dict) -> bool:
    role = _text(row.get("role"))
    return role in (GRID_HEAD, schema.option_label(schema.STAFF_ROLES, GRID_HEAD, "zh"))


def grid_heads(data: WorkspaceData, grids: list[GridEntry]) -> list[HeadEntry]:
    """One entry per grid head of ``grids`` (in grid order), and a vacant entry for a grid without one."""
    by_grid: dict[str, list[dict]] = {}
    for row in data.staff:
        if _is_head(row) and _text(row.get("name")):
            by_grid.setdefault(_text(row.get("grid_code")), []).append(row)
    entries = []
    for grid in grids:
        rows = by_grid.get(grid.code, [])
        if not rows:
            entries.append(HeadEntry(grid, None))
            continue
        for row in rows:
            entries.append(
                HeadEntry(
                    grid,
                    _text(row.get("name")),
                    phone=_text(row.get("phone")),
                    supervision_phone=_text(row.get("supervision_phone")),
                    duties=_text(row.get("duties")),
                    position=_text(row.get("position")),
                    photo_path=_text(row.get("photo_path")),
                )
            )
    return entries


def scope_bounds(data: WorkspaceData, scope: Scope) -> tuple[float, float, float, float] | None:
    """The bounding box (minx, miny, maxx, maxy) of the scope's grids, or None when they have no geometry."""
    geometries = []
    for layer_def in schema.GRID_LAYERS:
        grid = data.grids.get(layer_def.name)
        if grid is None or len(grid) == 0:
            continue
        active = _active(grid)
        for i in range(len(grid)):
            code = _text(grid.codes[i])
            if active[i] and code.startswith(scope.code) and grid.geometries[i] is not None:
                geometries.append(grid.geometries[i])
        if geometries and layer_def.level == 1:
            break  # level 1 grids cover the area already
    if not geometries:
        return None
    bounds = shapely.total_bounds(geometries)
    if not all(math.isfinite(v) for v in bounds):
        return None
    return tuple(float(v) for v in bounds)


# ---------------------------------------------------------------- wording


def level_counts(grids: list[GridEntry]) -> dict[int, int]:
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for grid in grids:
        counts[grid.level] += 1
    return counts


def notice_title(scope: Scope, language: str = "zh") -> str:
    return doc_text("notice_title", language, place=scope.name)


def notice_counts(scope: Scope, grids: list[GridEntry], language: str = "zh") -> str:
    counts = level_counts(grids)
    parts = [
        doc_text("count_part", language, label=doc_text(f"legend_{level}", language).split("（")[0], n=n)
        for level, n in counts.items()
        if n
    ]
    separator = "，" if language == "zh" else ", "
    village = ""
    if scope.is_village:
        village = scope.name if language == "zh" else f", {scope.name}"
    return doc_text(
        "notice_counts",
        language,
        county=scope.county_name,
        township=scope.township_name,
        village=village,
        total=len(grids),
        parts=separator.join(parts),
    )


def default_issuer(scope: Scope, language: str = "zh") -> str:
    """The township's government (镇) or office (街道): the unit that divides, publishes and issues (§7.6)."""
    name = scope.township_name
    if name.endswith(("镇", "乡")):
        return doc_text("issuer_town", language, name=name)
    if name.endswith("街道"):
        return doc_text("issuer_street", language, name=name)
    return doc_text("issuer_other", language, name=name)


def format_date(day: _dt.date | None = None, language: str = "zh") -> str:
    day = day or _dt.date.today()
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def level_label(level: int, language: str = "zh") -> str:
    return doc_text(f"level_{level}", language)


def shared_duties(heads: list[HeadEntry]) -> str | None:
    """The duties text when every head in ``heads`` has the same (non-empty) one, else None."""
    texts = {h.duties for h in heads if not h.vacant}
    if len(texts) == 1:
        (text,) = texts
        return text or None
    return None


MARKERS = "①②③④⑤⑥"


def duty_markers(heads: list[HeadEntry]) -> dict[str, str] | None:
    """Markers (①, ② …) for the few distinct duties of ``heads``, in order of first appearance.

    A notice lists the duties once, under a marker, instead of repeating a long text on every row.
    None when all heads share one text (see :func:`shared_duties`), when none has duties, or when there
    are too many different texts for markers (then the table shows them in full).
    """
    texts: list[str] = []
    for head in heads:
        if not head.vacant and head.duties and head.duties not in texts:
            texts.append(head.duties)
    if len(texts) < 2 or len(texts) > len(MARKERS):
        return None
    return {text: MARKERS[i] for i, text in enumerate(texts)}


def duties_note(heads: list[HeadEntry], language: str = "zh") -> str | None:
    """The paragraph above the notice's table: the shared duties, or each marked duty on its own line."""
    shared = shared_duties(heads)
    if shared:
        return doc_text("duties_shared", language, duties=shared)
    markers = duty_markers(heads)
    if not markers:
        return None
    lines = [doc_text("duties_marked", language)]
    lines += [f"{marker} {text}" for text, marker in markers.items()]
    return "\n".join(lines)


def text_width(text: str) -> float:
    """Width of ``text`` in em: wide (CJK, full-width) characters 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)


_NO_LINE_START = set("，。、；：！？）》」』”’%,.;:!?)")


def wrap_text(text: str, width_em: float, max_lines: int | None = None, measure=text_width) -> str:
    """Break ``text`` into lines of at most ``width_em`` em, joined by newlines.

    ``measure(text)`` gives a width in em (default :func:`text_width`; adapters pass the real font's metrics).
    Chinese has no spaces, so lines break between any two characters, but never before closing punctuation;
    Latin words (runs without spaces) are kept whole where they fit. With ``max_lines`` the last kept line
    ends in an ellipsis.
    """
    if width_em <= 0:
        return text
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        start = len(lines)
        tokens = _tokens(paragraph)
        line, width = "", 0.0
        for token in tokens:
            w = measure(token)
            if line and width + w > width_em and not (token[0] in _NO_LINE_START and len(token) == 1):
                lines.append(line.rstrip())
                line, width = token.lstrip(), measure(token.lstrip())
                continue
            line += token
            width += w
        line = line.rstrip()
        previous = lines[-1] if lines and start < len(lines) else None
        if (
            previous
            and len(line) == 1
            and len(previous) > 2
            and previous[-1] not in _NO_LINE_START
            and all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in (line, previous[-1]))
        ):
            lines[-1], line = previous[:-1], previous[-1] + line  # no single character on a paragraph's last line
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and measure(last + "…") > width_em:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


def _tokens(text: str) -> list[str]:
    """Wide characters one by one; runs of narrow non-space characters (with a trailing space) together."""
    tokens: list[str] = []
    run = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            if run:
                tokens.append(run)
                run = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(run + ch)
            run = ""
        else:
            run += ch
    if run:
        tokens.append(run)
    return tokens


# ---------------------------------------------------------------- the notice's table

NOTICE_COLUMNS = ("code", "name", "level", "head", "phone", "supervision", "duties")
# "duty_marker": the duties' marker (①, ②) of duty_markers instead of the text
_INDENT = {1: "", 2: "　", 3: "　　", schema.LEVEL_DEDICATED: "　"}


def notice_headers(columns, language: str = "zh") -> list[str]:
    return [doc_text(f"col_{c}", language) for c in columns]


def notice_rows(
    heads: list[HeadEntry],
    columns=NOTICE_COLUMNS,
    language: str = "zh",
    widths_em: dict[str, float] | None = None,
    measure=text_width,
) -> list[list[str]]:
    """The notice table's rows: one per grid head (or vacant grid), names indented by level."""
    widths_em = widths_em or {}
    markers = duty_markers(heads) or {}
    rows = []
    for head in heads:
        grid = head.grid
        name = grid.name or grid.code
        if grid.level == 1:
            name = short_place_name(name) or name
        values = {
            "code": grid.code,
            "name": _INDENT.get(grid.level, "") + name,
            "level": level_label(grid.level, language),
            "head": head.name if not head.vacant else doc_text("vacant", language),
            "phone": head.phone,
            "supervision": head.supervision_phone,
            "duties": head.duties,
            "duty_marker": markers.get(head.duties, ""),
        }
        row = []
        for column in columns:
            value = values[column]
            if column in widths_em:
                value = wrap_text(value, widths_em[column], measure=measure)
            row.append(value)
        rows.append(row)
    return rows


# ---------------------------------------------------------------- work permits


@dataclass(frozen=True)
class PermitCard:
    title: str
    name_label: str
    name: str
    lines: tuple[tuple[str, str], ...]  # (label, value) under the name
    duties_label: str
    duties: str
    issuer: str
    date: str
    photo_path: str
    photo_label: str
    seal: str


def permit_card(head: HeadEntry, issuer: str, day: _dt.date | None = None, language: str = "zh") -> PermitCard:
    lines = []
    if head.position:
        lines.append((doc_text("permit_position", language), head.position))
    lines += [
        (doc_text("permit_grid", language), head.grid.path_name),
        (doc_text("permit_code", language), head.grid.code),
        (doc_text("permit_phone", language), head.phone),
        (doc_text("permit_supervision", language), head.supervision_phone),
    ]
    return PermitCard(
        title=doc_text("permit_title", language),
        name_label=doc_text("permit_name", language),
        name=head.name or "",
        lines=tuple(lines),
        duties_label=doc_text("permit_duties", language),
        duties=head.duties,
        issuer=doc_text("permit_issuer", language, issuer=issuer),
        date=doc_text("permit_date", language, date=format_date(day, language)),
        photo_path=head.photo_path,
        photo_label=doc_text("photo", language),
        seal=doc_text("seal", language),
    )


def permit_holders(heads: list[HeadEntry]) -> list[HeadEntry]:
    """The heads that get a permit: every named head, in grid order."""
    return [h for h in heads if not h.vacant]


def pages_needed(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page)) if per_page > 0 else 1


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
