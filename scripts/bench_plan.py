"""Benchmark: the reference scenario on the whole region from a design run folder.

    python scripts/bench_plan.py --from-run RUN [--departement 22] [--time-limit 60] [--json OUT]

RUN is a run folder of the whole region (``bthd demo --region --out RUN`` or ``bthd design
--region``, not timed here). Timed: reading the design, building the planning units and
deployment zones, the greedy plan, and the tables; target (issue 9): the greedy plan of the
region in at most 20 s. Then greedy against exact (HiGHS MILP) on the PM zones of one
département: time and objective gap, and on growing subsets of it, the largest size the exact
plan solves to optimality within the time limit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from-run", type=Path, required=True)
    ap.add_argument("--departement", default="22")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--sizes", default="5,10,20,40", help="deployment zones per exact subset")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    import geopandas as gpd
    import pandas as pd

    from bthd.io.runs import open_run
    from bthd.phasing.calibration import calibration_table
    from bthd.phasing.engine import greedy, prepare
    from bthd.phasing.exact import solve_exact
    from bthd.phasing.outputs import tables
    from bthd.phasing.run import _known_communes, read_premises
    from bthd.phasing.scenario import parse_scenario, reference_scenario

    sc = reference_scenario()
    rows: list[tuple[str, float]] = []
    t = time.perf_counter()
    run = open_run(args.from_run)
    premises = read_premises(run)
    communes = pd.DataFrame(run.layer("communes").drop(columns="geometry"))
    zones: gpd.GeoDataFrame = run.layer("zones")
    cost = run.table("design_cost_by_pm")
    med = run.table("med_selected")["sr_id"] if run.has_table("med_selected") else ()
    rows.append(("read the design run folder", time.perf_counter() - t))
    t = time.perf_counter()
    units = prepare(
        premises, communes, cost, sc, zpm=zones, med_sr=med, known_communes=_known_communes()
    )
    rows.append(("planning units and deployment zones", time.perf_counter() - t))
    t = time.perf_counter()
    plan = greedy(units, sc)
    greedy_s = time.perf_counter() - t
    rows.append(("greedy plan", greedy_s))
    t = time.perf_counter()
    tb = tables(plan, premises, communes)
    cal = calibration_table(plan, tb)
    rows.append(("tables and calibration", time.perf_counter() - t))
    plan_s = sum(s for k, s in rows if k != "read the design run folder")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(
        f"Whole region: {len(premises):,} premises, {len(units):,} PM zones, "
        f"{units['zdep_id'].nunique():,} deployment zones ({machine})\n"
    )
    print("| step | seconds |\n|---|---:|")
    for k, v in rows:
        print(f"| {k} | {v:.2f} |")
    print(
        f"\nplan (units + greedy + tables): {plan_s:.1f} s; target 20 s: "
        f"{'met' if plan_s <= 20 else 'NOT met'}"
    )
    print("\n" + cal[["figure", "published", "model", "relative_error"]].to_string(index=False))

    dep = units[units["departement"] == args.departement].reset_index(drop=True)
    # "core": capacity, budget, complétude and MED delay only, which both planners model the
    # same way; "reference": with the rural share (the MILP allows one zone's lines of slack),
    # the pins (the MILP only holds their first year) and the balance (greedy only)
    core_dict = sc.model_dump(mode="json")
    core_dict["pins"] = []
    core_dict["priorities"]["rural_share"] = {"default": None, "by_year": {}}
    core_dict["priorities"]["balance"] = {"departement": 0.0, "epci": 0.0}
    core = parse_scenario(core_dict, "core")
    exact_rows = []
    zids = sorted(dep["zdep_id"].unique())
    sizes = [int(s) for s in args.sizes.split(",") if s] + [len(zids)]
    for n in sorted({min(s, len(zids)) for s in sizes}):
        for label, scen in (("core", core), ("reference", sc)):
            sub = dep[dep["zdep_id"].isin(zids[:n])].reset_index(drop=True)
            if label == "core":
                sub["pin"] = ""
            g = greedy(sub, scen)
            ex = solve_exact(sub, scen, greedy_plan=g, time_limit=args.time_limit)
            exact_rows.append(
                {"rules": label, "deployment_zones": n, **ex.summary.iloc[0].to_dict()}
            )
    ex_df = pd.DataFrame(exact_rows)
    print(
        f"\nGreedy against exact, département {args.departement} (time limit "
        f"{args.time_limit:.0f} s; the last row is the whole département):\n"
    )
    print(ex_df.to_string(index=False))
    ex_df["greedy_vs_bound"] = (1 - ex_df["greedy_objective"] / ex_df["exact_bound"]).round(4)
    print("\n" + ex_df[["rules", "pm_zones", "greedy_vs_bound"]].to_string(index=False))
    optimal = ex_df[ex_df["status"] == "optimal"]
    largest = int(optimal["pm_zones"].max()) if len(optimal) else 0
    print(f"\nlargest size solved to optimality within the limit: {largest} PM zones")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "premises": len(premises),
                    "pm_zones": len(units),
                    "deployment_zones": int(units["zdep_id"].nunique()),
                    "steps_s": {k: round(v, 3) for k, v in rows},
                    "plan_s": round(plan_s, 2),
                    "met": plan_s <= 20,
                    "exact": json.loads(ex_df.to_json(orient="records")),
                    "largest_optimal_pm_zones": largest,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
