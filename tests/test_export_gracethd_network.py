"""GraceTHD network rows from a tiny in-code design: nodes, paths, cables and their codes."""

from __future__ import annotations

import geopandas as gpd
import shapely

from bthd.export.gracethd.network import box_type, build_network

X0, Y0 = 300_000.0, 6_800_000.0


def _tiny() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """NRO at A, PM at C; the transport tree A-B-C lays 2 then 4 cables of 576 fibres (the
    same size at two depths), then one 144 to D; a distribution tree C-E with a PBO at E."""
    pts = {k: (X0 + 100 * i, Y0) for i, k in enumerate("ABCDE")}
    pts["E"] = (X0 + 200, Y0 + 100)
    seg = [("A", "B", "TR", 576, 2), ("B", "C", "TR", 576, 4), ("C", "D", "TR", 144, 1)]
    seg_di = [("C", "E", "DI", 12, 1)]
    rows = []
    for n, (u, v, t, size, count) in enumerate(seg + seg_di):
        rows.append(
            {
                "link_id": f"{t}-{n}",
                "link_type": t,
                "tree": "NRO-1" if t == "TR" else "PM-1",
                "from_site": "NRO-1" if t == "TR" else "PM-1",
                "fibres": size // 2,
                "cable_size": size,
                "n_cables": count,
                "length_m": 100.0,
                "works": "aerial" if t == "DI" else "new_trench",
                "geometry": shapely.LineString([pts[u], pts[v]]),
            }
        )
    links = gpd.GeoDataFrame(rows, crs=2154)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["NRO-1", "PM-1", "PBO-1"],
            "site_type": ["NRO", "PM", "PBO"],
            "capacity": [500.0, 300.0, 8.0],
            "parent_id": [None, "NRO-1", "PM-1"],
        },
        geometry=[shapely.Point(pts["A"]), shapely.Point(pts["C"]), shapely.Point(pts["E"])],
        crs=2154,
    )
    nodes = gpd.GeoDataFrame(
        {
            "node_id": list(range(5)),
            "x": [p[0] for p in pts.values()],
            "y": [p[1] for p in pts.values()],
        },
        geometry=[shapely.Point(p) for p in pts.values()],
        crs=2154,
    )
    return links, sites, nodes


def test_cables_have_unique_codes_and_end_on_nodes() -> None:
    links, sites, nodes = _tiny()
    net = build_network(links, sites, nodes)
    assert net.cable["cb_code"].is_unique and net.cable["cb_etiquet"].is_unique
    # 576 fibres: two cables A-B and four B-C (not merged: different depths); one 144; one DI
    sizes = net.cable.groupby("cb_capafo").size().to_dict()
    assert sizes == {576: 6, 144: 1, 12: 1}
    where = dict(zip(net.noeud["nd_code"], net.noeud.geometry, strict=True))
    line = dict(zip(net.cableline["cl_cb_code"], net.cableline.geometry, strict=True))
    for code, n1, n2 in zip(
        net.cable["cb_code"], net.cable["cb_nd1"], net.cable["cb_nd2"], strict=True
    ):
        ends = shapely.get_point(line[code], 0), shapely.get_point(line[code], -1)
        assert {round(where[n1].distance(e), 6) for e in ends} & {0.0}
        assert {round(where[n2].distance(e), 6) for e in ends} & {0.0}
    # one path per road edge, typed by tree, owned by the syndicat when new
    assert len(net.cheminement) == 4
    assert set(net.cheminement["cm_typelog"]) == {"TR", "DI"}
    assert set(net.cheminement.loc[net.cheminement["cm_avct"] == "C", "cm_prop_do"]) == {
        "OR-MEGALIS"
    }
    # the NRO and the PM are technical sites, the PBO sits in a pole (its path is aerial)
    assert set(net.sitetech["st_typelog"]) == {"NRO", "SRO"}
    pbo_pt = net.ebp["bp_pt_code"].iloc[0]
    assert net.ptech.set_index("pt_code").loc[pbo_pt, "pt_typephy"] == "A"
    assert net.ebp["bp_typephy"].iloc[0] == "B012"  # 8 locaux: the 12-fibre box


def test_box_types_follow_the_list() -> None:
    assert [box_type(n) for n in (1, 6, 7, 144, 145, 5000)] == [
        "B006",
        "B006",
        "B012",
        "B144",
        "B288",
        "B720",
    ]
