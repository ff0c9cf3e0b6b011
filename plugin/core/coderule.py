"""Grid code rules: how a grid's code is built from its village's statistical code and its parent's code.

The default rule, ``"village12+2+3"``, follows the practice of Beijing (DB11) and Xi'an (DB6101/T 3185-2024):

* level 1 (village/community): the 12-digit statistical division code (6 county + 3 township + 3 village);
* level 2 (section): the parent's code + 2 digits, 01–89;
* level 3 (group/street/building): the parent's code + 3 digits, 001–999;
* dedicated grid (school, factory …): its village's 12-digit code + 2 digits from the reserved range 90–99.

A rule string is ``<base><width>(+<width>)+`` optionally followed by ``;dedicated=<lo>-<hi>``: the base width
is that of the level 1 code, each ``+n`` adds n digits for the next level, and dedicated grids take the
level 2 width with the reserved range (by default the top tenth of the level 2 range: 90–99 for 2 digits,
900–999 for 3). Level 2 then uses 1 … lo-1 and the levels below 1 … 10**n - 1.

Plain Python and numpy: no qgis or Qt import. Validation works on one code or on arrays of codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import PluginError

DEFAULT_CODE_RULE = "village12+2+3"
LEVEL_DEDICATED = 0

_RULE_RE = re.compile(r"^(?P<base>[a-z_]+)(?P<bw>\d+)(?P<levels>(?:\+\d+)+)(?:;dedicated=(?P<lo>\d+)-(?P<hi>\d+))?$")


class CodeRuleError(PluginError, ValueError):
    """A code rule string that cannot be parsed."""


# Reasons a code is malformed (keys of CodeProblem.reason), with Chinese and English wording.
REASONS = {
    "missing": ("编码为空", "the code is empty"),
    "not_digits": ("编码含非数字字符", "the code contains characters other than digits"),
    "length": ("编码位数应为 {expected} 位，实际 {actual} 位", "the code should have {expected} digits, not {actual}"),
    "county": (
        "编码前 6 位 {actual} 与本县代码 {expected} 不符",
        "the first 6 digits {actual} are not the county code {expected}",
    ),
    "sequence_range": (
        "编码末 {width} 位顺序号 {actual} 不在 {lo}–{hi} 范围内",
        "the last {width} digits {actual} are outside the range {lo}–{hi}",
    ),
}


@dataclass(frozen=True)
class CodeProblem:
    """Why one code breaks the rule: a key of REASONS and the values its message needs."""

    reason: str
    values: dict

    def message(self, language: str = "zh") -> str:
        zh, en = REASONS[self.reason]
        return (zh if language == "zh" else en).format(**self.values)


@dataclass(frozen=True)
class CodeRule:
    """A parsed code rule. ``widths[0]`` is the level 1 width, ``widths[k]`` the digits added by level k+1."""

    text: str
    base: str
    widths: tuple[int, ...]
    dedicated_range: tuple[int, int]

    # ------------------------------------------------------------------ construction

    @classmethod
    def parse(cls, text: str | None) -> CodeRule:
        """Parse a rule string such as ``"village12+2+3"``; an empty value gives the default rule."""
        text = (text or DEFAULT_CODE_RULE).strip()
        match = _RULE_RE.match(text)
        if not match:
            raise CodeRuleError(f"cannot parse the code rule {text!r} (expected e.g. {DEFAULT_CODE_RULE!r})")
        widths = (int(match["bw"]), *(int(w) for w in match["levels"].split("+")[1:]))
        if any(w <= 0 for w in widths):
            raise CodeRuleError(f"code rule {text!r}: every width must be at least 1")
        w2 = widths[1]
        if match["lo"] is not None:
            lo, hi = int(match["lo"]), int(match["hi"])
        else:
            hi = 10**w2 - 1
            lo = 9 * 10 ** (w2 - 1)
        if not 1 < lo <= hi < 10**w2:
            raise CodeRuleError(f"code rule {text!r}: the dedicated range {lo}-{hi} does not fit {w2} digits")
        return cls(text=text, base=match["base"], widths=widths, dedicated_range=(lo, hi))

    # ------------------------------------------------------------------ structure

    @property
    def levels(self) -> tuple[int, ...]:
        """The comprehensive levels the rule defines: (1, 2, 3) for the default."""
        return tuple(range(1, len(self.widths) + 1))

    @property
    def village_width(self) -> int:
        return self.widths[0]

    def width(self, level: int) -> int:
        """Total number of digits of a code of ``level`` (0 = dedicated)."""
        if level == LEVEL_DEDICATED:
            return self.widths[0] + self.widths[1]
        self._check_level(level)
        return sum(self.widths[:level])

    def suffix_width(self, level: int) -> int:
        """Digits a level adds to its parent's code (the full width for level 1)."""
        if level == LEVEL_DEDICATED:
            return self.widths[1]
        self._check_level(level)
        return self.widths[level - 1]

    def parent_width(self, level: int) -> int:
        """Width of the parent's code: the village code for level 2 and dedicated grids."""
        if level == LEVEL_DEDICATED:
            return self.widths[0]
        self._check_level(level)
        if level == 1:
            return 0
        return sum(self.widths[: level - 1])

    def sequence_range(self, level: int) -> tuple[int, int]:
        """The allowed sequence numbers of the digits a level adds (level ≥ 2 or dedicated)."""
        if level == LEVEL_DEDICATED:
            return self.dedicated_range
        self._check_level(level)
        if level == 1:
            raise ValueError("level 1 codes are statistical division codes, not sequences")
        if level == 2:
            return 1, self.dedicated_range[0] - 1
        return 1, 10 ** self.widths[level - 1] - 1

    def _check_level(self, level: int) -> None:
        if level not in self.levels:
            raise ValueError(f"the code rule {self.text!r} has no level {level}")

    # ------------------------------------------------------------------ single codes

    def village_code(self, code: str) -> str:
        """The village/community part of a code (its first 12 digits by default)."""
        return code[: self.widths[0]]

    def township_code(self, code: str) -> str:
        """The township part of a village code: all but its last 3 digits (9 digits by default)."""
        return code[: max(self.widths[0] - 3, 0)]

    def parent_prefix(self, code: str, level: int) -> str:
        """The parent's code that ``code`` implies ('' for level 1)."""
        return code[: self.parent_width(level)]

    def sequence(self, code: str, level: int) -> int:
        """The sequence number a code adds to its parent's code."""
        return int(code[self.parent_width(level) :])

    def make_code(self, parent_code: str, level: int, sequence: int) -> str:
        """Build the code of a child of ``parent_code`` with the given sequence number."""
        lo, hi = self.sequence_range(level)
        if not lo <= sequence <= hi:
            raise ValueError(f"sequence {sequence} is outside {lo}-{hi} for level {level}")
        if len(parent_code) != self.parent_width(level) or not parent_code.isdigit():
            raise ValueError(f"{parent_code!r} is not a valid parent code for level {level}")
        return f"{parent_code}{sequence:0{self.suffix_width(level)}d}"

    def problem(self, code: str | None, level: int, county_code: str | None = None) -> CodeProblem | None:
        """Why ``code`` breaks the rule for ``level``, or None when it is well formed.

        The county check is made only when ``county_code`` is a digit string shorter than the village width.
        """
        if code is None or str(code).strip() == "":
            return CodeProblem("missing", {})
        code = str(code)
        if not code.isdigit() or not code.isascii():
            return CodeProblem("not_digits", {"actual": code})
        width = self.width(level)
        if len(code) != width:
            return CodeProblem("length", {"expected": width, "actual": len(code)})
        county = county_code if county_code and county_code.isdigit() and len(county_code) < self.widths[0] else ""
        if county and not code.startswith(county):
            return CodeProblem("county", {"expected": county_code, "actual": code[: len(county_code)]})
        if level != 1:
            lo, hi = self.sequence_range(level)
            seq = self.sequence(code, level)
            if not lo <= seq <= hi:
                w = self.suffix_width(level)
                return CodeProblem(
                    "sequence_range", {"width": w, "actual": f"{seq:0{w}d}", "lo": f"{lo:0{w}d}", "hi": f"{hi:0{w}d}"}
                )
        return None

    def is_valid(self, code: str | None, level: int, county_code: str | None = None) -> bool:
        return self.problem(code, level, county_code) is None

    # ------------------------------------------------------------------ arrays

    def valid_mask(self, codes, level: int, county_code: str | None = None) -> np.ndarray:
        """Vectorised :meth:`is_valid` over an array of codes (None allowed)."""
        codes = np.asarray(codes, dtype=object)
        n = len(codes)
        if n == 0:
            return np.zeros(0, dtype=bool)
        width = self.width(level)
        county = county_code if county_code and county_code.isdigit() and len(county_code) < self.widths[0] else ""
        pattern = re.compile(rf"{county}[0-9]{{{width - len(county)}}}")
        ok = np.fromiter((isinstance(c, str) and pattern.fullmatch(c) is not None for c in codes), dtype=bool, count=n)
        if level != 1 and ok.any():
            lo, hi = self.sequence_range(level)
            pw = self.parent_width(level)
            seq = np.zeros(n, dtype=np.int64)
            seq[ok] = np.array([int(c[pw:]) for c in codes[ok]], dtype=np.int64)
            ok &= (seq >= lo) & (seq <= hi)
        return ok

    def parent_prefixes(self, codes, level: int) -> np.ndarray:
        """Vectorised :meth:`parent_prefix` (object array; None where the code is missing)."""
        pw = self.parent_width(level)
        return np.array([c[:pw] if isinstance(c, str) else None for c in codes], dtype=object)

    def village_codes(self, codes) -> np.ndarray:
        w = self.widths[0]
        return np.array([c[:w] if isinstance(c, str) else None for c in codes], dtype=object)


# ---------------------------------------------------------------------- inference


@dataclass(frozen=True)
class InferredRule:
    """A code rule inferred from the codes' widths, and what it rests on.

    ``evidence`` holds one ``(level, width, n_with_width, n_codes, source)`` per level width that was seen:
    ``source`` is ``"codes"`` (the codes of that level) or ``"parent_codes"`` (the parent codes of the level
    below); ``assumed`` lists the levels whose width no usable code showed (the default rule's was taken).
    """

    rule: CodeRule
    evidence: tuple[tuple[int, int, int, int, str], ...]
    assumed: tuple[int, ...]

    def describe(self, language: str = "zh") -> str:
        zh = language == "zh"
        names = {1: ("一级", "level 1"), 2: ("二级", "level 2"), 3: ("三级", "level 3")}
        parts = []
        for level, width, n_width, n_codes, source in self.evidence:
            name = names[level][0 if zh else 1]
            if zh:
                what = "编码" if source == "codes" else "下级网格的上级编码"
                parts.append(f"{name} {width} 位（{n_codes} 个{what}中 {n_width} 个）")
            else:
                what = "codes" if source == "codes" else "parent codes of the level below"
                parts.append(f"{name} {width} digits ({n_width} of {n_codes} {what})")
        for level in self.assumed:
            w = self.rule.width(level)
            parts.append(
                f"{names[level][0]} {w} 位（无可据的编码，按默认规则）"
                if zh
                else f"{names[level][1]} {w} digits (no codes to go by: the default rule's)"
            )
        return "；".join(parts) if zh else "; ".join(parts)


def _modal_width(codes) -> tuple[int, int, int]:
    """(most common length, how many codes have it, how many digit codes) of the all-digit codes."""
    lengths = np.array([len(c) for c in codes if isinstance(c, str) and c.isdigit() and c.isascii()], dtype=np.int64)
    if len(lengths) == 0:
        return 0, 0, 0
    counts = np.bincount(lengths)
    width = int(np.argmax(counts))
    return width, int(counts[width]), len(lengths)


def infer_code_rule(codes: dict[int, object], parent_codes: dict[int, object] | None = None) -> InferredRule:
    """The code rule whose widths per level the codes follow: for each level the most common width of its
    all-digit codes (``codes[level]``; 0 = dedicated), else of the parent codes of the level below
    (``parent_codes[level + 1]``; a dedicated grid's parent is a level 1 grid), else the default rule's.
    Dedicated codes give the level 2 width when there are no level 2 codes. The base and dedicated range
    are the default's (the top tenth of the level 2 sequence range)."""
    parent_codes = parent_codes or {}
    default = CodeRule.parse(None)
    totals: dict[int, int] = {}
    evidence = []
    for level in (1, 2, 3):
        found = _modal_width(codes.get(level, ()))
        source = "codes"
        if not found[0]:
            below = [*parent_codes.get(level + 1, ())]
            if level == 1:
                below += [*parent_codes.get(LEVEL_DEDICATED, ())]
            found, source = _modal_width(below), "parent_codes"
        if not found[0] and level == 2 and 1 in totals:
            found, source = _modal_width(codes.get(LEVEL_DEDICATED, ())), "codes"
        if found[0]:
            totals[level] = found[0]
            evidence.append((level, *found, source))
    assumed = []
    widths = []
    previous = 0
    for level in (1, 2, 3):
        total = totals.get(level)
        if total is None or total <= previous:  # no codes, or no wider than the level above: the default
            total = previous + default.widths[level - 1]
            assumed.append(level)
        widths.append(total - previous)
        previous = total
    text = f"{default.base}{widths[0]}+{widths[1]}+{widths[2]}"
    evidence = [e for e in evidence if e[0] not in assumed]
    return InferredRule(CodeRule.parse(text), tuple(evidence), tuple(assumed))
