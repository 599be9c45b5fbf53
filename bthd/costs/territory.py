"""A design's costs by territory (commune, EPCI, département) and beside published costs.

Each premise carries the cost per prise of its PM zone, so the territories' costs add up to the
PM zones' (and so to the BOM total, less the premises no PM serves).

Not for: the BOM itself (:mod:`bthd.costs.bom`).
"""

from __future__ import annotations

import pandas as pd

from bthd.reference import PUBLISHED_COST_PER_PRISE, PUBLISHED_COST_SOURCE

#: Territory levels: column of the communes table → name used in table names.
LEVELS = (("insee_code", "commune"), ("epci_siren", "epci"), ("departement", "departement"))


def cost_by_territory(
    premises: pd.DataFrame, cost_by_pm: pd.DataFrame, communes: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Cost per prise by commune, EPCI and département, premises weighted by their PM zone.

    Parameters
    ----------
    premises
        Designed premises: ``insee_code``, ``pm_id``, ``logements``, ``locaux_pro``.
    cost_by_pm
        ``pm_id`` and ``cost_per_prise`` (:attr:`bthd.network.design.Design.cost_by_pm`).
    communes
        ``insee_code``, ``name``, ``departement``, ``epci_siren``.

    Returns
    -------
    dict
        ``design_cost_by_commune``, ``design_cost_by_epci``, ``design_cost_by_departement``:
        ``locaux``, ``cost`` (€ HT) and ``cost_per_prise_eur`` per territory.
    """
    cpp = cost_by_pm.set_index("pm_id")["cost_per_prise"]
    p = premises
    loc = (p["logements"] + p["locaux_pro"]).to_numpy()
    served = p["pm_id"].notna().to_numpy()
    df = pd.DataFrame(
        {
            "insee_code": p["insee_code"].to_numpy()[served],
            "locaux": loc[served],
            "cost": loc[served] * p["pm_id"][served].map(cpp).to_numpy(),
        }
    )
    com = communes.set_index("insee_code")[["name", "departement", "epci_siren"]]
    by_com = df.groupby("insee_code").sum().join(com)
    tables: dict[str, pd.DataFrame] = {}
    for key, name in LEVELS:
        g = by_com.reset_index().groupby(key)[["locaux", "cost"]].sum()
        g["cost_per_prise_eur"] = (g["cost"] / g["locaux"]).round(2)
        g["cost"] = g["cost"].round(2)
        if key == "insee_code":
            g = g.join(com["name"])
        tables[f"design_cost_by_{name}"] = g.reset_index()
    return tables


def cost_comparison(cost_per_prise: float, cost_per_prise_with_drops: float) -> pd.DataFrame:
    """The model's cost per prise beside the published ones (:data:`bthd.reference`)."""
    model = "model (synthetic premises and roads)"
    return pd.DataFrame(
        {
            "reference": [
                "bthd model, without final connections",
                "bthd model, with final connections",
                *PUBLISHED_COST_PER_PRISE,
            ],
            "cost_per_prise_eur": [
                round(cost_per_prise, 2),
                round(cost_per_prise_with_drops, 2),
                *PUBLISHED_COST_PER_PRISE.values(),
            ],
            "source": [model, model] + [PUBLISHED_COST_SOURCE] * len(PUBLISHED_COST_PER_PRISE),
        }
    )
