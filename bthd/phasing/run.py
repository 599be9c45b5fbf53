"""A plan end to end: read a design, plan a scenario, build every table and the ZDEP layer.

:func:`plan_design` works on in-memory layers and tables (the ``plan`` stage uses it);
:func:`plan_run` reads them from a design run folder; :func:`write_plan` writes a new run folder
(manifest, ``tables/*.csv`` and ``layers.gpkg`` with the ``zdep`` layer).

Not for: the rules themselves (:mod:`bthd.phasing.engine`, :mod:`bthd.phasing.financing`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from bthd.phasing.calibration import calibration_table
from bthd.phasing.engine import Plan, greedy, prepare
from bthd.phasing.outputs import tables, zdep_layer
from bthd.phasing.scenario import Scenario
from bthd.reference import BTHD_MED_YEAR

log = logging.getLogger(__name__)

#: What a design must hold for a plan: layers and tables.
NEEDED_LAYERS = ("premises", "communes", "zones")
NEEDED_TABLES = ("design_cost_by_pm",)


@dataclass
class PlanResult:
    """A plan with its tables (``calibration`` included) and its ZDEP layer."""

    plan: Plan
    tables: dict[str, pd.DataFrame]
    zdep: gpd.GeoDataFrame | None
    exact: Any = None
    notes: list[str] = field(default_factory=list)


def _known_communes() -> pd.DataFrame | None:
    try:
        from bthd.data import load_communes

        return pd.DataFrame(load_communes().drop(columns="geometry"))
    except (ImportError, OSError):  # pragma: no cover - embedded data always ships
        return None


def plan_design(
    premises: pd.DataFrame,
    communes: pd.DataFrame,
    zones: gpd.GeoDataFrame | None,
    cost_by_pm: pd.DataFrame,
    scenario: Scenario,
    *,
    med_selected: pd.DataFrame | None = None,
    exact: bool = False,
    exact_time_limit: float = 60.0,
    source: str = "scenario",
) -> PlanResult:
    """Plan ``scenario`` on a design and build every output.

    Parameters
    ----------
    premises, communes, zones, cost_by_pm
        The design's layers (``zones`` with the ZPM polygons; None: no adjacency, each PM
        zone its own ZDEP) and its ``design_cost_by_pm`` table.
    scenario
        The scenario.
    med_selected
        The ``med_selected`` table (SRs with a montée en débit), if any.
    exact
        Also solve the mixed-integer program (:mod:`bthd.phasing.exact`) and report the gap.
    exact_time_limit
        Seconds given to the MILP solver.
    source
        Name of the scenario file, for messages.
    """
    med_sr = med_selected["sr_id"].astype(str) if med_selected is not None else ()
    units = prepare(
        premises,
        communes,
        cost_by_pm,
        scenario,
        zpm=zones,
        med_sr=med_sr,
        med_year=BTHD_MED_YEAR,
        known_communes=_known_communes(),
        source=source,
    )
    plan = greedy(units, scenario)
    log.info("greedy plan in %.2f s, objective %.0f line-years", plan.seconds, plan.objective)
    exact_result = None
    if exact:
        from bthd.phasing.exact import solve_exact

        exact_result = solve_exact(units, scenario, greedy_plan=plan, time_limit=exact_time_limit)
    tb = tables(plan, premises, communes)
    tb["calibration"] = calibration_table(plan, tb)
    if exact_result is not None:
        tb["plan_exact_gap"] = exact_result.summary
        tb["plan_exact_schedule"] = exact_result.schedule
    planned = zones is not None and bool((plan.units["seq"] >= 0).any())
    layer = zdep_layer(plan, zones) if planned else None  # no ZDEP when nothing is planned
    return PlanResult(plan, tb, layer, exact_result)


def plan_run(
    run: str | os.PathLike[str],
    scenario: Scenario,
    *,
    exact: bool = False,
    exact_time_limit: float = 60.0,
    source: str = "scenario",
) -> PlanResult:
    """Plan ``scenario`` on the design of a run folder (``bthd demo`` or ``bthd design``)."""
    from bthd.io.runs import RunFolderError, open_run

    r = open_run(run)
    missing = [f"layer {n}" for n in NEEDED_LAYERS if not r.has_layer(n)]
    missing += [f"table {n}" for n in NEEDED_TABLES if not r.has_table(n)]
    if missing:
        raise RunFolderError(
            f"{r.path}: no {', '.join(missing)}; a plan needs a design. Fix: give a run folder "
            "written by `bthd demo` or `bthd design`."
        )
    premises = read_premises(r)
    return plan_design(
        premises,
        pd.DataFrame(r.layer("communes").drop(columns="geometry")),
        r.layer("zones"),
        r.table("design_cost_by_pm"),
        scenario,
        med_selected=r.table("med_selected") if r.has_table("med_selected") else None,
        exact=exact,
        exact_time_limit=exact_time_limit,
        source=source,
    )


#: Premises columns a plan reads (others, and the geometry, are not loaded).
PREMISES_COLUMNS = ("pm_id", "insee_code", "logements", "locaux_pro", "copper_rate_mbps", "sr_id")


def read_premises(run: Any) -> pd.DataFrame:
    """The premises columns a plan needs, without geometry (fast on a region's 1.1 M rows).

    Parameters
    ----------
    run
        A :class:`bthd.io.runs.Run`.
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = run.layers_path
    try:
        info = pyogrio.read_info(path, layer="premises")
    except (DataLayerError, DataSourceError, OSError):
        # not a GeoPackage layer pyogrio reads: the run's own reader says what is wrong
        return pd.DataFrame(run.layer("premises").drop(columns="geometry"))
    have = [c for c in PREMISES_COLUMNS if c in set(info["fields"])]
    return pd.DataFrame(
        pyogrio.read_dataframe(path, layer="premises", columns=have, read_geometry=False)
    )


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of a scenario's validated content (an ``extends`` chain included)."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()


def write_plan(
    result: PlanResult,
    out: str | os.PathLike[str],
    *,
    command: str,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str | os.PathLike[str]] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a plan into a new run folder: tables, ``layers.gpkg`` (``zdep``), scenario copy."""
    from bthd.io.runs import run_folder

    sc = result.plan.scenario
    with run_folder(out, command=command, parameters=parameters, overwrite=overwrite) as rf:
        for name, path in dict(inputs or {}).items():
            if Path(path).is_file():
                rf.add_input(name, path)
        for name in sorted(result.tables):
            rf.write_table(name, result.tables[name])
        if result.zdep is not None:
            rf.write_layers({"zdep": result.zdep})
        rf.write_text("scenario.json", sc.model_dump_json(indent=2) + "\n")
        rf.write_text(
            "SOURCES.txt",
            "Plan of a design run. On the embedded region the design's premises and roads are "
            "SYNTHETIC (seeded) and the locaux counts real (Arcep T1 2018): zone shapes, lines "
            "per zone and costs are synthetic. Scenario figures carry their sources in "
            "scenario.json; calibration.csv compares the plan with Mégalis's published "
            "figures.\n",
        )
    return Path(out)
