"""Choosing montée-en-débit operations under a budget or for a number of operations.

Greedy by benefit per euro, or exact (a 0/1 program, :func:`scipy.optimize.milp`); at most one
operation per SR.

Not for: building the candidates (:mod:`bthd.med.candidates`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from bthd._errors import ParameterError
from bthd.med.candidates import weighted_benefit
from bthd.settings.med import GAINS

log = logging.getLogger(__name__)

__all__ = ["select"]


def _check_number(value: float | None, name: str, integer: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(f"{name}={value!r}: give a number")
    if not np.isfinite(value) or value < 0:
        raise ParameterError(f"{name}={value!r}: give a finite number ≥ 0")
    if integer and float(value) != int(value):
        raise ParameterError(f"{name}={value!r}: give a whole number of operations")


def select(
    cands: pd.DataFrame,
    *,
    budget: float | None = None,
    operations: int | None = None,
    exact: bool = False,
    weights: Mapping[str, float] | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame:
    """Choose operations under a budget or for a number of operations.

    Only eligible candidates with a positive benefit are chosen, and at most one operation per
    SR. The objective is the total benefit (weighted gains).

    * Greedy (default): candidates in decreasing benefit per euro (ties: larger benefit, lower
      cost, ``sr_id``, ``kind``), each taken if it still fits the budget (the next ones are
      still tried) or until ``operations`` are taken.
    * Exact: a 0/1 program (:func:`scipy.optimize.milp`, HiGHS, zero optimality gap):
      maximise the total benefit subject to the budget (0/1 knapsack) or to at most
      ``operations`` operations (cardinality), and one operation per SR. Never worse than
      greedy: if the solver stops early with a worse answer, greedy's is kept (logged).

    Parameters
    ----------
    cands
        :func:`bthd.med.candidates`.
    budget
        Total cost allowed (€ HT, operations and fibre).
    operations
        Number of operations (at most; fewer when fewer candidates have a gain).
    exact
        Solve exactly instead of greedily.
    weights
        Weights of the gains (keys of :data:`GAINS`) to recompute the benefit with; default:
        the ``benefit`` column of ``cands``.
    time_limit_s
        Time limit of the exact solver (s).

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``cands`` in the order chosen (greedy) or by decreasing benefit per
        euro (exact), with ``rank`` (1, 2...) and ``cum_cost_eur``; ``attrs["selection"]``
        records the method, the constraint, the objective and the total cost.

    Raises
    ------
    bthd.ParameterError
        Both or neither of ``budget`` and ``operations``; negative, infinite or fractional
        values; unknown weights; a table without the columns of :func:`bthd.med.candidates`.
    """
    if budget is not None and operations is not None:
        raise ParameterError(
            "give either a budget (€) or a number of operations, not both "
            f"(got budget={budget!r}, operations={operations!r})"
        )
    if budget is None and operations is None:
        raise ParameterError("give a budget (€) or a number of operations to select")
    _check_number(budget, "budget")
    _check_number(operations, "operations", integer=True)
    need = {"kind", "sr_id", "cost_eur", "benefit", "eligible", *GAINS}
    missing = sorted(need - set(cands.columns))
    if missing:
        raise ParameterError(f"candidates: missing columns {missing}; pass bthd.med.candidates")
    c = cands.copy()
    if weights is not None:
        c["benefit"] = weighted_benefit(c, weights)
        c["benefit_per_eur"] = np.where(
            c["cost_eur"] > 0,
            c["benefit"] / c["cost_eur"].where(c["cost_eur"] > 0, 1.0),
            np.where(c["benefit"] > 0, np.inf, 0.0),
        )
    pool = c[
        c["eligible"].to_numpy(bool)
        & (c["benefit"].to_numpy(float) > 0)
        & np.isfinite(c["cost_eur"].to_numpy(float))
    ]
    pool = pool.iloc[_greedy_order(pool)]
    cost = pool["cost_eur"].to_numpy(float)
    benefit = pool["benefit"].to_numpy(float)
    sr = pool["sr_id"].to_numpy(object)
    chosen = _greedy(cost, sr, budget, operations)
    method = "greedy"
    if exact and len(pool):
        x = _exact(cost, benefit, sr, budget, operations, time_limit_s)
        if x is not None and benefit[x].sum() >= benefit[chosen].sum() - 1e-9:
            chosen = x
            method = "exact"
        else:
            log.warning(
                "exact selection: no better answer than greedy within %g s; keeping greedy's",
                time_limit_s,
            )
            method = "exact (greedy kept)"
    out = pool[chosen].copy()
    if method != "greedy":
        out = out.iloc[_greedy_order(out)]
    out["rank"] = np.arange(1, len(out) + 1)
    out["cum_cost_eur"] = out["cost_eur"].cumsum()
    out.attrs = dict(cands.attrs)
    out.attrs["selection"] = {
        "method": method,
        "budget_eur": budget,
        "operations": operations,
        "objective": float(out["benefit"].sum()),
        "cost_eur": float(out["cost_eur"].sum()),
        "weights": dict(weights) if weights is not None else None,
    }
    log.info(
        "selected %d operations (%s), %.1f M€, benefit %.0f",
        len(out),
        method,
        out["cost_eur"].sum() / 1e6,
        out["benefit"].sum(),
    )
    return out


def _greedy_order(df: pd.DataFrame) -> np.ndarray:
    """Positions by decreasing benefit per euro; ties: benefit, cost, sr_id, kind."""
    if not len(df):
        return np.empty(0, np.int64)
    return np.lexsort(
        (
            df["kind"].astype(str).to_numpy(),
            df["sr_id"].astype(str).to_numpy(),
            df["cost_eur"].to_numpy(float),
            -df["benefit"].to_numpy(float),
            -df["benefit_per_eur"].to_numpy(float),
        )
    )


def _greedy(
    cost: np.ndarray, sr: np.ndarray, budget: float | None, operations: int | None
) -> np.ndarray:
    """Greedy pass over candidates already in priority order (one per SR)."""
    chosen = np.zeros(len(cost), bool)
    taken: set[object] = set()
    left = np.inf if budget is None else float(budget)
    cap = len(cost) if operations is None else int(operations)
    count = 0
    for i in range(len(cost)):
        if count >= cap:
            break
        if sr[i] in taken or cost[i] > left * (1 + 1e-12):
            continue
        chosen[i] = True
        taken.add(sr[i])
        left -= cost[i]
        count += 1
    return chosen


def _exact(
    cost: np.ndarray,
    benefit: np.ndarray,
    sr: np.ndarray,
    budget: float | None,
    operations: int | None,
    time_limit_s: float,
) -> np.ndarray | None:
    """0/1 program: max benefit s.t. budget or cardinality, and one operation per SR."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(cost)
    rows = [cost[None, :] if budget is not None else np.ones((1, n))]
    ub = [float(budget) if budget is not None else float(operations or 0)]
    codes, uniq = pd.factorize(pd.Series(sr))
    counts = np.bincount(codes, minlength=len(uniq))
    multi = np.flatnonzero(counts > 1)
    cons = [LinearConstraint(np.vstack(rows), -np.inf, np.asarray(ub))]
    if len(multi):
        keep = np.isin(codes, multi)
        remap = np.full(len(uniq), -1, np.int64)
        remap[multi] = np.arange(len(multi))
        r = remap[codes[keep]]
        a = sparse.csr_matrix(
            (np.ones(keep.sum()), (r, np.flatnonzero(keep))), shape=(len(multi), n)
        )
        cons.append(LinearConstraint(a, -np.inf, np.ones(len(multi))))
    res = milp(
        -benefit,
        constraints=cons,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": float(time_limit_s), "disp": False},
    )
    if res.x is None:
        return None
    x = res.x > 0.5
    # check what the solver's tolerances allowed
    if budget is not None and cost[x].sum() > float(budget) * (1 + 1e-9):
        return None
    if operations is not None and x.sum() > operations:
        return None
    if len(pd.unique(sr[x])) < x.sum():
        return None
    return x
