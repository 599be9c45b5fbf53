"""Write GraceTHD v3.0.1 tables as the delivery rules say (the same rules as v2).

Spatial tables (:data:`bthd.export.gracethd.v3.schema.SPATIAL`) are ESRI Shapefiles in
Lambert-93, text in Windows-1252 (declared in the ``.cpg``); the others are CSV files with a
header line, ``;`` as separator, no text delimiters, UTF-8, ``\\n`` line ends. Every table has
every field of the suite in its order; null is an empty cell; booleans (l_bool) are ``0``/``1``,
dates ``aaaa-mm-jj``, numbers with ``.``. A value holding ``;``, a line break or a double quote
is refused, since it could not be read back.

Not for: building the rows (:mod:`bthd.export.gracethd.v3.network`, ``tables``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd.export._dbf import DbfField, write_shapefile
from bthd.export.gracethd.v3.schema import CSV_ENCODING, SHP_ENCODING, SPATIAL, fields
from bthd.export.gracethd.write import _check_values

#: DBF field type of each kind of field.
_DBF = {"int": "N", "float": "F", "date": "D", "text": "C"}


def conform(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Every field of ``table`` in the suite's order (absent ones null), geometry kept.

    Raises
    ------
    ValueError
        If ``df`` has a column that ``table`` does not have (a bug in the builder).
    """
    names = [f.name for f in fields()[table]]
    geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    extra = [c for c in df.columns if c not in names and c != geom]
    if extra:
        raise ValueError(f"{table}: fields not in GraceTHD v3.0.1 (suite): {', '.join(extra)}")
    n = len(df)
    # object columns: no string inference (pyarrow), values written as the schema says
    out = pd.DataFrame(
        {
            c: (df[c].to_numpy(dtype=object) if c in df.columns else np.full(n, None, object))
            for c in names
        },
        dtype=object,
    )
    if table in SPATIAL:
        geometry = list(df.geometry.to_numpy()) if geom is not None else []
        return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:2154")
    return out


def _cells(values: pd.Series, kind: str) -> np.ndarray:
    """A column as CSV cells (as :func:`bthd.export.gracethd.write._texts` writes them),
    column-wise: '' for null, integers without decimals, numbers with at most 2 decimals."""
    vals = values.to_numpy(dtype=object)
    null = pd.isna(vals)
    out = np.full(len(vals), "", dtype=object)
    if null.all():
        return out
    known = vals[~null]
    if kind == "int":
        out[~null] = known.astype(float).astype(np.int64).astype(str).astype(object)
    elif kind == "float":
        text = np.char.mod("%.2f", known.astype(float))
        out[~null] = np.char.rstrip(np.char.rstrip(text, "0"), ".").astype(object)
    elif pd.api.types.infer_dtype(known, skipna=False) == "string":
        out[~null] = known
    else:
        out[~null] = [str(v) for v in known]
    return out


def write_csv(table: str, df: pd.DataFrame, folder: Path) -> Path:
    """Write a non-spatial table as ``folder/<table>.csv``."""
    _check_values(table, df)
    kinds = {f.name: f.kind for f in fields()[table]}
    path = folder / f"{table}.csv"
    cols = [_cells(df[c], kinds[c]).tolist() for c in df.columns]
    body = "\n".join([";".join(df.columns), *map(";".join, zip(*cols, strict=True))]) + "\n"
    path.write_text(body, encoding=CSV_ENCODING, newline="")
    return path


def write_shp(table: str, gdf: gpd.GeoDataFrame, folder: Path, *, updated: date) -> list[Path]:
    """Write a spatial table as ``folder/<table>.shp`` (and its .shx, .dbf, .prj, .cpg)."""
    _check_values(table, pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    dbf = [
        DbfField(f.name, _DBF[f.kind], gdf[f.name].to_numpy(dtype=object)) for f in fields()[table]
    ]
    empty = len(gdf) == 0
    paths = write_shapefile(
        gdf.geometry,
        folder / f"{table}.shp",
        [DbfField(f.name, "C", []) for f in dbf] if empty else dbf,
        updated=updated,
        encoding=SHP_ENCODING,
        geometry_type=SPATIAL[table],
    )
    if empty:
        _retype(folder / f"{table}.dbf", [f.kind for f in dbf])
    return paths


def _retype(path: Path, kinds: list[str]) -> None:
    """Give the fields of a DBF without records their types (the DBF writer sizes numbers from
    their values, so it is given text fields for a table without rows)."""
    data = bytearray(path.read_bytes())
    size = {"C": (1, 0), "N": (1, 0), "F": (3, 1), "D": (8, 0)}
    record = 1
    for i, kind in enumerate(kinds):
        at = 32 + 32 * i
        width, dec = size[kind]
        data[at + 11] = ord("N" if kind == "F" else kind)
        data[at + 16] = width
        data[at + 17] = dec
        record += width
    data[10:12] = record.to_bytes(2, "little")
    path.write_bytes(bytes(data))
