"""Reading each kind of user file: premises (BAN, IPE or a layer, sniffed) and roads (an OSM
extract or a layer of lines), for :func:`bthd.inputs.region_from_inputs`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from bthd._errors import InputError
from bthd.settings import WORK_CRS

#: Margin (m) of roads kept around the area.
ROAD_MARGIN_M = 500.0


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


def _csv_header(path: Path) -> list[str]:
    from bthd.io import read_csv_fr

    return [str(c).strip() for c in read_csv_fr(path, nrows=0).columns]
