"""The synthetic generator conserves locaux, is deterministic, and builds a connected road graph."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from bthd import data, synth
from bthd.schema import validate


def _components(nodes, edges):
    n = len(nodes)
    g = sparse.coo_matrix((np.ones(len(edges)), (edges["u"], edges["v"])), shape=(n, n))
    return csgraph.connected_components(g, directed=False)


def test_locaux_conserved_per_commune(square_communes):
    sy = synth.generate(square_communes, seed=1)
    p = sy.premises
    per = (p["logements"] + p["locaux_pro"]).groupby(p["insee_code"]).sum()
    assert per.to_dict() == {"22901": 820, "22902": 330}
    assert p.groupby("insee_code")["locaux_pro"].sum().to_dict() == {"22901": 40, "22902": 10}
    assert p["synthetic"].all() and sy.road_edges["synthetic"].all()
    assert sy.copper_sites["synthetic"].all()
    validate(p, "premises")
    validate(sy.road_edges, "roads")
    validate(sy.copper_sites, "sites")


def test_premises_inside_their_commune(square_communes):
    sy = synth.generate(square_communes, seed=3)
    polys = square_communes.set_index("insee_code").geometry
    geoms = polys.loc[sy.premises["insee_code"]].to_numpy()
    assert shapely.contains(geoms, sy.premises.geometry.to_numpy()).all()


def test_same_seed_same_output_other_seed_differs(square_communes):
    a = synth.generate(square_communes, seed=7)
    b = synth.generate(square_communes, seed=7)
    c = synth.generate(square_communes, seed=8)
    pd.testing.assert_frame_equal(
        a.premises.drop(columns="geometry"), b.premises.drop(columns="geometry")
    )
    assert a.premises.geometry.geom_equals_exact(b.premises.geometry, 0).all()
    assert a.road_edges["length"].sum() == b.road_edges["length"].sum()
    assert not np.allclose(
        a.premises.geometry.x.to_numpy()[:50], c.premises.geometry.x.to_numpy()[:50]
    )


def test_road_graph_connected_and_noded(square_communes):
    sy = synth.generate(square_communes, seed=1)
    n, _ = _components(sy.road_nodes, sy.road_edges)
    assert n == 1
    e = sy.road_edges
    assert (e["u"] != e["v"]).all() and (e["length"] > 0).all()
    # edge lengths are the lengths of their geometries; ends are the nodes' positions
    assert np.allclose(e["length"], e.length, atol=0.01)
    nodes = sy.road_nodes.set_index("node_id")
    start = shapely.get_point(e.geometry.to_numpy(), 0)
    assert np.allclose(shapely.get_x(start), nodes.loc[e["u"], "x"].to_numpy(), atol=0.01)
    # no duplicated undirected edge
    key = np.minimum(e["u"], e["v"]) * len(nodes) + np.maximum(e["u"], e["v"])
    assert key.is_unique


def test_every_premise_has_an_nra_and_sr_lines_add_up(square_communes):
    sy = synth.generate(square_communes, seed=1)
    p, sites = sy.premises, sy.copper_sites
    nras = set(sites.loc[sites["site_type"] == "NRA", "site_id"])
    assert set(p["nra_id"]) <= nras and p["nra_id"].notna().all()
    srs = sites[sites["site_type"] == "SR"].set_index("site_id")
    lines = (p["logements"] + p["locaux_pro"]).groupby(p["sr_id"]).sum()
    assert lines.to_dict() == srs.loc[lines.index, "capacity"].to_dict()
    # an SR hangs on the NRA its premises are attached to
    pair = p.dropna(subset=["sr_id"]).drop_duplicates("sr_id").set_index("sr_id")["nra_id"]
    assert (srs.loc[pair.index, "nra_id"] == pair).all()


def test_islands_stay_islands_mainland_is_connected():
    c = data.load_communes()
    sub = c[c["departement"] == "29"]
    sy = synth.generate(sub, seed=5)
    n, lab = _components(sy.road_nodes, sy.road_edges)
    # mainland Finistère + Ouessant, Molène, Sein, Batz
    assert n == 5
    big = np.argmax(np.bincount(lab))
    off = sy.road_edges[lab[sy.road_edges["u"]] != big]
    names = set(c.set_index("insee_code").loc[off["insee_code"].unique(), "name"])
    assert names == {"Ouessant", "Île-Molène", "Île-de-Sein", "Île-de-Batz"}


def test_realism_table_rises_with_size(lamballe):
    t = synth.realism_table(
        synth.SyntheticRegion(
            lamballe.premises, lamballe.road_nodes, lamballe.road_edges, lamballe.sites
        ),
        lamballe.communes,
    )
    rows = t[t["communes"] > 0].set_index("commune size (locaux)")
    assert rows.loc["total", "locaux"] == 42_395
    small, big = rows.iloc[0], rows.iloc[-2]
    assert small["bourg_share"] < big["bourg_share"]
    assert small["road_m_per_local"] > big["road_m_per_local"]


def test_no_commune_is_an_error(square_communes):
    with pytest.raises(ValueError, match="no commune"):
        synth.generate(square_communes, zone_types=("AMII",))
