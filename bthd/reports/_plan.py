"""The plan and MED sections of the commission report (blocks from ``plan_*`` and ``med_*``).

Not for: the other sections (see :mod:`bthd.reports.content`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bthd.reports import charts
from bthd.reports._labels import fmt_eur, fmt_int, fmt_meur, fmt_pct

#: Most MED operations listed one by one (the rest are in the totals).
MED_ROWS = 25


def plan_blocks(
    s: Any, plan: pd.DataFrame | None, dep: str | None, L: dict[str, str], lang: str
) -> list[Any]:
    """Headings, tables and chart of the plan: phases, funding by funder, roll-out by year."""
    from bthd.reports.content import FUNDERS, Block

    out: list[Any] = [Block("h1", L["plan"])]
    if plan is None or not len(plan):
        return [*out, Block("p", L["no_plan"])]
    zd = s.table("plan_zdep")
    if zd is not None and len(zd):
        if dep is not None:
            zd = zd.loc[zd["departement"].astype(str) == dep]
        rows = []
        for phase, g in zd.groupby("phase", sort=True):
            end = g["finish_year"] if "finish_year" in g.columns else g["start_year"]
            rows.append(
                [
                    str(phase).replace("phase", L["phase"]),
                    fmt_int(len(g), lang),
                    fmt_int(g["lines"].sum(), lang),
                    fmt_meur(g["capex_eur"].sum(), lang),
                    f"{int(g['start_year'].min())}–{int(end.max())}",
                ]
            )
        rows.append(
            [
                L["total"],
                fmt_int(len(zd), lang),
                fmt_int(zd["lines"].sum(), lang),
                fmt_meur(zd["capex_eur"].sum(), lang),
                "",
            ]
        )
        out.append(Block("h2", L["phases"]))
        out.append(
            Block(
                "table",
                header=[L["phase"], L["zones"], L["lines"], L["capex"], L["years"]],
                rows=rows,
                synthetic=True,
            )
        )
    total = float(plan["capex_eur"].sum())
    if zd is not None and len(zd) and round(float(zd["capex_eur"].sum())) != round(total):
        out.append(Block("p", L["horizon_note"].format(year=int(plan["year"].max()))))
    frows = []
    for f in FUNDERS:
        col = f"{f}_eur"
        if col in plan.columns:
            v = float(plan[col].sum())
            frows.append(
                [L[f"funder_{f}"], fmt_meur(v, lang), fmt_pct(v / total if total else 0.0, lang)]
            )
    frows.append([L["total"], fmt_meur(total, lang), fmt_pct(1.0 if total else 0.0, lang)])
    out.append(Block("h2", L["funding"]))
    out.append(
        Block("table", header=[L["funder"], L["amount"], L["share"]], rows=frows, synthetic=True)
    )
    plan = plan.sort_values("year")
    yrows = [
        [
            str(int(r["year"])),
            fmt_int(r["lines_built"], lang),
            fmt_int(r["raccordables"], lang),
            fmt_int(r["raccordes"], lang),
            fmt_meur(r["capex_eur"], lang),
            fmt_meur(r["public_need_eur"], lang),
        ]
        for _, r in plan.iterrows()
    ]
    out.append(Block("h2", L["plan_year"]))
    out.append(
        Block(
            "table",
            header=[
                L["year"],
                L["lines_built"],
                L["racc_short"],
                L["raccordes"],
                L["capex"],
                L["public_need"],
            ],
            rows=yrows,
            synthetic=True,
        )
    )
    cols = [f for f in FUNDERS if f"{f}_eur" in plan.columns]
    out.append(
        Block(
            "image",
            L["chart_funding"],
            image=charts.funding_chart(plan, cols, L),
            synthetic=True,
        )
    )
    return out


def med_blocks(med: pd.DataFrame | None, L: dict[str, str], lang: str) -> list[Any]:
    """Heading, totals and the list of MED operations."""
    from bthd.reports.content import Block

    out: list[Any] = [Block("h1", L["med"])]
    if med is None or not len(med):
        return [*out, Block("p", L["no_med"])]
    med = med.sort_values("rank") if "rank" in med.columns else med
    rows = []
    for kind, g in med.groupby("kind", sort=True):
        rows.append(
            [
                str(kind),
                fmt_int(len(g), lang),
                fmt_int(g["lines"].sum(), lang),
                fmt_meur(g["cost_eur"].sum(), lang),
            ]
        )
    rows.append(
        [
            L["total"],
            fmt_int(len(med), lang),
            fmt_int(med["lines"].sum(), lang),
            fmt_meur(med["cost_eur"].sum(), lang),
        ]
    )
    out.append(
        Block(
            "table",
            header=[L["kind"], L["operations"], L["lines"], L["cost"]],
            rows=rows,
            synthetic=True,
        )
    )
    ops = [
        [
            str(r["sr_id"]),
            str(r["kind"]),
            fmt_int(r["lines"], lang),
            fmt_eur(r["cost_eur"], lang),
            fmt_eur(r["cost_per_line"], lang),
            "–" if pd.isna(r["ftth_year"]) else str(int(r["ftth_year"])),
        ]
        for _, r in med.head(MED_ROWS).iterrows()
    ]
    out.append(
        Block(
            "table",
            header=[
                L["site"],
                L["kind"],
                L["lines"],
                L["cost"],
                L["cost_per_line"],
                L["ftth_year"],
            ],
            rows=ops,
            synthetic=True,
        )
    )
    if len(med) > MED_ROWS:
        out.append(Block("p", L["med_first"].format(n=MED_ROWS, total=len(med))))
    return out
