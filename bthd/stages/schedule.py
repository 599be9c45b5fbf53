"""Stage ``schedule``: the year each premise becomes FTTH raccordable.

Derived from Arcep 2018 and BTHD's published phases (:func:`bthd.eligibility.default_schedule`)
unless a plan (the ``plan`` stage) gives a schedule keyed by PM zone.
"""

from __future__ import annotations

from bthd import eligibility as el
from bthd.network.design import Design
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    des: Design = ctx.get("design")
    if ctx.has("artifact:plan_schedule"):
        schedule = ctx.get("plan_schedule")
    else:
        schedule = el.default_schedule(ctx.layer("communes"), seed=ctx.seed)
    ctx.add_table("ftth_schedule", schedule)
    ctx.put("ftth_year", el.ftth_year(des.premises, schedule))


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
