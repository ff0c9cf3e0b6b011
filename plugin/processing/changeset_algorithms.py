"""Processing algorithms for change requests (§7.6) on GeoPackage workspaces: the same code as the API
(``adapters.changeset_package``) underneath.

* ``propose_change_set`` — a township: its edited copy against the county's workspace → change-set package;
* ``review_change_set`` — the county: audit of the workspace with the set applied;
* ``approve_change_set`` — the county: approve with the approval reference (批复文号), one transaction;
* ``reject_change_set`` — the county: reject with a reason (the workspace is not touched).
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..adapters.package_io import PackageError
from ..adapters.workspace import WorkspaceError
from ..core.changesets import ChangeSetError
from ..i18n import prefers_chinese, tr
from .base import GridAlgorithm

GROUP_ID = "changes"
GROUP = "Change requests"


def _file(name: str, label: str) -> QgsProcessingParameterFile:
    return QgsProcessingParameterFile(
        name, label, QgsProcessingParameterFile.Behavior.File, "gpkg", fileFilter=tr("GeoPackage (*.gpkg)")
    )


def _fail(error: Exception):
    from ..adapters.changeset_package import translate
    from ..adapters.gpkg_write import WriteError

    if isinstance(error, ChangeSetError):
        raise QgsProcessingException(translate(error)) from error
    if isinstance(error, (PackageError, WorkspaceError, WriteError)):
        raise QgsProcessingException(str(error)) from error
    raise error


def _user(parameters, algorithm, context, key) -> str:
    from ..adapters.filing import current_user

    return (algorithm.parameterAsString(parameters, key, context) or "").strip() or current_user()


class ProposeChangeSet(GridAlgorithm):
    NAME = "propose_change_set"
    DISPLAY = "Propose a change set (township)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "A township's written application for a change of its grids (§7.6): compares its edited copy of the "
        "county's workspace with the workspace as it got it and writes a change-set package (GeoPackage) with what "
        "changes (every added, modified or retired grid with its values and geometry before and after), why and "
        "who. Only the township's own grids may change; an edit to another township's grid is refused."
    )
    BASE = "BASE"
    EDITED = "EDITED"
    TOWNSHIP = "TOWNSHIP"
    REASON = "REASON"
    TITLE = "TITLE"
    USER = "USER"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"
    SET_ID = "SET_ID"
    ITEMS = "ITEMS"

    def initAlgorithm(self, config=None):
        self.addParameter(_file(self.BASE, tr("County workspace as received")))
        self.addParameter(_file(self.EDITED, tr("Township's edited workspace")))
        self.addParameter(QgsProcessingParameterString(self.TOWNSHIP, tr("Township code (9 digits)")))
        self.addParameter(QgsProcessingParameterString(self.REASON, tr("Reason for the change"), multiLine=True))
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.USER, tr("Proposed by"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace an existing file"), False))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("Change-set package"), tr("GeoPackage (*.gpkg)"))
        )
        self.addOutput(QgsProcessingOutputString(self.SET_ID, tr("Change request id")))
        self.addOutput(QgsProcessingOutputNumber(self.ITEMS, tr("Grids changed")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.changeset_package import propose_package

        try:
            path, cs = propose_package(
                self.parameterAsFile(parameters, self.BASE, context),
                self.parameterAsFile(parameters, self.EDITED, context),
                self.parameterAsFileOutput(parameters, self.OUTPUT, context),
                self.parameterAsString(parameters, self.TOWNSHIP, context),
                self.parameterAsString(parameters, self.REASON, context),
                title=self.parameterAsString(parameters, self.TITLE, context) or "",
                proposed_by=_user(parameters, self, context, self.USER),
                overwrite=self.parameterAsBool(parameters, self.OVERWRITE, context),
            )
        except Exception as error:  # noqa: BLE001 - _fail re-raises what it does not know
            _fail(error)
        feedback.pushInfo(cs.application if prefers_chinese() else _english(cs))
        return {self.OUTPUT: str(path), self.SET_ID: cs.set_id, self.ITEMS: len(cs.items)}


def _english(cs) -> str:
    from ..core.changesets import application_text

    return application_text(cs, "en")


class ReviewChangeSet(GridAlgorithm):
    NAME = "review_change_set"
    DISPLAY = "Review a change set (county)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "The county's review of a township's change-set package: checks that the grids it changes are as they were "
        "when it was made, and audits the workspace as it would be with the change applied (topology, nesting, "
        "coverage, codes, sizes); lists the findings the change brings. Nothing is written."
    )
    WORKSPACE = "WORKSPACE"
    PACKAGE = "PACKAGE"
    FINDINGS = "FINDINGS"
    NEW_FINDINGS = "NEW_FINDINGS"

    def initAlgorithm(self, config=None):
        self.addParameter(_file(self.WORKSPACE, tr("County workspace")))
        self.addParameter(_file(self.PACKAGE, tr("Change-set package")))
        self.addOutput(QgsProcessingOutputNumber(self.FINDINGS, tr("Findings with the change")))
        self.addOutput(QgsProcessingOutputNumber(self.NEW_FINDINGS, tr("Findings the change brings")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.changeset_package import review_package

        try:
            review = review_package(
                self.parameterAsFile(parameters, self.WORKSPACE, context),
                self.parameterAsFile(parameters, self.PACKAGE, context),
            )
        except Exception as error:  # noqa: BLE001
            _fail(error)
        zh = prefers_chinese()
        feedback.pushInfo(review.change_set.application if zh else _english(review.change_set))
        for finding in review.new_findings:
            text = finding.message_zh if zh else finding.message_en
            (feedback.reportError if finding.severity.value == "error" else feedback.pushWarning)(text)
        feedback.pushInfo(
            tr("{count} finding(s) with the change, {new} of them brought by it.").format(
                count=len(review.findings), new=len(review.new_findings)
            )
        )
        return {self.FINDINGS: len(review.findings), self.NEW_FINDINGS: len(review.new_findings)}


class ApproveChangeSet(GridAlgorithm):
    NAME = "approve_change_set"
    DISPLAY = "Approve a change set (county)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Approves a township's change-set package with the approval reference (批复文号): in one transaction the "
        "grids change, the change log records every change with the reference (the 7-day filing clock of §7.5 "
        "starts now) and the code registry issues and retires codes; the decision is written back into the "
        "package. A change set whose grids were changed since it was made is refused, nothing written."
    )
    WORKSPACE = "WORKSPACE"
    PACKAGE = "PACKAGE"
    REFERENCE = "REFERENCE"
    USER = "USER"
    DEADLINE = "DEADLINE"
    CHANGES = "CHANGES"

    def initAlgorithm(self, config=None):
        self.addParameter(_file(self.WORKSPACE, tr("County workspace")))
        self.addParameter(_file(self.PACKAGE, tr("Change-set package")))
        self.addParameter(QgsProcessingParameterString(self.REFERENCE, tr("Approval reference (批复文号)")))
        self.addParameter(QgsProcessingParameterString(self.USER, tr("Approved by"), optional=True))
        self.addOutput(QgsProcessingOutputString(self.DEADLINE, tr("File with the city by")))
        self.addOutput(QgsProcessingOutputNumber(self.CHANGES, tr("Change log records")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.changeset_package import approve_package

        try:
            decision = approve_package(
                self.parameterAsFile(parameters, self.WORKSPACE, context),
                self.parameterAsFile(parameters, self.PACKAGE, context),
                self.parameterAsString(parameters, self.REFERENCE, context),
                decided_by=_user(parameters, self, context, self.USER),
            )
        except Exception as error:  # noqa: BLE001
            _fail(error)
        cs = decision.change_set
        feedback.pushInfo(cs.status_message("zh" if prefers_chinese() else "en"))
        deadline = cs.filing_deadline().isoformat()
        return {self.DEADLINE: deadline, self.CHANGES: decision.change_log}


class RejectChangeSet(GridAlgorithm):
    NAME = "reject_change_set"
    DISPLAY = "Reject a change set (county)"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Rejects a township's change-set package with a reason. The decision is written into the package for the "
        "township; the county's workspace is not changed."
    )
    WORKSPACE = "WORKSPACE"
    PACKAGE = "PACKAGE"
    REASON = "REASON"
    USER = "USER"
    STATUS = "STATUS"

    def initAlgorithm(self, config=None):
        self.addParameter(_file(self.WORKSPACE, tr("County workspace")))
        self.addParameter(_file(self.PACKAGE, tr("Change-set package")))
        self.addParameter(QgsProcessingParameterString(self.REASON, tr("Reason for rejection"), multiLine=True))
        self.addParameter(QgsProcessingParameterString(self.USER, tr("Rejected by"), optional=True))
        self.addOutput(QgsProcessingOutputString(self.STATUS, tr("Status")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters.changeset_package import reject_package

        try:
            decision = reject_package(
                self.parameterAsFile(parameters, self.WORKSPACE, context),
                self.parameterAsFile(parameters, self.PACKAGE, context),
                self.parameterAsString(parameters, self.REASON, context),
                decided_by=_user(parameters, self, context, self.USER),
            )
        except Exception as error:  # noqa: BLE001
            _fail(error)
        feedback.pushInfo(decision.change_set.status_message("zh" if prefers_chinese() else "en"))
        return {self.STATUS: decision.change_set.status}
