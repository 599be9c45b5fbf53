"""Tests of the shared graph plumbing (bthd.network.graph) against networkx on random graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csgraph

from bthd.network.graph import pointer_jump, position_key, trace_paths, undirected_csr


def random_graph(seed: int, n: int = 60, m: int = 180) -> tuple[np.ndarray, ...]:
    """Random multigraph with parallel edges, zero weights and no self-loop."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    keep = u != v
    u, v = u[keep], v[keep]
    u = np.r_[u, v[:10]]  # ten parallel edges, reversed
    v = np.r_[v, u[:10]]
    w = rng.integers(0, 20, len(u)).astype(float)
    return u, v, w


def nx_graph(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for a, b, c in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        c = max(c, 1e-6)
        if not G.has_edge(a, b) or G[a][b]["weight"] > c:
            G.add_edge(a, b, weight=c)
    return G


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_csr_keeps_the_lightest_parallel_edge_and_finds_edges_back(seed: int) -> None:
    n = 60
    u, v, w = random_graph(seed, n)
    g = undirected_csr(n, u, v, w)
    M = g.matrix
    assert (M != M.T).nnz == 0
    G = nx_graph(n, u, v, w)
    assert M.nnz == 2 * G.number_of_edges()
    for a, b, d in G.edges(data=True):
        assert M[a, b] == pytest.approx(d["weight"])
    # every kept edge is the lightest of its pair, found from either end
    a, b = np.minimum(u, v), np.maximum(u, v)
    for x, y in ((a, b), (b, a)):
        e = g.edge_ids(x, y)
        assert np.array_equal(np.minimum(u[e], v[e]), a) and np.array_equal(
            np.maximum(u[e], v[e]), b
        )
        lightest = np.array([G[i][j]["weight"] for i, j in zip(a, b, strict=True)])
        np.testing.assert_allclose(np.maximum(w[e], 1e-6), lightest)
    # shortest paths agree with networkx (zero weights kept as 1e-6)
    d = csgraph.dijkstra(M, directed=False, indices=0)
    ref = nx.single_source_dijkstra_path_length(G, 0)
    for node, dist in ref.items():
        assert d[node] == pytest.approx(dist)


def test_csr_without_parallel_edges_is_the_same_matrix() -> None:
    u = np.array([0, 1, 2, 3])
    v = np.array([1, 2, 3, 0])
    w = np.array([1.0, 2.0, 0.5, 4.0])
    a = undirected_csr(4, u, v, w)
    b = undirected_csr(4, u, v, w, parallel="none", min_weight=None)
    assert (a.matrix != b.matrix).nnz == 0
    np.testing.assert_array_equal(a.edge_ids([3, 2], [0, 1]), [3, 1])
    np.testing.assert_array_equal(b.edge_ids([3, 2], [0, 1]), [3, 1])
    zero = undirected_csr(2, np.array([0]), np.array([1]), np.array([0.0]))
    assert zero.matrix.nnz == 2 and zero.matrix[0, 1] == pytest.approx(1e-6)


@pytest.mark.parametrize("seed", [4, 5])
def test_traced_paths_are_shortest_paths(seed: int) -> None:
    n = 60
    u, v, w = random_graph(seed, n)
    g = undirected_csr(n, u, v, w)
    dist, pred = csgraph.dijkstra(g.matrix, directed=True, indices=0, return_predecessors=True)
    targets = np.arange(n)
    start, parent, child = trace_paths(pred, targets)
    assert np.array_equal(pred[child], parent)
    e = g.edge_ids(parent, child)
    length = np.bincount(start, weights=np.maximum(w[e], 1e-6), minlength=n)
    reach = np.isfinite(dist)
    np.testing.assert_allclose(length[reach], dist[reach])
    assert not np.isin(start, np.flatnonzero(~reach)).any()
    # merged: the same edges, each node's step once
    m_start, m_parent, m_child = trace_paths(pred, targets, merge=True)
    assert len(np.unique(m_child)) == len(m_child)
    assert set(zip(m_parent.tolist(), m_child.tolist(), strict=True)) == set(
        zip(parent.tolist(), child.tolist(), strict=True)
    )
    assert (m_start == -1).all()  # merged steps are shared: no start named
    empty = trace_paths(pred, np.array([0]))
    assert all(len(x) == 0 for x in empty)


def test_pointer_jump_finds_roots_and_depths() -> None:
    rng = np.random.default_rng(9)
    n = 500
    T = nx.random_labeled_tree(n, seed=9)
    roots = rng.choice(n, 5, replace=False)
    # a forest: cut the tree at the roots' parents by BFS from root 0, then re-root
    parent = np.full(n, -1, np.int64)
    for node, par in nx.bfs_predecessors(T, int(roots[0])):
        parent[node] = par
    parent[roots] = roots
    stop = parent == np.arange(n)
    ptr = np.where(parent >= 0, parent, np.arange(n))
    end, depth = pointer_jump(ptr, stop | (parent < 0), np.where(stop, 0.0, 1.0))
    for x in range(n):
        y, d = x, 0
        while ptr[y] != y:
            y, d = ptr[y], d + 1
        assert end[x] == y and depth[x] == d
    with pytest.raises(ValueError, match="cycle"):
        pointer_jump(np.array([1, 2, 0, 3]), np.array([False, False, False, True]))


def test_position_key_is_one_centimetre() -> None:
    x = np.array([250_000.001, 250_000.004, 250_000.02, 250_000.001])
    y = np.array([6_800_000.0, 6_800_000.0, 6_800_000.0, 6_800_000.012])
    k = position_key(x, y)
    assert k[0] == k[1]  # 3 mm apart: the same centimetre
    assert len(set(k.tolist())) == 3  # 2 cm along x, 1.2 cm along y: different
    assert k.dtype == np.int64
