"""Read an IPE (Informations Préalables Enrichies) file as a premises layer.

An infrastructure operator (OI) publishes its IPE to retail operators in the Interop'Fibre
format: one CSV line per building (``IdentifiantImmeuble``) of an address
(``CodeAdresseImmeuble``), with its dwellings (``NombreLogementsAdresseIPE``), its state
(``EtatImmeuble``), its PM (``ReferencePM``) and coordinates whose projection is given on each
line (``TypeProjectionGeographique``). :func:`read_ipe` turns it into the premises layer of
:mod:`bthd.schema`, plus the state and the PM; :func:`raccordable` tells which lines count as
*raccordables* (connectable).

States (``EtatImmeuble``, Interop'Fibre): CIBLE (in a PM's zone), SIGNE (convention signed
with the building manager), EN COURS DE DEPLOIEMENT, DEPLOYE (the PBO is installed and the
address offered to retail operators: *raccordable*), ABANDONNE, and in later versions RAD EN
COURS DE DEPLOIEMENT and RACCORDABLE DEMANDE (connectable on demand).

Not for: the ARCEP observatory tables (per-commune counts) or GraceTHD deliveries.
"""

from __future__ import annotations

import logging
import os
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from bthd._errors import InputError, Problem, ValidationError
from bthd.io import _existing
from bthd.io._csv import read_csv_fr, to_number
from bthd.io.ban import L93_BOUNDS, _duplicates, _missing
from bthd.io.ban import _line_labels as _ban_line_labels
from bthd.schema import PREMISES, validate
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Columns of an IPE line (Interop'Fibre) that bthd reads.
IPE_REQUIRED = (
    "IdentifiantImmeuble",
    "CodeInseeImmeuble",
    "NombreLogementsAdresseIPE",
    "EtatImmeuble",
    "CoordonneeImmeubleX",
    "CoordonneeImmeubleY",
    "TypeProjectionGeographique",
)
#: Other IPE columns whose spelling is normalised on read (the files vary in case).
IPE_COLUMNS = (
    *IPE_REQUIRED,
    "CodeAdresseImmeuble",
    "CodePostalImmeuble",
    "CommuneImmeuble",
    "TypeVoieImmeuble",
    "NomVoieImmeuble",
    "NumeroVoieImmeuble",
    "ComplementNumeroVoieImmeuble",
    "BatimentImmeuble",
    "DateCablageAdresse",
    "DateSignatureConvention",
    "ReferencePM",
    "EtatPM",
    "TypePBO",
    "TypeRaccoPBPTO",
    "CodeOI",
)
#: Columns bthd adds: the normalised ``EtatImmeuble``, ``ReferencePM``, ``EtatPM`` and
#: ``CodeAdresseImmeuble``.
STATE_COLUMN = "ipe_state"
PM_COLUMN = "pm_ref"
PM_STATE_COLUMN = "pm_state"
ADDRESS_COLUMN = "address_code"

#: Normalised ``EtatImmeuble`` values, in the order of deployment.
IPE_STATES = (
    "CIBLE",
    "SIGNE",
    "EN COURS DE DEPLOIEMENT",
    "DEPLOYE",
    "ABANDONNE",
    "RAD EN COURS DE DEPLOIEMENT",
    "RACCORDABLE DEMANDE",
)
#: Spellings seen for the states, after upper-casing and removing accents.
_STATE_ALIASES = {
    "EN COURS": "EN COURS DE DEPLOIEMENT",
    "EN COURS DEPLOIEMENT": "EN COURS DE DEPLOIEMENT",
    "RAD EN COURS": "RAD EN COURS DE DEPLOIEMENT",
    "RACCORDABLE A LA DEMANDE": "RACCORDABLE DEMANDE",
    "RACCORDABLE SUR DEMANDE": "RACCORDABLE DEMANDE",
}

#: ``TypeProjectionGeographique`` values (upper case, letters and digits only) → EPSG code.
PROJECTIONS: dict[str, int] = {
    **dict.fromkeys(
        (
            "L93",
            "LAMB93",
            "LAMBERT93",
            "RGF93",
            "RGF93L93",
            "RGF93LAMB93",
            "RGF93LAMBERT93",
            "LAMBERT93RGF93",
        ),
        2154,
    ),
    **dict.fromkeys(("WGS84", "WGS", "GPS", "WGS84GPS", "WGS84DD", "LATLON", "LONLAT"), 4326),
    **dict.fromkeys(("WEBMERCATOR", "PSEUDOMERCATOR", "WGS84WEBMERCATOR", "MERCATOR"), 3857),
    **dict.fromkeys(
        (
            "L2E",
            "LII",
            "LIIE",
            "LAMB2E",
            "LAMBERT2E",
            "LAMBERTIIE",
            "LAMBERT2ETENDU",
            "LAMBERTIIETENDU",
            "NTFLAMBERT2E",
        ),
        27572,
    ),
    **{f"CC{z}": 3900 + z for z in range(42, 51)},
    **{f"RGF93CC{z}": 3900 + z for z in range(42, 51)},
    # overseas: the IGN systems of each territory (RGAF09, RGFG95, RGR92, RGM04, RGSPM06)
    **dict.fromkeys(
        (
            "UTM20",
            "UTM20N",
            "RGAF09",
            "RGAF09UTM20",
            "RRAF91",
            "RRAF91UTM20",
            "WGS84UTM20",
            "WGS84UTM20N",
        ),
        5490,
    ),
    **dict.fromkeys(("UTM21", "UTM21N", "RGSPM06", "RGSPM06UTM21"), 4467),
    **dict.fromkeys(("UTM22", "UTM22N", "RGFG95", "RGFG95UTM22"), 2972),
    **dict.fromkeys(("UTM38", "UTM38S", "RGM04", "RGM04UTM38S"), 4471),
    **dict.fromkeys(("UTM40", "UTM40S", "RGR92", "RGR92UTM40S"), 2975),
}
#: EPSG codes of the overseas systems above (outside the area of Lambert-93).
_OVERSEAS = {5490, 4467, 2972, 4471, 2975}


def read_ipe(
    path: str | os.PathLike[str],
    *,
    default_crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read an IPE file (Interop'Fibre CSV) as premises in Lambert-93.

    Parameters
    ----------
    path
        The IPE CSV: ``;`` or ``,`` separated, UTF-8 or Latin-1, decimal points or commas (all
        sniffed), optionally gzipped.
    default_crs
        CRS of the coordinates of lines whose ``TypeProjectionGeographique`` is empty (or of
        every line when the column is absent), e.g. ``"EPSG:2154"``. By default such lines are
        an error.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:2154 conforming to :data:`bthd.schema.PREMISES`: ``premise_id``
        (``IdentifiantImmeuble``), ``insee_code`` (``CodeInseeImmeuble``), ``logements``
        (``NombreLogementsAdresseIPE``: the IPE counts lines, dwellings and business premises
        alike, so ``locaux_pro`` is 0 and ``kind`` is ``"residential"``), ``synthetic`` =
        False; then ``ipe_state`` (normalised ``EtatImmeuble``, one of :data:`IPE_STATES`),
        ``pm_ref`` (``ReferencePM``), ``pm_state`` (``EtatPM``), ``address_code``
        (``CodeAdresseImmeuble``) and the other IPE columns as text. The index is the row
        position in the file.

    Raises
    ------
    bthd.InputNotFoundError
        The file does not exist.
    bthd.InputError
        The file is empty or cannot be read as CSV.
    bthd.ValidationError
        Listing every problem at once: missing columns, unknown ``EtatImmeuble`` or
        ``TypeProjectionGeographique`` values (each listed), lines without coordinates or
        outside France, bad dwelling counts, duplicated ids.

    Notes
    -----
    ``TypeProjectionGeographique`` may be an EPSG code (``2154``, ``EPSG:4326``) or a name:
    Lambert-93 (``L93``, ``LAMB93``, ``RGF93``), WGS 84 (``WGS84``; values beyond ±180/±90 are
    taken as Web Mercator, as the Interop'Fibre specification's example has it), Lambert II
    étendu (``LAMB2E``), the CC42–CC50 zones, and the overseas UTM zones (``UTM20`` Antilles,
    ``UTM21`` Saint-Pierre-et-Miquelon, ``UTM22`` Guyane, ``UTM38S`` Mayotte, ``UTM40S`` La
    Réunion). Overseas lines are projected to Lambert-93, the working CRS, with a warning that
    it distorts distances there.
    """
    p = _existing(path)
    source = str(p)
    df = read_csv_fr(p)
    if df.empty:
        raise InputError(f"{p}: the IPE file has a header but no rows. Export it again.")
    df = df.rename(columns=_canonical_names(df.columns))
    required = [
        c
        for c in IPE_REQUIRED
        if not (c == "TypeProjectionGeographique" and default_crs is not None)
    ]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValidationError(
            source,
            [
                Problem(
                    f"missing IPE column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                    fix=f"export the IPE in the Interop'Fibre format; the file has "
                    f"{', '.join(map(str, df.columns[:15]))}"
                    + (
                        ""
                        if "TypeProjectionGeographique" not in missing
                        else " (without TypeProjectionGeographique, pass default_crs=...)"
                    ),
                )
            ],
            "premises (IPE)",
        )
    problems: list[Problem] = []

    # --- state ----------------------------------------------------------------------------
    state = normalise_state(df["EtatImmeuble"])
    unknown = state.notna() & ~state.isin(IPE_STATES)
    if unknown.any():
        shown = ", ".join(repr(v) for v in df.loc[unknown, "EtatImmeuble"].unique()[:20])
        problems.append(
            Problem(
                f"unknown EtatImmeuble values {shown}",
                _line_labels(df, unknown),
                f"use one of {', '.join(IPE_STATES)}",
            )
        )
    if state.isna().any():
        problems.append(
            Problem(
                "lines without EtatImmeuble",
                _line_labels(df, state.isna()),
                "fill EtatImmeuble on these lines",
            )
        )

    # --- dwellings ------------------------------------------------------------------------
    raw_logements = df["NombreLogementsAdresseIPE"]
    logements = to_number(raw_logements)
    bad_log = raw_logements.notna() & (logements.isna() | (logements % 1 != 0) | (logements < 0))
    if bad_log.any():
        examples = ", ".join(repr(v) for v in raw_logements[bad_log].unique()[:5])
        problems.append(
            Problem(
                f"NombreLogementsAdresseIPE is not a whole number >= 0 (e.g. {examples})",
                _line_labels(df, bad_log),
                "give the number of dwellings (lines) of each building",
            )
        )
    if raw_logements.isna().any():
        problems.append(
            Problem(
                "lines without NombreLogementsAdresseIPE",
                _line_labels(df, raw_logements.isna()),
                "fill NombreLogementsAdresseIPE on these lines",
            )
        )

    # --- coordinates ----------------------------------------------------------------------
    geom, coord_problems, bad_xy, overseas = _coordinates(df, default_crs)
    problems.extend(coord_problems)

    dup_problem, dup = _duplicates(df, "IdentifiantImmeuble")
    if dup_problem is not None:
        problems.append(dup_problem)
    empty_problems, empty = _missing(
        df, ["IdentifiantImmeuble", "CodeInseeImmeuble"], "IdentifiantImmeuble"
    )
    problems.extend(empty_problems)

    good = ~bad_xy & ~bad_log & raw_logements.notna() & ~dup & ~empty
    rows = df.loc[good]
    premises = pd.DataFrame(
        {
            PREMISES.id_column: rows["IdentifiantImmeuble"].str.strip(),
            "insee_code": rows["CodeInseeImmeuble"].str.strip(),
            "logements": logements[good].astype("Int64"),
            "locaux_pro": np.zeros(len(rows), dtype="int64"),
            "kind": "residential",
            "synthetic": False,
            STATE_COLUMN: state[good],
            PM_COLUMN: _text(rows, "ReferencePM"),
            PM_STATE_COLUMN: normalise_state(_text(rows, "EtatPM")),
            ADDRESS_COLUMN: _text(rows, "CodeAdresseImmeuble"),
        },
        index=rows.index,
    )
    used = [
        "IdentifiantImmeuble",
        "CodeInseeImmeuble",
        "NombreLogementsAdresseIPE",
        "EtatImmeuble",
        "ReferencePM",
        "EtatPM",
        "CodeAdresseImmeuble",
        "CoordonneeImmeubleX",
        "CoordonneeImmeubleY",
    ]
    extra = rows.drop(columns=used, errors="ignore")
    gdf = gpd.GeoDataFrame(
        pd.concat([premises, extra], axis=1), geometry=geom[good.to_numpy()], crs=WORK_CRS
    )
    if len(gdf):
        try:
            gdf = validate(gdf, "premises", source=source)
        except ValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationError(source, problems, "premises (IPE)")
    n_over = int(overseas[good].sum())
    if n_over:
        warnings.warn(
            f"{source}: {n_over} lines are overseas (UTM TypeProjectionGeographique); they were "
            "projected to Lambert-93, which distorts distances there",
            UserWarning,
            stacklevel=2,
        )
    log.info("%s: %d IPE lines read (%d logements)", source, len(gdf), int(gdf["logements"].sum()))
    return gdf


def normalise_state(state: pd.Series) -> pd.Series:
    """``EtatImmeuble`` (or ``EtatPM``) values in upper case, without accents or extra spaces.

    ``"Déployé"`` and ``"DEPLOYE "`` both become ``"DEPLOYE"``; ``"en_cours"`` becomes
    ``"EN COURS DE DEPLOIEMENT"``. Missing values stay missing.
    """
    txt = (
        state.astype("str")
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f]", "", regex=True)  # accents, once decomposed
        .str.upper()
        .str.replace(r"[\s_\-']+", " ", regex=True)
        .str.strip()
    )
    txt = txt.replace(_STATE_ALIASES)
    return txt.where(state.notna() & (txt != ""))


def raccordable(ipe_state: pd.Series | str, *, on_demand: bool = False) -> pd.Series | bool:
    """Whether IPE lines are *raccordables* (connectable): their state is DEPLOYE.

    Parameters
    ----------
    ipe_state
        ``EtatImmeuble`` values (normalised or not), or one value.
    on_demand
        Count RACCORDABLE DEMANDE (connectable on demand, later Interop versions) too.

    Returns
    -------
    pandas.Series or bool
        Booleans on the input's index (missing states are not raccordable), or one boolean.
    """
    states = ["DEPLOYE", "RACCORDABLE DEMANDE"] if on_demand else ["DEPLOYE"]
    if isinstance(ipe_state, str):
        return bool(normalise_state(pd.Series([ipe_state])).isin(states).iloc[0])
    return normalise_state(ipe_state).isin(states).rename("raccordable")


def projection_epsg(values: pd.Series) -> pd.Series:
    """EPSG codes (nullable integers) of ``TypeProjectionGeographique`` values; NA if unknown.

    A value is a name of :data:`PROJECTIONS` (compared in upper case, letters and digits only)
    or an EPSG code (``2154``, ``EPSG:2154``).
    """
    key = values.astype("str").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    codes = key.map(PROJECTIONS)
    digits = key.str.extract(r"^(?:EPSG|IGNF)?(\d{4,5})$", expand=False)
    for code in digits[codes.isna() & digits.notna()].unique():
        try:
            CRS.from_epsg(int(code))
        except ProjCRSError:
            continue
        codes = codes.where(~(digits == code), int(code))
    return codes.where(values.notna()).astype("Int64")


def _coordinates(
    df: pd.DataFrame, default_crs: str | int | None
) -> tuple[np.ndarray, list[Problem], pd.Series, pd.Series]:
    """Points in Lambert-93, the problems found, and masks of bad and overseas lines."""
    problems: list[Problem] = []
    n = len(df)
    x = to_number(df["CoordonneeImmeubleX"]).to_numpy(float)
    y = to_number(df["CoordonneeImmeubleY"]).to_numpy(float)
    no_xy = ~(np.isfinite(x) & np.isfinite(y))
    if no_xy.any():
        problems.append(
            Problem(
                "lines without numeric CoordonneeImmeubleX/Y",
                _line_labels(df, pd.Series(no_xy, index=df.index)),
                "fill the coordinates or remove these lines",
            )
        )
    if "TypeProjectionGeographique" in df.columns:
        proj = df["TypeProjectionGeographique"]
        epsg = projection_epsg(proj)
    else:
        proj = pd.Series(pd.NA, index=df.index, dtype="str")
        epsg = pd.Series(pd.NA, index=df.index, dtype="Int64")
    if default_crs is not None:
        default_epsg = CRS.from_user_input(default_crs).to_epsg()
        if default_epsg is None:
            raise ValueError(f"default_crs {default_crs!r} has no EPSG code; give one")
        epsg = epsg.where(proj.notna(), default_epsg)
    unknown = proj.notna() & epsg.isna()
    if unknown.any():
        shown = ", ".join(repr(v) for v in proj[unknown].unique()[:20])
        problems.append(
            Problem(
                f"unknown TypeProjectionGeographique values {shown}",
                _line_labels(df, unknown),
                "use an EPSG code (e.g. 2154) or one of L93, RGF93, WGS84, LAMB2E, CC42–CC50, "
                "UTM20, UTM21, UTM22, UTM38S, UTM40S",
            )
        )
    no_proj = epsg.isna() & ~unknown
    if no_proj.any():
        problems.append(
            Problem(
                "lines without TypeProjectionGeographique",
                _line_labels(df, no_proj),
                "fill it, or pass default_crs= (e.g. 'EPSG:2154') for these lines",
            )
        )
    code = epsg.fillna(0).astype("int64").to_numpy()
    # WGS 84 in the Interop'Fibre example means Web Mercator: metres where degrees cannot be
    web_mercator = (code == 4326) & ~no_xy & ((np.abs(x) > 180) | (np.abs(y) > 90))
    if web_mercator.any():
        log.info(
            "%d lines tagged WGS84 have metric coordinates: read as Web Mercator",
            int(web_mercator.sum()),
        )
        code = np.where(web_mercator, 3857, code)
    ex, ey = np.full(n, np.nan), np.full(n, np.nan)
    for c in np.unique(code[(code > 0) & ~no_xy]):
        sel = (code == c) & ~no_xy
        if c == 2154:
            ex[sel], ey[sel] = x[sel], y[sel]
        else:
            tr = Transformer.from_crs(f"EPSG:{c}", WORK_CRS, always_xy=True)
            ex[sel], ey[sel] = tr.transform(x[sel], y[sel])
    overseas = np.isin(code, list(_OVERSEAS))
    xmin, ymin, xmax, ymax = L93_BOUNDS
    inside = (
        np.isfinite(ex)
        & np.isfinite(ey)
        & (ex >= xmin)
        & (ex <= xmax)
        & (ey >= ymin)
        & (ey <= ymax)
    )
    outside = (code > 0) & ~no_xy & ~overseas & ~inside
    if outside.any():
        problems.append(
            Problem(
                "coordinates outside metropolitan France for their TypeProjectionGeographique",
                _line_labels(df, pd.Series(outside, index=df.index)),
                "check that X and Y are not swapped and that TypeProjectionGeographique is right",
            )
        )
    bad = no_xy | (code == 0) | outside | ~np.isfinite(ex) | ~np.isfinite(ey)
    geom = shapely.points(np.where(bad, 0.0, ex), np.where(bad, 0.0, ey))
    return (
        geom,
        problems,
        pd.Series(bad, index=df.index),
        pd.Series(overseas & ~bad, index=df.index),
    )


def _canonical_names(columns: pd.Index) -> dict[str, str]:
    """Rename IPE columns spelt in another case (``identifiantimmeuble``) to their spelling."""
    canon = {c.lower(): c for c in IPE_COLUMNS}
    out = {}
    for c in columns:
        key = re.sub(r"\s+", "", str(c)).lower()
        if key in canon and c != canon[key] and canon[key] not in columns:
            out[c] = canon[key]
    return out


def _text(df: pd.DataFrame, column: str) -> pd.Series:
    if column in df.columns:
        return df[column].str.strip()
    return pd.Series(pd.NA, index=df.index, dtype="str")


def _line_labels(df: pd.DataFrame, mask: pd.Series) -> tuple[str, ...]:
    """'line N (IdentifiantImmeuble)' of the masked rows; the header is line 1."""
    return _ban_line_labels(df, mask, "IdentifiantImmeuble")


__all__ = [
    "IPE_COLUMNS",
    "IPE_REQUIRED",
    "IPE_STATES",
    "PROJECTIONS",
    "normalise_state",
    "projection_epsg",
    "raccordable",
    "read_ipe",
]
