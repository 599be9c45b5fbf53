"""Stage ``backbone``: collecte links NRO→PoP and the backbone's survivability."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from bthd.network import backbone as bb
from bthd.network.design import Design
from bthd.region import Region
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    des: Design = ctx.get("design")
    region: Region = ctx.get("region")
    sites = des.sites.drop(columns=["node"])
    nros = sites[sites["site_type"] == "NRO"].rename(columns={"capacity": "lines"})
    base = region.sites
    pops = base[base["site_type"] == "POP"] if base is not None else sites.iloc[:0]
    if not len(pops) or not len(nros) or not ctx.has("layer:backbone"):
        return
    backbone = ctx.layer("backbone")
    collecte = bb.attach_nros(nros, pops)
    ctx.add_layer(
        "backbone",
        gpd.GeoDataFrame(
            pd.concat([backbone, collecte], ignore_index=True), geometry="geometry", crs=sites.crs
        ),
    )
    ctx.add_table(
        "backbone_survivability",
        bb.survivability(pops, backbone, collecte, des.premises.drop(columns="geometry")),
    )


register(
    Stage(
        name="backbone",
        run=run,
        needs=("artifact:region", "artifact:design"),
        optional_needs=("layer:backbone",),
        provides=("layer:backbone", "table:backbone_survivability"),
        order=40,
        description="Collecte links from each NRO to the nearest PoPs; survivability of the "
        "backbone (locaux cut by each single failure)",
    )
)
