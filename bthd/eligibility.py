"""Eligibility by year: the best service every premise can get, year after year.

For each premise and year: **FTTH** once its PM zone (or commune) is *raccordable* under the
deployment schedule; else **upgraded copper** once the montée en débit of its SR is done; else
**plain copper** (its DSL rate class); premises of islands without a road link to the mainland
are flagged (served by radio backhaul). The result is index-aligned with the premises: one
column per year.

A deployment schedule is a table of zones with the year each becomes raccordable. Until a
phasing engine exists, :func:`default_schedule` derives one from the real Arcep 2018 status of
each commune and BTHD's published phases; a user can pass their own (a CSV with ``insee_code``
or ``pm_id`` and ``year``).

Not for: choosing MED operations (:mod:`bthd.med`) or computing copper lines
(:mod:`bthd.network.copper`).
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from bthd import dsl
from bthd._errors import InputError, Problem, ValidationError
from bthd.reference import AMII_DEADLINE_YEAR, BTHD_PHASES
from bthd.settings import DEFAULT_SEED, SCHEDULE, ScheduleSettings

log = logging.getLogger(__name__)

TECHNOLOGIES = ("none", "copper", "copper_med", "ftth")
TECHNOLOGY_DTYPE = pd.CategoricalDtype(list(TECHNOLOGIES), ordered=True)


def default_schedule(
    communes: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    settings: ScheduleSettings = SCHEDULE,
) -> pd.DataFrame:
    """A deployment schedule per commune derived from Arcep 2018 and BTHD's phases.

    Rules (documented, deterministic; a stand-in until the phasing engine exists):

    * ZTD and AMII communes: raccordable by 2020, the private operators' L.33-13 deadline;
    * RIP communes with FTTH coverage of at least 80 % at Arcep T1 2018: raccordable in 2018;
    * RIP communes already partly covered in 2018 (BTHD phase 1 work under way): 2019–2020;
    * the other RIP communes fill phase 2 (2020–2023, 400,000 locaux) then phase 3
      (2024–2026) in a seeded random order, year by year in equal shares of locaux — BTHD built
      towns and rural areas in parallel ("une ligne rurale pour une ligne urbaine").

    Returns
    -------
    pandas.DataFrame
        ``insee_code``, ``year`` (raccordable from that year), ``phase``, ``basis`` (the rule).
    """
    c = pd.DataFrame(communes).copy()
    need = {"insee_code", "zone_type", "locaux", "locaux_raccordables_2018"}
    missing = need - set(c.columns)
    if missing:
        raise InputError(f"default_schedule needs columns {sorted(missing)} of the communes")
    cov = c["locaux_raccordables_2018"] / c["locaux"].where(c["locaux"] > 0)
    year = np.full(len(c), 0, np.int64)
    phase = np.full(len(c), "", dtype=object)
    basis = np.full(len(c), "", dtype=object)
    s = settings
    private = c["zone_type"].isin(["ZTD", "AMII"]).to_numpy()
    year[private] = AMII_DEADLINE_YEAR
    phase[private] = "private (AMII/ZTD)"
    basis[private] = "L.33-13 commitment deadline"
    rip = ~private
    done = rip & (cov.fillna(0) >= s.done_share).to_numpy()
    year[done], phase[done] = s.observed_year, BTHD_PHASES[0].name
    share = f"{100 * s.done_share:g} %"
    basis[done] = f"Arcep T1 {s.observed_year}: >= {share} raccordable"
    started = rip & ~done & (cov.fillna(0) > 0).to_numpy()
    rng = np.random.default_rng(seed)
    y_a, y_b = s.started_years
    year[started] = np.where(rng.uniform(size=started.sum()) < 0.5, y_a, y_b)
    phase[started] = BTHD_PHASES[0].name
    basis[started] = f"Arcep T1 {s.observed_year}: deployment under way"
    rest = np.flatnonzero(rip & ~done & ~started)
    order = rest[rng.permutation(len(rest))]
    cum = np.cumsum(c["locaux"].to_numpy()[order])
    p2, p3 = BTHD_PHASES[1], BTHD_PHASES[2]
    in_p2 = cum <= p2.locaux
    for idx, (name, y0, y1) in (
        (order[in_p2], (p2.name, p2.start, p2.end)),
        (order[~in_p2], (p3.name, p3.start, p3.end)),
    ):
        if len(idx) == 0:
            continue
        share = np.cumsum(c["locaux"].to_numpy()[idx]) / c["locaux"].to_numpy()[idx].sum()
        n_years = y1 - y0 + 1
        year[idx] = y0 + np.minimum((share * n_years - 1e-9).astype(np.int64), n_years - 1)
        phase[idx] = name
        basis[idx] = "derived: seeded order within the published phase"
    return pd.DataFrame(
        {"insee_code": c["insee_code"].to_numpy(), "year": year, "phase": phase, "basis": basis}
    )


def read_schedule(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a deployment schedule: a CSV with ``insee_code`` or ``pm_id`` and ``year``."""
    from bthd.io import read_csv_fr

    df = read_csv_fr(path)
    key = "pm_id" if "pm_id" in df.columns else "insee_code"
    problems = []
    if key not in df.columns:
        problems.append(
            Problem(
                "no `insee_code` or `pm_id` column", fix="name the zone column insee_code or pm_id"
            )
        )
    if "year" not in df.columns:
        problems.append(Problem("no `year` column", fix="give the year each zone is raccordable"))
    if problems:
        raise ValidationError(str(path), problems, "schedule")
    years = pd.to_numeric(df["year"], errors="coerce")
    bad = years.isna() | (years < 1990) | (years > 2100)
    if bad.any():
        raise ValidationError(
            str(path),
            [
                Problem(
                    "years missing or outside 1990–2100",
                    tuple(f"line {i + 2}" for i in df.index[bad]),
                    "give a 4-digit year",
                )
            ],
            "schedule",
        )
    dup = df[key].duplicated()
    if dup.any():
        raise ValidationError(
            str(path),
            [
                Problem(
                    f"zones listed twice in `{key}`",
                    tuple(df.loc[dup, key].astype(str)),
                    "keep one row per zone",
                )
            ],
            "schedule",
        )
    return pd.DataFrame({key: df[key].astype(str), "year": years.astype(np.int64)})


def ftth_year(premises: pd.DataFrame, schedule: pd.DataFrame) -> pd.Series:
    """Year each premise becomes FTTH raccordable (NaN: never within the schedule).

    The schedule is keyed by ``pm_id`` (matched on the premises' ``pm_id``) or ``insee_code``.
    """
    key = "pm_id" if "pm_id" in schedule.columns else "insee_code"
    if key not in premises.columns:
        raise InputError(f"the premises have no `{key}` column to match the schedule on")
    years = schedule.set_index(key)["year"]
    return premises[key].map(years).astype("float64").rename("ftth_year")


def eligibility_by_year(
    copper: pd.DataFrame,
    ftth_year_: pd.Series,
    years: range | list[int],
    *,
    med_year: pd.Series | None = None,
    copper_after_med: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Best technology and rate class of every premise for every year.

    Parameters
    ----------
    copper
        Copper lines (:class:`bthd.network.copper.CopperLines` ``.lines``): ``rate_mbps``.
    ftth_year_
        Year each premise is FTTH raccordable (NaN: not within the schedule).
    years
        Years to report.
    med_year
        Year the MED of each premise's SR is done (NaN: none).
    copper_after_med
        ``rate_mbps`` of each premise after its SR's MED (same index).

    Returns
    -------
    technology, rate_class
        Two DataFrames index-aligned with the premises, one column per year: the technology
        (none/copper/copper_med/ftth) and the rate class (Observatoire France THD).
    """
    idx = copper.index
    base = copper["rate_mbps"].to_numpy(float)
    after = (
        copper_after_med["rate_mbps"].reindex(idx).to_numpy(float)
        if copper_after_med is not None
        else base
    )
    fy = ftth_year_.reindex(idx).to_numpy(float)
    my = (
        med_year.reindex(idx).to_numpy(float) if med_year is not None else np.full(len(idx), np.nan)
    )
    # classes computed once for the three possible services, then chosen per year
    codes_base = np.asarray(dsl.rate_class(base).codes)
    codes_after = np.asarray(dsl.rate_class(np.maximum(after, base)).codes)
    code_ftth = int(np.asarray(dsl.rate_class(np.array([dsl.ftth_rate_mbps()])).codes)[0])
    tech_base = np.where(base > 0, 1, 0)  # copper, or none (no line, ineligible)
    tech_cols, class_cols = {}, {}
    for y in years:
        is_ftth = fy <= y
        is_med = ~is_ftth & (my <= y)
        code = np.where(is_ftth, code_ftth, np.where(is_med, codes_after, codes_base))
        tech = np.where(is_ftth, 3, np.where(is_med, 2, tech_base))
        tech_cols[y] = pd.Categorical.from_codes(tech, dtype=TECHNOLOGY_DTYPE)
        class_cols[y] = pd.Categorical.from_codes(code, dtype=dsl.RATE_CLASS_DTYPE)
    technology = pd.DataFrame(tech_cols, index=idx)
    rate_class = pd.DataFrame(class_cols, index=idx)
    return technology, rate_class


def summary_by_year(
    technology: pd.DataFrame, rate_class: pd.DataFrame, locaux: pd.Series
) -> pd.DataFrame:
    """Locaux per year by rate class and technology, with the shares of good and very high speed.

    Every premise counts exactly once per year (checked).
    """
    rows = []
    w = locaux.reindex(technology.index).to_numpy(float)
    classes = list(dsl.RATE_CLASS_DTYPE.categories)
    techs = list(TECHNOLOGY_DTYPE.categories)
    good = np.array([k in ("8–30", "30–100", "≥100") for k in classes])
    thd = np.array([k in ("30–100", "≥100") for k in classes])
    for y in technology.columns:
        cc = np.asarray(rate_class[y].cat.codes)
        tc = np.asarray(technology[y].cat.codes)
        if (cc < 0).any():  # pragma: no cover - a bug if it happens
            raise AssertionError("a premise has no class")
        by_class = np.bincount(cc, weights=w, minlength=len(classes))
        by_tech = np.bincount(tc, weights=w, minlength=len(techs))
        row: dict[str, float | int] = {"year": int(y), "locaux": round(float(w.sum()))}
        row.update({f"class {k}": round(float(v)) for k, v in zip(classes, by_class, strict=True)})
        row.update({f"tech {k}": round(float(v)) for k, v in zip(techs, by_tech, strict=True)})
        row["share_bon_haut_debit"] = round(float(by_class[good].sum() / w.sum()), 4)
        row["share_tres_haut_debit"] = round(float(by_class[thd].sum() / w.sum()), 4)
        rows.append(row)
    return pd.DataFrame(rows)


def islands(component: np.ndarray, node: np.ndarray, index: pd.Index) -> pd.Series:
    """True for premises snapped to a road component other than the mainland's (the largest).

    Parameters
    ----------
    component
        Component label of every road node (:attr:`bthd.network.roads.TrenchNetwork.component`).
    node
        Road node of every premise (negative: not snapped).
    index
        Index of the premises.
    """
    main = np.bincount(component).argmax()
    return pd.Series((node >= 0) & (component[np.maximum(node, 0)] != main), index=index)


def before_after(
    rate_class: pd.DataFrame, locaux: pd.Series, first: int, last: int
) -> pd.DataFrame:
    """Locaux by rate class in two years of :func:`eligibility_by_year`'s classes."""
    cats = list(rate_class[first].cat.categories)
    return pd.DataFrame(
        {
            "rate_class": cats,
            f"locaux_{first}": [int(locaux[rate_class[first] == k].sum()) for k in cats],
            f"locaux_{last}": [int(locaux[rate_class[last] == k].sum()) for k in cats],
        }
    )


def by_premise(
    premise_id: pd.Series, technology: pd.DataFrame, rate_class: pd.DataFrame
) -> pd.DataFrame:
    """One row per premise: ``tech_YEAR`` and ``class_YEAR`` for every year (for Parquet)."""
    out = pd.DataFrame({"premise_id": premise_id.to_numpy()})
    for y in technology.columns:
        out[f"tech_{y}"] = technology[y].astype(str).to_numpy()
        out[f"class_{y}"] = rate_class[y].astype(str).to_numpy()
    return out
