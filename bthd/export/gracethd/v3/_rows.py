"""Helpers shared by the v3 rules: row codes, column values, lookups, finding building.

A regional delivery has millions of rows, so each column is prepared once per check and kept
until :func:`clear_cache`: its arrow strings (:func:`text`, for regular expressions run in C),
whether each value is given (:func:`filled`: not null, not blank after trimming), and, for the
columns that are looked up, Python strings (:func:`col`). Membership (:func:`isin`), repeated
values (:func:`repeated`) and key lookups (:func:`positions`, :func:`lookup`, a hash index per
key column) are vectorised; no rule loops over rows in Python.

Not for: the rules themselves (:mod:`~bthd.export.gracethd.v3.rules_generic`, ``rules_cond``,
``rules_topo``, ``rules_metier``).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bthd.export.gracethd.findings import Finding, ids
from bthd.export.gracethd.v3 import schema as s

Tables = dict[str, pd.DataFrame]


def codes(table: str, df: pd.DataFrame) -> pd.Series:
    """The code of each row: its primary key (``a/b`` for a composite one), else its line."""
    pk = s.primary_keys().get(table, ())
    if pk and all(c in df.columns for c in pk):
        out = df[pk[0]].astype(str)
        for c in pk[1:]:
            out = out + "/" + df[c].astype(str)
        return out
    return pd.Series([f"line {i + 2}" for i in range(len(df))], index=df.index, dtype=object)


#: Columns already prepared in this check: (id(df), name) -> [df, given, text, values].
_CACHE: dict[tuple[int, str], list[object]] = {}


#: Hash indexes of key columns: (id(df), name) -> (df, index of first occurrences, rows).
_KEYS: dict[tuple[int, str], tuple[pd.DataFrame, pd.Index, np.ndarray]] = {}


def clear_cache() -> None:
    """Forget the columns prepared by :func:`col` and :func:`filled` (end of a check)."""
    _CACHE.clear()
    _KEYS.clear()


def positions(df: pd.DataFrame | None, key: str, values: pd.Series) -> np.ndarray:
    """Row of ``df`` whose ``key`` is each of ``values`` (its first), -1 when none is."""
    if df is None or not len(df) or key not in df.columns:
        return np.full(len(values), -1, dtype=np.int64)
    hit = _KEYS.get((id(df), key))
    if hit is None or hit[0] is not df:
        k = col(df, key)
        first = ~k.duplicated().to_numpy()
        hit = (df, pd.Index(k.to_numpy()[first]), np.flatnonzero(first))
        _KEYS[(id(df), key)] = hit
    pos = hit[1].get_indexer(pd.Index(values.to_numpy(dtype=object)))
    return np.where(pos >= 0, hit[2][pos], -1)


def isin(df: pd.DataFrame | None, name: str, values: Iterable[object]) -> pd.Series:
    """Whether each value of column ``name`` is one of ``values`` (a hash set, in arrow)."""
    if df is None:
        return pd.Series([], dtype=bool)
    if name not in df.columns:
        return pd.Series("" in set(map(str, values)), index=df.index)
    arrow = pa.array(text(df, name))
    if isinstance(values, pd.Series) and isinstance(values.array, pd.arrays.ArrowStringArray):
        pool = pa.array(values)  # is_in hashes it once
    elif isinstance(values, pd.Series):
        pool = pa.array(values.astype(str).to_numpy(dtype=object), pa.string())
    else:
        pool = pa.array(sorted({str(v) for v in values}), pa.string())
    hit = pc.is_in(arrow, value_set=pool.cast(arrow.type))
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=df.index)


def repeated(values: pd.Series, given: pd.Series) -> pd.Series:
    """Whether each given value is shared with another given row (nulls and blanks apart)."""
    codes_, _ = pd.factorize(values)
    where = given.to_numpy(dtype=bool) & (codes_ >= 0)
    counts = np.bincount(codes_[where], minlength=int(codes_.max()) + 1 if len(codes_) else 0)
    dup = np.zeros(len(values), dtype=bool)
    dup[where] = counts[codes_[where]] > 1
    return pd.Series(dup, index=values.index)


def lookup(values: pd.Series, df: pd.DataFrame | None, key: str, field: str) -> pd.Series:
    """``field`` of the row of ``df`` whose ``key`` is each of ``values`` (``""`` if none)."""
    pos = positions(df, key, values)
    found = pos >= 0
    out = np.full(len(values), "", dtype=object)
    if found.any() and df is not None:
        out[found] = col(df, field).to_numpy()[pos[found]]
    return pd.Series(out, index=values.index, dtype=object)


def _prepared(df: pd.DataFrame, name: str) -> list[object]:
    """``[df, given, text, values or None]`` of a column, computed once per check."""
    hit = _CACHE.get((id(df), name))
    if hit is not None and hit[0] is df:
        return hit
    v = df[name]
    if v.isna().any():
        v = v.fillna("")
    if isinstance(v.array, pd.arrays.ArrowStringArray):
        arrow = pa.array(v)
    else:
        arrow = pa.array(v.astype(str).to_numpy(dtype=object), type=pa.string())
    # blank after trimming is empty too; arrow trims in C
    blank = pc.equal(pc.utf8_trim_whitespace(arrow), "").to_numpy(zero_copy_only=False)
    given = pd.Series(~blank, index=df.index)
    text = pd.Series(pd.arrays.ArrowStringArray(arrow), index=df.index)
    entry: list[object] = [df, given, text, None]
    _CACHE[(id(df), name)] = entry
    return entry


def col(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Column ``name`` as text (``""`` for null); an all-empty column when it is absent."""
    if df is None:
        return pd.Series([], dtype=object)
    if name not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    entry = _prepared(df, name)
    if entry[3] is None:
        # Python strings: pandas hashes them for isin and map (arrow strings it compares one
        # by one), so they are made for the columns that need them
        text = entry[2]
        assert isinstance(text, pd.Series)
        entry[3] = pd.Series(text.to_numpy(dtype=object), index=df.index, dtype=object)
    values = entry[3]
    assert isinstance(values, pd.Series)
    return values


def filled(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Whether each value of ``name`` is given (not null, not blank after trimming)."""
    if df is None:
        return pd.Series([], dtype=bool)
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    given = _prepared(df, name)[1]
    assert isinstance(given, pd.Series)
    return given


def text(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as arrow strings (for regular expressions run in C); ``""`` if absent."""
    if name not in df.columns:
        return pd.Series(pd.arrays.ArrowStringArray(pa.array([""] * len(df))), index=df.index)
    text = _prepared(df, name)[2]
    assert isinstance(text, pd.Series)
    return text


def geoms(df: pd.DataFrame | None) -> np.ndarray:
    """The geometries of a spatial table (an empty array when it has none)."""
    if isinstance(df, gpd.GeoDataFrame):
        return df.geometry.to_numpy()
    return np.array([], dtype=object)


def flag(
    out: list[Finding],
    control: str,
    table: str,
    df: pd.DataFrame,
    bad: pd.Series | np.ndarray,
    what: str,
    fix: str = "",
    severity: str = "error",
) -> None:
    """Append a finding naming the rows of ``df`` where ``bad`` is true (nothing if none)."""
    mask = np.asarray(bad, dtype=bool)
    if not mask.any():
        return
    rows = codes(table, df)[mask]
    out.append(Finding(control, table, what, ids(_unique(rows)), fix, severity))


def _unique(values: Iterable[object]) -> list[object]:
    return list(dict.fromkeys(values))


def sample(values: Iterable[object], n: int = 5) -> str:
    """A few distinct values, for a finding's text."""
    vals = [str(v) for v in _unique(values)]
    more = f", ... ({len(vals)} values)" if len(vals) > n else ""
    return ", ".join(vals[:n]) + more


__all__ = [
    "Tables",
    "clear_cache",
    "codes",
    "col",
    "filled",
    "flag",
    "geoms",
    "isin",
    "lookup",
    "positions",
    "repeated",
    "sample",
    "text",
]
