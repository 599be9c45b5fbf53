"""Index a folder of orthophoto tiles: one footprint per tile, in Lambert-93, from headers only.

IGN delivers BD ORTHO / ORTHO HR as tiles of 1 km (20 cm) or smaller (5 cm), in JPEG 2000 or
GeoTIFF (COG), in natural colour (RGB, "RVB") or colour infrared (IRC: near-infrared, red,
green). :func:`index_tiles` opens every tile's header with rasterio (no pixel is read) and returns
a GeoDataFrame of footprints in EPSG:2154 with the path, CRS, resolution, bands, their
interpretation and the acquisition date when the file's tags or the IGN file name tell it.

Unreadable files (corrupt, not a raster, no georeferencing) are **skipped with one warning that
lists them all** (``strict=False``, the default, so that one bad tile of a delivery of thousands
does not stop the work), or reported together in one :class:`~bthd._errors.InputError`
(``strict=True``, ``--strict`` on the command line). A folder where no tile can be read is always
an error.

Not for: reading pixels (see :mod:`bthd.imagery.mosaic`).
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bthd._errors import InputError, InputNotFoundError
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Suffixes of the tiles indexed (lower case).
TILE_SUFFIXES = (".tif", ".tiff", ".jp2", ".j2k", ".jpx")

#: Columns of the footprints layer, in order (before ``geometry``).
INDEX_COLUMNS = (
    "path",
    "name",
    "driver",
    "crs",
    "width",
    "height",
    "bands",
    "dtype",
    "nodata",
    "res_m",
    "interpretation",
    "band_names",
    "date",
    "year",
    "date_source",
    "departement",
    "synthetic",
)

#: Tag our generator (and any user) may set to name the bands, e.g. ``NIR,R,G``.
BANDS_TAG = "BTHD_BANDS"
#: Tag carrying the acquisition date (ISO 8601) in tiles written by bthd.
DATE_TAG = "ACQUISITION_DATE"
#: Tag carrying the département code when the file name does not.
DEPARTEMENT_TAG = "DEPARTEMENT"
#: Tag saying a tile is generated (value ``yes``).
SYNTHETIC_TAG = "BTHD_SYNTHETIC"

#: IGN BD ORTHO tile name: ``56-2019-0230-6770-LA93-0M20-E080.jp2`` (département, year of the
#: campaign, x and y of the top-left corner in km, projection, resolution in cm).
IGN_NAME = re.compile(
    r"(?<![0-9A-Za-z])(?P<dep>\d{2}[0-9AB]?)-(?P<year>(?:19|20)\d{2})-(?P<x>\d{4})-(?P<y>\d{4})-"
    r"(?P<proj>LA93|[A-Z0-9]+)-(?P<res>\d+M\d+)",
    re.IGNORECASE,
)
_IRC_TOKEN = re.compile(r"(?<![A-Za-z])IRC(?![A-Za-z])", re.IGNORECASE)
_RGB_TOKEN = re.compile(r"(?<![A-Za-z])(RVB|RGB)(?![A-Za-z])", re.IGNORECASE)
_ISO_DATE = re.compile(r"((?:19|20)\d{2})[-:/]?(\d{2})[-:/]?(\d{2})")

#: Band names by interpretation.
BAND_NAMES = {"RGB": ("R", "G", "B"), "IRC": ("NIR", "R", "G"), "RGBI": ("R", "G", "B", "NIR")}


@dataclass(frozen=True)
class _Header:
    row: dict[str, Any]
    bounds: tuple[float, float, float, float]
    crs_wkt: str


def find_tiles(folder: str | os.PathLike[str], *, recursive: bool = True) -> list[Path]:
    """Tile files under ``folder`` (sorted), by suffix: GeoTIFF/COG and JPEG 2000.

    Parameters
    ----------
    folder
        A folder, or a single tile.
    recursive
        Look into sub-folders (IGN deliveries nest one folder per product).
    """
    root = Path(folder)
    if not root.exists():
        raise InputNotFoundError(root, "tile folder")
    if root.is_file():
        return [root]
    pattern = "**/*" if recursive else "*"
    return sorted(
        p
        for p in root.glob(pattern)
        if p.is_file() and p.suffix.lower() in TILE_SUFFIXES and not p.name.startswith(".")
    )


def index_tiles(
    folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    strict: bool = False,
) -> gpd.GeoDataFrame:
    """Footprints of the orthophoto tiles of a folder, in Lambert-93, from headers only.

    Parameters
    ----------
    folder
        A folder (searched for ``.tif``, ``.tiff``, ``.jp2``, ``.j2k``, ``.jpx``), one tile, or
        an iterable of tile paths.
    recursive
        Look into sub-folders.
    strict
        Raise one :class:`~bthd._errors.InputError` listing every unreadable tile instead of
        skipping them with a warning.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per readable tile (sorted by path), columns :data:`INDEX_COLUMNS` and the
        footprint polygon in EPSG:2154. ``res_m`` is the pixel size in metres (along x, measured
        in Lambert-93 for a geographic CRS); ``interpretation`` is ``RGB``, ``IRC``
        (near-infrared, red, green: IGN's order), ``RGBI`` (4 bands) or ``unknown``; ``date`` is
        ISO ``YYYY-MM-DD`` or a year ``YYYY`` (empty when nothing tells it) and ``date_source``
        says where it came from.

    Raises
    ------
    InputError
        When no tile can be read, or with ``strict`` when any cannot.
    """

    if isinstance(folder, str | os.PathLike):
        paths = find_tiles(folder, recursive=recursive)
        where = str(folder)
    else:
        paths = sorted(Path(p) for p in folder)
        where = "the tiles given"
    if not paths:
        raise InputError(
            f"{where}: no tile found (looked for {', '.join(TILE_SUFFIXES)}"
            f"{' in sub-folders too' if recursive else ''}). Fix: point to the folder of the "
            "orthophoto delivery."
        )
    headers: list[_Header] = []
    bad: list[tuple[Path, str]] = []
    # GDAL releases the GIL while it opens a file: a few threads overlap the opens
    workers = max(1, min(8, 2 * (os.cpu_count() or 1), len(paths) // 64))
    if workers == 1:
        results = [_read_header_env(p) for p in paths]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_read_header_env, paths, chunksize=32))
    for p, res in zip(paths, results, strict=True):
        if isinstance(res, _Header):
            headers.append(res)
        else:
            bad.append((p, res))
    if bad:
        listed = _files(
            f"{len(bad)} unreadable tile{'s' if len(bad) > 1 else ''}",
            [f"{p} ({why})" for p, why in bad],
            "replace or re-download these files, or move them out of the folder",
        )
        if strict or not headers:
            head = "no tile could be read" if not headers else "some tiles could not be read"
            raise InputError(f"{where}: {head}: {listed}")
        warnings.warn(f"{where}: skipped {listed}", UserWarning, stacklevel=2)
    unknown = [h.row for h in headers if h.row["interpretation"] == "unknown"]
    if unknown:
        listed = _files(
            f"{len(unknown)} tile{'s' if len(unknown) > 1 else ''} whose bands are neither RGB "
            "nor IRC (ignored by mosaics)",
            [f"{r['path']} ({r['bands']} bands)" for r in unknown],
            f"name the bands with the tag {BANDS_TAG}=R,G,B or {BANDS_TAG}=NIR,R,G, or put "
            "IRC/RVB in the file or folder name as IGN does",
        )
        warnings.warn(f"{where}: {listed}", UserWarning, stacklevel=2)
    return _footprints(headers)


def _files(what: str, files: list[str], fix: str, max_files: int = 50) -> str:
    """``what: file (why); file (why) … and N more. Fix: …``"""
    shown = "; ".join(files[:max_files])
    more = f"; and {len(files) - max_files} more" if len(files) > max_files else ""
    return f"{what}: {shown}{more}. Fix: {fix}"


class _Unusable(Exception):
    """A file that cannot be used as a tile (the message says why)."""


def _read_header_env(path: Path) -> _Header | str:
    """The header of a tile, or why it cannot be used (one GDAL environment per call, as
    rasterio asks of threads)."""
    import rasterio

    # no directory listing on each open: O(n) instead of O(n²) on folders of thousands of tiles
    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"):
        try:
            return _read_header(path)
        except _Unusable as exc:
            return str(exc)


def _read_header(path: Path) -> _Header:
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                if src.crs is None:
                    raise _Unusable("no CRS: the file is not georeferenced")
                if src.transform.is_identity or src.transform.b != 0 or src.transform.d != 0:
                    what = "no geotransform" if src.transform.is_identity else "a rotated grid"
                    raise _Unusable(f"{what}: not a north-up georeferenced tile")
                tags = src.tags()
                try:
                    imagery = src.tags(ns="IMAGERY")
                except Exception:  # some drivers have no such domain
                    imagery = {}
                colorinterp = [c.name for c in src.colorinterp]
                descriptions = [d or "" for d in src.descriptions]
                row: dict[str, Any] = {
                    "path": str(path),
                    "name": path.name,
                    "driver": src.driver,
                    "crs": _crs_label(src.crs),
                    "width": int(src.width),
                    "height": int(src.height),
                    "bands": int(src.count),
                    "dtype": str(src.dtypes[0]),
                    "nodata": np.nan if src.nodata is None else float(src.nodata),
                    "res_m": float(abs(src.transform.a)) if src.crs.is_projected else np.nan,
                    "synthetic": str(tags.get(SYNTHETIC_TAG, "")).lower() in ("yes", "true", "1"),
                }
                bounds = tuple(float(v) for v in src.bounds)
                crs_wkt = src.crs.to_wkt()
    except _Unusable:
        raise
    except (RasterioIOError, OSError) as exc:
        raise _Unusable(f"not a readable raster: {_short(exc)}") from exc
    interp, names = _interpretation(path, tags, colorinterp, descriptions, row["bands"])
    row["interpretation"] = interp
    row["band_names"] = ",".join(names)
    row.update(_date(path, tags, imagery))
    m = IGN_NAME.search(path.name)
    row["departement"] = m.group("dep").upper() if m else str(tags.get(DEPARTEMENT_TAG, ""))
    return _Header(row, bounds, crs_wkt)  # type: ignore[arg-type]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _crs_label(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.to_string())


def _interpretation(
    path: Path, tags: dict[str, str], colorinterp: list[str], descriptions: list[str], count: int
) -> tuple[str, tuple[str, ...]]:
    """Band interpretation from (in order) a bands tag, band descriptions, the IGN file or folder
    name (``IRC``/``RVB``), the colour interpretation of the bands."""
    declared = tags.get(BANDS_TAG) or ",".join(descriptions)
    names = tuple(_norm_band(n) for n in declared.split(",")) if declared.strip(",") else ()
    if len(names) == count:
        for interp, expected in BAND_NAMES.items():
            if names == expected:
                return interp, expected
    text = "/".join(path.parts[-3:])
    if count >= 3 and _IRC_TOKEN.search(text):
        return "IRC", BAND_NAMES["IRC"][:count] if count == 3 else (*BAND_NAMES["IRC"],)
    ci = tuple(colorinterp)
    if count == 3 and (ci == ("red", "green", "blue") or _RGB_TOKEN.search(text)):
        return "RGB", BAND_NAMES["RGB"]
    if count == 4 and ci[:3] == ("red", "green", "blue") and ci[3] != "alpha":
        return "RGBI", BAND_NAMES["RGBI"]
    return "unknown", ()


def _norm_band(name: str) -> str:
    n = name.strip().upper()
    return {"PIR": "NIR", "IR": "NIR", "RED": "R", "GREEN": "G", "BLUE": "B", "V": "G"}.get(n, n)


def _date(path: Path, tags: dict[str, str], imagery: dict[str, str]) -> dict[str, Any]:
    for source, value in (
        ("tag IMAGERY/ACQUISITIONDATETIME", imagery.get("ACQUISITIONDATETIME")),
        (f"tag {DATE_TAG}", tags.get(DATE_TAG)),
    ):
        if value and (m := _ISO_DATE.search(value)):
            return {
                "date": f"{m.group(1)}-{m.group(2)}-{m.group(3)}",
                "year": int(m.group(1)),
                "date_source": source,
            }
    if m := IGN_NAME.search(path.name):
        return {"date": m.group("year"), "year": int(m.group("year")), "date_source": "IGN name"}
    value = tags.get("TIFFTAG_DATETIME")
    if value and (m := _ISO_DATE.search(value)):
        return {
            "date": f"{m.group(1)}-{m.group(2)}-{m.group(3)}",
            "year": int(m.group(1)),
            "date_source": "tag TIFFTAG_DATETIME (may be the processing date)",
        }
    return {"date": "", "year": pd.NA, "date_source": ""}


def _footprints(headers: list[_Header]) -> gpd.GeoDataFrame:
    from pyproj import CRS, Transformer

    rows = [h.row for h in headers]
    geoms = np.empty(len(headers), dtype=object)
    by_crs: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        by_crs.setdefault(h.crs_wkt, []).append(i)
    target = CRS.from_user_input(WORK_CRS)
    for wkt, idx in by_crs.items():
        b = np.array([headers[i].bounds for i in idx])
        boxes = shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
        src_crs = CRS.from_wkt(wkt)
        if src_crs == target:
            geoms[idx] = boxes
            continue
        # densify the edges so that a reprojected footprint follows the curved borders
        dens = shapely.segmentize(boxes, np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 16)
        tr = Transformer.from_crs(src_crs, target, always_xy=True)
        geoms[idx] = shapely.transform(dens, lambda xy, tr=tr: np.column_stack(tr.transform(*xy.T)))
    df = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    gdf = gpd.GeoDataFrame(df, geometry=list(geoms), crs=WORK_CRS)
    if len(gdf):
        # pixel size in metres for geographic tiles, measured on the Lambert-93 footprint
        miss = gdf["res_m"].isna().to_numpy()
        if miss.any():
            b = gdf.geometry[miss].bounds
            gdf.loc[miss, "res_m"] = (b["maxx"] - b["minx"]).to_numpy() / gdf.loc[miss, "width"]
    gdf["year"] = gdf["year"].astype("Int64")
    gdf["synthetic"] = gdf["synthetic"].astype(bool)
    return gdf.sort_values("path", kind="stable").reset_index(drop=True)


def summarise_index(index: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per kind of tile (interpretation, resolution, CRS, year): count and area (km²)."""
    key = ["interpretation", "res_m", "crs", "year"]
    df = index.assign(area_km2=index.geometry.area / 1e6, res_m=index["res_m"].round(3))
    return (
        df.groupby(key, dropna=False)
        .agg(tiles=("path", "size"), area_km2=("area_km2", "sum"))
        .reset_index()
    )
