"""The backbone ring, the collecte of the NROs, and what single failures and outages cut off."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from bthd._errors import CRSError, InputError, ParameterError, ValidationError
from bthd.data import load_backbone, load_communes, load_pops
from bthd.io import write_layers
from bthd.io.runs import RunFolderError, run_folder
from bthd.network.backbone import (
    SURVIVABILITY_COLUMNS,
    attach_nros,
    backbone_graph,
    backbone_links,
    network_layers,
    outage,
    survivability,
)

LOOP = [
    "POP-RENNES",
    "POP-VANNES",
    "POP-LORIENT",
    "POP-QUIMPER",
    "POP-BREST",
    "POP-LANNION",
    "POP-SAINT-BRIEUC",
]
#: Offsets (metres) of the two NROs placed around each PoP, and of the two PMs around an NRO.
NRO_OFFSETS = {"A": (3000.0, 2000.0), "B": (-4000.0, -1500.0)}
PM_OFFSETS = {"1": (500.0, 0.0), "2": (0.0, -700.0)}


def build(*, dual_homing: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """A designed network near the real PoPs: 2 NROs per PoP, 2 PMs per NRO, 3 premises per PM.

    Layers as a run folder's ``layers.gpkg`` holds them: sites (PoP, NRO, PM, one NRA),
    backbone (the embedded loop and extension plus the collecte links), premises, communes.
    """
    pops = load_pops()
    communes = load_communes()
    nro_rows, pm_rows = [], []
    for sid, pt in zip(pops["site_id"], pops.geometry, strict=True):
        for tag, (dx, dy) in NRO_OFFSETS.items():
            nro = f"NRO-{sid[4:]}-{tag}"
            nro_rows.append((nro, pt.x + dx, pt.y + dy))
            for k, (ex, ey) in PM_OFFSETS.items():
                pm_rows.append((f"PM-{sid[4:]}-{tag}{k}", nro, pt.x + dx + ex, pt.y + dy + ey))
    nros = gpd.GeoDataFrame(
        {
            "site_id": [r[0] for r in nro_rows],
            "site_type": "NRO",
            "name": [f"NRO {r[0][4:].title()}" for r in nro_rows],
            "lines": 2000,
        },
        geometry=shapely.points([(r[1], r[2]) for r in nro_rows]),
        crs="EPSG:2154",
    )
    pms = gpd.GeoDataFrame(
        {
            "site_id": [r[0] for r in pm_rows],
            "site_type": "PM",
            "name": [f"PM {r[0][3:]}" for r in pm_rows],
            "parent_id": [r[1] for r in pm_rows],
        },
        geometry=shapely.points([(r[2], r[3]) for r in pm_rows]),
        crs="EPSG:2154",
    )
    nra = gpd.GeoDataFrame(
        {"site_id": ["NRA-35238-CENTRE"], "site_type": "NRA", "name": ["NRA Rennes"]},
        geometry=[shapely.Point(351000, 6789000)],
        crs="EPSG:2154",
    )
    sites = pd.concat(
        [pops[["site_id", "site_type", "name", "geometry"]], nros.drop(columns="lines"), pms, nra],
        ignore_index=True,
    )
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs="EPSG:2154")

    # premises: 3 per PM, in the commune of the PM
    n = 3 * len(pms)
    pm_of = np.repeat(np.arange(len(pms)), 3)
    xy = (
        shapely.get_coordinates(pms.geometry.to_numpy())[pm_of]
        + np.c_[np.tile([0.0, 40.0, 80.0], len(pms)), np.zeros(n)]
    )
    pts = shapely.points(xy)
    # the nearest commune (Saint-Malo's offsets fall in the sea)
    hit = gpd.sjoin_nearest(
        gpd.GeoDataFrame(geometry=pts, crs="EPSG:2154"),
        communes[["insee_code", "geometry"]],
        how="left",
    )
    hit = hit[~hit.index.duplicated()]
    i = np.arange(n)
    premises = gpd.GeoDataFrame(
        {
            "premise_id": [f"P{k:04d}" for k in i],
            "insee_code": hit["insee_code"].to_numpy(),
            "logements": 1 + (i * 7) % 11,
            "locaux_pro": (i * 5) % 3,
            "kind": "residential",
            "synthetic": True,
            "nro_id": pms["parent_id"].to_numpy()[pm_of],
            "pm_id": pms["site_id"].to_numpy()[pm_of],
            "pbo_id": [
                f"PBO-{p[3:]}-{k % 2}"
                for p, k in zip(pms["site_id"].to_numpy()[pm_of], i, strict=True)
            ],
        },
        geometry=pts,
        crs="EPSG:2154",
    )
    assert premises["insee_code"].notna().all()
    collecte = attach_nros(nros, pops, dual_homing=dual_homing)
    cols = ["link_id", "link_type", "from_site", "to_site", "role", "length_m", "geometry"]
    backbone = gpd.GeoDataFrame(
        pd.concat([load_backbone()[cols], collecte[cols]], ignore_index=True),
        geometry="geometry",
        crs="EPSG:2154",
    )
    used = communes["insee_code"].isin(premises["insee_code"])
    return {
        "sites": sites,
        "backbone": backbone,
        "premises": premises,
        "communes": communes.loc[used, ["insee_code", "name", "geometry"]].reset_index(drop=True),
        # for the tests: the parts
        "_nros": nros,
        "_collecte": collecte,
    }


@pytest.fixture(scope="module")
def single() -> dict[str, gpd.GeoDataFrame]:
    return build()


@pytest.fixture(scope="module")
def dual() -> dict[str, gpd.GeoDataFrame]:
    return build(dual_homing=True)


def layers_of(net: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    return {k: v for k, v in net.items() if not k.startswith("_")}


def table(net: dict[str, gpd.GeoDataFrame], **kw) -> pd.DataFrame:
    return survivability(load_pops(), load_backbone(), net["_collecte"], net["premises"], **kw)


def row(t: pd.DataFrame, element_id: str) -> pd.Series:
    hits = t.loc[t["element_id"] == element_id]
    assert len(hits) == 1, element_id
    return hits.iloc[0]


def lost_nros(t: pd.DataFrame, element_id: str) -> set[str]:
    ids = row(t, element_id)["nro_ids"]
    return set(ids.split(";")) if ids else set()


def homed_to(collecte: pd.DataFrame, pops: set[str]) -> set[str]:
    """NROs all of whose collecte links go to the given PoPs."""
    ok = collecte.groupby("from_site")["to_site"].agg(lambda s: set(s) <= pops)
    return set(ok.index[ok])


def locaux_of(premises: pd.DataFrame, nros: set[str]) -> int:
    p = premises.loc[premises["nro_id"].isin(nros)]
    return int((p["logements"] + p["locaux_pro"]).sum())


# ------------------------------------------------------------------------------------ graph
def test_embedded_backbone_is_a_ring_plus_one_extension():
    G = backbone_graph(secured_extension=False)
    assert set(G.nodes) == {*LOOP, "POP-SAINT-MALO"}
    assert G.number_of_edges() == 8
    deg = dict(G.degree())
    assert deg["POP-RENNES"] == 3 and deg["POP-SAINT-MALO"] == 1
    assert all(deg[p] == 2 for p in LOOP[1:])
    ring = nx.Graph(G.subgraph(LOOP))
    assert nx.is_connected(ring) and ring.number_of_edges() == len(LOOP)
    assert len(nx.cycle_basis(ring)) == 1 and len(nx.cycle_basis(ring)[0]) == 7
    assert {d["role"] for *_, d in G.edges(data=True)} == {"loop", "extension"}
    for *_, key, d in G.edges(keys=True, data=True):
        assert d["link_id"] == key and d["layer"] == "backbone"
        assert d["geometry"].geom_type == "LineString"
    for _, d in G.nodes(data=True):
        assert d["site_type"] == "POP" and d["geometry"].geom_type == "Point"


def test_secured_extension_has_two_parallel_paths():
    G = backbone_graph()
    assert G.number_of_edges("POP-RENNES", "POP-SAINT-MALO") == 2
    links = backbone_links()
    twin = links.loc[links["second_path"]]
    assert twin["link_id"].tolist() == ["CO-RENNES-SAINT-MALO-BIS"]
    assert len(backbone_links(links.drop(columns="second_path"))) == 9  # no third path


def test_graph_with_collecte_adds_the_nros(single):
    G = backbone_graph(collecte=single["_collecte"])
    nros = set(single["_nros"]["site_id"])
    assert nros <= set(G.nodes)
    assert all(G.nodes[n]["site_type"] == "NRO" and G.degree(n) == 1 for n in nros)
    pt = single["_nros"].set_index("site_id").geometry["NRO-BREST-A"]
    assert G.nodes["NRO-BREST-A"]["geometry"].equals(pt)


def test_links_that_are_not_co_or_reuse_ids_are_refused():
    bad = load_backbone()
    bad.loc[0, "link_type"] = "TR"
    with pytest.raises(ValidationError, match="not CO"):
        backbone_links(bad)
    with pytest.raises(ValidationError, match="link ids used twice"):
        backbone_links(extra_links=load_backbone().assign(layer="RUHD"))


# --------------------------------------------------------------------------------- collecte
def test_attach_nros_joins_each_nro_to_its_nearest_pop(single):
    nros, pops = single["_nros"], load_pops()
    before = nros.copy()
    co = attach_nros(nros, pops)
    assert_geodataframe_equal(nros, before)  # pure
    d = np.hypot(
        *(
            shapely.get_coordinates(nros.geometry.to_numpy())[:, None, :]
            - shapely.get_coordinates(pops.geometry.to_numpy())[None, :, :]
        ).T
    ).T
    nearest = pops["site_id"].to_numpy()[d.argmin(axis=1)]
    assert co["from_site"].tolist() == nros["site_id"].tolist()
    assert (co["to_site"].to_numpy() == nearest).all()
    assert [t[4:] for t in co["to_site"]] == [f[4:].rsplit("-", 1)[0] for f in co["from_site"]]
    assert co["link_id"].iloc[0] == "CO-NRO-RENNES-A-POP-RENNES"
    np.testing.assert_allclose(co["length_m"], d.min(axis=1))
    np.testing.assert_allclose(co.geometry.length, co["length_m"])
    assert (co["link_type"] == "CO").all() and (co["role"] == "collecte").all()
    assert (co["lines"] == 2000).all()
    assert_geodataframe_equal(co, attach_nros(nros, pops))  # deterministic


def test_dual_homing_uses_the_two_nearest_distinct_pops(single):
    nros, pops = single["_nros"], load_pops()
    co = attach_nros(nros, pops, dual_homing=True)
    assert len(co) == 2 * len(nros)
    assert co.groupby("from_site")["to_site"].nunique().eq(2).all()
    assert co["rank"].tolist() == [1, 2] * len(nros)
    d = np.hypot(
        *(
            shapely.get_coordinates(nros.geometry.to_numpy())[:, None, :]
            - shapely.get_coordinates(pops.geometry.to_numpy())[None, :, :]
        ).T
    ).T
    second = pops["site_id"].to_numpy()[np.argsort(d, axis=1)[:, 1]]
    assert (co.loc[co["rank"] == 2, "to_site"].to_numpy() == second).all()
    first, other = co["length_m"].to_numpy()[::2], co["length_m"].to_numpy()[1::2]
    assert (first <= other).all()


def test_road_distances_choose_the_pop(single):
    nros, pops = single["_nros"], load_pops()
    m = pd.DataFrame(100_000.0, index=nros["site_id"], columns=pops["site_id"])
    m["POP-BREST"] = 5_000.0
    co = attach_nros(nros, pops, road_distance_m=m)
    assert (co["to_site"] == "POP-BREST").all() and (co["length_m"] == 5_000.0).all()
    assert (co["routing"] == "road").all()
    co2 = attach_nros(nros, pops, road_distance_m=m.to_numpy(), dual_homing=True)
    assert co2.loc[co2["rank"] == 1, "to_site"].eq("POP-BREST").all()
    with pytest.raises(ParameterError, match="NRO-BREST-A"):
        attach_nros(nros, pops, road_distance_m=m.drop(index="NRO-BREST-A"))
    m.loc["NRO-LORIENT-B"] = np.nan
    with pytest.raises(ParameterError, match="NRO-LORIENT-B"):
        attach_nros(nros, pops, road_distance_m=m)
    with pytest.raises(ParameterError, match="shape"):
        attach_nros(nros, pops, road_distance_m=np.zeros((2, 2)))


def test_attach_nros_checks_crs_and_pops(single):
    nros, pops = single["_nros"], load_pops()
    with pytest.raises(CRSError, match="EPSG:4326"):
        attach_nros(nros, pops.to_crs("EPSG:4326"))
    with pytest.raises(CRSError, match="geographic"):
        attach_nros(nros.to_crs("EPSG:4326"), pops.to_crs("EPSG:4326"))
    with pytest.raises(ParameterError, match="at least 2 PoPs"):
        attach_nros(nros, pops.iloc[:1], dual_homing=True)


# ---------------------------------------------------------------------------- survivability
def test_table_has_one_row_per_element_sorted(single):
    t = table(single)
    assert list(t.columns) == list(SURVIVABILITY_COLUMNS)
    assert t["element_type"].value_counts().to_dict() == {
        "backbone_link": 9,
        "pop": 8,
        "collecte_link": 16,
        "nro": 16,
    }
    assert t["element_id"].is_unique
    key = list(zip(-t["locaux_lost"], t["element_id"], strict=True))
    assert key == sorted(key)
    assert t["share_of_locaux"].between(0, 1).all()


def test_no_single_loop_or_extension_cut_loses_service(single):
    t = table(single)
    links = t.loc[t["element_type"] == "backbone_link"]
    assert set(links["element_id"]) == {*load_backbone()["link_id"], "CO-RENNES-SAINT-MALO-BIS"}
    assert (links[["nros_lost", "premises_lost", "locaux_lost", "communes_lost"]] == 0).all().all()
    assert (links["nro_ids"] == "").all()


def test_a_single_extension_isolates_saint_malo(single):
    t = table(single, secured_extension=False)
    malo = homed_to(single["_collecte"], {"POP-SAINT-MALO"})
    assert lost_nros(t, "CO-RENNES-SAINT-MALO") == malo == {"NRO-SAINT-MALO-A", "NRO-SAINT-MALO-B"}
    loop = t.loc[t["element_id"].isin(load_backbone()["link_id"].iloc[:7])]
    assert (loop["locaux_lost"] == 0).all()


def test_a_pop_failure_loses_exactly_its_single_homed_nros(single):
    t, prem = table(single), single["premises"]
    for pop in ["POP-BREST", "POP-VANNES", "POP-SAINT-MALO"]:
        r = row(t, pop)
        mine = homed_to(single["_collecte"], {pop})
        assert lost_nros(t, pop) == mine and len(mine) == 2
        assert r["locaux_lost"] == locaux_of(prem, mine)
        assert r["premises_lost"] == prem["nro_id"].isin(mine).sum()
        codes = sorted(set(prem.loc[prem["nro_id"].isin(mine), "insee_code"]))
        assert r["insee_codes"].split(";") == codes and r["communes_lost"] == len(codes)


def test_locaux_lost_is_the_sum_over_the_lost_nros(single):
    t, prem = table(single), single["premises"]
    per_nro = (prem["logements"] + prem["locaux_pro"]).groupby(prem["nro_id"]).sum()
    total = int(per_nro.sum())
    for _, r in t.iterrows():
        ids = [i for i in r["nro_ids"].split(";") if i]
        assert r["nros_lost"] == len(ids) and ids == sorted(ids)
        assert r["locaux_lost"] == per_nro.reindex(ids).sum()
        assert r["share_of_locaux"] == pytest.approx(r["locaux_lost"] / total)
    nro = row(t, "NRO-LANNION-B")
    assert nro["nro_ids"] == "NRO-LANNION-B"
    coll = row(t, "CO-NRO-LANNION-B-POP-LANNION")
    assert coll["locaux_lost"] == nro["locaux_lost"] > 0


def test_the_only_uplink_is_a_single_point_of_failure_for_everything(single, dual):
    for net in (single, dual):
        r = row(table(net), "POP-RENNES")
        assert r["nros_lost"] == 16 and r["share_of_locaux"] == 1.0
        assert r["premises_lost"] == len(net["premises"])


def test_dual_homing_removes_every_pop_single_point_of_failure_but_the_uplink(dual):
    t = table(dual)
    pops = t.loc[t["element_type"] == "pop"]
    assert set(pops.loc[pops["locaux_lost"] > 0, "element_id"]) == {"POP-RENNES"}
    assert (t.loc[t["element_type"] == "collecte_link", "locaux_lost"] == 0).all()
    nros = t.loc[t["element_type"] == "nro"]
    assert (nros["nros_lost"] == 1).all()  # an NRO is still its own single point of failure


def test_two_uplinks(single, dual):
    two = ("POP-RENNES", "POP-BREST")
    t = table(single, uplinks=two)
    rennes = homed_to(single["_collecte"], {"POP-RENNES"})
    malo = homed_to(single["_collecte"], {"POP-SAINT-MALO"})
    # Saint-Malo hangs off Rennes: the secured extension does not survive its head PoP
    assert lost_nros(t, "POP-RENNES") == rennes | malo
    assert lost_nros(t, "POP-BREST") == homed_to(single["_collecte"], {"POP-BREST"})
    # with dual homing, only the NROs homed to Rennes and Saint-Malo both are lost
    t2 = table(dual, uplinks=two)
    both = homed_to(dual["_collecte"], {"POP-RENNES", "POP-SAINT-MALO"})
    assert both and lost_nros(t2, "POP-RENNES") == both
    others = t2.loc[(t2["element_id"] != "POP-RENNES") & (t2["element_type"] != "nro")]
    assert (others["locaux_lost"] == 0).all()


def test_an_extra_layer_saint_malo_saint_brieuc_saves_saint_malo(single, dual):
    pops = load_pops().set_index("site_id").geometry
    ruhd = gpd.GeoDataFrame(
        {
            "link_id": ["RUHD-SAINT-MALO-SAINT-BRIEUC"],
            "link_type": "CO",
            "from_site": "POP-SAINT-MALO",
            "to_site": "POP-SAINT-BRIEUC",
            "layer": "RUHD",
        },
        geometry=[shapely.LineString([pops["POP-SAINT-MALO"], pops["POP-SAINT-BRIEUC"]])],
        crs="EPSG:2154",
    )
    two = ("POP-RENNES", "POP-BREST")
    t = table(single, uplinks=two, extra_links=ruhd)
    assert lost_nros(t, "POP-RENNES") == homed_to(single["_collecte"], {"POP-RENNES"})
    assert row(t, "RUHD-SAINT-MALO-SAINT-BRIEUC")["locaux_lost"] == 0
    t2 = table(dual, uplinks=two, extra_links=ruhd)
    assert (t2.loc[t2["element_type"] != "nro", "locaux_lost"] == 0).all()
    G = backbone_graph(extra_links=ruhd)
    assert (
        G.edges["POP-SAINT-MALO", "POP-SAINT-BRIEUC", "RUHD-SAINT-MALO-SAINT-BRIEUC"]["layer"]
        == "RUHD"
    )


def test_survivability_is_pure_and_ignores_premises_without_nro(single):
    prem = single["premises"]
    before = prem.copy()
    t = table(single)
    assert_geodataframe_equal(prem, before)
    orphans = prem.iloc[:4].assign(premise_id=lambda d: d["premise_id"] + "-X", nro_id=None)
    more = pd.concat([prem, orphans], ignore_index=True)
    t2 = survivability(load_pops(), load_backbone(), single["_collecte"], more)
    pd.testing.assert_series_equal(t["locaux_lost"], t2["locaux_lost"])
    assert (t2["share_of_locaux"] <= t["share_of_locaux"]).all()


def test_bad_uplinks_and_premises_are_refused(single):
    with pytest.raises(ParameterError, match="POP-RENNES"):
        table(single, uplinks=("POP-RENES",))
    with pytest.raises(ParameterError, match="no uplink"):
        table(single, uplinks=())
    with pytest.raises(InputError, match="nro_id"):
        survivability(
            load_pops(),
            load_backbone(),
            single["_collecte"],
            single["premises"].drop(columns="nro_id"),
        )


# ----------------------------------------------------------------------------------- outage
def test_a_ring_cut_alone_loses_nothing(single):
    rep = outage(layers_of(single), "CO-RENNES-VANNES")
    assert rep.premises_lost == 0 and rep.locaux_lost == 0 and len(rep.nros) == 0
    assert "No service lost" in rep.summary()


def test_two_ring_cuts_isolate_the_arc_between_them(single):
    rep = outage(layers_of(single), ["CO-VANNES-LORIENT", "CO-BREST-LANNION"])
    arc = {"POP-LORIENT", "POP-QUIMPER", "POP-BREST"}
    assert set(rep.pops["site_id"]) == arc
    assert set(rep.pops["status"]) == {"cut off from the uplinks"}
    lost = homed_to(single["_collecte"], arc)
    assert set(rep.nros["site_id"]) == lost and len(lost) == 6
    assert (rep.cut["locaux_lost_alone"] == 0).all()  # each cut alone is harmless
    prem = single["premises"]
    assert set(rep.premises["premise_id"]) == set(prem.loc[prem["nro_id"].isin(lost), "premise_id"])
    assert rep.locaux_lost == locaux_of(prem, lost) == rep.nros["locaux"].sum()
    assert rep.communes["premises_lost"].sum() == rep.premises_lost
    assert len(rep.pms) == 12 and set(rep.pms["cause"]) == {"NRO down"}
    assert rep.nros["pms"].eq(2).all()
    assert "cut off from the uplinks" in rep.nros["cause"].iloc[0]
    names = dict(zip(single["communes"]["insee_code"], single["communes"]["name"], strict=True))
    assert rep.communes["name"].tolist() == [names[c] for c in rep.communes["insee_code"]]
    assert "Brest" in set(rep.communes["name"])
    assert "6 NRO(s), 12 PM(s)" in rep.summary()


def test_both_paths_of_the_secured_extension(single):
    layers = layers_of(single)
    assert outage(layers, "CO-RENNES-SAINT-MALO").premises_lost == 0
    rep = outage(layers, ["CO-RENNES-SAINT-MALO", "CO-RENNES-SAINT-MALO-BIS"])
    assert set(rep.nros["site_id"]) == {"NRO-SAINT-MALO-A", "NRO-SAINT-MALO-B"}
    single_path = outage(layers, "CO-RENNES-SAINT-MALO", secured_extension=False)
    assert single_path.locaux_lost == rep.locaux_lost > 0


def test_pm_and_pbo_cuts_take_down_their_premises_only(single):
    prem = single["premises"]
    rep = outage(layers_of(single), "PM-QUIMPER-A2")
    mine = prem.loc[prem["pm_id"] == "PM-QUIMPER-A2"]
    assert rep.premises.index.tolist() == mine.index.tolist()  # on the input's index
    assert rep.locaux_lost == int((mine["logements"] + mine["locaux_pro"]).sum())
    assert len(rep.nros) == 0 and len(rep.pops) == 0
    assert rep.pms[["site_id", "nro_id", "cause"]].values.tolist() == [
        ["PM-QUIMPER-A2", "NRO-QUIMPER-A", "PM cut"]
    ]
    pbo = prem["pbo_id"].iloc[0]
    rep = outage(layers_of(single), pbo)
    assert set(rep.premises["premise_id"]) == set(prem.loc[prem["pbo_id"] == pbo, "premise_id"])


def test_an_nro_or_pop_cut_lists_its_pms_and_causes(single, dual):
    rep = outage(layers_of(single), "NRO-LANNION-A")
    assert rep.nros["cause"].tolist() == ["NRO cut"]
    assert set(rep.pms["site_id"]) == {"PM-LANNION-A1", "PM-LANNION-A2"}
    rep = outage(layers_of(single), "POP-VANNES")
    assert set(rep.nros["site_id"]) == {"NRO-VANNES-A", "NRO-VANNES-B"}
    assert set(rep.nros["cause"]) == {"POP-VANNES cut"}
    assert rep.pops[["site_id", "status"]].values.tolist() == [["POP-VANNES", "cut"]]
    assert outage(layers_of(dual), "POP-VANNES").premises_lost == 0


def test_outage_reads_a_run_folder(single, tmp_path: Path):
    run = tmp_path / "run"
    with run_folder(run, command="test", parameters={}) as rf:
        rf.write_layers(layers_of(single))
    cuts = ["POP-LORIENT", "PM-BREST-B1"]
    from_disk = outage(run, cuts)
    in_memory = outage(layers_of(single), cuts)
    assert from_disk.premises["premise_id"].tolist() == in_memory.premises["premise_id"].tolist()
    pd.testing.assert_frame_equal(from_disk.communes, in_memory.communes)
    pd.testing.assert_frame_equal(from_disk.nros, in_memory.nros)
    assert from_disk.locaux_total == in_memory.locaux_total
    nl = network_layers(run / "layers.gpkg")
    assert len(nl.collecte) == 16 and len(nl.backbone) == 8 and len(nl.pops) == 8


def test_a_folder_without_manifest_is_not_a_run(single, tmp_path: Path):
    folder = tmp_path / "not-a-run"
    folder.mkdir()
    write_layers(layers_of(single), folder / "layers.gpkg")
    with pytest.raises(RunFolderError, match=r"no manifest\.json"):
        network_layers(folder)
    assert len(network_layers(folder / "layers.gpkg").pops) == 8  # the GeoPackage alone reads


def test_unknown_ids_give_close_matches_and_the_kinds_accepted(single):
    layers = layers_of(single)
    with pytest.raises(ParameterError) as err:
        outage(layers, ["POP-LORIEN", "CO-RENNES-VANES", "NRA-35238-CENTRE"])
    msg = str(err.value)
    assert "'POP-LORIENT'" in msg and "'CO-RENNES-VANNES'" in msg
    assert "NRA-35238-CENTRE' is a NRA site" in msg
    assert "Accepted kinds of id" in msg and "PM (cuts its premises only)" in msg
    with pytest.raises(ParameterError, match="no element to cut"):
        outage(layers, [])


def test_a_network_without_design_is_refused(single):
    layers = layers_of(single)
    with pytest.raises(InputError, match="nro_id"):
        outage({**layers, "premises": layers["premises"].drop(columns="nro_id")}, "POP-BREST")
    with pytest.raises(InputError, match="no collecte link"):
        outage({**layers, "backbone": load_backbone()}, "POP-BREST")
    with pytest.raises(InputError, match="missing layer"):
        outage({k: v for k, v in layers.items() if k != "sites"}, "POP-BREST")
