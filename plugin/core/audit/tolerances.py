"""Tolerances of the audit, in metres and square metres of the workspace CRS.

How a piece of geometry found by a rule (a gap, an overlap, a part of a grid outside its parent or the
county) is judged:

* **noise** — area at most ``noise_area`` (1e-6 m²) or thinner than ``noise_width`` (0.1 mm: a negative
  buffer of half that width leaves nothing). Such pieces come from floating-point rounding of shared
  boundaries and are never reported.
* **sliver** — not noise, but area below ``sliver_area`` (1 m²). Reported under the sliver rules (warnings),
  apart from real gaps and overlaps: they are usually digitising slips along a shared boundary.
* **real** — anything larger, whatever its shape: reported under the gap / overlap / outside rules (errors;
  §7.1 无缝隙、不交叉). A real piece thinner than ``sliver_width`` (0.5 m, the same negative-buffer test) is
  labelled strip-shaped in its message (``extra["shape"] == "strip"``): a long strip along a shared boundary
  is still a gap or overlap the planner must fix, with the fix helper.

Grids themselves: a grid smaller than ``tiny_grid_area`` (50 m², less than a small building) is "tiny";
a grid thinner than ``thin_grid_width`` (1 m) is "thin" (a strip left over from editing).

One grid inside another (and duplicates) is told from a partial overlap by ``covers``, or by areas equal up
to ``noise_area`` plus the 1 µm snap-rounding every overlay of the audit uses (see ``_geom.GRID_SIZE``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Tolerances:
    noise_area: float = 1e-6  # m²: pieces this small are floating-point noise, never reported
    noise_width: float = 1e-4  # m: pieces thinner than this are noise whatever their area
    sliver_area: float = 1.0  # m²: smaller pieces are slivers (warnings), larger ones errors
    sliver_width: float = 0.5  # m: thinner real pieces are labelled strip-shaped
    tiny_grid_area: float = 50.0  # m²: smaller grids are tiny
    thin_grid_width: float = 1.0  # m: thinner grids are thin

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value >= 0:
                raise ValueError(f"tolerance {name} must be a non-negative number, not {value!r}")
        if self.sliver_area < self.noise_area or self.sliver_width < self.noise_width:
            raise ValueError("sliver thresholds must not be below the noise thresholds")

    def to_json(self) -> dict:
        return asdict(self)
