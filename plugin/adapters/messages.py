"""The core's bilingual messages (Chinese + English) shown in the user's language."""

from __future__ import annotations

from ..i18n import prefers_chinese


def localized(message_zh: str, message_en: str) -> str:
    """The Chinese text for a Chinese interface, else the English one (never empty if either is set)."""
    if prefers_chinese():
        return message_zh or message_en
    return message_en or message_zh


def finding_message(finding) -> str:
    return localized(finding.message_zh, finding.message_en)


# unit of a finding's measure -> (Chinese, English) format of the value
_UNITS = {
    "m2": ("{v} m²", "{v} m²"),
    "m": ("{v} m", "{v} m"),
    "households": ("{v} 户", "{v} households"),
    "persons": ("{v} 人", "{v} persons"),
    "staff": ("{v} 人", "{v} staff"),
    "grids": ("{v} 个网格", "{v} grids"),
    "row": ("第 {v} 行", "row {v}"),
}


def format_measure(measure, unit: str | None) -> str:
    """A finding's measure with its unit, in the user's language: ``5,213.0 m²``, ``12 户``, ``第 5213 行``."""
    if measure is None:
        return ""
    value = float(measure)
    if unit in ("m2", "m"):
        text = f"{value:,.1f}" if abs(value) < 1e5 else f"{value:,.0f}"
    elif value.is_integer():
        text = f"{int(value):,}" if unit != "row" else str(int(value))
    else:
        text = f"{value:,.2f}"
    zh, en = _UNITS.get(unit or "", ("{v} " + (unit or ""), "{v} " + (unit or "")))
    return localized(zh, en).format(v=text).strip()
