"""Whether text values are valid input of a PostgreSQL type, as ``pg_input_is_valid`` judges.

The suite dbt-grace-thd loads every field as text and tests its type with PostgreSQL 16's
``pg_input_is_valid(value, type)``; :func:`valid` gives the same verdict, vectorised, for the
types the suite uses:

* ``varchar``: any text;
* ``integer`` / ``bigint``: surrounding blanks, a sign, decimal digits or ``0x``/``0o``/``0b``
  literals, ``_`` between digits (PostgreSQL 16), within the 32-bit / 64-bit range;
* ``numeric``: the same plus a decimal point and an exponent, ``NaN`` and ``Infinity``;
* ``date`` under the server's default DateStyle ``ISO, MDY``: ``aaaa-mm-jj`` (also with ``/``
  or ``.``), ``mm/jj/aaaa`` and ``mm-jj-aa`` (month first), ``aaaammjj`` and ``aammjj``, month
  names (``Jan 8, 1999``, ``8 January 1999``, ``1999-Jan-08``, ``08-Jan-1999``), a time of day
  after the date, ``BC``/``AD``, ``epoch``, ``infinity``, ``today``, ``now``... with the day
  existing in the calendar (no 31 April, no 29 February outside leap years, no year 0).

Not for: other types, or DateStyles other than PostgreSQL's default.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_INT = re.compile(
    r"\s*[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|\d(?:_?\d)*)\s*"
)
_DIGITS = r"\d(?:_?\d)*"
_NUMERIC = re.compile(
    rf"\s*(?:[+-]?(?:(?:{_DIGITS})(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?\d+)?"
    r"|[+-]?0[xX](?:_?[0-9a-fA-F])+|[+-]?0[oO](?:_?[0-7])+|[+-]?0[bB](?:_?[01])+"
    r"|(?i:nan)|[+-]?(?i:infinity|inf))\s*"
)
_RANGE = {"integer": 2**31, "bigint": 2**63}
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}
_MON = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:[+-]\d{1,2}(?::?\d{2})?|z|utc))?)?"
_ERA = r"(?:\s+(?P<era>bc|ad))?"
_SPECIAL = {"epoch", "infinity", "-infinity", "+infinity", "today", "now", "tomorrow", "yesterday"}
#: Date forms under DateStyle ISO, MDY: (regex, year group holds 2 digits possibly).
_DATES = tuple(
    "(?i)^\\s*" + p + _TIME + _ERA + r"\s*$"
    for p in (
        r"(?P<y>\d{3,})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})",
        r"(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})[-/.](?P<y>\d{1,})",
        r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})",
        r"(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})",
        _MON + r"[ -]*(?P<d>\d{1,2}),?[ -]+(?P<y>\d{1,})",
        r"(?P<d>\d{1,2})[ -]+" + _MON + r"[ -]+(?P<y>\d{1,})",
        r"(?P<y>\d{3,})[ -]+" + _MON + r"[ -]+(?P<d>\d{1,2})",
    )
)


def valid(values: pd.Series, pg_type: str) -> pd.Series:
    """Whether each text value is valid input of ``pg_type``.

    Parameters
    ----------
    values
        Text values (not null; the suite skips null and blank values).
    pg_type
        ``varchar``, ``integer``, ``bigint``, ``numeric`` or ``date``.

    Returns
    -------
    pandas.Series
        Booleans, on the index of ``values``.
    """
    # arrow strings: their regular expressions run in C (RE2, whose syntax these patterns keep)
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        text = values
    else:
        text = pd.Series(values.astype(str).to_numpy(dtype=object), index=values.index).astype(
            "string[pyarrow]"
        )
    if pg_type in _RANGE:
        return _integers(text, _RANGE[pg_type])
    if pg_type == "numeric":
        return text.str.fullmatch(_NUMERIC.pattern).fillna(False).astype(bool)
    if pg_type == "date":
        return _dates(text)
    return pd.Series(True, index=values.index)


def _integers(text: pd.Series, bound: int) -> pd.Series:
    plain = text.str.fullmatch(r"[0-9]{1,9}").fillna(False).astype(bool)  # the usual case
    if plain.all():
        return plain
    ok = plain.copy()
    rest = text[~plain]
    ok[~plain] = _integers_in_full(rest, bound)
    return ok


def _integers_in_full(text: pd.Series, bound: int) -> pd.Series:
    ok = text.str.fullmatch(_INT.pattern).fillna(False).astype(bool)
    clean = text[ok].str.strip().str.replace("_", "", regex=False)
    digits = clean.str.lstrip("+-")
    # up to 9 decimal digits always fit in 32 bits; the others are judged one distinct value at
    # a time (they are few: large numbers or literals in another base)
    long = (digits.str.len() > 9) | digits.str.contains(r"[xXoObB]", regex=True)
    for v in pd.unique(clean[long]):
        n = int(str(v), 0) if not str(v).lstrip("+-").isdigit() else int(str(v))
        if not -bound <= n < bound:
            ok[clean.index[(clean == v).to_numpy()]] = False
    return ok


def _days(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    base = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    days = base[np.clip(month, 1, 12) - 1]
    return np.where((month == 2) & leap, 29, days)


def _dates(text: pd.Series) -> pd.Series:
    iso = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).to_numpy(dtype=bool)
    if not iso.any():
        return _dates_in_full(text)
    ok = pd.Series(False, index=text.index)
    v = text[iso]
    year = v.str.slice(0, 4).astype(np.int64).to_numpy()
    month = v.str.slice(5, 7).astype(np.int64).to_numpy()
    day = v.str.slice(8, 10).astype(np.int64).to_numpy()
    good = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _days(year, month))
    ok[v.index[good]] = True
    if not iso.all():
        ok[~iso] = _dates_in_full(text[~iso]).to_numpy()
    return ok


def _dates_in_full(text: pd.Series) -> pd.Series:
    ok = pd.Series(False, index=text.index)
    low = text.str.strip().str.lower()
    ok[(low.isin(_SPECIAL) | low.str.fullmatch(r"j\d+")).fillna(False).to_numpy(dtype=bool)] = True
    todo = ~ok
    for pattern in _DATES:
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        hit = parts["d"].notna().to_numpy(dtype=bool)
        if not hit.any():
            continue
        p = parts[hit]
        ytext = p["y"]
        year = ytext.astype(np.int64).to_numpy()
        short = (ytext.str.len() <= 2).to_numpy(dtype=bool)
        year = np.where(short, np.where(year < 70, 2000 + year, 1900 + year), year)
        if "mon" in p.columns:
            month = p["mon"].str.lower().map(_MONTHS).astype(np.int64).to_numpy()
        else:
            month = p["m"].astype(np.int64).to_numpy()
        day = p["d"].astype(np.int64).to_numpy()
        bc = (p["era"].str.lower() == "bc").fillna(False).to_numpy(dtype=bool)
        # the proleptic calendar of a BC year n is that of year 1 - n (1 BC is a leap year)
        cal = np.where(bc, 1 - year, year)
        good = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _days(cal, month))
        ok[p.index[good]] = True
        todo[p.index] = False
    return ok


__all__ = ["valid"]
