"""The FTTH design: zones partition the premises, rules hold or are flagged, fibres are conserved
along valid trees, the BOM adds up, the same seed gives the same network, bad input is listed."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from bthd import ValidationError
from bthd.network.design import design
from bthd.network.routing import cable_size
from bthd.network.steiner import check_tree_csr
from bthd.network.zoning import partition_tree
from bthd.region import Region
from bthd.settings import ARCEP


@pytest.fixture(scope="module")
def des(lamballe):
    return design(lamballe, polygons=False)


# --- partition_tree on hand-made trees ------------------------------------------------------------


def test_partition_of_a_star_respects_max_and_keeps_every_item():
    # root 0 with 5 children of 300 locaux each: zones of at most 1000 meeting at the root
    parent = np.array([-1, 0, 0, 0, 0, 0])
    order = np.array([5, 4, 3, 2, 1, 0])
    item_node = np.array([1, 2, 3, 4, 5])
    item_load = np.full(5, 300.0)
    p = partition_tree(order, parent, item_node, item_load, min_load=300, target=600, max_load=1000)
    assert (p.zone_of_item >= 0).all()
    assert p.zone_load.sum() == 1500 and (p.zone_load <= 1000).all()
    assert (p.zone_load >= 300).all()


def test_partition_of_a_chain_cuts_at_target_and_is_contiguous():
    n = 30
    parent = np.r_[-1, np.arange(n - 1)]  # 0 ← 1 ← 2 ... a road from the NRO
    order = np.arange(n)[::-1]
    item_node = np.repeat(np.arange(n), 3)
    item_load = np.full(len(item_node), 10.0)  # 30 locaux per node
    p = partition_tree(order, parent, item_node, item_load, min_load=100, target=200, max_load=400)
    for z in np.unique(p.zone_of_node):
        nodes = np.flatnonzero(p.zone_of_node == z)
        assert np.all(np.diff(nodes) == 1)  # a contiguous stretch of the road
    assert (p.zone_load[:-1] >= 200).all()  # only the root's remainder may be small


def test_partition_splits_a_building_larger_than_the_maximum():
    parent = np.array([-1, 0])
    p = partition_tree(
        np.array([1, 0]),
        parent,
        np.array([1, 1, 1]),
        np.array([30.0, 4, 4]),
        min_load=3,
        target=12,
        max_load=12,
    )
    assert p.zone_load.max() == 30  # the building keeps its own PBO, flagged by the caller
    assert (p.zone_of_item >= 0).all()


def test_span_limit_cuts_far_subtrees():
    parent = np.array([-1, 0, 1])
    edge_len = np.array([0.0, 100.0, 5000.0])
    p = partition_tree(
        np.array([2, 1, 0]),
        parent,
        np.array([1, 2]),
        np.array([5.0, 5.0]),
        min_load=1,
        target=100,
        max_load=100,
        edge_len=edge_len,
        max_span=1000,
    )
    assert p.zone_of_item[0] != p.zone_of_item[1]


# --- the design of a real-shaped area ---------------------------------------------------------


def test_every_premise_served_once_and_zones_nest(des, lamballe):
    p = des.premises
    assert len(p) == len(lamballe.premises)
    served = p["pbo_id"].notna()
    assert served.all() == (des.issues["issue"].str.startswith("no road").sum() == 0)
    assert (p["pm_id"].notna() == served).all() and (p["nro_id"].notna() == served).all()
    sites = des.sites.set_index("site_id")
    # a premise's PBO hangs on its PM, its PM on its NRO
    assert (
        sites.loc[p.loc[served, "pbo_id"], "parent_id"].to_numpy()
        == p.loc[served, "pm_id"].to_numpy()
    ).all()
    assert (
        sites.loc[p.loc[served, "pm_id"], "parent_id"].to_numpy()
        == p.loc[served, "nro_id"].to_numpy()
    ).all()
    # lines are conserved at every level
    loc = p["logements"] + p["locaux_pro"]
    for kind, col in (("NRO", "nro_id"), ("PM", "pm_id"), ("PBO", "pbo_id")):
        counted = loc.groupby(p[col]).sum()
        cap = sites[sites["site_type"] == kind]["capacity"]
        assert (cap.loc[counted.index].to_numpy() == counted.to_numpy()).all(), kind
    assert int(loc[served].sum()) == int(des.cost_by_pm["lines"].sum())


def test_pm_zones_within_bounds_or_flagged(des):
    pm = des.sites[des.sites["site_type"] == "PM"]
    out = (pm["capacity"] < ARCEP.pm_min_lines_remote) | (pm["capacity"] > ARCEP.pm_max_lines)
    assert (pm.loc[out, "flag"] != "").all()
    assert (pm.loc[~out, "flag"] == "").all()
    assert (pm["capacity"] <= ARCEP.pm_max_lines).all()  # the synthetic tree always allows it
    pbo = des.sites[des.sites["site_type"] == "PBO"]
    big = pbo["capacity"] > ARCEP.pbo_max_locaux
    assert (pbo.loc[big, "flag"] == "building larger than a PBO").all()


def test_pm_zones_are_contiguous_on_the_roads(des):
    net, z = des.net, des.zoning
    zone = z.pm_zone_of_node
    site = z.pm["node"].to_numpy()
    for j in range(0, len(z.pm), 7):
        nodes = np.r_[np.flatnonzero(zone == j), site[j]]
        keep = np.isin(net.u, nodes) & np.isin(net.v, nodes)
        g = sparse.coo_matrix(
            (np.ones(keep.sum()), (net.u[keep], net.v[keep])), shape=(net.n_nodes,) * 2
        )
        _, lab = csgraph.connected_components(g, directed=False)
        assert len(np.unique(lab[nodes])) == 1, z.pm["site_id"].iloc[j]


def test_trees_valid_and_fibres_conserved(des):
    net = des.net
    c = des.routing.cables
    z = des.zoning
    for seg, sites in (("TR", z.nro), ("DI", z.pm)):
        for tree_id, root in zip(sites["site_id"], sites["node"], strict=True):
            t = c[(c["segment"] == seg) & (c["tree"] == tree_id)]
            if seg == "TR":
                terms = z.pm.loc[z.pm["parent_id"] == tree_id, "node"].to_numpy()
            else:
                terms = z.pbo.loc[z.pbo["parent_id"] == tree_id, "node"].to_numpy()
            check_tree_csr(net.n_nodes, net.u, net.v, np.r_[root, terms], t["edge"].to_numpy())
            # at every node: fibres in = fibres out + demand there (never negative)
            fin = t.groupby("to_node")["fibres"].sum()
            fout = t.groupby("from_node")["fibres"].sum()
            nodes = set(fin.index) | set(fout.index)
            for n in nodes:
                if n == root:
                    continue
                assert fin.get(n, 0) >= fout.get(n, 0)
            total = t.loc[t["from_node"] == root, "fibres"].sum()
            if seg == "DI":
                assert (
                    total
                    == z.pbo.loc[
                        (z.pbo["parent_id"] == tree_id) & (z.pbo["node"] != root), "lines"
                    ].sum()
                )
    # each section's cable holds its fibres with the spare
    assert (c["cable_size"] * c["n_cables"] >= np.ceil(c["fibres"] * 1.2)).all()


def test_cable_sizes_from_the_standard_list():
    size, n = cable_size(
        np.array([1, 6, 7, 100, 720, 721, 2000]),
        (6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720),
    )
    assert size.tolist() == [6, 6, 12, 144, 720, 432, 720]
    assert n.tolist() == [1, 1, 1, 1, 1, 2, 3]


def test_bom_adds_up(des):
    bom = des.bom
    parts = bom[bom["item"] != "total"]["cost_eur"].sum()
    assert parts == pytest.approx(des.total_cost, abs=0.05)
    assert des.cost_by_pm["total"].sum() == pytest.approx(des.total_cost, rel=1e-9, abs=1.0)
    drops = bom.loc[bom["category"] == "drops"]
    assert drops["quantity"].iloc[0] == des.cost_by_pm["lines"].sum()
    trench = bom[bom["item"].str.startswith("trench")]
    used = np.unique(des.routing.cables["edge"])
    assert trench["quantity"].sum() == pytest.approx(des.net.length[used].sum() / 1000, abs=0.01)
    cpp = des.cost_per_prise()
    assert 500 < cpp < 3000 and des.cost_per_prise(drops=True) > cpp


def test_same_seed_same_design(lamballe, des):
    again = design(lamballe, polygons=False)
    pd.testing.assert_frame_equal(again.bom, des.bom)
    assert (again.premises["pbo_id"] == des.premises["pbo_id"]).all()
    pd.testing.assert_frame_equal(again.routing.cables, des.routing.cables)


def test_graph_on_geodata(des):
    G = des.graph()
    kinds = nx.get_node_attributes(G, "kind")
    assert {"NRO", "PM", "PBO"} <= set(kinds.values())
    assert all("geometry" in d for _, d in G.nodes(data=True))
    types = {d["link_type"] for _, _, d in G.edges(data=True)}
    assert types == {"TR", "DI"}


def test_within_commune_keeps_pm_zones_in_one_commune(lamballe):
    d = design(lamballe, within="commune", polygons=False, rounds=0)
    p = d.premises[d.premises["pm_id"].notna()]
    per_pm = p.groupby("pm_id")["insee_code"].nunique()
    assert (per_pm == 1).mean() > 0.97  # a PM site at a border junction may take a few across


# --- bad input ---------------------------------------------------------------------------------


def test_premises_outside_every_commune_are_listed(lamballe):
    p = lamballe.premises.copy()
    p.loc[p.index[:2], "geometry"] = [shapely.Point(0, 0), shapely.Point(1, 1)]
    bad = replace(lamballe, premises=p)
    with pytest.raises(ValidationError, match="premises outside every commune") as e:
        design(bad, polygons=False)
    assert p["premise_id"].iloc[0] in str(e.value)


def test_disconnected_roads_are_flagged_not_dropped(lamballe):
    # cut the road network around one commune: its premises get their own NRO, flagged
    code = lamballe.communes.sort_values("locaux")["insee_code"].iloc[0]
    e = lamballe.road_edges
    inside = e["insee_code"] == code
    nodes_in = set(e.loc[inside, "u"]) | set(e.loc[inside, "v"])
    crossing = ~inside & (e["u"].isin(nodes_in) | e["v"].isin(nodes_in))
    cut = replace(lamballe, road_edges=e[~crossing].reset_index(drop=True), _graph=None)
    d = design(cut, polygons=False, rounds=0)
    assert d.premises["pbo_id"].notna().all()
    flagged = d.issues[d.issues["kind"].isin(["NRO", "PM"])]
    assert flagged["count"].sum() >= 1
    assert flagged["items"].str.contains("NRO-|PM-").all()


def test_region_without_roads_is_refused(lamballe):
    with pytest.raises(Exception, match="needs premises and roads"):
        design(replace(lamballe, road_edges=None), polygons=False)


def test_region_round_trip_designs_the_same(lamballe, tmp_path, des):
    back = Region.from_file(lamballe.to_gpkg(tmp_path / "r.gpkg"))
    d = design(back, polygons=False)
    assert d.total_cost == pytest.approx(des.total_cost, rel=1e-6)
