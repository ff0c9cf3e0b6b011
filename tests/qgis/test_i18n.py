"""The Chinese interface: every string the code translates is translated, and it shows in QGIS.

The locale is switched to zh_CN (QGIS's locale override setting, and the plugin's translator installed);
then the Processing algorithms (names, groups, help, parameters, outputs) and the plugin's toolbar and menu
must come out in Chinese. i18n/community_grids_zh_CN.qm is compiled from the .ts first when it is older,
as `make translations` does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "i18n" / "community_grids_zh_CN.ts"
QM = TS.with_suffix(".qm")
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese(text: str) -> bool:
    return bool(CJK.search(text or ""))


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_script"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _i18n_script()


@pytest.fixture(scope="module")
def compiled(script):
    if shutil.which("lrelease") is None and shutil.which("lrelease-qt5") is None:
        pytest.skip("lrelease (qttools5-dev-tools) is not installed")
    if not QM.exists() or QM.stat().st_mtime < TS.stat().st_mtime:
        script.compile_qm(TS, QM)
    return QM


@pytest.fixture
def zh_cn(compiled, qgis_app):
    """QGIS set to Chinese (as Settings → Options → General → Override system locale does), translator in."""

    from plugin.i18n import install_translator, user_locale

    with qgis_locale("zh_CN"):
        assert user_locale() == "zh_CN"
        assert install_translator() is not None
        yield


@contextlib.contextmanager
def qgis_locale(value: str):
    """QGIS's interface locale overridden to ``value`` (as its Options dialog stores it); restored after,
    with the plugin's translators removed."""
    from qgis.PyQt.QtCore import QSettings

    from plugin.i18n import remove_translators

    settings = QSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    remove_translators()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", value)
    try:
        yield
    finally:
        remove_translators()
        for key, v in saved.items():
            if v is None:
                settings.remove(key)
            else:
                settings.setValue(key, v)


# ---------------------------------------------------------------- the .ts


def test_every_translatable_string_is_translated(script):
    extracted = script.extract()
    assert len(extracted.messages) > 100
    problems = script.problems(extracted, script.read_ts(TS))
    assert not problems, (
        f"{len(problems)} strings need translating (python scripts/i18n.py --update, then translate):\n"
        + "\n".join(map(str, problems[:60]))
    )


def test_every_tr_call_can_be_extracted(script):
    """A tr() of an f-string or an unknown variable would never be translated: there must be none."""
    assert script.extract().warnings == []


def test_extractor_reads_what_pylupdate_would_miss(script, tmp_path):
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "sample.py").write_text(
        """
from qgis.PyQt.QtCore import QCoreApplication
from ..i18n import tr
MENU = "&Menu"
COLUMNS = ("Code", "Name")
TOOLS = (("draw", "icon", "Draw grid", "Draw a grid"),)
GROUP = "Print"
class Algorithm:
    GROUP = GROUP
    DISPLAY = "Public " "notice"
    def displayName(self):
        return tr(self.DISPLAY) + tr(self.GROUP)
    def columns(self):
        return [tr(c) for c in COLUMNS] + [tr(t) for _, _, t, _ in TOOLS]
def f(n):
    tr("module level {n}").format(n=n)
    tr(MENU)
    QCoreApplication.translate("Other", "other context")
    tr(f"dynamic {n}")
""",
        encoding="utf-8",
    )
    result = script.extract(tmp_path)
    keys = set(result.messages)
    for source in ("Public notice", "Print", "module level {n}", "&Menu", "Code", "Name", "Draw grid"):
        assert ("CommunityGrids", source) in keys, source
    assert ("Other", "other context") in keys
    assert ("CommunityGrids", "Draw a grid") not in keys  # not passed to tr()
    assert len(result.warnings) == 1 and "sample.py:19" in result.warnings[0]  # the f-string


def test_update_keeps_translations_and_check_fails_on_new_strings(script, tmp_path):
    extracted = script.extract()
    existing = script.read_ts(TS)
    merged = script.merge(extracted, existing)
    text = script.render_ts(merged, "zh_CN", TS.parent)
    copy = tmp_path / "copy.ts"
    copy.write_text(text, encoding="utf-8")
    reread = script.read_ts(copy)
    for key, message in existing.items():
        if message.translated and key in extracted.messages:
            assert reread[key].translation == message.translation
    extracted.add("CommunityGrids", "A brand-new string", "plugin/x.py", 1)
    problems = script.problems(extracted, reread)
    assert [p.reason for p in problems if p.message.source == "A brand-new string"] == ["missing from the .ts"]


def test_placeholders_must_survive_translation(script):
    assert script.placeholders("Layer {layer} has {n:,} rows, {share:.0%}") == {"layer", "n", "share"}
    assert script.placeholders("{{literal}} {value!r}") == {"value"}


def test_ts_compiles(compiled):
    assert compiled.stat().st_size > 1000


# ---------------------------------------------------------------- in QGIS


def test_processing_algorithms_speak_chinese(zh_cn):
    from plugin.processing.provider import CommunityGridsProvider, algorithm_classes

    provider = CommunityGridsProvider()
    assert chinese(provider.name()) and chinese(provider.longName())
    for cls in algorithm_classes():
        algorithm = cls()
        algorithm.initAlgorithm({})
        where = algorithm.name()
        assert chinese(algorithm.displayName()), where
        assert chinese(algorithm.group()), where
        assert chinese(algorithm.shortHelpString()), where
        for parameter in algorithm.parameterDefinitions():
            assert chinese(parameter.description()), (where, parameter.name(), parameter.description())
            for option in getattr(parameter, "options", lambda: [])() or []:
                if re.search("[A-Za-z]{3}", option) and not chinese(option):
                    pytest.fail(f"{where}: option {option!r} of {parameter.name()} is not translated")
        for output in algorithm.outputDefinitions():
            assert chinese(output.description()), (where, output.name(), output.description())


def test_notice_and_permit_algorithms_in_chinese(zh_cn):
    from plugin.processing.layout_algorithms import PublicNoticeMap, WorkPermits

    notice = PublicNoticeMap()
    notice.initAlgorithm({})
    assert notice.displayName() == "网格划分公示图"
    assert notice.group() == "公示与证件"
    assert notice.parameterDefinition("PAPER").options() == ["A3 横向", "A4 横向"]
    permits = WorkPermits()
    permits.initAlgorithm({})
    assert permits.displayName() == "网格长工作证"
    assert "工作证" in permits.shortHelpString()


def test_toolbar_and_menu_in_chinese(zh_cn, plugin_package, recording_iface):
    from qgis.PyQt.QtWidgets import QToolBar

    plugin = plugin_package.classFactory(recording_iface)
    plugin.initGui()
    try:
        assert recording_iface.menu_entries
        for menu, action in recording_iface.menu_entries:
            assert chinese(menu), menu
            assert chinese(action.text()), action.text()
        toolbars = recording_iface.mainWindow().findChildren(QToolBar, "CommunityGridsToolbar")
        assert toolbars and chinese(toolbars[0].windowTitle())
        for action in toolbars[0].actions():
            if action.text():
                assert chinese(action.text()), action.text()
    finally:
        plugin.unload()


def test_designer_forms_are_extracted_and_speak_chinese(script, zh_cn):
    """The docks and dialogs built from ui/*.ui: their strings are in the .ts (context: the form's class) and
    the widgets show the translation."""
    from qgis.PyQt.QtWidgets import QCheckBox, QPushButton

    from plugin.gui.audit_dock import AuditDock

    forms = sorted((ROOT / "ui").glob("*.ui"))
    assert {f.stem for f in forms} >= {"audit_dock", "install_dependencies"}
    keys = set(script.extract().messages)
    assert ("AuditDock", "Run audit") in keys and ("AuditDock", "Show accepted") in keys
    dock = AuditDock(None)
    try:
        buttons = dock.findChildren(QPushButton)
        assert {b.objectName() for b in buttons} >= {"run", "cancel", "accept", "export_html"}
        for button in buttons:
            assert chinese(button.text()), button.text()
        assert chinese(dock.findChild(QCheckBox, "show_accepted").text())
        assert chinese(dock.tree.headerItem().text(0))
        assert chinese(dock.status_label.text())
    finally:
        dock.deleteLater()


def test_dock_page_and_its_dialogs_speak_chinese(script, zh_cn, qgis_iface, empty_workspace):
    """The Grids page of the dock and the import, merge and attach households dialogs (ui/grid_dock.ui,
    import_dialog.ui, merge_survivor.ui, attach_households.ui): extracted in their forms' contexts, shown in
    Chinese."""
    from qgis.PyQt.QtWidgets import QCheckBox, QLabel

    from plugin.gui.dialogs import MergeSurvivorDialog
    from plugin.gui.dock import GridDock
    from plugin.gui.households_dialog import AttachHouseholdsDialog
    from plugin.gui.import_dialog import ImportDialog
    from plugin.gui.session import EditSession

    keys = set(script.extract().messages)
    assert {("GridDock", "Draw grid"), ("ImportDialog", "Into level"), ("MergeSurvivorDialog", "Households")} <= keys
    assert ("AttachHouseholdsDialog", "Attach households") in keys
    dock = GridDock(qgis_iface)
    session = EditSession(qgis_iface, empty_workspace)
    dialogs = [ImportDialog(qgis_iface, session), MergeSurvivorDialog([{"code": "1", "name": "a"}])]
    dialogs.append(AttachHouseholdsDialog(empty_workspace))
    try:
        assert dock.tabs.tabText(0) == "网格"
        for action in dock.tool_actions.values():
            assert chinese(action.text()) and chinese(action.toolTip()), action.text()
        for action in dock.basemap_button.menu().actions():
            assert action.isSeparator() or action.text() == "OpenStreetMap" or chinese(action.text())
        for widget in (dock.basemap_button, dock.work_inside_button, dock.neighbour_check, dock.live_check):
            assert chinese(widget.text()), widget.text()
        assert chinese(dock.search.placeholderText())
        for dialog in dialogs:
            assert chinese(dialog.windowTitle()), dialog.windowTitle()
            texts = [w.text() for w in dialog.findChildren((QLabel, QCheckBox)) if w.text()]
            assert texts and [t for t in texts if not chinese(t)] == [], texts
        assert chinese(dialogs[2].attach_button.text())  # OK, Cancel, Close: Qt's own translation, in QGIS
        table = dialogs[1].table
        assert [table.horizontalHeaderItem(c).text() for c in range(4)] == ["编码", "名称", "面积（平方米）", "户数"]
        assert dialogs[0].level_combo.itemText(0) == "一级网格（村/社区）"
    finally:
        for dialog in dialogs:
            dialog.deleteLater()
        session.deleteLater()
        dock.cleanup()
        dock.deleteLater()


@pytest.mark.parametrize("spelling", ["zh-Hans", "zh_CN", "zh-CN", "zh", "zh_Hans_CN"])
def test_every_spelling_of_chinese_that_qgis_stores_gives_the_translation(spelling, compiled, qgis_app):
    """QGIS 3.40 stores ``zh-Hans`` for Chinese, 3.22 ``zh_CN``; hand-edited profiles hold ``zh-CN`` or ``zh``."""
    from qgis.PyQt.QtCore import QCoreApplication

    from plugin.i18n import install_translator, normalise_locale, user_locale

    assert normalise_locale(spelling) == "zh_CN"
    assert normalise_locale("en-US") == "en_US" and normalise_locale("fr") == "fr"
    with qgis_locale(spelling):
        assert user_locale() == "zh_CN"
        assert install_translator() is not None
        assert QCoreApplication.translate("CommunityGrids", "Install shapely…") == "安装 shapely…"
