"""Small helpers shared by the v3 rules: row codes, filled values, finding building.

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


#: Columns already prepared in this check: (id(df), name) -> (df, values, given, text).
_CACHE: dict[tuple[int, str], tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]] = {}


def clear_cache() -> None:
    """Forget the columns prepared by :func:`col` and :func:`filled` (end of a check)."""
    _CACHE.clear()


def _prepared(df: pd.DataFrame, name: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    hit = _CACHE.get((id(df), name))
    if hit is not None and hit[0] is df:
        return hit[1], hit[2], hit[3]
    v = df[name]
    if v.isna().any():
        v = v.fillna("")
    if v.dtype != object:
        v = v.astype(str)
    # object dtype: its isin and map hash the values (arrow strings compare them one by one)
    values = pd.Series(v.to_numpy(dtype=object), index=df.index, dtype=object)
    arrow = pa.array(values.to_numpy(), type=pa.string())
    # blank after trimming is empty too; arrow trims in C
    blank = pc.equal(pc.utf8_trim_whitespace(arrow), "").to_numpy(zero_copy_only=False)
    given = pd.Series(~blank, index=df.index)
    text = pd.Series(pd.arrays.ArrowStringArray(arrow), index=df.index)
    _CACHE[(id(df), name)] = (df, values, given, text)
    return values, given, text


def col(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Column ``name`` as text (``""`` for null); an all-empty column when it is absent."""
    if df is None:
        return pd.Series([], dtype=object)
    if name not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return _prepared(df, name)[0]


def filled(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Whether each value of ``name`` is given (not null, not blank after trimming)."""
    if df is None:
        return pd.Series([], dtype=bool)
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return _prepared(df, name)[1]


def text(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as arrow strings (for regular expressions run in C)."""
    return _prepared(df, name)[2]


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


__all__ = ["Tables", "clear_cache", "codes", "col", "filled", "flag", "geoms", "sample", "text"]
