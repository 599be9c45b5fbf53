"""bthd.synth_roads: synthetic premises on real roads (the Rennes streets, ODbL) and roads to
real premises."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from bthd import data
from bthd.io.osm import read_roads
from bthd.network.design import design
from bthd.region import Region, layers_from_graph
from bthd.synth_roads import DENSITY_RADIUS_M, premises_on_roads, roads_to_premises

DATA = Path(__file__).parent / "data"
RENNES = DATA / "rennes-centre-osm-2013.geojson"  # ODbL, © OpenStreetMap contributors


@pytest.fixture(scope="module")
def rennes_roads() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return layers_from_graph(read_roads(RENNES))


@pytest.fixture(scope="module")
def rennes_centre() -> gpd.GeoDataFrame:
    """Central Rennes as two communes: the real polygon cut to the streets' box, in two halves,
    with locaux for a town centre of that size (the real commune has 127,804)."""
    c = data.load_communes()
    rennes = c[c["insee_code"] == "35238"].iloc[0]
    roads = gpd.read_file(RENNES).to_crs(2154)
    x0, y0, x1, y1 = shapely.box(*roads.total_bounds).buffer(-200).bounds
    xm = (x0 + x1) / 2
    halves = [shapely.box(x0, y0, xm, y1), shapely.box(xm, y0, x1, y1)]
    rows = []
    for k, half in enumerate(halves):
        rows.append(
            {
                **{col: rennes[col] for col in c.columns if col != "geometry"},
                "insee_code": f"3523{8 + k}" if k == 0 else "35999",
                "name": f"Rennes centre {'ouest' if k == 0 else 'est'}",
                "locaux": 1400 + 300 * k,
                "etablissements": 70 + 10 * k,
                "logements": 1330 + 290 * k,
                "geometry": rennes.geometry.intersection(half),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=c.crs)


def test_counts_of_locaux_are_the_communes(
    rennes_centre: gpd.GeoDataFrame, rennes_roads: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    prem = premises_on_roads(rennes_centre, rennes_roads[1], seed=3)
    got = (prem["logements"] + prem["locaux_pro"]).groupby(prem["insee_code"]).sum()
    want = rennes_centre.set_index("insee_code")["locaux"]
    assert got.reindex(want.index).tolist() == want.tolist()
    pro = prem.groupby("insee_code")["locaux_pro"].sum()
    assert pro.reindex(want.index).tolist() == rennes_centre["etablissements"].tolist()
    assert prem["synthetic"].all() and prem["premise_id"].is_unique
    # every premise lies in the commune it is given to
    poly = rennes_centre.set_index("insee_code").geometry.reindex(prem["insee_code"])
    assert prem.geometry.within(poly, align=False).all()
    # and close to a real road: its setback at most
    d = prem.geometry.apply(lambda p: rennes_roads[1].distance(p).min())
    assert d.max() <= 12.0 * 1.4 + 0.1
    # no two addresses at the same position
    assert not prem.geometry.to_wkb().duplicated().any()


def test_bourg_is_where_streets_are_dense(
    rennes_centre: gpd.GeoDataFrame, rennes_roads: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    edges = rennes_roads[1]
    prem = premises_on_roads(rennes_centre, edges, seed=3)
    pts = prem.geometry.to_numpy()
    tree = shapely.STRtree(edges.geometry.to_numpy())
    near = tree.query(pts, predicate="dwithin", distance=DENSITY_RADIUS_M)
    km = pd.Series(shapely.length(edges.geometry.to_numpy()[near[1]])).groupby(near[0]).sum()
    dens = km.reindex(range(len(prem)), fill_value=0).to_numpy()
    bourg = (prem["settlement"] == "bourg").to_numpy()
    assert bourg.any() and (~bourg).any()
    assert dens[bourg].mean() > dens[~bourg].mean()
    # more premises per km of road where the streets are dense
    geoms = edges.geometry.to_numpy()
    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    near_e = tree.query(mid, predicate="dwithin", distance=DENSITY_RADIUS_M)
    e_dens = pd.Series(shapely.length(geoms[near_e[1]])).groupby(near_e[0]).sum()
    e_dens = e_dens.reindex(range(len(edges)), fill_value=0).to_numpy()
    dense = e_dens > np.median(e_dens)
    on_edge = tree.query_nearest(pts, all_matches=False)[1]
    per_km = [
        np.isin(on_edge, np.flatnonzero(m)).sum() / shapely.length(geoms[m]).sum()
        for m in (dense, ~dense)
    ]
    assert per_km[0] > 1.1 * per_km[1]


def test_deterministic_and_local(
    rennes_centre: gpd.GeoDataFrame, rennes_roads: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    edges = rennes_roads[1]
    a = premises_on_roads(rennes_centre, edges, seed=11)
    b = premises_on_roads(rennes_centre, edges, seed=11)
    assert_geodataframe_equal(a, b)
    c = premises_on_roads(rennes_centre, edges, seed=12)
    assert not a.geometry.geom_equals(c.geometry).all()
    # a commune's premises do not depend on the other communes given
    alone = premises_on_roads(rennes_centre.iloc[[1]], edges, seed=11)
    mine = a[a["insee_code"] == alone["insee_code"].iloc[0]].reset_index(drop=True)
    assert_geodataframe_equal(alone.reset_index(drop=True), mine)


def test_commune_without_roads_is_reported(rennes_roads: tuple[gpd.GeoDataFrame, ...]) -> None:
    far = gpd.GeoDataFrame(
        {"insee_code": ["22901"], "locaux": [50], "etablissements": [2]},
        geometry=[shapely.box(250_000, 6_830_000, 251_000, 6_831_000)],
        crs="EPSG:2154",
    )
    prem = premises_on_roads(far, rennes_roads[1])
    assert len(prem) == 0 and prem.attrs["communes_without_roads"] == ["22901"]


def test_design_on_the_real_rennes_streets_serves_every_premise(
    rennes_centre: gpd.GeoDataFrame, rennes_roads: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    """The real Rennes streets, generated premises on them: every premise reaches a PM by road."""
    nodes, edges = rennes_roads
    prem = premises_on_roads(rennes_centre, edges, seed=5)
    region = Region(
        communes=rennes_centre,
        epci=gpd.GeoDataFrame(geometry=[], crs="EPSG:2154"),
        departements=gpd.GeoDataFrame(geometry=[], crs="EPSG:2154"),
        premises=prem,
        road_nodes=nodes,
        road_edges=edges,
        name="rennes-centre",
        synthetic=("premises",),
    )
    d = design(region, polygons=False, seed=5)
    p = d.premises
    assert len(p) == len(prem)
    assert p["pm_id"].notna().all() and p["pbo_id"].notna().all()
    assert not p["issue"].str.contains("not served|no road", regex=True).any()
    # the PM of every premise is on the same road component as the premise's drop node
    pm_node = d.sites.set_index("site_id")["node"]
    net = d.net
    assert d.snapped is not None
    prem_comp = net.component[d.snapped["node"].to_numpy()]
    pm_comp = net.component[pm_node.reindex(p["pm_id"]).to_numpy(np.int64)]
    assert (prem_comp == pm_comp).all()
    # and the distribution cables of each PM join the PM to the PBO of each of its premises
    di = d.links[d.links["link_type"] == "DI"]
    g = coo_matrix(
        (np.ones(len(di)), (di["from_node"], di["to_node"])), shape=(net.n_nodes, net.n_nodes)
    )
    _, lab = connected_components(g, directed=False)
    pbo = lab[pm_node.reindex(p["pbo_id"]).to_numpy(np.int64)]
    pm = lab[pm_node.reindex(p["pm_id"]).to_numpy(np.int64)]
    assert (pbo == pm).all()


def test_roads_to_premises_reach_every_premise() -> None:
    rng = np.random.default_rng(1)
    town = rng.normal(0, 150, (80, 2)) + np.array([300_000, 6_800_000])
    hamlet = rng.normal(0, 80, (20, 2)) + np.array([302_000, 6_801_000])
    xy = np.vstack([town, hamlet])
    prem = gpd.GeoDataFrame(geometry=shapely.points(xy), crs="EPSG:2154")
    nodes, edges = roads_to_premises(prem, seed=1)
    assert len(nodes) == 100 and edges["synthetic"].all()
    g = coo_matrix((np.ones(len(edges)), (edges["u"], edges["v"])), shape=(100, 100))
    assert connected_components(g, directed=False)[0] == 1
    # a spanning tree at least, and not much more
    assert 99 <= len(edges) <= 1.5 * 99
    assert np.allclose(edges["length"], edges.length, atol=0.01)
