"""Stage ``copper``: every premise's copper line NRA→SR→premise, with its DSL rate and class."""

from __future__ import annotations

from bthd.network.copper import copper_lines
from bthd.network.design import Design
from bthd.region import Region
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    region: Region = ctx.get("region")
    des: Design = ctx.get("design")
    if region.sites is None or des.snapped is None:
        raise ValueError("the copper stage needs the region's NRA/SR sites and a design")
    ctx.put("copper", copper_lines(des.net, des.snapped, region.sites))


register(
    Stage(
        name="copper",
        run=run,
        needs=("artifact:region", "artifact:design"),
        provides=("artifact:copper",),
        order=50,
        description="Copper lines NRA→SR→premise along the roads: length, attenuation, DSL "
        "rate, rate class, TV",
    )
)
