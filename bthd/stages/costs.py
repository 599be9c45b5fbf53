"""Stage ``costs``: the design's costs by commune, EPCI, département, beside published costs."""

from __future__ import annotations

from bthd.costs.territory import cost_by_territory, cost_comparison
from bthd.network.design import Design
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    des: Design = ctx.get("design")
    for name, df in cost_by_territory(des.premises, des.cost_by_pm, ctx.layer("communes")).items():
        ctx.add_table(name, df)
    ctx.add_table(
        "design_cost_comparison",
        cost_comparison(des.cost_per_prise(), des.cost_per_prise(drops=True)),
    )


register(
    Stage(
        name="costs",
        run=run,
        needs=("artifact:design", "layer:communes"),
        provides=(
            "table:design_cost_by_commune",
            "table:design_cost_by_epci",
            "table:design_cost_by_departement",
            "table:design_cost_comparison",
        ),
        order=35,
        description="Costs per prise by commune, EPCI and département; published comparison",
    )
)
