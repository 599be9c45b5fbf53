"""Tables and layers of a plan: per zone and year, per commune, EPCI, département and region.

Every table is sorted and rounded (lines to the unit, euros to the cent, shares to 1e-4) so
that the same design and scenario give byte-identical files. Capex is booked in the year a PM
zone becomes raccordable; *raccordés* follow the scenario's take-up curve by full years since
opening.

Not for: planning (:mod:`bthd.phasing.engine`) or funding rules (:mod:`bthd.phasing.financing`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd.phasing.engine import Plan
from bthd.phasing.financing import FUNDERS, fund
from bthd.phasing.scenario import Scenario, TakeUp

EUR_COLUMNS = (
    "capex_eur",
    "public_need_eur",
    *(f"{k}_eur" for k in FUNDERS),
    "remaining_need_eur",
)


#: Columns holding counts of lines (written as whole numbers; raccordés rounded to the line).
_COUNT_COLUMNS = (
    "locaux",
    "plannable",
    "lines",
    "lines_built",
    "rural_lines_built",
    "raccordables",
    "raccordes",
    "zone_lines",
)


def take_up_share(take_up: TakeUp, years_since: np.ndarray) -> np.ndarray:
    """Raccordés / raccordables after ``years_since`` full years (0 before opening)."""
    ys = np.asarray(years_since, dtype=float)
    share = np.interp(ys, take_up.years_since_opening, take_up.share)
    return np.where(ys < 0, 0.0, share)


def zone_years(plan: Plan) -> pd.DataFrame:
    """Works and funding of every deployment zone and year with works (``plan_by_zone_year``)."""
    u = plan.units[(plan.units["seq"] >= 0)]
    g = u.groupby(["zdep_id", "year"], sort=True)
    zy = pd.DataFrame(
        {
            "lines": g["lines"].sum(),
            "capex_eur": g["capex_eur"].sum(),
            "departement": g["departement"].first(),
            "epci_siren": g["epci_siren"].first(),
            "phase": g["phase"].first(),
            "tranche": g["tranche"].first(),
        }
    ).reset_index()
    return fund(zy, plan.scenario.financing)


def _pieces(plan: Plan, premises: pd.DataFrame) -> pd.DataFrame:
    """PM zone × commune pieces with their year, lines and share of the zone-year's funding."""
    p = pd.DataFrame(premises)
    p = p[p["pm_id"].notna()]
    lines = p["logements"].fillna(0) + p["locaux_pro"].fillna(0)
    pc = (
        pd.DataFrame({"pm_id": p["pm_id"].astype(str), "insee_code": p["insee_code"].astype(str)})
        .assign(lines=lines.to_numpy(float))
        .groupby(["pm_id", "insee_code"], sort=True)["lines"]
        .sum()
        .reset_index()
    )
    u = plan.units.set_index("pm_id")
    pm_lines = pc.groupby("pm_id")["lines"].transform("sum")
    pc["share_of_pm"] = np.where(pm_lines > 0, pc["lines"] / pm_lines, 0.0)
    for col in ("zdep_id", "year", "capex_eur", "departement", "epci_siren", "excluded", "rural"):
        pc[col] = u[col].reindex(pc["pm_id"]).to_numpy()
    pc["pm_capex"] = pc["capex_eur"]
    return pc


def _years_matrix(plan: Plan, year: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative raccordables and raccordés (rows × horizon years)."""
    yrs = np.array(plan.scenario.years)
    built = (year[:, None] > 0) & (year[:, None] <= yrs[None, :])
    racc = lines[:, None] * built
    since = yrs[None, :] - year[:, None]
    raccordes = racc * take_up_share(plan.scenario.take_up, np.where(built, since, -1))
    new = lines[:, None] * (year[:, None] == yrs[None, :])
    return new, racc, raccordes


def tables(plan: Plan, premises: pd.DataFrame, communes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table of a plan, by name (see the module docstring and the README).

    Returns
    -------
    dict
        ``plan_by_zone_year, plan_by_commune_year, plan_by_epci_year,
        plan_by_departement_year, plan_by_year, plan_zdep, plan_schedule, plan_flags,
        plan_unreached``.
    """
    sc = plan.scenario
    yrs = np.array(sc.years)
    zy = zone_years(plan)
    pcs = _pieces(plan, premises)
    # funding of each piece: its share of the PM zone's capex in the zone-year
    zy_capex = zy.set_index(["zdep_id", "year"])["capex_eur"]
    built = pcs["year"].to_numpy() > 0
    key = pd.MultiIndex.from_arrays([pcs["zdep_id"].astype(str), pcs["year"].astype(np.int64)])
    zc = zy_capex.reindex(key).to_numpy(float)
    piece_capex = pcs["pm_capex"].to_numpy(float) * pcs["share_of_pm"].to_numpy(float)
    ratio = np.where(built & (zc > 0), piece_capex / np.where(zc > 0, zc, 1.0), 0.0)
    zy_idx = zy.set_index(["zdep_id", "year"])
    eur = {c: zy_idx[c].reindex(key).to_numpy(float) * ratio for c in EUR_COLUMNS}
    eur["capex_eur"] = np.where(built, piece_capex, 0.0)
    new, racc, raccordes = _years_matrix(
        plan, pcs["year"].to_numpy(np.int64), pcs["lines"].to_numpy(float)
    )
    in_year = pcs["year"].to_numpy()[:, None] == yrs[None, :]
    c = pd.DataFrame(communes).drop(columns="geometry", errors="ignore")
    c = c.assign(insee_code=c["insee_code"].astype(str)).set_index("insee_code")
    pcs["commune_departement"] = c["departement"].astype(str).reindex(pcs["insee_code"]).to_numpy()
    pcs["commune_epci"] = c["epci_siren"].astype(str).reindex(pcs["insee_code"]).to_numpy()
    long = []
    n = len(pcs)
    for j, y in enumerate(yrs):
        d = {
            "insee_code": pcs["insee_code"].to_numpy(),
            "epci_siren": pcs["commune_epci"].to_numpy(),
            "departement": pcs["commune_departement"].to_numpy(),
            "year": np.full(n, y),
            "locaux": pcs["lines"].to_numpy(float),
            "plannable": pcs["lines"].to_numpy(float) * ~pcs["excluded"].to_numpy(bool),
            "lines_built": new[:, j],
            "rural_lines_built": new[:, j] * pcs["rural"].to_numpy(bool),
            "raccordables": racc[:, j],
            "raccordes": raccordes[:, j],
        }
        for col in EUR_COLUMNS:
            d[col] = np.where(in_year[:, j], eur[col], 0.0)
        long.append(pd.DataFrame(d))
    allp = pd.concat(long, ignore_index=True)
    sums = ["locaux", "plannable", "lines_built", "rural_lines_built", "raccordables", "raccordes"]
    sums += list(EUR_COLUMNS)

    def agg(keys: list[str]) -> pd.DataFrame:
        out = allp.groupby(keys, sort=True)[sums].sum().reset_index()
        out["coverage"] = np.where(out["locaux"] > 0, out["raccordables"] / out["locaux"], 0.0)
        out["take_up"] = np.where(
            out["raccordables"] > 0, out["raccordes"] / out["raccordables"], 0.0
        )
        return _rounded(out)

    out: dict[str, pd.DataFrame] = {}
    zy_dense = _dense_zone_years(plan, zy)
    out["plan_by_zone_year"] = _rounded(zy_dense)
    out["plan_by_commune_year"] = agg(["insee_code", "year"])
    out["plan_by_epci_year"] = agg(["epci_siren", "year"])
    out["plan_by_departement_year"] = agg(["departement", "year"])
    region = agg(["year"])
    region["rural_share_built"] = np.where(
        region["lines_built"] > 0, region["rural_lines_built"] / region["lines_built"], 0.0
    ).round(4)
    region["capacity"] = [round(sc.capacity.lines(int(y)) * plan.scale) for y in region["year"]]
    region["budget_cap_eur"] = [
        sc.budget.cap_per_year_eur.get(int(y), np.nan) for y in region["year"]
    ]
    region["operator_revenue_eur"] = (
        region["raccordes"] * sc.financing.operator.monthly_revenue_per_active_eur * 12
    ).round(2)
    out["plan_by_year"] = region
    zd = plan.zdep.copy()
    out["plan_zdep"] = _rounded(zd)
    out["plan_schedule"] = schedule(plan)
    out["plan_flags"] = plan.flags.copy()
    out["plan_unreached"] = unreached(plan)
    return out


def _dense_zone_years(plan: Plan, zy: pd.DataFrame) -> pd.DataFrame:
    """Zone × horizon year: works, funding, cumulative raccordables and raccordés."""
    sc = plan.scenario
    yrs = np.array(sc.years)
    u = plan.units[plan.units["seq"] >= 0]
    zones = np.array(sorted(u["zdep_id"].unique()))
    if not len(zones):  # nothing planned (e.g. an area of AMII/ZTD communes only)
        zones = zones.astype(object)
    total = u.groupby("zdep_id")["lines"].sum().reindex(zones).to_numpy(float)
    pm_year = u["year"].to_numpy(np.int64)
    _new, racc, raccordes = _years_matrix(plan, pm_year, u["lines"].to_numpy(float))
    zi = np.searchsorted(zones, u["zdep_id"].to_numpy())
    nz, ny = len(zones), len(yrs)
    agg_r = np.zeros((nz, ny))
    agg_t = np.zeros((nz, ny))
    np.add.at(agg_r, zi, racc)
    np.add.at(agg_t, zi, raccordes)
    base = pd.DataFrame(
        {
            "zdep_id": np.repeat(zones, ny),
            "year": np.tile(yrs, nz),
            "zone_lines": np.repeat(total, ny),
            "raccordables": agg_r.ravel(),
            "raccordes": agg_t.ravel(),
        }
    )
    keep = [c for c in zy.columns if c not in ("zdep_id", "year")]
    merged = base.merge(zy, on=["zdep_id", "year"], how="left")
    attrs = plan.zdep.set_index("zdep_id")
    for col in ("departement", "epci_siren", "phase", "tranche"):
        merged[col] = attrs[col].reindex(merged["zdep_id"]).to_numpy()
    num = [c for c in keep if c not in ("departement", "epci_siren", "phase", "tranche")]
    merged[num] = merged[num].fillna(0.0)
    cols = ["zdep_id", "year", "departement", "epci_siren", "phase", "tranche", "zone_lines"]
    cols += ["lines", "raccordables", "raccordes", *EUR_COLUMNS, "funding_total_eur"]
    return merged[cols].sort_values(["zdep_id", "year"], kind="mergesort").reset_index(drop=True)


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        if col.endswith("_eur"):
            out[col] = out[col].round(2)
        elif col in ("coverage", "take_up", "share_worst_served", "med_share", "weight"):
            out[col] = out[col].round(4)
        elif col in _COUNT_COLUMNS:
            out[col] = out[col].round().astype(np.int64)
        else:
            out[col] = out[col].round(2)
    return out


def schedule(plan: Plan) -> pd.DataFrame:
    """The deployment schedule keyed by ``pm_id`` that :func:`bthd.eligibility.ftth_year` reads.

    Columns ``pm_id, year, phase, tranche, zdep_id, basis``; excluded (AMII/ZTD) PM zones are
    left out; years after the horizon are the capacity projection (``basis`` says so).
    """
    u = plan.units[plan.units["seq"] >= 0]
    end = plan.scenario.horizon.end
    basis = np.where(
        u["year"].to_numpy() > end,
        "projected after the horizon at the last capacity",
        f"plan {plan.scenario.name} ({plan.method})",
    )
    out = pd.DataFrame(
        {
            "pm_id": u["pm_id"].to_numpy(),
            "year": u["year"].to_numpy(np.int64),
            "phase": u["phase"].to_numpy(),
            "tranche": u["tranche"].to_numpy(),
            "zdep_id": u["zdep_id"].to_numpy(),
            "basis": basis,
        }
    )
    return out.sort_values("pm_id", kind="mergesort").reset_index(drop=True)


def unreached(plan: Plan) -> pd.DataFrame:
    """Zones not raccordable by the end of the horizon, with the year capacity would finish them."""
    end = plan.scenario.horizon.end
    u = plan.units[(plan.units["seq"] >= 0) & (plan.units["year"] > end)]
    g = u.groupby("zdep_id", sort=True)
    return pd.DataFrame(
        {
            "lines_left": g["lines"].sum(),
            "pm_zones_left": g["pm_id"].count(),
            "finish_year": g["year"].max(),
        }
    ).reset_index()


def zdep_layer(plan: Plan, zpm: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ZDEP polygons (zones layer, ``zone_kind`` ZDEP) with phase, tranche and year.

    ``phase`` and ``tranche`` are 1-based numbers (schema), their names in ``phase_name`` and
    ``tranche_name``; ``year`` is the opening year, ``finish_year`` the last PM zone's.
    """
    from bthd.schema import validate

    z = zpm[zpm["zone_kind"] == "ZPM"][["zone_id", "geometry"]]
    u = plan.units[plan.units["seq"] >= 0][["pm_id", "zdep_id"]]
    m = z.merge(u, left_on="zone_id", right_on="pm_id", how="inner")
    g = gpd.GeoDataFrame(m, geometry="geometry", crs=zpm.crs).dissolve(by="zdep_id", sort=True)
    zd = plan.zdep.set_index("zdep_id").reindex(g.index)
    sc = plan.scenario
    phase_no = {ph.name: i + 1 for i, ph in enumerate(sc.phases)}
    tranche_no = {t.name: i + 1 for ph in sc.phases for i, t in enumerate(ph.tranches)}
    out = gpd.GeoDataFrame(
        {
            "zone_id": g.index.to_numpy(),
            "zone_kind": "ZDEP",
            "parent_id": zd["epci_siren"].to_numpy(),
            "phase": [phase_no.get(p, 0) for p in zd["phase"]],
            "tranche": pd.array([tranche_no.get(t) for t in zd["tranche"]], dtype="Int64"),
            "year": zd["start_year"].to_numpy(np.int64),
            "finish_year": zd["finish_year"].to_numpy(np.int64),
            "phase_name": zd["phase"].to_numpy(),
            "tranche_name": zd["tranche"].to_numpy(),
            "lines": zd["lines"].to_numpy(np.int64),
            "capex_eur": zd["capex_eur"].round(2).to_numpy(),
            "n_pm": zd["n_pm"].to_numpy(np.int64),
        },
        geometry=g.geometry.to_numpy(),
        crs=zpm.crs,
    )
    return validate(out, "zones", source="ZDEP layer")


def check_scenario_years(scenario: Scenario, table: pd.DataFrame) -> list[int]:
    """Horizon years missing from a per-year table (empty when complete)."""
    return sorted(set(scenario.years) - set(table["year"].astype(int)))
