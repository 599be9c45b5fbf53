"""bthd.network.steiner: valid trees, exact optima on small graphs, errors, determinism."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from bthd.io.pace import read_pace
from bthd.network.steiner import (
    InvalidTreeError,
    SteinerError,
    UnreachableTerminalsError,
    check_tree,
    check_tree_csr,
    steiner_tree,
    steiner_tree_csr,
    terminal_components,
)

DATA = Path(__file__).parent / "data"
VIENNA_009_OPTIMUM = 15_841_596
# Largest gap to the optimum the solver may leave on instance009. Measured (seed 2154, default
# settings, rounds 0, 1 and 6 alike): 0.0048 % (cost 15,842,357). Mehlhorn's construction alone
# (improve=False) is 2.35 % off and networkx's Mehlhorn heuristic 3.34 %: the bound sits just
# above what the local search achieves, so that a regression to Mehlhorn-quality trees fails.
VIENNA_009_MAX_GAP = 0.0005  # 0.05 %


# ----------------------------------------------------------------------------- helpers


def brute_force(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, terms: list[int]) -> float:
    """Exact optimum: the best minimum spanning tree over terminals plus any Steiner set."""
    others = [x for x in range(n) if x not in terms]
    best = np.inf
    for k in range(len(others) + 1):
        for extra in itertools.combinations(others, k):
            keep = set(terms) | set(extra)
            G = nx.Graph()
            G.add_nodes_from(keep)
            for a, b, c in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
                if (
                    a in keep
                    and b in keep
                    and a != b
                    and (not G.has_edge(a, b) or G[a][b]["weight"] > c)
                ):
                    G.add_edge(a, b, weight=c)
            if nx.is_connected(G):
                best = min(best, nx.minimum_spanning_tree(G).size(weight="weight"))
    return float(best)


def random_instance(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """A connected random graph (a random spanning tree plus extra edges) with integer weights."""
    perm = rng.permutation(n)
    a = [int(perm[i]) for i in range(1, n)]
    b = [int(perm[rng.integers(0, i)]) for i in range(1, n)]
    extra = int(rng.integers(n // 2, 2 * n))
    a += rng.integers(0, n, extra).tolist()
    b += rng.integers(0, n, extra).tolist()
    u = np.array(a)
    v = np.array(b)
    w = rng.integers(0, 10, len(u)).astype(float)  # zeros and parallel edges on purpose
    terms = np.sort(rng.choice(n, int(rng.integers(2, min(6, n) + 1)), replace=False))
    return u, v, w, terms


def star_with_ring() -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three terminals on a ring (sides 1.9) around a Steiner centre (spokes 1): optimum 3."""
    u = np.array([0, 0, 0, 1, 2, 3])
    v = np.array([1, 2, 3, 2, 3, 1])
    w = np.array([1.0, 1.0, 1.0, 1.9, 1.9, 1.9])
    return 4, u, v, w, np.array([1, 2, 3])


# ----------------------------------------------------------------------------- core


def test_steiner_point_is_used() -> None:
    n, u, v, w, t = star_with_ring()
    res = steiner_tree_csr(n, u, v, w, t)
    assert res.cost == pytest.approx(3.0)
    np.testing.assert_array_equal(res.edges, [0, 1, 2])
    np.testing.assert_array_equal(res.nodes, [0, 1, 2, 3])
    check_tree_csr(n, u, v, t, res.edges)


@pytest.mark.parametrize("improve", [True, False])
def test_exact_on_random_small_graphs(improve: bool) -> None:
    rng = np.random.default_rng(20240607)
    misses = 0
    for _ in range(40):
        n = int(rng.integers(4, 10))
        u, v, w, t = random_instance(rng, n)
        res = steiner_tree_csr(n, u, v, w, t, improve=improve)
        check_tree_csr(n, u, v, t, res.edges)
        assert res.cost == pytest.approx(float(w[res.edges].sum()))
        best = brute_force(n, u, v, w, t.tolist())
        assert res.cost >= best - 1e-9
        misses += res.cost > best + 1e-9
    if improve:
        assert misses == 0
    else:
        assert misses <= 10  # the construction alone is a heuristic


def test_grid_with_many_terminals_is_valid_and_tight() -> None:
    # 12 x 12 grid, unit weights, terminals on a coarse lattice: a tree needs >= T - 1 edges
    k = 12
    idx = np.arange(k * k).reshape(k, k)
    u = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    v = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    w = np.ones(len(u))
    t = idx[::3, ::3].ravel()
    res = steiner_tree_csr(k * k, u, v, w, t)
    check_tree_csr(k * k, u, v, t, res.edges)
    # a comb joins the 16 terminals with 3*(4*3) + 3*3 = 45 unit edges; nothing is shorter
    # than the rectilinear Steiner minimum tree, here 45 as well
    assert res.cost == pytest.approx(45.0)


def test_reductions_zero_edges_chains_parallel_edges_and_loops() -> None:
    # 0 -zero- 1 -2- 2 -2- 3 (chain) ... 3 -1- 4 ; parallel 0-4 (9 and 7) ; loop at 2 ; leaf 5
    u = np.array([0, 1, 2, 3, 0, 0, 2, 3])
    v = np.array([1, 2, 3, 4, 4, 4, 2, 5])
    w = np.array([0.0, 2.0, 2.0, 1.0, 9.0, 7.0, 1.0, 4.0])
    t = np.array([0, 4])
    res = steiner_tree_csr(6, u, v, w, t)
    assert res.cost == pytest.approx(5.0)
    np.testing.assert_array_equal(res.edges, [0, 1, 2, 3])
    # terminal leaf: its edge is fixed
    res = steiner_tree_csr(6, u, v, w, np.array([0, 5]))
    np.testing.assert_array_equal(res.edges, [0, 1, 2, 7])
    assert res.cost == pytest.approx(8.0)


def test_trivial_cases() -> None:
    u, v, w = np.array([0]), np.array([1]), np.array([2.0])
    one = steiner_tree_csr(3, u, v, w, [2])
    assert one.cost == 0 and len(one.edges) == 0
    np.testing.assert_array_equal(one.nodes, [2])
    none = steiner_tree_csr(3, u, v, w, [])
    assert none.cost == 0 and len(none.nodes) == 0
    pair = steiner_tree_csr(2, u, v, w, [0, 1, 1])
    np.testing.assert_array_equal(pair.edges, [0])


def test_same_seed_same_tree_and_inputs_untouched() -> None:
    rng = np.random.default_rng(7)
    u, v, w, _ = random_instance(rng, 300)
    t = np.sort(rng.choice(300, 40, replace=False))
    copies = [a.copy() for a in (u, v, w, t)]
    a = steiner_tree_csr(300, u, v, w, t, seed=3)
    b = steiner_tree_csr(300, u, v, w, t, seed=3)
    np.testing.assert_array_equal(a.edges, b.edges)
    assert a.cost == b.cost
    for orig, now in zip(copies, (u, v, w, t), strict=True):
        np.testing.assert_array_equal(orig, now)
    check_tree_csr(300, u, v, t, a.edges)


def test_options_rounds_and_time_limit() -> None:
    rng = np.random.default_rng(11)
    u, v, w, _ = random_instance(rng, 200)
    t = np.arange(0, 200, 9)
    full = steiner_tree_csr(200, u, v, w, t)
    quick = steiner_tree_csr(200, u, v, w, t, improve=False)
    none = steiner_tree_csr(200, u, v, w, t, rounds=0)
    timed = steiner_tree_csr(200, u, v, w, t, time_limit=0.0)
    for r in (full, quick, none, timed):
        check_tree_csr(200, u, v, t, r.edges)
    assert full.cost <= none.cost <= quick.cost
    assert timed.stats["rounds"] == 0
    assert full.stats["reduced_nodes"] <= 200


def test_vienna_instance_within_0_05_percent_of_optimum() -> None:
    n, u, v, w, t = read_pace(DATA / "instance009.gr.gz")
    res = steiner_tree_csr(n, u, v, w, t)
    check_tree_csr(n, u, v, t, res.edges)
    gap = res.cost / VIENNA_009_OPTIMUM - 1
    assert 0 <= gap <= VIENNA_009_MAX_GAP
    # the construction alone (Mehlhorn) is 2.35 % above the optimum here: the bound fails it
    quick = steiner_tree_csr(n, u, v, w, t, improve=False)
    assert quick.cost / VIENNA_009_OPTIMUM - 1 > VIENNA_009_MAX_GAP


# ----------------------------------------------------------------------------- disconnected


def two_parts() -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    # part A: 0-1-2-3 ; part B: 4-5 ; node 6 isolated
    u = np.array([0, 1, 2, 4])
    v = np.array([1, 2, 3, 5])
    w = np.array([1.0, 1.0, 1.0, 2.0])
    return 7, u, v, w


def test_unreachable_terminals_are_listed() -> None:
    n, u, v, w = two_parts()
    with pytest.raises(UnreachableTerminalsError) as info:
        steiner_tree_csr(n, u, v, w, [0, 3, 2, 4, 5, 6])
    err = info.value
    assert isinstance(err, ValueError)
    assert sorted(err.unreachable) == [4, 5, 6]
    assert err.groups == [[0, 2, 3], [4, 5], [6]]
    assert "4, 5, 6" in str(err) and "on_unreachable='forest'" in str(err)
    assert [g.tolist() for g in terminal_components(n, u, v, [0, 3, 2, 4, 5, 6])] == [
        [0, 2, 3],
        [4, 5],
        [6],
    ]


def test_forest_per_component() -> None:
    n, u, v, w = two_parts()
    res = steiner_tree_csr(n, u, v, w, [0, 3, 4, 5, 6], on_unreachable="forest")
    assert res.n_components == 3
    np.testing.assert_array_equal(res.edges, [0, 1, 2, 3])
    assert res.cost == pytest.approx(5.0)
    np.testing.assert_array_equal(res.nodes, [0, 1, 2, 3, 4, 5, 6])


# ----------------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((3, [0, 1], [1], [1.0, 1.0], [0, 1]), "one entry per edge"),
        ((3, [0, 1], [1, 2], [1.0, -1.0], [0, 1]), "negative, infinite or NaN"),
        ((3, [0, 1], [1, 2], [1.0, np.nan], [0, 1]), "negative, infinite or NaN"),
        ((3, [0, 1], [1, 3], [1.0, 1.0], [0, 1]), r"v: 1 node numbers outside 0\.\.2 \(3\)"),
        ((3, [0, 1], [1, 2], [1.0, 1.0], [0, 7]), "terminals: 1 node numbers outside"),
        ((3, [0.5, 1], [1, 2], [1.0, 1.0], [0, 1]), "must be integers"),
        ((-1, [], [], [], []), "must be >= 0"),
    ],
)
def test_bad_arrays(args: tuple, match: str) -> None:
    with pytest.raises(SteinerError, match=match):
        steiner_tree_csr(*args)


def test_bad_options() -> None:
    n, u, v, w, t = star_with_ring()
    with pytest.raises(SteinerError, match="on_unreachable"):
        steiner_tree_csr(n, u, v, w, t, on_unreachable="ignore")  # type: ignore[arg-type]
    with pytest.raises(SteinerError, match="rounds"):
        steiner_tree_csr(n, u, v, w, t, rounds=-1)


# ----------------------------------------------------------------------------- check_tree


def test_check_tree_csr_lists_every_problem() -> None:
    n, u, v, _, t = star_with_ring()
    check_tree_csr(n, u, v, t, [3, 4])  # ring sides: a path through all terminals
    with pytest.raises(InvalidTreeError) as info:
        check_tree_csr(n, u, v, t, [3, 4, 5, 9, 3])
    msg = str(info.value)
    assert "edge indices not in the graph (1 row: 9)" in msg
    assert "edges chosen more than once (1 row: 3)" in msg
    assert "1 cycle" in msg
    with pytest.raises(InvalidTreeError, match=r"3 pieces; terminals outside the largest piece"):
        check_tree_csr(n, u, v, t, [0])
    with pytest.raises(InvalidTreeError, match="terminals outside"):
        check_tree_csr(n, u, v, t, [])


# ----------------------------------------------------------------------------- networkx


def road_multidigraph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="EPSG:2154")
    G.add_node("a", x=0.0, y=0.0)
    G.add_node("b", x=100.0, y=0.0)
    G.add_node("c", x=200.0, y=0.0)
    G.add_node("d", x=100.0, y=100.0)
    G.add_edge("a", "b", length=100.0, name="rue A")
    G.add_edge("b", "a", length=100.0, name="rue A")
    G.add_edge("a", "b", length=80.0, name="chemin")  # parallel, cheaper
    G.add_edge("b", "c", length=100.0, name="rue B")
    G.add_edge("c", "b", length=100.0, name="rue B")
    G.add_edge("b", "d", length=100.0, name="rue C")
    G.add_edge("a", "c", length=500.0, name="détour")
    return G


def test_networkx_wrapper_multidigraph() -> None:
    G = road_multidigraph()
    before = copy.deepcopy(G)
    T = steiner_tree(G, ["a", "c", "d"])
    assert isinstance(T, nx.Graph) and not T.is_directed() and not T.is_multigraph()
    assert sorted(T.edges()) == [("a", "b"), ("b", "c"), ("b", "d")]
    assert T["a"]["b"]["name"] == "chemin" and T["a"]["b"]["length"] == 80.0
    assert T.nodes["d"] == {"x": 100.0, "y": 100.0}
    assert T.graph["steiner_cost"] == pytest.approx(280.0)
    assert T.graph["crs"] == "EPSG:2154"
    check_tree(G, T, ["a", "c", "d"])
    # the input is untouched, and the tree's attributes are copies
    assert nx.utils.graphs_equal(G, before)
    T["a"]["b"]["name"] = "changed"
    assert G["a"]["b"][1]["name"] == "chemin"


def test_networkx_wrapper_errors() -> None:
    G = road_multidigraph()
    with pytest.raises(SteinerError, match=r"1 terminal not in the graph: 'z'"):
        steiner_tree(G, ["a", "z"])
    H = nx.Graph()
    H.add_edge(1, 2, length=3.0)
    H.add_edge(2, 3)
    with pytest.raises(SteinerError, match=r"1 edge without a 'length' attribute \(2-3\)"):
        steiner_tree(H, [1, 3])
    H[2][3]["length"] = -1.0
    with pytest.raises(SteinerError, match="negative or missing 'length'"):
        steiner_tree(H, [1, 3])
    H[2][3]["length"] = 1.0
    H.add_edge(10, 11, length=1.0)
    with pytest.raises(UnreachableTerminalsError) as info:
        steiner_tree(H, [1, 3, 10])
    assert info.value.unreachable == [10]
    F = steiner_tree(H, [1, 3, 10, 11], on_unreachable="forest")
    assert sorted(map(sorted, F.edges())) == [[1, 2], [2, 3], [10, 11]]


def test_networkx_same_seed_same_tree() -> None:
    G = nx.grid_2d_graph(8, 8)
    rng = np.random.default_rng(5)
    for a, b in G.edges():
        G[a][b]["length"] = float(rng.integers(1, 20))
    terms = [(0, 0), (7, 7), (0, 7), (7, 0), (3, 4), (5, 1)]
    T1 = steiner_tree(G, terms, seed=1)
    T2 = steiner_tree(G, terms, seed=1)
    assert sorted(T1.edges()) == sorted(T2.edges())
    check_tree(G, T1, terms)


def test_check_tree_networkx_problems() -> None:
    G = road_multidigraph()
    T = nx.Graph()
    T.add_edge("a", "c")  # a graph edge
    T.add_edge("c", "d")  # not a graph edge
    T.add_edge("d", "a")  # not a graph edge either; closes a cycle
    T.add_edge("x", "y")  # unknown nodes, second piece
    with pytest.raises(InvalidTreeError) as info:
        check_tree(G, T, ["a", "b", "q"])
    msg = str(info.value)
    assert "terminals not in the graph (1 row: q)" in msg
    assert "tree nodes not in the graph (2 rows: x, y)" in msg
    assert "tree edges not in the graph" in msg and "'c'-'d'" in msg
    assert "terminals not joined by the tree (1 row: b)" in msg
    assert "2 pieces" in msg
    C = nx.cycle_graph(4)
    with pytest.raises(InvalidTreeError, match="cycle"):
        check_tree(C, C.copy(), [0, 2])


# ----------------------------------------------------------------------------- bench command


def test_bench_command(tmp_path: Path) -> None:
    from bthd.cli import app

    inst = tmp_path / "instance009.gr.gz"
    inst.write_bytes((DATA / "instance009.gr.gz").read_bytes())
    (tmp_path / "optima.csv").write_text(f"file,optimum\ninstance009.gr.gz,{VIENNA_009_OPTIMUM}\n")
    out = tmp_path / "bench.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["bench", "steiner", str(inst), "--csv", str(out), "--rounds", "1"])
    assert res.exit_code == 0, res.output
    assert "instance009.gr.gz" in res.output and "Summary" in res.output
    import pandas as pd

    row = pd.read_csv(out).iloc[0]
    assert float(row["optimum"]) == VIENNA_009_OPTIMUM
    assert 0 <= float(row["gap_pct"]) <= 100 * VIENNA_009_MAX_GAP  # one round: 0.0048 %
    again = runner.invoke(app, ["bench", "steiner", str(inst), "--csv", str(out)])
    assert again.exit_code == 2 and "exists already" in again.output
    missing = runner.invoke(app, ["bench", "steiner", str(tmp_path / "nope.gr")])
    assert missing.exit_code == 2 and "not found" in missing.output
    helped = runner.invoke(app, ["bench", "steiner", "--help"])
    assert helped.exit_code == 0 and "--baseline" in helped.output
