"""Vegetation along aerial routes: metres to prune (*élagage*) before cables go up on poles.

For every aerial distribution section (links ``DI`` whose civil works are ``aerial``), a corridor
of ``corridor_half_width_m`` each side of the cable axis is sampled on stations every ``step_m``
along the section and across it. Each sample gets a vegetation index from the orthophoto:

* **NDVI** = (NIR − R) / (NIR + R) from colour-infrared (IRC) tiles, the standard index of
  green biomass (Rouse et al. 1974); on IGN's digital numbers, not reflectances, so the
  threshold is a setting to calibrate;
* **ExG** (Excess Green, Woebbecke et al. 1995) = 2g − r − b on the chromatic coordinates
  r = R / (R + G + B)…, when only natural-colour (RGB) tiles cover the section: it separates
  vegetation from soil, roads and roofs but trees from grass less well than NDVI.

A station is vegetated when at least ``min_cover`` of its cross-section is above the threshold;
gaps shorter than ``max_gap_m`` are bridged and runs shorter than ``min_run_m`` dropped. The
metres to prune are the length of the vegetated runs (never more than the section), priced at
``pruning_eur_per_m`` (a setting with its source). An orthophoto sees crowns, not heights: a
meadow or a hedge under the corridor counts as much as a tree, so the result is a list of places
to check, not a survey.

Not for: reading tiles (see :mod:`bthd.imagery.mosaic`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from bthd._errors import InputError, Problem, ValidationError
from bthd.imagery.mosaic import TileCache, read_mosaic
from bthd.imagery.settings import VEGETATION, VegetationSettings
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Value of ``links.works`` for cables on poles, and of ``links.link_type`` for distribution.
AERIAL = "aerial"
DISTRIBUTION = "DI"


@dataclass(frozen=True)
class VegetationResult:
    """Tables and layer of :func:`vegetation_along`.

    Attributes
    ----------
    sections
        One row per aerial section: ``link_id``, ``pm_id``, ``length_m``, ``imaged_m`` (metres
        with imagery), ``prune_m``, ``prune_share``, ``cost_eur``, ``index`` (NDVI, ExG,
        NDVI+ExG when pieces of the section have IRC and others only RGB, or none),
        ``mean_index``, ``imagery_dates``, ``synthetic_imagery``.
    by_pm
        Totals per PM zone.
    segments
        LineStrings of the stretches to prune (``link_id``, ``pm_id``, ``start_m``, ``end_m``,
        ``length_m``, ``mean_index``, ``cost_eur``), EPSG:2154.
    """

    sections: pd.DataFrame
    by_pm: pd.DataFrame
    segments: gpd.GeoDataFrame


def aerial_sections(links: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The aerial distribution sections of a links layer (``link_type == 'DI'`` and
    ``works == 'aerial'``), with a ``pm_id`` (the links' ``tree``: the PM they hang from).

    Raises
    ------
    ValidationError
        When the layer lacks ``link_id``, ``link_type`` or ``works``, or has no CRS.
    """
    problems = [
        Problem(f"missing column {c!r}", fix="use the links layer of a bthd design run")
        for c in ("link_id", "link_type", "works")
        if c not in links.columns
    ]
    if links.crs is None:
        problems.append(Problem("no CRS", fix="set the CRS (Lambert-93 is EPSG:2154)"))
    if problems:
        raise ValidationError("links", problems, kind="links")
    sel = links[(links["link_type"] == DISTRIBUTION) & (links["works"] == AERIAL)]
    sel = sel.to_crs(WORK_CRS)
    pm = sel["tree"].astype(str) if "tree" in sel.columns else pd.Series("", index=sel.index)
    return sel.assign(pm_id=pm)


def stations(
    line: shapely.LineString, settings: VegetationSettings = VEGETATION
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Sample points of the corridor around ``line``.

    Returns
    -------
    along : (n,) distances of the stations from the start (metres)
    x, y : (n, k) coordinates of the samples across the corridor at each station
    station_m : length each station stands for (``length / n``)
    """
    length = float(line.length)
    n = max(1, math.ceil(length / settings.step_m))
    station_m = length / n
    along = (np.arange(n) + 0.5) * station_m
    d = min(0.25, length / 4)
    p = shapely.get_coordinates(shapely.line_interpolate_point(line, along))
    a = shapely.get_coordinates(shapely.line_interpolate_point(line, np.clip(along - d, 0, None)))
    b = shapely.get_coordinates(
        shapely.line_interpolate_point(line, np.clip(along + d, None, length))
    )
    t = b - a
    t /= np.maximum(np.hypot(t[:, 0], t[:, 1]), 1e-9)[:, None]
    normal = np.column_stack([-t[:, 1], t[:, 0]])
    w = settings.corridor_half_width_m
    k = max(2, round(2 * w / settings.step_m))
    offsets = -w + (np.arange(k) + 0.5) * (2 * w / k)
    x = p[:, 0, None] + offsets[None, :] * normal[:, 0, None]
    y = p[:, 1, None] + offsets[None, :] * normal[:, 1, None]
    return along, x, y, station_m


def ndvi(nir: np.ndarray, red: np.ndarray) -> np.ndarray:
    """NDVI = (NIR − R) / (NIR + R); NaN where both are 0 or missing."""
    s = nir + red
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, (nir - red) / s, np.nan)


def excess_green(red: np.ndarray, green: np.ndarray, blue: np.ndarray) -> np.ndarray:
    """ExG = 2g − r − b on chromatic coordinates (each band over R + G + B)."""
    s = red + green + blue
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, (2 * green - red - blue) / s, np.nan)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges of the True runs of a boolean array."""
    if not mask.any():
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def vegetated_runs(
    veg: np.ndarray, station_m: float, settings: VegetationSettings = VEGETATION
) -> np.ndarray:
    """Stations kept as vegetated: gaps ≤ ``max_gap_m`` bridged, runs < ``min_run_m``
    dropped."""
    out = veg.copy()
    for s, e in _runs(~out):
        if s > 0 and e < len(out) and (e - s) * station_m <= settings.max_gap_m + 1e-9:
            out[s:e] = True
    for s, e in _runs(out):
        if (e - s) * station_m < settings.min_run_m - 1e-9:
            out[s:e] = False
    return out


def vegetation_along(
    sections: gpd.GeoDataFrame,
    index: gpd.GeoDataFrame,
    *,
    settings: VegetationSettings = VEGETATION,
) -> VegetationResult:
    """Metres to prune along aerial sections, from the orthophotos of ``index``.

    Parameters
    ----------
    sections
        Aerial sections (see :func:`aerial_sections`): ``link_id``, ``pm_id``, LineStrings in
        EPSG:2154.
    index
        Tile footprints (:func:`bthd.imagery.index.index_tiles`).
    settings
        Corridor, thresholds, runs and unit cost.

    Returns
    -------
    VegetationResult
        Sections without imagery are listed with ``imaged_m`` 0 and ``index`` ``none``.
    """
    if sections.crs is None or sections.crs.to_epsg() != 2154:
        raise InputError(
            f"sections in {sections.crs}: expected Lambert-93. Fix: pass aerial_sections(links)."
        )
    covered = np.zeros(len(sections), dtype=bool)
    if len(index) and len(sections):
        hit = index.sindex.query(sections.geometry.to_numpy(), predicate="intersects")
        covered[np.unique(hit[0])] = True
    rows: list[dict[str, object]] = []
    segs: list[dict[str, object]] = []
    eur = settings.pruning_eur_per_m
    with TileCache() as cache:
        for i, sec in enumerate(sections.itertuples(index=False)):
            line = sec.geometry
            base = {"link_id": str(sec.link_id), "pm_id": str(getattr(sec, "pm_id", ""))}
            length = float(line.length)
            if not covered[i] or length == 0:
                rows.append({**base, "length_m": length, **_no_imagery()})
                continue
            along, x, y, station_m = stations(line, settings)
            vals = np.full(x.shape, np.nan, dtype=np.float32)
            above = np.zeros(x.shape, dtype=bool)  # each piece against its own index's threshold
            kinds: set[str] = set()
            dates: set[str] = set()
            synthetic = False
            per_chunk = max(1, int(settings.chunk_m // station_m))
            for s in range(0, len(along), per_chunk):
                xs, ys = x[s : s + per_chunk], y[s : s + per_chunk]
                bbox = (xs.min() - 1, ys.min() - 1, xs.max() + 1, ys.max() + 1)
                try:
                    m = read_mosaic(index, bbox, kind="any", cache=cache)
                except InputError:  # this piece is outside every tile
                    continue
                v = m.sample(xs.ravel(), ys.ravel())
                irc = m.kind == "IRC"
                idx_v = ndvi(v[0], v[1]) if irc else excess_green(v[0], v[1], v[2])
                vals[s : s + per_chunk] = idx_v.reshape(xs.shape)
                thr = settings.ndvi_threshold if irc else settings.exg_threshold
                with np.errstate(invalid="ignore"):
                    above[s : s + per_chunk] = (idx_v > thr).reshape(xs.shape)
                kinds.add(m.kind)
                dates.update(m.dates)
                synthetic |= m.synthetic
            kind = "IRC" if kinds == {"IRC"} else ("RGB" if kinds == {"RGB"} else "mixed")
            valid = np.isfinite(vals)
            imaged = valid.sum(axis=1) >= valid.shape[1] / 2
            cover = (above & valid).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
            veg = vegetated_runs(imaged & (cover >= settings.min_cover), station_m, settings)
            prune_m = float(veg.sum() * station_m)
            mean_index = float(np.nanmean(vals[imaged])) if imaged.any() else np.nan
            rows.append(
                {
                    **base,
                    "length_m": length,
                    "imaged_m": float(imaged.sum() * station_m),
                    "prune_m": prune_m,
                    "prune_share": prune_m / length,
                    "cost_eur": prune_m * eur,
                    "index": {"IRC": "NDVI", "RGB": "ExG"}.get(kind, "NDVI+ExG"),
                    "mean_index": mean_index,
                    "imagery_dates": ";".join(sorted(dates)),
                    "synthetic_imagery": synthetic,
                }
            )
            for s, e in _runs(veg):
                start, end = s * station_m, e * station_m
                segs.append(
                    {
                        **base,
                        "start_m": start,
                        "end_m": end,
                        "length_m": end - start,
                        "mean_index": float(np.nanmean(vals[s:e])),
                        "cost_eur": (end - start) * eur,
                        "synthetic_imagery": synthetic,
                        "geometry": substring(line, start, end),
                    }
                )
    table = pd.DataFrame(rows, columns=_SECTION_COLUMNS)
    seg_cols = [
        "link_id",
        "pm_id",
        "start_m",
        "end_m",
        "length_m",
        "mean_index",
        "cost_eur",
        "synthetic_imagery",
    ]
    segments = gpd.GeoDataFrame(
        pd.DataFrame(segs, columns=[*seg_cols, "geometry"]), geometry="geometry", crs=WORK_CRS
    )
    return VegetationResult(table, totals_by_pm(table), segments)


_SECTION_COLUMNS = [
    "link_id",
    "pm_id",
    "length_m",
    "imaged_m",
    "prune_m",
    "prune_share",
    "cost_eur",
    "index",
    "mean_index",
    "imagery_dates",
    "synthetic_imagery",
]


def _no_imagery() -> dict[str, object]:
    return {
        "imaged_m": 0.0,
        "prune_m": 0.0,
        "prune_share": 0.0,
        "cost_eur": 0.0,
        "index": "none",
        "mean_index": np.nan,
        "imagery_dates": "",
        "synthetic_imagery": False,
    }


def totals_by_pm(sections: pd.DataFrame) -> pd.DataFrame:
    """Totals per PM zone of a sections table: sections, aerial metres, metres with imagery,
    metres to prune, their share of the imaged metres and the cost."""
    g = sections.groupby("pm_id", sort=True)
    out = g.agg(
        sections=("link_id", "size"),
        aerial_m=("length_m", "sum"),
        imaged_m=("imaged_m", "sum"),
        prune_m=("prune_m", "sum"),
        cost_eur=("cost_eur", "sum"),
        synthetic_imagery=("synthetic_imagery", "any"),
    ).reset_index()
    out.insert(
        5,
        "prune_share_of_imaged",
        np.where(
            out["imaged_m"] > 0, out["prune_m"] / out["imaged_m"].where(out["imaged_m"] > 0), 0
        ),
    )
    return out


def known_answer_m(
    sections: gpd.GeoDataFrame,
    crowns: gpd.GeoDataFrame,
    *,
    settings: VegetationSettings = VEGETATION,
) -> pd.Series:
    """Metres of each section whose corridor cross-section is covered by the crowns drawn
    (at least ``min_cover`` of it): the known answer on synthetic tiles (by ``link_id``)."""
    tree = shapely.STRtree(crowns.geometry.to_numpy())
    crown_geoms = crowns.geometry.to_numpy()
    out = {}
    for sec in sections.itertuples(index=False):
        _, x, y, station_m = stations(sec.geometry, settings)
        cuts = shapely.linestrings(
            np.stack(
                [np.column_stack([x[:, 0], y[:, 0]]), np.column_stack([x[:, -1], y[:, -1]])], 1
            )
        )
        near = tree.query(sec.geometry.buffer(settings.corridor_half_width_m + 1))
        if len(near) == 0:
            out[str(sec.link_id)] = 0.0
            continue
        union = shapely.union_all(crown_geoms[near])
        full = shapely.length(cuts)
        share = shapely.length(shapely.intersection(cuts, union)) / np.maximum(full, 1e-9)
        out[str(sec.link_id)] = float((share >= settings.min_cover).sum() * station_m)
    return pd.Series(out, name="known_prune_m", dtype=float)
