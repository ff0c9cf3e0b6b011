"""Counts of a workspace per level and township, for the demo, the dock and the filing metadata."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from . import schema
from .model import WorkspaceData

TOWNSHIP_DIGITS = 9
VILLAGE_DIGITS = 12


@dataclass
class TownshipCounts:
    code: str
    name: str
    grids: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 0: 0})
    households: int = 0


def township_names(data: WorkspaceData) -> dict[str, str]:
    return {
        str(row.get("town_code")): str(row.get("town_name") or "") for row in data.divisions if row.get("town_code")
    }


def counts_by_township(data: WorkspaceData) -> list[TownshipCounts]:
    """Active grids per level and level 3 households, per township (first 9 digits of the code)."""
    names = township_names(data)
    result: dict[str, TownshipCounts] = {}
    for layer_def in schema.GRID_LAYERS:
        grid = data.grids.get(layer_def.name)
        if grid is None or len(grid) == 0:
            continue
        active = grid.attribute("status", "active") != "retired"
        codes = grid.codes[active]
        townships = np.array([(c or "")[:TOWNSHIP_DIGITS] or "?" for c in codes], dtype=object)
        unique, counts = np.unique(townships.astype(str), return_counts=True)
        for township, count in zip(unique, counts):
            entry = result.setdefault(township, TownshipCounts(township, names.get(township, "")))
            entry.grids[layer_def.level] += int(count)
        if layer_def.level == 3:
            households = grid.attribute("households", 0)[active]
            totals = defaultdict(int)
            for township, value in zip(townships, households):
                totals[str(township)] += int(value or 0)
            for township, value in totals.items():
                result[township].households += value
    return [result[k] for k in sorted(result)]


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_summary(data: WorkspaceData) -> str:
    rows = counts_by_township(data)
    header = f"{pad('township 乡镇/街道', 24)}{'L1':>6}{'L2':>6}{'L3':>7}{'ded.':>6}{'households':>12}"
    lines = [f"{data.info.county_name} ({data.info.county_code}), {data.info.crs}", header, "-" * len(header)]
    total = TownshipCounts("", "")
    for row in rows:
        label = f"{row.code} {row.name}"
        lines.append(
            f"{pad(label, 24)}{row.grids[1]:>6}{row.grids[2]:>6}{row.grids[3]:>7}{row.grids[0]:>6}{row.households:>12,}"
        )
        for level in total.grids:
            total.grids[level] += row.grids[level]
        total.households += row.households
    lines.append("-" * len(header))
    lines.append(
        f"{pad('total 合计', 24)}{total.grids[1]:>6}{total.grids[2]:>6}{total.grids[3]:>7}{total.grids[0]:>6}{total.households:>12,}"
    )
    return "\n".join(lines)
