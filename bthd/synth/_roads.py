"""Roads of the synthetic generator: segments, their noding, rural links and landmasses.

Not for: real roads (:mod:`bthd.io.osm`, :mod:`bthd.network.roads`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from bthd.network.graph import position_key
from bthd.settings import WORK_CRS

#: Rural links longer than this (metres) are never drawn (no road crosses a bay in one go).
RURAL_LINK_MAX_M = 8000.0
#: Two bourgs closer than this (metres) always get a road between them.
BOURG_LINK_MAX_M = 12_000.0


def _node_key(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Integer keys of positions rounded to 1 cm (for merging identical nodes)."""
    return position_key(x, y)


class Roads:
    """Accumulates road segments, then nodes them by position."""

    def __init__(self) -> None:
        self.x0: list[np.ndarray] = []
        self.y0: list[np.ndarray] = []
        self.x1: list[np.ndarray] = []
        self.y1: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.commune: list[np.ndarray] = []

    def add(
        self,
        x0: np.ndarray,
        y0: np.ndarray,
        x1: np.ndarray,
        y1: np.ndarray,
        kind: str,
        commune: int | np.ndarray,
    ) -> None:
        """Add segments (x0, y0)–(x1, y1) of one ``highway`` kind in the given commune(s)."""
        n = len(x0)
        self.x0.append(np.asarray(x0, float))
        self.y0.append(np.asarray(y0, float))
        self.x1.append(np.asarray(x1, float))
        self.y1.append(np.asarray(y1, float))
        self.kind.append(np.full(n, kind, dtype=object))
        self.commune.append(np.broadcast_to(np.asarray(commune), (n,)).astype(np.int64))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every segment added: x0, y0, x1, y1, kind and commune (position), as arrays."""
        return tuple(
            np.concatenate(a) for a in (self.x0, self.y0, self.x1, self.y1, self.kind, self.commune)
        )


def main_component(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, cx: float, cy: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keep the connected part of a clipped street grid that is nearest to the centre."""
    keys = np.r_[_node_key(x0, y0), _node_key(x1, y1)]
    uniq, inv = np.unique(keys, return_inverse=True)
    m = len(x0)
    g = sparse.coo_matrix((np.ones(m), (inv[:m], inv[m:])), shape=(len(uniq), len(uniq)))
    n, lab = csgraph.connected_components(g, directed=False)
    if n == 1:
        return x0, y0, x1, y1
    d = np.hypot((x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy)
    best = lab[inv[:m][np.argmin(d)]]
    k = lab[inv[:m]] == best
    return x0[k], y0[k], x1[k], y1[k]


def landmasses(polys: np.ndarray) -> np.ndarray:
    """Label of the landmass of each polygon: communes that touch share a label.

    The mainland is the label of the largest group; islands (Bréhat, Ouessant, Belle-Île...)
    get their own labels.
    """
    tree = shapely.STRtree(polys)
    a, b = tree.query(shapely.buffer(polys, 5.0), predicate="intersects")
    n = len(polys)
    g = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return csgraph.connected_components(g, directed=False)[1]


@dataclass(frozen=True)
class Settlements:
    """Bourgs then hamlets as points: where the rural roads start and end.

    Attributes
    ----------
    x, y
        Position (m): a bourg's grid node nearest to its centre, a hamlet's centre.
    commune
        Position of the commune of each settlement.
    is_bourg
        True for the bourgs (the first ``n_com`` rows).
    grid_nodes
        For each commune, the nodes of its bourg's street grid.
    """

    x: np.ndarray
    y: np.ndarray
    commune: np.ndarray
    is_bourg: np.ndarray
    grid_nodes: list[np.ndarray]


def rural_roads(st: Settlements, land: np.ndarray, roads: Roads, rng: np.random.Generator) -> None:
    """Add the rural roads between settlements to ``roads``, with a bend in the middle of each.

    A road arriving at a bourg ends at the bourg's grid node nearest to the other end; a road
    between two bourgs is ``tertiary``, the others ``unclassified``.
    """
    sx, sy, s_com, is_bourg = st.x, st.y, st.commune, st.is_bourg
    e0, e1 = rural_links(sx, sy, s_com, is_bourg, land, rng)
    # a link arriving at a bourg ends at the bourg's grid node nearest to the other end
    x0, y0, x1, y1 = sx[e0].copy(), sy[e0].copy(), sx[e1].copy(), sy[e1].copy()
    for end_x, end_y, this, other in ((x0, y0, e0, e1), (x1, y1, e1, e0)):
        at_bourg = np.flatnonzero(is_bourg[this])
        if len(at_bourg) == 0:
            continue
        b = this[at_bourg]
        order = np.argsort(b, kind="stable")
        for grp in np.split(order, np.flatnonzero(np.diff(b[order])) + 1):
            bi = int(b[grp[0]])
            nodes = st.grid_nodes[bi]
            ox, oy = sx[other[at_bourg[grp]]], sy[other[at_bourg[grp]]]
            j = cKDTree(nodes).query(np.column_stack([ox, oy]))[1]
            end_x[at_bourg[grp]] = nodes[j, 0]
            end_y[at_bourg[grp]] = nodes[j, 1]
    both_bourgs = is_bourg[e0] & is_bourg[e1]
    ln = np.hypot(x1 - x0, y1 - y0)
    keep = ln > 1.0
    # a bend in the middle of each rural road, so they are not ruler-straight
    off = rng.normal(0, 0.06, len(ln)) * ln
    mx = (x0 + x1) / 2 - off * (y1 - y0) / np.maximum(ln, 1e-9)
    my = (y0 + y1) / 2 + off * (x1 - x0) / np.maximum(ln, 1e-9)
    kind = np.where(both_bourgs, "tertiary", "unclassified")
    for hw in ("tertiary", "unclassified"):
        m = keep & (kind == hw)
        roads.add(x0[m], y0[m], mx[m], my[m], hw, s_com[e0[m]])
        roads.add(mx[m], my[m], x1[m], y1[m], hw, s_com[e0[m]])


def rural_links(
    sx: np.ndarray,
    sy: np.ndarray,
    s_com: np.ndarray,
    is_bourg: np.ndarray,
    polys: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Edges between settlements: MST of the land Delaunay graph plus shorter extra edges."""
    pts = np.column_stack([sx, sy])
    if len(pts) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if len(pts) < 4:
        e = np.array([[i, i + 1] for i in range(len(pts) - 1)])
    else:
        tri = Delaunay(pts, qhull_options="QJ Qbb Qc")
        simp = tri.simplices
        e = np.vstack([simp[:, [0, 1]], simp[:, [1, 2]], simp[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
    ln = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T)
    # never across the sea: the midpoint and quarter points must be on land (some commune)
    land = np.ones(len(e), bool)
    tree = shapely.STRtree(polys)
    for f in (0.25, 0.5, 0.75):
        q = shapely.points(pts[e[:, 0]] * (1 - f) + pts[e[:, 1]] * f)
        hit = np.zeros(len(e), bool)
        idx = tree.query(q, predicate="within")
        hit[idx[0]] = True
        land &= hit
    long_ = ln > RURAL_LINK_MAX_M
    e, ln = e[land & ~long_], ln[land & ~long_]
    n = len(pts)
    g = sparse.coo_matrix((ln, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    mst = csgraph.minimum_spanning_tree(g).tocoo()
    mst_keys = np.minimum(mst.row, mst.col).astype(np.int64) * n + np.maximum(mst.row, mst.col)
    mst_mask = np.isin(e[:, 0].astype(np.int64) * n + e[:, 1], mst_keys)
    # extra edges: bourg–bourg links always (the road between two villages), and a share of the
    # other short edges, more likely the shorter they are (bocage roads make many loops)
    scale = np.median(ln[mst_mask]) if mst_mask.any() else 1.0
    p_keep = 0.55 * np.exp(-ln / (2.5 * scale))
    extra = (rng.uniform(size=len(e)) < p_keep) | (
        is_bourg[e[:, 0]] & is_bourg[e[:, 1]] & (ln < BOURG_LINK_MAX_M)
    )
    keep = mst_mask | extra
    return e[keep, 0], e[keep, 1]


def road_layers(
    roads: Roads, insee: np.ndarray, com_land: np.ndarray
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Node the road segments by position and join every fragment to its landmass's network.

    Parameters
    ----------
    roads
        Every segment generated.
    insee
        INSEE code of each commune (by position).
    com_land
        Landmass label of each commune (islands stay islands).

    Returns
    -------
    (road_nodes, road_edges)
        The two layers of :class:`bthd.synth.SyntheticRegion`.
    """
    rx0, ry0, rx1, ry1, rkind, rcom = roads.arrays()
    keys = np.r_[_node_key(rx0, ry0), _node_key(rx1, ry1)]
    uniq, inv = np.unique(keys, return_inverse=True)
    m = len(rx0)
    u, v = inv[:m], inv[m:]
    node_x = np.zeros(len(uniq))
    node_y = np.zeros(len(uniq))
    node_x[u], node_y[u] = rx0, ry0
    node_x[v], node_y[v] = rx1, ry1
    ok = u != v
    a, b = np.minimum(u, v)[ok], np.maximum(u, v)[ok]
    _, first = np.unique(a * len(uniq) + b, return_index=True)
    sel = np.flatnonzero(ok)[np.sort(first)]
    u, v = u[sel], v[sel]
    rx0, ry0, rx1, ry1, rkind, rcom = (a_[sel] for a_ in (rx0, ry0, rx1, ry1, rkind, rcom))
    # join fragments to the main road network of their landmass (islands stay islands)
    cu, cv, ccom = _connect_fragments(u, v, node_x, node_y, rcom, com_land)
    if len(cu):
        u, v = np.r_[u, cu], np.r_[v, cv]
        rx0, ry0 = np.r_[rx0, node_x[cu]], np.r_[ry0, node_y[cu]]
        rx1, ry1 = np.r_[rx1, node_x[cv]], np.r_[ry1, node_y[cv]]
        rkind = np.r_[rkind, np.full(len(cu), "unclassified", dtype=object)]
        rcom = np.r_[rcom, ccom]
    sel = np.arange(len(u))
    lengths = np.hypot(rx1[sel] - rx0[sel], ry1[sel] - ry0[sel])
    geoms = shapely.linestrings(
        np.stack([np.column_stack([rx0[sel], ry0[sel]]), np.column_stack([rx1[sel], ry1[sel]])], 1)
    )
    road_edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length": lengths.round(2),
            "highway": rkind[sel].astype(str),
            "insee_code": insee[rcom[sel]],
            "synthetic": True,
        },
        geometry=geoms,
        crs=WORK_CRS,
    )
    road_nodes = gpd.GeoDataFrame(
        {
            "node_id": np.arange(len(uniq), dtype=np.int64),
            "x": node_x.round(2),
            "y": node_y.round(2),
            "synthetic": True,
        },
        geometry=shapely.points(node_x, node_y),
        crs=WORK_CRS,
    )
    return road_nodes, road_edges


def _connect_fragments(
    u: np.ndarray,
    v: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    edge_com: np.ndarray,
    com_land: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connector edges from each road fragment to the largest road component of its landmass."""
    n = len(x)
    g = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    n_comp, lab = csgraph.connected_components(g, directed=False)
    if n_comp == 1:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    # commune (hence landmass) of each node: the commune of an edge that ends there
    node_com = np.zeros(n, np.int64)
    node_com[u] = edge_com
    node_com[v] = edge_com
    land = com_land[node_com]
    size = np.bincount(lab)
    cu, cv, cc = [], [], []
    for lm in np.unique(land):
        in_lm = land == lm
        comps = np.unique(lab[in_lm])
        if len(comps) < 2:
            continue
        main = comps[np.argmax(size[comps])]
        main_nodes = np.flatnonzero(in_lm & (lab == main))
        others = np.flatnonzero(in_lm & (lab != main))
        d, j = cKDTree(np.column_stack([x[main_nodes], y[main_nodes]])).query(
            np.column_stack([x[others], y[others]])
        )
        best = pd.DataFrame({"comp": lab[others], "d": d, "node": others, "to": main_nodes[j]})
        best = best.sort_values(["comp", "d", "node"]).drop_duplicates("comp")
        cu.append(best["node"].to_numpy())
        cv.append(best["to"].to_numpy())
        cc.append(node_com[best["node"].to_numpy()])
    if not cu:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(cu), np.concatenate(cv), np.concatenate(cc)
