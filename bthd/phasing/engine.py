"""The phasing engine: deployment zones assigned to years under capacity, budget and rules.

:func:`prepare` turns a design (premises, communes, cost per PM zone, ZPM polygons) and a
scenario into planning units (PM zones with their deployment zone, pin, weight and earliest
year); :func:`greedy` assigns years. Each year the greedy planner, within the year's capacity
(lines) and budget (€):

1. finishes the deployment zones already opened (*complétude*), oldest first;
2. opens the zones pinned to a phase or tranche whose years have begun, heaviest first;
3. opens other zones one at a time: a rural or an urban one to follow the year's rural share,
   and among them the highest score ``weight − b_dep × progress(département) − b_epci ×
   progress(EPCI)`` (progress: share of the area's lines already raccordable, so areas behind
   come first, in proportion to their locaux), where ``weight = 1 + worst_served_first ×
   share of lines below 8 Mbit/s + explicit bonuses``; MED areas wait ``med_delay_years``
   after their MED; AMII/ZTD zones are left out;
4. when no whole zone fits, starts the best ones with the PM zones that fit, as long as the
   capacity of the next years can finish every open zone within the *complétude* delay.

The objective is the weighted line-years of service, ``Σ lines × weight × (end − year + 1)``
over the horizon. What the horizon cannot reach is projected at the last capacity (the
``beyond_horizon`` years), never an error. Every breach (a pinned zone late, a *complétude*
delay exceeded, a PM zone larger than a year's capacity) is listed in ``Plan.flags``.

Not for: funding (:mod:`bthd.phasing.financing`) or tables (:mod:`bthd.phasing.outputs`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd.phasing.scenario import Scenario
from bthd.phasing.zones import build_zdep, pm_units, resolve_pins

log = logging.getLogger(__name__)

#: Years projected after the horizon to say when the remaining zones would be finished.
PROJECTION_YEARS = 60


@dataclass
class Plan:
    """A phased plan.

    Attributes
    ----------
    scenario
        The scenario planned.
    units
        One row per PM zone: ``pm_id, zdep_id, lines, capex_eur, insee_code, departement,
        epci_siren, zone_type, rural, weight, pin, excluded, earliest_year, year`` (0 = excluded;
        after the horizon = projected), ``seq`` (order of selection), ``phase, tranche`` (names).
    zdep
        One row per deployment zone: ``zdep_id, lines, capex_eur, start_year, finish_year,
        phase, tranche, pin, rural, departement, epci_siren, n_pm``.
    flags
        ``kind, zdep_id, year, lines, cause``: every rule the plan could not keep.
    scale
        Model lines per published line (``lines_basis``): targets and capacities are scaled by it.
    objective
        Weighted line-years of service within the horizon.
    method
        ``greedy`` or ``exact``.
    seconds
        Time taken by the planner (s).
    """

    scenario: Scenario
    units: pd.DataFrame
    zdep: pd.DataFrame
    flags: pd.DataFrame
    scale: float
    objective: float
    method: str = "greedy"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def prepare(
    premises: pd.DataFrame,
    communes: pd.DataFrame,
    cost_by_pm: pd.DataFrame,
    scenario: Scenario,
    *,
    zpm: gpd.GeoDataFrame | None = None,
    med_sr: Iterable[str] = (),
    med_year: int = 2015,
    known_communes: pd.DataFrame | None = None,
    source: str = "scenario",
) -> pd.DataFrame:
    """Planning units of a design under a scenario (see :class:`Plan` ``units``).

    Parameters
    ----------
    premises, communes, cost_by_pm
        The design run's premises, communes and ``design_cost_by_pm`` table.
    scenario
        The scenario (pins, priorities, ZDEP rules).
    zpm
        The design's zones layer (ZPM polygons give the adjacency of PM zones).
    med_sr, med_year
        SRs that received a montée en débit, and the year.
    known_communes
        Communes a pin may name even outside the area (e.g. the whole embedded region).
    source
        Name of the scenario file, for messages.
    """
    u = pm_units(premises, communes, cost_by_pm, med_sr=med_sr, med_year=med_year)
    pr = scenario.priorities
    u["pin"] = resolve_pins(scenario, u, communes, known_communes=known_communes, source=source)
    u["excluded"] = u["zone_type"].isin(pr.exclude_zone_types).to_numpy()
    weight = 1.0 + pr.worst_served_first * u["share_worst_served"].to_numpy(float)
    for ex in pr.explicit:
        names = set(ex.communes)
        codes = set(ex.insee)
        if names and "name" in communes.columns:
            codes |= set(communes.loc[communes["name"].isin(names), "insee_code"].astype(str))
        hit = u["insee_code"].isin(codes) | u["pm_id"].isin(set(ex.pm_id))
        weight = weight + ex.weight * hit.to_numpy()
    u["weight"] = np.maximum(weight, 0.0)
    med = u["med_year"].to_numpy(np.int64)
    u["earliest_year"] = np.where(med > 0, med + pr.med_delay_years, 0)
    u["zdep_id"] = build_zdep(u, zpm, scenario, u["pin"], u["excluded"].to_numpy())
    return u


def scale_of(units: pd.DataFrame, scenario: Scenario) -> float:
    """Model lines per published line: model total / published total in ``shares`` mode, else 1."""
    if scenario.lines_basis.mode == "absolute":
        return 1.0
    lines = float(units.loc[~units["excluded"], "lines"].sum())
    return lines / scenario.lines_basis.published_total


class _State:
    """Book-keeping of the greedy planner (arrays over deployment zones)."""

    def __init__(self, units: pd.DataFrame) -> None:
        self.u = units
        keep = ~units["excluded"].to_numpy()
        sub = units[keep]
        self.zids, inv = np.unique(sub["zdep_id"].to_numpy().astype(str), return_inverse=True)
        nz = len(self.zids)
        pos = np.flatnonzero(keep)
        lines = units["lines"].to_numpy(np.float64)
        capex = units["capex_eur"].to_numpy(np.float64)
        w = units["weight"].to_numpy(np.float64)
        order = np.lexsort((units["pm_id"].to_numpy()[pos].astype(str), inv))
        self.members: list[list[int]] = [[] for _ in range(nz)]
        for k in order:
            self.members[inv[k]].append(int(pos[k]))
        self.lines = np.bincount(inv, lines[pos], nz)
        self.capex = np.bincount(inv, capex[pos], nz)
        wl = np.bincount(inv, (w * lines)[pos], nz)
        self.weight = np.where(self.lines > 0, wl / np.maximum(self.lines, 1e-9), 1.0)
        rural_l = np.bincount(inv, (units["rural"].to_numpy(bool) * lines)[pos], nz)
        self.rural = rural_l * 2 > self.lines
        first = [m[0] for m in self.members]
        self.pin = units["pin"].to_numpy().astype(str)[first]
        self.earliest = np.zeros(nz, np.int64)
        np.maximum.at(self.earliest, inv, units["earliest_year"].to_numpy(np.int64)[pos])
        dep = units["departement"].to_numpy().astype(str)
        epci = units["epci_siren"].to_numpy().astype(str)
        self.dep_names, dep_inv = np.unique(dep[first], return_inverse=True)
        self.epci_names, epci_inv = np.unique(epci[first], return_inverse=True)
        self.dep_idx, self.epci_idx = dep_inv, epci_inv
        self.dep_total = np.bincount(dep_inv, self.lines, len(self.dep_names))
        self.epci_total = np.bincount(epci_inv, self.lines, len(self.epci_names))
        self.dep_built = np.zeros(len(self.dep_names))
        self.epci_built = np.zeros(len(self.epci_names))
        self.remaining = [list(m) for m in self.members]
        self.left_lines = self.lines.copy()
        self.start = np.zeros(nz, np.int64)
        self.finish = np.zeros(nz, np.int64)
        self.year = np.zeros(len(units), np.int64)
        self.seq = np.full(len(units), -1, np.int64)
        self.n_seq = 0
        self.pm_lines = lines
        self.pm_capex = capex
        self.pm_rural = units["rural"].to_numpy(bool)

    def take(self, z: int, year: int, room: list[float], force: bool = False) -> float:
        """Build the remaining PM zones of zone ``z`` that fit in ``room`` = [lines, €]."""
        taken = 0.0
        rem = self.remaining[z]
        keep: list[int] = []
        for k in rem:
            ln, cx = self.pm_lines[k], self.pm_capex[k]
            if not force and (ln > room[0] + 1e-9 or cx > room[1] + 1e-6):
                keep.append(k)  # does not fit this year: a smaller one of the zone may
                continue
            force = False
            self.year[k] = year
            self.seq[k] = self.n_seq
            self.n_seq += 1
            room[0] -= ln
            room[1] -= cx
            taken += ln
            self.dep_built[self.dep_idx[z]] += ln
            self.epci_built[self.epci_idx[z]] += ln
        rem[:] = keep
        if taken > 0 or (not rem and self.start[z] == 0):
            if self.start[z] == 0:
                self.start[z] = year
            self.left_lines[z] -= taken
            if not rem:
                self.finish[z] = year
        return taken


def _labels(units: pd.DataFrame, scenario: Scenario, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Phase and tranche names of each built PM zone (cumulative line targets, pins first)."""
    n = len(units)
    phase = np.full(n, "", dtype=object)
    tranche = np.full(n, "", dtype=object)
    built = np.flatnonzero(units["seq"].to_numpy() >= 0)
    order = built[np.argsort(units["seq"].to_numpy()[built], kind="mergesort")]
    lines = units["lines"].to_numpy(float)
    years = units["year"].to_numpy()
    pins = units["pin"].to_numpy().astype(str)
    tranche_of = {t.name: ph.name for ph in scenario.phases for t in ph.tranches}
    by_lines = all(ph.lines is not None for ph in scenario.phases)
    cum = np.cumsum(lines[order]) - lines[order] / 2
    if by_lines:
        bounds = np.cumsum([float(ph.lines or 0) * scale for ph in scenario.phases])
        idx = np.minimum(np.searchsorted(bounds, cum, side="left"), len(bounds) - 1)
    else:
        starts = np.array([ph.start for ph in scenario.phases])
        idx = np.clip(np.searchsorted(starts, years[order], side="right") - 1, 0, len(starts) - 1)
    names = np.array([ph.name for ph in scenario.phases], dtype=object)
    phase[order] = names[idx]
    for k in order:
        if pins[k]:
            phase[k] = tranche_of.get(pins[k], pins[k])
    for ph in scenario.phases:
        if not ph.tranches:
            continue
        mine = order[phase[order] == ph.name]
        tnames = np.array([t.name for t in ph.tranches], dtype=object)
        if all(t.lines is not None for t in ph.tranches):
            c = np.cumsum(lines[mine]) - lines[mine] / 2
            tb = np.cumsum([float(t.lines or 0) * scale for t in ph.tranches])
            ti = np.minimum(np.searchsorted(tb, c, side="left"), len(tb) - 1)
        else:
            ts = np.array([t.start for t in ph.tranches])
            ti = np.clip(np.searchsorted(ts, years[mine], side="right") - 1, 0, len(ts) - 1)
        tranche[mine] = tnames[ti]
        for k in mine:
            if pins[k] in set(tnames):
                tranche[k] = pins[k]
    return phase, tranche


def greedy(units: pd.DataFrame, scenario: Scenario) -> Plan:
    """Assign every planning unit a year with the greedy rules of the module docstring."""
    t0 = time.perf_counter()
    sc = scenario
    scale = scale_of(units, sc)
    st = _State(units)
    periods = sc.periods()
    end = sc.horizon.end
    pr = sc.priorities
    nz = len(st.zids)
    horizon_caps = [sc.capacity.lines(y) * scale for y in sc.years]
    after_cap = next((c for c in reversed(horizon_caps) if c > 0), 0.0) or max(
        float(st.lines.max(initial=1.0)), 1.0
    )
    pin_start = np.array([periods.get(p, (0, 0))[0] if p else 0 for p in st.pin])
    pin_end = np.array([periods.get(p, (0, 0))[1] if p else 0 for p in st.pin])
    flags: list[dict[str, object]] = []
    y = sc.horizon.start
    last = end + PROJECTION_YEARS
    while (st.left_lines > 1e-9).any() and y <= last:
        cap = sc.capacity.lines(y) * scale if y <= end else after_cap
        budget = sc.budget.cap_per_year_eur.get(y, np.inf) if y <= end else np.inf
        room = [cap, float(budget)]
        built_y = 0.0
        rural_y = 0.0
        # 1. complétude: finish what is open, oldest first
        open_ = np.flatnonzero((st.start > 0) & (st.finish == 0))
        for z in open_[np.lexsort((open_, st.start[open_]))]:
            got = st.take(int(z), y, room)
            built_y += got
            rural_y += got * st.rural[z]
        # 2. pinned zones whose period has begun
        pinned = np.flatnonzero((st.start == 0) & (pin_start > 0) & (pin_start <= y))
        for z in pinned[np.lexsort((pinned, -st.weight[pinned]))]:
            got = st.take(int(z), y, room)
            built_y += got
            rural_y += got * st.rural[z]
        # 3. free choice
        cand = (st.start == 0) & (st.earliest <= y) & ((pin_start == 0) | (pin_start <= y))
        share = pr.rural_share.share(y) if y <= end else None
        while cand.any() and room[0] > 0:
            fits = cand & (st.lines <= room[0] + 1e-9) & (st.capex <= room[1] + 1e-6)
            prog = (
                pr.balance.departement * st.dep_built[st.dep_idx] / st.dep_total[st.dep_idx]
                + pr.balance.epci * st.epci_built[st.epci_idx] / st.epci_total[st.epci_idx]
            )
            score = st.weight - prog
            if not fits.any():
                # 4. start zones with the PM zones that fit, as long as the next years can
                # finish every open zone within the complétude delay
                ahead = sum(
                    sc.capacity.lines(yy) * scale if yy <= end else after_cap
                    for yy in range(y + 1, y + sc.completude_years)
                )
                committed = float(st.left_lines[(st.start > 0) & (st.finish == 0)].sum())
                smallest = np.array(
                    [
                        min(st.pm_lines[k] for k in st.remaining[z]) if cand[z] else np.inf
                        for z in range(nz)
                    ]
                )
                first_ok = (
                    cand & (smallest <= room[0] + 1e-9) & (st.lines <= room[0] + ahead - committed)
                )
                waiting_pins = ((st.start == 0) & (pin_start > 0) & (pin_start <= y)).any()
                if waiting_pins or not first_ok.any():
                    # a partly built zone would take next year's capacity before the pins
                    break
                z = int(np.flatnonzero(first_ok)[np.argmax(score[first_ok])])
                got = st.take(z, y, room)
                built_y += got
                rural_y += got * st.rural[z]
                cand[z] = False
                continue
            pool = fits
            if share is not None:
                want_rural = rural_y < share * (built_y + 1.0)
                sub = fits & (st.rural == want_rural)
                if sub.any():
                    pool = sub
            z = int(np.flatnonzero(pool)[np.argmax(score[pool])])
            got = st.take(z, y, room)
            built_y += got
            rural_y += got * st.rural[z]
            cand[z] = False
        if y > end and built_y == 0 and (st.left_lines > 1e-9).any():
            # a PM zone larger than a year's capacity: build it anyway, and say so
            z = int(np.flatnonzero(st.left_lines > 1e-9)[0])
            k = st.remaining[z][0]
            st.take(z, y, room, force=True)
            flags.append(
                {
                    "kind": "capacity",
                    "zdep_id": st.zids[z],
                    "year": y,
                    "lines": int(st.pm_lines[k]),
                    "cause": f"PM zone {units['pm_id'].iat[k]} is larger than a year's capacity",
                }
            )
        y += 1
    u = units.copy()
    u["year"] = st.year
    u["seq"] = st.seq
    u["phase"], u["tranche"] = _labels(u, sc, scale)
    plan = _finish(u, st, sc, scale, flags, pin_end, "greedy")
    plan.seconds = time.perf_counter() - t0
    return plan


def _finish(
    u: pd.DataFrame,
    st: _State,
    sc: Scenario,
    scale: float,
    flags: list[dict[str, object]],
    pin_end: np.ndarray,
    method: str,
) -> Plan:
    """Zone table, flags and objective of an assignment."""
    end = sc.horizon.end
    built = u[u["seq"] >= 0]
    g = built.groupby("zdep_id", sort=True)
    zd = pd.DataFrame(
        {
            "lines": g["lines"].sum(),
            "capex_eur": g["capex_eur"].sum(),
            "start_year": g["year"].min(),
            "finish_year": g["year"].max(),
            "n_pm": g["pm_id"].count(),
            "departement": g["departement"].first(),
            "epci_siren": g["epci_siren"].first(),
            "pin": g["pin"].first(),
        }
    )
    major = (
        built.assign(_l=built["lines"])
        .groupby(["zdep_id", "phase", "tranche"], sort=True)["_l"]
        .sum()
        .reset_index()
        .sort_values(["zdep_id", "_l", "phase"], ascending=[True, False, True], kind="mergesort")
        .drop_duplicates("zdep_id")
        .set_index("zdep_id")
    )
    zd["phase"] = major["phase"].reindex(zd.index)
    zd["tranche"] = major["tranche"].reindex(zd.index)
    zd["rural"] = pd.Series(st.rural, index=st.zids).reindex(zd.index).to_numpy()
    zd = zd.reset_index()
    for _, row in zd.iterrows():
        span = int(row["finish_year"]) - int(row["start_year"]) + 1
        if span > sc.completude_years:
            flags.append(
                {
                    "kind": "completude",
                    "zdep_id": row["zdep_id"],
                    "year": int(row["finish_year"]),
                    "lines": int(row["lines"]),
                    "cause": f"finished over {span} years (> {sc.completude_years}): capacity "
                    "or budget too small for the zones opened",
                }
            )
        if int(row["finish_year"]) > end:
            flags.append(
                {
                    "kind": "beyond_horizon",
                    "zdep_id": row["zdep_id"],
                    "year": int(row["finish_year"]),
                    "lines": int(row["lines"]),
                    "cause": f"not finished by {end}: capacity would finish it in "
                    f"{int(row['finish_year'])}",
                }
            )
    pe = pd.Series(pin_end, index=st.zids)
    for _, row in zd[zd["pin"] != ""].iterrows():
        limit = int(pe.get(row["zdep_id"], 0))
        if limit and int(row["finish_year"]) > limit:
            flags.append(
                {
                    "kind": "pin",
                    "zdep_id": row["zdep_id"],
                    "year": int(row["finish_year"]),
                    "lines": int(row["lines"]),
                    "cause": f"pinned to {row['pin']} (until {limit}) but finished in "
                    f"{int(row['finish_year'])}: capacity too small",
                }
            )
    for y in sc.years:
        cap = sc.capacity.lines(y) * scale
        got = float(u.loc[u["year"] == y, "lines"].sum())
        if got > cap + 1e-6:
            flags.append(
                {
                    "kind": "capacity",
                    "zdep_id": "",
                    "year": y,
                    "lines": int(got),
                    "cause": f"{got:.0f} lines built against a capacity of {cap:.0f}",
                }
            )
        bud = sc.budget.cap_per_year_eur.get(y)
        spent = float(u.loc[u["year"] == y, "capex_eur"].sum())
        if bud is not None and spent > bud + 1e-3:
            flags.append(
                {
                    "kind": "budget",
                    "zdep_id": "",
                    "year": y,
                    "lines": int(got),
                    "cause": f"{spent:.0f} € spent against a cap of {bud:.0f} €",
                }
            )
    yrs = u["year"].to_numpy()
    within = (yrs > 0) & (yrs <= end)
    objective = float(
        (u["lines"].to_numpy(float) * u["weight"].to_numpy(float) * (end - yrs + 1))[within].sum()
    )
    fl = pd.DataFrame(flags, columns=["kind", "zdep_id", "year", "lines", "cause"])
    fl = fl.sort_values(["kind", "year", "zdep_id"], kind="mergesort").reset_index(drop=True)
    return Plan(sc, u, zd, fl, scale, objective, method)
