"""Small helpers shared by the v3 rules: row codes, filled values, finding building.

Not for: the rules themselves (:mod:`~bthd.export.gracethd.v3.rules_generic`, ``rules_cond``,
``rules_topo``, ``rules_metier``).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd.export.gracethd.findings import Finding, empty_values, ids
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


def col(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Column ``name`` as text (``""`` for null); an all-empty column when it is absent."""
    if df is None:
        return pd.Series([], dtype=object)
    if name not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[name].fillna("").astype(str)


def filled(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Whether each value of ``name`` is given (not null, not blank)."""
    if df is None:
        return pd.Series([], dtype=bool)
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return ~empty_values(df[name])


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


__all__ = ["Tables", "codes", "col", "filled", "flag", "geoms", "sample"]
