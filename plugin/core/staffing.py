"""The staff register (§8.1, §8.2, §11.4): read it from CSV or XLSX, normalise it and audit it.

* :func:`read_staff_table` reads a register whose headers are Chinese or English (the ``staff`` aliases of
  :mod:`schema` plus common variants), finds the header row below any title rows, and returns rows keyed by
  the schema's field names with a ``_row`` (the spreadsheet row number) and the problems it met.
* :func:`normalize_phone`: a Chinese mobile ``1[3-9]`` + 9 digits (``+86``/``0086``, spaces and dashes
  allowed) → ``13912345678``; a landline ``0`` + 2–3 digit area code + 7–8 digits, optional extension
  (转/分机/ext/x/#/-) → ``0915-3212345`` or ``0915-3212345-801``. Area codes 010 and 02x have three digits,
  others four. A supervision phone may also be a public hotline (``12345``) or a 400/800 number.
* :func:`evaluate_staffing` audits the register against the grids: every active grid has a grid head
  (§8.1), every level 1 grid (总网格) a grid administrator (§8.2), a dedicated grid's head is the unit's
  safety officer (§7.4), and every row has a name, a known role, a known grid code and valid phones.

No qgis or Qt import.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import schema
from .findings import Finding, Rule, Severity
from .model import GridArray

LAYER = schema.STAFF.name

RULE_NO_GRID_HEAD = "staff.no_grid_head"
RULE_NO_GRID_ADMIN = "staff.no_grid_admin"
RULE_DEDICATED_HEAD = "staff.dedicated_head_not_safety_officer"
RULE_BAD_PHONE = "staff.bad_phone"
RULE_NO_PHONE = "staff.no_phone"
RULE_UNKNOWN_GRID = "staff.unknown_grid"
RULE_MISSING_NAME = "staff.missing_name"
RULE_BAD_ROLE = "staff.bad_role"
RULE_BAD_VALUE = "staff.bad_value"
RULE_FILE = "staff.file"  # problems of the file itself (read_staff_table only)

RULES: tuple[Rule, ...] = (
    Rule(RULE_NO_GRID_HEAD, Severity.ERROR, "8.1", "网格未配备网格长", "grid without a grid head"),
    Rule(
        RULE_NO_GRID_ADMIN, Severity.ERROR, "8.2", "总网格未配备网格管理员", "village grid without a grid administrator"
    ),
    Rule(
        RULE_DEDICATED_HEAD,
        Severity.WARNING,
        "7.4",
        "专属网格长不是单位安全负责人",
        "dedicated grid head is not the unit's safety officer",
    ),
    Rule(RULE_BAD_PHONE, Severity.WARNING, "11.4", "联系电话格式无效", "invalid phone number"),
    Rule(RULE_NO_PHONE, Severity.INFO, "11.4", "未填写联系电话", "no contact phone"),
    Rule(RULE_UNKNOWN_GRID, Severity.ERROR, "8.4", "网格编码不存在", "unknown grid code"),
    Rule(RULE_MISSING_NAME, Severity.ERROR, "8.4", "缺少姓名", "name missing"),
    Rule(RULE_BAD_ROLE, Severity.ERROR, "8.4", "岗位无法识别", "unknown role"),
    Rule(RULE_BAD_VALUE, Severity.WARNING, "", "取值无法识别", "unreadable value"),
)
_SEVERITY = {r.id: r.severity for r in RULES}

ROLE_KEYS = tuple(o.key for o in schema.STAFF_ROLES)
FIELDS = schema.STAFF.field_names
REQUIRED_COLUMNS = ("name", "role", "grid_code")

_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "网格长姓名", "full name", "staff name"),
    "phone": (
        "联系电话",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "电话号码",
        "mobile",
        "tel",
        "telephone",
        "phone number",
    ),
    "role": ("岗位", "角色", "岗位类别", "人员类别", "role", "post"),
    "grid_code": ("网格编码", "网格编号", "网格代码", "所属网格编码", "所属网格", "grid", "grid code", "grid id"),
    "supervision_phone": ("监督电话", "监督举报电话", "supervision phone", "supervision"),
    "duties": ("工作职责", "职责", "岗位职责", "duties", "responsibilities"),
    "position": ("职务", "现任职务", "position", "job title", "title"),
    "safety_officer": ("单位安全负责人", "安全负责人", "是否安全负责人", "是否为安全负责人", "safety officer"),
    "photo_path": ("照片", "照片路径", "photo", "photo path"),
}

_TRUE = {"1", "true", "t", "yes", "y", "是", "√", "✓", "✔", "对"}
_FALSE = {"0", "false", "f", "no", "n", "否", "×", "✗", "", "-", "无"}


def _norm(value) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def _header_key(value) -> str:
    """Header text → comparison key: NFKC, lower case, no spaces, no bracketed notes or required marks."""
    text = _norm(value).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*:_\-]", "", text)


def header_aliases() -> dict[str, str]:
    """Header key → staff field name (field names, schema aliases and common variants)."""
    out: dict[str, str] = {}
    for f in schema.STAFF.fields:
        for alias in (f.name, f.alias_zh, f.alias_en, *_EXTRA_ALIASES.get(f.name, ())):
            out.setdefault(_header_key(alias), f.name)
    return out


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Phone:
    normalized: str | None  # None when invalid or blank
    kind: str  # "mobile", "landline", "service", "" (blank) or "invalid"
    hint_zh: str = ""
    hint_en: str = ""


_MOBILE = re.compile(r"1[3-9]\d{9}")
_EXT = re.compile(r"^(.*?)(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_SERVICE = re.compile(r"1\d{2,4}|[48]00\d{7}")


def normalize_phone(value, allow_service: bool = False) -> Phone:
    """Validate and normalise a phone number (see the module docstring for the accepted forms)."""
    if value is None:
        return Phone(None, "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _norm(value)
    if not text:
        return Phone(None, "")
    ext = ""
    m = _EXT.match(text)
    if m:
        text, ext = m.group(1).strip(), m.group(2)
    compact = re.sub(r"[\s()（）.\u2014\u2013\u2012]", "", text)
    international = False
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact, international = compact[len(prefix) :].lstrip("-"), True
            break
    else:
        if len(compact) == 13 and compact.startswith("861"):
            compact, international = compact[2:], True
    if not ext:
        m = re.fullmatch(r"(0\d{2,3})-(\d{7,8})-(\d{1,6})", compact)
        if m:
            compact, ext = f"{m.group(1)}-{m.group(2)}", m.group(3)
    digits = compact.replace("-", "")
    if not digits.isdigit():
        return _invalid("含有非数字字符", "contains characters other than digits")
    if _MOBILE.fullmatch(digits) and not ext:
        return Phone(digits, "mobile")
    if allow_service and not ext and not international and _SERVICE.fullmatch(digits):
        return Phone(digits, "service")
    if international and not digits.startswith("0"):
        digits, compact = "0" + digits, "0" + compact
    m = re.fullmatch(r"(0\d{2,3})-(\d{7,8})", compact)
    if m:
        area, local = m.group(1), m.group(2)
    elif re.fullmatch(r"0\d{9,11}", digits):
        n = 3 if digits.startswith(("010", "02")) else 4
        area, local = digits[:n], digits[n:]
        if not 7 <= len(local) <= 8:
            return _invalid("座机号码位数不对", "wrong number of digits for a landline")
    elif len(digits) in (10, 11) and digits[0] in "23456789":
        return _invalid(
            "可能是表格把区号前的 0 去掉了，请以文本格式填写",
            "the leading 0 of the area code may have been lost; store it as text",
        )
    elif 7 <= len(digits) <= 8:
        return _invalid("座机号码缺少区号", "the landline number lacks its area code")
    elif digits.startswith("1"):
        return _invalid("手机号码应为 11 位，以 13–19 开头", "a mobile number has 11 digits starting 13–19")
    elif digits.startswith("0"):
        return _invalid("座机号码位数不对", "wrong number of digits for a landline")
    else:
        return _invalid("不是手机或座机号码", "neither a mobile nor a landline number")
    return Phone(f"{area}-{local}" + (f"-{ext}" if ext else ""), "landline")


def _invalid(zh: str, en: str) -> Phone:
    return Phone(None, "invalid", zh, en)


def parse_role(value) -> str | None:
    """A role key from a key, its Chinese or English label, or a common variant; None if unrecognised."""
    text = _norm(value).lower()
    if not text:
        return None
    for option in schema.STAFF_ROLES:
        if text in (option.key, option.label_zh, option.label_en.lower(), option.key.replace("_", " ")):
            return option.key
    if "管理员" in text or text in ("admin", "administrator", "grid administrator"):
        return "grid_admin"
    if text.endswith("网格长") or text in ("head", "grid leader", "leader"):
        return "grid_head"
    if "监督" in text or text.startswith("supervis"):
        return "supervisor"
    return None


def parse_bool(value) -> bool | None:
    if value is None:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _norm(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _code_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(_norm(value).split())


def _code_texts(values) -> np.ndarray:
    """:func:`_code_text` of each value (object array): plain ASCII letters and digits, the usual codes, as
    they are in one vectorised pass; anything else value by value."""
    values = np.asarray(values, dtype=object)
    if len(values) and all(type(v) is str for v in values):
        text = values.astype(str)
        try:
            text.astype("S")  # ASCII only: NFKC leaves it unchanged
        except UnicodeEncodeError:
            pass
        else:
            if np.char.isalnum(text).all():
                return text.astype(object)
    return np.array([_code_text(v) for v in values], dtype=object).reshape(len(values))


def _name_text(value) -> str:
    text = _norm(value)
    # Chinese names are often padded for alignment ("张  三"): drop inner spaces when the name is CJK.
    if re.search(r"[\u4e00-\u9fff]", text):
        text = "".join(text.split())
    return text


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class StaffProblem:
    row: int | None  # spreadsheet row number; None for problems of the file
    field: str
    rule_id: str
    severity: Severity
    message_zh: str
    message_en: str


def read_staff_table(path, mapping: dict[str, str] | None = None, sheet: str | None = None):
    """Read a staff register from CSV (UTF-8 or GB18030) or XLSX.

    ``mapping`` (field name → header text) overrides the automatic header recognition. Returns
    ``(rows, problems)``: rows are dicts of the staff fields, normalised (phones, role keys, booleans,
    codes as text; invalid values kept as written) with ``_row``; problems are :class:`StaffProblem`.
    """
    path = Path(path)
    problems: list[StaffProblem] = []
    try:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            table = _read_xlsx(path, sheet)
        elif suffix in (".csv", ".txt", ".tsv"):
            table = _read_csv(path)
        else:
            raise ValueError(f"unsupported file type {suffix or '(none)'}; use .csv or .xlsx")
    except (OSError, ValueError, KeyError) as exc:
        problems.append(_file_problem("file", f"无法读取文件 {path.name}：{exc}", f"cannot read {path.name}: {exc}"))
        return [], problems
    except Exception as exc:  # openpyxl raises many kinds (zipfile.BadZipFile, InvalidFileException …)
        problems.append(_file_problem("file", f"无法读取文件 {path.name}：{exc}", f"cannot read {path.name}: {exc}"))
        return [], problems
    header_row, columns = _find_header(table, mapping)
    if header_row is None:
        problems.append(
            _file_problem(
                "header",
                "前 10 行中找不到表头（应含 姓名、岗位、网格编码 等列）",
                "no header row in the first 10 rows (expected columns such as name, role, grid code)",
            )
        )
        return [], problems
    for f in REQUIRED_COLUMNS:
        if f not in columns:
            alias = schema.STAFF.field(f)
            problems.append(_file_problem(f, f"缺少“{alias.alias_zh}”列", f"the column “{alias.alias_en}” is missing"))
    rows: list[dict] = []
    for r in range(header_row + 1, len(table)):
        values = table[r]
        if all(_norm(v) == "" for v in values):
            continue
        raw = {f: (values[c] if c < len(values) else None) for f, c in columns.items()}
        row = normalize_staff_row(raw)
        row["_row"] = r + 1
        rows.append(row)
        problems.extend(validate_staff_row(row, raw))
    return rows, problems


def _file_problem(field_name: str, zh: str, en: str) -> StaffProblem:
    return StaffProblem(None, field_name, RULE_FILE, Severity.ERROR, zh, en)


def _read_csv(path: Path) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("unknown text encoding (not UTF-8 or GB18030)")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(path: Path, sheet: str | None) -> list[list]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = [wb[sheet]] if sheet else list(wb.worksheets)
        for ws in sheets:
            table = [list(r) for r in ws.iter_rows(values_only=True)]
            if sheet or _find_header(table, None)[0] is not None:
                return table
        return [list(r) for r in sheets[0].iter_rows(values_only=True)] if sheets else []
    finally:
        wb.close()


def _find_header(table: list[list], mapping: dict[str, str] | None) -> tuple[int | None, dict[str, int]]:
    aliases = header_aliases()
    wanted = {_header_key(h): f for f, h in (mapping or {}).items()}
    mapped = set(wanted.values())
    for r, values in enumerate(table[:10]):
        columns: dict[str, int] = {}
        for c, v in enumerate(values):
            key = _header_key(v)
            if key in wanted:
                f = wanted[key]
            else:
                f = aliases.get(key)
                if f in mapped:  # the mapping names another column for this field
                    f = None
            if key and f and f not in columns:
                columns[f] = c
        if len(columns) >= 2 and ("name" in columns or "grid_code" in columns):
            return r, columns
    return None, {}


def normalize_staff_row(raw: dict) -> dict:
    """Staff fields from raw cell values; values that cannot be normalised are kept as written."""
    row: dict = {}
    for f in FIELDS:
        v = raw.get(f)
        if f == "name":
            row[f] = _name_text(v)
        elif f == "grid_code":
            row[f] = _code_text(v)
        elif f == "role":
            row[f] = parse_role(v) or _norm(v)
        elif f in ("phone", "supervision_phone"):
            phone = normalize_phone(v, allow_service=f == "supervision_phone")
            row[f] = phone.normalized or _code_text(v)
        elif f == "safety_officer":
            b = parse_bool(v)
            row[f] = b if b is not None else _norm(v)
        else:
            row[f] = _norm(v) if v is not None else ""
    return row


def validate_staff_row(row: dict, raw: dict | None = None) -> list[StaffProblem]:
    """The problems of one row that need no grids: name, role, phones, grid code present."""
    out: list[StaffProblem] = []
    number = row.get("_row")
    label_zh, label_en = _row_label(row, number)

    def add(field_name, rule_id, zh, en, severity=None):
        out.append(StaffProblem(number, field_name, rule_id, severity or _SEVERITY[rule_id], zh, en))

    if not _name_text(row.get("name")):
        add("name", RULE_MISSING_NAME, f"{label_zh}缺少姓名。", f"{label_en}: name is missing.")
    role = row.get("role")
    if parse_role(role) is None:
        if _norm(role):
            zh = f"{label_zh}岗位“{role}”无法识别，应为 网格长、网格管理员 或 监督员。"
            en = f"{label_en}: role “{role}” is not grid head, grid administrator or supervisor."
        else:
            zh, en = f"{label_zh}未填写岗位。", f"{label_en}: role is missing."
        add("role", RULE_BAD_ROLE, zh, en)
    for f, zh_name, en_name in (("phone", "联系电话", "phone"), ("supervision_phone", "监督电话", "supervision phone")):
        value = (raw or row).get(f)
        phone = normalize_phone(value, allow_service=f == "supervision_phone")
        if phone.kind == "invalid":
            add(
                f,
                RULE_BAD_PHONE,
                f"{label_zh}{zh_name}“{_norm(value)}”无效：{phone.hint_zh}。",
                f"{label_en}: {en_name} “{_norm(value)}” is invalid: {phone.hint_en}.",
            )
        elif phone.kind == "" and f == "phone":
            add(f, RULE_NO_PHONE, f"{label_zh}未填写联系电话。", f"{label_en}: no contact phone.")
    if not _code_text(row.get("grid_code")):
        add("grid_code", RULE_UNKNOWN_GRID, f"{label_zh}未填写网格编码。", f"{label_en}: grid code is missing.")
    raw_code = (raw or {}).get("grid_code")
    if isinstance(raw_code, (int, float)) and not isinstance(raw_code, bool) and abs(raw_code) >= 1e15:
        add(
            "grid_code",
            RULE_BAD_VALUE,
            f"{label_zh}网格编码以数字形式保存，超过 15 位的数字会被表格软件改掉末位，请将该列设为文本后重新填写。",
            f"{label_en}: the grid code is stored as a number; spreadsheets keep only 15 digits, so its last "
            "digits may be wrong. Format the column as text and enter the codes again.",
        )
    if row.get("safety_officer") not in (True, False, None, ""):
        add(
            "safety_officer",
            RULE_BAD_VALUE,
            f"{label_zh}“单位安全负责人”的值“{row.get('safety_officer')}”无法识别，应为 是 或 否。",
            f"{label_en}: safety officer value “{row.get('safety_officer')}” is not yes or no.",
        )
    return out


def _row_label(row: dict, number) -> tuple[str, str]:
    name = _name_text(row.get("name")) or "（无姓名）"
    name_en = _name_text(row.get("name")) or "(no name)"
    code = _code_text(row.get("grid_code")) or "—"
    where_zh = f"第 {number} 行" if number is not None else "一行"
    where_en = f"row {number}" if number is not None else "a row"
    return f"{where_zh}（{name}，网格 {code}）", f"{where_en} ({name_en}, grid {code})"


# ---------------------------------------------------------------- audit


def _is_dedicated(grid: GridArray, i: int) -> bool:
    return grid.level == schema.LEVEL_DEDICATED or grid.attribute("kind", None)[i] == "dedicated"


def staffed_codes(staff: list[dict], role: str = "grid_head") -> set[str]:
    """Grid codes with at least one named staff member in ``role``."""
    return {
        _code_text(r.get("grid_code"))
        for r in staff
        if parse_role(r.get("role")) == role and _name_text(r.get("name")) and _code_text(r.get("grid_code"))
    }


def evaluate_staffing(grids: dict[str, GridArray], staff: list[dict]) -> list[Finding]:
    """Audit the staff register against the grid layers (by layer name); retired grids are ignored."""
    active: dict[str, tuple[GridArray, int]] = {}
    retired: set[str] = set()
    for grid in grids.values():
        if len(grid) == 0:
            continue
        keys = _code_texts(grid.codes)
        gone = np.asarray(grid.attribute("status", None), dtype=object) == "retired"
        named = keys != ""
        retired.update(keys[named & gone])
        live = np.flatnonzero(named & ~gone)
        # the first grid holding each code, over the layers in order (dict() keeps the last: go backwards)
        first = dict(zip(keys[live][::-1], zip([grid] * len(live), live[::-1].tolist())))
        active = first | active

    findings: list[Finding] = []
    heads: dict[str, list[dict]] = {}
    admins: set[str] = set()
    for n, row in enumerate(staff):
        number = row.get("_row", n + 1)
        row = {**row, "_row": number}
        code = _code_text(row.get("grid_code"))
        fids = (int(row["fid"]),) if row.get("fid") is not None else ()
        label_zh, label_en = _row_label(row, number)
        for p in validate_staff_row(row):
            findings.append(_row_finding(p, code, fids, number))
        if code and code not in active:
            if code in retired:
                zh = f"{label_zh}所属网格 {code} 已撤销，请调整到在用网格。"
                en = f"{label_en}: grid {code} is retired; move this person to an active grid."
            else:
                zh = f"{label_zh}网格编码 {code} 不存在。"
                en = f"{label_en}: no grid has the code {code}."
            findings.append(
                Finding(
                    RULE_UNKNOWN_GRID,
                    Severity.ERROR,
                    LAYER,
                    (code,),
                    fids,
                    None,
                    float(number),
                    "row",
                    zh,
                    en,
                    extra={"row": number, "field": "grid_code"},
                )
            )
            continue
        if not code or not _name_text(row.get("name")):
            continue
        role = parse_role(row.get("role"))
        if role == "grid_head":
            heads.setdefault(code, []).append(row)
        elif role == "grid_admin":
            admins.add(code)

    for code, code_heads in heads.items():
        grid, i = active[code]  # heads only name active grids
        for row in code_heads if _is_dedicated(grid, i) else []:
            if row.get("safety_officer") is True or "安全负责人" in _norm(row.get("position")):
                continue
            label_zh, label_en = _row_label(row, row["_row"])
            findings.append(
                Finding(
                    RULE_DEDICATED_HEAD,
                    Severity.WARNING,
                    LAYER,
                    (code,),
                    (int(row["fid"]),) if row.get("fid") is not None else (),
                    None,
                    float(row["_row"]),
                    "row",
                    f"{label_zh}是专属网格 {_grid_label(grid, i)[0]} 的网格长，但未标明为该单位安全负责人（7.4）。",
                    f"{label_en} heads dedicated grid {_grid_label(grid, i)[1]} but is not marked as the unit's "
                    "safety officer (7.4).",
                    extra={"row": row["_row"], "field": "safety_officer"},
                )
            )
    if not staff:
        findings.extend(_empty_register_findings(grids))
        return findings
    head_codes = np.array(sorted(heads), dtype=str)
    admin_codes = np.array(sorted(admins), dtype=str)
    for grid in grids.values():
        if len(grid) == 0:
            continue
        rows = np.flatnonzero(np.asarray(grid.attribute("status", None), dtype=object) != "retired")
        codes = _code_texts(grid.codes[rows]).astype(str)
        no_head = rows[~np.isin(codes, head_codes)]
        no_admin = rows[~np.isin(codes, admin_codes)] if grid.level == 1 else rows[:0]
        findings.extend(
            _grid_finding(
                grid, i, RULE_NO_GRID_HEAD, f"网格 {zh}未配备网格长（8.1）。", f"Grid {en} has no grid head (8.1)."
            )
            for i, (zh, en) in zip(no_head, map(functools.partial(_grid_label, grid), no_head))
        )
        findings.extend(
            _grid_finding(
                grid,
                i,
                RULE_NO_GRID_ADMIN,
                f"一级网格（总网格）{zh}未配备网格管理员（8.2）。",
                f"Level 1 grid {en} has no grid administrator (8.2).",
            )
            for i, (zh, en) in zip(no_admin, map(functools.partial(_grid_label, grid), no_admin))
        )
    return findings


def _empty_register_findings(grids: dict[str, GridArray]) -> list[Finding]:
    """An empty staff register: one finding for all grids without a grid head, one for all level 1 grids
    without a grid administrator (each naming how many grids it concerns), not one per grid."""
    active = {}
    for grid in grids.values():
        n = int(np.count_nonzero(np.asarray(grid.attribute("status", None), dtype=object) != "retired"))
        if n:
            active[grid.layer] = (grid.level, n)
    if not active:
        return []
    level_zh = {level: zh for level, (zh, _) in schema.LEVEL_LABELS.items()}
    level_en = {level: en for level, (_, en) in schema.LEVEL_LABELS.items()}
    total = sum(n for _, n in active.values())
    parts_zh = "、".join(f"{level_zh.get(lv, layer)} {n} 个" for layer, (lv, n) in active.items())
    parts_en = ", ".join(f"{n} {level_en.get(lv, layer)}" for layer, (lv, n) in active.items())
    by_layer = {layer: n for layer, (_, n) in active.items()}
    out = [
        Finding(
            RULE_NO_GRID_HEAD,
            _SEVERITY[RULE_NO_GRID_HEAD],
            LAYER,
            (),
            (),
            None,
            float(total),
            "grids",
            f"网格工作人员名单为空：全部 {total} 个在用网格（{parts_zh}）均未配备网格长（8.1）。请导入网格工作人员名单。",
            f"The staff register is empty: none of the {total} active grids ({parts_en}) has a grid head (8.1). "
            "Import the staff register.",
            key="empty_register",
            extra={"grids": total, "by_layer": by_layer},
        )
    ]
    villages = sum(n for lv, n in active.values() if lv == 1)
    if villages:
        out.append(
            Finding(
                RULE_NO_GRID_ADMIN,
                _SEVERITY[RULE_NO_GRID_ADMIN],
                LAYER,
                (),
                (),
                None,
                float(villages),
                "grids",
                f"网格工作人员名单为空：全部 {villages} 个一级网格（总网格）均未配备网格管理员（8.2）。",
                f"The staff register is empty: none of the {villages} level 1 grids has a grid administrator (8.2).",
                key="empty_register",
                extra={"grids": villages},
            )
        )
    return out


def _grid_label(grid: GridArray, i: int) -> tuple[str, str]:
    code = _code_text(grid.codes[i]) or f"fid {int(grid.fids[i])}"
    name = grid.names[i]
    return (f"{code}（{name}）" if name else f"{code} "), (f"{code} ({name})" if name else code)


def _grid_finding(grid: GridArray, i: int, rule_id: str, zh: str, en: str) -> Finding:
    code = _code_text(grid.codes[i])
    return Finding(
        rule_id,
        _SEVERITY[rule_id],
        grid.layer,
        (code,) if code else (),
        (int(grid.fids[i]),),
        grid.geometries[i],
        None,
        "",
        zh,
        en,
    )


def _row_finding(p: StaffProblem, code: str, fids: tuple, number) -> Finding:
    return Finding(
        p.rule_id,
        p.severity,
        LAYER,
        (code,) if code else (),
        fids,
        None,
        float(number) if number is not None else None,
        "row",
        p.message_zh,
        p.message_en,
        extra={"row": number, "field": p.field},
    )
