"""Stage ``eligibility``: the best service of every premise for every year (FTTH, MED, copper)."""

from __future__ import annotations

from bthd import eligibility as el
from bthd.network.copper import CopperLines
from bthd.network.design import Design
from bthd.reference import ELIGIBILITY_YEARS
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    des: Design = ctx.get("design")
    cl: CopperLines = ctx.get("copper")
    fy = ctx.get("ftth_year")
    years = list(ELIGIBILITY_YEARS)
    locaux = des.premises["logements"] + des.premises["locaux_pro"]
    island = el.islands(des.net.component, des.premise_nodes, des.premises.index)
    tech, cls = el.eligibility_by_year(
        cl.lines,
        fy,
        years,
        med_year=ctx.artifacts.get("med_year"),
        copper_after_med=ctx.artifacts.get("copper_after_med"),
    )
    ctx.add_table("eligibility_by_year", el.summary_by_year(tech, cls, locaux))
    ctx.add_table("eligibility_before_after", el.before_after(cls, locaux, years[0], years[-1]))
    prem = ctx.layer("premises").copy()
    prem["copper_rate_mbps"] = cl.lines["rate_mbps"].to_numpy()
    prem["copper_class"] = cl.lines["rate_class"].astype(str).to_numpy()
    prem["tv"] = cl.lines["tv"].astype(str).to_numpy()
    prem["copper_length_m"] = cl.lines["length_m"].to_numpy()
    prem["ftth_year"] = fy.to_numpy()
    prem["island"] = island.to_numpy()
    ctx.add_layer("premises", prem)
    ctx.add_parquet("eligibility_by_premise", el.by_premise(prem["premise_id"], tech, cls))


register(
    Stage(
        name="eligibility",
        run=run,
        needs=("artifact:design", "artifact:copper", "artifact:ftth_year", "layer:premises"),
        optional_needs=("artifact:med_year", "artifact:copper_after_med"),
        provides=(
            "layer:premises",
            "table:eligibility_by_year",
            "table:eligibility_before_after",
            "table:eligibility_by_premise",
        ),
        order=70,
        description="Best technology and rate class per premise and year 2014–2026; islands "
        "flagged",
    )
)
