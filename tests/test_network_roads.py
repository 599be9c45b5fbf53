"""Trenching view of roads and snapping of premises: vectorised, nothing silently dropped."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from bthd import ValidationError
from bthd.network.roads import assign_works, snap_premises, trench_network
from bthd.settings import COSTS


def _grid(n=4, step=100.0):
    """A small street grid in Lambert-93: n×n nodes, 2·n·(n-1) edges."""
    x0, y0 = 300_000.0, 6_800_000.0
    ids, xs, ys = [], [], []
    for i in range(n):
        for j in range(n):
            ids.append(i * n + j)
            xs.append(x0 + i * step)
            ys.append(y0 + j * step)
    nodes = gpd.GeoDataFrame(
        {"node_id": ids, "x": xs, "y": ys}, geometry=shapely.points(xs, ys), crs=2154
    )
    u, v = [], []
    for i in range(n):
        for j in range(n):
            if i + 1 < n:
                u.append(i * n + j)
                v.append((i + 1) * n + j)
            if j + 1 < n:
                u.append(i * n + j)
                v.append(i * n + j + 1)
    geom = [shapely.LineString([(xs[a], ys[a]), (xs[b], ys[b])]) for a, b in zip(u, v, strict=True)]
    edges = gpd.GeoDataFrame(
        {"u": u, "v": v, "length": [step] * len(u), "highway": ["residential"] * len(u)},
        geometry=geom,
        crs=2154,
    )
    return nodes, edges


def test_trench_network_costs_follow_works():
    nodes, edges = _grid()
    net = trench_network(nodes, edges)
    assert net.n_nodes == 16 and net.n_edges == 24
    unit = {"aerial": COSTS.aerial, "duct_reuse": COSTS.duct_reuse, "new_trench": COSTS.new_trench}
    assert np.allclose(net.cost_per_m, [unit[w] for w in net.works])
    assert np.allclose(net.edge_cost, net.length * net.cost_per_m)
    A = net.csr("length")
    assert A.shape == (16, 16) and A.nnz == 48 and np.allclose(A.data, 100.0)
    assert len(set(net.component)) == 1


def test_works_mix_is_deterministic_and_follows_shares():
    hw = np.array(["unclassified"] * 20_000)
    a = assign_works(hw, seed=1)
    assert (a == assign_works(hw, seed=1)).all()
    share = (a == "aerial").mean()
    assert 0.62 < share < 0.68  # 0.65 in the default mix


def test_zero_length_edges_and_duplicated_nodes_are_listed():
    nodes, edges = _grid(3)
    nodes = nodes.copy()
    nodes.loc[len(nodes)] = [99, 300_000.0, 6_800_000.0, shapely.Point(300_000, 6_800_000)]
    edges = edges.copy()
    edges.loc[0, "length"] = 0.0
    with pytest.raises(ValidationError) as e:
        trench_network(nodes, edges, source="roads.gpkg")
    msg = str(e.value)
    assert "zero-length road edges" in msg and "edge 0–3" in msg
    assert "duplicated nodes" in msg and "0/99" in msg
    with pytest.warns(UserWarning, match="dropped 1 zero-length"):
        net = trench_network(nodes, edges, fix=True)
    assert net.n_edges == len(edges) - 1


def test_edges_to_unknown_nodes_are_listed():
    nodes, edges = _grid(3)
    edges = edges.copy()
    edges.loc[2, "v"] = 1234
    with pytest.raises(ValidationError, match="edges whose u or v is not a node"):
        trench_network(nodes, edges)


def test_snap_premises_index_aligned_and_far_ones_listed():
    nodes, edges = _grid()
    net = trench_network(nodes, edges)
    pts = gpd.GeoDataFrame(
        {"premise_id": ["a", "b", "c"]},
        geometry=[
            shapely.Point(300_010, 6_800_012),
            shapely.Point(300_150, 6_800_290),
            shapely.Point(305_000, 6_805_000),
        ],
        crs=2154,
        index=[10, 20, 30],
    )
    s = snap_premises(pts, net, max_drop_m=200)
    assert list(s.index) == [10, 20, 30]
    # a: 12 m from the street x=300000 (or 10 m from y=6800000), 10 m along to the corner node 0
    assert s.loc[10, "offset_m"] == pytest.approx(10.0)
    assert s.loc[10, "node"] == 0 and s.loc[10, "drop_m"] == pytest.approx(22.0)
    # b: on the street y=6800300, 10 m off, halfway-ish: 50 m to the nearest node
    assert s.loc[20, "offset_m"] == pytest.approx(10.0) and s.loc[20, "along_m"] == pytest.approx(
        50.0
    )
    assert s.loc[30, "node"] == -1 and s.loc[30, "reason"] == "no road within 200 m"
