"""The county's size rules (§7.3.3 thresholds), kept in the workspace's ``size_rules`` table.

:func:`load_rules` reads them (the standard's defaults when the table is empty); :func:`save_rules`
validates a rule set with :func:`core.sizerules.validate_rules` and, only when it is valid, replaces the
table's rows in one transaction. A refused set raises :class:`RulesError` listing every problem, by rule
and field, in the user's language; the table is then left unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core import schema, sizerules
from ..core.sizerules import SizeRule, SizeRuleError, SizeRuleProblem
from ..i18n import tr
from .messages import localized
from .table_store import TableStoreError, read_rows, write_rows

TABLE = schema.SIZE_RULES.name


class RulesError(Exception):
    """Size rules that cannot be loaded or saved; ``problems`` lists each (rule id, field, message)."""

    def __init__(self, message: str, problems: list[SizeRuleProblem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


def problem_text(problem: SizeRuleProblem) -> str:
    """One problem as a line: the rule, the field (by its alias) and what is wrong."""
    try:
        field_def = schema.SIZE_RULES.field(problem.field)
        label = localized(field_def.alias_zh, field_def.alias_en)
    except KeyError:
        label = problem.field
    return tr("Rule {rule}, {field}: {message}").format(
        rule=problem.rule_id, field=label, message=localized(problem.message_zh, problem.message_en)
    )


def workspace_path(workspace) -> Path:
    """The GeoPackage of a workspace given as a Workspace, a path or a path string."""
    path = getattr(workspace, "path", workspace)
    return Path(os.fspath(path))


def load_rules(workspace) -> list[SizeRule]:
    """The workspace's size rules, in table order; the standard's defaults when the table is empty."""
    if getattr(workspace, "store", "") == "postgis":  # a PostGIS workspace: read through its layer
        from .layer_edits import read_rows as read_layer_rows

        path = workspace.path
        rows = read_layer_rows(workspace.layers[TABLE])
    else:
        path = workspace_path(workspace)
        try:
            rows = read_rows(path, TABLE)
        except TableStoreError as error:
            raise RulesError(str(error)) from error
    if not rows:
        return sizerules.default_rules()
    for row in rows:
        row.pop("fid", None)
    try:
        return sizerules.from_rows(rows)
    except SizeRuleError as error:
        raise RulesError(
            tr("The size rules stored in {path} cannot be used:").format(path=path)
            + "\n"
            + "\n".join(problem_text(p) for p in error.problems),
            error.problems,
        ) from error


def save_rules(workspace, rules: list[SizeRule]) -> None:
    """Validate ``rules`` and replace the workspace's size rules with them, atomically."""
    rules = list(rules)
    path = workspace_path(workspace)
    problems = sizerules.validate_rules(rules)
    if not rules:
        problems = [
            SizeRuleProblem(
                "—", "id", "规则表不能为空（可恢复为标准默认值）", "the rule set is empty (restore the defaults)"
            )
        ]
    if problems:
        raise RulesError(
            tr("The size rules were not saved:") + "\n" + "\n".join(problem_text(p) for p in problems), problems
        )
    layer = getattr(workspace, "layers", {}).get(TABLE)
    if layer is not None and layer.isModified():
        raise RulesError(
            tr("Layer {layer} has unsaved edits; save or discard them before saving the size rules.").format(
                layer=layer.name()
            )
        )
    try:
        write_rows(path, TABLE, sizerules.to_rows(rules), replace=True)
    except TableStoreError as error:
        raise RulesError(str(error)) from error
    if layer is not None:
        layer.reload()
        layer.triggerRepaint()
