"""The exact plan: a mixed-integer program solved by HiGHS (:func:`scipy.optimize.milp`).

Variables: ``x[p, y]`` = 1 when PM zone ``p`` becomes raccordable in horizon year ``y``;
``s[z, y]`` = 1 when deployment zone ``z`` is opened in ``y``. Maximise the weighted
line-years ``Σ weight_p × lines_p × (end − y + 1) × x[p, y]`` (the greedy planner's objective)
subject to:

* each PM zone at most once; each deployment zone opened at most once;
* capacity ``Σ lines_p x[p, y] ≤ C_y`` and budget ``Σ capex_p x[p, y] ≤ B_y`` each year;
* *complétude*: a PM zone is built within ``N`` years of its zone's opening
  (``x[p, y] ≤ Σ_{y−N<y'≤y} s[z, y']``), and a zone opened in ``y0`` is finished by
  ``y0 + N − 1`` when that year is in the horizon;
* no PM zone before its MED delay or its pin's first year; AMII/ZTD zones left out;
* the rural share each year, within one deployment zone's lines (the greedy planner's own
  granularity).

The balance between départements and EPCI is an ordering rule of the greedy planner, not a
constraint here; pins' last years are not forced (the greedy planner's flags say when it misses
them). The greedy objective is evaluated with the same formula, so the gap
``(exact − greedy) / exact`` is what the greedy rules cost (or, when negative, what the exact
model's stricter constraints forbid).

Not for: the default plan (:func:`bthd.phasing.engine.greedy`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from bthd.phasing.engine import Plan, scale_of
from bthd.phasing.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass
class ExactResult:
    """The exact plan's years per PM zone and the comparison with the greedy plan."""

    schedule: pd.DataFrame
    objective: float
    summary: pd.DataFrame
    status: str
    seconds: float


def solve_exact(
    units: pd.DataFrame,
    scenario: Scenario,
    *,
    greedy_plan: Plan | None = None,
    time_limit: float = 60.0,
) -> ExactResult:
    """Solve the plan exactly (see the module docstring).

    Parameters
    ----------
    units
        Planning units (:func:`bthd.phasing.engine.prepare`).
    scenario
        The scenario.
    greedy_plan
        The greedy plan to compare with (its objective and gap go into ``summary``).
    time_limit
        Seconds given to HiGHS; on time-out the best plan found is returned with its bound.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    t0 = time.perf_counter()
    sc = scenario
    scale = scale_of(units, sc)
    u = units[~units["excluded"]].sort_values("pm_id", kind="mergesort").reset_index(drop=True)
    years = np.array(sc.years)
    ny, npm = len(years), len(u)
    end = sc.horizon.end
    zids, zi = np.unique(u["zdep_id"].to_numpy().astype(str), return_inverse=True)
    nz = len(zids)
    lines = u["lines"].to_numpy(float)
    capex = u["capex_eur"].to_numpy(float)
    w = u["weight"].to_numpy(float)
    rural = u["rural"].to_numpy(bool)
    periods = sc.periods()
    pin_start = np.array([periods.get(p, (0, 0))[0] if p else 0 for p in u["pin"].astype(str)])
    first = np.maximum(u["earliest_year"].to_numpy(np.int64), pin_start)
    nx = npm * ny
    nvar = nx + nz * ny

    def xi(p: Any, k: Any) -> Any:
        return p * ny + k

    def si(z: Any, k: Any) -> Any:
        return nx + z * ny + k

    c = np.zeros(nvar)
    c[:nx] = -(w[:, None] * lines[:, None] * (end - years[None, :] + 1)).ravel()
    ub = np.ones(nvar)
    ub[:nx] = (years[None, :] >= first[:, None]).ravel().astype(float)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    n_rows = 0

    def add(
        r: np.ndarray, col: np.ndarray, v: np.ndarray, low: np.ndarray, high: np.ndarray
    ) -> None:
        nonlocal n_rows
        rows.append(r + n_rows)
        cols.append(np.asarray(col))
        vals.append(np.asarray(v, dtype=float))
        lo.append(low)
        hi.append(high)
        n_rows += len(low)

    pg, kg = np.meshgrid(np.arange(npm), np.arange(ny), indexing="ij")
    pp, kk = pg.ravel(), kg.ravel()
    # each PM zone at most once; each deployment zone opened at most once
    add(pp, xi(pp, kk), np.ones(nx), np.zeros(npm), np.ones(npm))
    zg, zkg = np.meshgrid(np.arange(nz), np.arange(ny), indexing="ij")
    zz, zk = zg.ravel(), zkg.ravel()
    add(zz, si(zz, zk), np.ones(nz * ny), np.zeros(nz), np.ones(nz))
    # capacity and budget per year
    cap = np.array([sc.capacity.lines(int(y)) * scale for y in years])
    add(kk, xi(pp, kk), lines[pp], np.full(ny, -np.inf), cap)
    budget = np.array([sc.budget.cap_per_year_eur.get(int(y), np.inf) for y in years])
    if np.isfinite(budget).any():
        add(kk, xi(pp, kk), capex[pp], np.full(ny, -np.inf), budget)
    # rural share, within one deployment zone's lines
    zone_lines = np.bincount(zi, lines, nz)
    tol = float(zone_lines.max(initial=0.0))
    shares = [sc.priorities.rural_share.share(int(y)) for y in years]
    ks = [k for k, s in enumerate(shares) if s is not None]
    if ks:
        share_k = np.array([shares[k] or 0.0 for k in range(ny)])
        m = np.isin(kk, ks)
        coef = (rural[pp[m]].astype(float) - share_k[kk[m]]) * lines[pp[m]]
        kmap = {k: i for i, k in enumerate(ks)}
        add(
            np.array([kmap[k] for k in kk[m]]),
            xi(pp[m], kk[m]),
            coef,
            np.full(len(ks), -tol),
            np.full(len(ks), np.inf),
        )
    # complétude: x[p, y] <= sum of s[z(p), y'] for y - N < y' <= y
    n = sc.completude_years
    r_list, c_list, v_list = [pp * ny + kk], [xi(pp, kk)], [np.ones(nx)]
    for d in range(n):
        ok = kk - d >= 0
        r_list.append((pp * ny + kk)[ok])
        c_list.append(si(zi[pp[ok]], kk[ok] - d))
        v_list.append(-np.ones(int(ok.sum())))
    add(
        np.concatenate(r_list),
        np.concatenate(c_list),
        np.concatenate(v_list),
        np.full(nx, -np.inf),
        np.zeros(nx),
    )
    # a zone opened in y0 is finished by y0 + N - 1 (when in the horizon)
    r2, c2, v2 = [], [], []
    k0s = [k for k in range(ny) if k + n - 1 < ny]
    for i, k0 in enumerate(k0s):
        upto = kk <= k0 + n - 1
        r2.append(i * nz + zi[pp[upto]])
        c2.append(xi(pp[upto], kk[upto]))
        v2.append(lines[pp[upto]])
        r2.append(i * nz + np.arange(nz))
        c2.append(si(np.arange(nz), k0))
        v2.append(-zone_lines)
    if k0s:
        add(
            np.concatenate(r2),
            np.concatenate(c2),
            np.concatenate(v2),
            np.zeros(len(k0s) * nz),
            np.full(len(k0s) * nz, np.inf),
        )
    a = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, nvar)
    )
    cons = LinearConstraint(a, np.concatenate(lo), np.concatenate(hi))
    res = milp(
        c,
        constraints=cons,
        integrality=np.ones(nvar),
        bounds=Bounds(np.zeros(nvar), ub),
        options={"time_limit": float(time_limit), "mip_rel_gap": 1e-4, "disp": False},
    )
    seconds = time.perf_counter() - t0
    status = {0: "optimal", 1: "time limit (best found)", 2: "infeasible"}.get(
        res.status, res.message
    )
    if res.x is None:
        sched = pd.DataFrame({"pm_id": u["pm_id"], "year": np.zeros(npm, np.int64)})
        objective = float("nan")
    else:
        xv = res.x[:nx].reshape(npm, ny) > 0.5
        yr = np.where(xv.any(axis=1), years[np.argmax(xv, axis=1)], 0)
        sched = pd.DataFrame({"pm_id": u["pm_id"].to_numpy(), "year": yr.astype(np.int64)})
        objective = float(-res.fun)
    bound = getattr(res, "mip_dual_bound", None)
    g_obj = greedy_plan.objective if greedy_plan is not None else float("nan")
    summary = pd.DataFrame(
        [
            {
                "pm_zones": npm,
                "deployment_zones": nz,
                "variables": nvar,
                "constraints": n_rows,
                "greedy_objective": round(g_obj, 1),
                "exact_objective": round(objective, 1),
                "exact_bound": round(-float(bound), 1) if bound is not None else np.nan,
                "gap_greedy_vs_exact": round((objective - g_obj) / objective, 6)
                if objective and np.isfinite(objective)
                else np.nan,
                "status": status,
                "greedy_seconds": round(greedy_plan.seconds, 3) if greedy_plan else np.nan,
                "exact_seconds": round(seconds, 3),
            }
        ]
    )
    log.info("exact plan: %s in %.1f s, objective %.0f", status, seconds, objective)
    return ExactResult(sched, objective, summary, str(status), seconds)
