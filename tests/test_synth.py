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
from bthd.settings import SYNTH
from bthd.synth import _roads, _settlements


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


def _steps_inputs(communes):
    polys = communes.geometry.to_numpy()
    shapely.prepare(polys)
    cx = communes["centre_x"].to_numpy(float)
    cy = communes["centre_y"].to_numpy(float)
    return polys, cx, cy


def test_bourg_step_keeps_every_local_on_a_street_of_its_commune(square_communes):
    # a town large enough for collective buildings (which hold 4 to 30 dwellings)
    com = square_communes.assign(locaux=[20_000, 330])
    polys, cx, cy = _steps_inputs(com)
    n_bourg = np.array([15_000, 200])
    roads = _roads.Roads()
    bg = _settlements.bourgs(
        polys, cx, cy, com["locaux"].to_numpy(), n_bourg, SYNTH, np.random.default_rng(1), roads
    )
    rows = {k: np.concatenate([r[k] for r in bg.rows]) for k in bg.rows[0]}
    assert np.bincount(rows["commune"], weights=rows["locaux"]).tolist() == [15_000, 200]
    assert rows["locaux"].max() > 1 and rows["locaux"].max() <= 30 and rows["bourg"].all()
    # the streets stay inside their commune and every address stands on one of them
    x0, y0, x1, y1, _, commune = roads.arrays()
    assert shapely.contains_xy(polys[commune], x0, y0).all()
    assert shapely.contains_xy(polys[commune], x1, y1).all()
    streets = shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
    feet = shapely.points(rows["ax"], rows["ay"])
    near = shapely.STRtree(streets).query_nearest(feet, return_distance=True)[1]
    assert near.max() < 1e-6
    setback = shapely.distance(shapely.points(rows["x"], rows["y"]), feet)
    assert np.allclose(setback, SYNTH.setback_m)


def test_hamlet_and_spur_steps_share_the_dispersed_locaux(square_communes):
    polys, cx, cy = _steps_inputs(square_communes)
    rng = np.random.default_rng(2)
    roads = _roads.Roads()
    n_bourg = np.array([500, 100])
    bg = _settlements.bourgs(
        polys, cx, cy, square_communes["locaux"].to_numpy(), n_bourg, SYNTH, rng, roads
    )
    dispersed = square_communes["locaux"].to_numpy() - n_bourg
    ham = _settlements.hamlets(polys, cx, cy, dispersed, bg.grid_nodes, SYNTH, rng)
    assert np.bincount(ham.commune, weights=ham.size).tolist() == dispersed.tolist()
    assert (ham.size >= 1).all()
    assert shapely.contains_xy(polys[ham.commune], ham.x, ham.y).all()
    before = len(roads.arrays()[0])
    houses = _settlements.spurs(ham, SYNTH, rng, roads)
    # one house per local, each in its hamlet's commune, anchored at its hamlet's centre
    assert len(houses["x"]) == ham.size.sum()
    assert (ham.commune[houses["settlement"]] == houses["commune"]).all()
    assert np.allclose(houses["ax"], ham.x[houses["settlement"]])
    # every hamlet has a spur street starting at its centre
    x0, y0 = (a[before:] for a in roads.arrays()[:2])
    assert set(zip(x0, y0, strict=True)) == set(zip(ham.x, ham.y, strict=True))
