"""Write GraceTHD v2.0.1 tables as the delivery rules say.

Spatial tables are ESRI Shapefiles in Lambert-93 encoded in Windows-1252 (rule co_1_f00006,
declared in the ``.cpg``); the others are CSV files with a header line, ``;`` as separator, no
text delimiters, UTF-8 (rules co_1_f00002 to co_1_f00005). Every table has every field of the
standard in its order; booleans are written 0/1 (co_1_s00006), dates ``aaaa-mm-jj`` and
timestamps ``aaaa-mm-jj hh:mm:ss`` (co_1_s00003, co_1_s00005). A value holding ``;``, a line
break or a double quote is refused (co_1_s00001), since it could not be read back.

Not for: building the rows (:mod:`bthd.export.gracethd.network`, ``tables``).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from bthd.export._dbf import DbfField, write_shapefile
from bthd.export.gracethd.schema import (
    CSV_ENCODING,
    SHP_ENCODING,
    SPATIAL,
    fields,
)


def conform(table: str, df: pd.DataFrame, *, created: datetime) -> pd.DataFrame:
    """Every field of ``table`` in the standard's order; ``*_creadat`` is ``created``.

    Raises
    ------
    ValueError
        If ``df`` has a column that ``table`` does not have (a bug in the builder).
    """
    spec = fields()[table]
    names = [f.name for f in spec]
    geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    extra = [c for c in df.columns if c not in names and c != geom]
    if extra:
        raise ValueError(f"{table}: fields not in GraceTHD v2.0.1: {', '.join(extra)}")
    out = pd.DataFrame(index=df.index)
    stamp = created.strftime("%Y-%m-%d %H:%M:%S")
    for f in spec:
        if f.name in df.columns:
            col = df[f.name]
            if f.kind == "text" or col.dtype == object:
                # kept as Python objects: pandas would otherwise copy every text column into
                # Arrow strings and back again for the writers
                out[f.name] = pd.Series(col.to_numpy(dtype=object), index=out.index, dtype=object)
            else:
                out[f.name] = col.to_numpy()
        elif f.name.endswith("_creadat"):
            out[f.name] = stamp
        else:
            out[f.name] = None
    if geom is not None:
        return gpd.GeoDataFrame(out, geometry=df.geometry.to_numpy(), crs=df.crs)
    return out


def _texts(values: pd.Series, kind: str) -> list[str]:
    """A column as CSV cells: '' for null, booleans 0/1, integers without decimals, numbers
    with at most 2 decimals."""
    col = pd.Series(values.to_numpy(dtype=object), dtype=object)
    null = col.isna().to_numpy()
    if null.all():
        return [""] * len(col)
    if kind == "text":
        return [("" if z else str(v)) for v, z in zip(col, null, strict=True)]
    if kind == "bool":
        cells = ["1" if bool(v) else "0" for v in col]
    elif kind == "int":
        cells = [str(int(v)) if not z else "" for v, z in zip(col, null, strict=True)]
    elif kind == "float":
        cells = [
            f"{float(v):.2f}".rstrip("0").rstrip(".") if not z else ""
            for v, z in zip(col, null, strict=True)
        ]
    else:
        cells = [str(v) for v in col]
    return [("" if z else c) for c, z in zip(cells, null, strict=True)]


#: Characters a delivered value may not hold (co_1_s00001).
_FORBIDDEN = re.compile(r'[;\n\r"]')


def _may_hold_forbidden(values: pd.Series) -> bool:
    """Whether a text column may hold a forbidden character: one Arrow regex search over the
    column (its values as text), or a search over its distinct values when it is mixed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, from_pandas=True)
        if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
            arr = pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        distinct = pd.unique(values.to_numpy(dtype=object))
        return bool(_FORBIDDEN.search("\x00".join(map(str, distinct))))
    if not len(arr):
        return False
    return bool(pc.any(pc.match_substring_regex(arr, _FORBIDDEN.pattern)).as_py())


def _check_values(table: str, df: pd.DataFrame) -> None:
    bad = []
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):
            s = df[col].dropna()
            if not _may_hold_forbidden(s):
                continue  # the usual case, decided in C
            s = s.astype(str)
            hit = s[s.str.contains(_FORBIDDEN.pattern, regex=True)]
            if len(hit):
                bad.append(f"{col} ({len(hit)} values, e.g. {hit.iloc[0]!r})")
    if bad:
        raise ValueError(
            f"{table}: values holding ';', a line break or '\"' cannot be delivered "
            f"(GraceTHD rule co_1_s00001): {'; '.join(bad)}"
        )


def write_csv(table: str, df: pd.DataFrame, folder: Path) -> Path:
    """Write a non-spatial table as ``folder/<table>.csv``."""
    _check_values(table, df)
    kinds = {f.name: f.kind for f in fields()[table]}
    path = folder / f"{table}.csv"
    cols = [_texts(df[c], kinds[c]) for c in df.columns]
    lines = [";".join(df.columns), *(";".join(row) for row in zip(*cols, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding=CSV_ENCODING, newline="")
    return path


def write_shp(table: str, gdf: gpd.GeoDataFrame, folder: Path, *, created: datetime) -> list[Path]:
    """Write a spatial table as ``folder/<table>.shp`` (and its .shx, .dbf, .prj, .cpg).

    Field types follow the standard: VARCHAR and TIMESTAMP as text, INTEGER and NUMERIC as
    numbers, BOOLEAN as logical, DATE as date; each text field as wide as its longest value.
    """
    _check_values(table, pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    kind = {"int": "N", "float": "F", "bool": "L", "date": "D"}
    dbf = [
        DbfField(f.name, kind.get(f.kind, "C"), gdf[f.name].to_numpy(dtype=object))
        for f in fields()[table]
    ]
    return write_shapefile(
        gdf.geometry,
        folder / f"{table}.shp",
        dbf,
        updated=created.date(),
        encoding=SHP_ENCODING,
        geometry_type=SPATIAL[table],
    )
