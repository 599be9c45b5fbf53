"""partition_tree on small trees with known answers: the zone bounds hold (a remainder below the
minimum joins a neighbour with room, never pushing it above the maximum), and every zone's site is
the head of its zone, so each premise hangs below its site (its drop is a difference of depths)."""

from __future__ import annotations

import numpy as np
import pytest

from bthd.network.zoning import Partition, partition_tree

PBO = {"min_load": 3, "target": 12, "max_load": 12}


def _order(parent: np.ndarray) -> np.ndarray:
    """Children before parents, for trees whose parents have smaller indices."""
    return np.arange(len(parent))[::-1]


def _check_heads(p: Partition, parent: np.ndarray, item_node: np.ndarray) -> None:
    """Every node of a zone reaches its site through nodes of the same zone only."""
    for v in np.flatnonzero(p.zone_of_node >= 0):
        z = p.zone_of_node[v]
        if v == p.zone_site[z]:
            continue
        u = parent[v]
        assert u >= 0, f"node {v} of zone {z} is a root but not the zone's site"
        assert u == p.zone_site[z] or p.zone_of_node[u] == z, f"zone {z} not headed at its site"
    # an item is in its node's zone, or in a zone packed at its node (a large building)
    own = p.zone_of_item == p.zone_of_node[item_node]
    assert (own | (p.zone_site[p.zone_of_item] == item_node)).all()


def test_a_small_child_remainder_never_pushes_a_pbo_above_its_maximum() -> None:
    # node 1 holds 11 locaux, its child 2 a remainder of 2: one PBO of 13 before the fix
    parent = np.array([-1, 0, 1])
    item_node = np.r_[np.full(11, 1), np.full(2, 2)]
    p = partition_tree(_order(parent), parent, item_node, np.ones(13), **PBO)
    assert sorted(p.zone_load.tolist()) == [2, 11]
    assert (p.zone_of_item >= 0).all()
    # the remainder has its own PBO where it meets node 1, the 11 locaux theirs at the root
    small = int(np.argmin(p.zone_load))
    assert p.zone_site[small] == 1 and set(p.zone_of_item[11:]) == {small}
    assert p.zone_site[1 - small] == 0 and set(p.zone_of_item[:11]) == {1 - small}
    _check_heads(p, parent, item_node)


def test_a_remainder_joining_a_zone_below_it_brings_the_site_up() -> None:
    # 10 locaux at node 1 make a zone; the root's single local joins it: the site moves to the
    # root, so the root's premise does not hang above its PBO (a negative drop before the fix)
    parent = np.array([-1, 0])
    item_node = np.r_[0, np.full(10, 1)]
    p = partition_tree(
        np.array([1, 0]), parent, item_node, np.ones(11), min_load=3, target=10, max_load=12
    )
    assert p.zone_site.tolist() == [0]
    assert p.zone_load.tolist() == [11]
    _check_heads(p, parent, item_node)


def test_a_remainder_on_a_sibling_branch_meets_the_zone_at_their_junction() -> None:
    # branches 1 (10 locaux) and 2 (1 local) meet at the root 0
    parent = np.array([-1, 0, 0])
    item_node = np.r_[np.full(10, 1), 2]
    p = partition_tree(
        _order(parent), parent, item_node, np.ones(11), min_load=3, target=10, max_load=12
    )
    assert p.zone_site.tolist() == [0] and p.zone_load.tolist() == [11]
    _check_heads(p, parent, item_node)


@pytest.mark.parametrize(("climb", "zones"), [(100.0, [11]), (200.0, [1, 10])])
def test_moving_a_site_up_stays_within_the_span(climb: float, zones: list[int]) -> None:
    parent = np.array([-1, 0])
    item_node = np.r_[0, np.full(10, 1)]
    p = partition_tree(
        np.array([1, 0]),
        parent,
        item_node,
        np.ones(11),
        min_load=3,
        target=10,
        max_load=12,
        edge_len=np.array([0.0, climb]),
        max_span=150.0,
    )
    assert sorted(p.zone_load.tolist()) == zones
    _check_heads(p, parent, item_node)


def test_a_root_remainder_merges_with_a_zone_further_down() -> None:
    # chain 0 - 1 - 2 - 3: 8 locaux at 3 (a zone), 1 at node 1; node 2 holds nothing
    parent = np.array([-1, 0, 1, 2])
    item_node = np.r_[1, np.full(8, 3)]
    p = partition_tree(
        _order(parent), parent, item_node, np.ones(9), min_load=3, target=8, max_load=12
    )
    assert p.zone_site.tolist() == [0] and p.zone_load.tolist() == [9]
    _check_heads(p, parent, item_node)


def test_a_forced_head_and_the_maximum_keep_a_remainder_apart() -> None:
    parent = np.array([-1, 0, 1, 2])
    item_node = np.r_[1, np.full(8, 3)]
    forced = np.array([False, False, False, True])
    kw = {"min_load": 3, "target": 8, "max_load": 12}
    p = partition_tree(_order(parent), parent, item_node, np.ones(9), forced=forced, **kw)
    assert sorted(p.zone_load.tolist()) == [1, 8]
    item_node = np.r_[1, np.full(12, 3)]
    p = partition_tree(_order(parent), parent, item_node, np.ones(13), **kw)
    assert sorted(p.zone_load.tolist()) == [1, 12]
    _check_heads(p, parent, item_node)


@pytest.mark.parametrize(
    ("yield_span", "zones"), [(None, [5, 5]), (4000.0, [5, 5]), (6000.0, [10])]
)
def test_for_pm_zones_the_span_yields_to_the_minimum(
    yield_span: float | None, zones: list[int]
) -> None:
    # a far branch of 5 locaux 5 km beyond node 1 (5 locaux): cut for its span it leaves two
    # zones below the minimum of 8; when the span yields (up to 6 km, not 4), one zone of 10
    # headed at node 1
    parent = np.array([-1, 0, 1])
    item_node = np.r_[np.full(5, 1), np.full(5, 2)]
    p = partition_tree(
        _order(parent),
        parent,
        item_node,
        np.ones(10),
        min_load=8,
        target=100,
        max_load=100,
        edge_len=np.array([0.0, 100.0, 5000.0]),
        max_span=1000.0,
        yield_span=yield_span,
    )
    assert sorted(p.zone_load.tolist()) == zones
    if yield_span == 6000.0:
        assert p.zone_site.tolist() == [1]
    _check_heads(p, parent, item_node)


@pytest.mark.parametrize("seed", range(6))
def test_random_trees_keep_bounds_and_heads(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    parent = np.r_[-1, [int(rng.integers(0, i)) for i in range(1, n)]]
    edge_len = np.r_[0.0, rng.uniform(5.0, 80.0, n - 1)]
    item_node = rng.integers(0, n, 900)
    item_load = rng.choice([1.0, 1.0, 1.0, 2.0, 20.0], size=900, p=[0.5, 0.2, 0.2, 0.09, 0.01])
    forced = rng.random(n) < 0.02
    for kw in (
        {"min_load": 3, "target": 12, "max_load": 12, "max_span": 150.0},
        {"min_load": 60, "target": 120, "max_load": 200, "max_span": 400.0, "yield_span": np.inf},
    ):
        p = partition_tree(
            _order(parent),
            parent,
            item_node,
            item_load,
            forced=forced,
            edge_len=edge_len,
            **kw,  # type: ignore[arg-type]
        )
        assert (p.zone_of_item >= 0).all()
        assert p.zone_load.sum() == pytest.approx(item_load.sum())
        # above the maximum only a zone made of one item larger than a zone
        big = np.flatnonzero(p.zone_load > kw["max_load"])
        for z in big:
            members = item_load[p.zone_of_item == z]
            assert len(members) == 1 and members[0] > kw["max_load"]
        _check_heads(p, parent, item_node)
        # a zone below the minimum has no neighbour above it it could join: the zone holding
        # its site (or its site's parent) is too full, or the site is a forced head or a root
        loads = p.zone_load
        for z in np.flatnonzero(loads < kw["min_load"]):
            s = p.zone_site[z]
            holder = p.zone_of_node[s]
            above = holder if holder != z else (p.zone_of_node[parent[s]] if parent[s] >= 0 else -1)
            if above < 0 or (holder == z and forced[s]) or "yield_span" not in kw:
                continue  # (PBO zones may also be kept apart by their span)
            assert loads[z] + loads[above] > kw["max_load"]
