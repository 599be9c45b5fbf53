"""The exact plan (HiGHS MILP) on a tiny in-code instance: optimal, feasible, never below greedy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd.phasing.engine import greedy
from bthd.phasing.exact import solve_exact
from bthd.phasing.scenario import parse_scenario


def units() -> pd.DataFrame:
    """Eight PM zones in four deployment zones, one with a MED delay."""
    n = 8
    return pd.DataFrame(
        {
            "pm_id": [f"PM-{i}" for i in range(n)],
            "lines": [300, 200, 500, 100, 250, 250, 400, 150],
            "capex_eur": [3e5, 5e5, 4e5, 3e5, 2e5, 6e5, 5e5, 1e5],
            "insee_code": ["22001"] * n,
            "departement": ["22"] * n,
            "epci_siren": ["200000001"] * n,
            "zone_type": ["RIP"] * n,
            "rural": [True, True, False, False, True, False, True, False],
            "share_worst_served": np.linspace(0, 1, n),
            "weight": [1.0, 1.5, 1.0, 2.0, 1.0, 1.2, 1.0, 1.0],
            "pin": [""] * n,
            "excluded": [False] * n,
            "earliest_year": [0, 0, 0, 0, 0, 0, 2023, 2023],
            "zdep_id": ["Z1", "Z1", "Z2", "Z2", "Z3", "Z3", "Z4", "Z4"],
        }
    )


def test_exact_is_optimal_feasible_and_not_below_greedy() -> None:
    sc = parse_scenario(
        {
            "name": "tiny",
            "horizon": {"start": 2021, "end": 2025},
            "phases": [{"name": "p", "start": 2021, "end": 2025}],
            "capacity": {"lines_per_year": dict.fromkeys(range(2021, 2026), 520)},
            "budget": {"cap_per_year_eur": dict.fromkeys(range(2021, 2026), 7e5)},
            "completude_years": 2,
            "financing": {"fsn": {"default": {"rate": 0.4, "cap_eur_per_prise": 400}}},
        }
    )
    u = units()
    g = greedy(u, sc)
    ex = solve_exact(u, sc, greedy_plan=g, time_limit=20)
    assert ex.status == "optimal"
    row = ex.summary.iloc[0]
    assert row["exact_objective"] >= row["greedy_objective"] - 1e-6
    assert 0 <= row["gap_greedy_vs_exact"] < 1
    y = ex.schedule.merge(u, on="pm_id")
    built = y[y["year"] > 0]
    for yr, grp in built.groupby("year"):
        assert grp["lines"].sum() <= 520 and grp["capex_eur"].sum() <= 7e5 + 1e-6, yr
    assert (built.loc[built["earliest_year"] > 0, "year"] >= 2023).all()
    span = built.groupby("zdep_id")["year"].agg(["min", "max"])
    assert ((span["max"] - span["min"] + 1) <= 2).all()
    # the objective reported is the one of the schedule returned
    obj = (built["lines"] * built["weight"] * (2025 - built["year"] + 1)).sum()
    assert obj == ex.objective
