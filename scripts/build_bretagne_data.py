"""Build the embedded Brittany data (``data/bretagne/``) from ``../shared/data``.

Run it from the repository root::

    python scripts/build_bretagne_data.py [--shared ../shared/data] [--overwrite]

It writes ``data/bretagne/bretagne.gpkg`` with the layers

* ``communes``: the 1,202 communes of COG 2026 with INSEE code, name, département, EPCI,
  population, Arcep 2018 logements + établissements (= *locaux*, summed over the 2018 communes
  each 2026 commune merged), zone type (ZTD / AMII / RIP), Arcep 2018 *locaux raccordables*,
  and a reference point (``centre_x``/``centre_y``, Lambert-93);
* ``epci``: the 61 EPCI à fiscalité propre (2026 membership, Breton part);
* ``departements``: the 4 départements;
* ``pops``: the 8 points of presence of the Mégalis II backbone (press release of 2007);
* ``backbone``: the 2 Gb/s loop Rennes–Vannes–Lorient–Quimper–Brest–Lannion–Saint-Brieuc–Rennes
  and the secured extension Rennes–Saint-Malo (schematic straight lines between PoPs).

Nothing is made up: every value comes from the files named in ``data/README.md``. The output is
deterministic (same inputs, same bytes apart from GeoPackage timestamps, same tables).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bthd.io import write_layers
from bthd.schema import validate
from bthd.settings import WORK_CRS

#: PoPs of the regional backbone: INSEE code of the town, name (press release 20/02/2007).
POPS = [
    ("35238", "Rennes"),
    ("56260", "Vannes"),
    ("56121", "Lorient"),
    ("29232", "Quimper"),
    ("29019", "Brest"),
    ("22113", "Lannion"),
    ("22278", "Saint-Brieuc"),
    ("35288", "Saint-Malo"),
]
LOOP = ["Rennes", "Vannes", "Lorient", "Quimper", "Brest", "Lannion", "Saint-Brieuc", "Rennes"]
EXTENSION = [("Rennes", "Saint-Malo")]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build(shared: Path) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, str]]:
    files = {
        "communes": shared / "admin/communes-bretagne-cog2026-derived.geojson",
        "epci": shared / "admin/epci-bretagne-cog2026-derived.geojson",
        "departements": shared / "admin/departements-bretagne-2018.geojson",
        "arcep": shared / "arcep/arcep-ftth-communes-bretagne-2018T1.csv",
        "comparateur": shared / "insee/communes-bretagne-comparateur-territoires-2024.csv",
    }
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise SystemExit(
            f"missing inputs: {', '.join(missing)} (is ../shared/data beside the repo?)"
        )

    # --- communes: COG 2026 polygons + Arcep 2018 figures mapped through codes_2018 -----------
    com = gpd.read_file(files["communes"]).to_crs(WORK_CRS)
    arcep = pd.read_csv(
        files["arcep"],
        dtype={
            "code_insee": str,
            "departement": str,
            "epci_siren": str,
            "amii_engagement_l33_13": str,
        },
    )
    arcep["zone_type"] = np.select(
        [arcep.zone_tres_dense == 1, arcep.amii_engagement_l33_13.fillna("") != ""],
        ["ZTD", "AMII"],
        "RIP",
    )
    link = com[["code_insee", "codes_2018"]].assign(code_2018=com.codes_2018.str.split(";"))
    link = link.explode("code_2018")[["code_insee", "code_2018"]]
    j = link.merge(
        arcep.rename(columns={"code_insee": "code_2018"}),
        on="code_2018",
        how="left",
        validate="one_to_one",
    )
    if j.logements.isna().any():
        raise SystemExit(
            f"2018 codes without Arcep row: {j.code_2018[j.logements.isna()].tolist()}"
        )
    zt = j.groupby("code_insee").zone_type.agg(lambda s: sorted(set(s)))
    mixed = zt[zt.map(len) > 1]
    if len(mixed):
        raise SystemExit(f"communes merging several zone types: {mixed.to_dict()}")
    agg = j.groupby("code_insee").agg(
        logements=("logements", "sum"),
        etablissements=("etablissements", "sum"),
        locaux_raccordables_2018=("locaux_raccordables_2018T1", "sum"),
        zone_type=("zone_type", "first"),
        amii_operator=("amii_engagement_l33_13", lambda s: ";".join(sorted(set(s.dropna())))),
        commune_rurale=("commune_rurale", "max"),
    )
    com = com.merge(agg, left_on="code_insee", right_index=True, how="left", validate="one_to_one")
    com["locaux"] = com.logements + com.etablissements
    # reference point: INSEE comparateur lat/lng when inside the commune, else a point inside it
    comp = pd.read_csv(files["comparateur"], dtype=str)
    comp = comp[comp.commune_type == "COM"].drop_duplicates("insee_com")
    pts = (
        gpd.GeoDataFrame(
            comp[["insee_com"]],
            geometry=gpd.points_from_xy(comp.lng.astype(float), comp.lat.astype(float)),
            crs="EPSG:4326",
        )
        .to_crs(WORK_CRS)
        .set_index("insee_com")
        .geometry
    )
    ref = com.code_insee.map(pts)
    inside = np.array(
        [
            r is not None and not pd.isna(r) and poly.contains(r)
            for r, poly in zip(ref, com.geometry, strict=True)
        ]
    )
    rep = com.geometry.representative_point()
    centre = np.where(inside, ref, rep)
    com["centre_x"] = shapely.get_x(centre).round(1)
    com["centre_y"] = shapely.get_y(centre).round(1)
    com["centre_source"] = np.where(inside, "insee_comparateur", "representative_point")
    com["area_km2"] = (com.area / 1e6).round(3)
    communes = gpd.GeoDataFrame(
        {
            "insee_code": com.code_insee,
            "name": com.nom,
            "departement": com.departement,
            "epci_siren": com.epci_siren.where(
                com.epci_siren.notna() & (com.epci_siren != ""), None
            ),
            "population": com.population.astype("int64"),
            "logements": com.logements.astype("int64"),
            "etablissements": com.etablissements.astype("int64"),
            "locaux": com.locaux.astype("int64"),
            "zone_type": com.zone_type,
            "amii_operator": com.amii_operator,
            "commune_rurale": com.commune_rurale.astype(bool),
            "locaux_raccordables_2018": com.locaux_raccordables_2018.astype("int64"),
            "codes_2018": com.codes_2018,
            "area_km2": com.area_km2,
            "centre_x": com.centre_x,
            "centre_y": com.centre_y,
            "centre_source": com.centre_source,
        },
        geometry=com.geometry.values,
        crs=WORK_CRS,
    ).sort_values("insee_code", ignore_index=True)

    # --- EPCI -----------------------------------------------------------------------------------
    e = gpd.read_file(files["epci"]).to_crs(WORK_CRS)
    epci = gpd.GeoDataFrame(
        {
            "epci_siren": e.epci_siren,
            "name": e.epci_nom,
            "epci_type": e["type"],
            "population": e.population_bretagne.astype("int64"),
            "population_municipale_dgcl": e.population_municipale.astype("int64"),
            "nb_communes": e.nb_communes_bretagne.astype("int64"),
            "nb_communes_total": e.nb_communes.astype("int64"),
            "entirely_in_bretagne": e.entierement_en_bretagne.astype(bool),
            "departements": e.departements,
        },
        geometry=e.geometry.values,
        crs=WORK_CRS,
    ).sort_values("epci_siren", ignore_index=True)

    d = gpd.read_file(files["departements"]).to_crs(WORK_CRS)
    departements = gpd.GeoDataFrame(
        {"departement": d.code, "name": d.nom}, geometry=d.geometry.values, crs=WORK_CRS
    ).sort_values("departement", ignore_index=True)

    # --- backbone -------------------------------------------------------------------------------
    ref_pts = dict(zip(comp.insee_com, gpd.GeoSeries(pts.values, index=pts.index), strict=True))
    pops = gpd.GeoDataFrame(
        {
            "site_id": [f"POP-{name.upper().replace(' ', '-')}" for _, name in POPS],
            "site_type": "POP",
            "name": [name for _, name in POPS],
            "insee_code": [code for code, _ in POPS],
            "capacity_gbps": 2.0,
            "synthetic": False,
            "position": "commune reference point (INSEE); the PoP building is not public",
        },
        geometry=[ref_pts[code] for code, _ in POPS],
        crs=WORK_CRS,
    )
    by_name = dict(zip(pops.name, pops.site_id, strict=True))
    geo = dict(zip(pops.name, pops.geometry, strict=True))
    legs = [(a, b, "loop") for a, b in itertools.pairwise(LOOP)]
    legs += [(a, b, "extension") for a, b in EXTENSION]
    backbone = gpd.GeoDataFrame(
        {
            "link_id": [f"CO-{by_name[a][4:]}-{by_name[b][4:]}" for a, b, _ in legs],
            "link_type": "CO",
            "from_site": [by_name[a] for a, _, _ in legs],
            "to_site": [by_name[b] for _, b, _ in legs],
            "capacity_gbps": 2.0,
            "role": [r for _, _, r in legs],
            "synthetic": False,
            "schematic": True,
        },
        geometry=[shapely.LineString([geo[a], geo[b]]) for a, b, _ in legs],
        crs=WORK_CRS,
    )
    backbone["length_m"] = backbone.length.round(1)

    layers = {
        "communes": validate(communes, "communes", source="communes"),
        "epci": validate(epci, "epci", source="epci"),
        "departements": validate(departements, "departements", source="departements"),
        "pops": validate(pops, "sites", source="pops"),
        "backbone": validate(backbone, "links", source="backbone"),
    }
    hashes = {f"{k}": f"{files[k].relative_to(shared)} sha256:{_sha(files[k])}" for k in files}
    return layers, hashes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "bretagne")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(argv)
    layers, hashes = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    write_layers(layers, args.out / "bretagne.gpkg", overwrite=args.overwrite)
    c = layers["communes"]
    summary = {
        "inputs": hashes,
        "communes": len(c),
        "epci": len(layers["epci"]),
        "departements": len(layers["departements"]),
        "pops": len(layers["pops"]),
        "backbone_links": len(layers["backbone"]),
        "locaux": int(c.locaux.sum()),
        "locaux_by_zone_type": {k: int(v) for k, v in c.groupby("zone_type").locaux.sum().items()},
        "population": int(c.population.sum()),
    }
    manifest = args.out / "manifest.json"
    manifest.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
