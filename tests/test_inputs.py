"""bthd.inputs: a region from the user's files (BAN, IPE, OSM, layers), generated elsewhere."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer

from bthd import data
from bthd._errors import ValidationError
from bthd.inputs import premises_format, region_from_inputs
from bthd.io import write
from bthd.io.runs import file_sha256
from bthd.region import Region

DATA = Path(__file__).parent / "data"
RENNES = DATA / "rennes-centre-osm-2013.geojson"  # ODbL, © OpenStreetMap contributors
HELSINKI_PBF = DATA / "osm_samples" / "helsinki-centre.osm.pbf"  # ODbL
EPCI = "242900645"  # Douarnenez Communauté: 5 communes, the smallest Breton EPCI
TWO = ("29087", "29090")  # Le Juch, Kerlaz (RIP)
TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _points(n: int = 6) -> pd.DataFrame:
    """Address points inside Le Juch and Kerlaz (Lambert-93), with their INSEE codes."""
    c = data.load_communes().set_index("insee_code").loc[list(TWO)]
    rows = []
    for code, geom in zip(c.index, c.geometry, strict=True):
        p = geom.representative_point()
        for k in range(n // 2):
            rows.append((code, round(p.x + 35.0 * k, 2), round(p.y - 20.0 * k, 2)))
    return pd.DataFrame(rows, columns=["code_insee", "x", "y"])


def _ban(path: Path, *, encoding: str, sep: str, coords: str) -> Path:
    pts = _points()
    lon, lat = TO_WGS84.transform(pts["x"].to_numpy(), pts["y"].to_numpy())
    df = pd.DataFrame(
        {
            "id": [f"{c}_0010_{i:05d}" for i, c in enumerate(pts["code_insee"])],
            "numero": np.arange(1, len(pts) + 1),
            "rep": "",
            "nom_voie": "Rue de l'Église",
            "code_postal": "29100",
            "code_insee": pts["code_insee"],
            "nom_commune": np.where(pts["code_insee"] == "29087", "Le Juch", "Kerlaz"),
        }
    )
    if coords in ("l93", "both"):
        df["x"], df["y"] = pts["x"], pts["y"]
    if coords in ("wgs84", "both"):
        df["lon"], df["lat"] = np.round(lon, 7), np.round(lat, 7)
    df.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


def _ipe(path: Path, *, encoding: str, sep: str, proj: str) -> Path:
    pts = _points()
    if proj == "WGS84":
        x, y = TO_WGS84.transform(pts["x"].to_numpy(), pts["y"].to_numpy())
        x, y = np.round(x, 7), np.round(y, 7)
    else:
        x, y = pts["x"].to_numpy(), pts["y"].to_numpy()
    df = pd.DataFrame(
        {
            "IdentifiantImmeuble": [f"IMB/29/X/{i:04d}" for i in range(len(pts))],
            "CodeAdresseImmeuble": [f"ADR{i}" for i in range(len(pts))],
            "CodeInseeImmeuble": pts["code_insee"],
            "CommuneImmeuble": np.where(pts["code_insee"] == "29087", "Le Juch", "Kerlaz"),
            "NombreLogementsAdresseIPE": [1, 4, 2, 1, 1, 12],
            "EtatImmeuble": ["DEPLOYE", "Déployé", "CIBLE", "SIGNE", "DEPLOYE", "EN COURS"],
            "CoordonneeImmeubleX": x,
            "CoordonneeImmeubleY": y,
            "TypeProjectionGeographique": proj,
        }
    )
    if sep == ",":  # the decimal comma of French exports, quoted
        df.to_csv(path, sep=sep, index=False, encoding=encoding, decimal=",")
    else:
        df.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("encoding", "sep", "coords"),
    [("utf-8", ";", "both"), ("cp1252", ",", "wgs84"), ("utf-8", ",", "l93")],
)
def test_ban_variants_give_the_same_real_premises(
    tmp_path: Path, encoding: str, sep: str, coords: str, caplog: pytest.LogCaptureFixture
) -> None:
    f = _ban(tmp_path / "adresses-29.csv", encoding=encoding, sep=sep, coords=coords)
    assert premises_format(f) == "BAN"
    with caplog.at_level(logging.INFO, logger="bthd"):
        r = region_from_inputs(premises=f, seed=1)
    assert r.premises is not None
    pts = _points()
    assert np.allclose(r.premises.geometry.x, pts["x"], atol=0.05)
    assert np.allclose(r.premises.geometry.y, pts["y"], atol=0.05)
    assert not r.premises["synthetic"].any()
    assert r.premises["nom_voie"].eq("Rue de l'Église").all()  # Latin-1 decoded
    # the area is the communes the addresses fall in; only what was missing is synthetic
    assert sorted(r.communes["insee_code"]) == list(TWO)
    assert r.meta["area"]["rule"] == "the communes the premises fall in"
    assert r.synthetic == ("roads", "copper sites")
    assert r.meta["layers"]["premises"] == "real"
    rec = next(i for i in r.meta["inputs"] if i["role"] == "premises")
    assert rec["sha256"] == file_sha256(f) and rec["format"] == "BAN" and rec["rows"] == 6
    if coords == "wgs84":
        assert "reprojected to EPSG:2154" in caplog.text and "EPSG:4326" in caplog.text
    # the synthetic roads reach every real premise
    assert r.road_edges is not None and r.road_edges["synthetic"].all()
    d = r.road_edges.distance(r.premises.geometry.union_all())
    assert d.min() < 0.01


@pytest.mark.parametrize(
    ("encoding", "sep", "proj"), [("utf-8", ";", "L93"), ("cp1252", ",", "WGS84")]
)
def test_ipe_variants(tmp_path: Path, encoding: str, sep: str, proj: str) -> None:
    f = _ipe(tmp_path / "ipe.csv", encoding=encoding, sep=sep, proj=proj)
    assert premises_format(f) == "IPE"
    r = region_from_inputs(premises=f, epci=EPCI, seed=1)
    assert r.premises is not None
    pts = _points()
    assert np.allclose(r.premises.geometry.x, pts["x"], atol=0.05)
    assert int(r.premises["logements"].sum()) == 21
    assert r.premises["ipe_state"].tolist()[:2] == ["DEPLOYE", "DEPLOYE"]
    # the EPCI is the area, all five communes, whatever their zone type
    assert len(r.communes) == 5 and "AMII" in set(r.communes["zone_type"])
    assert next(i for i in r.meta["inputs"] if i["role"] == "premises")["crs"] == proj


def test_embedded_region_written_and_read_back_is_the_same(tmp_path: Path) -> None:
    reg = Region.embedded(epci=EPCI, seed=7)
    gpkg = reg.to_gpkg(tmp_path / "douarnenez.gpkg")
    back = region_from_inputs(data=gpkg, seed=7)
    assert back.synthetic == reg.synthetic
    for name in ("communes", "epci", "departements", "premises", "road_nodes", "links"):
        assert_geodataframe_equal(
            getattr(back, name), getattr(reg, name), check_like=True, check_dtype=False
        )
    assert_geodataframe_equal(
        back.road_edges.drop(columns="component"), reg.road_edges, check_like=True
    )
    assert back.sites is not None and reg.sites is not None
    assert back.sites["site_id"].tolist() == reg.sites["site_id"].tolist()
    assert back.sites.geometry.geom_equals(reg.sites.geometry).all()
    assert back.meta["inputs"][0]["sha256"] == file_sha256(gpkg)
    # the same premises as a separate file (GeoJSON, WGS 84) give the same premises
    write(reg.premises.to_crs(4326), tmp_path / "premises.geojson")
    again = region_from_inputs(data=gpkg, premises=tmp_path / "premises.geojson", seed=7)
    assert again.premises is not None
    assert again.premises["premise_id"].tolist() == reg.premises["premise_id"].tolist()
    assert np.allclose(again.premises.geometry.x, reg.premises.geometry.x, atol=0.05)
    assert again.meta["crs"]["premises"] == "EPSG:4326"


def test_real_roads_get_synthetic_premises_and_parts_are_flagged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The real Rennes streets, no premises: premises generated on them; parts kept."""
    c = data.load_communes()
    rennes = c[c["insee_code"] == "35238"].copy()
    box = shapely.box(*gpd.read_file(RENNES).to_crs(2154).total_bounds).buffer(-200)
    rennes["geometry"] = rennes.geometry.intersection(box)
    rennes[["locaux", "etablissements", "logements"]] = (900, 40, 860)
    write(rennes, tmp_path / "communes.gpkg")
    with caplog.at_level(logging.WARNING, logger="bthd"):
        r = region_from_inputs(roads=RENNES, communes=tmp_path / "communes.gpkg", seed=2)
    assert r.synthetic == ("premises", "copper sites")
    assert r.meta["layers"] == {
        "communes": "real",
        "roads": "real",
        "premises": "synthetic",
        "copper sites": "synthetic",
    }
    assert r.premises is not None and r.road_edges is not None
    assert int((r.premises["logements"] + r.premises["locaux_pro"]).sum()) == 900
    # the named streets of Rennes fall into several parts: all kept, labelled, logged
    assert r.road_edges["component"].max() > 0
    assert len(r.meta["road_components"]) == r.road_edges["component"].nunique()
    assert "not connected" in caplog.text
    assert {i["role"] for i in r.meta["inputs"]} == {"communes", "roads"}
    # synthetic copper sites sit on the real roads
    assert r.sites is not None
    nra = r.sites[r.sites["site_type"].isin(["NRA", "SR"])]
    assert (nra.distance(r.road_nodes.geometry.union_all()) < 0.01).all()


def test_roads_alone_choose_the_communes_they_fall_in() -> None:
    r = region_from_inputs(roads=RENNES, seed=2)
    assert r.communes["insee_code"].tolist() == ["35238"]  # Rennes, a ZTD commune
    assert r.meta["area"]["rule"] == "the communes the roads fall in"
    assert r.premises is not None
    assert int((r.premises["logements"] + r.premises["locaux_pro"]).sum()) == int(
        r.communes["locaux"].sum()
    )


def test_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    ban = _ban(tmp_path / "adresses-29.csv", encoding="utf-8", sep=";", coords="l93")
    df = pd.read_csv(ban, sep=";", dtype=str)
    df.loc[[1, 4], ["x", "y"]] = ""
    df.to_csv(ban, sep=";", index=False)
    copper = tmp_path / "nra.csv"
    pd.DataFrame(
        {"site_id": ["NRA1", "X1"], "site_type": ["NRA", "PM"], "x": [155_000, 156_000]}
        | {"y": [6_800_000, 6_801_000]}
    ).to_csv(copper, index=False)
    with pytest.raises(ValidationError) as exc:
        region_from_inputs(premises=ban, roads=HELSINKI_PBF, copper=copper, epci=EPCI)
    msg = str(exc.value)
    assert "adresses-29.csv" in msg and "line 3" in msg and "line 6" in msg  # no coordinates
    assert "helsinki-centre.osm.pbf" in msg and "covers none of the area" in msg
    assert "nra.csv" in msg and "PM" in msg
    assert len(exc.value.problems) >= 3


def test_premises_outside_their_communes_are_listed(tmp_path: Path) -> None:
    ban = _ban(tmp_path / "adresses-29.csv", encoding="utf-8", sep=";", coords="l93")
    df = pd.read_csv(ban, sep=";", dtype=str)
    df.loc[0, "x"] = "120000"  # at sea, 35 km west, still claiming Le Juch
    df.to_csv(ban, sep=";", index=False)
    with pytest.raises(ValidationError, match="outside them") as exc:
        region_from_inputs(premises=ban, epci=EPCI)
    assert "premise_id=29087_0010_00000" in str(exc.value)


def test_premises_of_other_communes_are_left_out(tmp_path: Path) -> None:
    ban = _ban(tmp_path / "adresses-29.csv", encoding="utf-8", sep=";", coords="l93")
    # a file of the whole département and an EPCI: the EPCI's addresses only
    c = data.load_communes()
    other = c[c["epci_siren"] != EPCI].iloc[0]
    df = pd.read_csv(ban, sep=";", dtype=str)
    extra = df.iloc[[0]].assign(
        id="x1",
        code_insee=other["insee_code"],
        x=str(other.geometry.representative_point().x),
        y=str(other.geometry.representative_point().y),
    )
    pd.concat([df, extra]).to_csv(ban, sep=";", index=False)
    r = region_from_inputs(premises=ban, epci=EPCI, seed=3)
    assert r.premises is not None and len(r.premises) == 6


def test_osm_extracts_and_a_communes_layer_in_another_crs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A user's communes in ETRS-TM35FIN (EPSG:3067), roads from the real Helsinki PBF or its
    XML: reprojected (and said so), the same roads from both, premises generated on them."""
    to_fin = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    x0, y0 = to_fin.transform(24.9425, 60.1675)
    x1, y1 = to_fin.transform(24.9465, 60.1705)
    communes = gpd.GeoDataFrame(
        {
            "insee_code": ["91001"],
            "name": ["Kluuvi"],
            "departement": ["91"],
            "epci_siren": [None],
            "population": [500],
            "locaux": [300],
            "zone_type": ["RIP"],
        },
        geometry=[shapely.box(x0, y0, x1, y1)],
        crs="EPSG:3067",
    )
    write(communes, tmp_path / "kaupunginosat.gpkg")
    with caplog.at_level(logging.WARNING, logger="bthd"):
        r = region_from_inputs(roads=HELSINKI_PBF, communes=tmp_path / "kaupunginosat.gpkg", seed=5)
    assert "EPSG:3067" in caplog.text and "reprojected" in caplog.text
    assert r.meta["crs"] == {"communes": "EPSG:3067", "roads": "EPSG:4326"}
    assert r.synthetic == ("premises", "copper sites")
    assert r.premises is not None and r.road_edges is not None
    assert int((r.premises["logements"] + r.premises["locaux_pro"]).sum()) == 300
    assert r.premises.within(r.communes.geometry.union_all()).all()
    assert any("OpenStreetMap" in c for c in r.meta["input_credits"])
    xml = region_from_inputs(
        roads=DATA / "osm_samples" / "helsinki-centre-roads.osm",
        communes=tmp_path / "kaupunginosat.gpkg",
        seed=5,
    )
    assert xml.road_edges is not None
    assert len(xml.road_edges) == len(r.road_edges)
    assert np.allclose(xml.road_edges["length"], r.road_edges["length"])
    assert_geodataframe_equal(xml.premises, r.premises)
