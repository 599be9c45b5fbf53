"""A region assembled from a user's own files, generated only where nothing was given.

:func:`region_from_inputs` is what every command that takes an area calls with the user's
files: ``data`` (a GeoPackage or folder of layers, as :meth:`bthd.region.Region.from_file`
reads), ``premises`` (a BAN address file, an IPE file or any premises layer: sniffed),
``roads`` (an OpenStreetMap extract ``.osm.pbf``/``.osm``, or a roads layer of lines),
``copper`` (NRA/SR sites, as ``bthd med --copper`` reads them) and ``communes`` (a communes
layer; the embedded Brittany communes, EPCI and départements otherwise).

Rules:

* the area is ``epci``/``departement`` within the communes when given; else the communes the
  premises fall in (or, without premises, those holding at least :data:`MIN_ROAD_KM` of the
  roads); else every commune of ``communes``/``data``. The RIP filter of the embedded sample
  does not apply: the area is what the files cover, whatever the communes' zone types;
* what is given is never replaced; what is not is generated, deterministically from ``seed``,
  and named in ``Region.synthetic``: premises on the real roads (:mod:`bthd.synth_roads`) or,
  without roads, premises and roads together (:mod:`bthd.synth`); roads joining real premises
  when only premises were given; the copper plant when no NRA/SR was given;
* ``Region.meta["inputs"]`` lists every file read (role, path, SHA-256, format, CRS, rows) and
  ``Region.meta["layers"]`` says of each layer whether it is ``real``, ``embedded``,
  ``synthetic`` (generated now) or ``given, synthetic`` (a file's layer whose ``synthetic``
  column is true, e.g. a region bthd wrote), for the manifest;
* every problem of every file is reported at once (:class:`bthd.ValidationError`): unreadable
  files, schema problems, BAN rows without coordinates, premises lying outside the communes
  they claim, an extract covering none of the area. Files in other CRSs are reprojected to
  Lambert-93 and the reprojection is logged; roads that fall apart into several parts are kept,
  labelled (``component`` column, 0 = the main part) and logged, never dropped.

Not for: designing (:mod:`bthd.network`) or checking files without building a region
(:func:`bthd.cli.region` reports on them with the same readers).
"""

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

from bthd._errors import BthdError, InputError, Problem, ValidationError
from bthd.region import Region
from bthd.settings import DEFAULT_SEED, WORK_CRS

log = logging.getLogger(__name__)

#: Distance (m) beyond which a premise lies outside the commune it claims (simplified polygons).
OUTSIDE_TOLERANCE_M = 200.0
#: Margin (m) of roads kept around the area.
ROAD_MARGIN_M = 500.0
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


# --------------------------------------------------------------------------- readers


def read_premises_file(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read premises from a BAN CSV, an IPE file or a premises layer (the kind is sniffed).

    Returns
    -------
    tuple
        The premises (:data:`bthd.schema.PREMISES`, Lambert-93), the format found (``BAN``,
        ``IPE`` or ``layer``) and the CRS of the file's coordinates.
    """
    from bthd import io
    from bthd.io.ban import read_ban
    from bthd.io.ipe import read_ipe

    p = Path(path)
    fmt = premises_format(p)
    if fmt == "IPE":
        gdf = read_ipe(p)
        proj = sorted(gdf["TypeProjectionGeographique"].dropna().unique().astype(str))
        return gdf, fmt, ", ".join(proj) or None
    if fmt == "BAN":
        cols = set(_csv_header(p))
        return read_ban(p), fmt, "EPSG:2154" if {"x", "y"} <= cols else "EPSG:4326"
    raw = io.read(p)
    crs = raw.crs.to_string() if raw.crs is not None else None
    from bthd.schema import validate

    return validate(raw, "premises", source=str(p)), fmt, crs


def premises_format(path: Path) -> str:
    """``BAN``, ``IPE`` or ``layer``: what a premises file looks like, from its columns."""
    from bthd.io import CSV_SUFFIXES

    suffixes = [s.lower() for s in path.suffixes]
    if not any(s in CSV_SUFFIXES for s in suffixes[-2:]):
        return "layer"
    cols = {c.strip().lower() for c in _csv_header(path)}
    if "identifiantimmeuble" in cols:
        return "IPE"
    if {"id", "code_insee"} <= cols and ({"x", "y"} <= cols or {"lon", "lat"} <= cols):
        return "BAN"
    return "layer"


def read_roads_file(
    path: str | os.PathLike[str], *, area: Any = None, margin_m: float = ROAD_MARGIN_M
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str, str | None, dict[str, Any]]:
    """Read roads from an OSM extract or a roads layer into node and edge layers.

    Parameters
    ----------
    path
        ``.osm.pbf``/``.osm`` (read with :func:`bthd.io.pbf.read_osm_roads`), or a layer of
        lines in any format :func:`bthd.io.read` reads (noded at its intersections).
    area
        Keep the roads within ``margin_m`` of this Lambert-93 geometry; None keeps all.

    Returns
    -------
    tuple
        Nodes, edges, the format (``OSM`` or ``layer``), the CRS of the file and facts about
        it (``ferries``, ``bbox``...).
    """
    from bthd import io
    from bthd.io.pbf import is_osm_file, read_osm_roads
    from bthd.region import road_layers
    from bthd.schema import validate

    p = Path(path)
    if is_osm_file(p):
        r = read_osm_roads(p, area=area, margin_m=margin_m)
        return r.nodes, r.edges, "OSM", "EPSG:4326", {"ferries": r.ferries, "bbox": r.bbox}
    raw = io.read(p)
    crs = raw.crs.to_string() if raw.crs is not None else None
    roads = validate(raw, "roads", source=str(p))
    if area is not None:
        roads = roads[roads.intersects(shapely.buffer(area, margin_m))]
        if len(roads) == 0:
            tb = raw.to_crs(WORK_CRS).total_bounds if raw.crs is not None else raw.total_bounds
            raise InputError(
                f"{p}: none of its roads is in the area (roads in Lambert-93 "
                f"{', '.join(f'{v:.0f}' for v in tb)}; the area in "
                f"{', '.join(f'{v:.0f}' for v in shapely.bounds(area))}). Check the file or "
                "choose the area with --epci/--departement."
            )
    roads = roads.drop(columns=[c for c in ("u", "v", "key") if c in roads.columns])
    nodes, edges = road_layers(roads.reset_index(drop=True), None, source=str(p))
    assert nodes is not None and edges is not None
    return nodes, edges, "layer", crs, {}


# --------------------------------------------------------------------------- the region


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


def _csv_header(path: Path) -> list[str]:
    from bthd.io import read_csv_fr

    return [str(c).strip() for c in read_csv_fr(path, nrows=0).columns]


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


# --------------------------------------------------------------------------- checking files


@dataclass
class InputsCheck:
    """What :func:`check_inputs` found in a set of files.

    Attributes
    ----------
    files
        One row per file: ``path``, ``role`` (data, premises, roads, copper, communes),
        ``format``, ``crs``, ``rows``, ``inside`` (share of its features in the area).
    layers
        One row per layer of a design: ``layer``, ``status`` (``real``, ``embedded`` or
        ``missing: generated``), ``count`` and ``detail``.
    problems
        What stops a design (unreadable files, schema problems...): every one.
    warnings
        What a design runs with but should be looked at: premises farther than
        :data:`FAR_FROM_ROAD_M` from any road, duplicated addresses, INSEE codes that do not
        match the commune a premise lies in, roads in several parts, CRSs reprojected.
    region
        The region a design would run on, or None when there are problems.
    """

    files: pd.DataFrame
    layers: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    region: Region | None

    @property
    def ok(self) -> bool:
        """Whether a design can run on these files."""
        return not self.problems and self.region is not None


#: Distance (m) from every road beyond which a premise cannot be connected (the design's drop).
FAR_FROM_ROAD_M = 500.0


def classify_input(path: str | os.PathLike[str]) -> str:
    """The role of a file in a region: ``data``, ``premises``, ``roads``, ``copper`` or
    ``communes`` (from its suffix, its layers, its columns and its geometry)."""
    from bthd import io
    from bthd.io.pbf import is_osm_file
    from bthd.region import REGION_LAYERS

    p = Path(path)
    if not p.exists():
        from bthd._errors import InputNotFoundError

        raise InputNotFoundError(p)
    if is_osm_file(p):
        return "roads"
    if p.is_dir():
        return "data"
    if p.suffix.lower() == ".gpkg" and "communes" in io.list_layers(p):
        layers = set(io.list_layers(p))
        if len(layers & set(REGION_LAYERS)) > 1 or layers == {"communes"}:
            return "data" if len(layers & set(REGION_LAYERS)) > 1 else "communes"
    if premises_format(p) in ("BAN", "IPE"):
        return "premises"
    gdf = io.read(p)
    cols = {str(c).lower() for c in gdf.columns}
    kinds = set(gdf.geom_type.dropna().unique())
    if kinds and kinds <= {"LineString", "MultiLineString"}:
        return "roads"
    if kinds and kinds <= {"Polygon", "MultiPolygon"}:
        return "communes"
    if "site_type" in cols:
        return "copper"
    return "premises"


def check_inputs(
    paths: list[str | os.PathLike[str]],
    *,
    epci: str | None = None,
    departement: str | None = None,
    seed: int = DEFAULT_SEED,
) -> InputsCheck:
    """Report on what a set of files gives for a design, every problem at once.

    Each file's role is found (:func:`classify_input`), the region is assembled as
    :func:`region_from_inputs` would, and the real layers are checked against each other.
    """
    got = _Inputs()
    roles: dict[str, Path] = {}
    for path in paths:
        try:
            role = classify_input(path)
        except BthdError as exc:
            got.add(path, exc)
            continue
        if role in roles:
            got.problems.append(
                Problem(
                    f"{path}: a second {role} file (after {roles[role]})",
                    fix=f"give one {role} file (merge them first)",
                )
            )
            continue
        roles[role] = Path(path)
    region = None
    warn: list[Problem] = []
    if not got.problems:
        import warnings as _w

        with _w.catch_warnings(record=True) as caught, _LogCapture() as logged:
            _w.simplefilter("always")
            try:
                region = region_from_inputs(
                    **roles,
                    epci=epci,
                    departement=departement,
                    seed=seed,
                )
            except BthdError as exc:
                got.add("", exc)
        warn += [Problem(str(w.message)) for w in caught]
        warn += [Problem(m) for m in logged.messages]
    if region is not None:
        warn += _cross_checks(region)
    files = pd.DataFrame(
        [
            {
                "path": str(p),
                "role": r,
                **_file_facts(region, r),
            }
            for r, p in roles.items()
        ],
        columns=["path", "role", "format", "crs", "rows", "inside"],
    )
    return InputsCheck(files, _layer_table(region), got.problems, warn, region)


class _LogCapture(logging.Handler):
    """Warnings logged by bthd while a region is assembled, kept as messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _LogCapture:
        # the messages go into the report instead of the terminal (restored on exit)
        logger = logging.getLogger("bthd")
        self._saved = logger.handlers[:]
        logger.handlers[:] = [self]
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("bthd").handlers[:] = self._saved


def _file_facts(region: Region | None, role: str) -> dict[str, Any]:
    if region is None:
        return {}
    rec: dict[str, Any] = next((i for i in region.meta["inputs"] if i["role"] == role), {})
    inside = None
    layer = {"premises": region.premises, "roads": region.road_edges, "copper": region.sites}
    g = layer.get(role)
    if g is not None and len(g) and region.meta["layers"].get(_LAYER_OF.get(role, "")) == "real":
        inside = round(float(g.intersects(region.communes.geometry.union_all()).mean()), 4)
    return {k: rec.get(k) for k in ("format", "crs", "rows")} | {"inside": inside}


_LAYER_OF = {"premises": "premises", "roads": "roads", "copper": "copper sites"}


def _layer_table(region: Region | None) -> pd.DataFrame:
    cols = ["layer", "status", "count", "detail"]
    if region is None:
        return pd.DataFrame(columns=cols)
    st = region.meta["layers"]
    prem, edges = region.premises, region.road_edges
    sites = region.sites if region.sites is not None else gpd.GeoDataFrame()
    copper = sites[sites["site_type"].isin(["NRA", "SR"])] if len(sites) else sites
    locaux = int((prem["logements"] + prem["locaux_pro"]).sum()) if prem is not None else 0
    km = float(edges["length"].sum()) / 1000 if edges is not None else 0.0
    parts = len(region.meta.get("road_components", []))
    rows = [
        ("communes", st.get("communes"), len(region.communes), region.meta["area"]["rule"]),
        ("premises", st.get("premises"), len(prem) if prem is not None else 0, f"{locaux} locaux"),
        (
            "roads",
            st.get("roads"),
            len(edges) if edges is not None else 0,
            f"{km:.1f} km, {parts} part{'s' if parts > 1 else ''}",
        ),
        ("copper sites", st.get("copper sites"), len(copper), "NRA and SR"),
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["status"] = out["status"].map(
        lambda v: "missing: generated (synthetic)" if v == "synthetic" else v
    )
    return out


def _cross_checks(region: Region) -> list[Problem]:
    """Premises far from the roads, duplicated addresses, INSEE codes against positions."""
    out: list[Problem] = []
    prem, edges = region.premises, region.road_edges
    st = region.meta["layers"]
    if prem is None or edges is None or st.get("premises") != "real":
        return out
    ids = prem["premise_id"].astype(str).to_numpy()
    tree = shapely.STRtree(edges.geometry.to_numpy())
    pts = prem.geometry.to_numpy()
    near = np.zeros(len(pts), bool)
    near[tree.query(pts, predicate="dwithin", distance=FAR_FROM_ROAD_M)[0]] = True
    if (~near).any():
        out.append(
            Problem(
                f"premises farther than {FAR_FROM_ROAD_M:g} m from any road (not connectable)",
                tuple(f"premise_id={i}" for i in ids[~near]),
                "check their coordinates, or give roads that reach them",
            )
        )
    key = [c for c in ("numero", "rep", "nom_voie", "insee_code") if c in prem.columns]
    same_pos = prem.geometry.to_wkb().duplicated(keep=False).to_numpy()
    same_addr = (
        prem[key].astype(str).duplicated(keep=False).to_numpy()
        if "nom_voie" in key
        else np.zeros(len(prem), bool)
    )
    dup = same_pos | same_addr
    if dup.any():
        out.append(
            Problem(
                "duplicated addresses (same position or same number and street)",
                tuple(f"premise_id={i}" for i in ids[dup]),
                "remove the repeats, or check that the file was not concatenated twice",
            )
        )
    com = region.communes
    pi, ci = shapely.STRtree(com.geometry.to_numpy()).query(pts, predicate="within")
    located = pd.Series(com["insee_code"].to_numpy()[ci], index=pi)
    located = located[~located.index.duplicated()]
    code = prem["insee_code"].astype(str).to_numpy()
    unknown = ~np.isin(code, com["insee_code"].to_numpy())
    wrong = np.zeros(len(prem), bool)
    wrong[located.index] = located.to_numpy() != code[located.index]
    if (unknown | wrong).any():
        out.append(
            Problem(
                "INSEE codes that do not match the commune the premise lies in "
                "(an old commune code, a merged commune, or a wrong position)",
                tuple(
                    f"premise_id={i} ({c})"
                    for i, c in zip(ids[unknown | wrong], code[unknown | wrong], strict=True)
                ),
                "use the current (COG) codes, or check the positions",
            )
        )
    return out


__all__ = [
    "FAR_FROM_ROAD_M",
    "InputsCheck",
    "check_inputs",
    "classify_input",
    "premises_format",
    "read_premises_file",
    "read_roads_file",
    "region_from_inputs",
]
