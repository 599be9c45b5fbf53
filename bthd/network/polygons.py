"""Zone polygons (ZNRO, ZPM, ZPBO...) that partition the premises they serve.

:func:`zone_polygons` turns per-premise zone labels (such as the ``nro_id``, ``pm_id`` and
``pbo_id`` of :func:`bthd.network.zoning.zone_premises`) into one polygon per zone, such that

* every labelled premise lies in (is covered by) the polygon of its own zone of each kind;
* the zones of one kind do not overlap (they share edges only);
* a zone nested in another (a ZPBO in its ZPM) lies within it.

How: one Voronoi diagram of the premises' distinct positions (GEOS, in input order); the cells
are dissolved per zone with a coverage union, which is exact because neighbouring cells share
their vertices. Kinds are dissolved from the finest up: a kind whose zones are unions of the
zones of a finer kind (checked on the labels, not assumed) is dissolved from those zones rather
than from the cells, which is much faster. Zones are finally clipped to ``land`` (the communes,
so zones do not run into the sea) or, without ``land``, to the premises' bounding box plus a
margin. Only the zones that ``land`` does not cover are clipped; a premise outside ``land``
keeps a disc of its cell around it, so the partition property holds for every premise.

Everything is vectorised over points, cells and zones; Python loops run only over kinds, over
the few size classes of the groups being dissolved, over the levels of the quadtree that cuts
``land`` into pieces, and over the positions whose cell is split (``shared="split"``).

Not for: deciding which premise goes to which zone (see :mod:`bthd.network.zoning`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from bthd._errors import BthdError, CRSError, ParameterError, Problem, ValidationError
from bthd.schema import ZONE_KINDS
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

__all__ = ["zone_polygons"]

#: Output columns, in order (the geometry comes last).
COLUMNS = ("zone_id", "zone_kind", "parent_id", "n_points", "area_km2")

#: Size of the pieces ``land`` is cut into for clipping (vertices).
_PIECE_VERTICES = 2000
_POLYGON = 3  # shapely type ids
_MULTIPOLYGON = 6

Reducer = Callable[..., NDArray[np.object_]]


def zone_polygons(
    points: ArrayLike,
    labels: Mapping[str, ArrayLike | Sequence[object]],
    *,
    parents: Mapping[str, Mapping[str, str]] | None = None,
    land: shapely.Geometry | None = None,
    margin_m: float = 500.0,
    offshore_m: float = 25.0,
    shared: Literal["raise", "split"] = "raise",
) -> gpd.GeoDataFrame:
    """Polygons of nested zones that partition labelled points (premises).

    Parameters
    ----------
    points
        Shapely Points in Lambert-93 (EPSG:2154), e.g. the premises' geometries. Only labelled
        points are used (and checked); the others are ignored.
    labels
        Zone kind (one of :data:`bthd.schema.ZONE_KINDS`: ``"ZNRO"``, ``"ZPM"``, ``"ZPBO"``,
        ``"ZDEP"``) → zone id of every point (str; None or NaN for a point outside every zone
        of that kind), aligned with ``points``. Zone ids must be unique across kinds.
    parents
        Zone kind → {zone id: parent zone id}, copied to ``parent_id`` (None where missing).
    land
        Polygonal area the zones are clipped to (the union of the communes), in Lambert-93.
        None: clip to the points' bounding box enlarged by ``margin_m``.
    margin_m
        Margin (m) around the points' bounding box the zones are clipped to when ``land`` is
        None.
    offshore_m
        With ``land``: radius (m) of the disc of its cell kept around a labelled point that
        lies outside ``land`` or on its border (a premise geocoded just off the coast), so
        that it stays covered by its zones.
    shared
        Points at one position share one Voronoi cell. When they are in different zones of a
        kind: ``"raise"`` a :class:`bthd.ValidationError` listing them; ``"split"`` the cell
        into wedges around the position, one per combination of zones found there (each
        such point then lies on the border of its zone's polygon, which still covers it).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone, by kind in the order of ``labels`` then by zone id: ``zone_id``,
        ``zone_kind``, ``parent_id``, ``n_points`` (labelled points in the zone, duplicates
        included), ``area_km2`` and a Polygon/MultiPolygon geometry, in EPSG:2154; it conforms
        to :data:`bthd.schema.ZONES`. The zones of one kind do not overlap, every labelled
        point is covered by the polygon of its zone of each kind, and a zone whose points are
        all in one zone of a coarser kind lies within it (up to rounding at the coast).

    Raises
    ------
    bthd.CRSError
        ``points`` has a CRS (a GeoSeries) other than EPSG:2154.
    bthd.ParameterError
        Unknown zone kinds, labels not aligned with ``points``, ids shared by two kinds, a
        ``land`` that is not a valid polygonal geometry.
    bthd.ValidationError
        Labelled points that are not valid Points; with ``shared="raise"``, points at the same
        position in different zones of one kind (every such position is listed, with its
        zones and points); with ``shared="split"``, a position in more zones than its cell
        has vertices (at least 3).

    Notes
    -----
    Points at one position may differ in whether they are labelled: the cell goes to the zone
    of the labelled ones. A kind is dissolved from the zones of a finer kind when every zone of
    the finer kind lies in one zone of it (checked), else from the cells.

    Examples
    --------
    >>> import shapely
    >>> pts = shapely.points([(0, 0), (10, 0), (20, 0), (30, 0)])
    >>> z = zone_polygons(pts, {"ZPM": ["PM-1", "PM-1", "PM-2", "PM-2"],
    ...                         "ZPBO": ["PBO-1", "PBO-2", "PBO-3", None]},
    ...                   parents={"ZPBO": {"PBO-1": "PM-1", "PBO-2": "PM-1", "PBO-3": "PM-2"}})
    >>> z.zone_id.tolist()
    ['PM-1', 'PM-2', 'PBO-1', 'PBO-2', 'PBO-3']
    >>> z.parent_id.tolist(), z.n_points.tolist()
    ([None, None, 'PM-1', 'PM-1', 'PM-2'], [2, 2, 1, 1, 1])
    """
    t0 = time.perf_counter()
    kinds = list(labels)
    _check_kinds(kinds, parents)
    if shared not in ("raise", "split"):
        raise ParameterError(f"shared: unknown option {shared!r}. Use 'raise' or 'split'.")
    crs = getattr(points, "crs", None)
    if crs is not None and not pyproj.CRS(crs).equals(pyproj.CRS(WORK_CRS)):
        raise CRSError(
            f"points: CRS is {crs}, expected {WORK_CRS}. Reproject them with .to_crs({WORK_CRS!r})."
        )
    pts = np.asarray(points, dtype=object)
    if pts.ndim != 1:
        raise ParameterError(f"points: expected a 1-D array of Points, got shape {pts.shape}")
    n = len(pts)
    codes: dict[str, NDArray[np.int64]] = {}
    ids: dict[str, NDArray[np.object_]] = {}
    for k in kinds:
        codes[k], ids[k] = _factorize(labels[k], n, k)
    _check_unique_ids(ids)
    n_zones = {k: len(ids[k]) for k in kinds}
    labelled = np.zeros(n, bool)
    for k in kinds:
        labelled |= codes[k] >= 0
    idx = np.flatnonzero(labelled)
    xy = _coordinates(pts, idx)
    site_xy, site_of = _unique_positions(xy)
    point_codes = {k: codes[k][idx] for k in kinds}
    site_codes, conflicts = _site_codes(point_codes, site_of, len(site_xy))
    if shared == "raise" and any(c.any() for c in conflicts.values()):
        raise ValidationError(
            "labels",
            [
                _conflicts(k, c, idx, site_of, site_xy, point_codes[k], ids[k])
                for k, c in conflicts.items()
                if c.any()
            ],
        )
    if len(site_xy) == 0:
        return _frame(kinds, ids, codes, {k: np.empty(0, object) for k in kinds}, parents)
    if land is not None:
        land = _check_land(land)

    lo = site_xy.min(axis=0) - margin_m
    hi = site_xy.max(axis=0) + margin_m
    bbox = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    extent = bbox
    if land is not None:
        lb = shapely.bounds(land)
        extent = (
            min(bbox[0], lb[0]),
            min(bbox[1], lb[1]),
            max(bbox[2], lb[2]),
            max(bbox[3], lb[3]),
        )
    cells = _voronoi_cells(site_xy, extent)
    unit_xy = site_xy
    if any(c.any() for c in conflicts.values()):
        order = sorted(kinds, key=lambda k: n_zones[k])  # coarse first: wedges of a zone meet
        cells, site_codes, unit_xy = _split_shared(
            cells, site_xy, site_codes, conflicts, point_codes, site_of, order
        )
    t1 = time.perf_counter()
    zones = _dissolve_kinds(cells, site_codes, n_zones)
    t2 = time.perf_counter()
    if land is None:
        clipped = {k: _clip_to_box(zones[k], bbox) for k in kinds}
    else:
        clipped = _clip_to_land(zones, land, unit_xy, site_codes, offshore_m)
    t3 = time.perf_counter()
    log.info(
        "zone polygons: %d points, %d positions, %s; voronoi %.1f s, dissolve %.1f s, clip %.1f s",
        len(idx),
        len(site_xy),
        ", ".join(f"{n_zones[k]} {k}" for k in kinds),
        t1 - t0,
        t2 - t1,
        t3 - t2,
    )
    return _frame(kinds, ids, codes, clipped, parents)


# ------------------------------------------------------------------------------------- inputs
def _check_kinds(kinds: list[str], parents: Mapping[str, Mapping[str, str]] | None) -> None:
    unknown = [k for k in kinds if k not in ZONE_KINDS]
    if unknown:
        raise ParameterError(
            f"labels: unknown zone kinds {', '.join(map(repr, unknown))}. "
            f"Use keys among {', '.join(ZONE_KINDS)}."
        )
    extra = [k for k in (parents or {}) if k not in kinds]
    if extra:
        raise ParameterError(
            f"parents: zone kinds {', '.join(map(repr, extra))} have no labels. "
            f"Use keys among those of labels ({', '.join(kinds) or 'none'})."
        )


def _factorize(
    values: ArrayLike | Sequence[object], n: int, kind: str
) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Codes of the zone of every point (-1 for none) and the sorted zone ids (str)."""
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise ParameterError(
            f"labels[{kind!r}]: {arr.shape[0] if arr.ndim else 0} values for {n} points. "
            "Give one zone id (or None) per point, aligned with points."
        )
    s = pd.Series(arr, dtype=object)
    missing = s.isna().to_numpy()
    if pd.api.types.infer_dtype(s[~missing], skipna=False) not in ("string", "empty"):
        s = s.where(missing, s.map(str))
    codes, uniques = pd.factorize(s.where(~missing, None).to_numpy(), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _check_unique_ids(ids: dict[str, NDArray[np.object_]]) -> None:
    kinds = list(ids)
    allid = pd.Series(np.concatenate([ids[k] for k in kinds]) if kinds else [], dtype=object)
    dup = allid[allid.duplicated()]
    if len(dup):
        raise ParameterError(
            f"labels: zone ids used by more than one kind: {', '.join(map(str, dup[:10]))}. "
            "Make zone ids unique across kinds (e.g. prefix them with the kind)."
        )


def _coordinates(pts: NDArray[np.object_], idx: NDArray[np.intp]) -> NDArray[np.float64]:
    """x, y of the labelled points, checking they are valid Points."""
    sel = pts[idx]
    bad = (shapely.get_type_id(sel) != 0) | shapely.is_empty(sel)
    if not bad.any():
        xy = shapely.get_coordinates(sel)
        bad = ~np.isfinite(xy).all(axis=1)
        if not bad.any():
            return xy
    raise ValidationError(
        "points",
        [
            Problem(
                "labelled points that are not valid Points (missing, empty, not a Point or "
                "non-finite coordinates)",
                tuple(str(i) for i in idx[bad]),
                "give every labelled point a Point geometry, or set its labels to None",
            )
        ],
    )


def _unique_positions(xy: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Distinct positions (sorted by x then y) and the position of every point."""
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    s = xy[order]
    new = np.ones(len(s), bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    site_of = np.empty(len(xy), np.int64)
    site_of[order] = np.cumsum(new) - 1
    return s[new], site_of


def _site_codes(
    point_codes: dict[str, NDArray[np.int64]], site_of: NDArray[np.int64], n_sites: int
) -> tuple[dict[str, NDArray[np.int64]], dict[str, NDArray[np.bool_]]]:
    """Zone code of every position per kind (-1: none), and the positions in several zones."""
    codes: dict[str, NDArray[np.int64]] = {}
    conflicts: dict[str, NDArray[np.bool_]] = {}
    for k, ck in point_codes.items():
        m = ck >= 0
        hi = np.full(n_sites, -1, np.int64)
        np.maximum.at(hi, site_of[m], ck[m])
        lo = np.full(n_sites, np.iinfo(np.int64).max, np.int64)
        np.minimum.at(lo, site_of[m], ck[m])
        codes[k] = hi
        conflicts[k] = (hi >= 0) & (lo != hi)
    return codes, conflicts


def _conflicts(
    kind: str,
    conflict: NDArray[np.bool_],
    idx: NDArray[np.intp],
    site_of: NDArray[np.int64],
    site_xy: NDArray[np.float64],
    ck: NDArray[np.int64],
    ids: NDArray[np.object_],
    max_points: int = 5,
) -> Problem:
    """One problem listing, for each position in several zones, its zones and their points."""
    m = conflict[site_of] & (ck >= 0)
    df = pd.DataFrame({"site": site_of[m], "point": idx[m], "zone": ids[ck[m]]})
    rows = []
    for _, g in df.groupby("site", sort=True):
        x, y = site_xy[g["site"].iloc[0]]
        zones = []
        for zone, gz in g.groupby("zone", sort=True):
            pts = list(map(str, gz["point"][:max_points]))
            more = ", …" if len(gz) > max_points else ""
            zones.append(f"{zone} (point{'s' if len(gz) > 1 else ''} {', '.join(pts)}{more})")
        rows.append(f"at ({x:.2f}, {y:.2f}): {'; '.join(zones)}")
    return Problem(
        f"points at the same position are in different {kind} zones",
        tuple(rows),
        "give points at one position the same zone, move them apart, or pass shared='split'",
    )


def _check_land(land: Any) -> shapely.Geometry:
    if (
        not isinstance(land, shapely.Geometry)
        or shapely.get_type_id(land) not in (_POLYGON, _MULTIPOLYGON)
        or shapely.is_empty(land)
    ):
        raise ParameterError(
            f"land: expected a Polygon or MultiPolygon, got {type(land).__name__}"
            f"{' ' + land.geom_type if isinstance(land, shapely.Geometry) else ''}. "
            "Pass the union of the communes, e.g. shapely.coverage_union_all(communes.geometry)."
        )
    if not shapely.is_valid(land):
        raise ParameterError(
            f"land: invalid geometry ({shapely.is_valid_reason(land)}). "
            "Repair it with shapely.make_valid, or build it with shapely.union_all."
        )
    return land


# ---------------------------------------------------------------------------------- geometry
def _voronoi_cells(xy: NDArray[np.float64], extent: tuple[float, ...]) -> NDArray[np.object_]:
    """Voronoi cell of every position, in order, covering at least ``extent``."""
    box = shapely.box(*extent)
    if len(xy) == 1:
        return np.array([box], dtype=object)
    diagram = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=box, ordered=True)
    cells = shapely.get_parts(diagram)
    if len(cells) != len(xy):
        raise BthdError(
            f"points: the Voronoi diagram has {len(cells)} cells for {len(xy)} distinct "
            "positions (positions too close for floating point). Round the coordinates "
            "(e.g. to the millimetre) and try again."
        )
    return cells


def _split_shared(
    cells: NDArray[np.object_],
    site_xy: NDArray[np.float64],
    site_codes: dict[str, NDArray[np.int64]],
    conflicts: dict[str, NDArray[np.bool_]],
    point_codes: dict[str, NDArray[np.int64]],
    site_of: NDArray[np.int64],
    kinds: list[str],
) -> tuple[NDArray[np.object_], dict[str, NDArray[np.int64]], NDArray[np.float64]]:
    """Split the cells of positions in several zones into wedges, one per combination of zones.

    A wedge is a fan from the position to a run of consecutive vertices of its (convex) cell,
    so the cell's boundary keeps its vertices and the cells still form an exact coverage; the
    position is a vertex of every wedge, hence covered by each. Loops over the split
    positions only.

    Returns
    -------
    geoms, codes, xy
        The cells and wedges, their zone code per kind, and the position each stands for.
    """
    shared = np.zeros(len(site_xy), bool)
    for c in conflicts.values():
        shared |= c
    m = shared[site_of]
    ps = site_of[m]
    combos = (
        pd.DataFrame(
            {"site": ps}
            | {k: np.where(conflicts[k][ps], point_codes[k][m], site_codes[k][ps]) for k in kinds}
        )
        .drop_duplicates()
        .sort_values(["site", *kinds], kind="stable")
    )
    combo_site = combos["site"].to_numpy()
    sites, first, count = np.unique(combo_site, return_index=True, return_counts=True)
    wedges = np.empty(len(combos), dtype=object)
    too_many = []
    for s, f, k in zip(sites, first, count, strict=True):
        ring = shapely.get_coordinates(shapely.get_exterior_ring(cells[s]))[:-1]
        nv = len(ring)
        if k > nv:
            too_many.append(f"at ({site_xy[s][0]:.2f}, {site_xy[s][1]:.2f}): {k} zones")
            continue
        cuts = (np.arange(k + 1) * nv) // k
        for i in range(k):
            run = ring[np.arange(cuts[i], cuts[i + 1] + 1) % nv]
            wedges[f + i] = shapely.Polygon(np.vstack([site_xy[s], run]))
    if too_many:
        raise ValidationError(
            "labels",
            [
                Problem(
                    "positions in more zones than their Voronoi cell has vertices",
                    tuple(too_many),
                    "give points at one position fewer distinct zones, or move them apart",
                )
            ],
        )
    keep = ~shared
    geoms = np.concatenate([cells[keep], wedges])
    codes = {k: np.concatenate([site_codes[k][keep], combos[k].to_numpy(np.int64)]) for k in kinds}
    xy = np.concatenate([site_xy[keep], site_xy[combo_site]])
    log.info("zone polygons: %d shared positions split into %d wedges", len(sites), len(combos))
    return geoms, codes, xy


def _group_reduce(
    geoms: NDArray[np.object_], group: NDArray[np.int64], n_groups: int, reducer: Reducer
) -> NDArray[np.object_]:
    """Reduce geometries per group (``reducer`` is shapely.coverage_union_all or union_all).

    Groups are padded with None into 2-D arrays by size class (powers of two), so that the
    reducer runs vectorised along ``axis=1``; padding at most doubles the array.
    """
    out = np.empty(n_groups, dtype=object)
    if len(geoms) == 0:
        return out
    order = np.argsort(group, kind="stable")
    g = group[order]
    sorted_geoms = geoms[order]
    counts = np.bincount(g, minlength=n_groups)
    start = np.zeros(n_groups, np.int64)
    start[1:] = np.cumsum(counts)[:-1]
    rank = np.arange(len(g)) - start[g]
    size_class = np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    size_class[counts == 0] = -1
    row = np.empty(n_groups, np.int64)
    for c in np.unique(size_class[size_class >= 0]):
        members = np.flatnonzero(size_class == c)
        if c == 0:
            out[members] = sorted_geoms[start[members]]
            continue
        row[members] = np.arange(len(members))
        sel = size_class[g] == c
        table = np.full((len(members), 1 << int(c)), None, dtype=object)
        table[row[g[sel]], rank[sel]] = sorted_geoms[sel]
        out[members] = reducer(table, axis=1)
    return out


def _nesting(
    fine: NDArray[np.int64], coarse: NDArray[np.int64], n_fine: int
) -> NDArray[np.int64] | None:
    """Coarse zone of every fine zone if every coarse zone is a union of fine zones, else None.

    Holds when every position in a coarse zone is in a fine zone, and all the positions of a
    fine zone are in the same coarse zone (or all in none: -1).
    """
    if np.any((coarse >= 0) & (fine < 0)):
        return None
    m = fine >= 0
    hi = np.full(n_fine, -1, np.int64)
    np.maximum.at(hi, fine[m], coarse[m])
    big = np.iinfo(np.int64).max
    lo = np.full(n_fine, big, np.int64)
    np.minimum.at(lo, fine[m], coarse[m])
    return hi if np.array_equal(np.where(lo == big, hi, lo), hi) else None


def _dissolve_kinds(
    cells: NDArray[np.object_],
    site_codes: dict[str, NDArray[np.int64]],
    n_zones: dict[str, int],
) -> dict[str, NDArray[np.object_]]:
    """Zone polygons of every kind, finest kind first, each from the coarsest finer kind that
    nests in it (or from the cells)."""
    built: dict[str, NDArray[np.object_]] = {}
    for k in sorted(n_zones, key=lambda k: -n_zones[k]):
        geoms, group, source = cells, site_codes[k], "cells"
        for j in sorted(built, key=lambda j: n_zones[j]):
            up = _nesting(site_codes[j], site_codes[k], n_zones[j])
            if up is not None:
                geoms, group, source = built[j], up, j
                break
        keep = group >= 0
        built[k] = _group_reduce(geoms[keep], group[keep], n_zones[k], shapely.coverage_union_all)
        log.debug("zone polygons: %s dissolved from %s", k, source)
    return built


def _polygonal(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Polygonal part of overlay results, as Polygon (one part) or MultiPolygon."""
    parts, where = shapely.get_parts(geoms, return_index=True)
    poly = shapely.get_type_id(parts) == _POLYGON
    parts, where = parts[poly], where[poly]
    counts = np.bincount(where, minlength=len(geoms))
    out = np.full(len(geoms), shapely.Polygon(), dtype=object)
    single = np.flatnonzero(counts == 1)
    out[single] = parts[np.searchsorted(where, single)]
    multi = counts[where] > 1
    if multi.any():
        groups, compact = np.unique(where[multi], return_inverse=True)
        out[groups] = shapely.multipolygons(parts[multi], indices=compact)
    return out


def _clip_to_box(zones: NDArray[np.object_], bbox: tuple[float, ...]) -> NDArray[np.object_]:
    """Zones clipped to a rectangle; only those that reach beyond it are intersected."""
    b = shapely.bounds(zones)
    out_ = (b[:, 0] < bbox[0]) | (b[:, 1] < bbox[1]) | (b[:, 2] > bbox[2]) | (b[:, 3] > bbox[3])
    res = zones.copy()
    if out_.any():
        res[out_] = _polygonal(shapely.intersection(zones[out_], shapely.box(*bbox)))
    return res


def _land_pieces(
    land: shapely.Geometry, max_vertices: int = _PIECE_VERTICES, max_depth: int = 24
) -> NDArray[np.object_]:
    """``land`` cut into pieces of at most ``max_vertices`` vertices (quadtree on bounds).

    An overlay scans every vertex of its inputs, so intersecting many small zones with one
    big ``land`` costs zones × vertices of land; with pieces it costs only the pieces each
    zone meets. Each level splits the pieces that are still too big into the four quarters
    of their bounds, vectorised.
    """
    done = []
    todo = np.array([land], dtype=object)
    for _ in range(max_depth):
        big = shapely.get_num_coordinates(todo) > max_vertices
        done.append(todo[~big])
        todo = todo[big]
        if not len(todo):
            break
        x0, y0, x1, y1 = shapely.bounds(todo).T
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        quarters = shapely.box(
            np.stack([x0, xm, x0, xm], axis=1).ravel(),
            np.stack([y0, y0, ym, ym], axis=1).ravel(),
            np.stack([xm, x1, xm, x1], axis=1).ravel(),
            np.stack([ym, ym, y1, y1], axis=1).ravel(),
        )
        todo = _polygonal(shapely.intersection(np.repeat(todo, 4), quarters))
        todo = todo[~shapely.is_empty(todo)]
    done.append(todo)
    return np.concatenate(done)


def _clip_to_land(
    zones: dict[str, NDArray[np.object_]],
    land: shapely.Geometry,
    site_xy: NDArray[np.float64],
    site_codes: dict[str, NDArray[np.int64]],
    radius: float,
) -> dict[str, NDArray[np.object_]]:
    """Zones clipped to ``land``, keeping a disc of ``radius`` around points off ``land``.

    ``land`` is prepared once and a zone is clipped only when ``land`` does not cover it (a
    vectorised prepared test); it is then intersected with the pieces of ``land`` it meets
    (:func:`_land_pieces`) and the parts are merged.
    """
    was_prepared = bool(shapely.is_prepared(land))
    shapely.prepare(land)
    try:
        off = ~shapely.contains_xy(land, site_xy[:, 0], site_xy[:, 1])
        if off.any():
            log.info(
                "zone polygons: %d positions outside land keep a %g m disc", int(off.sum()), radius
            )
            discs = shapely.buffer(shapely.points(site_xy[off]), radius)
        partial = {k: ~shapely.covers(land, z) for k, z in zones.items()}
    finally:
        if not was_prepared:
            shapely.destroy_prepared(land)
    pieces = _land_pieces(land) if any(p.any() for p in partial.values()) else None
    tree = shapely.STRtree(pieces) if pieces is not None else None
    out: dict[str, NDArray[np.object_]] = {}
    for k, z in zones.items():
        res = z.copy()
        if partial[k].any() and tree is not None and pieces is not None:
            zp = z[partial[k]]
            zi, pi = tree.query(zp, predicate="intersects")
            parts = _polygonal(shapely.intersection(zp[zi], pieces[pi]))
            merged = _group_reduce(parts, zi, len(zp), shapely.union_all)
            merged[shapely.is_missing(merged)] = shapely.Polygon()
            res[partial[k]] = _polygonal(merged)
        if off.any():
            ck = site_codes[k][off]
            m = ck >= 0
            if m.any():
                extra = _group_reduce(discs[m], ck[m], len(z), shapely.union_all)
                has = np.flatnonzero(~shapely.is_missing(extra))
                around = shapely.intersection(z[has], extra[has])
                res[has] = _polygonal(shapely.union(res[has], around))
        out[k] = res
    return out


# ------------------------------------------------------------------------------------ output
def _frame(
    kinds: list[str],
    ids: dict[str, NDArray[np.object_]],
    codes: dict[str, NDArray[np.int64]],
    geoms: dict[str, NDArray[np.object_]],
    parents: Mapping[str, Mapping[str, str]] | None,
) -> gpd.GeoDataFrame:
    frames = []
    for k in kinds:
        zid = ids[k]
        c = codes[k]
        of = (parents or {}).get(k, {})
        par = np.array([of.get(z) for z in zid], dtype=object)  # one lookup per zone
        g = geoms[k]
        frames.append(
            pd.DataFrame(
                {
                    "zone_id": zid,
                    "zone_kind": k,
                    "parent_id": par,
                    "n_points": np.bincount(c[c >= 0], minlength=len(zid)).astype(np.int64),
                    "area_km2": shapely.area(g) / 1e6 if len(g) else np.empty(0),
                    "geometry": g,
                }
            )
        )
    df = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: [] for c in (*COLUMNS, "geometry")})
    )
    df = df.astype(
        {
            "zone_id": object,
            "zone_kind": object,
            "parent_id": object,
            "n_points": np.int64,
            "area_km2": float,
        }
    )
    return gpd.GeoDataFrame(df, geometry="geometry", crs=WORK_CRS)
