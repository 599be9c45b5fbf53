"""Calibration: a plan's figures beside the published ones (``tables/calibration.csv``).

Columns ``figure, published, model, relative_error, source``. The embedded base (Arcep T1 2018,
1,160,808 locaux in the RIP communes) is about 9 % below the programme's 1,277,332 lines, so
line figures are compared in two ways: as **shares of the programme** (published figure /
programme total against model figure / model lines), always; and as **absolute** numbers
when the plan covers the whole region (where the gap shows as it is, never forced away). Phase
totals are scenario targets that the planner fills in order (a phase's lines are the first
lines built up to its target), so their check is the year each phase is complete. In the
reference scenario the capacities are derived from the published raccordables and the take-up
curve is fitted on the 2024 raccordés, so those rows check that the planner uses its capacity
(zone granularity, complétude, MED delays) rather than give an independent test; the cost,
the number of zones and PM zones per tranche, the phase years and the funding shares are
outcomes of the plan. Each row's ``source`` says which is which.

Not for: the plan itself (:mod:`bthd.phasing.engine`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd.phasing.engine import Plan
from bthd.reference import RIP_LOCAUX_2018

#: A plan whose lines are at least this share of the RIP locaux counts as the whole region.
WHOLE_REGION_SHARE = 0.9


def _row(figure: str, published: float, model: float, source: str) -> dict[str, object]:
    err = (model - published) / published if published else np.nan
    return {
        "figure": figure,
        "published": published,
        "model": model,
        "relative_error": round(float(err), 4),
        "source": source,
    }


def calibration_table(plan: Plan, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Published figures beside the plan's (see the module docstring).

    Parameters
    ----------
    plan
        The plan.
    tables
        Its tables (:func:`bthd.phasing.outputs.tables`): ``plan_by_year`` and
        ``plan_by_zone_year`` are used.
    """
    sc = plan.scenario
    cal = sc.calibration
    pub_total = float(sc.lines_basis.published_total)
    u = plan.units[~plan.units["excluded"]]
    model_total = float(u["lines"].sum())
    if model_total <= 0:  # an area of AMII/ZTD communes only, or everything excluded
        only = _row(
            "lines of the plan (model: RIP locaux of the area, Arcep T1 2018)",
            pub_total,
            0.0,
            "no line of the area is in the plan (AMII/ZTD or excluded): nothing to calibrate",
        )
        return pd.DataFrame([only])
    whole = model_total >= WHOLE_REGION_SHARE * RIP_LOCAUX_2018
    py = tables["plan_by_year"]
    col: dict[str, dict[int, float]] = {
        c: dict(zip(py["year"].astype(int), py[c].astype(float), strict=True))
        for c in ("raccordables", "raccordes")
    }
    rows: list[dict[str, object]] = []
    lb = sc.lines_basis.source or "scenario lines_basis"
    rows.append(
        _row(
            "lines of the plan (model: RIP locaux of the area, Arcep T1 2018)",
            pub_total,
            model_total,
            f"{lb}; model/programme = {model_total / pub_total:.4f}"
            + ("" if whole else " (a part of the region: compare the shares)"),
        )
    )
    for ph in sc.phases:
        mine = u[u["phase"] == ph.name]
        if ph.lines:
            rows.append(
                _row(
                    f"{ph.name}: share of the programme's lines",
                    round(ph.lines / pub_total, 4),
                    round(float(mine["lines"].sum()) / model_total, 4),
                    ph.source + " (a target of the scenario: the planner fills it in order)",
                )
            )
            if whole:
                rows.append(
                    _row(f"{ph.name}: lines", ph.lines, float(mine["lines"].sum()), ph.source)
                )
        if len(mine):
            rows.append(
                _row(
                    f"{ph.name}: years from {sc.horizon.start} to its last line",
                    ph.end - sc.horizon.start + 1,
                    float(mine["year"].max() - sc.horizon.start + 1),
                    ph.source + f" (published end {ph.end})",
                )
            )
        for t in ph.tranches:
            tm = u[u["tranche"] == t.name]
            if t.lines:
                rows.append(
                    _row(
                        f"{t.name}: share of the programme's lines",
                        round(t.lines / pub_total, 4),
                        round(float(tm["lines"].sum()) / model_total, 4),
                        t.source,
                    )
                )
            if whole and t.zones:
                rows.append(
                    _row(
                        f"{t.name}: deployment zones",
                        t.zones,
                        float(tm["zdep_id"].nunique()),
                        t.source,
                    )
                )
    if whole and cal.tranche1_pms is not None:
        first_tranche = next((t.name for ph in sc.phases for t in ph.tranches), "")
        rows.append(
            _row(
                f"{first_tranche}: PM zones",
                cal.tranche1_pms.value,
                float((u["tranche"] == first_tranche).sum()),
                cal.tranche1_pms.source,
            )
        )
    for what, figs in (("raccordables", cal.raccordables), ("raccordes", cal.raccordes)):
        for y, fig in sorted(figs.items()):
            if y not in col[what]:
                continue
            model = col[what][y]
            rows.append(
                _row(
                    f"{what} end {y}: share of the programme's lines",
                    round(fig.value / pub_total, 4),
                    round(model / model_total, 4),
                    fig.source,
                )
            )
            if whole:
                rows.append(_row(f"{what} end {y}", fig.value, model, fig.source))
    for y in sorted(set(cal.raccordables) & set(cal.raccordes)):
        if col["raccordables"].get(y, 0.0) > 0:
            rows.append(
                _row(
                    f"take-up end {y} (raccordés / raccordables)",
                    round(cal.raccordes[y].value / cal.raccordables[y].value, 4),
                    round(col["raccordes"][y] / col["raccordables"][y], 4),
                    cal.raccordes[y].source,
                )
            )
    capex = float(u.loc[u["year"] > 0, "capex_eur"].sum())
    if cal.total_cost_eur is not None:
        rows.append(
            _row(
                "cost per line (€, total / programme lines)",
                round(cal.total_cost_eur.value / pub_total, 2),
                round(capex / model_total, 2),
                cal.total_cost_eur.source + " (design cost of the model's PM zones)",
            )
        )
        if whole:
            rows.append(
                _row("total cost (€)", cal.total_cost_eur.value, capex, cal.total_cost_eur.source)
            )
    zy = tables["plan_by_zone_year"]
    first = sc.phases[0].name
    p1 = zy[zy["phase"] == first]
    p1_capex = float(p1["capex_eur"].sum())
    if p1_capex > 0:
        shares = {
            "phase1_share_collectivites": float(
                (p1["region_eur"] + p1["departement_eur"] + p1["epci_eur"]).sum()
            ),
            "phase1_share_epci": float(p1["epci_eur"].sum()),
            "phase1_share_fsn_feder": float((p1["fsn_eur"] + p1["feder_eur"]).sum()),
        }
        labels = {
            "phase1_share_collectivites": "Région + Départements + EPCI",
            "phase1_share_epci": "EPCI",
            "phase1_share_fsn_feder": "State FSN + FEDER",
        }
        for key, amount in shares.items():
            fig = getattr(cal, key)
            if fig is not None:
                rows.append(
                    _row(
                        f"{first} funding share: {labels[key]}",
                        fig.value,
                        round(amount / p1_capex, 4),
                        fig.source,
                    )
                )
    out = pd.DataFrame(rows, columns=["figure", "published", "model", "relative_error", "source"])
    out["model"] = out["model"].astype(float).round(4)
    out["published"] = out["published"].astype(float)
    return out
