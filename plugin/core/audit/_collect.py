"""Building findings: labels, number formatting and the collector every stage reports to."""

from __future__ import annotations

from .. import schema
from ..findings import Finding
from .rules import RULE_BY_ID

LEVEL_ZH = {level: zh for level, (zh, _) in schema.LEVEL_LABELS.items()}
LEVEL_EN = {level: f"{en} grid" for level, (_, en) in schema.LEVEL_LABELS.items()}


def fmt_area(value: float) -> str:
    """An area in m² for a message: 2 decimals, or 2 significant digits below 0.01."""
    if value >= 0.01:
        return f"{value:,.2f}"
    return f"{value:.2g}"


def fmt_len(value: float) -> str:
    return f"{value:g}"


def strip_note(tol) -> tuple[str, str]:
    """Message suffixes for a real gap or overlap thinner than the sliver width (an error whatever its shape)."""
    w = fmt_len(tol.sliver_width)
    return (
        f"（狭长条状，宽不足 {w} 米，可用修复工具沿共用边界修正）",
        f" (strip-shaped, under {w} m wide: the fix helper aligns the shared boundary)",
    )


def grid_zh(code: str | None, fid: int | None = None) -> str:
    if code:
        return code
    return f"（无编码，要素 {fid}）" if fid is not None else "（无编码）"


def grid_en(code: str | None, fid: int | None = None) -> str:
    if code:
        return code
    return f"(no code, feature {fid})" if fid is not None else "(no code)"


def clean_codes(*codes) -> tuple[str, ...]:
    """The non-empty codes, in order, without repeats."""
    out: list[str] = []
    for code in codes:
        if code and code not in out:
            out.append(str(code))
    return tuple(out)


class Collector:
    """Collects findings; the severity comes from the rule catalogue."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(
        self,
        rule_id: str,
        layer: str,
        codes,
        fids,
        geometry,
        measure: float | None,
        unit: str,
        message_zh: str,
        message_en: str,
        location: tuple[float, float] | None = None,
        key: str = "",
        **extra,
    ) -> Finding:
        rule = RULE_BY_ID[rule_id]
        finding = Finding(
            rule_id=rule_id,
            severity=rule.severity,
            layer=layer,
            codes=clean_codes(*codes),
            fids=tuple(int(f) for f in fids),
            geometry=geometry,
            measure=None if measure is None else float(measure),
            unit=unit,
            message_zh=message_zh,
            message_en=message_en,
            location=location,
            key=key,
            extra=extra,
        )
        self.findings.append(finding)
        return finding
