"""Read the files of a GraceTHD delivery as a receiving tool would, for any version.

Shapefiles are read with GDAL (pyogrio), CSV files as text split on ``;``; every value comes
back as the text a CSV would hold (``""`` for null), so that the checkers of v2.0.1
(:mod:`bthd.export.gracethd.check`) and v3.0.1 (:mod:`bthd.export.gracethd.v3.check`) judge
both formats alike. The problems of the files themselves (encoding, separator, header, text
delimiters, ``.cpg``, CRS, geometry type) go to a list of :class:`Finding`.

Not for: checking the values (the checkers do), writing a delivery.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyogrio

from bthd._errors import InputNotFoundError
from bthd.export.gracethd.findings import Finding


def resolve(folder: Path, tables: Collection[str]) -> Path:
    """The delivery folder: ``folder`` itself, or, for an export folder, the delivery of the
    version whose ``tables`` are asked (``gracethd-v3.0.1/`` when they include ``t_site``, else
    ``gracethd-v2.0.1/``; ``gracethd/`` of older exports).

    Raises
    ------
    bthd.InputNotFoundError
        If the folder does not exist.
    """
    if not folder.exists():
        raise InputNotFoundError(folder, "GraceTHD delivery")
    has = any((folder / f"{t}{ext}").exists() for t in tables for ext in (".shp", ".csv"))
    if not has:
        version = "3.0.1" if "t_site" in tables else "2.0.1"
        for name in (f"gracethd-v{version}", "gracethd"):
            if (folder / name).is_dir():
                return folder / name
    return folder


def read_csv(
    path: Path, known: Collection[str], out: list[Finding], *, as_object: bool = True
) -> pd.DataFrame:
    """A CSV table as text, every column ``object``; file problems go to ``out``.

    Parameters
    ----------
    path
        The CSV file.
    known
        The table's field names (to tell a header line from a data line).
    out
        Findings list to append to (co_1_f00002-5: header, separator, delimiters, UTF-8).
    as_object
        Columns of Python strings (``object``); else arrow strings, lighter and faster to
        read.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.append(
            Finding(
                "co_1_f00005",
                path.name,
                f"not UTF-8 (byte {exc.start})",
                fix="write the CSV files in UTF-8",
            )
        )
        text = raw.decode("cp1252", errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        out.append(Finding("co_1_f00002", path.name, "empty file, no header line"))
        return pd.DataFrame()
    first, _, rest = text.partition("\n")
    # the lines as one arrow array, split in C (a million lines would be a million str)
    lines = pc.split_pattern(pa.array([text]), "\n")[0].values
    if '"' in text:
        quoted = pc.match_substring(lines, '"').to_numpy(zero_copy_only=False)
        bad = [str(i + 1) for i in np.flatnonzero(quoted)]
        out.append(
            Finding(
                "co_1_f00004",
                path.name,
                'text delimiters (") found on lines',
                tuple(bad),
                "write values without quotes (and without ';' in them)",
            )
        )
    header = first.split(";")
    if len(header) == 1 and "," in first:
        out.append(
            Finding(
                "co_1_f00003",
                path.name,
                "the separator is not ';' (the header holds ',')",
                fix="write the CSV with ';' as separator",
            )
        )
    if not set(header) & set(known):
        out.append(
            Finding(
                "co_1_f00002",
                path.name,
                f"the first line is not a header of {path.stem} fields ({first[:60]!r})",
                fix="put the field names on the first line",
            )
        )
    body = lines[1:]
    counts = pc.count_substring(body, ";").to_numpy(zero_copy_only=False) + 1
    wrong = counts != len(header)
    if wrong.any():
        out.append(
            Finding(
                "co_1_f00003",
                path.name,
                f"lines with a number of fields other than the header's {len(header)}",
                tuple(str(i + 2) for i in np.flatnonzero(wrong)),
                "remove ';' from values",
            )
        )
        body = body.filter(pa.array(~wrong))
        rest = "\n".join(body.to_pylist())
    return _frame(body, rest, header, as_object)


def _frame(rows: pa.Array, text: str, header: list[str], as_object: bool) -> pd.DataFrame:
    """Lines of ``;``-separated text (all of ``len(header)`` fields) as a text DataFrame.

    ``rows`` are the lines, ``text`` the same lines joined by ``\\n``.
    """
    if not len(rows):
        return pd.DataFrame({h: pd.Series([], dtype=object) for h in header}, columns=header)
    if len(set(header)) != len(header) or "\r" in text:
        # repeated names, or a carriage return inside a value: split in Python
        split = [r.split(";") for r in rows.to_pylist()]
        return pd.DataFrame(split, columns=header, dtype=object)
    # every line has the header's number of fields (checked above): arrow's parser, with
    # quotes taken as data (reported above), no null and no type guessing
    names = [f"f{i}" for i in range(len(header))]
    table = pcsv.read_csv(
        io.BytesIO(text.encode("utf-8") + b"\n"),
        read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(
            delimiter=";", quote_char=False, escape_char=False, ignore_empty_lines=False
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    if not as_object:
        arrow = {h: pd.arrays.ArrowStringArray(table.column(i)) for i, h in enumerate(header)}
        return pd.DataFrame(arrow, columns=header)
    cols = {h: pd.Series(table.column(i).to_numpy(), dtype=object) for i, h in enumerate(header)}
    return pd.DataFrame(cols, columns=header)


def as_text(series: pd.Series, kind: str, *, as_object: bool = True) -> pd.Series:
    """Values of a Shapefile field as the text a CSV would hold (``""`` for null).

    ``kind`` is the field's kind in the schema (``int`` and ``bool`` values read as whole
    floats are written without ``.0``).
    """

    def one(v: object) -> str:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, np.datetime64) and np.isnat(v):
            return ""
        if isinstance(v, bool | np.bool_):
            return "1" if v else "0"
        if isinstance(v, pd.Timestamp | np.datetime64):
            return str(pd.Timestamp(v).date())
        if kind in ("int", "bool") and isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v)

    if not as_object and isinstance(series.array, pd.arrays.ArrowStringArray):
        return series.fillna("")  # arrow strings stay so (nulls as "")
    null = series.isna().to_numpy()
    if null.all():
        return pd.Series([""] * len(series), index=series.index, dtype=object)
    if pd.api.types.is_bool_dtype(series):
        text = np.where(series.to_numpy(dtype=bool), "1", "0").astype(object)
    elif pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    elif pd.api.types.is_integer_dtype(series):
        text = series.astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        whole = np.all(np.mod(values[~null], 1) == 0)
        if kind in ("int", "bool") and whole:
            text = np.nan_to_num(values).astype(np.int64).astype(str).astype(object)
        else:
            text = series.astype(str).to_numpy(dtype=object)
    elif pd.api.types.infer_dtype(series, skipna=True) == "string":
        text = series.to_numpy(dtype=object)
    elif pd.api.types.infer_dtype(series, skipna=True) == "date":  # datetime.date (arrow)
        text = series.astype(str).to_numpy(dtype=object)
    else:  # mixed values: one by one
        return pd.Series([one(v) for v in series], index=series.index, dtype=object)
    text = text.copy()
    text[null] = ""
    return pd.Series(text, index=series.index, dtype=object)


def read_shp(
    path: Path,
    geometry_type: str,
    kinds: Mapping[str, str],
    out: list[Finding],
    *,
    as_object: bool = True,
) -> gpd.GeoDataFrame | None:
    """A Shapefile table with its fields as text, or None when GDAL cannot read it.

    Parameters
    ----------
    path
        The ``.shp``.
    geometry_type
        The table's geometry type in the standard (``Point``, ``LineString``,
        ``MultiPolygon``; the single type is accepted for a multi one).
    kinds
        Field name → kind (``text``, ``int``, ``float``, ``bool``, ``date``...).
    out
        Findings list to append to (bthd_file, co_1_f00006 ``.cpg``, bthd_crs, bthd_geom).
    as_object
        Text fields as Python strings (``object``); else as arrow strings.
    """
    try:
        info = pyogrio.read_info(path)
        gdf = pyogrio.read_dataframe(path, use_arrow=True)
    except Exception as exc:  # GDAL's errors: a truncated or foreign file
        out.append(
            Finding("bthd_file", path.name, f"GDAL cannot read it ({exc})", fix="export it again")
        )
        return None
    if not path.with_suffix(".cpg").exists():
        out.append(
            Finding(
                "co_1_f00006",
                path.name,
                "no .cpg: the encoding is not declared",
                fix="write a .cpg (1252 or UTF-8)",
            )
        )
    crs = info.get("crs")
    if crs != "EPSG:2154":
        out.append(
            Finding(
                "bthd_crs",
                path.name,
                f"CRS {crs or 'missing'}, not EPSG:2154 (Lambert-93)",
                fix="reproject the table to EPSG:2154 and write its .prj",
            )
        )
    got = str(info.get("geometry_type"))
    if geometry_type.replace("Multi", "") not in got:
        out.append(
            Finding("bthd_geom", path.name, f"geometry type {got}, GraceTHD wants {geometry_type}")
        )
    geom = gdf.geometry
    text = pd.DataFrame(
        {
            c: as_text(gdf[c], kinds.get(c, "text"), as_object=as_object)
            for c in gdf.columns
            if c != geom.name
        }
    )
    return gpd.GeoDataFrame(text, geometry=geom.to_numpy(), crs=gdf.crs)


def read_all(
    path: Path,
    tables: Collection[str],
    spatial: Mapping[str, str],
    fields: Mapping[str, Mapping[str, str]],
    out: list[Finding],
    *,
    optional: Collection[str] = (),
    as_object: bool = True,
) -> dict[str, pd.DataFrame]:
    """Every table of the delivery found in ``path``; problems of the files go to ``out``.

    Parameters
    ----------
    path
        The delivery folder.
    tables
        Table names, in order.
    spatial
        Spatial table → geometry type; the others are CSV.
    fields
        Table → (field name → kind).
    out
        Findings list to append to.
    optional
        Tables whose absence is not reported here (the caller judges it); a table in the
        wrong format is reported all the same.
    as_object
        Text as Python strings (``object`` columns); else as arrow strings.

    Returns
    -------
    dict
        Table → DataFrame of text (GeoDataFrame for the spatial tables) for the tables read.
    """
    result: dict[str, pd.DataFrame] = {}
    for table in tables:
        shp, csv_path = path / f"{table}.shp", path / f"{table}.csv"
        if table in spatial and shp.exists():
            gdf = read_shp(shp, spatial[table], fields[table], out, as_object=as_object)
            if gdf is not None:
                result[table] = gdf
        elif table not in spatial and csv_path.exists():
            result[table] = read_csv(csv_path, list(fields[table]), out, as_object=as_object)
        else:
            want = shp.name if table in spatial else csv_path.name
            other = csv_path if table in spatial else shp
            if table in optional and not other.exists():
                continue
            hint = f" ({other.name} found: wrong format)" if other.exists() else ""
            out.append(
                Finding(
                    "co_1_f00001",
                    table,
                    f"table missing: no {want}{hint}",
                    fix="deliver spatial tables as Shapefile, the others as CSV",
                )
            )
    return result


__all__ = ["as_text", "read_all", "read_csv", "read_shp", "resolve"]
