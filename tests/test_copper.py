"""Copper lines NRA→SR→premise follow the roads and the DSL tables; bad plant files are listed."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from bthd import ValidationError, dsl
from bthd.network.copper import COPPER, copper_lines, read_copper_sites
from bthd.network.roads import snap_premises, trench_network


@pytest.fixture(scope="module")
def copper(lamballe):
    net = trench_network(lamballe.road_nodes, lamballe.road_edges)
    snapped = snap_premises(lamballe.premises, net)
    return net, snapped, copper_lines(net, snapped, lamballe.sites)


def test_every_premise_has_one_line_or_a_reason(copper, lamballe):
    _, _, cl = copper
    lines = cl.lines
    assert lines.index.equals(lamballe.premises.index)
    has = lines["nra_id"].notna()
    assert (lines.loc[~has, "issue"] != "").all() and (lines.loc[has, "issue"] == "").all()
    assert np.allclose(
        lines.loc[has, "length_m"],
        lines.loc[has, "nra_sr_m"] + lines.loc[has, "sr_premise_m"],
        atol=0.2,
    )
    # an SR belongs to the NRA its lines start from
    sites = cl.sites.set_index("site_id")
    via = lines[lines["sr_id"].notna()]
    if "nra_id" in sites.columns:
        assert (sites.loc[via["sr_id"], "nra_id"].to_numpy() == via["nra_id"].to_numpy()).all()


def test_attenuation_and_rate_follow_the_dsl_tables(copper):
    _, _, cl = copper
    lines = cl.lines[cl.lines["nra_id"].notna()]
    k = dsl.DSL.attenuation_db_per_km
    expected = (
        lines["nra_sr_m"] / 1000 * k[COPPER.nra_sr_gauge_mm]
        + lines["sr_premise_m"] / 1000 * k[COPPER.sr_premise_gauge_mm]
    )
    assert np.allclose(lines["atten_db"], expected, atol=0.01)
    rate = dsl.downstream_rate_mbps(
        lines["atten_db"].to_numpy(), length_m=lines["length_m"].to_numpy()
    )
    # stored values are rounded (0.01 dB, 0.1 m): a few hundredths of Mbit/s at most, except
    # at the 78 dB cut-off itself, where rounding can cross it
    away = (lines["atten_db"] - 78).abs() > 0.01
    assert np.allclose(lines["rate_mbps"][away], rate[away.to_numpy()], atol=0.05)
    assert (lines.loc[lines["atten_db"] > 78, "rate_class"] == "inéligible").all()
    # longer lines never get a better class at equal structure (monotone in attenuation)
    order = np.argsort(lines["atten_db"].to_numpy())
    r = dsl.downstream_rate_mbps(lines["atten_db"].to_numpy()[order])
    assert (np.diff(r) <= 1e-9).all()
    # TV only on TV-equipped NRAs
    assert (lines.loc[~lines["nra_tv"], "tv"] == "none").all()


def test_read_copper_sites_lists_unknown_types(tmp_path):
    df = gpd.GeoDataFrame(
        {"site_id": ["N1", "S1", "X1"], "site_type": ["NRA", "SR", "PM"]},
        geometry=[
            shapely.Point(280_000, 6_830_000),
            shapely.Point(281_000, 6_830_000),
            shapely.Point(282_000, 6_830_000),
        ],
        crs=2154,
    )
    df.to_file(tmp_path / "plant.gpkg")
    with pytest.raises(ValidationError, match=r"not copper sites: PM.*site_id=X1"):
        read_copper_sites(tmp_path / "plant.gpkg")
    df2 = df.copy()
    df2.loc[2, "site_type"] = "DSLAM"
    df2.to_file(tmp_path / "plant2.gpkg")
    with pytest.raises(ValidationError, match="unknown codes in `site_type`: DSLAM"):
        read_copper_sites(tmp_path / "plant2.gpkg")


def test_site_far_from_every_road_is_listed(copper, lamballe):
    net, snapped, _ = copper
    sites = lamballe.sites.copy()
    i = sites.index[sites["site_type"] == "SR"][0]
    sites.loc[i, "geometry"] = shapely.Point(100_000, 6_000_000)
    with pytest.raises(ValidationError, match="farther than 1000 m from every road") as e:
        copper_lines(net, snapped, sites)
    assert str(sites.loc[i, "site_id"]) in str(e.value)


def test_premises_without_a_line_are_counted(copper, lamballe):
    net, snapped, _ = copper
    s = snapped.copy()
    s.iloc[:3, s.columns.get_loc("node")] = -1
    s.iloc[:3, s.columns.get_loc("reason")] = "new build, no road yet"
    cl = copper_lines(net, s, lamballe.sites)
    assert (cl.lines["issue"] != "").sum() == 3
    assert (cl.lines["rate_class"].iloc[:3] == "inéligible").all()
