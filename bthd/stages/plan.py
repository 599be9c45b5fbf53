"""Stage ``plan``: phase a scenario on the design (deployment zones by year, costs, funding).

Options (``options["plan"]``): ``scenario`` (a YAML path or ``bthd-reference``, the default),
``exact`` (also solve the MILP), ``exact_time_limit`` (s). The schedule keyed by ``pm_id``
is handed to the ``schedule`` stage as ``artifact:plan_schedule``. A run folder's
``med_selected`` table, when there is one, delays the MED areas as the scenario says (read if
present, not declared: the ``med`` stage runs after the schedule). In the main job the copper
lines (``artifact:copper``) give each premise its rate, for the worst-served-first rule.
"""

from __future__ import annotations

import pandas as pd

from bthd.phasing.run import plan_design
from bthd.phasing.scenario import REFERENCE_SCENARIO, load_scenario
from bthd.stages._registry import Stage, StageContext, register

#: Tables the stage adds.
TABLES = (
    "calibration",
    "plan_by_commune_year",
    "plan_by_departement_year",
    "plan_by_epci_year",
    "plan_by_year",
    "plan_by_zone_year",
    "plan_flags",
    "plan_schedule",
    "plan_unreached",
    "plan_zdep",
)


def run(ctx: StageContext) -> None:
    """Plan the scenario of ``options["plan"]`` on the design held by ``ctx``."""
    opts = ctx.stage_options
    name = str(opts.get("scenario", REFERENCE_SCENARIO))
    sc = load_scenario(name)
    med = ctx.table("med_selected") if ctx.has("table:med_selected") else None
    premises = pd.DataFrame(ctx.layer("premises"))
    if ctx.has("artifact:copper") and "copper_rate_mbps" not in premises.columns:
        lines = ctx.get("copper").lines  # worst-served first needs each premise's copper rate
        premises["copper_rate_mbps"] = lines["rate_mbps"].to_numpy()
        premises["sr_id"] = lines["sr_id"].to_numpy()
    res = plan_design(
        premises,
        pd.DataFrame(ctx.layer("communes")),
        ctx.layer("zones"),
        ctx.table("design_cost_by_pm"),
        sc,
        med_selected=med,
        exact=bool(opts.get("exact", False)),
        exact_time_limit=float(opts.get("exact_time_limit", 60.0)),
        source=name,
    )
    for t in sorted(res.tables):
        ctx.add_table(t, res.tables[t])
    if res.zdep is not None:
        ctx.add_layer("zdep", res.zdep)
    ctx.put("plan", res.plan)
    ctx.put("plan_schedule", res.tables["plan_schedule"])
    ctx.note(
        f"Plan: scenario {sc.name}; figures of the scenario carry their sources; calibration.csv "
        "compares the plan with Mégalis's published figures."
    )


register(
    Stage(
        name="plan",
        run=run,
        needs=("layer:premises", "layer:communes", "layer:zones", "table:design_cost_by_pm"),
        optional_needs=("artifact:copper",),
        provides=(
            *(f"table:{t}" for t in TABLES),
            "layer:zdep",
            "artifact:plan",
            "artifact:plan_schedule",
        ),
        order=50,
        description="Phase scenario: deployment zones by year under capacity, budget and "
        "priorities, costs, co-financing, calibration on BTHD",
    )
)
