"""The audit engine: topology, nesting, coverage and code rules on a workspace's grids.

Pure Python on shapely 2 and numpy (no qgis or Qt import). Entry points::

    result = run_audit(data, Tolerances(), progress=callback, is_cancelled=task.isCanceled)
    lapsed = apply_exceptions(result.findings, {fingerprint: reason})
    write_json(result, "audit.json"); write_html(result, "audit.html", divisions=data.divisions)

``RULES`` is the rule catalogue (id, severity, clause, titles) for reports and the GUI.
"""

from .engine import AuditCancelled, AuditResult, run_audit
from .exceptions import apply_exceptions
from .report import write_html, write_json
from .rules import RULE_BY_ID, RULES
from .tolerances import Tolerances

__all__ = [
    "RULES",
    "RULE_BY_ID",
    "AuditCancelled",
    "AuditResult",
    "Tolerances",
    "apply_exceptions",
    "run_audit",
    "write_html",
    "write_json",
]
