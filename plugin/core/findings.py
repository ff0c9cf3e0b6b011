"""Audit findings: what every rule (topology, codes, size, staffing) reports.

A finding names its rule, severity, layer, the grids involved, where (a shapely geometry in the
workspace CRS), how much (a measure in m² or m, or a count) and why, in Chinese and English.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

import shapely


class Severity(str, Enum):
    ERROR = "error"  # blocks filing
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """A rule of the audit: its id, default severity, the standard's clause and its descriptions."""

    id: str
    severity: Severity
    clause: str
    title_zh: str
    title_en: str


@dataclass
class Finding:
    rule_id: str
    severity: Severity
    layer: str
    codes: tuple[str, ...]
    fids: tuple[int, ...]
    geometry: object | None  # shapely geometry or None (e.g. a missing geometry)
    measure: float | None
    unit: str  # "m2", "m", "households", "persons", "" …
    message_zh: str
    message_en: str
    location: tuple[float, float] | None = None  # a precise point, e.g. GEOS's self-intersection
    accepted: bool = False
    accepted_reason: str = ""
    key: str = ""  # tells apart findings of one rule on the same grids without geometry (a row, a field)
    extra: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable across runs while the finding's rule, grids and location geometry are unchanged.

        Accepted exceptions are matched by this value: any change of the geometry gives a new
        fingerprint, so an acceptance lapses when the grid is edited.
        """
        digest = hashlib.sha1()
        digest.update(self.rule_id.encode())
        digest.update(b"|" + self.layer.encode())
        digest.update(b"|" + ",".join(sorted(c or "" for c in self.codes)).encode())
        digest.update(b"|" + self.key.encode())
        if self.geometry is not None and not shapely.is_empty(self.geometry):
            normal = shapely.normalize(shapely.set_precision(self.geometry, 0.001, mode="pointwise"))
            digest.update(b"|" + shapely.to_wkb(normal))
        return digest.hexdigest()[:40]

    def to_json(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "layer": self.layer,
            "codes": list(self.codes),
            "feature_ids": [int(f) for f in self.fids],
            "measure": self.measure,
            "unit": self.unit,
            "location": list(self.location) if self.location else None,
            "geometry_wkt": None if self.geometry is None else shapely.to_wkt(self.geometry, rounding_precision=3),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "fingerprint": self.fingerprint,
            "accepted": self.accepted,
            "accepted_reason": self.accepted_reason,
        }
