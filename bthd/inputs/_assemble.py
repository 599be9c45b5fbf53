"""A region assembled from the user's files (:func:`region_from_inputs`), generated only where
nothing was given; the rules are those of :mod:`bthd.inputs`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import BthdError, Problem, ValidationError
from bthd.inputs._readers import ROAD_MARGIN_M, read_premises_file, read_roads_file
from bthd.region import Region
from bthd.settings import DEFAULT_SEED, WORK_CRS

log = logging.getLogger(__name__)

#: Distance (m) beyond which a premise lies outside the commune it claims (simplified polygons).
OUTSIDE_TOLERANCE_M = 200.0
#: Road length (km) a commune must hold to be in an area chosen by the roads alone.
MIN_ROAD_KM = 2.0
#: Credits a run must print for the formats read (their licences require attribution).
_CREDITS = {
    "OSM": "Roads © OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)",
    "BAN": "Addresses: Base Adresse Nationale, Licence Ouverte 2.0",
}
#: Status of a layer given in a file but generated (``synthetic`` column true): bthd's own output.
_GIVEN_SYNTHETIC = "given, synthetic"
#: Name of the user's set of files in error messages.
_SOURCE = "your files"
#: Margin (m) of copper sites kept around the area.
COPPER_MARGIN_M = 5000.0


@dataclass
class _Inputs:
    """What was read, and every problem met, while assembling a region."""

    problems: list[Problem] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, source: object, exc: BthdError) -> None:
        if isinstance(exc, ValidationError):
            for p in exc.problems:
                what = p.what if exc.source == _SOURCE else f"{exc.source}: {p.what}"
                self.problems.append(Problem(what, p.rows, p.fix))
        else:
            self.problems.append(Problem(str(exc)))

    def record(self, role: str, path: Path, fmt: str, crs: str | None, rows: int) -> None:
        from bthd.io.runs import file_sha256

        self.records.append(
            {
                "role": role,
                "path": str(path),
                "sha256": file_sha256(path) if path.is_file() else _folder_sha256(path),
                "format": fmt,
                "crs": crs,
                "rows": int(rows),
            }
        )


def region_from_inputs(
    *,
    data: str | os.PathLike[str] | None = None,
    premises: str | os.PathLike[str] | None = None,
    roads: str | os.PathLike[str] | None = None,
    copper: str | os.PathLike[str] | None = None,
    communes: str | os.PathLike[str] | None = None,
    epci: str | None = None,
    departement: str | None = None,
    seed: int = DEFAULT_SEED,
) -> Region:
    """A region assembled from the user's files; what is not given is generated.

    Parameters
    ----------
    data
        A GeoPackage or a folder of layers (:meth:`Region.from_file`): communes (required),
        and optionally epci, departements, premises, roads/road_nodes, sites, links.
    premises
        A BAN file (``adresses-35.csv[.gz]``), an IPE file (Interop'Fibre CSV) or a premises
        layer (GeoPackage, GeoParquet, GeoJSON, Shapefile, CSV with coordinates).
    roads
        An OpenStreetMap extract (``.osm.pbf``, ``.osm``) or a layer of road lines.
    copper
        NRA and SR sites (:func:`bthd.network.copper.read_copper_sites`).
    communes
        A communes layer (:data:`bthd.schema.COMMUNES`) in place of the embedded one.
    epci, departement
        Choose the area within the communes (SIREN, département code).
    seed
        Seed of whatever is generated.

    Returns
    -------
    Region
        In Lambert-93, validated; ``synthetic`` lists the generated layers only, ``meta``
        holds ``inputs``, ``layers`` (real/synthetic/embedded per layer), ``area``, ``seed``.

    Raises
    ------
    bthd.ValidationError
        Every problem of every file, at once.
    bthd.InputError
        Nothing to build a region from, or an unknown EPCI/département.
    """
    from bthd import data as embedded
    from bthd import io

    got = _Inputs()
    layers: dict[str, str] = {}
    crs_of: dict[str, str | None] = {}
    base: Region | None = None
    if data is not None:
        try:
            base = Region.from_file(data)
            dp = Path(data)
            got.record("data", dp, "region", None, len(base.communes))
        except BthdError as exc:
            got.add(data, exc)
    # ---- communes, EPCI, départements ---------------------------------------------------
    all_communes: gpd.GeoDataFrame | None = None
    epci_layer = departements = None
    if communes is not None:
        try:
            raw = io.read(communes)
            crs_of["communes"] = raw.crs.to_string() if raw.crs is not None else None
            from bthd.schema import validate

            all_communes = validate(raw, "communes", source=str(communes))
            got.record("communes", Path(communes), "layer", crs_of["communes"], len(raw))
            layers["communes"] = "real"
        except BthdError as exc:
            got.add(communes, exc)
    elif base is not None:
        all_communes = base.communes
        layers["communes"] = "real"
    from_embedded = communes is None and base is None
    if from_embedded:
        all_communes = embedded.load_communes()
        got.record(
            "embedded",
            embedded.embedded_gpkg(),
            "bthd embedded data",
            "EPSG:2154",
            len(all_communes),
        )
        layers["communes"] = "embedded"
    empty = gpd.GeoDataFrame(geometry=[], crs=WORK_CRS)
    if base is not None:
        epci_layer, departements = base.epci, base.departements
    if from_embedded or (base is None and communes is not None):
        epci_layer, departements = embedded.load_epci(), embedded.load_departements()
    # ---- premises ----------------------------------------------------------------------
    prem: gpd.GeoDataFrame | None = base.premises if base is not None else None
    if premises is not None:
        try:
            prem, fmt, pcrs = read_premises_file(premises)
            crs_of["premises"] = pcrs
            got.record("premises", Path(premises), fmt, pcrs, len(prem))
        except BthdError as exc:
            got.add(premises, exc)
    if prem is not None:
        layers["premises"] = _GIVEN_SYNTHETIC if _is_synthetic(prem) else "real"
    if all_communes is None:
        raise ValidationError(_SOURCE, got.problems or [Problem("no communes layer")])
    # ---- the area ------------------------------------------------------------------------
    ep = epci_layer if epci_layer is not None else empty
    dep = departements if departements is not None else empty
    scope = Region(communes=all_communes, epci=ep, departements=dep)
    rule = "all the communes given"
    if epci is not None or departement is not None:
        scope = scope.subset(epci=epci, departement=departement)
        rule = f"epci {epci}" if epci else f"département {departement}"
    elif from_embedded and prem is not None and len(prem):
        codes = _communes_of_points(all_communes, prem)
        codes |= set(prem["insee_code"]) & set(all_communes["insee_code"])
        scope = scope.subset(communes=sorted(codes))
        rule = "the communes the premises fall in"
    road_info: dict[str, Any] = {}
    nodes = edges = None
    if base is not None and base.road_edges is not None:
        nodes, edges = base.road_nodes, base.road_edges
        layers["roads"] = _GIVEN_SYNTHETIC if _is_synthetic(edges) else "real"
    if roads is not None:
        by_roads = rule == "all the communes given" and from_embedded
        area_geom = None if by_roads else scope.communes.geometry.union_all()
        try:
            nodes, edges, rfmt, rcrs, road_info = read_roads_file(roads, area=area_geom)
            crs_of["roads"] = rcrs
            got.record("roads", Path(roads), rfmt, rcrs, len(edges))
            layers["roads"] = "real"
        except BthdError as exc:
            got.add(roads, exc)
        if edges is not None and by_roads:
            codes = _communes_of_roads(all_communes, edges)
            if codes:
                scope = scope.subset(communes=sorted(codes))
                rule = "the communes the roads fall in"
                zone = scope.communes.geometry.union_all().buffer(ROAD_MARGIN_M)
                nodes, edges = _used_nodes(nodes, edges[edges.intersects(zone)])
            else:
                tb = ", ".join(f"{v:.0f}" for v in edges.total_bounds)
                got.problems.append(
                    Problem(
                        f"{roads}: the roads lie outside every commune (Lambert-93 box {tb}); "
                        "is this the extract of another region?",
                        fix="give the extract of the area's region, or your communes (--communes)",
                    )
                )
                nodes = edges = None
    area = scope.communes
    codes = set(area["insee_code"])
    if len(area) == 0 and not got.problems:
        what = premises or roads or data
        got.problems.append(
            Problem(
                f"{what}: lies outside every commune of {communes or 'the embedded Brittany data'}",
                fix="check the coordinates and CRS of the file, or give your communes (--communes)",
            )
        )
    if prem is not None and len(area):
        prem = _premises_in_area(prem, area, premises or data, got)
    # ---- copper --------------------------------------------------------------------------
    sites = base.sites if base is not None else None
    if from_embedded:
        sites = embedded.load_pops()
    copper_sites: gpd.GeoDataFrame | None = None
    if copper is not None:
        from bthd.network.copper import read_copper_sites

        try:
            raw = io.read(copper)
            crs_of["copper"] = raw.crs.to_string() if raw.crs is not None else None
            copper_sites = read_copper_sites(copper)
            near = copper_sites.within(area.geometry.union_all().buffer(COPPER_MARGIN_M))
            copper_sites = copper_sites[near].reset_index(drop=True)
            got.record("copper", Path(copper), "sites", crs_of["copper"], len(copper_sites))
            layers["copper sites"] = "real"
        except BthdError as exc:
            got.add(copper, exc)
    elif sites is not None and "site_type" in sites and sites["site_type"].isin(["NRA"]).any():
        layers["copper sites"] = _GIVEN_SYNTHETIC if _is_synthetic(sites) else "real"
    if got.problems:
        raise ValidationError(_SOURCE, got.problems)
    _log_crs(crs_of)
    # ---- what is missing is generated ---------------------------------------------------
    synthetic: list[str] = [k for k, v in layers.items() if v == _GIVEN_SYNTHETIC]
    meta: dict[str, Any] = {"seed": seed}
    need_copper = "copper sites" not in layers
    sy = None
    if (prem is None and edges is None) or need_copper:
        from bthd import synth, synth_roads

        sy = synth_roads.generate_for_area(all_communes, codes, seed=seed)
        meta["generator_version"] = synth.GENERATOR_VERSION
    if prem is None and edges is None:
        assert sy is not None
        prem, nodes, edges = sy.premises, sy.road_nodes, sy.road_edges
        layers["premises"] = layers["roads"] = "synthetic"
        synthetic += ["premises", "roads"]
    elif prem is None:
        from bthd import synth_roads

        assert edges is not None
        prem = synth_roads.premises_on_roads(area, edges, seed=seed)
        meta["synth_roads_version"] = synth_roads.GENERATOR_VERSION
        meta["communes_without_roads"] = prem.attrs.get("communes_without_roads", [])
        layers["premises"] = "synthetic"
        synthetic.append("premises")
    elif edges is None:
        from bthd import synth_roads

        nodes, edges = synth_roads.roads_to_premises(prem, seed=seed)
        meta["synth_roads_version"] = synth_roads.GENERATOR_VERSION
        layers["roads"] = "synthetic"
        synthetic.append("roads")
    if need_copper:
        assert sy is not None and nodes is not None
        copper_sites = sy.copper_sites
        if layers.get("roads") == "real" or layers.get("premises") == "real":
            from bthd import synth_roads

            copper_sites = synth_roads.sites_onto_roads(copper_sites, nodes)
        layers["copper sites"] = "synthetic"
        synthetic.append("copper sites")
    assert prem is not None and nodes is not None and edges is not None
    if copper_sites is not None:
        parts = [s for s in (sites, copper_sites) if s is not None and len(s)]
        sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WORK_CRS)
    # ---- roads that fall apart are flagged, not dropped ---------------------------------
    edges, components = _flag_components(nodes, edges)
    if "insee_code" not in edges.columns:  # the commune of each real road (at its middle)
        edges = edges.assign(insee_code=_commune_of_lines(area, edges))
    links = (
        base.links if base is not None else (embedded.load_backbone() if from_embedded else None)
    )
    meta.update(
        {
            "inputs": got.records,
            "layers": layers,
            "area": {"rule": rule, "communes": sorted(codes)},
            "crs": crs_of,
            "road_components": components,
            "zone_types": "all",
            **({"ferries_left_out": road_info["ferries"]} if road_info.get("ferries") else {}),
        }
    )
    if from_embedded:
        meta["credits"] = embedded.CREDITS
    fmts = {i["format"] for i in got.records}
    meta["input_credits"] = [c for f, c in _CREDITS.items() if f in fmts]
    name = (
        (f"epci-{epci}" if epci else f"dep-{departement}")
        if epci or departement
        else Path(premises or roads or data or communes or "region").name.split(".")[0]
    )
    region = Region(
        communes=area,
        epci=scope.epci,
        departements=scope.departements,
        premises=prem.reset_index(drop=True),
        road_nodes=nodes,
        road_edges=edges,
        sites=sites,
        links=links,
        name=name,
        synthetic=tuple(dict.fromkeys(synthetic)),
        meta=meta,
    )
    from bthd.stages.load import validated

    return validated(region)


# --------------------------------------------------------------------------- helpers


def _folder_sha256(path: Path) -> str:
    """SHA-256 of a folder's files (names and contents, in name order)."""
    import hashlib

    from bthd.io.runs import file_sha256

    h = hashlib.sha256()
    for f in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(f"{f.relative_to(path)}\0{file_sha256(f)}\n".encode())
    return h.hexdigest()


def _is_synthetic(gdf: gpd.GeoDataFrame) -> bool:
    return "synthetic" in gdf.columns and bool(gdf["synthetic"].fillna(False).astype(bool).any())


def _communes_of_points(communes: gpd.GeoDataFrame, pts: gpd.GeoDataFrame) -> set[str]:
    """INSEE codes of the communes holding at least one of the points."""
    _, ci = shapely.STRtree(communes.geometry.to_numpy()).query(
        pts.geometry.to_numpy(), predicate="within"
    )
    return set(communes["insee_code"].to_numpy()[np.unique(ci)])


def _communes_of_roads(communes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> set[str]:
    """Communes holding at least MIN_ROAD_KM of the roads (by edge midpoints), else the top one."""
    mid = shapely.line_interpolate_point(edges.geometry.to_numpy(), 0.5, normalized=True)
    ei, ci = shapely.STRtree(communes.geometry.to_numpy()).query(mid, predicate="within")
    km = pd.Series(edges["length"].to_numpy(float)[ei] / 1000).groupby(ci).sum()
    if km.empty:
        return set()
    keep = km[km >= MIN_ROAD_KM].index if (km >= MIN_ROAD_KM).any() else [km.idxmax()]
    return set(communes["insee_code"].to_numpy()[np.asarray(keep, np.int64)])


def _commune_of_lines(communes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> np.ndarray:
    """INSEE code of the commune holding each line's middle (None outside every commune)."""
    mid = shapely.line_interpolate_point(edges.geometry.to_numpy(), 0.5, normalized=True)
    ei, ci = shapely.STRtree(communes.geometry.to_numpy()).query(mid, predicate="within")
    out = np.full(len(edges), None, dtype=object)
    out[ei] = communes["insee_code"].to_numpy()[ci]
    return out


def _premises_in_area(
    prem: gpd.GeoDataFrame, area: gpd.GeoDataFrame, source: object, got: _Inputs
) -> gpd.GeoDataFrame:
    """Premises of the area: those of its communes by INSEE code or by position.

    A premise whose INSEE code is an area commune but which lies farther than
    :data:`OUTSIDE_TOLERANCE_M` from the area is a problem (listed); premises of other communes
    lying outside the area are left out (logged).
    """
    codes = set(area["insee_code"])
    zone = area.geometry.union_all()
    inside = prem.within(zone)
    claimed = prem["insee_code"].isin(codes)
    far = claimed & ~inside
    if far.any():
        far &= prem.distance(zone) > OUTSIDE_TOLERANCE_M
    if far.any():
        ids = prem.loc[far, "premise_id"].astype(str)
        got.problems.append(
            Problem(
                f"{source}: premises of the area's communes (by INSEE code) lying more than "
                f"{OUTSIDE_TOLERANCE_M:g} m outside them",
                tuple(f"premise_id={i}" for i in ids),
                "check their coordinates and CRS (x/y Lambert-93, lon/lat WGS 84), or their "
                "INSEE code",
            )
        )
    keep = claimed | inside
    if (~keep).any():
        log.info("%s: %d premises of other communes left out of the area", source, (~keep).sum())
    if (inside & ~claimed).any():
        log.warning(
            "%s: %d premises lie in the area but carry the INSEE code of another commune "
            "(kept; e.g. %s)",
            source,
            int((inside & ~claimed).sum()),
            ", ".join(prem.loc[inside & ~claimed, "premise_id"].astype(str).head(5)),
        )
    return prem[keep]


def _used_nodes(
    nodes: gpd.GeoDataFrame | None, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes used by the edges, renumbered 0..n-1 (edges' u/v follow)."""
    assert nodes is not None
    used = np.unique(np.r_[edges["u"].to_numpy(), edges["v"].to_numpy()])
    new = pd.Series(np.arange(len(used)), index=used)
    n = nodes.set_index("node_id").loc[used].reset_index()
    n["node_id"] = np.arange(len(used), dtype=np.int64)
    e = edges.assign(u=new.loc[edges["u"]].to_numpy(), v=new.loc[edges["v"]].to_numpy())
    return gpd.GeoDataFrame(n, crs=nodes.crs), e.reset_index(drop=True)


def _flag_components(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Label the road components (0 = the longest) and log the parts cut off from it."""
    from bthd.io.pbf import road_components

    index = pd.Series(np.arange(len(nodes)), index=nodes["node_id"].to_numpy())
    pos = edges.assign(u=index.loc[edges["u"]].to_numpy(), v=index.loc[edges["v"]].to_numpy())
    comp = road_components(pos, len(nodes))
    edges = edges.assign(component=comp)
    summary = (
        pd.DataFrame({"component": comp, "length": edges["length"].to_numpy(float)})
        .groupby("component")
        .agg(edges=("length", "size"), km=("length", "sum"))
        .reset_index()
    )
    summary["km"] = (summary["km"] / 1000).round(3)
    parts = summary.to_dict("records")
    if len(parts) > 1:
        log.warning(
            "the roads fall into %d parts not connected to each other: the main one (%.1f km) "
            "and %d others (%.1f km, %d edges; column `component` > 0). Premises on them can "
            "only be served by a network of their own; join them (a missing road, an island's "
            "ferry) or accept it.",
            len(parts),
            parts[0]["km"],
            len(parts) - 1,
            float(summary["km"].iloc[1:].sum()),
            int(summary["edges"].iloc[1:].sum()),
        )
    return edges, [
        {str(k): (int(v) if k != "km" else float(v)) for k, v in p.items()} for p in parts
    ]


def _log_crs(crs_of: dict[str, str | None]) -> None:
    other = {k: v for k, v in crs_of.items() if v and v not in ("EPSG:2154",)}
    if other:
        log.warning(
            "inputs in other CRSs than Lambert-93: %s; reprojected to EPSG:2154 (Lambert-93)",
            ", ".join(f"{k} {v}" for k, v in crs_of.items() if v),
        )
