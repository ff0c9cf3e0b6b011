"""The audit as a background QgsTask: grids read and audited in a worker thread, results back on the main thread.

The workspace is captured on the main thread first (:func:`plugin.adapters.audit_store.snapshot_workspace`:
thread-safe feature sources of the layers, edit buffers included); :meth:`AuditTask.run` reads the grids and
runs :func:`plugin.core.workspace_audit.audit_workspace` in QGIS's task thread, reporting progress with
``setProgress`` and polling ``isCanceled`` between the audit's stages. :meth:`AuditTask.finished` runs on the
main thread and hands the task to ``on_done(task, ok)``, which writes the findings into the workspace.
It is a :class:`~plugin.gui.task_runner.JobTask` (the task of every dock job) with its own ``run``.
"""

from __future__ import annotations

import traceback

from ..core.audit import AuditCancelled
from ..core.workspace_audit import audit_workspace
from ..i18n import tr
from .task_runner import LOG_TAG, JobTask

__all__ = ["LOG_TAG", "AuditTask"]
READ_SHARE = 0.1  # of the progress bar: reading the grids


class AuditTask(JobTask):
    """One audit run. After it ends: ``result`` (ok), ``cancelled`` or ``error`` (a message)."""

    def __init__(self, inputs, tolerances=None, on_done=None, description: str | None = None):
        super().__init__(description or tr("Grid audit"), on_done=on_done)
        self.inputs = inputs
        self.tolerances = tolerances
        self.data = None

    # ------------------------------------------------------------ worker thread

    def _progress(self, fraction: float, text: str) -> None:
        self.stage = text
        self.setProgress(100.0 * (READ_SHARE + (1.0 - READ_SHARE) * fraction))

    def run(self) -> bool:
        try:
            self.stage = tr("reading the grids")
            self.setProgress(1.0)
            data = self.inputs.read(feedback=self)
            if self.isCanceled():
                self.cancelled = True
                return False
            self.setProgress(100.0 * READ_SHARE)
            level3 = data.grid(3)
            check_sizes = bool(len(level3)) and bool({"households", "population"} & set(level3.attributes))
            result = audit_workspace(
                data,
                self.tolerances,
                self.inputs.size_rules,
                self._progress,
                self.isCanceled,
                self.inputs.exceptions,
                check_sizes=check_sizes,
                check_staffing=True,
            )
            if self.isCanceled():
                self.cancelled = True
                return False
            self.data, self.result = data, result
            return True
        except AuditCancelled:
            self.cancelled = True
            return False
        except Exception as error:  # noqa: BLE001 - reported on the main thread, never raised into Qt
            self.error = f"{type(error).__name__}: {error}"
            self.details = traceback.format_exc()
            return False
