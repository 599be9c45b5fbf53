"""Fibre routes NRA → SR of montée-en-débit operations on the road graph, and their geometry.

Not for: the fibre's cost per metre (:func:`bthd.costs.med.fibre_cost_per_edge`) or the graph
routines (:mod:`bthd.network.graph`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from bthd.costs.med import fibre_cost_per_edge
from bthd.network.graph import trace_paths, undirected_csr
from bthd.network.roads import TrenchNetwork
from bthd.settings.med import MedSettings

__all__ = ["fibre_routes", "route_lines"]


def fibre_routes(
    net: TrenchNetwork,
    nra_node: np.ndarray,
    sr_node: np.ndarray,
    bound_m: np.ndarray,
    s: MedSettings,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """NRA→SR fibre routes: length (m), fibre cost (€) and road edges of each SR.

    One Dijkstra per NRA (all its SRs at once), bounded by ``bound_m`` (an upper bound of the
    road distance, from the copper plant) so that it explores only the NRA's surroundings.
    Unreachable SRs get NaN.
    """
    k = len(sr_node)
    w_cost = fibre_cost_per_edge(net, s)
    n = net.n_nodes
    g_len = undirected_csr(n, net.u, net.v, net.length)
    g_cost = undirected_csr(n, net.u, net.v, w_cost) if s.route_weight == "cost" else g_len
    route_m = np.full(k, np.nan)
    fibre = np.full(k, np.nan)
    pairs_sr: list[np.ndarray] = []
    pairs_e: list[np.ndarray] = []
    for nra in np.unique(nra_node):
        srs = np.flatnonzero(nra_node == nra)
        lim = float(np.max(bound_m[srs])) * (1 + 1e-9) + 1.0
        lim = lim if np.isfinite(lim) else np.inf
        dist, pred = csgraph.dijkstra(
            g_len.matrix, directed=True, indices=int(nra), limit=lim, return_predecessors=True
        )
        p, a, b = trace_paths(pred, sr_node[srs])
        e = g_len.edge_ids(a, b)
        if s.route_weight == "cost":
            cost_len = np.bincount(p, weights=w_cost[e], minlength=len(srs))
            ok = np.isfinite(dist[sr_node[srs]])
            if ok.any():
                lim_c = float(np.max(cost_len[ok])) * (1 + 1e-9) + 1.0
                _, pred = csgraph.dijkstra(
                    g_cost.matrix,
                    directed=True,
                    indices=int(nra),
                    limit=lim_c,
                    return_predecessors=True,
                )
                p, a, b = trace_paths(pred, sr_node[srs])
                e = g_cost.edge_ids(a, b)
        reach = np.isfinite(dist[sr_node[srs]])
        route_m[srs[reach]] = np.bincount(p, weights=net.length[e], minlength=len(srs))[reach]
        fibre[srs[reach]] = np.bincount(p, weights=w_cost[e], minlength=len(srs))[reach]
        pairs_sr.append(srs[p])
        pairs_e.append(e)
    sr_all = np.concatenate(pairs_sr) if pairs_sr else np.empty(0, np.int64)
    e_all = np.concatenate(pairs_e) if pairs_e else np.empty(0, np.int64)
    order = np.argsort(sr_all, kind="stable")
    bounds = np.searchsorted(sr_all[order], np.arange(k + 1))
    edges = [e_all[order[bounds[i] : bounds[i + 1]]] for i in range(k)]
    return route_m, fibre, edges


def route_lines(selected: pd.DataFrame, net: TrenchNetwork) -> np.ndarray:
    """The NRA→SR fibre route of each operation as a (multi)linestring.

    Parameters
    ----------
    selected
        Operations with ``route_edges`` (:func:`bthd.med.candidates` rows).
    net
        The trench network of the routes.

    Returns
    -------
    numpy.ndarray
        Shapely geometries (merged lines; None for an operation without a route), one per row.
    """
    import shapely

    edges = [np.asarray(e, dtype=np.int64) for e in selected["route_edges"]]
    out = np.full(len(edges), None, dtype=object)
    have = np.flatnonzero([len(e) > 0 for e in edges])
    if len(have):
        idx = np.concatenate([np.full(len(edges[i]), j) for j, i in enumerate(have)])
        geoms = net.geometry[np.concatenate([edges[i] for i in have])]
        multi = shapely.multilinestrings(geoms, indices=idx)
        out[have] = shapely.line_merge(multi)
    return out
