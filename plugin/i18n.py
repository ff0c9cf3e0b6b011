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


def user_locale() -> str:
    """QGIS's interface locale, e.g. ``zh_CN`` or ``en_US``."""
    settings = QSettings()
    if settings.value("locale/overrideFlag", False, type=bool):
        value = settings.value("locale/userLocale", "", type=str)
        if value:
            return value
    return QLocale.system().name()


def install_translator(locale: str | None = None) -> QTranslator | None:
    """Load ``i18n/community_grids_<locale>.qm`` into the application, if it exists."""
    locale = locale or user_locale()
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
