"""Translation helpers: English source strings, translated through Qt (zh_CN in i18n/)."""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

CONTEXT = "CommunityGrids"
I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
_installed: list[QTranslator] = []


def tr(text: str, context: str = CONTEXT) -> str:
    """Translate ``text`` (English source) for the user's locale."""
    return QCoreApplication.translate(context, text)


def normalise_locale(value: str) -> str:
    """QGIS's spellings of a locale, as the name of our translation: ``zh-Hans``, ``zh_CN``, ``zh-CN``, ``zh``
    and ``zh_Hans_CN`` are all ``zh_CN`` (the one Chinese translation); ``en-US`` is ``en_US``."""
    value = (value or "").strip().replace("-", "_")
    if not value:
        return ""
    parts = value.split("_")
    language = parts[0].lower()
    if language == "zh":
        return "zh_CN"
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    return f"{language}_{region}" if region else language


def user_locale() -> str:
    """QGIS's interface locale, normalised: ``zh_CN``, ``en_US``… (QGIS's override first, then the system's)."""
    settings = QSettings()
    if settings.value("locale/overrideFlag", False, type=bool):
        value = settings.value("locale/userLocale", "", type=str)
        if value:
            return normalise_locale(value)
    return normalise_locale(QLocale.system().name())


def install_translator(locale: str | None = None) -> QTranslator | None:
    """Load ``i18n/community_grids_<locale>.qm`` into the application, if it exists; once per process."""
    locale = normalise_locale(locale or user_locale())
    if _installed:
        return _installed[-1]
    for candidate in (locale, locale.split("_")[0]):
        qm = I18N_DIR / f"community_grids_{candidate}.qm"
        if qm.exists():
            translator = QTranslator()
            if translator.load(str(qm)):
                QCoreApplication.installTranslator(translator)
                _installed.append(translator)
                return translator
    return None


def remove_translators() -> None:
    while _installed:
        QCoreApplication.removeTranslator(_installed.pop())


def prefers_chinese() -> bool:
    return user_locale().lower().startswith("zh")
