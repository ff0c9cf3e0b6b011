"""The shared PostGIS workspace on the desktop (issue 14), against the private server (scripts/pg_cluster.sh),
nothing mocked: the dock's dialog opens a workspace from one of QGIS's saved PostgreSQL connections (bad input
refused with its message, nothing added); a township proposes its unsaved edits from the "Change requests" page,
the county approves them with the approval reference → the grids are current and logged with it; a rejection
changes nothing; a township clicking "Approve" gets the database's refusal. Real clicks and typing (QTest)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import pytest
import shapely
from osgeo import ogr
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsDataSourceUri,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox

from plugin.adapters import pg_changesets as pgc
from plugin.adapters import pg_store
from plugin.core import changesets as core
from plugin.core import schema
from plugin.i18n import tr

# ---------------------------------------------------------------- the PostGIS tests' fixtures, reused here

POSTGIS_TESTS = Path(__file__).resolve().parents[1] / "postgis"
if str(POSTGIS_TESTS) not in sys.path:
    sys.path.insert(0, str(POSTGIS_TESTS))
_spec = importlib.util.spec_from_file_location("pg_fixtures_for_qgis_tests", POSTGIS_TESTS / "conftest.py")
_pg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pg)
pg_cluster, pg_admin, unique_name, shared_workspace = (
    _pg.pg_cluster,
    _pg.pg_admin,
    _pg.unique_name,
    _pg.shared_workspace,
)

from pg_helpers import TOWN_A, TOWN_B, X0, Y0  # noqa: E402
from workspace_helpers import answer  # noqa: E402

A1, A2 = TOWN_A + "00101001", TOWN_A + "00101002"
REF = "汉滨政发〔2024〕12号"
LEFT = Qt.MouseButton.LeftButton
TIMEOUT = 60.0


def wait_until(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QTest.qWait(50)


def wait_dialog(dialog):
    """The open dialog's listing or checks run in a task: wait for it to end."""
    wait_until(lambda: not dialog.busy)


def wait_idle(panel):
    wait_until(lambda: not panel.runner.busy and QgsApplication.taskManager().countActiveTasks() == 0)


def click(widget):
    assert widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, LEFT)


def type_into(widget, text):
    """Typing: ASCII as key presses; Chinese as a planner's input method commits it (QTest types ASCII only)."""
    from qgis.PyQt.QtGui import QInputMethodEvent

    widget.setFocus()
    if text.isascii():
        QTest.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def ws(shared_workspace):
    with closing(pg_store.connect(shared_workspace.admin)) as conn:
        pgc.install_change_sets(
            conn, shared_workspace.name, shared_workspace.county, [shared_workspace.town_a, shared_workspace.town_b]
        )
    return shared_workspace


@pytest.fixture
def plugin(ws, recording_iface, qgis_app, qgis_new_project, qgis_canvas, no_forms):
    """The plugin loaded into the test's QGIS (its teardown before the workspace's: the layers let go first)."""
    from plugin.gui.plugin import CommunityGridsPlugin

    plugin = CommunityGridsPlugin(recording_iface)
    plugin.initGui()
    yield plugin
    project = QgsProject.instance()
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.isEditable():
            layer.rollBack()
    project.clear()
    plugin.unload()
    QTest.qWait(10)


@pytest.fixture
def saved_connection(ws):
    """save(name, group, password=False) -> a QGIS saved PostgreSQL connection for the login of ``group``."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    names = []

    def save(name, group, with_password=False):
        login = ws.logins[group]
        uri = QgsDataSourceUri()
        uri.setConnection(
            login.host, str(login.port), login.dbname, login.user, login.password if with_password else ""
        )
        configuration = {"saveUsername": True, "savePassword": with_password}
        metadata.saveConnection(metadata.createConnection(uri.uri(False), configuration), name)
        names.append(name)
        return name

    yield save
    for name in names:
        metadata.deleteConnection(name)


def project_layers():
    return [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.customProperty(schema.PROPERTY_LAYER)]


def grids_as_admin(ws):
    with closing(pg_store.connect(ws.admin)) as conn:
        return pgc.read_pg_grids(conn, ws.name)


def snapshot(ws):
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        out = []
        for table in ("grid_level3", "change_log", "code_registry"):
            cur.execute(f'select * from "{ws.name}".{table} order by 1')
            out.append([tuple(str(v) for v in r) for r in cur.fetchall()])
        return out


def open_as(plugin, ws, group):
    workspace, problem = plugin.load_pg_workspace(ws.logins[group], ws.name)
    assert problem is None, problem
    return workspace


def requests_page(plugin):
    dock = plugin.dock
    page = dock.panels["change_requests"]
    dock.setFloating(True)  # the test's main window is never shown: the dock is a window of its own
    dock.tabs.setCurrentWidget(page)
    dock.resize(520, 760)
    dock.show()
    QTest.qWait(20)
    assert page.isVisible()
    return page


def select_request(page, set_id):
    table = page.ui.setsTable
    row = next(r for r, data in enumerate(page.rows) if data["set_id"] == set_id)
    table.scrollToItem(table.item(row, 0))
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    assert page.selected_id() == set_id


def decide(page, set_id, approve, text):
    select_request(page, set_id)
    click(page.ui.approveButton if approve else page.ui.rejectButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and dialog.approving is approve
    type_into(dialog.ui.valueEdit, text)
    click(dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(page)


def propose_by_adapter(ws):
    """Township A's border between its two groups moved (the setup of the deciding tests)."""
    from dataclasses import replace

    with closing(pg_store.connect(ws.logins[ws.town_a])) as conn:
        before = pgc.read_pg_grids(conn, ws.name)
        l3 = before["grid_level3"]
        geoms = l3.geometries.copy()
        codes = l3.codes.tolist()
        geoms[codes.index(A1)] = shapely.box(X0, Y0, X0 + 600, Y0 + 1000)
        geoms[codes.index(A2)] = shapely.box(X0 + 600, Y0, X0 + 1000, Y0 + 1000)
        after = {**before, "grid_level3": replace(l3, geometries=geoms)}
        return pgc.propose(conn, ws.name, core.propose_change_set(before, after, TOWN_A, "新修道路，两组边界随路调整"))


# ---------------------------------------------------------------- opening


def test_a_township_opens_the_shared_workspace_from_the_dialog(plugin, ws, saved_connection, recording_iface):
    name = saved_connection(f"cg_{ws.name}_town_a", ws.town_a)
    bar_button = plugin.toolbar.widgetForAction(
        next(a for a in plugin.actions if a.objectName() == "community_grids_choose_pg_workspace")
    )
    click(bar_button)
    dialog = plugin.pg_dialog
    assert dialog is not None and dialog.isVisible()
    combo = dialog.ui.connectionCombo
    combo.setFocus()
    QTest.keyClicks(combo, name)
    assert combo.currentText() == name
    assert dialog.ui.userEdit.text() == f"{ws.town_a}_login" and dialog.ui.passwordEdit.text() == ""

    # a wrong password: the database's refusal in the user's words, nothing listed, nothing opened
    type_into(dialog.ui.passwordEdit, "not-the-password")
    click(dialog.ui.listButton)
    assert dialog.busy and not dialog.ui.listButton.isEnabled()  # asked in a task: QGIS does not wait
    wait_dialog(dialog)
    assert f"{ws.town_a}_login" in dialog.ui.statusLabel.text()
    assert dialog.ui.statusLabel.text() == tr("PostgreSQL refused the password of user {user} ({where}).").format(
        user=f"{ws.town_a}_login", where=dialog.params().where()
    )
    assert dialog.ui.schemaCombo.count() == 0
    type_into(dialog.ui.schemaCombo.lineEdit(), ws.name)
    click(dialog.button())
    wait_dialog(dialog)
    assert dialog.isVisible() and not project_layers() and plugin.workspace is None
    assert dialog.ui.statusLabel.text() == tr("PostgreSQL refused the password of user {user} ({where}).").format(
        user=f"{ws.town_a}_login", where=dialog.params().where()
    )

    # the right password: the workspace schemas listed, the one chosen opened
    dialog.ui.passwordEdit.clear()
    type_into(dialog.ui.passwordEdit, f"pw-{ws.town_a}")
    click(dialog.ui.listButton)
    wait_dialog(dialog)
    listed = [dialog.ui.schemaCombo.itemData(i) for i in range(dialog.ui.schemaCombo.count())]
    assert ws.name in listed
    dialog.ui.schemaCombo.lineEdit().clear()
    type_into(dialog.ui.schemaCombo.lineEdit(), ws.name)
    click(dialog.button())
    wait_dialog(dialog)
    assert dialog.opened and not dialog.isVisible(), dialog.ui.statusLabel.text()

    workspace = plugin.workspace
    assert workspace is not None and workspace.store == "postgis" and workspace.schema_name == ws.name
    layers = project_layers()
    assert len(layers) == len(schema.WORKSPACE_LAYERS)
    assert {lyr.providerType() for lyr in layers} == {"postgres"}
    assert workspace.grid_layer(3).featureCount() == 4
    assert plugin.tracker is None  # the database's triggers keep the change log of a shared workspace
    dock = plugin.dock
    assert dock.session is not None and dock.role_label.isVisibleTo(dock)
    assert TOWN_A in dock.role_label.text() and ws.town_a in dock.role_label.text()
    page = dock.panels["change_requests"]
    assert page.role.kind == "township" and page.role.town_code == TOWN_A
    assert page.ui.proposeButton.isEnabled()

    # opened again from the dock's own action: the layers are not added twice
    click(dock.toolbar.widgetForAction(dock.shared_action))
    again = plugin.pg_dialog
    assert again is not dialog and again.isVisible()
    again.ui.connectionCombo.setFocus()
    QTest.keyClicks(again.ui.connectionCombo, name)
    type_into(again.ui.passwordEdit, f"pw-{ws.town_a}")
    type_into(again.ui.schemaCombo.lineEdit(), ws.name)
    click(again.button())
    wait_dialog(again)
    assert again.opened and len(project_layers()) == len(schema.WORKSPACE_LAYERS)
    assert {lyr.id() for lyr in project_layers()} == {lyr.id() for lyr in layers}


def test_a_role_without_rights_a_server_down_and_a_newer_schema_are_refused_with_nothing_opened(
    plugin, ws, saved_connection
):
    admin = ws.admin
    stranger = f"{ws.name}_stranger"
    with closing(pg_store.connect(admin)) as conn:
        with conn.cursor() as cur:
            cur.execute(f"create role {stranger} login password 'pw-stranger'")
        conn.commit()
    try:
        params = ws.logins[ws.town_a].with_login(stranger, "pw-stranger")
        workspace, problem = plugin.load_pg_workspace(params, ws.name)
        assert workspace is None and not project_layers()
        assert problem.startswith(tr("Your database role may not do this ({error}); nothing was changed.")[:20])

        # a server that does not answer (no server on that port)
        login = ws.logins[ws.town_a]
        down = pg_store.PgParams(login.host, 9, login.dbname, login.user, login.password)
        workspace, problem = plugin.load_pg_workspace(down, ws.name)
        assert workspace is None and not project_layers() and plugin.dock is None
        assert problem.startswith(
            tr("The PostgreSQL server at {host}:{port} does not answer; is it running? ({error})")[:10]
        )
        assert ":9 " in problem

        with closing(pg_store.connect(admin)) as conn:
            with conn.cursor() as cur:
                cur.execute(f"update \"{ws.name}\".workspace_info set value = '99' where key = 'schema_version'")
            conn.commit()
        workspace, problem = plugin.load_pg_workspace(ws.logins[ws.town_a], ws.name)
        assert workspace is None and not project_layers() and plugin.dock is None
        assert "99" in problem and ws.name in problem
    finally:
        with closing(pg_store.connect(admin)) as conn:
            with conn.cursor() as cur:
                cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (stranger,))
                cur.execute(f"drop owned by {stranger}")
                cur.execute(f"drop role {stranger}")
            conn.commit()


# ---------------------------------------------------------------- proposing and deciding


def test_a_township_proposes_its_edits_and_the_county_approves_with_a_reference(plugin, ws):
    before = snapshot(ws)
    workspace = open_as(plugin, ws, ws.town_a)
    page = requests_page(plugin)
    assert not page.rows
    # the planner's unsaved edit: the border between the township's two groups moved east by 100 m
    layer = workspace.grid_layer(3)
    fids = {f["code"]: f.id() for f in layer.getFeatures()}
    assert layer.startEditing()
    for code, box in ((A1, (X0, Y0, X0 + 600, Y0 + 1000)), (A2, (X0 + 600, Y0, X0 + 1000, Y0 + 1000))):
        assert layer.changeGeometry(fids[code], QgsGeometry.fromWkt(shapely.to_wkt(shapely.box(*box))))

    assert layer.isModified()
    click(page.ui.proposeButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible(), page.ui.statusLabel.text()
    assert not dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # a reason is needed
    preview = dialog.ui.mapLabel  # the map the request will carry, seen before proposing
    assert preview.isVisible() and preview.pixmap() is not None and not preview.pixmap().isNull()
    assert (dialog.map_image.width(), dialog.map_image.height()) == (1200, 900)
    type_into(dialog.ui.reasonEdit, "新修道路，两组边界随路调整")
    click(dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(page)
    assert page.last_error is None
    assert [r["status"] for r in page.rows] == ["proposed"]
    set_id = page.rows[0]["set_id"]
    assert not layer.isEditable()  # the edits are held in the request now
    assert snapshot(ws) == before  # a proposal changes no grid
    assert A1 in page.ui.detailText.toPlainText()
    # the request carries its map: a PNG of the size set, not blank
    from qgis.PyQt.QtGui import QImage

    from plugin.adapters.changeset_map import MAP_SIZE

    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(f'select map_png from "{ws.name}".change_sets where set_id = %s', (set_id,))
        png = bytes(cur.fetchone()[0])
    image = QImage.fromData(png, "PNG")
    assert png.startswith(b"\x89PNG") and (image.width(), image.height()) == MAP_SIZE
    assert len({image.pixel(x, y) for x in range(0, image.width(), 13) for y in range(0, image.height(), 13)}) > 10

    QgsProject.instance().clear()
    open_as(plugin, ws, ws.county)
    page = requests_page(plugin)
    assert page.role.kind == "county" and not page.ui.proposeButton.isEnabled()
    assert [r["set_id"] for r in page.rows] == [set_id]
    # the county's decide dialog shows the map
    select_request(page, set_id)
    click(page.ui.approveButton)
    shown = page.dialog.ui.mapLabel
    assert page.dialog.isVisible() and shown.isVisible()
    assert shown.pixmap() is not None and not shown.pixmap().isNull()
    assert shown.pixmap().width() <= shown.width() and shown.pixmap().width() >= 400
    assert page.dialog.map_image.size() == image.size() and page.dialog.map_image == image.convertToFormat(
        page.dialog.map_image.format()
    )
    click(page.dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel))
    decide(page, set_id, True, REF)
    assert page.last_error is None
    assert page.rows[0]["status"] == "approved" and page.rows[0]["approval_ref"] == REF
    assert REF in page.ui.detailText.toPlainText()

    l3 = grids_as_admin(ws)["grid_level3"]
    areas = dict(zip(l3.codes.tolist(), [round(a) for a in l3.areas()]))
    assert areas[A1] == 600_000 and areas[A2] == 400_000
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(
            f'select old_code, change_kind, approval_ref from "{ws.name}".change_log '
            "where approval_ref is not null order by old_code"
        )
        assert cur.fetchall() == [(A1, "reshape", REF), (A2, "reshape", REF)]
    # the county's layers show the approved grids
    shown = {f["code"]: f.geometry().area() for f in plugin.workspace.grid_layer(3).getFeatures()}
    assert round(shown[A1]) == 600_000


def test_a_rejection_changes_nothing(plugin, ws):
    cs = propose_by_adapter(ws)
    before = snapshot(ws)
    open_as(plugin, ws, ws.county)
    page = requests_page(plugin)
    decide(page, cs.set_id, False, "与村界不符")
    assert page.last_error is None
    assert page.rows[0]["status"] == "rejected"
    assert "与村界不符" in page.ui.detailText.toPlainText()
    assert snapshot(ws) == before


def test_a_township_clicking_approve_gets_the_database_refusal(plugin, ws):
    cs = propose_by_adapter(ws)
    before = snapshot(ws)
    open_as(plugin, ws, ws.town_a)
    page = requests_page(plugin)
    assert page.role.kind == "township"
    decide(page, cs.set_id, True, REF)
    refusal = tr("Only the county role decides change requests; change request {id} was left as it was.").format(
        id=cs.set_id
    )
    assert page.last_error == refusal and page.ui.statusLabel.text() == refusal
    assert page.rows[0]["status"] == "proposed"
    assert snapshot(ws) == before


def test_the_jobs_page_opens_the_dialog_and_the_change_requests(plugin, ws, saved_connection, tmp_path):
    _workspace, jobs, _done = jobs_page(plugin, ws, ws.county, tmp_path)
    dock = plugin.dock
    # the file jobs run on a snapshot of the schema (adapters.pg_jobs): enabled for the county
    assert jobs.filingButton.isEnabled() and jobs.staffButton.isEnabled() and jobs.householdsButton.isEnabled()
    assert jobs.allocateButton.isEnabled() and jobs.compareButton.isEnabled() and jobs.noticeButton.isEnabled()
    click(jobs.changeRequestsButton)
    assert dock.tabs.currentWidget() is dock.panels["change_requests"]
    dock.tabs.setCurrentWidget(jobs)
    QTest.qWait(20)
    name = saved_connection(f"cg_{ws.name}_county", ws.county, with_password=True)
    click(jobs.sharedButton)
    dialog = plugin.pg_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.ui.connectionCombo.setFocus()
    QTest.keyClicks(dialog.ui.connectionCombo, name)
    assert dialog.ui.passwordEdit.text() == f"pw-{ws.county}"  # saved with the connection
    click(dialog.ui.listButton)
    wait_dialog(dialog)
    assert ws.name in [dialog.ui.schemaCombo.itemData(i) for i in range(dialog.ui.schemaCombo.count())]
    click(dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel))
    assert not dialog.isVisible() and not dialog.opened


def test_a_proposal_touching_a_neighbours_grid_is_refused_and_the_edits_are_kept(plugin, ws):
    b1 = TOWN_B + "00101001"
    before = snapshot(ws)
    workspace = open_as(plugin, ws, ws.town_a)
    page = requests_page(plugin)
    layer = workspace.grid_layer(3)
    fids = {f["code"]: f.id() for f in layer.getFeatures()}
    assert layer.startEditing()
    assert layer.changeGeometry(
        fids[b1], QgsGeometry.fromWkt(shapely.to_wkt(shapely.box(X0 + 1000, Y0, X0 + 1400, Y0 + 1000)))
    )
    click(page.ui.proposeButton)
    assert b1 in page.dialog.ui.mapLabel.text()  # said before proposing, in place of the map
    type_into(page.dialog.ui.reasonEdit, "越界")
    click(page.dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(page)
    assert page.last_error and b1 in page.last_error and "Traceback" not in page.last_error
    assert page.ui.statusLabel.text() == page.last_error
    assert layer.isEditable() and layer.isModified()  # nothing lost: the planner's edits stay in the layer
    assert not page.rows and snapshot(ws) == before


def test_a_saved_project_reattaches_its_shared_workspace(plugin, ws, tmp_path):
    open_as(plugin, ws, ws.town_a)
    path = tmp_path / "shared.qgs"
    project = QgsProject.instance()
    assert project.write(str(path))
    project.clear()
    assert plugin.workspace is None and not project_layers()
    assert project.read(str(path))
    workspace = plugin.workspace
    assert workspace is not None and workspace.store == "postgis" and workspace.schema_name == ws.name
    layers = project_layers()
    assert len(layers) == len(schema.WORKSPACE_LAYERS)  # the project's own layers, none added
    assert {lyr.id() for lyr in layers} == {lyr.id() for lyr in workspace.layers.values()}
    assert TOWN_A in plugin.dock.role_label.text()
    assert plugin.dock.panels["change_requests"].role.town_code == TOWN_A


# ---------------------------------------------------------------- versions: nothing silently overwritten


def _second_layer(ws, group):
    """The grid_level3 layer of another planner: another QGIS layer, another login, another connection."""
    other = pg_store.open_pg_workspace(ws.logins[group], ws.name, layer_names=[schema.GRID_LEVEL3.name])
    return other.layers[schema.GRID_LEVEL3.name]


def _db_grid(ws, code):
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(
            f'select name, households, version, updated_by from "{ws.name}".grid_level3 where code = %s', (code,)
        )
        return cur.fetchone()


def test_an_attribute_save_over_a_grid_changed_since_read_is_refused_naming_the_other_change(plugin, ws, qgis_iface):
    from plugin.adapters.pg_versions import VersionGuard, conflict_message

    county = open_as(plugin, ws, ws.county).grid_layer(3)  # the county planner's layer, in the project
    town = _second_layer(ws, ws.town_a)  # township A's planner, at the same time
    try:
        fid = next(f.id() for f in county.getFeatures() if f["code"] == A1)
        name, households = county.fields().indexOf("name"), county.fields().indexOf("households")
        assert county.startEditing() and town.startEditing()  # both read grid A1 at version 1
        assert county.changeAttributeValue(fid, name, "县里改的名字")
        assert county.commitChanges(), county.commitErrors()
        assert _db_grid(ws, A1) == ("县里改的名字", 100, 2, ws.logins[ws.county].user)

        # the township's attribute-only save of the same grid: refused, naming the county's change
        qgis_iface.messageBar().clear_messages()
        assert town.changeAttributeValue(fid, households, 150)
        assert not town.commitChanges()
        guard = town.findChild(VersionGuard)
        with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
            cur.execute(f'select updated_at from "{ws.name}".grid_level3 where code = %s', (A1,))
            at = cur.fetchone()[0].strftime("%Y-%m-%d %H:%M:%S")
        expected = conflict_message(A1, "grid_level3", ws.logins[ws.county].user, at, 2, 1)
        assert guard.last_refusal == expected
        assert A1 in expected and ws.logins[ws.county].user in expected
        # both versions kept: the county's in the table, the township's edit still in its layer's buffer
        assert _db_grid(ws, A1) == ("县里改的名字", 100, 2, ws.logins[ws.county].user)
        assert town.isEditable() and town.isModified()
        assert town.getFeature(fid)["households"] == 150
        # a geometry save read at version 1: refused as well
        assert town.changeGeometry(fid, QgsGeometry.fromWkt(shapely.to_wkt(shapely.box(X0, Y0, X0 + 450, Y0 + 1000))))
        assert not town.commitChanges()
        assert guard.last_refusal == expected
        assert _db_grid(ws, A1)[2] == 2

        # the planner reads the grid again (edits dropped, editing again): the save goes through at version 3
        assert town.rollBack()
        assert town.startEditing()
        assert town.changeAttributeValue(fid, households, 150)
        assert town.commitChanges(), town.commitErrors()
        assert _db_grid(ws, A1) == ("县里改的名字", 150, 3, ws.logins[ws.town_a].user)
    finally:
        if town.isEditable():
            town.rollBack()
        del town


def test_deleting_a_grid_changed_since_read_is_refused_and_nothing_is_written(plugin, ws):
    """A DELETE names no version, so the guard refuses the whole save itself: the grid and the other planner's
    change stay in the table, the deletion and the save's other edits stay in the layer."""
    from plugin.adapters.pg_versions import VersionGuard

    county = open_as(plugin, ws, ws.county).grid_layer(3)
    town = _second_layer(ws, ws.town_a)
    try:
        fids = {f["code"]: f.id() for f in county.getFeatures()}
        households = county.fields().indexOf("households")
        a2_before = _db_grid(ws, A2)
        assert county.startEditing() and town.startEditing()  # both read A1 and A2 at version 1
        assert county.changeAttributeValue(fids[A1], households, 123)
        assert county.commitChanges(), county.commitErrors()
        assert town.changeAttributeValue(fids[A2], households, 77)  # an edit of a grid nobody else changed
        assert town.deleteFeature(fids[A1])  # the grid the county changed since the township read it
        assert not town.commitChanges()
        refusal = town.findChild(VersionGuard).last_refusal
        assert A1 in refusal and ws.logins[ws.county].user in refusal and A2 not in refusal
        assert _db_grid(ws, A1)[1:] == (123, 2, ws.logins[ws.county].user)  # still there, the county's version
        assert _db_grid(ws, A2) == a2_before  # nothing of the refused save written
        assert town.isModified() and fids[A1] in town.editBuffer().deletedFeatureIds()
        assert town.getFeature(fids[A2])["households"] == 77
        QTest.qWait(50)  # the blocking feature is taken out once QGIS's save is over
        assert not town.editBuffer().addedFeatures()
        # read again: the deletion goes through
        assert town.rollBack() and town.startEditing()
        assert town.deleteFeature(fids[A1])
        assert town.commitChanges(), town.commitErrors()
        assert _db_grid(ws, A1) is None
    finally:
        if town.isEditable():
            town.rollBack()
        del town


def test_the_plugin_tells_the_planner_whose_change_refused_the_save(plugin, ws, qgis_iface):
    """The refusal reaches the message bar of the planner whose layer is in the project."""
    town = open_as(plugin, ws, ws.town_a).grid_layer(3)
    county = _second_layer(ws, ws.county)
    try:
        fid = next(f.id() for f in town.getFeatures() if f["code"] == A2)
        index = town.fields().indexOf("name")
        assert town.startEditing() and county.startEditing()
        assert county.changeAttributeValue(fid, index, "县改")
        assert county.commitChanges(), county.commitErrors()
        qgis_iface.messageBar().clear_messages()
        assert town.changeAttributeValue(fid, index, "镇改")
        assert not town.commitChanges()
        from workspace_helpers import bar_messages

        shown = bar_messages(qgis_iface, Qgis.MessageLevel.Critical)
        assert any(A2 in m and ws.logins[ws.county].user in m for m in shown), shown
        assert _db_grid(ws, A2)[0] == "县改" and town.getFeature(fid)["name"] == "镇改"
    finally:
        if county.isEditable():
            county.rollBack()
        del county


def test_two_planners_saving_different_grids_from_their_layers_both_succeed(plugin, ws):
    b1 = TOWN_B + "00101001"
    town_a = open_as(plugin, ws, ws.town_a).grid_layer(3)
    town_b = _second_layer(ws, ws.town_b)
    try:
        fids = {f["code"]: f.id() for f in town_a.getFeatures()}
        households = town_a.fields().indexOf("households")
        assert town_a.startEditing() and town_b.startEditing()
        assert town_a.changeAttributeValue(fids[A1], households, 111)
        assert town_b.changeAttributeValue(fids[b1], households, 222)
        assert town_b.changeGeometry(
            fids[b1], QgsGeometry.fromWkt(shapely.to_wkt(shapely.box(X0 + 1000, Y0, X0 + 1450, Y0 + 1000)))
        )
        assert town_a.commitChanges(), town_a.commitErrors()
        assert town_b.commitChanges(), town_b.commitErrors()
        assert _db_grid(ws, A1)[1:3] == (111, 2)
        assert _db_grid(ws, b1)[1:3] == (222, 2)
        with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
            cur.execute(f'select "user", change_kind, old_code from "{ws.name}".change_log order by fid')
            assert cur.fetchall() == [
                (ws.logins[ws.town_a].user, "edit", A1),
                (ws.logins[ws.town_b].user, "reshape", b1),
            ]
    finally:
        if town_b.isEditable():
            town_b.rollBack()
        del town_b


def test_listing_a_server_that_does_not_answer_leaves_qgis_responsive(plugin, ws):
    """A server that accepts the connection and never answers: the dialog waits in a task (QGIS's event loop
    keeps running), then shows the usual message; nothing is opened."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # connections complete in the backlog, no reply ever comes
    port = silent.getsockname()[1]
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    name = f"cg_{ws.name}_silent"
    uri = QgsDataSourceUri()
    uri.setConnection("127.0.0.1", str(port), "community_grids", "nobody", "pw")
    metadata.saveConnection(metadata.createConnection(uri.uri(False), {"saveUsername": True}), name)
    try:
        click(
            plugin.toolbar.widgetForAction(
                next(a for a in plugin.actions if a.objectName() == "community_grids_choose_pg_workspace")
            )
        )
        dialog = plugin.pg_dialog
        dialog.ui.connectionCombo.setFocus()
        QTest.keyClicks(dialog.ui.connectionCombo, name)
        type_into(dialog.ui.passwordEdit, "pw")
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(dialog.busy))
        timer.start(20)
        click(dialog.ui.listButton)
        assert dialog.busy and not dialog.button().isEnabled() and not dialog.ui.listButton.isEnabled()
        wait_dialog(dialog)
        timer.stop()
        assert ticks.count(True) >= 3  # the event loop ran while the server was asked
        assert dialog.ui.statusLabel.text().startswith(
            tr("The PostgreSQL server at {host}:{port} does not answer; is it running? ({error})")
            .format(host="127.0.0.1", port=port, error="")
            .rstrip("()")
        ), dialog.ui.statusLabel.text()
        assert dialog.ui.schemaCombo.count() == 0 and not project_layers() and plugin.workspace is None
        assert dialog.ui.listButton.isEnabled()
    finally:
        metadata.deleteConnection(name)
        silent.close()


# ---------------------------------------------------------------- the Jobs page on a shared workspace


def jobs_page(plugin, ws, group, tmp_path):
    """The Jobs page of the workspace opened as ``group``; the project saved in ``tmp_path`` (its folder is
    where the jobs write by default on a shared workspace)."""
    QgsProject.instance().setFileName(str(tmp_path / "project.qgz"))
    workspace = open_as(plugin, ws, group)
    dock = plugin.dock
    dock.setFloating(True)
    jobs = dock.panels["jobs"]
    dock.tabs.setCurrentWidget(jobs)
    dock.resize(520, 760)
    dock.show()
    QTest.qWait(20)
    done = []
    jobs.job_finished.connect(lambda key, ok: done.append((key, ok)))
    return workspace, jobs, done


def snapshots_left():
    return sorted(Path(tempfile.gettempdir()).glob("cg_shared_*"))


def pg_rows(ws, sql):
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(sql.format(s=f'"{ws.name}"'))
        return cur.fetchall()


def test_the_county_exports_a_filing_package_from_the_shared_workspace(plugin, ws, tmp_path, opened):
    left = snapshots_left()
    _workspace, jobs, done = jobs_page(plugin, ws, ws.county, tmp_path)
    assert jobs.filingButton.isEnabled() and jobs.filingButton.toolTip() != ""
    output = tmp_path / "out" / "filing.gpkg"
    output.parent.mkdir()

    proposed = []

    def fill(dialog):  # no assert in here: it would abort inside Qt's event loop
        proposed.append((dialog.outputEdit.text(), dialog.phonesCheck.isEnabled()))
        dialog.outputEdit.clear()
        QTest.keyClicks(dialog.outputEdit, str(output))
        dialog.phonesCheck.setFocus()
        QTest.keyClick(dialog.phonesCheck, Qt.Key.Key_Space)
        proposed.append(dialog.phonesCheck.isChecked())

    answer("CommunityGridsFilingExport", fill)
    click(jobs.filingButton)
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("filing", True)], jobs.last_error
    (default, phones_enabled), phones_checked = proposed
    assert Path(default).parent == tmp_path and phones_enabled and phones_checked  # the project's folder
    assert Path(jobs.last_result["OUTPUT"]) == output and jobs.last_result["GRIDS"] == 8
    recorded = dict(pg_rows(ws, "select key, value from {s}.workspace_info where key like 'last_package%%'"))
    assert recorded["last_package_version"] == jobs.last_result["PACKAGE_VERSION"]  # the next version follows
    assert recorded["last_package_file"] == output.name
    run = subprocess.run(
        ["/usr/bin/python3", "-m", "osgeo_utils.samples.validate_gpkg", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.strip() == "", run.stdout + run.stderr
    package = ogr.Open(str(output))
    phones = sorted(f.GetField("phone") for f in package.GetLayerByName(schema.STAFF.name))
    assert phones == ["13900000001", "13900000002"]  # the county reads them and chose to include them
    package = None
    assert snapshots_left() == left  # the temporary copy is gone
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]

    # a second package: the next version (recorded in the database); then the two compared
    second = output.parent / "filing2.gpkg"
    assert jobs.export_filing({"OUTPUT": str(second)})
    wait_until(lambda: len(done) == 2)
    wait_idle(jobs)
    assert done[-1] == ("filing", True), jobs.last_error
    assert int(jobs.last_result["PACKAGE_VERSION"]) == int(recorded["last_package_version"]) + 1

    def fill_compare(dialog):
        for combo, path in ((dialog.firstCombo, output), (dialog.secondCombo, second)):
            combo.lineEdit().clear()
            QTest.keyClicks(combo.lineEdit(), str(path))

    answer("CommunityGridsJobInputs", fill_compare)
    click(jobs.compareButton)
    wait_until(lambda: len(done) == 3)
    wait_idle(jobs)
    assert done[-1] == ("compare", True), jobs.last_error
    assert jobs.last_result["CHANGED"] == 0 and Path(jobs.last_result["REPORT"]).exists()
    assert opened.urls == [jobs.last_result["REPORT"]]  # the report opened for the planner
    assert snapshots_left() == left


def test_a_township_is_told_the_phones_are_not_readable_by_its_role(plugin, ws, tmp_path):
    left = snapshots_left()
    _workspace, jobs, done = jobs_page(plugin, ws, ws.town_a, tmp_path)
    dialog = jobs.filing_dialog(str(tmp_path / "p.gpkg"))
    message = jobs.phones_withheld_message()
    assert not dialog.phonesCheck.isEnabled() and dialog.phonesCheck.toolTip() == message
    assert f"{ws.town_a}_login" in message
    dialog.deleteLater()
    output = tmp_path / "township.gpkg"
    assert jobs.export_filing({"OUTPUT": str(output), "INCLUDE_PHONES": True})  # the toolbox's way of asking
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("filing", True)], jobs.last_error
    assert message in jobs.statusLabel.text()
    package = ogr.Open(str(output))
    assert [f.GetField("phone") for f in package.GetLayerByName(schema.STAFF.name)] == [None, None]
    meta = {f.GetField("key"): f.GetField("value") for f in package.GetLayerByName(schema.PACKAGE_METADATA.name)}
    package = None
    assert meta["phones_included"] == "no"
    assert snapshots_left() == left


def set_counts(ws, like: str = "%", counts=((1, 200), (2, 200), (3, 100))):
    """Counts attached once before (``None``: never attached) to the grids whose code is ``like``."""
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        for level, households in counts:
            population = None if households is None else 3 * households
            relocated = None if households is None else 0
            cur.execute(
                f'update "{ws.name}".grid_level{level} set households = %s, population = %s, '
                "relocated_households = %s, version = version where code like %s",
                (households, population, relocated, like),
            )
        conn.commit()


def household_table(name, counts):
    """A household table in the project: one row per household (grid code, 3 persons)."""
    table = QgsVectorLayer("None?field=grid_code:string&field=persons:integer", name, "memory")
    features = []
    for code, households in counts:
        for _ in range(households):
            feature = QgsFeature(table.fields())
            feature.setAttributes([code, 3])
            features.append(feature)
    table.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(table)


def choose(name):
    """Fill the job's input dialog with the layer ``name``."""

    def fill(dialog):
        dialog.firstCombo.setCurrentIndex(dialog.firstCombo.findText(name))

    return fill


def test_a_township_attaches_households_beside_a_neighbour_whose_counts_are_unset(plugin, ws, tmp_path):
    """The counting re-totals the whole county: a neighbour township's unset counts (and parents that do not add
    up) would change too. They are not the township's to write: left out, the township's own counts written."""
    set_counts(ws, TOWN_A + "%")  # township A attached once before
    set_counts(ws, TOWN_B + "%", ((1, None), (2, None), (3, None)))  # township B never attached
    neighbour = "select code, version, households from {s}.grid_level{level} where code like '" + TOWN_B + "%'"
    before = {level: sorted(pg_rows(ws, neighbour.replace("{level}", str(level)))) for level in (1, 2, 3)}
    _workspace, jobs, done = jobs_page(plugin, ws, ws.town_a, tmp_path)
    household_table("甲镇户表", [(A1, 120), (A2, 90)])
    answer("CommunityGridsJobInputs", choose("甲镇户表"))
    click(jobs.householdsButton)
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("households", True)], jobs.last_error
    counts = dict(pg_rows(ws, "select code, households from {s}.grid_level3"))
    assert counts[A1] == 120 and counts[A2] == 90
    assert dict(pg_rows(ws, "select code, households from {s}.grid_level1"))[TOWN_A + "001"] == 210
    after = {level: sorted(pg_rows(ws, neighbour.replace("{level}", str(level)))) for level in (1, 2, 3)}
    assert after == before  # the neighbour's grids: not written, versions unchanged


def test_a_township_attaches_households_to_its_grids_and_not_to_a_neighbours(plugin, ws, tmp_path):
    set_counts(ws)  # counts attached once before: two groups per section and village
    workspace, jobs, done = jobs_page(plugin, ws, ws.town_a, tmp_path)
    before = dict(pg_rows(ws, "select code, version from {s}.grid_level3"))

    household_table("户表", [(A1, 130), (A2, 140)])

    answer("CommunityGridsJobInputs", choose("户表"))
    click(jobs.householdsButton)
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("households", True)], jobs.last_error
    after = {
        code: (v, h, p)
        for code, v, h, p in pg_rows(ws, "select code, version, households, population from {s}.grid_level3")
    }
    assert after[A1][1:] == (130, 390) and after[A2][1:] == (140, 420)
    assert after[A1][0] == before[A1] + 1 and after[A2][0] == before[A2] + 1  # versions bumped
    b1, b2 = TOWN_B + "00101001", TOWN_B + "00101002"
    assert after[b1][0] == before[b1] and after[b1][1] == 100
    village = dict(pg_rows(ws, "select code, households from {s}.grid_level1"))
    assert village[TOWN_A + "001"] == 270  # rolled up
    shown = {f["code"]: f["households"] for f in workspace.grid_layer(3).getFeatures()}
    assert shown[A1] == 130 and shown[A2] == 140  # the project's layer reloaded

    # a table naming a neighbour's grid too: refused by the database, nothing written
    unchanged = snapshot(ws)
    household_table("邻镇户表", [(A1, 150), (b1, 160)])
    answer("CommunityGridsJobInputs", choose("邻镇户表"))
    click(jobs.householdsButton)
    wait_until(lambda: len(done) == 2)
    wait_idle(jobs)
    assert done[-1] == ("households", False)
    assert b1 in jobs.last_error and "outside your township" in jobs.last_error, jobs.last_error
    assert "Traceback" not in jobs.statusLabel.text() and b1 in jobs.statusLabel.text()
    assert snapshot(ws) == unchanged
    assert dict(pg_rows(ws, "select code, households from {s}.grid_level3"))[A1] == 130
    del b2


def test_the_county_imports_staff_and_a_township_may_not(plugin, ws, tmp_path):
    workspace, jobs, done = jobs_page(plugin, ws, ws.county, tmp_path)
    assert jobs.staffButton.isEnabled()
    csv = tmp_path / "staff.csv"
    csv.write_text("姓名,岗位,网格编码,联系电话\n" + f"赵六,网格管理员,{A2},13900000009\n", encoding="utf-8-sig")

    def fill(dialog):
        QTest.keyClicks(dialog.firstCombo.lineEdit(), str(csv))

    answer("CommunityGridsJobInputs", fill)
    click(jobs.staffButton)
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("staff", True)], jobs.last_error
    assert "Staff imported: 1 written" in jobs.statusLabel.text()
    staff = pg_rows(ws, "select name, phone, grid_code from {s}.staff order by fid")
    assert len(staff) == 3 and staff[-1] == ("赵六", "13900000009", A2)
    assert workspace.layer(schema.STAFF.name).featureCount() == 3  # the project's layer reloaded

    _workspace, town_jobs, _done = jobs_page(plugin, ws, ws.town_a, tmp_path)
    assert not town_jobs.staffButton.isEnabled()
    assert "staff register" in town_jobs.staffButton.toolTip()
    assert town_jobs.householdsButton.isEnabled() and town_jobs.filingButton.isEnabled()


def test_notice_map_and_permits_from_the_shared_workspace(plugin, ws, tmp_path, opened):
    left = snapshots_left()
    _workspace, jobs, done = jobs_page(plugin, ws, ws.town_a, tmp_path)
    combo = jobs.townshipCombo
    assert combo.itemData(0) == TOWN_A
    click(jobs.noticeButton)
    wait_until(lambda: done)
    wait_idle(jobs)
    assert done == [("notice", True)], jobs.last_error
    combo.setCurrentIndex(combo.findData(TOWN_A + "001"))
    click(jobs.permitsButton)
    wait_until(lambda: len(done) == 2)
    wait_idle(jobs)
    assert done[-1] == ("permits", True), jobs.last_error
    notice, permits = (Path(u) for u in opened.urls)
    assert notice.parent == tmp_path and "公示图" in notice.name and notice.stat().st_size > 1000
    assert permits.parent == tmp_path and "工作证" in permits.name and permits.stat().st_size > 1000
    assert snapshots_left() == left


def test_counts_over_a_grid_saved_by_someone_else_meanwhile_are_refused(plugin, ws, tmp_path, monkeypatch):
    from plugin.adapters import pg_jobs

    set_counts(ws)  # consistent counts to start from
    workspace, jobs, done = jobs_page(plugin, ws, ws.town_a, tmp_path)

    # unsaved edits of the shared workspace's grids: the job does not start
    layer = workspace.grid_layer(3)
    assert layer.startEditing()
    fid = next(f.id() for f in layer.getFeatures() if f["code"] == A2)
    assert layer.changeAttributeValue(fid, layer.fields().indexOf("name"), "甲二组（改）")
    table = QgsVectorLayer("None?field=grid_code:string", "户表", "memory")
    features = []
    for _ in range(120):
        feature = QgsFeature(table.fields())
        feature.setAttributes([A1])
        features.append(feature)
    table.dataProvider().addFeatures(features)
    QgsProject.instance().addMapLayer(table)
    assert not jobs.attach_households(table.id())
    assert done == [("households", False)] and layer.name() in jobs.statusLabel.text()
    layer.rollBack()

    # a planner of the township saves grid A1 between the snapshot and the write: the write is refused
    original = pg_jobs.SharedJob.snapshot

    def snapshot_then_someone_saves(job, versions=False):
        path = original(job, versions)
        with closing(pg_store.connect(ws.logins[ws.town_a])) as conn, conn.cursor() as cur:
            cur.execute(f'select version from "{ws.name}".grid_level3 where code = %s', (A1,))
            version = cur.fetchone()[0]
            cur.execute(
                f"update \"{ws.name}\".grid_level3 set name = '甲一组（新）', version = %s where code = %s",
                (version, A1),
            )
            conn.commit()
        saved.append(snapshot(ws))
        return path

    saved = []
    monkeypatch.setattr(pg_jobs.SharedJob, "snapshot", snapshot_then_someone_saves)
    assert jobs.attach_households(table.id())
    wait_until(lambda: len(done) == 2)
    wait_idle(jobs)
    assert done[-1] == ("households", False)
    assert A1 in jobs.last_error and "after the counts were computed" in jobs.last_error, jobs.last_error
    assert f"{ws.town_a}_login" in jobs.last_error and "no count was written" in jobs.last_error
    assert snapshot(ws) == saved[0]  # the other planner's save kept, no count written
    assert dict(pg_rows(ws, "select code, households from {s}.grid_level3"))[A1] == 100
