"""The FTTH design of a region, end to end: from premises and roads to a costed network.

:func:`design` runs the stages in order — trenching view of the roads, premises snapped to them,
NRO/PM/PBO placement and zones, Steiner routing of transport and distribution, cable sizing,
optical budget, bill of materials and costs — and returns a :class:`Design`: the network as
GeoDataFrames (sites, links, zones, premises with their NRO/PM/PBO) plus the BOM, the costs per
zone and every problem found, and as a networkx graph on geodata (:meth:`Design.graph`).

Not for: drawing maps or reports (they read a run folder) or phasing (a later module).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError, Problem, ValidationError
from bthd.costs.bom import bill_of_materials
from bthd.network.roads import TrenchNetwork, snap_premises, trench_network
from bthd.network.routing import Routing, optical_budget_db, route
from bthd.network.zoning import Zoning, zone_premises
from bthd.reference import PUBLISHED_COST_PER_PRISE  # noqa: F401 (re-exported)
from bthd.region import Region
from bthd.settings import (
    ARCEP,
    COSTS,
    DEFAULT_SEED,
    DESIGN,
    DESIGN_COSTS,
    WORK_CRS,
    ArcepRules,
    CivilWorksCosts,
    DesignCosts,
    DesignRules,
)

log = logging.getLogger(__name__)


@dataclass
class Design:
    """A designed FTTH network.

    Attributes
    ----------
    premises
        The region's premises with ``nro_id``, ``pm_id``, ``pbo_id``, ``drop_m`` (PBO→premise
        cable length), ``optical_km`` (NRO→premise path), ``budget_db`` and ``issue`` (empty
        when served within the rules).
    sites
        NRO, PM and PBO points: ``site_id``, ``site_type``, ``parent_id``, ``capacity`` (lines),
        ``flag`` (a rule the site cannot meet, with the reason).
    links
        Cable sections on the roads: ``link_type`` TR (transport) or DI (distribution),
        ``tree`` (the NRO or PM it starts from), ``fibres``, ``cable_size``, ``n_cables``,
        ``length_m``, ``works`` and LineString geometry.
    zones
        ZNRO, ZPM and ZPBO polygons partitioning the premises (when :mod:`bthd.network.polygons`
        is available), else None.
    bom
        Bill of materials: one row per item with quantity, unit, unit cost and cost; the
        ``total`` row is the sum of the others.
    cost_by_pm
        Cost allocated to each PM zone (its trench, cables, PBOs, PM, drops, and its share of
        its NRO's) and the cost per prise; adds up to the BOM total.
    issues
        Every problem found: premises not served and why, sites flagged, trees cut.
    timings
        Seconds per stage.
    """

    premises: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame | None
    bom: pd.DataFrame
    cost_by_pm: pd.DataFrame
    issues: pd.DataFrame
    net: TrenchNetwork = field(repr=False)
    zoning: Zoning = field(repr=False)
    routing: Routing = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    snapped: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def total_cost(self) -> float:
        """Total cost of the design (€ HT), drops included."""
        return float(self.bom.loc[self.bom["item"] == "total", "cost_eur"].iloc[0])

    @property
    def trench_m(self) -> float:
        """Metres of trench (road edges) the design's cables use, each edge counted once."""
        return float(self.net.length[self.routing.cables["edge"].unique()].sum())

    @property
    def premise_nodes(self) -> np.ndarray:
        """Road node of every premise (−1: not snapped), index-aligned with :attr:`premises`."""
        if self.snapped is None:
            return np.full(len(self.premises), -1, np.int64)
        return self.snapped["node"].to_numpy()

    def cost_per_prise(self, *, drops: bool = False) -> float:
        """Cost per prise (€ HT per local served), with or without the final connections."""
        served = int(self.cost_by_pm["lines"].sum())
        cost = self.total_cost - (
            0.0 if drops else float(self.bom.loc[self.bom["category"] == "drops", "cost_eur"].sum())
        )
        return cost / served if served else float("nan")

    def graph(self) -> nx.MultiGraph:
        """The design as a networkx graph on geodata.

        Nodes are sites (NRO, PM, PBO) and road junctions (``kind`` = ``junction``), each with
        ``x``, ``y`` and ``geometry``; edges are cable sections with ``link_type`` (TR, DI),
        ``tree``, ``fibres``, ``cable_size``, ``length`` and ``geometry``. Premises are not
        nodes (there can be a million): they are in :attr:`premises`, with their PBO.
        """
        G = nx.MultiGraph(crs=WORK_CRS)
        net = self.net
        for row in self.sites.itertuples(index=False):
            G.add_node(
                row.site_id,
                kind=row.site_type,
                x=row.geometry.x,
                y=row.geometry.y,
                geometry=row.geometry,
                parent=row.parent_id,
            )
        site_at: dict[int, str] = {}
        for sid, node in zip(self.sites["site_id"], self.sites["node"], strict=True):
            site_at.setdefault(int(node), sid)

        def name(n: int) -> object:
            return site_at.get(n, f"J{int(net.node_id[n])}")

        for row in self.links.itertuples(index=False):
            a, b = name(row.from_node), name(row.to_node)
            for key in (a, b):
                if key not in G:
                    n = row.from_node if key == a else row.to_node
                    G.add_node(
                        key,
                        kind="junction",
                        x=float(net.x[n]),
                        y=float(net.y[n]),
                        geometry=shapely.Point(net.x[n], net.y[n]),
                    )
            G.add_edge(
                a,
                b,
                link_type=row.link_type,
                tree=row.tree,
                fibres=row.fibres,
                cable_size=row.cable_size,
                length=row.length_m,
                geometry=row.geometry,
            )
        return G


def _check_premises_in_communes(region: Region) -> None:
    p = region.premises
    assert p is not None
    tree = shapely.STRtree(region.communes.geometry.to_numpy())
    hit = np.zeros(len(p), bool)
    idx = tree.query(p.geometry.to_numpy(), predicate="intersects")
    hit[idx[0]] = True
    if not hit.all():
        ids = p["premise_id"].to_numpy()[~hit]
        raise ValidationError(
            f"{region.name}: premises",
            [
                Problem(
                    "premises outside every commune of the region",
                    tuple(map(str, ids)),
                    "check their coordinates and CRS, or add the missing communes",
                )
            ],
            "premises",
        )


def _node_groups(net: TrenchNetwork, region: Region, within: str | None) -> np.ndarray | None:
    if within is None:
        return None
    if within not in ("commune", "epci"):
        raise InputError(f"within={within!r}: use 'commune', 'epci' or None")
    c = region.communes
    tree = shapely.STRtree(c.geometry.to_numpy())
    pts = shapely.points(net.x, net.y)
    nearest = tree.nearest(pts)
    key = c["insee_code" if within == "commune" else "epci_siren"].fillna("").to_numpy()
    return pd.factorize(key[nearest])[0]


def design(
    region: Region,
    *,
    rules: DesignRules = DESIGN,
    arcep: ArcepRules = ARCEP,
    works_costs: CivilWorksCosts = COSTS,
    costs: DesignCosts = DESIGN_COSTS,
    within: str | None = None,
    rounds: int = 2,
    seed: int = DEFAULT_SEED,
    fix_roads: bool = False,
    polygons: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> Design:
    """Design the FTTH network of a region.

    Parameters
    ----------
    region
        A region with premises, roads and (optionally) NRA sites as NRO candidates.
    rules, arcep, works_costs, costs
        Design rules, ARCEP rules, civil-works costs and unit costs.
    within
        Keep PM zones within communes (``"commune"``) or EPCI (``"epci"``); None: free.
    rounds
        Rounds of the Steiner local search per tree.
    seed
        Seed of the civil-works draw and the Steiner search.
    fix_roads
        Merge duplicated road nodes and drop zero-length edges instead of reporting them.
    polygons
        Build the zone polygons (ZNRO, ZPM, ZPBO).
    on_stage
        Called with each stage's name.

    Raises
    ------
    bthd.ValidationError
        Premises outside every commune; road edges of zero length or duplicated nodes (unless
        ``fix_roads``); each message lists the affected items.
    """
    stage = on_stage or (lambda _s: None)
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = round(now - t, 3)
        t = now

    if region.premises is None or region.road_nodes is None or region.road_edges is None:
        raise InputError(f"region {region.name!r} needs premises and roads to be designed")
    stage("checking inputs")
    _check_premises_in_communes(region)
    premises = region.premises
    stage("road network")
    net = trench_network(
        region.road_nodes,
        region.road_edges,
        costs=works_costs,
        seed=seed,
        fix=fix_roads,
        source=f"{region.name}: roads",
    )
    tick("road network")
    stage("snapping premises")
    snapped = snap_premises(premises, net, max_drop_m=rules.max_drop_m)
    locaux = (premises["logements"] + premises["locaux_pro"]).to_numpy(np.int64)
    tick("snap premises")
    stage("placing NRO, PM, PBO")
    cand = np.empty(0, np.int64)
    if region.sites is not None and "site_type" in region.sites.columns:
        nra = region.sites[region.sites["site_type"] == "NRA"]
        if len(nra):
            tree = shapely.STRtree(shapely.points(net.x, net.y))
            cand = tree.query_nearest(nra.geometry.to_numpy(), return_distance=False)[1]
    zoning = zone_premises(
        net,
        snapped,
        locaux,
        cand,
        node_group=_node_groups(net, region, within),
        rules=rules,
        arcep=arcep,
    )
    tick("zoning")
    stage("routing (Steiner trees)")
    routing = route(net, zoning, rules=rules, rounds=rounds, seed=seed)
    tick("routing")
    stage("sizing, budget, costs")
    prem = _premises_view(premises, snapped, zoning, routing, locaux, rules, arcep)
    sites = _sites_view(net, zoning)
    links = _links_view(net, routing)
    bom, cost_by_pm = bill_of_materials(net, zoning, routing, prem, locaux, works_costs, costs)
    issues = _issues(prem, sites, routing)
    tick("costs")
    zones = None
    if polygons:
        stage("zone polygons")
        zones = _zones(prem, zoning, region)
        tick("zone polygons")
    return Design(
        prem, sites, links, zones, bom, cost_by_pm, issues, net, zoning, routing, timings, snapped
    )


def _premises_view(
    premises: gpd.GeoDataFrame,
    snapped: pd.DataFrame,
    zoning: Zoning,
    routing: Routing,
    locaux: np.ndarray,
    rules: DesignRules,
    arcep: ArcepRules,
) -> gpd.GeoDataFrame:
    """The premises with their sites, drop, optical path, budget and issue.

    The drop runs along the roads from the PBO down to the premise's road node, then to the
    premise: a PBO stands at the head of its zone (:func:`bthd.network.zoning.partition_tree`),
    so every premise it serves hangs below it on the NRO's shortest-path tree and the road length
    between them is the difference of their distances from the NRO. The optical path is the
    transport path to the PM, the distribution path to the PBO and the drop. Flags are decided
    on the published (rounded) figures, so that a figure and its flag always agree.
    """
    z = zoning.premises
    node = snapped["node"].to_numpy()
    pbo = z["pbo"].to_numpy()
    pm = z["pm"].to_numpy()
    ok = pbo >= 0
    pbo_site = zoning.pbo["node"].to_numpy()
    dist = zoning.dist
    drop = np.full(len(z), np.nan)
    drop[ok] = (dist[node[ok]] - dist[pbo_site[pbo[ok]]]) + snapped["drop_m"].to_numpy()[ok]
    # a PBO not above its premise would be a zoning bug, never a real drop; below a millimetre
    # it is rounding (a premise on its road: a snap distance of -1e-14 m)
    if (drop[ok] < -1e-3).any():
        bad = z.index[ok][drop[ok] < -1e-3]
        raise RuntimeError(
            f"{len(bad)} premises hang above their PBO (e.g. rows {list(bad[:5])}): "
            "the PBO zoning put a site below its zone's head"
        )
    drop = np.round(np.maximum(drop, 0.0), 1)
    optical = np.full(len(z), np.nan)
    optical[ok] = (routing.pm_depth_m[pm[ok]] + routing.pbo_depth_m[pbo[ok]] + drop[ok]) / 1000
    budget = np.round(optical_budget_db(optical, rules), 2)
    optical = np.round(optical, 3)
    issue = np.where(z["reason"].to_numpy() != "", z["reason"].to_numpy(), "")
    issue = np.where(
        ok & (budget > rules.budget_max_db),
        f"optical budget above {rules.budget_max_db:g} dB (class B+)",
        issue,
    )
    issue = np.where(
        ok & (optical > rules.max_reach_km) & (issue == ""),
        f"NRO→premise path above {rules.max_reach_km:g} km",
        issue,
    )
    long_drop = ok & (drop > arcep.drop_long_m)
    out = premises.copy()
    out["nro_id"] = z["nro_id"].to_numpy()
    out["pm_id"] = z["pm_id"].to_numpy()
    out["pbo_id"] = z["pbo_id"].to_numpy()
    out["drop_m"] = drop
    out["raccordement_long"] = long_drop
    out["optical_km"] = optical
    out["budget_db"] = budget
    out["issue"] = issue
    return out


def _sites_view(net: TrenchNetwork, zoning: Zoning) -> gpd.GeoDataFrame:
    parts = []
    for kind, df in (("NRO", zoning.nro), ("PM", zoning.pm), ("PBO", zoning.pbo)):
        parts.append(
            pd.DataFrame(
                {
                    "site_id": df["site_id"].to_numpy(),
                    "site_type": kind,
                    "parent_id": df["parent_id"].to_numpy(),
                    "capacity": df["lines"].to_numpy(),
                    "flag": df["flag"].to_numpy(),
                    "node": df["node"].to_numpy(),
                }
            )
        )
    s = pd.concat(parts, ignore_index=True)
    s["synthetic"] = False
    node = s["node"].to_numpy()
    return gpd.GeoDataFrame(s, geometry=shapely.points(net.x[node], net.y[node]), crs=WORK_CRS)


def _links_view(net: TrenchNetwork, routing: Routing) -> gpd.GeoDataFrame:
    c = routing.cables
    e = c["edge"].to_numpy()
    rank = c.groupby(["segment", "tree"]).cumcount().to_numpy() + 1
    links = gpd.GeoDataFrame(
        {
            "link_id": [
                f"{s}-{t}-{k:05d}" for s, t, k in zip(c["segment"], c["tree"], rank, strict=True)
            ],
            "link_type": c["segment"].to_numpy(),
            "tree": c["tree"].to_numpy(),
            "from_site": c["tree"].to_numpy(),
            "to_site": None,
            "fibres": c["fibres"].to_numpy(),
            "cable_size": c["cable_size"].to_numpy(),
            "n_cables": c["n_cables"].to_numpy(),
            "length_m": np.round(c["length_m"].to_numpy(), 2),
            "works": net.works[e],
            "from_node": c["from_node"].to_numpy(),
            "to_node": c["to_node"].to_numpy(),
            "synthetic": False,
        },
        geometry=net.geometry[e],
        crs=WORK_CRS,
    )
    return links


def _issues(prem: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, routing: Routing) -> pd.DataFrame:
    rows = []
    bad = prem[prem["issue"] != ""]
    for reason, g in bad.groupby("issue", sort=True):
        rows.append(
            {
                "kind": "premises",
                "issue": reason,
                "count": len(g),
                "items": ";".join(g["premise_id"].astype(str).head(200)),
            }
        )
    long_ = prem[prem["raccordement_long"]]
    if len(long_):
        rows.append(
            {
                "kind": "premises",
                "issue": "long drop (RaccordementLong=Oui)",
                "count": len(long_),
                "items": ";".join(long_["premise_id"].astype(str).head(200)),
            }
        )
    flagged = sites[sites["flag"] != ""]
    for (kind, reason), g in flagged.groupby(["site_type", "flag"], sort=True):
        rows.append(
            {
                "kind": kind,
                "issue": reason,
                "count": len(g),
                "items": ";".join(g["site_id"].astype(str).head(200)),
            }
        )
    for row in routing.problems.itertuples(index=False):
        rows.append(
            {
                "kind": "tree",
                "issue": row.reason,
                "count": len(list(row.unreached)),  # type: ignore[arg-type]
                "items": row.tree,
            }
        )
    return pd.DataFrame(rows, columns=["kind", "issue", "count", "items"])


def _zones(prem: gpd.GeoDataFrame, zoning: Zoning, region: Region) -> gpd.GeoDataFrame | None:
    try:
        from bthd.network.polygons import zone_polygons
    except ImportError:  # pragma: no cover - the polygons module is optional while it lands
        log.warning("zone polygons unavailable (bthd.network.polygons missing)")
        return None
    labels = {
        "ZNRO": prem["nro_id"].to_numpy(),
        "ZPM": prem["pm_id"].to_numpy(),
        "ZPBO": prem["pbo_id"].to_numpy(),
    }
    parents = {
        "ZPM": dict(zip(zoning.pm["site_id"], zoning.pm["parent_id"], strict=True)),
        "ZPBO": dict(zip(zoning.pbo["site_id"], zoning.pbo["parent_id"], strict=True)),
    }
    land = shapely.union_all(region.communes.geometry.to_numpy())
    # real address files put several premises at one position: share such cells out
    return zone_polygons(
        prem.geometry.to_numpy(), labels, parents=parents, land=land, shared="split"
    )
