"""Planning units: PM zones with their lines, cost and priorities, grouped into deployment zones.

A PM zone (the *zone arrière* of a point de mutualisation) is the atom of a plan: it becomes
*raccordable* in one year. A **deployment zone** (ZDEP) is a group of contiguous PM zones of one
EPCI (or département, or none, as the scenario says) of at most ``zdep.max_lines`` lines, the
unit that is opened; once opened it must be finished within the *complétude* delay. PM zones
pinned to different phases or tranches, and excluded zones (AMII/ZTD), are never grouped
together. Adjacency comes from the ZPM polygons (an STRtree query); a PM zone without a polygon
forms its own ZDEP.

Not for: choosing years (:mod:`bthd.phasing.engine`).
"""

from __future__ import annotations

import difflib
import logging
from collections import deque
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd._errors import InputError, Problem, ValidationError
from bthd.phasing.scenario import Scenario

log = logging.getLogger(__name__)

#: Rate below which a copper line counts as worst-served (Mbit/s, « bon haut débit » = 8).
WORST_SERVED_MBPS = 8.0


def pm_units(
    premises: pd.DataFrame,
    communes: pd.DataFrame,
    cost_by_pm: pd.DataFrame,
    *,
    med_sr: Iterable[str] = (),
    med_year: int = 2015,
) -> pd.DataFrame:
    """One row per PM zone: lines, capex and what the priority rules need.

    Parameters
    ----------
    premises
        ``pm_id, insee_code, logements, locaux_pro`` (optional ``copper_rate_mbps``, ``sr_id``).
    communes
        ``insee_code, departement, epci_siren, zone_type`` (optional ``name``,
        ``commune_rurale``).
    cost_by_pm
        The design's cost per PM zone: ``pm_id, total`` (€ HT).
    med_sr
        SR ids that received a montée en débit (their premises count as MED areas).
    med_year
        Year those MED operations were in service.

    Returns
    -------
    pandas.DataFrame
        Indexed by position, sorted by ``pm_id``: ``pm_id, lines, capex_eur, insee_code`` (the
        commune with most of the lines), ``departement, epci_siren, zone_type, rural,
        share_worst_served, med_share, med_year``.
    """
    need = {"pm_id", "insee_code", "logements", "locaux_pro"}
    missing = sorted(need - set(premises.columns))
    if missing:
        raise InputError(f"premises: missing column(s) {missing}; give a design run's premises")
    cneed = {"insee_code", "departement", "epci_siren", "zone_type"}
    cmissing = sorted(cneed - set(communes.columns))
    if cmissing:
        raise InputError(f"communes: missing column(s) {cmissing}")
    if not {"pm_id", "total"} <= set(cost_by_pm.columns):
        raise InputError("design_cost_by_pm: needs columns pm_id and total (€)")
    p = pd.DataFrame(premises)
    no_pm = p["pm_id"].isna()
    if no_pm.any():
        log.warning("%d premises without a PM zone are left out of the plan", int(no_pm.sum()))
        p = p[~no_pm]
    locaux = (p["logements"].fillna(0) + p["locaux_pro"].fillna(0)).to_numpy(float)
    pm = p["pm_id"].astype(str).to_numpy()
    frame = pd.DataFrame({"pm_id": pm, "insee_code": p["insee_code"].astype(str).to_numpy()})
    frame["lines"] = locaux
    rate = (
        p["copper_rate_mbps"].to_numpy(float)
        if "copper_rate_mbps" in p.columns
        else np.full(len(p), np.nan)
    )
    frame["worst"] = np.where(np.isnan(rate), 0.0, (rate < WORST_SERVED_MBPS) * locaux)
    med = set(map(str, med_sr))
    frame["med"] = (
        p["sr_id"].astype(str).isin(med).to_numpy() * locaux
        if med and "sr_id" in p.columns
        else 0.0
    )
    g = frame.groupby("pm_id", sort=True)
    out = g[["lines", "worst", "med"]].sum()
    by_commune = frame.groupby(["pm_id", "insee_code"], sort=True)["lines"].sum().reset_index()
    by_commune = by_commune.sort_values(
        ["pm_id", "lines", "insee_code"], ascending=[True, False, True], kind="mergesort"
    )
    main = by_commune.drop_duplicates("pm_id").set_index("pm_id")["insee_code"]
    out["insee_code"] = main.reindex(out.index)
    c = pd.DataFrame(communes).drop(columns="geometry", errors="ignore")
    c = c.assign(insee_code=c["insee_code"].astype(str)).set_index("insee_code")
    for col in ("departement", "epci_siren", "zone_type"):
        out[col] = c[col].astype(str).reindex(out["insee_code"]).to_numpy()
    rural = (
        c["commune_rurale"].reindex(out["insee_code"]).fillna(False).astype(bool).to_numpy()
        if "commune_rurale" in c.columns
        else np.zeros(len(out), bool)
    )
    out["rural"] = rural
    unknown = out["departement"].isin(["nan", "None"])
    if unknown.any():
        raise ValidationError(
            "communes",
            [
                Problem(
                    "PM zones whose main commune is not in the communes layer",
                    tuple(out.index[unknown][:20]),
                    "give the communes of the whole design area",
                )
            ],
        )
    cost = pd.DataFrame(cost_by_pm).assign(pm_id=lambda d: d["pm_id"].astype(str))
    capex = cost.groupby("pm_id")["total"].sum().reindex(out.index)
    if capex.isna().any():
        per_line = float(cost["total"].sum() / max(out["lines"].sum(), 1.0))
        log.warning(
            "%d PM zones have no design cost; their capex is %.0f €/line (the mean)",
            int(capex.isna().sum()),
            per_line,
        )
        capex = capex.fillna(out["lines"] * per_line)
    out["capex_eur"] = capex.to_numpy(float)
    lines = out["lines"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_worst_served"] = np.where(lines > 0, out["worst"] / lines, 0.0)
        out["med_share"] = np.where(lines > 0, out["med"] / lines, 0.0)
    out["med_year"] = np.where(out["med_share"] >= 0.5, med_year, 0)
    out = out.drop(columns=["worst", "med"]).reset_index()
    out["lines"] = out["lines"].round().astype(np.int64)
    return out[
        [
            "pm_id",
            "lines",
            "capex_eur",
            "insee_code",
            "departement",
            "epci_siren",
            "zone_type",
            "rural",
            "share_worst_served",
            "med_share",
            "med_year",
        ]
    ]


def resolve_pins(
    scenario: Scenario,
    units: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    known_communes: pd.DataFrame | None = None,
    source: str = "scenario",
) -> pd.Series:
    """The phase or tranche each PM zone is pinned to (empty string: none).

    A commune named by a pin must exist (in ``communes`` or ``known_communes``, e.g. the whole
    embedded region); one that exists but lies outside the area pins nothing (logged).

    Raises
    ------
    bthd.ValidationError
        Every unknown commune name, INSEE code or PM zone, with a "did you mean".
    """
    pin = pd.Series("", index=units.index, dtype=object)
    area = pd.DataFrame(communes)
    allc = pd.concat([area, known_communes]) if known_communes is not None else area
    name_col = allc["name"] if "name" in allc.columns else allc["insee_code"]
    names: dict[str, str] = {}
    for nm, code in zip(name_col.astype(str), allc["insee_code"].astype(str), strict=True):
        names.setdefault(nm, code)
    codes_all = set(allc["insee_code"].astype(str))
    area_codes = set(area["insee_code"].astype(str))
    pm_ids = set(units["pm_id"])
    problems: list[Problem] = []
    outside: list[str] = []
    for i, p in enumerate(scenario.pins):
        codes: set[str] = set()
        for name in p.communes:
            if name not in names:
                close = difflib.get_close_matches(name, list(names), n=1)
                problems.append(
                    Problem(
                        f"`pins[{i}].communes`: no commune is named {name!r}",
                        fix=(f"did you mean {close[0]!r}? " if close else "")
                        + "use today's commune names (or insee codes)",
                    )
                )
            else:
                codes.add(names[name])
        for code in p.insee:
            if code not in codes_all:
                close = difflib.get_close_matches(code, sorted(codes_all), n=1)
                problems.append(
                    Problem(
                        f"`pins[{i}].insee`: no commune has INSEE code {code!r}",
                        fix=f"did you mean {close[0]!r}?" if close else "give a 5-digit code",
                    )
                )
            codes.add(code)
        outside += sorted((codes & codes_all) - area_codes)
        for pid in p.pm_id:
            if pid not in pm_ids:
                close = difflib.get_close_matches(pid, sorted(pm_ids), n=1)
                problems.append(
                    Problem(
                        f"`pins[{i}].pm_id`: no PM zone {pid!r} in the design",
                        fix=f"did you mean {close[0]!r}?" if close else "use the design's pm_id",
                    )
                )
        hit = units["insee_code"].isin(codes) | units["pm_id"].isin(set(p.pm_id))
        clash = hit & (pin != "") & (pin != p.to)
        if clash.any():
            problems.append(
                Problem(
                    f"`pins[{i}]`: PM zones already pinned to {sorted(set(pin[clash]))}",
                    tuple(units.loc[clash, "pm_id"]),
                    "pin each zone to one phase or tranche",
                )
            )
        pin[hit & (pin == "")] = p.to
    if problems:
        raise ValidationError(f"{source} (scenario pins)", problems)
    if outside:
        log.info("pinned communes outside the area (no effect here): %s", ", ".join(outside))
    return pin


def adjacency(zpm: gpd.GeoDataFrame, pm_ids: np.ndarray) -> list[np.ndarray]:
    """Neighbours of each PM zone (positions in ``pm_ids``) whose polygons touch or overlap."""
    from shapely import STRtree

    z = zpm[zpm["zone_kind"] == "ZPM"] if "zone_kind" in zpm.columns else zpm
    geom = z.set_index(z["zone_id"].astype(str)).geometry
    geom = geom[~geom.index.duplicated()]
    pos = {p: i for i, p in enumerate(pm_ids)}
    have = [p for p in pm_ids if p in geom.index]
    nbrs: list[list[int]] = [[] for _ in pm_ids]
    if have:
        gs = geom.loc[have].to_numpy()
        tree = STRtree(gs)
        a, b = tree.query(gs, predicate="intersects")
        keep = a != b
        for i, j in zip(a[keep], b[keep], strict=True):
            nbrs[pos[have[i]]].append(pos[have[j]])
    return [np.array(sorted(set(n)), dtype=np.int64) for n in nbrs]


def build_zdep(
    units: pd.DataFrame,
    zpm: gpd.GeoDataFrame | None,
    scenario: Scenario,
    pin: pd.Series,
    excluded: np.ndarray,
) -> np.ndarray:
    """Deployment-zone id of each PM zone (region growing over adjacent PM zones).

    PM zones are grouped when they touch, share the grouping key (EPCI, département or none
    per ``scenario.zdep.within``, the pin and the exclusion) and the group stays within
    ``scenario.zdep.max_lines``. Deterministic: seeds and neighbours in ``pm_id`` order.
    """
    n = len(units)
    pm_ids = units["pm_id"].to_numpy()
    nbrs = adjacency(zpm, pm_ids) if zpm is not None else [np.empty(0, np.int64)] * n
    within = scenario.zdep.within
    area = (
        units["epci_siren"].to_numpy().astype(str)
        if within == "epci"
        else units["departement"].to_numpy().astype(str)
        if within == "departement"
        else np.full(n, "all")
    )
    pins = pin.astype(str).to_numpy()
    key_arr = np.array([f"{a}|{p}|{e}" for a, p, e in zip(area, pins, excluded, strict=True)])
    lines = units["lines"].to_numpy(np.int64)
    cap = scenario.zdep.max_lines
    zid = np.full(n, "", dtype=object)
    counters: dict[str, int] = {}
    order = np.argsort(pm_ids, kind="mergesort")
    for seed in order:
        if zid[seed]:
            continue
        label = area[seed]
        counters[label] = counters.get(label, 0) + 1
        name = f"ZDEP-{label}-{counters[label]:03d}"
        zid[seed] = name
        total = int(lines[seed])
        queue = deque(nbrs[seed].tolist())
        while queue and total < cap:
            j = queue.popleft()
            if zid[j] or key_arr[j] != key_arr[seed] or total + lines[j] > cap:
                continue
            zid[j] = name
            total += int(lines[j])
            queue.extend(k for k in nbrs[j].tolist() if not zid[k])
    return zid
