"""The mosaic of the tiles covering an area, in Lambert-93, read window by window.

:func:`read_mosaic` picks the tiles of an index (see :mod:`bthd.imagery.index`) whose footprints
meet the area, opens each once, wraps tiles in another CRS in a rasterio ``WarpedVRT`` (on-the-fly
reprojection to EPSG:2154) and hands them to ``rasterio.merge.merge`` with the area's bounds, so
that only the windows of each tile inside the area are read, never whole tiles. Where tiles
overlap the newest wins, then the finest, then the first path. Tiles of mixed resolutions are
resampled to the finest (or to the resolution asked); tiles of different band layouts (IRC and
4-band RGBI) are read band by name.

Not for: analysis of the pixels (see :mod:`bthd.imagery.vegetation`) or pictures
(:mod:`bthd.imagery.views`).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from bthd._errors import InputError, ParameterError
from bthd.imagery.index import BAND_NAMES
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: What a mosaic is asked for: natural colour, colour infrared (needs a near-infrared band), or
#: whatever covers the area (IRC preferred when both do, since it carries NDVI).
Kind = Literal["RGB", "IRC", "any"]

#: Bands a request returns, by kind.
KIND_BANDS: dict[str, tuple[str, ...]] = {"RGB": ("R", "G", "B"), "IRC": ("NIR", "R", "G")}

#: Largest mosaic read in one call (pixels), unless told otherwise.
MAX_PIXELS = 120_000_000

#: An area: a geometry, a GeoDataFrame/GeoSeries or a bbox ``(xmin, ymin, xmax, ymax)``.
AreaLike: TypeAlias = shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float]


@dataclass(frozen=True)
class Mosaic:
    """Pixels of an area on a Lambert-93 grid.

    Attributes
    ----------
    data
        ``float32`` array (bands, rows, cols); ``NaN`` where no tile has data.
    transform
        Affine transform of the grid (north up, square pixels of ``resolution`` metres).
    band_names
        Names of the bands (``R``, ``G``, ``B`` or ``NIR``, ``R``, ``G``).
    kind
        ``RGB`` or ``IRC``.
    tiles
        Paths of the tiles read.
    dates
        Acquisition dates of those tiles (distinct, sorted; empty strings dropped).
    synthetic
        Whether any tile read is generated (tagged synthetic).
    departements
        Départements of the tiles read (from IGN names; empty when unknown).
    """

    data: np.ndarray
    transform: Affine
    resolution: float
    band_names: tuple[str, ...]
    kind: str
    tiles: tuple[str, ...]
    dates: tuple[str, ...]
    synthetic: bool
    departements: tuple[str, ...] = ()
    crs: str = WORK_CRS

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns."""
        return int(self.data.shape[1]), int(self.data.shape[2])

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` in metres (Lambert-93)."""
        rows, cols = self.shape
        x0, y1 = self.transform.c, self.transform.f
        return (x0, y1 - rows * self.resolution, x0 + cols * self.resolution, y1)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)`` for matplotlib's ``imshow``."""
        b = self.bounds
        return (b[0], b[2], b[1], b[3])

    @property
    def valid(self) -> np.ndarray:
        """Boolean (rows, cols): pixels where every band has data."""
        return np.all(np.isfinite(self.data), axis=0)

    def band(self, name: str) -> np.ndarray:
        """One band by name (``NIR``, ``R``, ``G``, ``B``) as float32 (rows, cols)."""
        try:
            return self.data[self.band_names.index(name)]
        except ValueError:
            raise ParameterError(
                f"the mosaic has bands {', '.join(self.band_names)}, not {name!r}. Fix: ask "
                f"read_mosaic for kind='IRC' (near-infrared) or 'RGB'."
            ) from None

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Values (bands, n) at points ``x``, ``y`` (metres); ``NaN`` outside the mosaic."""
        rows, cols = self.shape
        c = np.floor((np.asarray(x) - self.transform.c) / self.resolution).astype(np.int64)
        r = np.floor((self.transform.f - np.asarray(y)) / self.resolution).astype(np.int64)
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        out = np.full((self.data.shape[0], len(c)), np.nan, dtype=np.float32)
        out[:, inside] = self.data[:, r[inside], c[inside]]
        return out

    def rgb8(self, *, stretch: bool = False) -> np.ndarray:
        """An (rows, cols, 4) uint8 picture (RGBA, transparent where no data) for display;
        IRC shows as false colour (NIR as red), as photo-interpreters read it."""
        arr = np.nan_to_num(self.data[:3], nan=0.0)
        if stretch:
            lo = np.nanpercentile(self.data[:3], 1)
            hi = np.nanpercentile(self.data[:3], 99)
            arr = (arr - lo) / max(hi - lo, 1e-6) * 255.0
        img = np.clip(arr, 0, 255).astype(np.uint8).transpose(1, 2, 0)
        alpha = np.where(self.valid, 255, 0).astype(np.uint8)[..., None]
        return np.concatenate([img, alpha], axis=2)


def area_bounds(area: AreaLike, *, buffer_m: float = 0.0) -> tuple[float, float, float, float]:
    """Bounds (Lambert-93) of an area: a geometry, a GeoDataFrame/GeoSeries (reprojected to
    EPSG:2154) or a bbox ``(xmin, ymin, xmax, ymax)``, grown by ``buffer_m`` metres around it."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise InputError(
                "the area has no CRS. Fix: set it (Lambert-93 is EPSG:2154) before asking "
                "for a mosaic."
            )
        geom = shapely.union_all(area.to_crs(WORK_CRS).geometry.to_numpy())
    elif isinstance(area, shapely.Geometry):
        geom = area
    else:
        vals = [float(v) for v in area]
        if len(vals) != 4 or vals[0] >= vals[2] or vals[1] >= vals[3]:
            raise ParameterError(
                f"bbox {vals}: expected xmin ymin xmax ymax in Lambert-93 metres with "
                "xmin < xmax and ymin < ymax."
            )
        geom = shapely.box(*vals)
    if geom is None or geom.is_empty:
        raise InputError("the area is empty. Fix: give a non-empty geometry or bbox.")
    if buffer_m > 0:
        geom = geom.buffer(buffer_m)
    b = geom.bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


class TileCache:
    """Tiles opened once and kept open across reads; use as a context manager, which closes
    them."""

    def __init__(self) -> None:
        self._open: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        """The tile at ``path``, open."""
        ds = self._open.get(path)
        if ds is None:
            import rasterio

            ds = self._open[path] = rasterio.open(path)
        return ds

    def close(self) -> None:
        """Close every tile."""
        for ds in self._open.values():
            ds.close()
        self._open.clear()

    def __enter__(self) -> TileCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _cache_or_new(cache: TileCache | None) -> Iterator[TileCache]:
    if cache is not None:
        yield cache
        return
    with TileCache() as c:
        yield c


#: Columns of the index a mosaic needs (read as plain arrays: cheap on thousands of calls).
_SELECT_COLUMNS = ("path", "name", "interpretation", "res_m", "date", "synthetic", "departement")


def select_tiles(
    index: gpd.GeoDataFrame, bounds: tuple[float, float, float, float], *, kind: Kind = "any"
) -> tuple[pd.DataFrame, str]:
    """The tiles of ``index`` meeting ``bounds`` that can give ``kind``, in priority order
    (newest, then finest, then by path), and the kind they give.

    Returns
    -------
    pandas.DataFrame
        The columns ``path``, ``name``, ``interpretation``, ``res_m``, ``date``, ``synthetic``,
        ``departement`` of the tiles chosen (no geometry).

    Raises
    ------
    InputError
        When no tile meets the area, or none of the kind asked (the message names the tiles
        that do cover it).
    """
    box = shapely.box(*bounds)
    pos = np.sort(index.sindex.query(box, predicate="intersects"))
    if len(pos) == 0:
        ib = index.total_bounds if len(index) else [np.nan] * 4
        raise InputError(
            f"area {_fmt_bounds(bounds)} (Lambert-93) is outside every tile of the index "
            f"({len(index)} tiles over {_fmt_bounds(tuple(ib))}). Fix: choose an area inside "
            "the imagery, or index the tiles that cover it."
        )
    hit = pd.DataFrame({c: index[c].to_numpy()[pos] for c in _SELECT_COLUMNS})
    interp = hit["interpretation"].to_numpy()
    has_nir = np.isin(interp, ["IRC", "RGBI"])
    has_rgb = np.isin(interp, ["RGB", "RGBI"])
    if kind == "any":
        kind = "IRC" if has_nir.any() else "RGB"
    if kind not in KIND_BANDS:
        raise ParameterError(f"kind {kind!r}: expected 'RGB', 'IRC' or 'any'.")
    ok = has_nir if kind == "IRC" else has_rgb
    if not ok.any():
        names = ", ".join(hit["name"].head(5)) + (" …" if len(hit) > 5 else "")
        interps = ", ".join(sorted(set(interp)))
        extra = " Vegetation falls back to a greenness index on RGB (ExG)." if kind == "IRC" else ""
        raise InputError(
            f"area {_fmt_bounds(bounds)}: no {kind} tile covers it; the {len(hit)} tiles that do "
            f"are {interps} ({names}). Fix: add the {kind} tiles of the campaign to the folder, "
            f"or ask for {'RGB' if kind == 'IRC' else 'IRC'}.{extra}"
        )
    sel = hit[ok]
    dates = np.array([d if isinstance(d, str) else "" for d in sel["date"]], dtype=object)
    # newest first (dates sort as text), then finest, then by path
    order = sorted(
        range(len(sel)),
        key=lambda i: (_neg(str(dates[i])), float(sel["res_m"].iloc[i]), str(sel["path"].iloc[i])),
    )
    return sel.iloc[order].reset_index(drop=True), kind


def _neg(text: str) -> tuple[int, ...]:
    """A key that sorts text in descending order."""
    return (*(-ord(c) for c in text), 0)


def read_mosaic(
    index: gpd.GeoDataFrame,
    area: AreaLike,
    *,
    kind: Kind = "any",
    resolution: float | None = None,
    buffer_m: float = 0.0,
    resampling: str = "bilinear",
    max_pixels: int = MAX_PIXELS,
    cache: TileCache | None = None,
) -> Mosaic:
    """The mosaic of the tiles covering ``area``, on a Lambert-93 grid.

    Parameters
    ----------
    index
        Footprints from :func:`bthd.imagery.index.index_tiles`.
    area
        A geometry, GeoDataFrame or GeoSeries (a PM zone, a route, a site) or a bbox
        ``(xmin, ymin, xmax, ymax)`` in Lambert-93.
    kind
        ``RGB``, ``IRC`` (near-infrared, red, green) or ``any``.
    resolution
        Pixel size in metres; default the finest of the tiles read.
    buffer_m
        Grow the area by this much (metres) around it.
    resampling
        rasterio resampling (``nearest``, ``bilinear``, ``cubic``...), used both when
        reprojecting and when the resolution changes.
    max_pixels
        Refuse mosaics larger than this (rows × cols): ask for a coarser resolution.
    cache
        Keep tiles open across calls (see :class:`TileCache`).

    Returns
    -------
    Mosaic
        The grid is aligned on multiples of ``resolution`` (so that tiles whose corners sit on
        such multiples are read pixel for pixel) and covers the area's bounds.
    """
    from rasterio.enums import Resampling
    from rasterio.merge import merge
    from rasterio.vrt import WarpedVRT

    bounds = area_bounds(area, buffer_m=buffer_m)
    tiles, kind_got = select_tiles(index, bounds, kind=kind)
    res_tiles = tiles["res_m"].to_numpy(dtype=float)
    if not np.allclose(res_tiles, res_tiles[0], rtol=1e-6):
        log.info(
            "tiles of mixed resolutions (%s m): resampled to %s m",
            ", ".join(f"{r:g}" for r in sorted(set(np.round(res_tiles, 3)))),
            f"{resolution or res_tiles.min():g}",
        )
    res = float(resolution) if resolution else float(res_tiles.min())
    if res <= 0:
        raise ParameterError(f"resolution {res}: must be positive (metres).")
    x0 = math.floor(bounds[0] / res + 1e-9) * res
    y0 = math.floor(bounds[1] / res + 1e-9) * res
    x1 = math.ceil(bounds[2] / res - 1e-9) * res
    y1 = math.ceil(bounds[3] / res - 1e-9) * res
    cols, rows = round((x1 - x0) / res), round((y1 - y0) / res)
    if rows * cols > max_pixels:
        raise ParameterError(
            f"area {_fmt_bounds(bounds)} at {res:g} m is {rows} × {cols} pixels, more than "
            f"{max_pixels:,}. Fix: ask for a coarser resolution or a smaller area."
        )
    want = KIND_BANDS[kind_got]
    out = np.full((len(want), rows, cols), np.nan, dtype=np.float32)
    transform = Affine(res, 0.0, x0, 0.0, -res, y1)
    used: list[str] = []
    with _cache_or_new(cache) as c, ExitStack() as stack:
        # tiles of one band layout are merged together (newest first), layouts in turn
        groups: dict[tuple[int, ...], list[Any]] = {}
        order: dict[tuple[int, ...], list[str]] = {}
        for row in tiles.itertuples(index=False):
            names = BAND_NAMES.get(str(row.interpretation), ())
            idx = tuple(names.index(b) + 1 for b in want)
            src = c.get(str(row.path))
            if src.crs.to_epsg() != 2154:
                # warped straight onto the mosaic's grid: one resampling, only the source
                # blocks under the area are read
                src = stack.enter_context(
                    WarpedVRT(
                        src,
                        crs=WORK_CRS,
                        transform=transform,
                        width=cols,
                        height=rows,
                        resampling=getattr(Resampling, resampling),
                        add_alpha=src.nodata is None,
                    )
                )
            groups.setdefault(idx, []).append(src)
            order.setdefault(idx, []).append(str(row.path))
        for idx, datasets in groups.items():
            with warnings.catch_warnings():
                # rasterio 1.4 multiplies Affine objects with `*` (affine >= 2.4 warns)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                arr, _ = merge(
                    datasets,
                    bounds=(x0, y0, x1, y1),
                    res=(res, res),
                    nodata=np.nan,
                    dtype="float32",
                    indexes=list(idx),
                    resampling=getattr(Resampling, resampling),
                )
            arr = arr[:, :rows, :cols]
            hole = ~np.all(np.isfinite(out), axis=0)
            got = np.all(np.isfinite(arr), axis=0) & hole
            if got.any():
                out[:, got] = arr[:, got]
                used.extend(order[idx])
    sub = tiles[tiles["path"].isin(used)]
    return Mosaic(
        data=out,
        transform=transform,
        resolution=res,
        band_names=want,
        kind=kind_got,
        tiles=tuple(sorted(used)),
        dates=tuple(sorted({str(d) for d in sub["date"] if isinstance(d, str) and d})),
        synthetic=bool(sub["synthetic"].any()),
        departements=tuple(sorted({str(d) for d in sub["departement"] if d})),
    )


def _fmt_bounds(b: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.0f}" for v in b) + ")"
