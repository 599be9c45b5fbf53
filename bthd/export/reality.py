"""Plan against reality: a run's design compared with the IPE file of the infrastructure operator.

The IPE (read by :func:`bthd.io.ipe.read_ipe`) says, building by building, where the real
deployment stands (``EtatImmeuble``) and which PM serves it (``ReferencePM``). Against the
design of a run, :func:`compare_ipe` gives:

* ``ipe_by_pm_commune``: IPE lines (dwellings) by state per planned PM zone and commune;
* ``ipe_zones``: per planned PM zone, its planned FTTH year (earliest ``ftth_year`` of its
  premises), the IPE lines in it, the share deployed (DEPLOYE) and raccordable including on
  demand (RAD), whether it is *late* (planned year past and less than ``complete_share``
  deployed) and whether its *complétude* deadline (planned year + ``completude_years``: the
  regulator's "délai raisonnable" is 2 to 5 years from the zone's declaration) has passed with
  locaux still not raccordables;
* ``ipe_pm_refs``: per IPE ``ReferencePM``, the planned PM zone holding most of its lines and
  the share there: a reference split across planned zones does not match the plan;
* ``ipe_unmatched`` (a layer): IPE addresses with no planned premise within ``distance_m``,
  and planned premises with no IPE address within it.

Not for: reading the IPE (:mod:`bthd.io.ipe`) or designing the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError
from bthd.export._run import load_run
from bthd.io import atomic_dir
from bthd.io.ipe import PM_COLUMN, STATE_COLUMN, raccordable

#: Name of the PM zone column in the tables (a planned ``zone_id`` of kind ZPM).
ZONE = "pm_zone"


@dataclass
class Reality:
    """The comparison of a design with an IPE file (see the module docstring)."""

    by_pm_commune: pd.DataFrame
    zones: pd.DataFrame
    pm_refs: pd.DataFrame
    unmatched: gpd.GeoDataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name (``ipe_by_pm_commune``, ``ipe_zones``, ``ipe_pm_refs``)."""
        return {
            "ipe_by_pm_commune": self.by_pm_commune,
            "ipe_zones": self.zones,
            "ipe_pm_refs": self.pm_refs,
        }

    @property
    def late(self) -> pd.DataFrame:
        """The PM zones late against the schedule."""
        return self.zones[self.zones["late"]]


def _zone_of(points: gpd.GeoDataFrame, zpm: gpd.GeoDataFrame) -> pd.Series:
    """The planned PM zone each point falls in (the first by zone id on a shared boundary)."""
    tree = shapely.STRtree(zpm.geometry.to_numpy())
    pt, zi = tree.query(points.geometry.to_numpy(), predicate="intersects")
    found = pd.DataFrame({"pt": pt, "zone": zpm["zone_id"].to_numpy()[zi]})
    first = found.sort_values(["pt", "zone"]).drop_duplicates("pt").set_index("pt")["zone"]
    return pd.Series(first.reindex(range(len(points))).to_numpy(), index=points.index, name=ZONE)


def _nearest(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, distance_m: float) -> np.ndarray:
    """Distance from each point of ``a`` to the nearest of ``b`` (NaN beyond ``distance_m``)."""
    out = np.full(len(a), np.nan)
    if len(a) and len(b):
        tree = shapely.STRtree(b.geometry.to_numpy())
        (ia, _), dist = tree.query_nearest(
            a.geometry.to_numpy(), max_distance=distance_m, return_distance=True
        )
        d = pd.Series(dist).groupby(ia).min()
        out[d.index.to_numpy()] = d.to_numpy()
    return out


def compare_ipe(
    run: str | os.PathLike[str] | Any,
    ipe: gpd.GeoDataFrame,
    *,
    as_of: int,
    distance_m: float = 10.0,
    complete_share: float = 0.95,
    completude_years: int = 5,
) -> Reality:
    """Compare a run's design with an IPE file.

    Parameters
    ----------
    run
        A run folder with a design (layers premises, zones).
    ipe
        The IPE as read by :func:`bthd.io.ipe.read_ipe` (points in EPSG:2154 with
        ``logements``, ``insee_code``, ``ipe_state`` and ``pm_ref``).
    as_of
        The year the IPE describes: a zone planned before it is due.
    distance_m
        Distance (m) within which an IPE address and a planned premise are the same place
        (address points of the BAN and of an IPE usually agree within a few metres).
    complete_share
        Share of a zone's IPE lines deployed for the zone to count as on time.
    completude_years
        Years from the planned year to the complétude deadline.

    Returns
    -------
    Reality

    Raises
    ------
    bthd.InputError
        If the run has no PM zones, or the IPE lacks the columns of :func:`read_ipe`.
    """
    missing = [c for c in ("logements", "insee_code", STATE_COLUMN, PM_COLUMN) if c not in ipe]
    if missing:
        raise InputError(
            f"IPE: columns {', '.join(missing)} missing; read the file with "
            "bthd.io.ipe.read_ipe, which adds them."
        )
    rl = load_run(run)
    zones = rl.layer("zones")
    zpm = zones[zones["zone_kind"] == "ZPM"].sort_values("zone_id").reset_index(drop=True)
    if zpm.empty:
        raise InputError(f"{rl.path}: the run has no PM zones (ZPM); run the design first.")
    premises = rl.layer("premises")
    ipe = ipe.to_crs(zpm.crs).reset_index(drop=True)
    ipe[ZONE] = _zone_of(ipe, zpm)
    lines = ipe["logements"].astype(int)

    by = (
        pd.DataFrame(
            {ZONE: ipe[ZONE].fillna("(none)"), "insee_code": ipe["insee_code"], "n": lines}
        )
        .assign(state=ipe[STATE_COLUMN].fillna("(none)"))
        .pivot_table(index=[ZONE, "insee_code"], columns="state", values="n", aggfunc="sum")
        .fillna(0)
        .astype(int)
    )
    by.columns = [str(c) for c in by.columns]
    by["total"] = by.sum(axis=1)
    by_pm_commune = by.reset_index()

    planned = (
        premises.groupby("pm_id")["ftth_year"].min()
        if {"pm_id", "ftth_year"} <= set(premises.columns)
        else pd.Series(dtype=float)
    )
    deployed = lines.where(raccordable(ipe[STATE_COLUMN]), 0)
    on_demand = lines.where(raccordable(ipe[STATE_COLUMN], on_demand=True), 0)
    per = pd.DataFrame({"lines": lines, "deployed": deployed, "raccordable": on_demand})
    agg = per.groupby(ipe[ZONE]).sum().reindex(zpm["zone_id"]).fillna(0).astype(int)
    z = pd.DataFrame({ZONE: zpm["zone_id"].to_numpy()})
    z["planned_year"] = planned.reindex(z[ZONE]).to_numpy()
    z["ipe_lines"] = agg["lines"].to_numpy()
    z["deployed"] = agg["deployed"].to_numpy()
    z["raccordable"] = agg["raccordable"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        z["share_deployed"] = np.where(z["ipe_lines"] > 0, z["deployed"] / z["ipe_lines"], 0.0)
    due = z["planned_year"].notna() & (z["planned_year"] < as_of)
    z["late"] = due & (z["share_deployed"] < complete_share)
    z["completude_deadline"] = z["planned_year"] + completude_years
    z["completude_passed"] = (
        z["planned_year"].notna()
        & (z["completude_deadline"] < as_of)
        & (z["raccordable"] < z["ipe_lines"])
    )
    z["share_deployed"] = z["share_deployed"].round(4)

    refs = ipe[ipe[PM_COLUMN].notna()]
    counts = (
        pd.DataFrame(
            {"ref": refs[PM_COLUMN], ZONE: refs[ZONE].fillna("(none)"), "n": lines[refs.index]}
        )
        .groupby(["ref", ZONE])["n"]
        .sum()
        .reset_index()
        .sort_values(["ref", "n", ZONE], ascending=[True, False, True])
    )
    top = counts.drop_duplicates("ref").set_index("ref")
    total = counts.groupby("ref")["n"].sum()
    pm_refs = pd.DataFrame(
        {
            "pm_ref": top.index,
            "ipe_lines": total.reindex(top.index).to_numpy(),
            "planned_zone": top[ZONE].to_numpy(),
            "share_in_zone": (top["n"] / total.reindex(top.index)).round(4).to_numpy(),
            "planned_zones": counts.groupby("ref")[ZONE].nunique().reindex(top.index).to_numpy(),
        }
    )
    pm_refs["matches"] = pm_refs["planned_zones"] == 1

    d_ipe = _nearest(ipe, premises, distance_m)
    d_plan = _nearest(premises, ipe, distance_m)
    lost = ipe[np.isnan(d_ipe)]
    absent = premises[np.isnan(d_plan)]
    unmatched = gpd.GeoDataFrame(
        {
            "kind": ["ipe_without_plan"] * len(lost) + ["plan_without_ipe"] * len(absent),
            "id": [*lost["premise_id"].astype(str), *absent["premise_id"].astype(str)],
            "insee_code": [*lost["insee_code"].astype(str), *absent["insee_code"].astype(str)],
            "lines": [
                *lost["logements"].astype(int),
                *(absent["logements"] + absent["locaux_pro"]).astype(int),
            ],
            "ipe_state": [*lost[STATE_COLUMN], *([None] * len(absent))],
        },
        geometry=[*lost.geometry, *absent.geometry],
        crs=zpm.crs,
    )
    return Reality(by_pm_commune, z, pm_refs, unmatched)


def write_reality(
    reality: Reality, out: str | os.PathLike[str], *, overwrite: bool = False
) -> list[Path]:
    """Write the comparison into a new folder: one CSV per table and ``ipe_unmatched.gpkg``.

    The folder appears whole or not at all; an existing one is replaced only with
    ``overwrite``.
    """
    from bthd.export.gis import reproducible_gpkg_env
    from bthd.io import write_layers

    dest = Path(out)
    with atomic_dir(dest, overwrite=overwrite) as tmp:
        for name, df in reality.tables().items():
            df.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        with reproducible_gpkg_env():
            write_layers({"ipe_unmatched": reality.unmatched}, tmp / "ipe_unmatched.gpkg")
    return sorted(dest.iterdir())
