"""Side-by-side comparison of plans (run folders written by ``bthd plan``).

Tables: ``compare_summary`` (total and public cost, funding by funder, date of 100 %),
``compare_by_year`` (coverage curve, raccordés, rural share each year), ``compare_funding``
(funder totals and shares), ``compare_equity`` (spread of coverage rates across EPCI each year:
P10, median, P90) and ``compare_epci_complete`` (the year each EPCI reaches 100 % of its
plannable lines, projected after the horizon when needed). Charts: :mod:`bthd.phasing.charts`.

Not for: planning (:mod:`bthd.phasing.engine`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from bthd._errors import InputError
from bthd.phasing.financing import FUNDERS

#: Tables a plan's run folder must hold to be compared.
NEEDED = ("plan_by_year", "plan_by_epci_year", "plan_schedule", "plan_zdep")


def _label(name: str) -> str:
    """A scenario argument as a short label (its file stem)."""
    base = os.path.basename(name)
    return base.rsplit(".", 1)[0] if base.endswith((".yaml", ".yml")) else base


def compare(
    runs: Sequence[str | os.PathLike[str]], labels: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Compare plans.

    Parameters
    ----------
    runs
        Run folders written by ``bthd plan`` (at least two).
    labels
        A short name per run (default: the scenario name, or the folder name when two runs
        have the same scenario).

    Raises
    ------
    bthd.InputError
        Fewer than two runs, or a run without a plan's tables (the message names it).
    """
    from bthd.io.runs import open_run

    if len(runs) < 2:
        raise InputError(f"compare needs at least two plan run folders, got {len(runs)}.")
    opened = [open_run(r) for r in runs]
    problems = [f"{r.path}: no table {t}" for r in opened for t in NEEDED if not r.has_table(t)]
    if problems:
        raise InputError("; ".join(problems) + ". Fix: give run folders written by `bthd plan`.")
    if labels is None:
        names = [str(r.manifest.get("parameters", {}).get("scenario", r.path.name)) for r in opened]
        names = [_label(n) for n in names]
        if len(set(names)) < len(names):
            names = [r.path.name for r in opened]
        labels = names
    if len(labels) != len(opened):
        raise InputError(f"give one label per run: {len(labels)} labels for {len(opened)} runs.")
    summary, by_year, funding, equity, complete = [], [], [], [], []
    for label, r in zip(labels, opened, strict=True):
        py = r.table("plan_by_year")
        ep = r.table("plan_by_epci_year")
        zd = r.table("plan_zdep")
        zd["epci_siren"] = zd["epci_siren"].astype(str)
        eur = {k: float(py[f"{k}_eur"].sum()) for k in FUNDERS}
        capex = float(py["capex_eur"].sum())
        full_year = int(zd["finish_year"].max()) if len(zd) else 0
        last = py.sort_values("year").iloc[-1]
        summary.append(
            {
                "run": label,
                "lines": int(last["plannable"]),
                "raccordables_end": int(last["raccordables"]),
                "coverage_end": round(float(last["raccordables"] / max(last["plannable"], 1)), 4),
                "year_100pct": full_year,
                "capex_eur": round(capex, 2),
                "public_cost_eur": round(capex - eur["operator"], 2),
                **{f"{k}_eur": round(v, 2) for k, v in eur.items()},
            }
        )
        yb = py[["year", "lines_built", "raccordables", "raccordes", "rural_share_built"]].copy()
        yb["coverage"] = (yb["raccordables"] / py["plannable"].where(py["plannable"] > 0)).round(4)
        yb.insert(0, "run", label)
        by_year.append(yb)
        for k, v in eur.items():
            funding.append(
                {
                    "run": label,
                    "funder": k,
                    "eur": round(v, 2),
                    "share": round(v / capex, 4) if capex else 0.0,
                }
            )
        ep = ep.assign(rate=ep["raccordables"] / ep["plannable"].where(ep["plannable"] > 0))
        q = ep.dropna(subset=["rate"]).groupby("year")["rate"]
        eq = pd.DataFrame(
            {"p10": q.quantile(0.1), "median": q.median(), "p90": q.quantile(0.9)}
        ).round(4)
        eq["spread_p90_p10"] = (eq["p90"] - eq["p10"]).round(4)
        eq = eq.reset_index()
        eq.insert(0, "run", label)
        equity.append(eq)
        done = zd.groupby("epci_siren")["finish_year"].max().rename("year_100pct").reset_index()
        done.insert(0, "run", label)
        complete.append(done)
    comp = pd.concat(complete, ignore_index=True)
    spread = (
        comp.groupby("run", sort=False)["year_100pct"]
        .agg(first="min", p10=lambda s: s.quantile(0.1), p90=lambda s: s.quantile(0.9), last="max")
        .reset_index()
    )
    out = {
        "compare_summary": pd.DataFrame(summary).merge(
            spread.rename(
                columns={
                    "first": "epci_first_100pct",
                    "p10": "epci_p10_100pct",
                    "p90": "epci_p90_100pct",
                    "last": "epci_last_100pct",
                }
            ),
            on="run",
        ),
        "compare_by_year": pd.concat(by_year, ignore_index=True),
        "compare_funding": pd.DataFrame(funding),
        "compare_equity": pd.concat(equity, ignore_index=True),
        "compare_epci_complete": comp.sort_values(
            ["run", "epci_siren"], kind="mergesort"
        ).reset_index(drop=True),
    }
    for df in out.values():
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(4 if not c.endswith("_eur") and c != "eur" else 2)
    return out
