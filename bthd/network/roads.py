"""The trenching view of a road network, and premises snapped to it.

:class:`TrenchNetwork` holds an undirected road graph as arrays (nodes 0..n-1 with positions;
edges with length in metres, civil-works type and cost per metre), the form that compiled graph
routines (``scipy.sparse.csgraph``) and the Steiner solver take. :func:`snap_premises` attaches
every premise to its nearest road edge, vectorised with an STRtree, and lists those that cannot
be attached with a reason instead of dropping them.

Not for: placing sites or routing cables (see :mod:`bthd.network.zoning` and
:mod:`bthd.network.steiner`).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from bthd._errors import Problem, ValidationError
from bthd.network.graph import position_key, undirected_csr
from bthd.settings import COSTS, DEFAULT_SEED, WORK_CRS, WORKS, CivilWorksCosts, WorksRules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrenchNetwork:
    """An undirected road network as arrays, with civil-works types and costs.

    Attributes
    ----------
    node_id
        Original node ids (node *i* of the arrays is ``node_id[i]``).
    x, y
        Node positions (Lambert-93, m).
    u, v
        Edge ends as node indices.
    length
        Edge lengths (m).
    works
        Civil-works type of each edge (:data:`bthd.schema.WORKS_TYPES`).
    cost_per_m
        Civil-works cost of each edge (€ HT per metre).
    highway
        Road class of each edge.
    geometry
        Edge LineStrings.
    component
        Connected-component label of each node.
    """

    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    works: np.ndarray
    cost_per_m: np.ndarray
    highway: np.ndarray
    geometry: np.ndarray
    component: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    @property
    def edge_cost(self) -> np.ndarray:
        """Civil-works cost of each edge (€ HT)."""
        return self.length * self.cost_per_m

    def csr(self, weight: str = "cost") -> sparse.csr_matrix:
        """Symmetric sparse adjacency weighted by ``cost`` (€) or ``length`` (m).

        Parallel edges keep their minimum weight.
        """
        w = self.edge_cost if weight == "cost" else self.length
        return undirected_csr(self.n_nodes, self.u, self.v, w).matrix

    def edges_frame(self) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame (one row per undirected edge)."""
        return gpd.GeoDataFrame(
            {
                "u": self.node_id[self.u],
                "v": self.node_id[self.v],
                "length": self.length,
                "highway": self.highway,
                "works": self.works,
                "cost_per_m": self.cost_per_m,
            },
            geometry=self.geometry,
            crs=WORK_CRS,
        )


def assign_works(
    highway: np.ndarray,
    *,
    rules: WorksRules = WORKS,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Civil-works type of each edge, drawn from its road class's mix (deterministic)."""
    rng = np.random.default_rng(seed)
    draw = rng.uniform(size=len(highway))
    out = np.empty(len(highway), dtype=object)
    hw = pd.Series(highway).fillna("").astype(str).to_numpy()
    classes = set(np.unique(hw))
    for cls in classes:
        mix = rules.by_highway.get(cls, rules.default)
        types = list(mix)
        cum = np.cumsum([mix[t] for t in types])
        m = hw == cls
        idx = np.searchsorted(cum / cum[-1], draw[m], side="right")
        out[m] = np.array(types, dtype=object)[np.minimum(idx, len(types) - 1)]
    return out


def trench_network(
    road_nodes: gpd.GeoDataFrame,
    road_edges: gpd.GeoDataFrame,
    *,
    costs: CivilWorksCosts = COSTS,
    rules: WorksRules = WORKS,
    seed: int = DEFAULT_SEED,
    fix: bool = False,
    source: str = "roads",
) -> TrenchNetwork:
    """Build the trenching view of a road network from node and edge layers.

    Parameters
    ----------
    road_nodes
        ``node_id``, ``x``, ``y`` (Lambert-93).
    road_edges
        ``u``, ``v``, ``length`` (m), ``highway``; an optional ``works`` column overrides the
        civil-works mix.
    costs, rules
        Cost per metre of each civil-works type; mix of types per road class.
    seed
        Seed of the civil-works draw.
    fix
        Drop zero-length edges and merge nodes at the same position (a warning counts them)
        instead of reporting them as errors.

    Raises
    ------
    bthd.ValidationError
        Listing edges whose ends are not nodes, zero-length edges and duplicated nodes (nodes
        with different ids at the same position), unless ``fix``.
    """
    ids = road_nodes["node_id"].to_numpy()
    x = road_nodes["x"].to_numpy(float)
    y = road_nodes["y"].to_numpy(float)
    index = pd.Series(np.arange(len(ids)), index=ids)
    problems: list[Problem] = []
    if not index.index.is_unique:
        dup = index.index[index.index.duplicated()].unique()
        problems.append(
            Problem(
                "duplicated node ids",
                tuple(f"node_id={d}" for d in dup[:50]),
                "give every road node a unique node_id",
            )
        )
        index = index[~index.index.duplicated()]
    u_ids = road_edges["u"].to_numpy()
    v_ids = road_edges["v"].to_numpy()
    unknown = ~np.isin(u_ids, index.index) | ~np.isin(v_ids, index.index)
    if unknown.any():
        problems.append(
            Problem(
                "edges whose u or v is not a node",
                tuple(f"edge row {i + 1}" for i in np.flatnonzero(unknown)),
                "write the road nodes and edges together",
            )
        )
    length = road_edges["length"].to_numpy(float)
    zero = length <= 0
    # nodes with different ids at the same position (to the centimetre)
    key = position_key(x, y)
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    dup_pos = counts > 1
    if problems:
        raise ValidationError(source, problems, "roads")
    u = index.reindex(u_ids).to_numpy()
    v = index.reindex(v_ids).to_numpy()
    if zero.any() or dup_pos.any():
        if not fix:
            if zero.any():
                problems.append(
                    Problem(
                        "zero-length road edges",
                        tuple(
                            f"edge {a}–{b}" for a, b in zip(u_ids[zero], v_ids[zero], strict=True)
                        ),
                        "remove them, or pass fix=True (--fix) to drop them",
                    )
                )
            if dup_pos.any():
                groups = pd.Series(ids).groupby(key).agg(list)
                groups = groups[groups.map(len) > 1]
                problems.append(
                    Problem(
                        "duplicated nodes (several node ids at the same position)",
                        tuple("/".join(map(str, g)) for g in groups.head(50)),
                        "merge them, or pass fix=True (--fix) to merge them",
                    )
                )
            raise ValidationError(source, problems, "roads")
        # merge nodes at the same position onto the first one, drop zero-length edges
        canon = np.empty(len(ids), np.int64)
        _, inv = np.unique(key, return_inverse=True)
        canon[:] = first[inv]
        u, v = canon[u], canon[v]
        drop = zero | (u == v)
        warnings.warn(
            f"{source}: dropped {int(drop.sum())} zero-length or collapsed edges and merged "
            f"{int((counts[dup_pos] - 1).sum())} duplicated nodes",
            UserWarning,
            stacklevel=2,
        )
        keep = ~drop
        road_edges = road_edges[keep]
        u, v, length = u[keep], v[keep], length[keep]
    highway = (
        road_edges["highway"].to_numpy()
        if "highway" in road_edges.columns
        else np.full(len(u), None, dtype=object)
    )
    if "works" in road_edges.columns and road_edges["works"].notna().all():
        works = road_edges["works"].to_numpy(dtype=object)
    else:
        works = assign_works(highway, rules=rules, seed=seed)
    unit = {
        "aerial": costs.aerial,
        "duct_reuse": costs.duct_reuse,
        "new_trench": costs.new_trench,
        "road_crossing": costs.road_crossing,
    }
    cost_per_m = pd.Series(works).map(unit).to_numpy(float)
    n = len(ids)
    g = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, comp = csgraph.connected_components(g, directed=False)
    return TrenchNetwork(
        node_id=ids,
        x=x,
        y=y,
        u=u.astype(np.int64),
        v=v.astype(np.int64),
        length=length,
        works=works,
        cost_per_m=cost_per_m,
        highway=highway,
        geometry=road_edges.geometry.to_numpy(),
        component=comp,
    )


def snap_premises(
    premises: gpd.GeoDataFrame,
    net: TrenchNetwork,
    *,
    max_drop_m: float = 500.0,
) -> pd.DataFrame:
    """Attach every premise to its nearest road edge, and that edge's nearest end node.

    Parameters
    ----------
    premises
        Point layer (Lambert-93).
    net
        The road network.
    max_drop_m
        Premises farther than this from every road are not attached (listed with a reason).

    Returns
    -------
    pandas.DataFrame
        On the premises' index: ``edge`` (edge index, -1 if none), ``node`` (node index the
        drop starts from, -1 if none), ``offset_m`` (distance from the road axis), ``along_m``
        (distance along the edge from the premise's foot to ``node``), ``drop_m`` (``offset_m``
        + ``along_m``: the drop cable's length), ``component`` (road component of ``node``) and
        ``reason`` (empty when attached).
    """
    pts = premises.geometry.to_numpy()
    tree = shapely.STRtree(net.geometry)
    n = len(pts)
    edge = np.full(n, -1, np.int64)
    offset = np.full(n, np.nan)
    # most premises are a few tens of metres from a road: a dwithin query and exact distances
    # on the candidate pairs are much faster than nearest-neighbour queries; ties go to the
    # lowest edge index, so the result is deterministic
    near = min(40.0, max_drop_m)
    a, b = tree.query(pts, predicate="dwithin", distance=near)
    d = shapely.distance(pts[a], net.geometry[b])
    o = np.lexsort((b, d, a))
    a, b, d = a[o], b[o], d[o]
    first = np.r_[True, a[1:] != a[:-1]] if len(a) else np.empty(0, bool)
    edge[a[first]] = b[first]
    offset[a[first]] = d[first]
    rest = np.flatnonzero(edge < 0)
    if len(rest) and max_drop_m > near:
        (p_idx, e_idx), dist = tree.query_nearest(
            pts[rest], max_distance=max_drop_m, return_distance=True, all_matches=True
        )
        o = np.lexsort((e_idx, dist, p_idx))
        p_idx, e_idx, dist = p_idx[o], e_idx[o], dist[o]
        first = np.r_[True, p_idx[1:] != p_idx[:-1]] if len(p_idx) else np.empty(0, bool)
        edge[rest[p_idx[first]]] = e_idx[first]
        offset[rest[p_idx[first]]] = dist[first]
    ok = edge >= 0
    e = np.maximum(edge, 0)
    # per edge, once: the geometry's length and whether it runs from u (else from v)
    start = shapely.get_point(net.geometry, 0)
    runs_from_u = (
        np.hypot(shapely.get_x(start) - net.x[net.u], shapely.get_y(start) - net.y[net.u]) <= 0.5
    )
    glen_e = shapely.length(net.geometry)
    scale_e = np.where(glen_e > 0, net.length / np.where(glen_e > 0, glen_e, 1), 1.0)
    along_u = np.full(n, np.nan)
    along_u[ok] = shapely.line_locate_point(net.geometry[edge[ok]], pts[ok])
    elen = np.where(ok, net.length[e], np.nan)
    along_u = along_u * scale_e[e]  # stored length may differ slightly from the geometry's
    along_u = np.where(ok & ~runs_from_u[e], elen - along_u, along_u)
    to_u = along_u <= elen / 2
    node = np.where(ok, np.where(to_u, net.u[e], net.v[e]), -1)
    along = np.where(to_u, along_u, elen - along_u)
    reason = np.where(ok, "", f"no road within {max_drop_m:g} m")
    return pd.DataFrame(
        {
            "edge": edge,
            "node": node.astype(np.int64),
            "offset_m": offset,
            "along_m": along,
            "drop_m": offset + along,
            "component": np.where(ok, net.component[np.maximum(node, 0)], -1),
            "reason": reason,
        },
        index=premises.index,
    )
