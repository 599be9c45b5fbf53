"""A dBASE III table writer for Shapefiles, with every field as wide as its longest value.

GDAL writes text fields 80 characters wide unless told their width, and its ``RESIZE`` option
(which shrinks them on close) rewrites the file once per field: minutes for a million
addresses. This writer sizes each field from its values (at least 1, at most 254 bytes), writes
the date of last update it is given (for byte-identical files), and leaves the code page to
the ``.cpg`` beside it (language driver byte 0). GDAL reads the result back as usual.

Not for: the ``.shp``/``.shx`` geometry files (GDAL writes them).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

#: Widest DBF field (bytes).
MAX_WIDTH = 254


@dataclass(frozen=True)
class DbfField:
    """One field to write: ``kind`` is C (text), N (number), F (real number, written as N with
    at least one decimal so that readers take it as real), L (logical) or D (date)."""

    name: str
    kind: str
    values: Sequence[object]


def _null(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and np.isnan(v)


def _decimals(values: np.ndarray) -> int:
    for d in range(7):
        if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9):
            return d
    return 6


def _column(f: DbfField, encoding: str) -> tuple[list[bytes], str, int, int]:
    """Encoded cells, DBF type, width and decimals of a field."""
    if f.kind == "C":
        cells = [b"" if _null(v) else str(v).encode(encoding) for v in f.values]
        width = max([1, *(len(c) for c in cells)])
        if width > MAX_WIDTH:
            raise ValueError(f"field {f.name}: a value is longer than {MAX_WIDTH} bytes")
        return [c.ljust(width) for c in cells], "C", width, 0
    if f.kind == "L":
        cells = [b"?" if _null(v) else (b"T" if bool(v) else b"F") for v in f.values]
        return cells, "L", 1, 0
    if f.kind == "D":
        out = []
        for v in f.values:
            if _null(v):
                out.append(b" " * 8)
            else:
                d = v if isinstance(v, date) else pd.Timestamp(str(v)).date()
                out.append(d.strftime("%Y%m%d").encode("ascii"))
        return out, "D", 8, 0
    nums = np.array([np.nan if _null(v) else float(str(v)) for v in f.values], dtype=float)
    known = nums[~np.isnan(nums)]
    dec = _decimals(known) if len(known) else 0
    if f.kind == "F":
        dec = max(dec, 1)
    text = [b"" if np.isnan(x) else f"{x:.{dec}f}".encode("ascii") for x in nums]
    width = max([1, dec + 2 if dec else 1, *(len(t) for t in text)])
    if width > 20:
        raise ValueError(f"field {f.name}: a number wider than 20 characters")
    return [t.rjust(width) for t in text], "N", width, dec


def write_dbf(
    path: str | Path, fields: Sequence[DbfField], *, updated: date, encoding: str
) -> None:
    """Write a dBASE III file.

    Parameters
    ----------
    path
        The ``.dbf`` to write (replaced if it exists).
    fields
        The fields, in order, with one value per record each (None for null).
    updated
        Date of last update written in the header.
    encoding
        Encoding of text values (declare it in a ``.cpg`` beside the file).

    Raises
    ------
    ValueError
        For a field name longer than 10 characters, fields of unequal length, or a value
        wider than a DBF field can be.
    """
    n = len(fields[0].values) if fields else 0
    cols = []
    for f in fields:
        if len(f.name.encode("ascii")) > 10:
            raise ValueError(f"DBF field name {f.name!r} is longer than 10 characters")
        if len(f.values) != n:
            raise ValueError(f"field {f.name}: {len(f.values)} values for {n} records")
        cols.append(_column(f, encoding))
    record = 1 + sum(c[2] for c in cols)
    header_len = 32 + 32 * len(cols) + 1
    head = struct.pack(
        "<BBBBIHH20x",
        0x03,
        updated.year - 1900,
        updated.month,
        updated.day,
        n,
        header_len,
        record,
    )
    descs = b"".join(
        struct.pack("<11sc4xBB14x", f.name.encode("ascii"), kind.encode("ascii"), width, dec)
        for f, (_, kind, width, dec) in zip(fields, cols, strict=True)
    )
    body = np.full((n, record), 0x20, dtype=np.uint8)
    pos = 1
    for cells, _, width, _ in cols:
        if n:
            block = np.frombuffer(b"".join(cells), dtype=np.uint8).reshape(n, width)
            body[:, pos : pos + width] = block
        pos += width
    with open(path, "wb") as fh:
        fh.write(head + descs + b"\r")
        fh.write(body.tobytes())
        fh.write(b"\x1a")


def write_shapefile(
    geometry: object,
    path: str | Path,
    fields: Sequence[DbfField],
    *,
    updated: date,
    encoding: str,
    geometry_type: str | None = None,
) -> list[Path]:
    """Write a Shapefile: geometry by GDAL (.shp, .shx, .prj), attributes by :func:`write_dbf`.

    Parameters
    ----------
    geometry
        A GeoSeries (with its CRS) of the records' geometries.
    path
        The ``.shp`` to write; its parts are written beside it.
    fields, updated, encoding
        As for :func:`write_dbf`; ``encoding`` is declared in the ``.cpg``.
    geometry_type
        GDAL geometry type to declare (e.g. ``MultiPolygon``); by default from the data.

    Returns
    -------
    list of Path
        The five files written.
    """
    import geopandas as gpd
    import pyogrio

    p = Path(path)
    gdf = gpd.GeoDataFrame(geometry=geometry)
    pyogrio.write_dataframe(gdf, p, driver="ESRI Shapefile", geometry_type=geometry_type)
    write_dbf(p.with_suffix(".dbf"), fields, updated=updated, encoding=encoding)
    cpg = {"utf-8": "UTF-8", "cp1252": "CP1252"}.get(encoding.lower(), encoding.upper())
    p.with_suffix(".cpg").write_text(cpg, encoding="ascii")
    return sorted(p.parent / f"{p.stem}{ext}" for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
