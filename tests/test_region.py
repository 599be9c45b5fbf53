"""Region: embedded data, subsets, the osmnx-compatible graph and round trips through files."""

from __future__ import annotations

import osmnx as ox
import pytest

from bthd import InputError, ValidationError
from bthd.region import Region


def test_embedded_epci(lamballe):
    r = lamballe
    assert len(r.communes) == 38 and set(r.communes["epci_siren"]) == {"200069391"}
    assert int((r.premises["logements"] + r.premises["locaux_pro"]).sum()) == 42_395
    assert {"premises", "roads"} <= set(r.synthetic)
    assert set(r.sites["site_type"]) == {"POP", "NRA", "SR"}


def test_graph_is_osmnx_compatible(lamballe):
    G = lamballe.graph
    assert G.graph["crs"] == "EPSG:2154"
    assert G.number_of_edges() == 2 * len(lamballe.road_edges)
    nodes, edges = ox.graph_to_gdfs(G)
    assert {"x", "y"} <= set(nodes.columns) and {"length", "highway"} <= set(edges.columns)
    p = lamballe.premises.geometry.iloc[:5]
    nn = ox.distance.nearest_nodes(G, p.x.to_numpy(), p.y.to_numpy())
    assert len(nn) == 5 and all(n in G for n in nn)


def test_subset_by_departement_and_unknown_codes(lamballe):
    with pytest.raises(InputError, match=r"unknown EPCI '000'.*200069391"):
        lamballe.subset(epci="000")
    with pytest.raises(InputError, match="unknown département '29'"):
        lamballe.subset(departement="29")
    one = lamballe.subset(departement="22")
    assert len(one.communes) == 38


def test_subset_keeps_premises_and_roads_of_the_area(lamballe):
    code = lamballe.communes["insee_code"].iloc[0]
    sub = lamballe.communes[lamballe.communes["insee_code"] == code]
    # subset by the EPCI of one commune is the whole EPCI; check the pieces instead
    r = lamballe.subset(epci="200069391")
    assert len(r.premises) == len(lamballe.premises)
    assert set(r.road_edges["u"]) | set(r.road_edges["v"]) <= set(r.road_nodes["node_id"])
    assert len(sub) == 1


def test_gpkg_round_trip(lamballe, tmp_path):
    path = lamballe.to_gpkg(tmp_path / "region.gpkg")
    back = Region.from_file(path)
    assert len(back.premises) == len(lamballe.premises)
    assert len(back.road_edges) == len(lamballe.road_edges)
    assert back.graph.number_of_edges() == lamballe.graph.number_of_edges()
    assert "premises" in back.synthetic
    with pytest.raises(FileExistsError):
        lamballe.to_gpkg(path)


def test_from_file_lists_problems_of_every_layer(lamballe, tmp_path):
    from bthd.io import write_layers

    c = lamballe.communes.copy()
    c.loc[1, "insee_code"] = c.loc[0, "insee_code"]
    p = lamballe.premises.head(10).drop(columns="kind")
    write_layers({"communes": c, "premises": p}, tmp_path / "bad.gpkg")
    with pytest.raises(ValidationError) as e:
        Region.from_file(tmp_path / "bad.gpkg")
    msg = str(e.value)
    assert "layer communes: duplicated insee_code" in msg
    assert "layer premises: missing required column `kind`" in msg


def test_from_file_needs_communes(tmp_path, lamballe):
    from bthd.io import write

    write(lamballe.premises.head(3), tmp_path / "only.gpkg", layer="premises")
    with pytest.raises(InputError, match="no `communes` layer"):
        Region.from_file(tmp_path / "only.gpkg")
