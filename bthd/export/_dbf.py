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


def _nulls(values: Sequence[object]) -> np.ndarray:
    return np.asarray(pd.isna(pd.Series(np.asarray(values, dtype=object), dtype=object)))


def _decimals(values: np.ndarray) -> int:
    for d in range(7):
        if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9):
            return d
    return 6


def _block(cells: np.ndarray, width: int, n: int) -> np.ndarray:
    """Fixed-width bytes cells (``S`` array, NUL-padded) as an (n, width) block of spaces."""
    if n == 0:
        return np.zeros((0, width), dtype=np.uint8)
    block = np.frombuffer(cells.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(n, width)
    return np.where(block == 0, np.uint8(0x20), block)


def _ascii_block(values: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Text values as an (n, width) block of space-padded bytes, when they are all ASCII
    (the same bytes in every encoding bthd writes): built from Arrow's buffers, no loop in
    Python. None when a value is not ASCII (or not text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if len(arr) and not pc.all(pc.string_is_ascii(arr.fill_null(""))).as_py():
        return None
    arr = arr.fill_null("")
    lengths = pc.binary_length(arr).to_numpy(zero_copy_only=False)
    width = max(1, int(lengths.max()) if len(lengths) else 1)
    if width > MAX_WIDTH:
        return np.zeros((0, 0), dtype=np.uint8), width
    n = len(arr)
    # every value padded to the width with spaces by Arrow: the data buffer is then the block
    padded = pc.utf8_rpad(arr, width=width, padding=" ")
    if isinstance(padded, pa.ChunkedArray):
        padded = padded.combine_chunks()
    start = int(np.frombuffer(padded.buffers()[1], dtype=np.int32)[padded.offset])
    data = padded.buffers()[2]
    if n == 0 or data is None:
        return np.full((n, width), 0x20, dtype=np.uint8), width
    block = np.frombuffer(data, dtype=np.uint8, count=n * width, offset=start).reshape(n, width)
    return block, width


def _encoded(values: np.ndarray, encoding: str) -> np.ndarray:
    """Text values as an ``S`` array in ``encoding`` (null → ``b""``), each distinct value
    encoded once."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    texts = np.asarray([str(u) for u in uniques] + [""], dtype=str)
    try:
        enc = texts.astype("S")  # ASCII: numpy encodes in C
    except UnicodeEncodeError:
        enc = np.array([t.encode(encoding) for t in texts], dtype=object).astype("S")
    return enc[codes]  # the sentinel -1 takes the last, empty value


def _column(f: DbfField, encoding: str) -> tuple[np.ndarray, str, int, int]:
    """The field's records as an (n, width) block of bytes, its DBF type, width and decimals."""
    n = len(f.values)
    if n == 0:  # a table without records: the field is still declared
        kind = {"F": "N"}.get(f.kind, f.kind)
        width = {"L": 1, "D": 8, "F": 3}.get(f.kind, 1)
        return np.zeros((0, width), dtype=np.uint8), kind, width, 1 if f.kind == "F" else 0
    null = _nulls(f.values)
    vals = np.asarray(f.values, dtype=object)
    if f.kind == "C":
        if null.all():
            return np.full((n, 1), 0x20, dtype=np.uint8), "C", 1, 0
        fast = _ascii_block(vals)
        if fast is not None:
            block, width = fast
        else:
            cells = _encoded(vals, encoding)
            width = max(1, int(np.char.str_len(cells).max()))
            block = _block(cells, min(width, MAX_WIDTH), n)
        if width > MAX_WIDTH:
            raise ValueError(f"field {f.name}: a value is longer than {MAX_WIDTH} bytes")
        return block, "C", width, 0
    if f.kind == "L":
        cells = np.where(null, b"?", np.where(vals.astype(bool), b"T", b"F"))
        return _block(cells, 1, n), "L", 1, 0
    if f.kind == "D":
        dates = [
            b""
            if z
            else (v if isinstance(v, date) else pd.Timestamp(str(v)).date())
            .strftime("%Y%m%d")
            .encode("ascii")
            for v, z in zip(vals, null, strict=True)
        ]
        return _block(np.array(dates, dtype=object), 8, n), "D", 8, 0
    nums = np.full(n, np.nan)
    if (~null).any():
        nums[~null] = np.asarray(vals[~null], dtype=float)
    known = nums[~null]
    dec = _decimals(known) if len(known) else 0
    if f.kind == "F":
        dec = max(dec, 1)
    if dec == 0 and (len(known) == 0 or np.abs(known).max() < 2**53):
        whole = np.nan_to_num(nums).astype(np.int64).astype(str)  # as "%.0f" writes them
        text = np.where(null, "", whole)
    else:
        text = np.where(null, "", np.char.mod(f"%.{dec}f", np.nan_to_num(nums)))
    width = max(1, dec + 2 if dec else 1, int(np.char.str_len(text).max()) if n else 0)
    if width > 20:
        raise ValueError(f"field {f.name}: a number wider than 20 characters")
    right = np.char.rjust(text, width).astype(f"S{width}")
    return _block(right, width, n), "N", width, dec


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
    for block, _, width, _ in cols:
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
