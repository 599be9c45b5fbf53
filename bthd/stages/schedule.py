"""Stage ``schedule``: the year each premise becomes FTTH raccordable.

The plan's schedule by PM zone (the ``plan`` stage) where it gives one; otherwise, and for the
zones a plan leaves out (AMII/ZTD), the year derived from Arcep 2018 and BTHD's published phases
(:func:`bthd.eligibility.default_schedule`).
"""

from __future__ import annotations

from bthd import eligibility as el
from bthd.network.design import Design
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    des: Design = ctx.get("design")
    derived = el.default_schedule(ctx.layer("communes"), seed=ctx.seed)
    if ctx.has("artifact:plan_schedule"):
        # the plan's year per PM zone; zones it leaves out (AMII/ZTD, excluded) keep the
        # derived year of their commune
        schedule = ctx.get("plan_schedule")
        fy = el.ftth_year(des.premises, schedule)
        fy = fy.fillna(el.ftth_year(des.premises, derived))
    else:
        schedule = derived
        fy = el.ftth_year(des.premises, schedule)
    ctx.add_table("ftth_schedule", schedule)
    ctx.put("ftth_year", fy)


register(
    Stage(
        name="schedule",
        run=run,
        needs=("artifact:design", "layer:communes"),
        optional_needs=("artifact:plan_schedule",),
        provides=("table:ftth_schedule", "artifact:ftth_year"),
        order=55,
        description="FTTH year of every premise: the plan's schedule, or one derived from "
        "Arcep 2018 and BTHD's published phases",
    )
)
