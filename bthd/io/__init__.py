"""Read and write bthd's layers in the formats users have, safely.

Readers name the file and the problem when a file cannot be read, and validate the layer against
its schema when told its ``kind`` (see :mod:`bthd.schema`), reprojecting to Lambert-93. Writers
are atomic (a temporary file renamed into place) and never replace an existing output unless
``overwrite=True``.

Formats: GeoPackage (multi-layer), GeoParquet, GeoJSON, FlatGeobuf, Shapefile, CSV with
coordinates. Format adapters for the trade's files live beside this module: BAN addresses
(:mod:`bthd.io.ban`), ARCEP/Interop IPE (:mod:`bthd.io.ipe`), OpenStreetMap through osmnx and
roads layers turned into graphs (:mod:`bthd.io.osm`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from bthd._errors import InputError, InputNotFoundError, OutputExistsError
from bthd.io._atomic import atomic_dir, atomic_file, check_output
from bthd.io._csv import read_csv_fr, sniff_csv, to_number
from bthd.io._gdal import reproducible_gpkg_env

log = logging.getLogger(__name__)

VECTOR_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb", ".zip", ".gml", ".kml"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
#: Suffixes :func:`write_layers` knows.
WRITE_SUFFIXES = {".gpkg", ".geojson", ".json", ".fgb", ".shp", ".csv", *PARQUET_SUFFIXES}

#: Lambert-93 bounds of metropolitan France and Corsica (land and coast), in metres.
_L93_FRANCE = (50_000.0, 6_000_000.0, 1_250_000.0, 7_150_000.0)

#: Coordinate column pairs recognised in CSV files, with the CRS they imply when not given.
COORD_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("x", "y", None),
    ("X", "Y", None),
    ("lon", "lat", "EPSG:4326"),
    ("lng", "lat", "EPSG:4326"),
    ("longitude", "latitude", "EPSG:4326"),
    ("x_l93", "y_l93", "EPSG:2154"),
    ("CoordonneeImmeubleX", "CoordonneeImmeubleY", None),
)


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Names of the layers of a vector file (a GeoPackage may hold several)."""
    p = _existing(path)
    try:
        return [str(name) for name, _ in pyogrio.list_layers(p)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _unreadable(p, exc) from exc


def read(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    layer: str | None = None,
    repair: bool = False,
    crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read a layer from a file; validate it when ``kind`` is given.

    Parameters
    ----------
    path
        A GeoPackage, GeoParquet, GeoJSON, FlatGeobuf, Shapefile (or zipped Shapefile), or a CSV
        with coordinate columns (``x``/``y``, ``lon``/``lat``...).
    kind
        Layer kind of :mod:`bthd.schema` (``communes``, ``premises``, ``roads``...); when given
        the layer is validated and returned in Lambert-93.
    layer
        Layer name in a multi-layer file; by default the only layer, or the one named ``kind``.
    repair
        Repair invalid geometries instead of reporting them.
    crs
        CRS of a CSV's coordinates when the column names do not imply it.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    p = _existing(path)
    suffix = p.suffix.lower()
    if suffix == ".gz" and len(p.suffixes) > 1 and p.suffixes[-2].lower() in CSV_SUFFIXES:
        suffix = p.suffixes[-2].lower()  # adresses-35.csv.gz
    if suffix in CSV_SUFFIXES:
        gdf = read_points_csv(p, crs=crs)
    elif suffix in PARQUET_SUFFIXES:
        try:
            gdf = gpd.read_parquet(p)
        except Exception as exc:
            raise _unreadable(p, exc) from exc
    else:
        layers = list_layers(p)
        if not layers:
            raise InputError(f"{p}: the file holds no layer. Check the export.")
        if layer is None:
            if len(layers) == 1:
                layer = layers[0]
            elif kind in layers:
                layer = kind
            else:
                raise InputError(
                    f"{p}: holds {len(layers)} layers ({', '.join(layers)}); "
                    "say which one with layer=... (--layer on the command line)."
                )
        elif layer not in layers:
            raise InputError(f"{p}: no layer {layer!r}; it has {', '.join(layers)}.")
        try:
            gdf = pyogrio.read_dataframe(p, layer=layer)
        except Exception as exc:
            raise _unreadable(p, exc) from exc
    if kind is not None:
        from bthd.schema import validate

        source = f"{p}" + (f" (layer {layer})" if layer else "")
        gdf = validate(gdf, kind, source=source, repair=repair)
    return gdf


def read_points_csv(
    path: str | os.PathLike[str], *, crs: str | int | None = None
) -> gpd.GeoDataFrame:
    """Read a CSV of points: the separator and encoding are sniffed, coordinates recognised."""
    p = _existing(path)
    df = read_csv_fr(p)
    if df.empty:
        raise InputError(f"{p}: the CSV has a header but no rows.")
    for xc, yc, implied in COORD_COLUMNS:
        if xc in df.columns and yc in df.columns:
            x, y = to_number(df[xc]), to_number(df[yc])
            bad = x.isna() | y.isna()
            if bad.any():
                rows = ", ".join(str(i + 2) for i in df.index[bad][:10])
                raise InputError(
                    f"{p}: {int(bad.sum())} rows without numeric coordinates in `{xc}`/`{yc}` "
                    f"(lines {rows}{'...' if bad.sum() > 10 else ''}). Fill or remove them."
                )
            use_crs = crs if crs is not None else implied
            if use_crs is None:
                # Lambert-93 when the numbers fall on metropolitan France in Lambert-93 (tight
                # bounds: Web Mercator metres of Brittany, x < 0, must not pass), degrees when
                # they look like degrees, else the user must say (--crs)
                xmin, ymin, xmax, ymax = _L93_FRANCE
                if x.between(xmin, xmax).all() and y.between(ymin, ymax).all():
                    use_crs = "EPSG:2154"
                elif x.between(-180, 180).all() and y.between(-90, 90).all():
                    use_crs = "EPSG:4326"
                log.info(
                    "%s: CRS of `%s`/`%s` guessed from their values: %s",
                    p,
                    xc,
                    yc,
                    use_crs or "none (pass crs=...)",
                )
            geom = shapely.points(x.to_numpy(), y.to_numpy())
            return gpd.GeoDataFrame(df.drop(columns=[xc, yc]), geometry=geom, crs=use_crs)
    if "geometry" in df.columns or "wkt" in df.columns:
        col = "geometry" if "geometry" in df.columns else "wkt"
        geom = gpd.GeoSeries.from_wkt(df[col], crs=crs)
        return gpd.GeoDataFrame(df.drop(columns=[col]), geometry=geom, crs=crs)
    names = ", ".join(f"{a}/{b}" for a, b, _ in COORD_COLUMNS)
    raise InputError(
        f"{p}: no coordinate columns found (looked for {names}, or a WKT `geometry` column); "
        f"the file has {', '.join(map(str, df.columns[:12]))}."
    )


def write(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write one layer atomically; the format follows the suffix (see :func:`write_layers`)."""
    name = layer or Path(path).stem
    return write_layers({name: gdf}, path, overwrite=overwrite)


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    stamp: str | None = None,
) -> Path:
    """Write layers atomically into one file (GeoPackage) or one file each (other formats).

    Parameters
    ----------
    layers
        Layer name → GeoDataFrame. Several layers need a GeoPackage (``.gpkg``).
    path
        Output file; its suffix picks the format (.gpkg, .parquet, .geojson, .fgb, .shp, .csv).
        A Shapefile takes column names of at most 10 characters (longer ones are refused rather
        than cut); a FlatGeobuf is written with its spatial index, so its rows come back in
        spatial order; a CSV holds points as ``x``/``y`` and other geometries as WKT, without
        the CRS.
    overwrite
        Replace an existing output (only once the new one is complete).
    stamp
        Date GDAL writes into a GeoPackage (ISO 8601); default ``SOURCE_DATE_EPOCH`` or a fixed
        date, so that the same layers give byte-identical files.
    """
    dest = Path(path)
    suffix = dest.suffix.lower()
    if not layers:
        raise ValueError(f"{dest}: no layer to write")
    if suffix not in WRITE_SUFFIXES:
        known = ", ".join(sorted(WRITE_SUFFIXES))
        raise ValueError(f"{dest}: unknown output format {suffix!r}; use one of {known}")
    if len(layers) > 1 and suffix != ".gpkg":
        raise ValueError(f"{dest}: several layers need a GeoPackage (.gpkg), got {suffix!r}")
    check_output(dest, overwrite=overwrite)
    if suffix == ".shp":
        _write_shapefile(next(iter(layers.values())), dest, overwrite=overwrite)
        return dest
    with atomic_file(dest, overwrite=overwrite) as tmp, reproducible_gpkg_env(stamp):
        for name, gdf in layers.items():
            if suffix in PARQUET_SUFFIXES:
                gdf.to_parquet(tmp, index=False)
            elif suffix == ".csv":
                _write_csv(gdf, tmp)
            else:
                driver = {".gpkg": "GPKG", ".fgb": "FlatGeobuf"}.get(suffix, "GeoJSON")
                append = tmp.exists() and driver == "GPKG"
                # GeoPackage 1.2: readable by every GDAL still in use (QGIS LTR included)
                opts = {"VERSION": "1.2"} if driver == "GPKG" and not append else None
                pyogrio.write_dataframe(
                    gdf,
                    tmp,
                    layer=name if driver == "GPKG" else None,
                    driver=driver,
                    append=append,
                    dataset_options=opts,
                )
    log.info("wrote %s (%s)", dest, ", ".join(f"{n}: {len(g)}" for n, g in layers.items()))
    return dest


#: Sidecar files of a Shapefile (lower case; GDAL writes them so).
_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj", ".shp.xml")


def _write_shapefile(gdf: gpd.GeoDataFrame, dest: Path, *, overwrite: bool) -> None:
    """Write a Shapefile (several files) in a temporary folder, then move its parts into place.

    Nothing is moved unless every part was written. An existing part of the same name (even
    without its ``.shp``) counts as an existing output; with ``overwrite`` the old parts that the
    new Shapefile does not have (a stale ``.qix`` index, a ``.prj``...) are removed.
    """
    long_names = [str(c) for c in gdf.columns if c != gdf.geometry.name and len(str(c)) > 10]
    if long_names:
        raise ValueError(
            f"{dest}: a Shapefile cannot hold column names longer than 10 characters "
            f"({', '.join(long_names)}): they would be cut and the layer would no longer match "
            "its schema. Write a GeoPackage (.gpkg) instead, or rename these columns."
        )
    old_parts = [dest.parent / f"{dest.stem}{ext}" for ext in _SHP_PARTS]
    old_parts = [q for q in old_parts if q.exists()]
    if old_parts and not overwrite:
        raise OutputExistsError(old_parts[0])
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{dest.name}.", dir=dest.parent) as tmp_name:
        tmp = Path(tmp_name)
        pyogrio.write_dataframe(gdf, tmp / dest.name, encoding="UTF-8")
        new_parts = sorted(tmp.iterdir())
        for q in old_parts:
            if q.name not in {n.name for n in new_parts}:
                q.unlink()
        for part in new_parts:
            os.replace(part, dest.parent / part.name)


def _write_csv(gdf: gpd.GeoDataFrame, path: Path) -> None:
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    geom = gdf.geometry
    if len(geom) and (geom.geom_type == "Point").all():
        df["x"], df["y"] = geom.x.round(3), geom.y.round(3)
    else:
        df["geometry"] = geom.to_wkt()
    df.to_csv(path, index=False, lineterminator="\n")


def _existing(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(p)
    if p.is_file() and p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty (0 bytes). Check that the export finished.")
    return p


def _unreadable(p: Path, exc: Exception) -> InputError:
    return InputError(
        f"{p}: GDAL cannot read this file ({type(exc).__name__}: {exc}). It may be truncated "
        "or not of the format its suffix says; export it again or check it with `ogrinfo`."
    )


__all__ = [
    "atomic_dir",
    "atomic_file",
    "list_layers",
    "read",
    "read_csv_fr",
    "read_points_csv",
    "sniff_csv",
    "to_number",
    "write",
    "write_layers",
]
