"""Bill of materials of a design, and its costs allocated to the PM zones.

Prices every object of a designed network (trenches by civil-works type, cables by size,
PBOs, PMs, NROs, drops, studies) with :class:`bthd.settings.DesignCosts` and
:class:`bthd.settings.CivilWorksCosts`, and shares the total out to the PM zones so that the
zones' costs add up to it.

Not for: placing or routing the network (:mod:`bthd.network`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bthd.settings import COSTS, DESIGN_COSTS, CivilWorksCosts, DesignCosts

if TYPE_CHECKING:
    from bthd.network.roads import TrenchNetwork
    from bthd.network.routing import Routing
    from bthd.network.zoning import Zoning


def bill_of_materials(
    net: TrenchNetwork,
    zoning: Zoning,
    routing: Routing,
    premises: pd.DataFrame,
    locaux: np.ndarray,
    works_costs: CivilWorksCosts = COSTS,
    costs: DesignCosts = DESIGN_COSTS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bill of materials and costs, and the same costs allocated to the PM zones.

    Trenches are counted once per road edge even when transport and distribution cables share
    them; each cable section is costed per metre by its size. The allocation to PM zones splits
    a shared trench equally between the trees using it and an NRO's own costs (site, transport
    cables and trenches) by the PMs' lines; the zones' costs add up to the total.

    Returns
    -------
    bom, cost_by_pm
    """
    c = routing.cables
    edges = c["edge"].to_numpy()
    used = np.unique(edges)
    rows: list[dict[str, object]] = []
    unit_works = {
        "aerial": works_costs.aerial,
        "duct_reuse": works_costs.duct_reuse,
        "new_trench": works_costs.new_trench,
        "road_crossing": works_costs.road_crossing,
    }
    for w in ("duct_reuse", "aerial", "new_trench", "road_crossing"):
        m = net.works[used] == w
        km = float(net.length[used][m].sum()) / 1000
        rows.append(
            {
                "category": "civil works",
                "item": f"trench: {w}",
                "unit": "km",
                "quantity": round(km, 3),
                "unit_cost_eur": unit_works[w] * 1000,
                "cost_eur": float((net.length[used][m] * net.cost_per_m[used][m]).sum()),
            }
        )
    cable_m = c["length_m"].to_numpy() * c["n_cables"].to_numpy()
    cable_eur_m = costs.cable_eur_per_m_base + costs.cable_eur_per_m_per_fibre * c["cable_size"]
    c = c.assign(cable_m=cable_m, cable_cost=cable_m * cable_eur_m.to_numpy())
    for (seg, size), g in c.groupby(["segment", "cable_size"], sort=True):
        label = "transport" if seg == "TR" else "distribution"
        rows.append(
            {
                "category": "cables",
                "item": f"{label} cable {size} FO",
                "unit": "km",
                "quantity": round(float(g["cable_m"].sum()) / 1000, 3),
                "unit_cost_eur": float(
                    costs.cable_eur_per_m_base + costs.cable_eur_per_m_per_fibre * float(str(size))
                )
                * 1000,
                "cost_eur": float(g["cable_cost"].sum()),
            }
        )
    served = premises["pbo_id"].notna().to_numpy()
    n_locaux = int(locaux[served].sum())
    for kind, n, unit in (
        ("NRO", len(zoning.nro), costs.nro),
        ("PM", len(zoning.pm), costs.pm),
        ("PBO", len(zoning.pbo), costs.pbo),
    ):
        rows.append(
            {
                "category": "sites",
                "item": kind,
                "unit": "site",
                "quantity": n,
                "unit_cost_eur": unit,
                "cost_eur": n * unit,
            }
        )
    aerial_km = float(net.length[used][net.works[used] == "aerial"].sum()) / 1000
    poles = round(aerial_km * 1000 / costs.pole_spacing_m * costs.pole_replacement_share)
    rows.append(
        {
            "category": "civil works",
            "item": "poles replaced or reinforced",
            "unit": "pole",
            "quantity": poles,
            "unit_cost_eur": costs.pole,
            "cost_eur": poles * costs.pole,
        }
    )
    works_total = sum(float(str(r["cost_eur"])) for r in rows)
    rows.append(
        {
            "category": "engineering",
            "item": "studies and works supervision",
            "unit": "share of works",
            "quantity": costs.engineering_share,
            "unit_cost_eur": works_total,
            "cost_eur": works_total * costs.engineering_share,
        }
    )
    rows.append(
        {
            "category": "drops",
            "item": "final connection PBO→PTO",
            "unit": "local",
            "quantity": n_locaux,
            "unit_cost_eur": costs.drop,
            "cost_eur": n_locaux * costs.drop,
        }
    )
    bom = pd.DataFrame(rows)
    total = float(bom["cost_eur"].sum())
    bom = pd.concat(
        [
            bom,
            pd.DataFrame(
                [
                    {
                        "category": "total",
                        "item": "total",
                        "unit": "€",
                        "quantity": None,
                        "unit_cost_eur": None,
                        "cost_eur": total,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    bom["cost_eur"] = bom["cost_eur"].round(2)

    # --- allocation to PM zones -----------------------------------------------------------------
    pm = zoning.pm
    pm_index = pd.Series(np.arange(len(pm)), index=pm["site_id"])
    nro_index = pd.Series(np.arange(len(zoning.nro)), index=zoning.nro["site_id"])
    n_trees_on_edge = c.groupby("edge")["tree"].transform("nunique").to_numpy()
    trench_share = net.length[edges] * net.cost_per_m[edges] / n_trees_on_edge
    c = c.assign(trench_share=trench_share)
    di = c[c["segment"] == "DI"]
    tr = c[c["segment"] == "TR"]
    alloc = pd.DataFrame(index=np.arange(len(pm)))
    alloc["trench_di"] = np.bincount(
        pm_index.loc[di["tree"]].to_numpy(), weights=di["trench_share"], minlength=len(pm)
    )
    alloc["cable_di"] = np.bincount(
        pm_index.loc[di["tree"]].to_numpy(), weights=di["cable_cost"], minlength=len(pm)
    )
    pbo_pm = pm_index.loc[zoning.pbo["parent_id"]].to_numpy()
    alloc["pbo"] = np.bincount(pbo_pm, minlength=len(pm)) * costs.pbo
    alloc["pm"] = costs.pm
    pm_of_p = premises["pm_id"]
    ok = pm_of_p.notna().to_numpy()
    lines = np.bincount(pm_index.loc[pm_of_p[ok]].to_numpy(), weights=locaux[ok], minlength=len(pm))
    alloc["drops"] = lines * costs.drop
    nro_cost = np.full(len(zoning.nro), costs.nro, dtype=float)
    nro_cost += np.bincount(
        nro_index.loc[tr["tree"]].to_numpy(),
        weights=tr["trench_share"] + tr["cable_cost"],
        minlength=len(zoning.nro),
    )
    pm_nro = nro_index.loc[pm["parent_id"]].to_numpy()
    nro_lines = np.bincount(pm_nro, weights=lines, minlength=len(zoning.nro))
    share = np.where(nro_lines[pm_nro] > 0, lines / np.maximum(nro_lines[pm_nro], 1), 0)
    # an NRO whose PMs serve nothing spreads its cost evenly over them
    n_pm_of_nro = np.bincount(pm_nro, minlength=len(zoning.nro))
    share = np.where(nro_lines[pm_nro] > 0, share, 1 / n_pm_of_nro[pm_nro])
    alloc["nro_share"] = nro_cost[pm_nro] * share
    # poles and engineering: pro rata of each zone's works (everything but drops)
    extra = float(
        bom.loc[
            bom["item"].isin(["poles replaced or reinforced", "studies and works supervision"]),
            "cost_eur",
        ].sum()
    )
    works = alloc[["trench_di", "cable_di", "pbo", "pm", "nro_share"]].sum(axis=1)
    alloc["poles_engineering"] = extra * works / works.sum() if works.sum() else 0.0
    alloc["total"] = alloc.sum(axis=1)
    alloc.insert(0, "lines", lines.round(0).astype(np.int64))
    alloc.insert(0, "nro_id", pm["parent_id"].to_numpy())
    alloc.insert(0, "pm_id", pm["site_id"].to_numpy())
    alloc["cost_per_prise"] = np.where(
        alloc["lines"] > 0, alloc["total"] / alloc["lines"].clip(lower=1), np.nan
    )
    num = [
        "trench_di",
        "cable_di",
        "pbo",
        "pm",
        "drops",
        "nro_share",
        "poles_engineering",
        "total",
        "cost_per_prise",
    ]
    alloc[num] = alloc[num].round(2)
    return bom, alloc
