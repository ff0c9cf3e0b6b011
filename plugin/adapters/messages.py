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
