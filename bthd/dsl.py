"""Copper (DSL) physics: line attenuation, downstream rate, rate classes, TV, montée en débit.

(Longer than the house's ~700 lines: one physical model whose functions share their
overloads and input alignment; its settings are in :mod:`bthd.settings.copper`.)

What this module is for
-----------------------
Turning copper-line geometry into the figures a planner of a public network compares with
FTTH, line by line and vectorised over the ~1.3 million lines of Brittany:

* :func:`line_length_m` and :func:`attenuation_db`: the length of a copper pair and its
  attenuation at 300 kHz, the French reference frequency (``docs/DOMAIN.md`` §5.3);
* :func:`downstream_rate_mbps`: the maximum theoretical downstream sync rate of ADSL2+ or
  ADSL1/2, interpolated linearly on attenuation in the published table, with VDSL2 on short
  lines;
* :func:`rate_class`, :func:`bon_haut_debit`, :func:`tres_haut_debit`: the six rate classes of
  the Observatoire France THD (``docs/DOMAIN.md`` §1) and the two usual thresholds;
* :func:`tv_eligibility`: TV over DSL (none / SD / HD);
* :func:`med_attenuation_db`: the effect of a *montée en débit* (MED, Orange's PRM offer) on a
  line: the DSLAM moves to the copper sub-distributor (SR), so the line's attenuation becomes
  that of its SR→premise segment.

Every constant (attenuation per km by gauge, rate tables, VDSL2 envelope, thresholds) is a field
of :class:`DslSettings`, with its source and confidence in the field's description; functions
take a ``settings`` keyword (default :data:`DSL`) so that a scenario can change any of them.
Per-line inputs are array-likes or pandas Series (metres, dB, Mbit/s); a Series in gives a
Series out on the same index.

What it is not for
------------------
Choosing which SRs get a MED (a planner, elsewhere), routing copper on the road graph
(:mod:`bthd.network`), FTTH eligibility, or aggregating coverage by area. Rates are the
modelled *maximum theoretical* sync rates used by the observatories, not measured throughput.

Glossary: NRA (*nœud de raccordement d'abonnés*) = copper central office holding the DSLAMs;
SR (*sous-répartiteur*) = copper sub-distributor between the NRA and the premises; a line in
*distribution directe* has no SR; PRM (*point de raccordement mutualisé*) = the NRA-MED cabinet
set next to an SR by a montée en débit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from bthd._errors import Problem, ValidationError, join_ids
from bthd.settings.copper import _GAUGE_TOL_MM, DSL, DslSettings, _check_mix, _fmt_gauges

log = logging.getLogger(__name__)

__all__ = [
    "BON_HAUT_DEBIT_MBPS",
    "DSL",
    "RATE_CLASSES",
    "RATE_CLASS_BOUNDS_MBPS",
    "RATE_CLASS_COLOURS",
    "RATE_CLASS_DTYPE",
    "TRES_HAUT_DEBIT_MBPS",
    "TV_LEVELS",
    "TV_LEVEL_DTYPE",
    "DslSettings",
    "attenuation_db",
    "bon_haut_debit",
    "downstream_rate_mbps",
    "ftth_rate_mbps",
    "line_length_m",
    "med_attenuation_db",
    "rate_class",
    "tres_haut_debit",
    "tv_eligibility",
]

#: A per-line input: a scalar, a sequence, a 1-D numpy array or a pandas Series.
Lines = npt.ArrayLike | pd.Series
#: Names of the DSL technologies whose rate table is known.
Technology = Literal["adsl2+", "adsl1/2"]
TECHNOLOGIES: tuple[str, ...] = ("adsl2+", "adsl1/2")


# --------------------------------------------------------------------------------------------
# Rate classes (Observatoire France THD, DOMAIN.md §1)
# --------------------------------------------------------------------------------------------

#: The six rate classes of the Observatoire France THD, from worst to best.
RATE_CLASSES: tuple[str, ...] = ("inéligible", "<3", "3–8", "8–30", "30–100", "≥100")
#: Lower bounds (Mbit/s, inclusive) of the classes "3–8", "8–30", "30–100", "≥100".
RATE_CLASS_BOUNDS_MBPS: tuple[float, ...] = (3.0, 8.0, 30.0, 100.0)
#: Ordered categorical dtype of :func:`rate_class`.
RATE_CLASS_DTYPE = pd.CategoricalDtype(list(RATE_CLASSES), ordered=True)
#: "Bon haut débit": at least 8 Mbit/s downstream.
BON_HAUT_DEBIT_MBPS = 8.0
#: "Très haut débit": at least 30 Mbit/s downstream.
TRES_HAUT_DEBIT_MBPS = 30.0
#: Map colours of the rate classes. ≥100 red, 30–100 orange, 8–30 yellow, inéligible grey come
#: from the observatory's maps; the classes below 8 Mbit/s continue the same sequential
#: ColorBrewer YlOrRd ramp towards its palest tints (darker = faster), so the classes read in
#: order and stay apart from the neutral grey of "inéligible". Hex RGB.
RATE_CLASS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "inéligible": "#969696",  # grey
        "<3": "#ffffcc",  # YlOrRd palest
        "3–8": "#ffeda0",  # pale yellow
        "8–30": "#fed976",  # yellow
        "30–100": "#fd8d3c",  # orange
        "≥100": "#e31a1c",  # red
    }
)

#: TV over DSL levels, from worst to best.
TV_LEVELS: tuple[str, ...] = ("none", "SD", "HD")
#: Ordered categorical dtype of :func:`tv_eligibility`.
TV_LEVEL_DTYPE = pd.CategoricalDtype(list(TV_LEVELS), ordered=True)


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _ids(mask: np.ndarray, index: pd.Index | None) -> tuple[str, ...]:
    """Labels of the lines where ``mask`` is true: index labels, else 'position N'."""
    pos = np.flatnonzero(np.atleast_1d(mask))
    if index is not None:
        return join_ids(index[pos])
    return tuple(f"position {p}" for p in pos)


def _as_float(x: Any, name: str) -> tuple[np.ndarray, pd.Index | None]:
    """A per-line input as a float array (NaN for missing) and its index if it is a Series."""
    index = x.index if isinstance(x, pd.Series) else None
    try:
        if isinstance(x, pd.Series):
            arr = x.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            name, [Problem(f"values are not numbers ({exc})", fix=f"give `{name}` numbers")]
        ) from exc
    if arr.ndim > 1:
        raise ValidationError(
            name,
            [Problem(f"has shape {arr.shape}, expected one value per line", fix="pass 1-D")],
        )
    return arr, index


def _align(
    value: Any, arr: np.ndarray, shape: tuple[int, ...], index: pd.Index | None, name: str
) -> np.ndarray:
    """Broadcast a scalar to ``shape``, or check that a per-line input matches the lines.

    ``arr`` is ``value`` converted to numpy; a Series must carry the lines' ``index``.
    """
    if isinstance(value, pd.Series) and index is not None and not value.index.equals(index):
        raise ValidationError(
            name,
            [
                Problem(
                    "its index differs from the index of the lines (first per-line input)",
                    fix=f"align it first, e.g. `{name}.reindex(lines.index)`",
                )
            ],
        )
    if arr.ndim == 0:
        return np.broadcast_to(arr, shape)
    if arr.shape != shape:
        raise ValidationError(
            name,
            [
                Problem(
                    f"has {arr.size} values for {int(np.prod(shape))} lines",
                    fix="give one value per line, or a single value for all lines",
                )
            ],
        )
    return arr


def _lengths(
    x: Any,
    name: str,
    *,
    unit: str = "m",
    shape: tuple[int, ...] | None = None,
    index: pd.Index | None = None,
    nan_ok: np.ndarray | None = None,
) -> tuple[np.ndarray, pd.Index | None]:
    """Lengths (or attenuations) as floats, checked finite and ≥ 0, every problem at once.

    With ``shape``, ``x`` is a secondary per-line input aligned on ``index``; ``nan_ok`` marks
    lines where a missing value is allowed.
    """
    arr, own = _as_float(x, name)
    if shape is not None:
        arr = _align(x, arr, shape, index, name)
    else:
        index = own
    nan = np.isnan(arr)
    if nan_ok is not None:
        nan = nan & ~nan_ok
    problems = []
    if np.any(nan):
        problems.append(
            Problem(
                "missing values (NaN)",
                _ids(nan, index),
                f"fill `{name}` ({unit}) on these lines or drop the lines before the call",
            )
        )
    neg = arr < 0
    if np.any(neg):
        problems.append(
            Problem(
                "negative values",
                _ids(neg, index),
                f"`{name}` is in {unit} and must be ≥ 0: check the sign or the source data",
            )
        )
    inf = np.isinf(arr)
    if np.any(inf):
        problems.append(
            Problem(
                "infinite values",
                _ids(inf, index),
                f"give finite `{name}` ({unit})",
            )
        )
    if problems:
        raise ValidationError(name, problems)
    return arr, index


def _flags(value: Any, shape: tuple[int, ...], index: pd.Index | None, name: str) -> np.ndarray:
    """A per-line flag (bool, or 0/1) as a bool array; missing or other values are an error."""
    if isinstance(value, pd.Series):
        raw = value.to_numpy() if value.dtype == bool else value.to_numpy(dtype=object)
    else:
        raw = np.asarray(value)
    if raw.ndim > 1:
        raise ValidationError(
            name, [Problem(f"has shape {raw.shape}, expected one flag per line", fix="pass 1-D")]
        )
    arr = _align(value, raw, shape, index, name)
    if arr.dtype == bool:
        return arr
    flat = np.atleast_1d(arr)
    bad = np.asarray(pd.isna(flat), dtype=bool)
    ok = ~bad
    bad[ok] = ~np.isin(flat[ok], [0, 1])
    if np.any(bad):
        raise ValidationError(
            name,
            [
                Problem(
                    "values that are not true/false",
                    _ids(bad, index),
                    f"give `{name}` as booleans (True/False or 1/0) on every line",
                )
            ],
        )
    return np.asarray(arr == 1, dtype=bool).reshape(shape)


def _wrap(values: Any, index: pd.Index | None, name: str) -> Any:
    """Return a Series on ``index`` when the input was a Series, else the values unchanged."""
    if index is None:
        return values
    return pd.Series(values, index=index, name=name, copy=False)


def _settings(settings: DslSettings | None) -> DslSettings:
    return DSL if settings is None else settings


def _known_gauges(s: DslSettings) -> tuple[np.ndarray, np.ndarray]:
    items = sorted(s.attenuation_db_per_km.items())
    gauges = np.array([g for g, _ in items], dtype=float)
    return gauges, np.array([k for _, k in items], dtype=float)


def _mix_k(mix: Mapping[float, float], s: DslSettings, source: str) -> float:
    """Mean attenuation per km (dB/km) of a gauge mix, checked."""
    _check_mix(mix, s.attenuation_db_per_km, source)
    gauges, ks = _known_gauges(s)
    return sum(
        float(share) * float(ks[np.argmin(np.abs(gauges - float(g)))]) for g, share in mix.items()
    )


def _gauge_k(
    gauge: Any, shape: tuple[int, ...], index: pd.Index | None, s: DslSettings, name: str
) -> np.ndarray:
    """Attenuation per km (dB/km) of each line's gauge (mm); unknown gauges are an error."""
    g, _ = _as_float(gauge, name)
    g = _align(gauge, g, shape, index, name)
    gauges, ks = _known_gauges(s)
    conditions = [np.abs(g - gk) <= _GAUGE_TOL_MM for gk in gauges]  # a loop over 4 gauges
    k = np.select(conditions, ks, default=np.nan)
    bad = np.isnan(k)
    if np.any(bad):
        shown = np.unique(np.atleast_1d(g)[np.atleast_1d(bad)])
        values = ", ".join("missing" if np.isnan(v) else f"{v:g} mm" for v in shown[:10])
        raise ValidationError(
            name,
            [
                Problem(
                    f"unknown gauges ({values})",
                    _ids(bad, index),
                    f"use gauges among {_fmt_gauges(s.attenuation_db_per_km)} mm, or leave the "
                    "gauge out to use a gauge mix",
                )
            ],
        )
    return k


def _k_per_line(
    shape: tuple[int, ...],
    index: pd.Index | None,
    gauge: Any,
    gauge_mix: Mapping[float, float] | None,
    s: DslSettings,
    name: str = "gauge",
) -> np.ndarray | float:
    """Attenuation per km (dB/km): from per-line gauges, else from the (default) gauge mix."""
    if gauge is not None:
        return _gauge_k(gauge, shape, index, s, name)
    return _mix_k(s.gauge_mix if gauge_mix is None else gauge_mix, s, "gauge_mix")


# --------------------------------------------------------------------------------------------
# Length and attenuation
# --------------------------------------------------------------------------------------------


@overload
def line_length_m(
    road_distance_m: pd.Series,
    *,
    detour_factor: float | None = ...,
    settings: DslSettings | None = ...,
) -> pd.Series: ...
@overload
def line_length_m(
    road_distance_m: npt.ArrayLike,
    *,
    detour_factor: float | None = ...,
    settings: DslSettings | None = ...,
) -> np.ndarray: ...
def line_length_m(
    road_distance_m: Lines,
    *,
    detour_factor: float | None = None,
    settings: DslSettings | None = None,
) -> pd.Series | np.ndarray:
    """Copper length of lines from their road distance.

    Parameters
    ----------
    road_distance_m
        Distance along the roads between the line's ends (NRA or SR to premise), in metres,
        one value per line; finite and ≥ 0.
    detour_factor
        Copper length / road distance (≥ 1); default ``settings.detour_factor`` (1.1, conf L).
    settings
        Copper constants; default :data:`DSL`.

    Returns
    -------
    pandas.Series or numpy.ndarray
        Copper length in metres, on the input's index (Series ``line_length_m``) when given a
        Series.

    Raises
    ------
    bthd.ValidationError
        Negative, missing or infinite distances, or a detour factor below 1.
    """
    s = _settings(settings)
    factor = s.detour_factor if detour_factor is None else float(detour_factor)
    if not (np.isfinite(factor) and factor >= 1.0):
        raise ValidationError(
            "detour_factor",
            [
                Problem(
                    f"detour factor {factor:g} is below 1",
                    fix="give copper length / road distance, at least 1 (default 1.1)",
                )
            ],
        )
    d, index = _lengths(road_distance_m, "road_distance_m")
    return _wrap(d * factor, index, "line_length_m")


@overload
def attenuation_db(
    length_m: pd.Series,
    *,
    gauge: Lines | None = ...,
    gauge_mix: Mapping[float, float] | None = ...,
    settings: DslSettings | None = ...,
) -> pd.Series: ...
@overload
def attenuation_db(
    length_m: npt.ArrayLike,
    *,
    gauge: Lines | None = ...,
    gauge_mix: Mapping[float, float] | None = ...,
    settings: DslSettings | None = ...,
) -> np.ndarray: ...
def attenuation_db(
    length_m: Lines,
    *,
    gauge: Lines | None = None,
    gauge_mix: Mapping[float, float] | None = None,
    settings: DslSettings | None = None,
) -> pd.Series | np.ndarray:
    """Attenuation of copper lines at 300 kHz: A = Σ_i L_i (km) × k(gauge_i) (dB/km).

    Parameters
    ----------
    length_m
        Copper length of each line (or of one segment of it) in metres; finite and ≥ 0.
    gauge
        Conductor diameter of each line in mm (one of the keys of
        ``settings.attenuation_db_per_km``: 0.4, 0.5, 0.6, 0.8), a scalar or one per line.
    gauge_mix
        Shares of each gauge along every line, e.g. ``{0.4: 0.5, 0.6: 0.5}`` (shares sum to 1):
        a line of length L has ``share × L`` of each gauge. Default ``settings.gauge_mix``
        when ``gauge`` is not given; giving both is an error.
    settings
        Copper constants; default :data:`DSL`.

    Returns
    -------
    pandas.Series or numpy.ndarray
        Attenuation in dB at 300 kHz, on the input's index (Series ``attenuation_db``) when
        given a Series.

    Raises
    ------
    bthd.ValidationError
        Negative, missing or infinite lengths; unknown or missing gauges; gauge shares that
        do not sum to 1; a per-line input whose length or index differs from ``length_m``'s.

    Examples
    --------
    >>> float(attenuation_db(2000.0, gauge=0.4))
    30.0
    >>> float(attenuation_db(1000.0))  # default mix: half 0.4 mm, half 0.6 mm
    12.65
    """
    s = _settings(settings)
    if gauge is not None and gauge_mix is not None:
        raise ValidationError(
            "gauge",
            [Problem("both `gauge` and `gauge_mix` were given", fix="give one of them, not both")],
        )
    length, index = _lengths(length_m, "length_m")
    k = _k_per_line(length.shape, index, gauge, gauge_mix, s)
    return _wrap(length / 1000.0 * k, index, "attenuation_db")


# --------------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------------


def _rate_curve(s: DslSettings, technology: str) -> tuple[np.ndarray, np.ndarray]:
    """Attenuation (dB) and rate (Mbit/s) points of a technology, table + anchors."""
    if technology not in TECHNOLOGIES:
        raise ValidationError(
            "technology",
            [Problem(f"unknown technology {technology!r}", fix=f"use one of {TECHNOLOGIES}")],
        )
    table = np.asarray(s.adsl_table, dtype=float)
    col = 3 if technology == "adsl2+" else 2
    att = np.append(table[:, 1], [s.anchor_attenuation_db, s.max_attenuation_db])
    rate = np.append(table[:, col], [s.anchor_rate_mbps, s.rate_at_max_attenuation_mbps])
    return att, rate


@overload
def downstream_rate_mbps(
    atten_db: pd.Series,
    *,
    length_m: Lines | None = ...,
    vdsl2: bool | Lines = ...,
    technology: Technology = ...,
    settings: DslSettings | None = ...,
) -> pd.Series: ...
@overload
def downstream_rate_mbps(
    atten_db: npt.ArrayLike,
    *,
    length_m: Lines | None = ...,
    vdsl2: bool | Lines = ...,
    technology: Technology = ...,
    settings: DslSettings | None = ...,
) -> np.ndarray: ...
def downstream_rate_mbps(
    atten_db: Lines,
    *,
    length_m: Lines | None = None,
    vdsl2: bool | Lines = True,
    technology: Technology = "adsl2+",
    settings: DslSettings | None = None,
) -> pd.Series | np.ndarray:
    """Maximum theoretical downstream rate of DSL lines from their attenuation.

    The ADSL rate is interpolated linearly on attenuation in ``settings.adsl_table``
    (DOMAIN.md §5.3) extended by the anchors 70 dB → 1 Mbit/s and 78 dB → 0.5 Mbit/s; it is
    flat (the table's first rate) below the first attenuation of the table. Lines above
    ``settings.max_attenuation_db`` (78 dB) are not eligible: rate 0, class ``inéligible``.
    With VDSL2 (technology ``"adsl2+"`` only) the rate is ``max(ADSL2+(A), VDSL2(d))`` where
    ``VDSL2(d)`` follows ``settings.vdsl2_envelope`` on the copper length ``d`` and joins the
    line's ADSL2+ rate linearly at ``settings.vdsl2_adsl2plus_length_m`` (1.5 km): VDSL2
    never lowers a rate and only helps lines shorter than 1.5 km.

    Parameters
    ----------
    atten_db
        Attenuation of each line at 300 kHz in dB (see :func:`attenuation_db`); finite, ≥ 0.
    length_m
        Copper length of each line in metres, from the DSLAM (NRA, or SR after a montée en
        débit); used by VDSL2 only. Default: inferred from the attenuation with the mean
        k of ``settings.gauge_mix`` (12.65 dB/km by default).
    vdsl2
        Whether each line can get VDSL2 (scalar or one bool per line). Default True: VDSL2 is
        allowed on every line fed from the NRA since October 2014 (DOMAIN.md §5.3, src P4).
    technology
        ``"adsl2+"`` (default) or ``"adsl1/2"`` (a DSLAM without ADSL2+; ``vdsl2`` is then not
        used).
    settings
        Copper constants; default :data:`DSL`.

    Returns
    -------
    pandas.Series or numpy.ndarray
        Downstream rate in Mbit/s (0 for ineligible lines), on the input's index (Series
        ``rate_mbps``) when given a Series. Non-increasing in attenuation and in length.

    Raises
    ------
    bthd.ValidationError
        Negative, missing or infinite attenuations or lengths; an unknown technology;
        ``vdsl2`` or ``length_m`` not aligned with ``atten_db``.

    Examples
    --------
    >>> float(downstream_rate_mbps(29.7, vdsl2=False))
    11.3
    >>> float(downstream_rate_mbps(79.0))
    0.0
    """
    s = _settings(settings)
    att, index = _lengths(atten_db, "atten_db", unit="dB")
    curve_att, curve_rate = _rate_curve(s, technology)
    rate = np.interp(att, curve_att, curve_rate)
    if technology == "adsl2+":
        capable = _flags(vdsl2, att.shape, index, "vdsl2")
        if np.any(capable):
            if length_m is None:
                k = _mix_k(s.gauge_mix, s, "settings.gauge_mix")
                length = att / k * 1000.0
                log.debug("VDSL2: copper length inferred from attenuation at %.2f dB/km", k)
            else:
                length, _ = _lengths(length_m, "length_m", shape=att.shape, index=index)
            rate = np.where(capable, np.maximum(rate, _vdsl2_rate(length, rate, s)), rate)
    rate = np.where(att > s.max_attenuation_db, 0.0, rate)
    return _wrap(rate, index, "rate_mbps")


def _vdsl2_rate(length: np.ndarray, adsl2plus: np.ndarray, s: DslSettings) -> np.ndarray:
    """VDSL2 envelope rate (Mbit/s) at copper ``length`` (m), joining ADSL2+ at 1.5 km."""
    env = np.asarray(s.vdsl2_envelope, dtype=float)
    last_len, last_rate = env[-1]
    envelope = np.interp(length, env[:, 0], env[:, 1])
    # between the last envelope point and the join length: linear from last_rate to ADSL2+
    w = np.clip((length - last_len) / (s.vdsl2_adsl2plus_length_m - last_len), 0.0, 1.0)
    joined = last_rate * (1.0 - w) + adsl2plus * w
    return np.where(length <= last_len, envelope, joined)


def ftth_rate_mbps(*, settings: DslSettings | None = None) -> float:
    """Nominal downstream rate of an FTTH line in Mbit/s (class ``≥100``).

    Parameters
    ----------
    settings
        Copper constants; default :data:`DSL` (``ftth_rate_mbps`` = 1000 Mbit/s, conf L).

    Returns
    -------
    float
        Rate in Mbit/s, e.g. to combine with DSL rates:
        ``np.where(raccordable, ftth_rate_mbps(), dsl_rate)``.
    """
    return float(_settings(settings).ftth_rate_mbps)


def _rates(rate_mbps: Lines, name: str = "rate_mbps") -> tuple[np.ndarray, pd.Index | None]:
    """Rates as floats; NaN (no service) allowed, negative values are an error."""
    r, index = _as_float(rate_mbps, name)
    neg = r < 0
    if np.any(neg):
        raise ValidationError(
            name,
            [
                Problem(
                    "negative rates",
                    _ids(neg, index),
                    "rates are in Mbit/s and ≥ 0 (0 or NaN = no service)",
                )
            ],
        )
    return r, index


@overload
def rate_class(rate_mbps: pd.Series) -> pd.Series: ...
@overload
def rate_class(rate_mbps: npt.ArrayLike) -> pd.Categorical: ...
def rate_class(rate_mbps: Lines) -> pd.Series | pd.Categorical:
    """Observatoire France THD rate class of each line.

    Classes (lower bounds inclusive): ``inéligible`` (rate 0 or NaN), ``<3`` (0 < r < 3),
    ``3–8``, ``8–30``, ``30–100``, ``≥100`` Mbit/s; so exactly 8.0 is ``8–30`` and exactly 30
    is ``30–100``. Every line gets exactly one class.

    Parameters
    ----------
    rate_mbps
        Downstream rate of each line in Mbit/s (≥ 0; 0 or NaN for no service).

    Returns
    -------
    pandas.Series or pandas.Categorical
        Ordered categorical of dtype :data:`RATE_CLASS_DTYPE`; a Series ``rate_class`` on the
        input's index when given a Series. Colours: :data:`RATE_CLASS_COLOURS`.

    Raises
    ------
    bthd.ValidationError
        Negative rates.
    """
    r, index = _rates(rate_mbps)
    r = np.atleast_1d(r)
    served = r > 0  # False for NaN
    codes = np.searchsorted(np.asarray(RATE_CLASS_BOUNDS_MBPS), r, side="right") + 1
    codes = np.where(served, codes, 0)
    cat = pd.Categorical.from_codes(codes, dtype=RATE_CLASS_DTYPE)
    if index is None:
        return cat
    return pd.Series(cat, index=index, name="rate_class")


@overload
def bon_haut_debit(rate_mbps: pd.Series) -> pd.Series: ...
@overload
def bon_haut_debit(rate_mbps: npt.ArrayLike) -> np.ndarray: ...
def bon_haut_debit(rate_mbps: Lines) -> pd.Series | np.ndarray:
    """Whether each line has "bon haut débit": a downstream rate ≥ 8 Mbit/s.

    Parameters
    ----------
    rate_mbps
        Downstream rate in Mbit/s (≥ 0; NaN = no service, False).

    Returns
    -------
    pandas.Series or numpy.ndarray
        Booleans, on the input's index (Series ``bon_haut_debit``) when given a Series.
    """
    r, index = _rates(rate_mbps)
    return _wrap(r >= BON_HAUT_DEBIT_MBPS, index, "bon_haut_debit")


@overload
def tres_haut_debit(rate_mbps: pd.Series) -> pd.Series: ...
@overload
def tres_haut_debit(rate_mbps: npt.ArrayLike) -> np.ndarray: ...
def tres_haut_debit(rate_mbps: Lines) -> pd.Series | np.ndarray:
    """Whether each line has "très haut débit": a downstream rate ≥ 30 Mbit/s.

    Parameters
    ----------
    rate_mbps
        Downstream rate in Mbit/s (≥ 0; NaN = no service, False).

    Returns
    -------
    pandas.Series or numpy.ndarray
        Booleans, on the input's index (Series ``tres_haut_debit``) when given a Series.
    """
    r, index = _rates(rate_mbps)
    return _wrap(r >= TRES_HAUT_DEBIT_MBPS, index, "tres_haut_debit")


@overload
def tv_eligibility(
    rate_mbps: pd.Series, *, nra_tv: bool | Lines, settings: DslSettings | None = ...
) -> pd.Series: ...
@overload
def tv_eligibility(
    rate_mbps: npt.ArrayLike, *, nra_tv: bool | Lines, settings: DslSettings | None = ...
) -> pd.Categorical: ...
def tv_eligibility(
    rate_mbps: Lines,
    *,
    nra_tv: bool | Lines,
    settings: DslSettings | None = None,
) -> pd.Series | pd.Categorical:
    """TV over DSL eligibility of each line: ``none``, ``SD`` or ``HD``.

    SD (MPEG-4) needs ≥ ``settings.tv_sd_mbps`` (4 Mbit/s), HD ≥ ``settings.tv_hd_mbps``
    (7 Mbit/s), and both need the line's DSLAM site (NRA, or its NRA of origin after a MED)
    to be TV-equipped (DOMAIN.md §5.3, src P3).

    Parameters
    ----------
    rate_mbps
        Downstream DSL rate of each line in Mbit/s (≥ 0; NaN = no service).
    nra_tv
        Whether the line's NRA is TV-equipped: a bool for all lines or one per line.
    settings
        Copper constants; default :data:`DSL`.

    Returns
    -------
    pandas.Series or pandas.Categorical
        Ordered categorical of dtype :data:`TV_LEVEL_DTYPE`; a Series ``tv`` on the input's
        index when given a Series.

    Raises
    ------
    bthd.ValidationError
        Negative rates; missing or non-boolean ``nra_tv``; ``nra_tv`` not aligned.
    """
    s = _settings(settings)
    r, index = _rates(rate_mbps)
    r = np.atleast_1d(r)
    tv = _flags(nra_tv, r.shape, index, "nra_tv")
    codes = np.select([tv & (r >= s.tv_hd_mbps), tv & (r >= s.tv_sd_mbps)], [2, 1], default=0)
    cat = pd.Categorical.from_codes(codes, dtype=TV_LEVEL_DTYPE)
    if index is None:
        return cat
    return pd.Series(cat, index=index, name="tv")


# --------------------------------------------------------------------------------------------
# Montée en débit
# --------------------------------------------------------------------------------------------


def med_attenuation_db(
    nra_sr_m: Lines,
    sr_premise_m: Lines,
    *,
    has_sr: bool | Lines,
    med: bool | Lines = True,
    nra_sr_gauge: Lines | None = None,
    sr_premise_gauge: Lines | None = None,
    gauge_mix: Mapping[float, float] | None = None,
    settings: DslSettings | None = None,
) -> pd.DataFrame:
    """Attenuation of lines before and after a montée en débit (PRM) at their SR.

    A line runs NRA → SR → premise (or NRA → premise in *distribution directe*, no SR).
    Before: A = A(NRA→SR) + A(SR→premise). After a PRM the DSLAM sits at the SR, so the line's
    attenuation becomes A(SR→premise) alone (DOMAIN.md §5.3). Lines without an SR, or whose
    SR gets no MED, keep their attenuation: after ≤ before everywhere.

    Parameters
    ----------
    nra_sr_m
        Copper length NRA→SR of each line in metres (≥ 0); the line's total copper length is
        ``nra_sr_m + sr_premise_m``. May be NaN (counted as 0) on lines without an SR.
    sr_premise_m
        Copper length SR→premise in metres (finite, ≥ 0); on a line in distribution directe,
        put its whole NRA→premise length here (and 0 or NaN in ``nra_sr_m``).
    has_sr
        Whether each line goes through an SR (scalar or one bool per line).
    med
        Whether a MED is done at each line's SR (scalar or one bool per line); default True
        (every SR). Ignored on lines without an SR.
    nra_sr_gauge, sr_premise_gauge
        Gauge in mm of each segment (scalar or per line), e.g. 0.6 for transport cables and
        0.4 for distribution; a segment without a gauge uses ``gauge_mix``.
    gauge_mix
        Shares of gauges for segments without a gauge; default ``settings.gauge_mix``.
    settings
        Copper constants; default :data:`DSL`.

    Returns
    -------
    pandas.DataFrame
        Columns ``before_db``, ``after_db``, ``gain_db`` (= before − after, ≥ 0), in dB at
        300 kHz, on the index of ``sr_premise_m`` (or ``nra_sr_m``) when a Series, else a
        RangeIndex. Rates follow with :func:`downstream_rate_mbps` on ``after_db``, with
        ``length_m=sr_premise_m`` for VDSL2 from the SR.

    Raises
    ------
    bthd.ValidationError
        Negative, missing or infinite lengths (NaN NRA→SR lengths on lines with an SR);
        unknown gauges; gauge shares not summing to 1; inputs not aligned.
    """
    s = _settings(settings)
    series = [x for x in (sr_premise_m, nra_sr_m) if isinstance(x, pd.Series)]
    index = series[0].index if series else None
    shape = np.broadcast_shapes(
        _as_float(sr_premise_m, "sr_premise_m")[0].shape, _as_float(nra_sr_m, "nra_sr_m")[0].shape
    )
    dist, _ = _lengths(sr_premise_m, "sr_premise_m", shape=shape, index=index)
    sr = _flags(has_sr, shape, index, "has_sr")
    transport, _ = _lengths(nra_sr_m, "nra_sr_m", shape=shape, index=index, nan_ok=~sr)
    transport = np.nan_to_num(transport, nan=0.0)  # NaN allowed (and 0) only without an SR
    does_med = _flags(med, shape, index, "med") & sr
    k_transport = _k_per_line(shape, index, nra_sr_gauge, gauge_mix, s, "nra_sr_gauge")
    k_dist = _k_per_line(shape, index, sr_premise_gauge, gauge_mix, s, "sr_premise_gauge")
    a_dist = dist / 1000.0 * k_dist
    before = np.atleast_1d(transport / 1000.0 * k_transport + a_dist)
    after = np.atleast_1d(np.where(does_med, a_dist, before))
    return pd.DataFrame(
        {"before_db": before, "after_db": after, "gain_db": before - after},
        index=index if index is not None else pd.RangeIndex(before.size),
    )
