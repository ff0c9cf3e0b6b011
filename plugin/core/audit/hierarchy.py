"""Nesting and coverage: children inside the parent their ``parent_code`` names, parents covered by children.

For a child layer (level 2, level 3 or dedicated) and its parent layer (level 1, level 2, level 1):

1. each child's named parent is looked up by code (sorted arrays, ``searchsorted``), and one vectorised
   ``covers(parent, child)`` call settles the common case: the child lies in its named parent;
2. only the other children (the "problem" children, few) are queried in an STRtree of the parents; the
   intersections with every parent they meet are computed in one call and classified (noise / sliver /
   real), which gives ``parent.unknown``, ``parent.split``, ``parent.mismatch``, ``parent.outside`` and
   ``parent.sliver``;
3. gaps (comprehensive levels only): the area of the children lying in each parent is summed with
   ``np.bincount``; a parent needs geometric work only if that sum falls short of its area, or a problem
   child or an overlap touches it. For those parents only, gap = parent − union(children meeting it), split
   into parts, each classified: real gaps (``gap``) and slivers (``gap.sliver``) are reported apart, noise
   never. Gaps are found wherever they are, including notches opening onto the parent's boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from . import _geom, chains
from ._collect import LEVEL_EN, LEVEL_ZH, Collector, fmt_area, strip_note
from .layers import LayerState
from .overlaps import OverlapPairs
from .tolerances import Tolerances


@dataclass
class Nesting:
    """What the nesting stage learnt: for each usable child, the geometry of the parent it should lie in."""

    parent_geom: np.ndarray  # object array aligned with the child's usable arrays (None if unknown)
    # per usable parent: exactly covered by children that lie in it and overlap nothing (None: not known)
    certified: np.ndarray | None = None


def _lookup(sorted_codes: np.ndarray, order: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index (into the unsorted array) of the first parent with each wanted code, or -1."""
    if len(sorted_codes) == 0 or len(wanted) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    key = np.array([w if isinstance(w, str) else "" for w in wanted], dtype=object)
    pos = np.searchsorted(sorted_codes, key)
    pos_c = np.minimum(pos, len(sorted_codes) - 1)
    hit = (pos < len(sorted_codes)) & (sorted_codes[pos_c] == key) & (key != "")
    return np.where(hit, order[pos_c], -1)


def named_parents(child: LayerState, parent: LayerState) -> tuple[np.ndarray, np.ndarray]:
    """For each usable child, the usable parent its parent code names (−1: none), and per usable parent
    whether its code is its own (non-empty, held by no other usable parent)."""
    pkeys = np.array([c if isinstance(c, str) else "" for c in parent.codes], dtype=object)
    order = np.argsort(pkeys, kind="stable")
    named = _lookup(pkeys[order], order, child.parent_codes)
    unique = pkeys != ""
    if len(pkeys):
        _values, inverse, counts = np.unique(pkeys, return_inverse=True, return_counts=True)
        unique &= counts[inverse] == 1
    return named, unique


def tiled_parents(child: LayerState, parent: LayerState, child_sketch, parent_sketch) -> np.ndarray:
    """Per usable parent: True when the usable children naming it tile it exactly (shared edges,
    :mod:`.chains`): they lie inside it, overlap nothing among themselves and leave no gap."""
    named, unique = named_parents(child, parent)
    return chains.certify_parents(child_sketch, named, parent_sketch, unique)


def check_nesting(
    child: LayerState,
    parent: LayerState,
    child_overlaps: OverlapPairs,
    tol: Tolerances,
    pool: _geom.Pool,
    out: Collector,
    *,
    gaps: bool,
    other_layers: tuple[LayerState, ...] = (),
    tiled: np.ndarray | None = None,
) -> Nesting:
    """Nesting of ``child`` in ``parent``. ``other_layers`` (grids of the other levels) tell what a parent code
    naming no grid of the parent layer names instead (e.g. a dedicated grid naming its level 2 section).
    ``tiled`` (per usable parent, :func:`tiled_parents`) marks parents exactly tiled by the children naming
    them: those children lie in them and they have no gap, with no geometric test."""
    cg, ccodes, cpcodes, cfids = child.geoms, child.codes, child.parent_codes, child.fids
    pg, pcodes, pfids = parent.geoms, parent.codes, parent.fids
    nc, np_ = len(cg), len(pg)
    parent_geom = np.full(nc, None, dtype=object)
    if nc == 0:
        return Nesting(parent_geom)
    clz, cle = LEVEL_ZH[child.level], LEVEL_EN[child.level]
    plz, ple = LEVEL_ZH[parent.level], LEVEL_EN[parent.level]
    dedicated = child.level == 0

    # ---- 1. named parents
    pkeys = np.array([c if isinstance(c, str) else "" for c in pcodes], dtype=object)
    order = np.argsort(pkeys, kind="stable")
    named = _lookup(pkeys[order], order, cpcodes)
    unusable_codes = parent.grids.codes[~parent.usable]
    unusable_codes = np.array(sorted({c for c in unusable_codes if isinstance(c, str) and c}), dtype=object)
    names_bad_parent = (named < 0) & (_lookup(unusable_codes, np.arange(len(unusable_codes)), cpcodes) >= 0)
    code_count = {}
    if np_:
        values, counts = np.unique(pkeys, return_counts=True)
        code_count = {v: int(c) for v, c in zip(values, counts) if c > 1 and v}

    covered = np.zeros(nc, dtype=bool)
    if tiled is not None:
        covered[named >= 0] = tiled[named[named >= 0]]
    fast = np.flatnonzero((named >= 0) & ~covered)
    if len(fast):
        covered[fast] = pool.chunked(shapely.covers, pg[named[fast]], cg[fast])
    parent_geom[covered] = pg[named[covered]]
    problem = np.flatnonzero(~covered & ~names_bad_parent)

    # ---- 2. problem children against every parent they meet
    tree_p = shapely.STRtree(pg) if np_ else None
    if len(problem) and np_:
        qi, pj = tree_p.query(cg[problem], predicate="intersects")
        ci = problem[qi]
        inter = _geom.intersection(cg[ci], pg[pj])
        ia = shapely.area(inter)
        keep = ia > tol.noise_area
        ci, pj, inter, ia = ci[keep], pj[keep], inter[keep], ia[keep]
        cls = _geom.classify(inter, tol, ia)
        keep = cls != _geom.NOISE
        ci, pj, inter, ia, cls = ci[keep], pj[keep], inter[keep], ia[keep], cls[keep]
        # a strip along a parent's edge does not make the grid lie in that parent (parent.outside tells it)
        held = cls == _geom.REAL
        held[held] = ~_geom.strip_shaped(inter[held], tol)
    else:
        ci = pj = np.zeros(0, dtype=np.int64)
        ia = np.zeros(0)
        cls = np.zeros(0, dtype=np.int8)
        held = np.zeros(0, dtype=bool)
    by_child: dict[int, list[int]] = {}
    for k in np.argsort(-ia, kind="stable"):
        by_child.setdefault(int(ci[k]), []).append(int(k))

    # what of each problem child lies outside its named parent (any parent of that code, if duplicated)
    with_parent = problem[named[problem] >= 0]
    slot = np.full(nc, -1, dtype=np.int64)
    slot[with_parent] = np.arange(len(with_parent))
    containers = pg[named[with_parent]].copy()
    for t, c in enumerate(with_parent):
        if code_count.get(cpcodes[c], 1) > 1:
            containers[t] = _geom.union_all(pg[pkeys == cpcodes[c]])
    rest = _geom.difference(cg[with_parent], containers)
    parts, index, pcls, parea_out = _geom.split_pieces(rest, tol)
    real_outside = np.bincount(index[pcls == _geom.REAL], minlength=len(with_parent)) > 0
    report_outside = np.zeros(len(with_parent), dtype=bool)

    other_level = np.full(nc, -1, dtype=np.int64)
    nameless = problem[named[problem] < 0]
    other_level[nameless] = _levels_of(cpcodes[nameless], other_layers)
    for c in problem:
        c = int(c)
        hits = by_child.get(c, [])
        sig, sig_codes = [], []
        for k in hits:  # parents holding a real part (not noise, sliver or strip), largest first, one per code
            if held[k] and pcodes[pj[k]] not in sig_codes:
                sig.append(k)
                sig_codes.append(pcodes[pj[k]])
        named_code = cpcodes[c]
        g_zh, g_en = _label(ccodes[c], cfids[c]), _label_en(ccodes[c], cfids[c])
        spatial = pcodes[pj[sig[0]]] if sig else None
        if named[c] < 0:
            parent_geom[c] = pg[pj[sig[0]]] if len(sig) == 1 else None
            hint_zh = f"（其位置在{plz} {_label(spatial, pfids[pj[sig[0]]])} 内）" if len(sig) == 1 else ""
            hint_en = f" (it lies in {ple} {_label_en(spatial, pfids[pj[sig[0]]])})" if len(sig) == 1 else ""
            if not (isinstance(named_code, str) and named_code.strip()):
                zh = f"{clz} {g_zh} 未填写上级网格编码{hint_zh}。"
                en = f"{cle.capitalize()} {g_en} has no parent code{hint_en}."
            elif named_code in parent.retired_codes:
                zh = f"{clz} {g_zh} 的上级网格编码 {named_code} 指向已撤销的{plz}{hint_zh}。"
                en = f"{cle.capitalize()} {g_en} names parent {named_code}, a retired {ple}{hint_en}."
            elif (other := other_level[c]) >= 0:
                olz, ole = LEVEL_ZH[other], LEVEL_EN[other]
                zh = (
                    f"{clz} {g_zh} 的上级网格编码 {named_code} 是{olz}的编码；{clz}的上级网格编码应为{plz}编码"
                    f"{hint_zh}。"
                )
                en = (
                    f"{cle.capitalize()} {g_en} names parent {named_code}, which is a {ole}: the parent code of a "
                    f"{cle} must be a {ple} code{hint_en}."
                )
                out.add(
                    "parent.unknown",
                    child.layer,
                    [ccodes[c], named_code],
                    [cfids[c]],
                    cg[c],
                    None,
                    "",
                    zh,
                    en,
                    named_level=int(other),
                    expected_level=int(parent.level),
                    suggested_parent=spatial if len(sig) == 1 else None,
                )
                continue
            else:
                zh = f"{clz} {g_zh} 的上级网格编码 {named_code} 不存在{hint_zh}。"
                en = f"{cle.capitalize()} {g_en} names parent {named_code}, which does not exist{hint_en}."
            out.add("parent.unknown", child.layer, [ccodes[c], named_code], [cfids[c]], cg[c], None, "", zh, en)
            continue
        parent_geom[c] = pg[named[c]]
        if not real_outside[slot[c]]:
            # inside its named parent but for noise or slivers: other parents overlapping it are their business
            report_outside[slot[c]] = True
        elif len(sig) >= 2:
            listing_zh = "、".join(
                f"{_label(sig_codes[t], pfids[pj[k]])}（{fmt_area(ia[k])} 平方米）" for t, k in enumerate(sig)
            )
            listing_en = ", ".join(
                f"{_label_en(sig_codes[t], pfids[pj[k]])} ({fmt_area(ia[k])} m²)" for t, k in enumerate(sig)
            )
            elsewhere = float(sum(ia[k] for k in sig if pcodes[pj[k]] != named_code))
            what_zh = "；专属网格应位于且仅位于一个村/社区内" if dedicated else ""
            what_en = "; a dedicated grid must lie in exactly one village or community" if dedicated else ""
            out.add(
                "parent.split",
                child.layer,
                [ccodes[c], *sig_codes],
                [cfids[c]],
                cg[c],
                elsewhere,
                "m2",
                f"{clz} {g_zh} 跨越 {len(sig)} 个{plz}：{listing_zh}{what_zh}。",
                f"{cle.capitalize()} {g_en} is spread over {len(sig)} {ple}s: {listing_en}{what_en}.",
                parents=list(sig_codes),
            )
        elif len(sig) == 1 and sig_codes[0] != named_code:
            share = 100.0 * ia[sig[0]] / max(shapely.area(cg[c]), 1e-300)
            out.add(
                "parent.mismatch",
                child.layer,
                [ccodes[c], named_code, sig_codes[0]],
                [cfids[c]],
                cg[c],
                ia[sig[0]],
                "m2",
                f"{clz} {g_zh} 的上级网格编码为 {named_code}，但其 {share:.0f}% 的面积位于{plz} "
                f"{_label(sig_codes[0], pfids[pj[sig[0]]])} 内。",
                f"{cle.capitalize()} {g_en} names parent {named_code}, but {share:.0f}% of its area lies in "
                f"{ple} {_label_en(sig_codes[0], pfids[pj[sig[0]]])}.",
            )
        else:
            report_outside[slot[c]] = True

    strip_zh, strip_en = strip_note(tol)
    real_parts = pcls == _geom.REAL
    wide = ~_geom.strip_shaped(parts[real_parts], tol)
    outside_strip = np.bincount(index[real_parts][wide], minlength=len(with_parent)) == 0
    for kind, rule in ((_geom.REAL, "parent.outside"), (_geom.SLIVER, "parent.sliver")):
        sel = pcls == kind
        merged = _geom.merge_by(parts[sel], index[sel], len(with_parent))
        total = np.bincount(index[sel], weights=parea_out[sel], minlength=len(with_parent))
        for t in np.flatnonzero((total > 0) & report_outside):
            c = with_parent[t]
            g_zh, g_en = _label(ccodes[c], cfids[c]), _label_en(ccodes[c], cfids[c])
            pn = cpcodes[c]
            sz, se = (strip_zh, strip_en) if rule == "parent.outside" and outside_strip[t] else ("", "")
            extra = {"shape": "strip" if sz else "area"} if rule == "parent.outside" else {}
            if rule == "parent.outside" and dedicated:
                zh = f"专属网格 {g_zh} 有 {fmt_area(total[t])} 平方米不在其所属村/社区 {pn} 内{sz}。"
                en = f"Dedicated grid {g_en} has {fmt_area(total[t])} m² outside its village or community {pn}{se}."
            elif rule == "parent.outside":
                zh = f"{clz} {g_zh} 有 {fmt_area(total[t])} 平方米超出其上级网格 {pn}{sz}。"
                en = f"{cle.capitalize()} {g_en} extends {fmt_area(total[t])} m² beyond its parent grid {pn}{se}."
            else:
                zh = f"{clz} {g_zh} 沿边界以狭长碎片超出其上级网格 {pn}，面积 {fmt_area(total[t])} 平方米。"
                en = (
                    f"{cle.capitalize()} {g_en} extends beyond its parent grid {pn} in a sliver of "
                    f"{fmt_area(total[t])} m²."
                )
            out.add(rule, child.layer, [ccodes[c], pn], [cfids[c]], merged[t], total[t], "m2", zh, en, **extra)

    if not gaps or np_ == 0:
        return Nesting(parent_geom)

    # ---- 3. gaps: area sums first, geometry only where they do not add up
    carea = child.areas
    parea = parent.areas
    good = np.flatnonzero(covered)
    covered_sum = np.bincount(named[good], weights=carea[good], minlength=np_)
    need = parea - covered_sum > 0.5 * tol.noise_area
    need[pj] = True  # parents met by a problem child
    involved = child_overlaps.involved()
    involved = involved[covered[involved]]
    need[named[involved]] = True
    if len(unusable := child.bad_geoms):
        # parents holding an invalid child: their gaps near it are muted below, others still reported
        need[np.unique(tree_p.query(unusable)[1])] = True
    if tiled is not None:
        need &= ~tiled  # tiled exactly by their own children: no gap, whatever else meets them
    certified = ~need
    todo = np.flatnonzero(need)
    if len(todo) == 0:
        return Nesting(parent_geom, certified)
    # gap = parent − union(children meeting it), in two steps: the children naming the parent first (few, in
    # one vectorised union per thread), then whatever other child still meets what is left
    slot = np.full(np_, -1, dtype=np.int64)
    slot[todo] = np.arange(len(todo))
    mine = np.flatnonzero((named >= 0) & (slot[np.maximum(named, 0)] >= 0))
    # what its own children leave of a parent lies inside the box of their left-over edges: the overlay is
    # cut down to that box (with a margin), and only the children meeting it take part
    boxes = chains.residual_boxes(pg[todo], cg[mine], slot[named[mine]])
    boxes[:, :2] -= _BOX_MARGIN
    boxes[:, 2:] += _BOX_MARGIN
    open_ = ~np.isnan(boxes[:, 0])
    gap = np.array([shapely.Polygon()] * len(todo), dtype=object)  # nothing left over: no gap
    frames = shapely.box(*boxes[open_].T)
    whole = shapely.covers(frames, pg[todo][open_])
    cut = pg[todo][open_]
    cut[~whole] = _geom.intersection(cut[~whole], frames[~whole])
    gap[open_] = cut
    cb = shapely.bounds(cg[mine])
    tb = boxes[slot[named[mine]]]
    meets = (cb[:, 0] <= tb[:, 2]) & (cb[:, 2] >= tb[:, 0]) & (cb[:, 1] <= tb[:, 3]) & (cb[:, 3] >= tb[:, 1])
    mine = mine[meets]
    gap = _subtract(gap, slot[named[mine]], cg[mine], pool)
    left = np.flatnonzero(~shapely.is_empty(gap))
    if len(left):
        fi, cj = shapely.STRtree(cg).query(gap[left], predicate="intersects")
        foreign = named[cj] != todo[left[fi]]
        gap = _subtract(gap, left[fi[foreign]], cg[cj[foreign]], pool)
    parts, index, pcls, parea_parts = _geom.split_pieces(gap, tol)
    if len(parts) and len(child.bad_geoms):
        muted = np.zeros(len(parts), dtype=bool)
        muted[np.unique(shapely.STRtree(shapely.envelope(child.bad_geoms)).query(parts, predicate="intersects")[0])] = (
            True
        )
        parts, index, pcls, parea_parts = parts[~muted], index[~muted], pcls[~muted], parea_parts[~muted]
    if len(parts) == 0:
        return Nesting(parent_geom, certified)
    on_edge = shapely.intersects(parts, shapely.boundary(pg[todo][index]))
    strip = np.zeros(len(parts), dtype=bool)
    strip[pcls == _geom.REAL] = _geom.strip_shaped(parts[pcls == _geom.REAL], tol)
    strip_zh, strip_en = strip_note(tol)
    order_parts = np.lexsort((-parea_parts, index))
    for q in order_parts:
        p = todo[index[q]]
        code, fid = pcodes[p], pfids[p]
        p_zh, p_en = _label(code, fid), _label_en(code, fid)
        a = fmt_area(parea_parts[q])
        if pcls[q] == _geom.REAL:
            slack = tol.noise_area + shapely.length(pg[p]) * _geom.GRID_SIZE + 1e-9 * parea[p]
            if parea_parts[q] >= parea[p] - slack:
                zh = f"{plz} {p_zh} 内尚无任何{clz}，{a} 平方米未被覆盖。"
                en = f"{ple.capitalize()} {p_en} has no {cle}s at all: {a} m² not covered."
            elif on_edge[q]:
                zh = f"{plz} {p_zh} 内有 {a} 平方米未被{clz}覆盖（缺口开口于上级网格边界）。"
                en = f"{a} m² of {ple} {p_en} is not covered by {cle}s (a notch opening onto the parent's boundary)."
            else:
                zh = f"{plz} {p_zh} 内有 {a} 平方米未被{clz}覆盖（缝隙）。"
                en = f"{a} m² of {ple} {p_en} is not covered by {cle}s (a gap)."
            if strip[q]:
                zh, en = zh[:-1] + strip_zh + zh[-1], en[:-1] + strip_en + en[-1]
            out.add(
                "gap",
                parent.layer,
                [code],
                [fid],
                parts[q],
                parea_parts[q],
                "m2",
                zh,
                en,
                on_parent_boundary=bool(on_edge[q]),
                shape="strip" if strip[q] else "area",
            )
        else:
            zh = f"{plz} {p_zh} 内{clz}之间有 {a} 平方米的狭长缝隙碎片。"
            en = f"A sliver gap of {a} m² between the {cle}s of {ple} {p_en}."
            out.add(
                "gap.sliver",
                parent.layer,
                [code],
                [fid],
                parts[q],
                parea_parts[q],
                "m2",
                zh,
                en,
                on_parent_boundary=bool(on_edge[q]),
            )
    return Nesting(parent_geom, certified)


_BOX_MARGIN = 1.0  # m around the left-over edges


def _subtract(geoms: np.ndarray, group: np.ndarray, members: np.ndarray, pool: _geom.Pool) -> np.ndarray:
    """``geoms`` with, from each geoms[g], the union of the members tagged g taken away."""
    if len(members) == 0:
        return geoms
    order = np.argsort(group, kind="stable")
    group, members = group[order], members[order]
    starts, counts = _geom.group_starts(group)
    rows = np.full((len(starts), int(counts.max())), None, dtype=object)
    dense = np.repeat(np.arange(len(starts)), counts)
    rows[dense, np.arange(len(group)) - starts[dense]] = members
    unions = pool.chunked(_geom.union_rows, rows, min_size=64)
    out = geoms.copy()
    hit = group[starts]
    out[hit] = _geom.difference(geoms[hit], unions)
    return out


def _levels_of(codes: np.ndarray, layers: tuple[LayerState, ...]) -> np.ndarray:
    """For each code, the level of the first of ``layers`` holding an active grid with it, or -1."""
    out = np.full(len(codes), -1, dtype=np.int64)
    if len(codes) == 0:
        return out
    wanted = np.array([c if isinstance(c, str) else "" for c in codes], dtype=str)
    for layer in layers:
        held = np.array([c for c in layer.grids.codes if isinstance(c, str) and c], dtype=str)
        hit = (out < 0) & (wanted != "") & np.isin(wanted, held)
        out[hit] = layer.level
    return out


def check_holes(
    state: LayerState, parent_geom: np.ndarray, parent_name: tuple[str, str], tol: Tolerances, out: Collector
) -> None:
    """Holes (interior rings) of a grid where its parent (``parent_geom`` per usable grid) has none."""
    geoms = state.geoms
    if len(geoms) == 0:
        return
    # the polygons with holes, in order: whole grids, and the parts of multipolygons (only those are exploded)
    n_holes = shapely.get_num_interior_rings(geoms)  # 0 for a multipolygon
    simple = np.flatnonzero(n_holes > 0)
    multi = np.flatnonzero(shapely.get_type_id(geoms) == _geom.MULTIPOLYGON)
    parts, part_of, n_holes = geoms[simple], simple, n_holes[simple]
    if len(multi):
        sub, sub_of = shapely.get_parts(geoms[multi], return_index=True)
        sub_holes = shapely.get_num_interior_rings(sub)
        keep = sub_holes > 0
        parts = np.concatenate([parts, sub[keep]])
        part_of = np.concatenate([part_of, multi[sub_of[keep]]])
        n_holes = np.concatenate([n_holes, sub_holes[keep]])
        order = np.argsort(part_of, kind="stable")
        parts, part_of, n_holes = parts[order], part_of[order], n_holes[order]
    if len(parts) == 0:
        return
    ring_part = np.repeat(np.arange(len(parts)), n_holes)
    ring_no = np.arange(len(ring_part)) - np.repeat(np.cumsum(n_holes) - n_holes, n_holes)
    holes = shapely.polygons(shapely.get_interior_ring(parts[ring_part], ring_no))
    owner = part_of[ring_part]
    container = parent_geom[owner]
    known = ~shapely.is_missing(container)
    unmatched = holes.copy()
    unmatched[known] = _geom.intersection(holes[known], container[known])
    area = shapely.area(unmatched)
    cls = _geom.classify(unmatched, tol, area)
    lz, le = LEVEL_ZH[state.level], LEVEL_EN[state.level]
    codes, fids = state.codes, state.fids
    for k in np.flatnonzero(cls != _geom.NOISE):
        g = owner[k]
        has_parent = bool(known[k])
        zh = f"{lz} {_label(codes[g], fids[g])} 内有 {fmt_area(area[k])} 平方米的空洞（内环）" + (
            f"，而其{parent_name[0]}在此处没有空洞。" if has_parent else "。"
        )
        en = f"{le.capitalize()} {_label_en(codes[g], fids[g])} has a hole of {fmt_area(area[k])} m²" + (
            f" where its {parent_name[1]} has none." if has_parent else "."
        )
        out.add("geom.hole", state.layer, [codes[g]], [fids[g]], unmatched[k], area[k], "m2", zh, en)


def _label(code, fid) -> str:
    return code if code else f"（无编码，要素 {fid}）"


def _label_en(code, fid) -> str:
    return code if code else f"(no code, feature {fid})"
