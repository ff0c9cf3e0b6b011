"""The shared PostGIS workspace on the desktop (issue 14), without the Processing toolbox.

* :class:`PgOpenDialog` (ui/pg_open.ui) — one of QGIS's saved PostgreSQL connections, the user and password,
  and a workspace schema of that database (listed: the schemas holding a workspace the user may read). "Open"
  hands the choice to the plugin's opener; a refusal (wrong password, server down, a schema of a newer version,
  a role without rights) stays in the dialog as the translated message, nothing opened.
* :class:`ChangeRequestsPanel` (ui/change_requests.ui) — the dock's "Change requests" page on a shared
  workspace: which role the planner is; a township role proposes its pending (unsaved) grid edits as a change
  request with a reason (ui/propose_change.ui); everyone sees the requests the database shows them, with what
  each changes; the county role approves with the approval reference (批复文号) or rejects with a reason
  (ui/decide_change.ui). The database keeps the rules: a township cannot decide, whatever it clicks, and its
  refusal is shown as the planner's message. Proposing and deciding run as QgsTasks (gui/task_runner.py).

The page works through ``adapters.pg_changesets`` (the same code as the Processing algorithms).
"""

from __future__ import annotations

from contextlib import closing

from qgis.core import Qgis, QgsProcessingException
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QImage, QPixmap
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidgetItem, QWidget

from ..adapters import pg_changesets as pgc
from ..adapters import pg_desktop, pg_store
from ..adapters.pg_store import PgParams
from ..adapters.workspace import WorkspaceError
from ..core import changesets as core
from ..i18n import prefers_chinese, tr
from . import task_runner
from .forms import load_form
from .guard import guarded
from .message_bar import push_message

COLUMNS = ("set_id", "township_code", "status", "proposed_by", "proposed_at", "approval_ref", "decided_by")


def _language() -> str:
    return "zh" if prefers_chinese() else "en"


def is_shared(workspace) -> bool:
    return workspace is not None and getattr(workspace, "store", "") == pg_store.STORE


def _message(error: Exception) -> str:
    if isinstance(error, core.ChangeSetError):
        from ..adapters.changeset_package import translate

        return translate(error)
    return str(error)


# ---------------------------------------------------------------- opening a shared workspace


class PgOpenDialog(QDialog):
    """Saved connection, user, password and workspace schema; "Open" calls ``opener(params, schema)``, which
    returns None when the workspace opened or the message saying why not.

    Listing the workspaces and the checks before opening (connection, password, schema version, rights) run
    in QgsTasks: a slow or absent server does not freeze QGIS; the dialog waits, its buttons disabled, and a
    refusal is shown as the same message. ``busy_changed`` says when a task starts and ends."""

    busy_changed = pyqtSignal(bool)

    def __init__(self, opener, parent=None):
        super().__init__(parent)
        self.ui = load_form("pg_open")()
        self.ui.setupUi(self)  # ui/pg_open.ui
        self.setObjectName("CommunityGridsPgOpen")
        self.opener = opener
        self.opened = False
        self.task: task_runner.JobTask | None = None  # the listing or the checks before opening, while running
        self.ui.connectionCombo.addItems(pg_desktop.saved_connections())
        self.ui.connectionCombo.currentIndexChanged.connect(self._connection_changed)
        self.ui.listButton.clicked.connect(self._list_guarded)
        self.ui.buttonBox.accepted.connect(self._open_guarded)
        self.ui.schemaCombo.editTextChanged.connect(self._update)
        self._connection_changed()
        if not self.ui.connectionCombo.count():
            self.ui.statusLabel.setText(
                tr("QGIS has no saved PostgreSQL connection: add one in the Browser (PostgreSQL → New Connection).")
            )

    def button(self, which=QDialogButtonBox.StandardButton.Open):
        return self.ui.buttonBox.button(which)

    def _connection_changed(self, *args) -> None:
        name = self.ui.connectionCombo.currentText()
        self.ui.schemaCombo.clear()
        if name:
            try:
                params = pg_desktop.connection_params(name)
            except WorkspaceError as error:
                self.ui.statusLabel.setText(str(error))
                params = PgParams()
            self.ui.userEdit.setText(params.user)
            self.ui.passwordEdit.setText(params.password)
        self._update()

    def params(self) -> PgParams:
        """The chosen connection with the user and password of the dialog (an empty password: the saved one,
        libpq's password file or service)."""
        saved = pg_desktop.connection_params(self.ui.connectionCombo.currentText())
        user = self.ui.userEdit.text().strip() or saved.user
        password = self.ui.passwordEdit.text()
        return PgParams(saved.host, saved.port, saved.dbname, user, password, saved.passfile)

    def schema(self) -> str:
        index = self.ui.schemaCombo.findText(self.ui.schemaCombo.currentText())
        data = self.ui.schemaCombo.itemData(index) if index >= 0 else None
        return data or self.ui.schemaCombo.currentText().strip()

    def _update(self, *args) -> None:
        idle = self.task is None
        ok = bool(self.ui.connectionCombo.currentText()) and bool(self.ui.schemaCombo.currentText().strip())
        self.button().setEnabled(idle and ok)
        self.ui.listButton.setEnabled(idle and bool(self.ui.connectionCombo.currentText()))
        self.ui.connectionCombo.setEnabled(idle)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def _in_task(self, description: str, work, done) -> task_runner.JobTask:
        """``work()`` in a task (a WorkspaceError: its message); ``done(result, message)`` on the main thread."""

        def run(task):
            try:
                return work()
            except WorkspaceError as error:  # the refusal, in the user's words, is the task's message
                raise QgsProcessingException(str(error)) from error

        def finished(task, ok):
            self.task = None
            try:
                done(
                    task.result if ok else None,
                    None if ok else (task.error or tr("{job} failed.").format(job=description)),
                )
                self._update()
            except RuntimeError:  # the dialog was closed meanwhile
                return
            self.busy_changed.emit(False)

        task = task_runner.JobTask(description, run, finished)
        self.task = task
        self._update()
        self.busy_changed.emit(True)
        task_runner.start(task)
        return task

    def _connecting(self) -> PgParams | None:
        """The connection's parameters, the status saying "Connecting…" (None: a task runs already, or the
        connection is incomplete — said in the status)."""
        if self.task is not None:
            return None
        try:
            params = self.params()
        except WorkspaceError as error:
            self.ui.statusLabel.setText(str(error))
            return None
        self.ui.statusLabel.setText(tr("Connecting to {where}…").format(where=params.where()))
        return params

    @guarded
    def _list_guarded(self, *args) -> None:
        self.list_workspaces()

    def list_workspaces(self) -> bool:
        """List the database's workspaces (in a task); the schema list is filled when it ends."""
        params = self._connecting()
        if params is None:
            return False

        def done(found, problem):
            if problem:
                self.ui.statusLabel.setText(problem)
                return
            typed = self.ui.schemaCombo.currentText()
            self.ui.schemaCombo.clear()
            for name, county in found:
                self.ui.schemaCombo.addItem(f"{name} — {county}" if county else name, name)
            if not found:
                self.ui.schemaCombo.setEditText(typed)
            self.ui.statusLabel.setText(
                tr("{n} workspaces in database {db}.").format(n=len(found), db=params.dbname)
                if found
                else tr("The database {db} holds no workspace you may read.").format(db=params.dbname)
            )

        self._in_task(tr("List workspaces"), lambda: pg_desktop.workspace_schemas(params), done)
        return True

    @guarded
    def _open_guarded(self, *args) -> None:
        self.open_workspace()

    def open_workspace(self) -> bool:
        """Check the connection and the workspace in a task (a server that does not answer, a wrong password,
        a newer schema, no rights: the message, nothing opened); then open it on the main thread."""
        params = self._connecting()
        if params is None:
            return False
        name = self.schema()

        def check():
            with closing(pg_store.connect(params)) as conn:
                pg_store.read_pg_info(conn, name)
            return True

        def done(ok, problem):
            if not self.isVisible():  # cancelled while the server was asked: nothing opened
                return
            problem = problem or self.opener(params, name)
            if problem:
                self.ui.statusLabel.setText(problem)
                return
            self.opened = True
            self.accept()

        self._in_task(tr("Open shared workspace (PostGIS)"), check, done)
        return True


# ---------------------------------------------------------------- the change-request page


def show_map(label, png: bytes | None, missing: str) -> QImage:
    """The change request's map in ``label`` (scaled to its minimum size), or the text ``missing``."""
    image = QImage.fromData(png, "PNG") if png else QImage()
    if image.isNull():
        label.setText(missing)
        return image
    label.setPixmap(
        QPixmap.fromImage(image).scaled(
            label.minimumSize(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )
    label.setToolTip(
        tr("The map of the change: grids before in grey, after in red ({w} × {h} px).").format(
            w=image.width(), h=image.height()
        )
    )
    return image


class ProposeChangeDialog(QDialog):
    """The township's proposal: the summary, the map of its pending edits as the county will see it, the title
    and the reason."""

    def __init__(self, summary: str, parent=None, map_png: bytes | None = None, problem: str = ""):
        super().__init__(parent)
        self.ui = load_form("propose_change")()
        self.ui.setupUi(self)  # ui/propose_change.ui
        self.setObjectName("CommunityGridsProposeChange")
        self.ui.summaryLabel.setText(summary)
        self.map_image = show_map(self.ui.mapLabel, map_png, problem or tr("The pending edits change no boundary."))
        self.ui.reasonEdit.textChanged.connect(self._update)
        self._update()

    def reason(self) -> str:
        return self.ui.reasonEdit.toPlainText().strip()

    def title(self) -> str:
        return self.ui.titleEdit.text().strip()

    def _update(self) -> None:
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))


class DecideChangeDialog(QDialog):
    """Approve or reject one change request: the question, the request's map (old grids grey, the change in
    red, codes labelled), the approval reference or the reason."""

    def __init__(self, approve: bool, question: str, parent=None, map_png: bytes | None = None):
        super().__init__(parent)
        self.ui = load_form("decide_change")()
        self.ui.setupUi(self)  # ui/decide_change.ui
        self.setObjectName("CommunityGridsDecideChange")
        self.approving = approve
        self.setWindowTitle(tr("Approve change request") if approve else tr("Reject change request"))
        self.ui.questionLabel.setText(question)
        self.map_image = show_map(self.ui.mapLabel, map_png, tr("This change request has no map."))
        self.ui.valueLabel.setText(tr("Approval reference (批复文号)") if approve else tr("Reason for rejection"))
        self.ui.valueEdit.textChanged.connect(self._update)
        self._update()

    def value(self) -> str:
        return self.ui.valueEdit.text().strip()

    def _update(self, *args) -> None:
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.value()))


class ChangeRequestsPanel(QWidget):
    """The dock's "Change requests" page (a shared PostGIS workspace; idle on a GeoPackage)."""

    message = pyqtSignal(str, int)  # text, Qgis.MessageLevel
    job_finished = pyqtSignal(str, bool)  # "propose" / "approve" / "reject", ok

    def __init__(self, iface, dock=None, parent=None):
        super().__init__(parent)
        self.ui = load_form("change_requests")()
        self.ui.setupUi(self)  # ui/change_requests.ui
        self.setObjectName("CommunityGridsChangeRequests")
        self.iface = iface
        self.dock = dock
        self.workspace = None
        self.role: pg_desktop.WorkspaceRole | None = None
        self.rows: list[dict] = []
        self.dialog: QDialog | None = None
        self.shown: core.ChangeSet | None = None  # the selected request, as read for its details
        self.last_error: str | None = None
        self.runner = task_runner.TaskRunner(self.ui.progressBar, self.ui.cancelButton, self)
        self.runner.busy_changed.connect(lambda *_: self._update_buttons())
        table = self.ui.setsTable
        table.setColumnCount(len(COLUMNS))
        table.setHorizontalHeaderLabels(
            [
                tr("Request"),
                tr("Township"),
                tr("Status"),
                tr("Proposed by"),
                tr("Proposed at"),
                tr("Approval"),
                tr("Decided by"),
            ]
        )
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.itemSelectionChanged.connect(self._selection_guarded)
        self.ui.proposeButton.clicked.connect(lambda *_: self._run(self.propose_dialog))
        self.ui.refreshButton.clicked.connect(lambda *_: self._run(self.refresh))
        self.ui.approveButton.clicked.connect(lambda *_: self._run(lambda: self.decide_dialog(True)))
        self.ui.rejectButton.clicked.connect(lambda *_: self._run(lambda: self.decide_dialog(False)))
        self._update_buttons()

    # ------------------------------------------------------------ plumbing

    @guarded
    def _run(self, method) -> None:
        method()

    @guarded
    def _selection_guarded(self) -> None:
        self.show_selected()

    def _say(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 8) -> None:
        self.ui.statusLabel.setText(text)
        push_message(self.iface.messageBar(), text, level, duration)
        self.message.emit(text, int(level))

    def set_workspace(self, workspace) -> None:
        if workspace is not self.workspace:
            self.runner.abandon()
        self.workspace = workspace if is_shared(workspace) else None
        self.role = getattr(self.workspace, "role", None) if self.workspace is not None else None
        self.rows = []
        self.ui.setsTable.setRowCount(0)
        self.ui.detailText.clear()
        self.ui.statusLabel.clear()
        if self.workspace is None:
            self.ui.roleLabel.setText(tr("Open a shared workspace (PostGIS) to propose or decide change requests."))
        else:
            if self.role is None:
                try:
                    with closing(pg_store.connect(self.workspace.params)) as conn:
                        self.role = pg_desktop.workspace_role(conn, self.workspace.schema_name)
                except WorkspaceError as error:  # the server went away: no role, the reason shown
                    self.role = pg_desktop.WorkspaceRole(self.workspace.params.user)
                    self.ui.statusLabel.setText(str(error))
            self.ui.roleLabel.setText(self.role.describe())
            self.refresh()
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self.workspace is not None and not self.runner.busy
        township = self.role is not None and self.role.kind == pg_desktop.TOWNSHIP
        selected = self.selected()
        proposed = selected is not None and selected.get("status") == core.PROPOSED
        self.ui.proposeButton.setEnabled(idle and township)
        self.ui.refreshButton.setEnabled(idle)
        # the database decides who may decide: a township's click is refused there, with its message
        self.ui.approveButton.setEnabled(idle and proposed)
        self.ui.rejectButton.setEnabled(idle and proposed)

    def _connect(self):
        return pg_store.connect(self.workspace.params)

    # ------------------------------------------------------------ the list

    def refresh(self) -> list[dict]:
        """The change requests the database shows this role (newest first)."""
        if self.workspace is None:
            return []
        keep = self.selected_id()
        try:
            with closing(self._connect()) as conn:
                self.rows = pgc.change_sets(conn, self.workspace.schema_name)
        except WorkspaceError as error:
            self._say(str(error), Qgis.MessageLevel.Warning)
            self.rows = []
        except Exception as error:  # noqa: BLE001 - psycopg2.Error: the workspace has no change-request tables
            self.rows = []
            self._say(
                tr("Workspace {schema} has no change requests: {error}").format(
                    schema=self.workspace.schema_name, error=str(error).strip().splitlines()[0]
                ),
                Qgis.MessageLevel.Warning,
            )
        table = self.ui.setsTable
        table.blockSignals(True)
        table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, key in enumerate(COLUMNS):
                value = row.get(key)
                text = "" if value is None else str(value)[:19] if key.endswith("_at") else str(value)
                if key == "status":
                    text = status_label(text)
                item = QTableWidgetItem(text)
                item.setToolTip(str(value or ""))
                table.setItem(r, c, item)
        table.blockSignals(False)
        if keep and not self.select_id(keep):
            self.ui.detailText.clear()
        self._update_buttons()
        return self.rows

    def selected(self) -> dict | None:
        rows = {i.row() for i in self.ui.setsTable.selectedItems()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def selected_id(self) -> str | None:
        row = self.selected()
        return row["set_id"] if row else None

    def select_id(self, set_id: str) -> bool:
        for r, row in enumerate(self.rows):
            if row["set_id"] == set_id:
                self.ui.setsTable.blockSignals(True)
                self.ui.setsTable.selectRow(r)
                self.ui.setsTable.blockSignals(False)
                self.show_selected()  # also when the row was selected already: its request changed
                return True
        return False

    def show_selected(self) -> None:
        """What the selected request changes: its application text (grids, actions, areas) and status."""
        set_id = self.selected_id()
        self._update_buttons()
        self.shown = None
        if set_id is None or self.workspace is None:
            self.ui.detailText.clear()
            return
        try:
            with closing(self._connect()) as conn:
                cs = pgc.read_change_set(conn, self.workspace.schema_name, set_id)
        except WorkspaceError as error:
            self.ui.detailText.setPlainText(str(error))
            return
        self.shown = cs
        language = _language()
        lines = [cs.status_message(language), ""]
        if cs.rejection_reason:
            lines += [tr("Reason for rejection: {reason}").format(reason=cs.rejection_reason), ""]
        lines.append(core.application_text(cs, language))
        self.ui.detailText.setPlainText("\n".join(lines))

    # ------------------------------------------------------------ proposing

    def propose_dialog(self) -> ProposeChangeDialog | None:
        """A township role: its pending grid edits, the reason and title asked for (the dialog is opened, not
        run: its OK starts the proposal)."""
        if self.workspace is None or self.role is None:
            return None
        if self.role.kind != pg_desktop.TOWNSHIP:
            self._say(
                tr("Only a township role proposes change requests; {role}").format(role=self.role.describe()),
                Qgis.MessageLevel.Warning,
            )
            return None
        if not pg_desktop.has_pending_edits(self.workspace):
            self._say(
                tr("There are no unsaved grid edits to propose: edit the grids of your township first (do not save)."),
                Qgis.MessageLevel.Warning,
            )
            return None
        preview, problem = self.preview_map()
        dialog = ProposeChangeDialog(
            tr(
                "Your unsaved grid edits in township {name} ({code}) become a change request for the county to "
                "decide; the grids stay as they are until it is approved."
            ).format(name=self.role.town_name, code=self.role.town_code),
            self,
            preview,
            problem,
        )
        dialog.accepted.connect(lambda: self._run(lambda: self.propose(dialog.reason(), dialog.title())))
        self.dialog = dialog
        dialog.open()
        return dialog

    def preview_map(self) -> tuple[bytes, str]:
        """The map the request will carry, drawn from the pending edits before the planner proposes (the
        proposal's own check refusing them: no map, its message instead)."""
        from ..adapters.changeset_map import render_change_map

        workspace, role, info = self.workspace, self.role, self.workspace.info
        try:
            before = pg_desktop.layer_grids(workspace, pending=False)
            after = pg_desktop.layer_grids(workspace, pending=True)
            cs = core.propose_change_set(
                before, after, role.town_code, tr("(preview)"), county_code=info.county_code, crs=info.crs
            )
            return render_change_map(cs, before), ""
        except (WorkspaceError, core.ChangeSetError) as error:
            return b"", tr("These edits cannot be proposed: {problem}").format(problem=_message(error))

    def propose(self, reason: str, title: str = "") -> bool:
        """The layers' pending edits against the saved grids, proposed as the connected township role's
        change request (in a task). On success the pending edits are dropped: the request holds them."""
        if self.workspace is None or self.runner.busy or self.role is None:
            return False
        workspace, role = self.workspace, self.role
        before = pg_desktop.layer_grids(workspace, pending=False)
        after = pg_desktop.layer_grids(workspace, pending=True)
        info = workspace.info

        def work(task):
            try:
                cs = core.propose_change_set(
                    before, after, role.town_code, reason, county_code=info.county_code, title=title, crs=info.crs
                )
                with closing(pg_store.connect(workspace.params)) as conn:
                    return pgc.propose(conn, workspace.schema_name, cs, context=before)
            except (WorkspaceError, core.ChangeSetError) as error:  # the refusal is the task's message
                raise QgsProcessingException(_message(error)) from error

        def done(task, ok):
            if ok:
                cs = task.result
                pg_desktop.discard_pending_edits(workspace)
                self.refresh()
                self.select_id(cs.set_id)
                self._say(
                    tr("Change request {id} proposed: {n} grids; the county decides it.").format(
                        id=cs.set_id[:8], n=len(cs.items)
                    ),
                    Qgis.MessageLevel.Success,
                )
            self._finish("propose", task, ok)

        return self._start(tr("Propose change request"), work, done)

    # ------------------------------------------------------------ deciding

    def decide_dialog(self, approve: bool) -> DecideChangeDialog | None:
        row = self.selected()
        if row is None or self.workspace is None:
            return None
        question = (
            tr("Approve change request {id} of township {township}? Its grids become current at once.")
            if approve
            else tr("Reject change request {id} of township {township}? No grid changes.")
        ).format(id=row["set_id"][:8], township=row["township_code"])
        set_id = row["set_id"]
        shown = self.shown if self.shown is not None and self.shown.set_id == set_id else None
        dialog = DecideChangeDialog(approve, question, self, shown.map_png if shown is not None else None)
        dialog.accepted.connect(lambda: self._run(lambda: self.decide(set_id, approve, dialog.value())))
        self.dialog = dialog
        dialog.open()
        return dialog

    def decide(self, set_id: str, approve: bool, value: str) -> bool:
        """Approve with the approval reference, or reject with a reason (in a task); the database refuses
        whoever may not, and its refusal is the message."""
        if self.workspace is None or self.runner.busy:
            return False
        workspace = self.workspace

        def work(task):
            try:
                with closing(pg_store.connect(workspace.params)) as conn:
                    if approve:
                        return pgc.approve(conn, workspace.schema_name, set_id, value)
                    return pgc.reject(conn, workspace.schema_name, set_id, value)
            except (WorkspaceError, core.ChangeSetError) as error:  # the database's refusal is the message
                raise QgsProcessingException(_message(error)) from error

        def done(task, ok):
            if ok:
                cs = task.result
                if approve:
                    for layer in workspace.layers.values():
                        layer.reload()
                    layer = workspace.grid_layer(1)
                    layer.triggerRepaint()
                    if self.dock is not None and getattr(self.dock, "schedule_refresh", None):
                        self.dock.schedule_refresh()
                self.refresh()
                self.select_id(set_id)
                self._say(cs.status_message(_language()), Qgis.MessageLevel.Success, 12)
            self._finish("approve" if approve else "reject", task, ok)

        return self._start(tr("Approve change request") if approve else tr("Reject change request"), work, done)

    # ------------------------------------------------------------ tasks

    def _start(self, description: str, work, done) -> bool:
        """``work`` in a task (a refusal raised as QgsProcessingException: its message is ``task.error``)."""

        def finished(task, ok):
            if not ok and task.error is None and not task.cancelled:
                task.error = tr("{job} failed.").format(job=description)
            done(task, ok)

        task = task_runner.JobTask(description, work)
        self.ui.statusLabel.setText(tr("{job}: running…").format(job=description))
        return self.runner.run(task, finished)

    def _finish(self, key: str, task, ok: bool) -> None:
        self.last_error = None if ok else task.error
        if not ok:
            if task.cancelled:
                self._say(tr("{job} was cancelled; nothing was changed.").format(job=task.description()))
            else:
                self._say(task.error or "", Qgis.MessageLevel.Critical, 15)
        self._update_buttons()
        self.job_finished.emit(key, ok)

    def cleanup(self) -> None:
        self.runner.abandon()


def status_label(status: str) -> str:
    return {
        core.PROPOSED: tr("proposed"),
        core.APPROVED: tr("approved"),
        core.REJECTED: tr("rejected"),
    }.get(status, status)
