"""Stage ``design``: the FTTH network (NRO, PM, PBO, Steiner routes, cables, BOM, zones)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from bthd.network.design import Design, design
from bthd.region import Region
from bthd.stages._registry import Stage, StageContext, register


def design_note(region: Region) -> str:
    """What the design's figures are, for SOURCES.txt."""
    layers = region.meta.get("layers")
    if layers is None:  # the embedded sample: premises and roads generated
        on = "these synthetic premises and roads"
    else:
        kinds = {n: layers.get(n, "synthetic") for n in ("premises", "roads")}
        on = " and ".join(
            f"{v} {n}" if v == "synthetic" else f"the given {n}" for n, v in kinds.items()
        )
    return (
        f"The FTTH design (sites NRO/PM/PBO, links TR/DI, zones, BOM, costs) is computed by bthd "
        f"on {on}: its figures are model results, not BTHD's actual network."
    )


def run(ctx: StageContext) -> None:
    region: Region = ctx.get("region")
    des: Design = design(region, seed=ctx.seed, **ctx.stage_options)
    ctx.put("design", des)
    ctx.add_layer("premises", des.premises)
    sites = des.sites.drop(columns=["node"])
    base = ctx.layers.get("sites")
    ctx.add_layer(
        "sites",
        gpd.GeoDataFrame(
            pd.concat([base, sites], ignore_index=True) if base is not None else sites,
            geometry="geometry",
            crs=sites.crs,
        ),
    )
    ctx.add_layer("links", des.links.drop(columns=["from_node", "to_node"]))
    ctx.add_table("design_bom", des.bom)
    ctx.add_table("design_cost_by_pm", des.cost_by_pm)
    ctx.add_table("design_issues", des.issues)
    if des.zones is not None:
        ctx.add_layer("zones", des.zones)
    ctx.note(design_note(region))


register(
    Stage(
        name="design",
        run=run,
        needs=("artifact:region",),
        provides=(
            "artifact:design",
            "layer:premises",
            "layer:sites",
            "layer:links",
            "layer:zones",
            "table:design_bom",
            "table:design_cost_by_pm",
            "table:design_issues",
        ),
        order=30,
        description="FTTH design: NRO/PM/PBO zoning, Steiner routing, cable sizing, optical "
        "budget, BOM and costs per PM zone, zone polygons",
    )
)
