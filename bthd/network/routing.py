"""Routing and sizing of the FTTH cables: transport NRO→PM and distribution PM→PBO.

Each NRO's transport network is a Steiner tree joining the NRO and its PMs on the roads of its
zone (ZNRO); each PM's distribution network is a Steiner tree joining the PM and its PBOs on the
roads of its zone; both minimise civil-works cost (:mod:`bthd.network.steiner`). Fibres are
accumulated downstream on every tree edge (one fibre per local on distribution, a share per
line on transport, plus a spare ratio) and each edge gets the smallest standard cable that holds
them. Trees are solved on small local subgraphs, so the region's thousands of trees stay cheap.

Not for: placing the sites (see :mod:`bthd.network.zoning`) or costing (see
:mod:`bthd.network.bom`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from bthd.network.graph import pointer_jump, undirected_csr
from bthd.network.roads import TrenchNetwork
from bthd.network.steiner import steiner_tree_csr
from bthd.network.zoning import Zoning
from bthd.settings import DEFAULT_SEED, DESIGN, DesignRules

log = logging.getLogger(__name__)


@dataclass
class Routing:
    """Cables on the trench network.

    Attributes
    ----------
    cables
        One row per (tree, trench edge): ``segment`` (``TR`` or ``DI``), ``tree`` (the NRO or PM
        site_id), ``edge`` (trench edge index), ``from_node``/``to_node`` (upstream, downstream
        node indices), ``fibres`` (needed, before spare), ``cable_size`` (standard size holding
        the fibres with the spare), ``n_cables`` and ``length_m``.
    pm_depth_m
        Length of the transport path NRO→PM of each PM (m), aligned with ``zoning.pm``.
    pbo_depth_m
        Length of the distribution path PM→PBO of each PBO (m), aligned with ``zoning.pbo``.
    problems
        Trees that could not join all their terminals (disconnected roads): ``tree``,
        ``unreached`` (node indices) and ``reason``.
    """

    cables: pd.DataFrame
    pm_depth_m: np.ndarray
    pbo_depth_m: np.ndarray
    problems: pd.DataFrame


def cable_size(fibres: np.ndarray, sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Smallest standard cable holding ``fibres``; beyond the largest, several largest cables.

    Returns
    -------
    size, count
        Cable size (fibres) and number of cables per row.
    """
    f = np.asarray(fibres, float)
    s = np.asarray(sorted(sizes))
    count = np.maximum(1, np.ceil(f / s[-1])).astype(np.int64)
    per = f / count
    idx = np.minimum(np.searchsorted(s, per, side="left"), len(s) - 1)
    return s[idx], count


def _tree_flows(
    nodes: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    elen: np.ndarray,
    root: int,
    demand: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flows on a tree's edges, from its root to the demands.

    Parameters
    ----------
    nodes
        Local node ids are positions in this array.
    eu, ev, elen
        Tree edges (local ids) and lengths.
    root
        Local id of the root.
    demand
        Demand of each local node.

    Returns
    -------
    flow, up, down, depth
        Flow on each edge (sum of the demands below it), its upstream and downstream local
        nodes, and each node's path length from the root.
    """
    m = len(nodes)
    k = len(eu)
    adj = sparse.coo_matrix(
        (np.r_[np.arange(1, k + 1), np.arange(1, k + 1)], (np.r_[eu, ev], np.r_[ev, eu])),
        shape=(m, m),
    ).tocsr()
    order, pred = csgraph.breadth_first_order(adj, root, directed=False, return_predecessors=True)
    wlen = undirected_csr(m, eu, ev, elen + 1e-9, parallel="none", min_weight=None).matrix
    depth = csgraph.dijkstra(wlen, directed=False, indices=root)
    sub = demand.astype(float).copy()
    rest = order[::-1][:-1]
    for n in rest:  # bottom-up: children before parents
        sub[pred[n]] += sub[n]
    child = order[1:]
    picked = adj[child, pred[child]]
    eid = (picked.toarray() if sparse.issparse(picked) else np.asarray(picked)).ravel() - 1
    flow = np.zeros(k)
    up = np.zeros(k, np.int64)
    down = np.zeros(k, np.int64)
    flow[eid] = sub[child]
    up[eid] = pred[child]
    down[eid] = child
    return flow, up, down, depth


def _solve_tree(
    net: TrenchNetwork,
    edge_ids: np.ndarray,
    root: int,
    terminals: np.ndarray,
    demand_of_terminal: np.ndarray,
    *,
    rounds: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steiner tree on a subgraph; returns edges, flows, up/down global nodes, depths, unreached."""
    u, v = net.u[edge_ids], net.v[edge_ids]
    nodes, inv = np.unique(np.r_[u, v, root, terminals], return_inverse=True)
    lu, lv = inv[: len(u)], inv[len(u) : 2 * len(u)]
    lroot = inv[2 * len(u)]
    lterm = inv[2 * len(u) + 1 :]
    w = net.edge_cost[edge_ids]
    res = steiner_tree_csr(
        len(nodes),
        lu,
        lv,
        w,
        np.r_[lroot, lterm],
        rounds=rounds,
        seed=seed,
        on_unreachable="forest",
    )
    te = res.edges
    demand = np.zeros(len(nodes))
    np.add.at(demand, lterm, demand_of_terminal)
    # keep the part that holds the root (a forest when the roads are cut)
    if len(te):
        g = sparse.coo_matrix((np.ones(len(te)), (lu[te], lv[te])), shape=(len(nodes),) * 2)
        _, lab = csgraph.connected_components(g, directed=False)
        keep = lab[lu[te]] == lab[lroot]
        te = te[keep]
        unreached = np.unique(lterm[lab[lterm] != lab[lroot]])
    else:
        unreached = np.unique(lterm[lterm != lroot])
    flow, up, down, depth = _tree_flows(
        np.arange(len(nodes)), lu[te], lv[te], net.length[edge_ids[te]], lroot, demand
    )
    term_depth = depth[lterm]
    return (edge_ids[te], flow, nodes[up], nodes[down], term_depth, nodes[unreached])


def _route_one(
    net: TrenchNetwork,
    edges: np.ndarray,
    root: int,
    terminals: np.ndarray,
    demand: np.ndarray,
    *,
    segment: str,
    tree: str,
    rows: list[pd.DataFrame],
    problems: list[tuple[str, list[int], str]],
    reason: str,
    rounds: int,
    seed: int,
) -> np.ndarray:
    """Solve one tree, append its cable sections and problems; return the terminals' depths."""
    te, flow, up, down, depth, unreached = _solve_tree(
        net, edges, root, terminals, demand, rounds=rounds, seed=seed
    )
    rows.append(
        pd.DataFrame(
            {
                "segment": segment,
                "tree": tree,
                "edge": te,
                "from_node": up,
                "to_node": down,
                "fibres": flow,
            }
        )
    )
    if len(unreached):
        problems.append((tree, unreached.tolist(), reason))
    return depth


def route(
    net: TrenchNetwork,
    zoning: Zoning,
    *,
    rules: DesignRules = DESIGN,
    rounds: int = 2,
    seed: int = DEFAULT_SEED,
    on_tree: Callable[[int, int], None] | None = None,
) -> Routing:
    """Route transport and distribution cables as Steiner trees and size them.

    Parameters
    ----------
    net
        The road network (civil-works costs are the trees' weights).
    zoning
        NROs, PMs, PBOs and the shortest-path forest (:func:`bthd.network.zoning.zone_premises`).
    rules
        Spare ratio, transport fibres per line, cable sizes.
    rounds
        Rounds of the Steiner local search per tree (0: construction and clean-up only).
    seed
        Seed of the Steiner search.
    on_tree
        Called with (trees done, trees in all) for progress displays.
    """
    pm, pbo, nro = zoning.pm, zoning.pbo, zoning.nro
    # node → zone labels from the forest: ZNRO of every node, PM zone of every node
    parent = zoning.parent
    src_nro = _root_label(parent, nro["node"].to_numpy(), net.n_nodes)
    pm_zone_node = _zone_nodes(zoning, net.n_nodes)
    tr_rows: list[pd.DataFrame] = []
    di_rows: list[pd.DataFrame] = []
    problems: list[tuple[str, list[int], str]] = []
    pm_depth = np.full(len(pm), np.nan)
    pbo_depth = np.full(len(pbo), np.nan)
    total = len(nro) + len(pm)
    done = 0
    # edges grouped by the zone of their ends
    eu, ev = net.u, net.v
    # --- transport: one tree per NRO -----------------------------------------------------------
    nro_of_edge = np.where(src_nro[eu] == src_nro[ev], src_nro[eu], -1)
    e_order = np.argsort(nro_of_edge, kind="stable")
    e_sorted = nro_of_edge[e_order]
    pm_nro_idx = (
        pd.Series(np.arange(len(nro)), index=nro["site_id"]).loc[pm["parent_id"]].to_numpy()
    )
    transport_demand = np.maximum(
        np.ceil(pm["lines"].to_numpy() * rules.transport_fibres_per_line), 1.0
    )
    for i in range(len(nro)):
        lo, hi = np.searchsorted(e_sorted, [i, i + 1])
        edges = e_order[lo:hi]
        mine = np.flatnonzero(pm_nro_idx == i)
        term = pm["node"].to_numpy()[mine]
        pm_depth[mine] = _route_one(
            net,
            edges,
            int(nro["node"].iloc[i]),
            term,
            transport_demand[mine],
            segment="TR",
            tree=nro["site_id"].iloc[i],
            rows=tr_rows,
            problems=problems,
            reason="PMs not reachable from their NRO on the roads",
            rounds=rounds,
            seed=seed + i,
        )
        done += 1
        if on_tree:
            on_tree(done, total)
    # --- distribution: one tree per PM -----------------------------------------------------------
    zone_of_edge_u = pm_zone_node[eu]
    zone_of_edge_v = pm_zone_node[ev]
    # an edge belongs to a PM zone when both ends do, or one end is the zone's PM site
    pm_site = pm["node"].to_numpy()
    in_zone = np.where(zone_of_edge_u == zone_of_edge_v, zone_of_edge_u, -1)
    edge_zone = [in_zone]
    for ends, other in ((eu, zone_of_edge_v), (ev, zone_of_edge_u)):
        # edges from a PM site (which may belong to another zone) into its own zones
        is_site = np.isin(ends, pm_site)
        cand = np.full(len(eu), -1, np.int64)
        if is_site.any():
            # a site may head several PM zones (bins at a junction): match the other end's zone
            zs = other[is_site]
            cand[is_site] = np.where(zs >= 0, zs, -1)
            ok = cand >= 0
            ok[ok] = pm_site[cand[ok]] == ends[ok]
            cand[~ok] = -1
        edge_zone.append(cand)
    rows_e = np.concatenate([np.arange(len(eu))] * 3)
    rows_z = np.concatenate(edge_zone)
    keep = rows_z >= 0
    rows_e, rows_z = rows_e[keep], rows_z[keep]
    pair = np.unique(np.c_[rows_z, rows_e], axis=0)
    z_sorted, e_sorted2 = pair[:, 0], pair[:, 1]
    pbo_pm_idx = pd.Series(np.arange(len(pm)), index=pm["site_id"]).loc[pbo["parent_id"]].to_numpy()
    pbo_order = np.argsort(pbo_pm_idx, kind="stable")
    pbo_sorted = pbo_pm_idx[pbo_order]
    pbo_nodes = pbo["node"].to_numpy()
    pbo_lines = pbo["lines"].to_numpy().astype(float)
    for j in range(len(pm)):
        lo, hi = np.searchsorted(z_sorted, [j, j + 1])
        edges = e_sorted2[lo:hi]
        plo, phi = np.searchsorted(pbo_sorted, [j, j + 1])
        mine = pbo_order[plo:phi]
        pbo_depth[mine] = _route_one(
            net,
            edges,
            int(pm_site[j]),
            pbo_nodes[mine],
            pbo_lines[mine],
            segment="DI",
            tree=pm["site_id"].iloc[j],
            rows=di_rows,
            problems=problems,
            reason="PBOs not reachable from their PM inside the PM zone",
            rounds=rounds,
            seed=seed + j,
        )
        done += 1
        if on_tree:
            on_tree(done, total)
    cables = pd.concat(tr_rows + di_rows, ignore_index=True)
    cables["fibres"] = np.round(cables["fibres"]).astype(np.int64)
    with_spare = np.ceil(cables["fibres"].to_numpy() * (1 + rules.spare_ratio))
    size, count = cable_size(with_spare, rules.cable_sizes)
    cables["cable_size"] = size
    cables["n_cables"] = count
    cables["length_m"] = net.length[cables["edge"].to_numpy()]
    probs = pd.DataFrame(problems, columns=["tree", "unreached", "reason"])
    log.info(
        "routing: %d transport and %d distribution cable sections, %d problems",
        int((cables["segment"] == "TR").sum()),
        int((cables["segment"] == "DI").sum()),
        len(probs),
    )
    return Routing(cables, pm_depth, pbo_depth, probs)


def _root_label(parent: np.ndarray, roots: np.ndarray, n: int) -> np.ndarray:
    """Index (in ``roots``) of the tree root every node hangs from, -1 when unreached."""
    label = np.full(n, -1, np.int64)
    label[roots] = np.arange(len(roots))
    # pointer jumping: follow parents until every reached node knows its root
    ptr = np.where(parent >= 0, parent, np.arange(n))
    ptr[roots] = roots
    end, _ = pointer_jump(ptr, ptr == np.arange(n))
    reached = label[end] >= 0
    out = np.full(n, -1, np.int64)
    out[reached] = label[end[reached]]
    return out


def _zone_nodes(zoning: Zoning, n: int) -> np.ndarray:
    """PM zone index of every road node (-1 outside every zone)."""
    return zoning.pm_zone_of_node if zoning.pm_zone_of_node is not None else np.full(n, -1)


def optical_budget_db(length_km: np.ndarray, rules: DesignRules = DESIGN) -> np.ndarray:
    """Loss of a PON path (dB): fibre + splitter + connectors + splices (class B+ checks)."""
    return (
        np.asarray(length_km) * rules.fibre_db_per_km
        + rules.splitter_db
        + rules.connectors_db
        + rules.splices_db
    )


def max_reach_km(rules: DesignRules = DESIGN) -> float:
    """Longest path the budget allows, capped by GPON's physical reach."""
    fixed = rules.splitter_db + rules.connectors_db + rules.splices_db
    return min(rules.max_reach_km, (rules.budget_max_db - fixed) / rules.fibre_db_per_km)


__all__ = ["Routing", "cable_size", "max_reach_km", "optical_budget_db", "route"]
