"""Read the Base Adresse Nationale (BAN) as a premises layer.

The BAN publishes one CSV per département (``adresses-35.csv.gz`` on adresse.data.gouv.fr,
Licence Ouverte 2.0): ``;``-separated UTF-8, one row per address point, with Lambert-93
coordinates ``x``/``y`` and WGS 84 ``lon``/``lat``. :func:`read_ban` turns it into the premises
layer of :mod:`bthd.schema` (one premise per address).

The BAN has **no dwelling counts**: every address gets ``logements_per_address`` dwellings (1 by
default) and no business premises. A block of 40 flats is one address, so counts of locaux from
the BAN are a floor; use the IPE (:mod:`bthd.io.ipe`) or INSEE figures when they matter.

Not for: Bases Adresses Locales (BAL, ``cle_interop`` columns) or the BAN API.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from bthd._errors import InputError, Problem, ValidationError
from bthd.io import _existing
from bthd.io._csv import read_csv_fr, to_number
from bthd.schema import PREMISES, validate
from bthd.settings import WORK_CRS

log = logging.getLogger(__name__)

#: Columns of the BAN CSV export (format of adresse.data.gouv.fr, ``adresses-XX.csv``).
BAN_COLUMNS = (
    "id",
    "id_fantoir",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "code_insee_ancienne_commune",
    "nom_ancienne_commune",
    "x",
    "y",
    "lon",
    "lat",
    "type_position",
    "alias",
    "nom_ld",
    "libelle_acheminement",
    "nom_afnor",
    "source_position",
    "source_nom_voie",
    "certification_commune",
    "cad_parcelles",
)
#: BAN columns a premises layer cannot do without (plus ``x``/``y`` or ``lon``/``lat``).
BAN_REQUIRED = ("id", "code_insee")

#: Lambert-93 coordinates of metropolitan France and Corsica, in metres (with a margin).
L93_BOUNDS = (-400_000.0, 6_000_000.0, 1_300_000.0, 7_200_000.0)


def read_ban(
    path: str | os.PathLike[str],
    *,
    insee: str | int | Iterable[str | int] | None = None,
    logements_per_address: int = 1,
) -> gpd.GeoDataFrame:
    """Read a BAN address file as premises in Lambert-93.

    Parameters
    ----------
    path
        A BAN CSV (``adresses-35.csv``) or its gzipped download (``adresses-35.csv.gz``).
        The separator and the encoding are sniffed (``;`` and UTF-8 in the published files).
    insee
        Keep only these communes (INSEE codes, e.g. ``"35238"`` or ``["22093", "22187"]``).
    logements_per_address
        Dwellings given to every address, since the BAN does not count them (default 1).

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:2154 conforming to :data:`bthd.schema.PREMISES`: ``premise_id`` (the BAN
        ``id``), ``insee_code`` (``code_insee``), ``logements`` (``logements_per_address``),
        ``locaux_pro`` = 0, ``kind`` = ``"residential"``, ``synthetic`` = False; then the other
        BAN columns as text (``numero``, ``rep``, ``nom_voie``, ``code_postal``,
        ``nom_commune``...). ``x``/``y``/``lon``/``lat`` are in the geometry. The index is the
        row position in the file (0 = first data line).

    Raises
    ------
    bthd.InputNotFoundError
        The file does not exist.
    bthd.InputError
        The file is empty, damaged, or no row is left for ``insee``.
    bthd.ValidationError
        Listing every problem at once: missing columns, rows without usable coordinates (with
        their line numbers), missing or duplicated ids, missing INSEE codes.

    Notes
    -----
    Coordinates come from ``x``/``y`` (Lambert-93). A row whose ``x``/``y`` are missing or lie
    outside metropolitan France takes ``lon``/``lat`` instead (the overseas files give ``x``/``y``
    in local projections); Lambert-93 is the working CRS, so overseas points are projected into
    it, with a warning that distances are distorted there.
    """
    if logements_per_address < 0:
        raise ValueError(f"logements_per_address must be >= 0, got {logements_per_address}")
    p = _existing(path)
    source = str(p)
    df = read_csv_fr(p)
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(f"{p}: the BAN file has a header but no rows. Download it again.")
    has_xy = {"x", "y"} <= set(df.columns)
    has_lonlat = {"lon", "lat"} <= set(df.columns)
    missing = [c for c in BAN_REQUIRED if c not in df.columns]
    if not (has_xy or has_lonlat):
        missing.append("x/y (or lon/lat)")
    if missing:
        hint = " (this looks like a Base Adresse Locale)" if "cle_interop" in df.columns else ""
        raise ValidationError(
            source,
            [
                Problem(
                    f"missing BAN column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)}{hint}",
                    fix="use a BAN export of adresse.data.gouv.fr "
                    f"(columns {', '.join(BAN_COLUMNS)}); "
                    f"the file has {', '.join(map(str, df.columns[:15]))}",
                )
            ],
            "premises (BAN)",
        )
    if insee is not None:
        df = _select_communes(df, insee, source)

    problems: list[Problem] = []
    geom, bad = _coordinates(df, has_xy=has_xy, has_lonlat=has_lonlat)
    if bad.any():
        problems.append(
            Problem(
                "rows without usable coordinates (x/y missing, not numbers or outside metropolitan "
                "France, and no lon/lat to fall back on)",
                _line_labels(df, bad),
                "fill x/y (Lambert-93, metres) or lon/lat (WGS 84, degrees), or remove these rows",
            )
        )
    dup_problem, dup = _duplicates(df, "id")
    if dup_problem is not None:
        problems.append(dup_problem)
    empty_problems, empty = _missing(df, ["id", "code_insee"], "id")
    problems.extend(empty_problems)
    bad = bad | dup | empty
    good = df.loc[~bad]
    premises = gpd.GeoDataFrame(
        {
            PREMISES.id_column: good["id"].str.strip(),
            "insee_code": good["code_insee"].str.strip(),
            "logements": np.full(len(good), logements_per_address, dtype="int64"),
            "locaux_pro": np.zeros(len(good), dtype="int64"),
            "kind": "residential",
            "synthetic": False,
        },
        index=good.index,
    )
    extra = good.drop(columns=["id", "code_insee", "x", "y", "lon", "lat"], errors="ignore")
    premises = gpd.GeoDataFrame(
        pd.concat([premises, extra], axis=1), geometry=geom[~bad.to_numpy()], crs=WORK_CRS
    )
    if len(premises):
        try:
            premises = validate(premises, "premises", source=source)
        except ValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationError(source, problems, "premises (BAN)")
    _warn_outside(premises, source)
    log.info("%s: %d BAN addresses read", source, len(premises))
    return premises


def _select_communes(
    df: pd.DataFrame, insee: str | int | Iterable[str | int], source: str
) -> pd.DataFrame:
    codes = [insee] if isinstance(insee, str | int) else list(insee)
    wanted = {str(c).strip().zfill(5) for c in codes}
    present = set(df["code_insee"].dropna().str.strip())
    absent = sorted(wanted - present)
    if absent == sorted(wanted):
        shown = ", ".join(sorted(present)[:12]) + (" ..." if len(present) > 12 else "")
        raise InputError(
            f"{source}: no address of commune{'s' if len(absent) > 1 else ''} "
            f"{', '.join(absent)}; the file has {shown}. Check the INSEE codes (not postcodes) "
            "and the département of the file."
        )
    if absent:
        log.warning("%s: no address of communes %s", source, ", ".join(absent))
    return df.loc[df["code_insee"].str.strip().isin(wanted)]


def _coordinates(
    df: pd.DataFrame, *, has_xy: bool, has_lonlat: bool
) -> tuple[np.ndarray, pd.Series]:
    """Points in Lambert-93 from x/y, else lon/lat; and the mask of rows without any."""
    n = len(df)
    x = to_number(df["x"]).to_numpy(float) if has_xy else np.full(n, np.nan)
    y = to_number(df["y"]).to_numpy(float) if has_xy else np.full(n, np.nan)
    xmin, ymin, xmax, ymax = L93_BOUNDS
    ok_xy = np.isfinite(x) & np.isfinite(y) & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    if has_lonlat and not ok_xy.all():
        lon = to_number(df["lon"]).to_numpy(float)
        lat = to_number(df["lat"]).to_numpy(float)
        ok_ll = (
            np.isfinite(lon)
            & np.isfinite(lat)
            & (np.abs(lon) <= 180)
            & (np.abs(lat) <= 90)
            & ~ok_xy
        )
        if ok_ll.any():
            to_l93 = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
            x, y = x.copy(), y.copy()
            x[ok_ll], y[ok_ll] = to_l93.transform(lon[ok_ll], lat[ok_ll])
        ok = ok_xy | (ok_ll & np.isfinite(x) & np.isfinite(y))
    else:
        ok = ok_xy
    geom = shapely.points(np.where(ok, x, 0.0), np.where(ok, y, 0.0))
    return geom, pd.Series(~ok, index=df.index)


def _warn_outside(premises: gpd.GeoDataFrame, source: str) -> None:
    xmin, ymin, xmax, ymax = L93_BOUNDS
    b = premises.geometry
    out = ~(b.x.between(xmin, xmax) & b.y.between(ymin, ymax))
    if out.any():
        warnings.warn(
            f"{source}: {int(out.sum())} addresses lie outside metropolitan France (overseas?); "
            "they were projected to Lambert-93, which distorts distances there",
            UserWarning,
            stacklevel=3,
        )


def _missing(
    df: pd.DataFrame, columns: Iterable[str], id_column: str
) -> tuple[list[Problem], pd.Series]:
    """Problems naming the lines where ``columns`` are empty, and the mask of those lines."""
    problems: list[Problem] = []
    any_missing = pd.Series(False, index=df.index)
    for col in columns:
        empty = df[col].isna() | (df[col].astype("str").str.strip() == "")
        if empty.any():
            problems.append(
                Problem(
                    f"lines without {col}",
                    _line_labels(df, empty, id_column),
                    f"fill {col} on these lines or remove them",
                )
            )
            any_missing |= empty
    return problems, any_missing


def _duplicates(df: pd.DataFrame, id_column: str) -> tuple[Problem | None, pd.Series]:
    """A problem naming the duplicated ids of a CSV (all their lines), and the mask of lines."""
    ids = df[id_column].str.strip()
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return None, dup
    values = sorted(ids[dup].unique())
    shown = ", ".join(values[:10]) + (f" and {len(values) - 10} more" if len(values) > 10 else "")
    return Problem(
        f"duplicated {id_column} values {shown}",
        _line_labels(df, dup, id_column),
        f"give every line a unique {id_column} (is the file concatenated twice?)",
    ), dup


def _line_labels(df: pd.DataFrame, mask: pd.Series, id_column: str = "id") -> tuple[str, ...]:
    """'line N (id)' for the masked rows of a CSV read with a default index (header = line 1)."""
    rows = df.loc[mask]
    lines = (rows.index.to_numpy() + 2).astype(str)
    ids = rows[id_column] if id_column in rows.columns else pd.Series(pd.NA, index=rows.index)
    return tuple(
        f"line {n}" if pd.isna(i) else f"line {n} ({i})" for n, i in zip(lines, ids, strict=True)
    )


__all__ = ["BAN_COLUMNS", "L93_BOUNDS", "read_ban"]
