"""Accepted exceptions: findings a planner has accepted, matched by fingerprint.

A fingerprint (:attr:`plugin.core.findings.Finding.fingerprint`) hashes the rule, layer, grid codes and the
finding's geometry (rounded to 1 mm). It stays the same from run to run while the grids are unchanged; any
edit of the geometry gives a new fingerprint, so the acceptance lapses and the finding shows again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..findings import Finding


def apply_exceptions(findings: Iterable[Finding], exceptions: Mapping[str, str]) -> list[str]:
    """Mark the findings whose fingerprint is in ``exceptions`` ({fingerprint: reason}) as accepted (and
    clear the mark on the others). Returns the fingerprints that matched no finding: lapsed acceptances."""
    matched: set[str] = set()
    for finding in findings:
        fp = finding.fingerprint
        if fp in exceptions:
            finding.accepted = True
            finding.accepted_reason = str(exceptions[fp] or "")
            matched.add(fp)
        else:
            finding.accepted = False
            finding.accepted_reason = ""
    return [fp for fp in exceptions if fp not in matched]
