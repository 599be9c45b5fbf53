"""A small design run folder shared by the export tests (built once per test session)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

#: Seven small communes of CA Lamballe Terre et Mer served by two NROs (about 2,900 premises).
COMMUNES = ["22153", "22296", "22345", "22346", "22184", "22332", "22261"]
#: Brittany in WGS 84 (lon, lat), with a margin.
BRITTANY = (-5.3, 47.2, -0.9, 49.0)


def make_small_run(path: Path) -> Path:
    """A run folder with a design of seven communes and its FTTH years, as the pipeline writes."""
    from bthd import eligibility as el
    from bthd.io.runs import run_folder
    from bthd.network.design import design
    from bthd.region import Region
    from bthd.stages.load import validated

    region = validated(Region.embedded(communes=COMMUNES))
    des = design(region, seed=2154)
    layers = dict(region.layers())
    sites = des.sites.drop(columns=["node"])
    layers["backbone"] = layers.pop("links")
    schedule = el.default_schedule(region.communes, seed=2154)
    layers["premises"] = des.premises.assign(
        ftth_year=el.ftth_year(des.premises, schedule).to_numpy()
    )
    layers["sites"] = gpd.GeoDataFrame(
        pd.concat([layers["sites"], sites], ignore_index=True), geometry="geometry", crs=sites.crs
    )
    layers["links"] = des.links.drop(columns=["from_node", "to_node"])
    assert des.zones is not None
    layers["zones"] = des.zones
    with run_folder(path, command="test", parameters={"communes": COMMUNES}) as rf:
        rf.write_layers(layers)
    return path


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
