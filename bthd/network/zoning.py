"""Placement of NROs, PMs and PBOs and the zones they serve, following ARCEP's rules.

* **NRO** (optical central office): at or near the copper NRA sites (the usual choice in French
  RIPs), keeping those whose zone (ZNRO) holds at least ``nro_min_lines``; every premise goes to
  the nearest NRO along the roads (multi-source Dijkstra, compiled). A road component without
  an NRA (an island) gets an NRO at its busiest node, flagged.
* **PM** (point de mutualisation): each ZNRO's shortest-path tree is cut bottom-up into
  contiguous zones of about ``pm_target_lines`` locaux, never more than ``pm_max_lines`` when the
  tree allows it; a remainder below ARCEP's 300 lines joins a neighbouring zone that has room
  (the planner's span ``pm_max_span_m`` yields to that minimum up to ``PM_YIELD_SPAN`` times);
  a zone that still cannot meet a rule (an island, a remainder) is kept and flagged with the
  reason. Every site stands at the head of its zone, so its premises hang below it. Zones can
  be kept within communes or EPCI (a forced cut where the commune changes).
* **PBO**: the same partition at the scale of ``pbo_min_locaux``..``pbo_max_locaux`` within
  each PM zone; a building with more locaux than a PBO takes gets its own PBOs.

Everything works on arrays over the road network (:class:`bthd.network.roads.TrenchNetwork`);
the only Python loop is the bottom-up pass over the tree's nodes.

Not for: routing cables (see :mod:`bthd.network.routing`) or drawing zone polygons.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from bthd.network.roads import TrenchNetwork
from bthd.settings import ARCEP, DESIGN, ArcepRules, DesignRules

log = logging.getLogger(__name__)

#: How far a PM zone's span may stretch beyond ``pm_max_span_m`` (times it) rather than leave a
#: zone below ARCEP's 300 lines: long distribution trees lengthen the NRO→premise paths.
PM_YIELD_SPAN = 1.5

_NO_PARENT = -9999  # scipy's predecessor value for roots and unreached nodes


@dataclass
class Partition:
    """Zones cut from a rooted tree.

    Attributes
    ----------
    zone_of_node
        Zone index of every node (-1 for nodes outside every tree).
    zone_of_item
        Zone index of every item (premise), for :func:`partition_tree` called with items.
    zone_site
        Node index where each zone's site (PM, PBO) stands: the zone's head junction.
    zone_load
        Load of each zone (locaux).
    """

    zone_of_node: np.ndarray
    zone_of_item: np.ndarray
    zone_site: np.ndarray
    zone_load: np.ndarray


def partition_tree(
    order: np.ndarray,
    parent: np.ndarray,
    item_node: np.ndarray,
    item_load: np.ndarray,
    *,
    min_load: float,
    target: float,
    max_load: float,
    forced: np.ndarray | None = None,
    edge_len: np.ndarray | None = None,
    max_span: float = np.inf,
    yield_span: float | None = None,
    group: np.ndarray | None = None,
) -> Partition:
    """Cut a rooted forest bottom-up into contiguous zones.

    Every zone's site is its head junction: the node of the zone nearest the root, of which every
    other node of the zone is a descendant. A premise of a zone therefore hangs below its site,
    and the road distance between them is the difference of their depths in the tree.

    Parameters
    ----------
    order
        Nodes to process, children before parents (e.g. by decreasing distance from the root).
    parent
        Parent node of every node; negative for roots.
    item_node, item_load
        The items to group (premises): the node each hangs on and its load (locaux).
    min_load, target, max_load
        A subtree is cut as soon as its load reaches ``target``; siblings that together exceed
        ``max_load`` are packed into several zones (first fit decreasing) that meet at their
        parent; a node's own items beyond ``max_load`` are packed into zones of their own. No
        zone exceeds ``max_load`` unless one item does (a building larger than a zone). A
        remainder below ``min_load`` joins a zone meeting at the same node that has room (the
        zone's site moves up to that node); zones below ``min_load`` happen only where the tree
        leaves no choice (roots, forced cuts, no room nearby) and are for the caller to flag.
    forced
        Nodes that must start a new zone (e.g. the commune changes between them and their
        parent).
    edge_len, max_span
        Length of the edge from every node to its parent (m), and the longest road distance
        allowed from a zone's site to its farthest node: a subtree that would reach farther
        through its parent starts its own zone, and a remainder joins a zone only within it.
    yield_span
        A longer span that ``max_span`` yields to for ``min_load``: a subtree below ``min_load``
        is cut for its span only beyond it, and a remainder may join a zone within it (PM zones:
        ARCEP's minimum matters more than the planner's span, up to the optical reach that long
        distribution trees cost). None: ``max_span`` holds for every zone.
    group
        A group per node (commune, PM zone...): a remainder too small to stand alone joins a
        zone meeting at the same node only within its group.

    Returns
    -------
    Partition
    """
    n = len(parent)
    forced = np.zeros(n, bool) if forced is None else forced
    small_span = max_span if yield_span is None else max(max_span, yield_span)
    # items per node, packed: a node's own load beyond max_load goes into zones of its own
    order_items = np.argsort(item_node, kind="stable")
    starts = np.searchsorted(item_node[order_items], np.arange(n))
    ends = np.searchsorted(item_node[order_items], np.arange(n), side="right")
    own = np.bincount(item_node, weights=item_load, minlength=n).astype(float)

    # the pass below reads and writes one node at a time: Python lists are much faster at that
    # than numpy arrays (same float64 arithmetic)
    elen_a = np.zeros(n) if edge_len is None else np.asarray(edge_len, float)
    elen: list[float] = elen_a.tolist()
    own_l: list[float] = own.tolist()
    par_l: list[int] = np.asarray(parent, np.int64).tolist()
    forced_l: list[bool] = np.asarray(forced, bool).tolist()
    group_l: list[int] | None = None if group is None else np.asarray(group).tolist()
    span = [0.0] * n
    head_zone = [-1] * n  # zone of a node cut from its parent
    item_zone = np.full(len(item_node), -1, np.int64)
    own_zone_items: list[tuple[np.ndarray, int]] = []  # items packed at their node
    zone_site: list[int] = []
    zone_load: list[float] = []
    zone_span: list[float] = []  # road distance from the zone's site to its farthest node
    pending: dict[int, list[tuple[int, float]]] = {}
    # zones that meet at a node (bins packed there, or children cut from it): a remainder too
    # small to stand alone at that node joins the smallest of them that has room
    meeting: dict[int, list[int]] = {}

    def new_zone(site: int, load: float, reach: float) -> int:
        zone_site.append(site)
        zone_load.append(load)
        zone_span.append(reach)
        return len(zone_site) - 1

    def join(node: int, load: float, reach: float) -> int:
        """Add a remainder at ``node`` to a zone meeting there; -1 when none has room."""
        best, best_span, best_key = -1, 0.0, (0.0, 0.0, 0)
        for z in meeting.get(node, []):
            site = zone_site[z]
            if zone_load[z] + load > max_load:
                continue
            if group_l is not None and group_l[site] != group_l[node]:
                continue
            # a zone headed at a child of the node moves its site up to the node, lengthening
            # the way to each of its items: the least such lengthening first, then the lightest
            climb = elen[site] if site != node else 0.0
            merged = max(zone_span[z] + climb, reach)
            if merged > small_span:
                continue
            key = (climb * zone_load[z], zone_load[z], z)
            if best < 0 or key < best_key:
                best, best_span, best_key = z, merged, key
        if best >= 0:
            zone_load[best] += load
            zone_span[best] = best_span
            zone_site[best] = node
        return best

    for node in np.asarray(order, np.int64).tolist():
        own_load = own_l[node]
        if own_load > max_load:
            idx = order_items[starts[node] : ends[node]]
            loads = item_load[idx]
            # first fit decreasing of the node's items into bins of max_load
            srt = np.argsort(-loads, kind="stable")
            bins: list[list[int]] = []
            fill: list[float] = []
            for j in srt:
                for b in range(len(bins)):
                    if fill[b] + loads[j] <= max_load:
                        bins[b].append(j)
                        fill[b] += loads[j]
                        break
                else:
                    bins.append([j])
                    fill.append(loads[j])
            keep = int(np.argmin(fill))  # the lightest bin stays with the node
            own_load = 0.0
            for b, members in enumerate(bins):
                if b == keep:
                    own_load = fill[b]
                    continue
                z = new_zone(node, fill[b], 0.0)
                own_zone_items.append((idx[members], z))
        kids = pending.pop(node, [])
        total = own_load + sum(load for _, load in kids)
        span[node] = max((span[c] + elen[c] for c, _ in kids), default=0.0)
        if total > max_load and kids:
            kids.sort(key=lambda t: -t[1])
            bins_k: list[list[int]] = []
            fill_k: list[float] = []
            for c, load in kids:
                for b in range(len(bins_k)):
                    if fill_k[b] + load <= max_load:
                        bins_k[b].append(c)
                        fill_k[b] += load
                        break
                else:
                    bins_k.append([c])
                    fill_k.append(load)
            total = own_load
            # span[node] stays the reach of every child, those packed away included: this
            # cautious reading cuts zones a little earlier (measured: 16 % fewer long drops)
            for members, load in zip(bins_k, fill_k, strict=True):
                reach = max(span[c] + elen[c] for c in members)
                if load >= min_load and total + load > max_load * 0.5:
                    z = new_zone(node, load, reach)
                    meeting.setdefault(node, []).append(z)
                elif total + load <= max_load:
                    total += load  # stays with the node's own zone
                    continue
                else:  # a small bin the node's zone has no room for
                    z = join(node, load, reach)
                    if z < 0:
                        z = new_zone(node, load, reach)
                        meeting.setdefault(node, []).append(z)
                for c in members:
                    head_zone[c] = z
        p = par_l[node]
        if total <= 0:
            continue  # nothing to serve below: no zone (the node inherits its parent's)
        reach_up = span[node] + elen[node]
        too_far = reach_up > max_span and (total >= min_load or reach_up > small_span)
        if p < 0 or forced_l[node] or total >= target or too_far:
            z = join(node, total, span[node]) if total < min_load else -1
            if z >= 0:
                head_zone[node] = z
            else:
                head_zone[node] = new_zone(node, total, span[node])
                if p >= 0:
                    meeting.setdefault(p, []).append(head_zone[node])
        else:
            pending.setdefault(p, []).append((node, total))

    # labels and depths: parents before children
    zone_l = [-1] * n
    depth_l = [0.0] * n
    for node in np.asarray(order, np.int64)[::-1].tolist():
        z = head_zone[node]
        p = par_l[node]
        if p >= 0:
            depth_l[node] = depth_l[p] + elen[node]
            if z < 0:
                z = zone_l[p]
        zone_l[node] = z
    zone_of_node = np.asarray(zone_l, np.int64)
    depth = np.asarray(depth_l)
    item_zone[:] = zone_of_node[item_node]
    for idx, z in own_zone_items:
        item_zone[idx] = z
    part = Partition(
        zone_of_node,
        item_zone,
        np.asarray(zone_site, np.int64),
        _zone_loads(item_zone, item_load, len(zone_site)),
    )
    if (part.zone_load < min_load).any():
        part = _merge_small(
            part,
            item_load,
            np.asarray(zone_span),
            parent,
            depth,
            forced,
            group,
            min_load=min_load,
            max_load=max_load,
            max_span=small_span,
        )
    return part


def _zone_loads(item_zone: np.ndarray, item_load: np.ndarray, n_zones: int) -> np.ndarray:
    ok = item_zone >= 0
    return np.bincount(item_zone[ok], weights=item_load[ok], minlength=n_zones)


def _merge_small(
    part: Partition,
    item_load: np.ndarray,
    reach: np.ndarray,
    parent: np.ndarray,
    depth: np.ndarray,
    forced: np.ndarray,
    group: np.ndarray | None,
    *,
    min_load: float,
    max_load: float,
    max_span: float,
) -> Partition:
    """Merge zones below ``min_load`` into a neighbouring zone of the tree that has room.

    A zone's neighbours are the zone above it (the one holding its site, else its site's
    parent) and the zones just below it (whose neighbour above it is). The merged zone takes
    the upper zone's site, an ancestor of every node of both, so sites stay at the head of their
    zone. The lightest neighbour within ``max_load``, ``max_span`` (from the merged site) and
    the group is taken; a forced head never merges upwards; the smallest zones go first.

    Parameters
    ----------
    part
        The partition of :func:`partition_tree`.
    item_load, reach, parent, depth, forced, group
        Load of every item, road distance from each zone's site to its farthest node, parent and
        distance from the root of every node, forced heads and groups (see
        :func:`partition_tree`).
    min_load, max_load, max_span
        The bounds of :func:`partition_tree`.

    Returns
    -------
    Partition
        The merged partition, zones renumbered in their original order.
    """
    site = part.zone_site
    nz = len(site)
    ids = np.arange(nz)
    holder = part.zone_of_node[site]
    par = parent[site]
    above_parent = np.where(par >= 0, part.zone_of_node[np.maximum(par, 0)], -1)
    up_a = np.where(holder != ids, holder, above_parent)
    up_a[forced[site] & (holder == ids)] = -1  # a forced head starts its zone for good
    below: dict[int, list[int]] = {}
    for z in np.flatnonzero(up_a >= 0).tolist():
        below.setdefault(int(up_a[z]), []).append(z)
    # one zone at a time from here: Python lists
    up: list[int] = up_a.tolist()
    load: list[float] = part.zone_load.astype(float).tolist()
    span_of: list[float] = np.asarray(reach, float).tolist()
    site_depth: list[float] = depth[site].tolist()
    site_group: list[int] | None = None if group is None else np.asarray(group)[site].tolist()
    rep: list[int] = ids.tolist()

    def find(z: int) -> int:
        root = z
        while rep[root] != root:
            root = int(rep[root])
        while rep[z] != root:
            rep[z], z = root, int(rep[z])
        return root

    heap = [(load[z], z) for z in range(nz) if 0 < load[z] < min_load]
    heapq.heapify(heap)
    while heap:
        lz, s = heapq.heappop(heap)
        if rep[s] != s or load[s] != lz:
            continue  # merged or grown since it was queued
        best: tuple[float, int, int, int, float] | None = None  # load, zone, upper, lower, span
        options = [(find(up[s]), True)] if up[s] >= 0 else []
        options += [(find(c), False) for c in below.get(s, [])]
        for other, upward in options:
            if other == s or load[s] + load[other] > max_load:
                continue
            if site_group is not None and site_group[other] != site_group[s]:
                continue
            upper, lower = (other, s) if upward else (s, other)
            span = max(span_of[upper], span_of[lower] + site_depth[lower] - site_depth[upper])
            if span > max_span:
                continue
            if best is None or (load[other], other) < best[:2]:
                best = (load[other], other, upper, lower, span)
        if best is None:
            continue
        _, _, upper, lower, span = best
        rep[lower] = upper
        load[upper] += load[lower]
        span_of[upper] = span
        below[upper] = below.get(upper, []) + below.pop(lower, [])
        if load[upper] < min_load:
            heapq.heappush(heap, (load[upper], upper))
    final = np.array([find(z) for z in range(nz)], np.int64)
    alive = final == ids
    new_id = np.cumsum(alive) - 1
    zone_of_node = np.where(part.zone_of_node >= 0, new_id[final[part.zone_of_node]], -1)
    item_zone = np.where(part.zone_of_item >= 0, new_id[final[part.zone_of_item]], -1)
    return Partition(
        zone_of_node,
        item_zone,
        site[alive],
        _zone_loads(item_zone, item_load, int(alive.sum())),
    )


@dataclass
class Zoning:
    """NROs, PMs, PBOs and which premise each serves.

    Attributes
    ----------
    premises
        On the premises' index: ``nro``, ``pm``, ``pbo`` (zone indices, -1 when unserved),
        ``nro_id``, ``pm_id``, ``pbo_id`` and ``reason`` (why a premise is unserved).
    nro, pm, pbo
        One row per site: ``site_id``, ``node``, ``lines``, ``parent_id``, ``flag``.
    parent, dist
        The shortest-path forest from the NROs along the roads (metres).
    pm_zone_of_node
        PM zone index of every road node (-1 outside every zone).
    """

    premises: pd.DataFrame
    nro: pd.DataFrame
    pm: pd.DataFrame
    pbo: pd.DataFrame
    parent: np.ndarray
    dist: np.ndarray
    pm_zone_of_node: np.ndarray | None = None


def place_nros(
    net: TrenchNetwork,
    node_of_premise: np.ndarray,
    locaux: np.ndarray,
    candidates: np.ndarray,
    *,
    min_lines: int = DESIGN.nro_min_lines,
    max_reach_m: float = DESIGN.nro_max_reach_m,
    reach_min_lines: int = DESIGN.nro_reach_min_lines,
    max_rounds: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Choose NRO nodes among candidates so that each ZNRO holds at least ``min_lines``.

    Returns
    -------
    nro_nodes, flags, dist, parent, source
        Chosen nodes, a flag per NRO ("" or the reason it is below ``min_lines``), and the
        multi-source Dijkstra result (distance in metres, predecessor, nearest NRO node) over
        every road node.
    """
    A = net.csr("length")
    load = np.bincount(node_of_premise, weights=locaux, minlength=net.n_nodes)
    comp = net.component
    cand = np.unique(candidates[candidates >= 0])
    # a component with premises but no candidate gets one at its busiest node
    comps_with_load = np.unique(comp[load > 0])
    missing = np.setdiff1d(comps_with_load, comp[cand])
    added = []
    for c in missing:
        nodes = np.flatnonzero(comp == c)
        added.append(nodes[np.argmax(load[nodes])])
    cand = np.unique(np.r_[cand, np.asarray(added, np.int64)])
    for _ in range(max_rounds):
        dist, pred, src = csgraph.dijkstra(
            A, directed=False, indices=cand, min_only=True, return_predecessors=True
        )
        served = np.bincount(src[src >= 0], weights=load[src >= 0], minlength=net.n_nodes)[cand]
        small = served < min_lines
        if not small.any():
            break
        # keep at least the busiest candidate of each component
        keep = ~small
        for c in np.unique(comp[cand]):
            in_c = comp[cand] == c
            if not (keep & in_c).any():
                keep[np.flatnonzero(in_c)[np.argmax(served[in_c])]] = True
        if keep.all():
            break
        cand = cand[keep]
    # optical reach: add NROs (an original candidate near the farthest premise, else that
    # premise's node) until every premise is within max_reach_m by road
    pool = np.unique(candidates[candidates >= 0])
    reach_added: list[int] = []
    for _ in range(10_000):
        dist, pred, src = csgraph.dijkstra(
            A, directed=False, indices=cand, min_only=True, return_predecessors=True
        )
        far = np.flatnonzero((load > 0) & (dist > max_reach_m))
        if len(far) == 0:
            break
        # several additions per round: the farthest premises, at least max_reach_m apart
        far = far[np.argsort(-dist[far], kind="stable")]
        worst: list[int] = []
        fx, fy = net.x[far], net.y[far]
        alive = np.ones(len(far), bool)
        while alive.any() and len(worst) < 64:
            k = int(np.flatnonzero(alive)[0])
            worst.append(int(far[k]))
            alive &= np.hypot(fx - fx[k], fy - fy[k]) > max_reach_m
        d_w = csgraph.dijkstra(A, directed=False, indices=worst, limit=max_reach_m / 2)
        d_w = np.atleast_2d(d_w)
        picks = []
        for row, w in zip(d_w, worst, strict=True):
            near_pool = pool[np.isfinite(row[pool]) & ~np.isin(pool, cand)]
            picks.append(near_pool[np.argmin(row[near_pool])] if len(near_pool) else w)
        cand = np.unique(np.r_[cand, picks])
        reach_added.extend(int(p) for p in picks)
    # an NRO added for reach that serves only a handful of premises costs more than it gives:
    # drop it (its premises return to their nearest NRO and are flagged beyond reach)
    served = np.bincount(src[src >= 0], weights=load[src >= 0], minlength=net.n_nodes)[cand]
    tiny = np.isin(cand, reach_added) & (served < reach_min_lines)
    if tiny.any():
        keep = ~tiny
        for c in np.unique(comp[cand]):  # keep at least one NRO per component
            in_c = comp[cand] == c
            if not (keep & in_c).any():
                keep[np.flatnonzero(in_c)[np.argmax(served[in_c])]] = True
        cand = cand[keep]
        dist, pred, src = csgraph.dijkstra(
            A, directed=False, indices=cand, min_only=True, return_predecessors=True
        )
        served = np.bincount(src[src >= 0], weights=load[src >= 0], minlength=net.n_nodes)[cand]
    flags = np.where(served < min_lines, f"ZNRO below {min_lines} lines", "")
    flags = np.where(
        (flags != "") & np.isin(cand, reach_added),
        np.char.add(flags.astype(str), ", kept for optical reach"),
        flags,
    )
    flags = np.where(
        np.isin(cand, added),
        np.char.add(flags.astype(str), " no NRA: placed at the busiest node").astype(object),
        flags,
    )
    return cand, flags.astype(str), dist, pred, src


def zone_premises(
    net: TrenchNetwork,
    snapped: pd.DataFrame,
    locaux: np.ndarray,
    candidates: np.ndarray,
    *,
    node_group: np.ndarray | None = None,
    rules: DesignRules = DESIGN,
    arcep: ArcepRules = ARCEP,
) -> Zoning:
    """Place NROs, cut PM zones and group PBOs for snapped premises.

    Parameters
    ----------
    net
        The road network.
    snapped
        :func:`bthd.network.roads.snap_premises` result (``node`` per premise, -1 if none).
    locaux
        Locaux of each premise (logements + locaux pro), aligned with ``snapped``.
    candidates
        Candidate NRO nodes (the NRA sites snapped to the roads).
    node_group
        A group label per road node (commune, EPCI); PM zones do not cross groups. None: free.
    """
    node = snapped["node"].to_numpy()
    ok = node >= 0
    nro_nodes, nro_flags, dist, parent, src = place_nros(
        net,
        node[ok],
        locaux[ok],
        candidates,
        min_lines=rules.nro_min_lines,
        max_reach_m=rules.nro_max_reach_m,
        reach_min_lines=rules.nro_reach_min_lines,
    )
    reached = src >= 0
    order = np.flatnonzero(reached)
    order = order[np.argsort(-dist[order], kind="stable")]
    par = np.where(parent >= 0, parent, -1)
    forced = np.zeros(net.n_nodes, bool)
    if node_group is not None:
        has_par = par >= 0
        forced[has_par] = node_group[has_par] != node_group[par[has_par]]
    items = np.flatnonzero(ok)
    inode = node[items]
    iload = locaux[items].astype(float)
    edge_len = np.where(par >= 0, dist - dist[np.maximum(par, 0)], 0.0)
    edge_len = np.where(np.isfinite(edge_len), edge_len, 0.0)
    pm = partition_tree(
        order,
        par,
        inode,
        iload,
        min_load=arcep.pm_min_lines_remote,
        target=rules.pm_target_lines,
        max_load=arcep.pm_max_lines,
        forced=forced,
        edge_len=edge_len,
        max_span=rules.pm_max_span_m,
        yield_span=PM_YIELD_SPAN * rules.pm_max_span_m,
        group=node_group,
    )
    # PBOs within PM zones: a node starts a new PBO zone where its PM zone changes
    zpm = pm.zone_of_node
    forced_pbo = np.zeros(net.n_nodes, bool)
    has_par = par >= 0
    forced_pbo[has_par] = zpm[has_par] != zpm[par[has_par]]
    pbo = partition_tree(
        order,
        par,
        inode,
        iload,
        min_load=arcep.pbo_min_locaux,
        target=arcep.pbo_max_locaux,
        max_load=arcep.pbo_max_locaux,
        forced=forced_pbo,
        edge_len=edge_len,
        max_span=rules.pbo_max_span_m,
        group=zpm,
    )
    # a PBO zone must sit within one PM zone: split a PBO whose items span PM zones
    pbo_item = pbo.zone_of_item
    pm_item = pm.zone_of_item
    pair = pd.DataFrame({"pbo": pbo_item, "pm": pm_item})
    pair_id, pair_uniques = pd.factorize(pd.MultiIndex.from_frame(pair), sort=True)
    pbo_item = pair_id
    pbo_pm = np.array([p for _, p in pair_uniques], np.int64)
    pbo_old = np.array([b for b, _ in pair_uniques], np.int64)
    pbo_site = pbo.zone_site[pbo_old]
    pbo_load = np.bincount(pbo_item, weights=iload, minlength=len(pbo_old))

    # --- identifiers and tables ---------------------------------------------------------------
    nro_index = pd.Series(np.arange(len(nro_nodes)), index=nro_nodes)
    nro_of_node = np.where(reached, nro_index.reindex(src).fillna(-1).to_numpy(np.int64), -1)
    nro_ids = np.array([f"NRO-{i + 1:04d}" for i in range(len(nro_nodes))], dtype=object)
    pm_nro = nro_of_node[pm.zone_site]
    # number PMs within their NRO, in order of distance from it
    pm_order = np.lexsort((pm.zone_site, dist[pm.zone_site], pm_nro))
    pm_rank = np.empty(len(pm_order), np.int64)
    pm_rank[pm_order] = np.arange(len(pm_order))
    first_of_nro = pd.Series(pm_rank).groupby(pm_nro).transform("min").to_numpy()
    pm_ids = np.array(
        [
            f"PM-{nro_ids[a][4:]}-{(r - f) + 1:03d}"
            for a, r, f in zip(pm_nro, pm_rank, first_of_nro, strict=True)
        ],
        dtype=object,
    )
    pbo_order = np.lexsort((pbo_site, dist[pbo_site], pbo_pm))
    pbo_rank = np.empty(len(pbo_order), np.int64)
    pbo_rank[pbo_order] = np.arange(len(pbo_order))
    first_of_pm = pd.Series(pbo_rank).groupby(pbo_pm).transform("min").to_numpy()
    pbo_ids = np.array(
        [
            f"PBO-{pm_ids[p][3:]}-{(r - f) + 1:03d}"
            for p, r, f in zip(pbo_pm, pbo_rank, first_of_pm, strict=True)
        ],
        dtype=object,
    )

    pm_lines = pm.zone_load
    pm_flag = np.where(
        pm_lines < arcep.pm_min_lines_remote,
        np.where(
            nro_flags[pm_nro] != "",
            f"below {arcep.pm_min_lines_remote} lines: island or isolated ZNRO",
            f"below {arcep.pm_min_lines_remote} lines: a remainder of the tree that no "
            f"neighbouring PM zone can take within {arcep.pm_max_lines} lines and "
            f"{PM_YIELD_SPAN * rules.pm_max_span_m / 1000:g} km",
        ),
        np.where(
            pm_lines > arcep.pm_max_lines,
            f"above {arcep.pm_max_lines} lines: one junction carries more",
            "",
        ),
    )
    if node_group is not None:
        pm_flag = np.where(
            (pm_flag != "") & forced[pm.zone_site],
            np.char.add(pm_flag.astype(str), " (kept within its commune/EPCI)"),
            pm_flag,
        )
    nro_lines = np.bincount(pm_nro, weights=pm_lines, minlength=len(nro_nodes))
    nro_df = pd.DataFrame(
        {
            "site_id": nro_ids,
            "node": nro_nodes,
            "lines": nro_lines.round(0).astype(np.int64),
            "parent_id": None,
            "flag": nro_flags,
        }
    )
    pm_df = pd.DataFrame(
        {
            "site_id": pm_ids,
            "node": pm.zone_site,
            "lines": pm_lines.round(0).astype(np.int64),
            "parent_id": nro_ids[pm_nro],
            "flag": pm_flag.astype(str),
            "dist_to_nro_m": dist[pm.zone_site].round(1),
        }
    )
    pbo_flag = np.where(pbo_load > arcep.pbo_max_locaux, "building larger than a PBO", "")
    pbo_df = pd.DataFrame(
        {
            "site_id": pbo_ids,
            "node": pbo_site,
            "lines": pbo_load.round(0).astype(np.int64),
            "parent_id": pm_ids[pbo_pm],
            "flag": pbo_flag,
        }
    )
    # --- premises -------------------------------------------------------------------------------
    n = len(snapped)
    out = pd.DataFrame(index=snapped.index)
    nro_p = np.full(n, -1, np.int64)
    pm_p = np.full(n, -1, np.int64)
    pbo_p = np.full(n, -1, np.int64)
    nro_p[items] = nro_of_node[inode]
    pm_p[items] = pm.zone_of_item
    pbo_p[items] = pbo_item
    out["nro"], out["pm"], out["pbo"] = nro_p, pm_p, pbo_p
    for col, idx_, ids in (
        ("nro_id", nro_p, nro_ids),
        ("pm_id", pm_p, pm_ids),
        ("pbo_id", pbo_p, pbo_ids),
    ):
        labels = np.full(n, None, dtype=object)
        labels[idx_ >= 0] = ids[idx_[idx_ >= 0]]
        out[col] = labels
    out["reason"] = snapped["reason"].to_numpy()
    log.info("zoning: %d NRO, %d PM, %d PBO", len(nro_df), len(pm_df), len(pbo_df))
    return Zoning(out, nro_df, pm_df, pbo_df, par, dist, pm.zone_of_node)
