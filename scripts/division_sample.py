"""The sample county's parents, households, relocation sites and *generated* roads for the division benchmark
and the demo (test/bench-only code, not shipped with the plugin).

The sample workspace has no roads: :func:`generated_roads` draws two per village, each a straight line through
a household of the village at a random bearing, long enough to run out of the village on both sides (the
division clips them). They are generated, not surveyed — good for measuring how well boundaries follow the
lines, not a map of Hanbin's roads.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely


def households_xy(data):
    """(xy, households, persons) of the sample's household points (one household each)."""
    pts = data.households.points
    xy = shapely.get_coordinates(pts)
    persons = np.asarray(data.households.attributes.get("persons", np.zeros(len(xy))), dtype=np.int64)
    return xy, np.ones(len(xy), dtype=np.int64), persons


def parent_jobs(data, villages=None):
    """One :class:`ParentJob` per active level 2 grid (optionally only of the given village codes), with the
    area class most of its level 3 grids carry (else its village's urban-rural code)."""
    from plugin.core.division import ParentJob
    from plugin.core.workspace_audit import ur_classes

    l2, l3 = data.grid(2), data.grid(3)
    classes: dict[str, Counter] = {}
    for parent, cls in zip(l3.parent_codes, l3.attribute("area_class")):
        if parent and cls in ("rural", "urban"):
            classes.setdefault(parent, Counter())[cls] += 1
    ur = ur_classes(data.divisions)
    jobs = []
    for code, geom in zip(l2.codes, l2.geometries):
        if villages is not None and str(code)[:12] not in villages:
            continue
        counts = classes.get(code)
        if counts:
            cls = counts.most_common(1)[0][0]
        else:
            u = str(ur.get(str(code)[:12], ""))
            cls = "urban" if u.startswith("1") else "rural"
        jobs.append(ParentJob(str(code), geom, cls))
    return jobs


def relocation_sites(data, villages=None):
    """The sample's relocation-site level 3 grids, as site polygons."""
    l3 = data.grid(3)
    mask = np.asarray(l3.attribute("settlement_type")) == "relocation_site"
    if villages is not None:
        mask &= np.array([str(c)[:12] in villages for c in l3.codes], dtype=bool)
    return list(l3.geometries[mask])


def generated_roads(data, seed: int = 7, per_village: int = 2, villages=None):
    """Generated roads: ``per_village`` straight lines through households of each village (see module doc)."""
    rng = np.random.default_rng(seed)
    l1 = data.grid(1)
    xy, _, _ = households_xy(data)
    tree = shapely.STRtree(l1.geometries)
    pi, vi = tree.query(shapely.points(xy), predicate="within")
    roads = []
    for v in range(len(l1)):
        if villages is not None and str(l1.codes[v]) not in villages:
            continue
        mine = pi[vi == v]
        if len(mine) == 0:
            continue
        x0, y0, x1, y1 = shapely.bounds(l1.geometries[v])
        reach = float(np.hypot(x1 - x0, y1 - y0))
        for _ in range(per_village):
            c = xy[mine[rng.integers(len(mine))]] + rng.normal(0.0, 5.0, 2)
            a = rng.uniform(0.0, np.pi)
            d = np.array([np.cos(a), np.sin(a)])
            roads.append(shapely.LineString([c - d * reach, c + d * reach]))
    return roads
