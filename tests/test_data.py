"""The embedded Brittany data agrees with its sources (Arcep T1 2018, COG 2026)."""

from __future__ import annotations

import pyogrio

from bthd import data
from bthd.schema import validate


def test_embedded_layers_reopen_in_gdal_and_validate():
    layers = {name for name, _ in pyogrio.list_layers(data.embedded_gpkg())}
    assert set(data.LAYER_NAMES) <= layers
    validate(data.load_communes(), "communes")
    validate(data.load_epci(), "epci")
    validate(data.load_pops(), "sites")
    validate(data.load_backbone(), "links")


def test_communes_totals_match_arcep_2018():
    c = data.load_communes()
    assert len(c) == 1202
    assert c["insee_code"].is_unique
    # sums of Arcep's T1 2018 commune rows; its région row says 1,859,812 logements, 5 more
    # than its own commune rows (a discrepancy of the source, kept as is)
    assert int(c["logements"].sum()) == 1_859_807
    assert abs(int(c["logements"].sum()) - 1_859_812) <= 5
    assert int(c["etablissements"].sum()) == 90_052
    assert int(c["locaux"].sum()) == 1_949_859
    by_zone = c.groupby("zone_type")["locaux"].sum()
    assert int(by_zone["RIP"]) == 1_160_808  # "about 1.16 million in RIP communes"
    assert int(by_zone["ZTD"]) == 127_804  # Rennes only
    assert (c.loc[c["zone_type"] == "ZTD", "name"] == "Rennes").all()
    # Arcep's T1 2018 regional total of raccordables is rounded to the thousand
    assert abs(int(c["locaux_raccordables_2018"].sum()) - 391_000) < 1000
    assert c.crs.to_epsg() == 2154


def test_epci_and_departements():
    e = data.load_epci()
    assert len(e) == 61 and e["epci_siren"].is_unique
    assert set(data.load_departements()["departement"]) == {"22", "29", "35", "56"}
    c = data.load_communes()
    # the 3 island communes without EPCI
    assert set(c.loc[c["epci_siren"].isna(), "insee_code"]) == {"22016", "29083", "29155"}
    assert set(c["epci_siren"].dropna()) == set(e["epci_siren"])


def test_backbone_is_a_loop_with_the_saint_malo_extension():
    pops = data.load_pops()
    links = data.load_backbone()
    assert sorted(pops["name"]) == sorted(
        ["Rennes", "Vannes", "Lorient", "Quimper", "Brest", "Lannion", "Saint-Brieuc", "Saint-Malo"]
    )
    loop = links[links["role"] == "loop"]
    assert len(loop) == 7 and (links["capacity_gbps"] == 2.0).all()
    # every PoP of the loop has degree 2 in the loop; Saint-Malo hangs on Rennes
    deg = loop["from_site"].value_counts().add(loop["to_site"].value_counts(), fill_value=0)
    assert (deg == 2).all() and "POP-SAINT-MALO" not in deg.index
    ext = links[links["role"] == "extension"]
    assert set(ext[["from_site", "to_site"]].iloc[0]) == {"POP-RENNES", "POP-SAINT-MALO"}
    # PoPs lie in their commune
    c = data.load_communes().set_index("insee_code")
    for code, geom in zip(pops["insee_code"], pops.geometry, strict=True):
        assert c.loc[code, "geometry"].contains(geom)
