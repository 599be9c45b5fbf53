"""A whole montée-en-débit programme on a region: copper lines, candidates, selection, report.

:func:`programme` chains the planner's steps the way ``bthd med`` runs them and returns every
table and layer of its run folder (:class:`MedProgramme`), so that the command only parses its
options, calls it and writes the results.

Not for: the steps themselves (:mod:`bthd.med.candidates`, :mod:`bthd.med.selection`,
:mod:`bthd.med.report`, :mod:`bthd.costs.med`) or writing run folders (:mod:`bthd.io`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd._errors import InputError
from bthd.costs.med import sunk_cost
from bthd.eligibility import default_schedule, ftth_year
from bthd.med.candidates import candidates
from bthd.med.report import Report2015, report_2015
from bthd.med.routes import route_lines
from bthd.med.selection import select
from bthd.network.copper import CopperLines, copper_lines
from bthd.network.roads import TrenchNetwork, snap_premises, trench_network
from bthd.reference import MEGALIS_2015
from bthd.settings import DEFAULT_SEED, WORK_CRS
from bthd.settings.med import KINDS, MedSettings

if TYPE_CHECKING:
    from bthd.region import Region

__all__ = ["PROGRAMME_STEPS", "REPORT_OPERATIONS", "MedProgramme", "programme"]

#: Default number of operations: the 2015 report's (Mégalis, seed 001).
REPORT_OPERATIONS = int(MEGALIS_2015["operations"])

#: Steps of :func:`programme`, in order, as reported to its ``on_step`` callback ("FTTH design"
#: replaces "road network" with ``reuse``).
PROGRAMME_STEPS: tuple[str, ...] = (
    "road network",
    "copper lines",
    "candidates",
    "selection",
    "FTTH design",
)


@dataclass
class MedProgramme:
    """The results of :func:`programme`.

    Attributes
    ----------
    candidates
        :func:`bthd.med.candidates` (with ``route_edges``).
    selected
        :func:`bthd.med.select` of them (with ``route_edges``; ``attrs["selection"]``).
    report
        :func:`bthd.med.report_2015` of the selection (its table, explanation, before/after).
    sunk
        :func:`bthd.costs.med.sunk_cost` of the selection.
    copper
        The copper lines the operations act on.
    net
        The trench network of the fibre routes.
    kinds
        Kinds of operation considered.
    settings
        The planner settings used.
    """

    candidates: pd.DataFrame
    selected: pd.DataFrame
    report: Report2015
    sunk: pd.DataFrame
    copper: CopperLines
    net: TrenchNetwork
    kinds: tuple[str, ...]
    settings: MedSettings

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run folder's tables by name (``route_edges`` dropped: arrays do not go to CSV)."""
        return {
            "med_candidates": self.candidates.drop(columns="route_edges"),
            "med_selected": self.selected.drop(columns="route_edges"),
            "med_before_after": self.report.before_after,
            "med_report_2015": self.report.table,
            "med_sunk_cost": self.sunk,
        }

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The selected SR points (``med_sites``) and their NRA→SR fibre routes
        (``med_routes``), in the working CRS."""
        sel = self.selected
        flat = sel.drop(columns="route_edges").reset_index(drop=True)
        sites = self.copper.sites.drop_duplicates("site_id").set_index("site_id")
        pts = gpd.GeoDataFrame(
            flat, geometry=sites.geometry.reindex(flat["sr_id"]).to_numpy(), crs=WORK_CRS
        )
        routes = gpd.GeoDataFrame(
            flat[["rank", "kind", "sr_id", "nra_id", "route_m", "fibre_eur"]],
            geometry=route_lines(sel, self.net),
            crs=WORK_CRS,
        )
        return {"med_sites": pts, "med_routes": routes}


def programme(
    region: Region,
    *,
    budget: float | None = None,
    operations: int | None = None,
    exact: bool = False,
    year: int = 2015,
    nra_zo: bool = False,
    reuse: bool = False,
    copper_sites: gpd.GeoDataFrame | None = None,
    seed: int = DEFAULT_SEED,
    on_step: Callable[[str], None] | None = None,
) -> MedProgramme:
    """Plan montée-en-débit operations on a region and compare them with the 2015 report.

    Builds the trench network (or the FTTH design with ``reuse``), the copper lines, the
    candidates (FTTH years from :func:`bthd.eligibility.default_schedule`), selects the
    operations, compares them with the Mégalis 2015 report and computes their sunk cost.

    Parameters
    ----------
    region
        The region (premises, roads, communes and, unless ``copper_sites``, the copper sites).
    budget, operations
        Select within this budget (€ HT) or this many operations; neither: the report's 174.
    exact
        Exact selection instead of greedy.
    year
        Year the operations are in service (``med_year``).
    nra_zo
        Also consider NRA-ZO operations.
    reuse
        Also design the FTTH network, to find which MED fibre it reuses (slow on the region).
    copper_sites
        NRA/SR sites in place of the region's (:func:`bthd.network.copper.read_copper_sites`).
    seed
        Seed of the civil-works draw and of the design.
    on_step
        Called with the name of each step (:data:`PROGRAMME_STEPS`) as it starts.

    Returns
    -------
    MedProgramme
        Candidates, selection, report, sunk cost and what they were computed on.

    Raises
    ------
    bthd.InputError
        The region lacks a layer the programme needs.
    bthd.ParameterError
        Both ``budget`` and ``operations``, or invalid values.
    """
    needed = ["premises", "road_nodes", "road_edges", "communes"]
    missing = [name for name in needed if getattr(region, name) is None]
    if copper_sites is None and region.sites is None:
        missing.append("sites")
    if missing:
        raise InputError(
            f"montée en débit programme: the region has no {', '.join(missing)} layer(s); "
            "give a region with premises, roads, communes and copper sites (or copper_sites=)"
        )
    premises = region.premises
    assert premises is not None and region.road_nodes is not None
    assert region.road_edges is not None
    if budget is None and operations is None:
        operations = REPORT_OPERATIONS

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    des = None
    if reuse:
        step("FTTH design")
        from bthd.network.design import design  # the design imports the whole network stack

        des = design(region, seed=seed, polygons=False)
        net, snapped = des.net, des.snapped
    else:
        step("road network")
        net = trench_network(region.road_nodes, region.road_edges, seed=seed)
        snapped = snap_premises(premises, net)
    assert snapped is not None
    step("copper lines")
    cl = copper_lines(net, snapped, copper_sites if copper_sites is not None else region.sites)
    fy = ftth_year(premises, default_schedule(region.communes))
    locaux = premises["logements"] + premises["locaux_pro"]
    step("candidates")
    kinds = KINDS if nra_zo else ("MED",)
    cands = candidates(cl, net, locaux, ftth_year=fy, med_year=year, kinds=kinds)
    step("selection")
    sel = select(cands, budget=budget, operations=operations, exact=exact)
    rep = report_2015(cands, cl, locaux, selected=sel)
    edges = np.unique(des.routing.cables["edge"].to_numpy()) if des is not None else None
    sunk = sunk_cost(
        sel,
        cl,
        fy,
        locaux=locaux,
        ftth_trench_edges=edges,
        net=net if des is not None else None,
    )
    return MedProgramme(
        candidates=cands,
        selected=sel,
        report=rep,
        sunk=sunk,
        copper=cl,
        net=net,
        kinds=tuple(kinds),
        settings=cands.attrs["med_settings"],
    )
