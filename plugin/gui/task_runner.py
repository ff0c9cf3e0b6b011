"""Long work of the docks as QgsTasks: progress, cancel, and the result handed back on the main thread.

* :class:`JobTask` runs ``work(task)`` in QGIS's task thread. ``work`` reports with ``task.setProgress`` (or
  the :class:`~qgis.core.QgsProcessingFeedback` in ``task.feedback``, whose progress follows the task's) and
  polls ``task.isCanceled()``; cancelling the task cancels the feedback. :meth:`JobTask.finished` runs on the
  main thread and calls ``on_done(task, ok)``; exceptions are caught in both threads and logged (an exception
  reaching Qt would abort QGIS). The audit's :class:`~plugin.gui.audit_task.AuditTask` is one of these.
* :func:`algorithm_task` runs one of the plugin's Processing algorithms the way Processing itself does
  (``prepare`` on the main thread, ``runPrepared`` in the task, ``postProcess`` on the main thread), so the
  dock's jobs and the toolbox share every line of the algorithm. An algorithm flagged "no threading" (the
  printed layouts: graphics scenes) runs in the task's ``finished`` step on the main thread instead.
* :func:`start` hands a task to the task manager; :class:`TaskRunner` keeps the one running job of a panel
  and shows its progress in a progress bar with a cancel button.
"""

from __future__ import annotations

import contextlib
import traceback

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsMessageLog,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsTask,
)
from qgis.PyQt.QtCore import QObject, QTimer, pyqtSignal

from ..i18n import tr

LOG_TAG = "Community Grids"

try:  # QGIS ≥ 3.40 / QGIS 4
    NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
except AttributeError:  # QGIS 3.22
    NO_THREADING = QgsProcessingAlgorithm.Flag.FlagNoThreading


class MessageFeedback(QgsProcessingFeedback):
    """A feedback that keeps what the algorithm reports (info, warnings, errors) for the dock to show."""

    def __init__(self):
        super().__init__()
        self.infos: list[str] = []
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def pushInfo(self, info):  # noqa: N802 - Qt's name
        self.infos.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.errors.append(error)
        super().reportError(error, fatalError)


class JobTask(QgsTask):
    """``work(task)`` in the task thread; after it: ``result`` (ok), ``cancelled`` or ``error`` (a message)."""

    def __init__(self, description: str, work=None, on_done=None, main_thread_work=None):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.work = work
        self.main_thread_work = main_thread_work  # run in finished() (main thread) when work is None
        self.on_done = on_done
        self.result = None
        self.error: str | None = None
        self.details: str = ""
        self.cancelled = False
        self.stage = ""
        self.cleanup = None  # called once the task has ended (finished), whatever the outcome
        self.feedback = MessageFeedback()
        self.feedback.progressChanged.connect(self._feedback_progress)

    def _feedback_progress(self, value: float) -> None:
        self.setProgress(value)

    def cancel(self) -> None:
        self.feedback.cancel()
        super().cancel()

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, QgsProcessingException):
            self.error = str(error)
        else:
            self.error = f"{type(error).__name__}: {error}"
        self.details = traceback.format_exc()

    # ------------------------------------------------------------ worker thread

    def run(self) -> bool:
        if self.work is None:
            return True  # the work is done on the main thread, in finished()
        try:
            self.result = self.work(self)
            if self.isCanceled() or self.feedback.isCanceled():
                self.cancelled = True
                return False
            return True
        except Exception as error:  # noqa: BLE001 - reported on the main thread, never raised into Qt
            if self.isCanceled():
                self.cancelled = True
            else:
                self._fail(error)
            return False

    # ------------------------------------------------------------ main thread

    def finished(self, result: bool) -> None:  # noqa: D401 - Qt's virtual
        try:
            if result and self.main_thread_work is not None:
                try:
                    self.result = self.main_thread_work(self)
                except Exception as error:  # noqa: BLE001
                    self._fail(error)
                    result = False
            if self.details:
                QgsMessageLog.logMessage(self.details, LOG_TAG, Qgis.MessageLevel.Critical)
            if self.on_done is not None:
                self.on_done(self, bool(result) and self.error is None)
        except Exception:  # noqa: BLE001 - an exception here would abort QGIS
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)
        finally:
            cleanup, self.cleanup = self.cleanup, None
            if cleanup is not None:
                with contextlib.suppress(Exception):
                    cleanup()


def algorithm_task(
    algorithm_id: str,
    parameters: dict,
    on_done=None,
    description: str | None = None,
    before=None,
    configure=None,
    cleanup=None,
) -> JobTask:
    """A task running the Processing algorithm ``algorithm_id`` with ``parameters`` (the toolbox's code).

    ``task.result`` is the algorithm's result dict; a refusal (QgsProcessingException) is ``task.error``,
    with what the algorithm reported in ``task.feedback.errors``. ``configure(algorithm)`` runs first (main
    thread); ``before(task)`` runs in the task's thread before the algorithm (a shared workspace's snapshot);
    ``cleanup()`` runs when the task has ended, whatever the outcome (its temporary files removed)."""
    registry = QgsApplication.processingRegistry()
    algorithm = registry.createAlgorithmById(algorithm_id)
    if algorithm is None:  # the provider is not registered (a script, a test): the same class, unregistered
        from ..processing.provider import PROVIDER_ID, algorithm_classes

        name = algorithm_id.split(":", 1)[-1]
        if algorithm_id.startswith(PROVIDER_ID + ":"):
            algorithm = next((cls().create() for cls in algorithm_classes() if name == cls.NAME), None)
    if algorithm is None:
        raise QgsProcessingException(tr("The algorithm {id} is not available.").format(id=algorithm_id))
    if configure is not None:
        configure(algorithm)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    task = JobTask(description or algorithm.displayName(), on_done=on_done)
    task.cleanup = cleanup
    task.algorithm, task.context, task.parameters = algorithm, context, dict(parameters)
    feedback = task.feedback
    ok, problem = algorithm.checkParameterValues(task.parameters, context)
    if not ok:
        raise QgsProcessingException(problem)

    def prepare() -> None:
        if not algorithm.prepare(task.parameters, context, feedback):
            raise QgsProcessingException(
                "\n".join(feedback.errors) or tr("{name} could not start.").format(name=algorithm.displayName())
            )

    def post(results: dict) -> dict:
        results = dict(results or {})
        results.update(algorithm.postProcess(context, feedback) or {})
        return results

    if algorithm.flags() & NO_THREADING:

        def on_main(t):
            prepare()
            return post(algorithm.runPrepared(t.parameters, context, feedback))

        task.main_thread_work = on_main
        if before is not None:
            task.work = before  # in the task's thread; the algorithm then on the main thread
    else:
        prepare()  # on the main thread, like Processing's own task

        def work(t):
            if before is not None:
                before(t)
                if t.isCanceled():
                    return None
            return algorithm.runPrepared(t.parameters, context, feedback)

        task.work = work
        task.main_thread_work = lambda t: post(t.result)
    return task


def start(task: QgsTask) -> QgsTask:
    QgsApplication.taskManager().addTask(task)
    return task


class TaskRunner(QObject):
    """The one running job of a panel: its progress bar (0–100) and cancel button follow the task."""

    busy_changed = pyqtSignal(bool)

    def __init__(self, progress_bar=None, cancel_button=None, parent=None):
        super().__init__(parent)
        self.task: JobTask | None = None
        self.progress_bar = progress_bar
        self.cancel_button = cancel_button
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._update)
        if cancel_button is not None:
            cancel_button.clicked.connect(self.cancel)
            cancel_button.setEnabled(False)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(self, task: JobTask, on_done) -> bool:
        """Start ``task``; ``on_done(task, ok)`` on the main thread when it ends. False while another runs."""
        if self.task is not None:
            return False
        self.task = task

        def done(t, ok):
            if t is not self.task:
                return
            self.task = None
            self._poll.stop()
            if self.progress_bar is not None:
                self.progress_bar.setValue(100 if ok else 0)
            if self.cancel_button is not None:
                self.cancel_button.setEnabled(False)
            self.busy_changed.emit(False)
            on_done(t, ok)

        task.on_done = done
        if self.progress_bar is not None:
            self.progress_bar.setValue(0)
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(True)
        self.busy_changed.emit(True)
        start(task)
        self._poll.start()
        return True

    def _update(self) -> None:
        task = self.task
        if task is None or self.progress_bar is None:
            return
        with contextlib.suppress(RuntimeError):  # deleted by the task manager
            self.progress_bar.setValue(int(task.progress()))

    def cancel(self, *args) -> None:
        if self.task is not None:
            with contextlib.suppress(RuntimeError):
                self.task.cancel()

    def abandon(self) -> None:
        """Forget the running job (its panel goes away); it is cancelled."""
        task, self.task = self.task, None
        self._poll.stop()
        if task is not None:
            task.on_done = None
            with contextlib.suppress(RuntimeError):
                task.cancel()
