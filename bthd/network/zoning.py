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

The tree partition itself is :mod:`bthd.network.partition`.

Not for: routing cables (see :mod:`bthd.network.routing`) or drawing zone polygons.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

# re-exported: `from bthd.network.zoning import partition_tree` (and these) keeps working
from bthd.network.partition import PM_YIELD_SPAN as PM_YIELD_SPAN
from bthd.network.partition import Partition as Partition
from bthd.network.partition import partition_tree as partition_tree
from bthd.network.roads import TrenchNetwork
from bthd.settings import ARCEP, DESIGN, ArcepRules, DesignRules

log = logging.getLogger(__name__)

_NO_PARENT = -9999  # scipy's predecessor value for roots and unreached nodes


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
