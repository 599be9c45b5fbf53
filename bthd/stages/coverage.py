"""Stage ``coverage``: coverage per commune, EPCI, département and region, year by year.

Reads only what a run folder holds (premises, communes and the eligibility of every premise),
so it also runs on an existing run: ``bthd add RUN coverage``.
"""

from __future__ import annotations

from bthd.coverage import coverage_by_year
from bthd.stages._registry import Stage, StageContext, register


def run(ctx: StageContext) -> None:
    take_up = ctx.table("plan_by_commune_year") if ctx.has("table:plan_by_commune_year") else None
    for name, df in coverage_by_year(
        ctx.layer("premises"),
        ctx.table("eligibility_by_premise"),
        ctx.layer("communes"),
        take_up=take_up,
    ).items():
        ctx.add_table(name, df)


register(
    Stage(
        name="coverage",
        run=run,
        needs=("layer:premises", "table:eligibility_by_premise", "layer:communes"),
        optional_needs=("table:plan_by_commune_year",),
        provides=(
            "table:coverage_by_commune",
            "table:coverage_by_epci",
            "table:coverage_by_departement",
            "table:coverage_by_region",
        ),
        order=80,
        description="Coverage per commune, EPCI, département and region and year: locaux, "
        "raccordables, FTTH rate, raccordés and penetration (with a plan), technology and "
        "rate-class shares",
    )
)
