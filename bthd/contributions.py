"""Contributions of the members of Mégalis Bretagne: the published scales, as data and functions.

Published figures (``bthd/resources/contributions/scales.yaml``, each with its source):

* **e-mégalis platform, 2007** (press release of 20 February 2007), per collectivité and year,
  € HT: under 2,000 inhabitants 50 €; 5,000 to 10,000 inhabitants 200 €; 100,000 to 250,000
  inhabitants 1,500 € (« ex : Rennes qui compte 213.000 habitants »).
* **Services bouquet, 2015–2019** (activity report 2015, p. 13-14 and 17), a flat fee per EPCI
  « qui dépend de la taille de celle-ci »: from 400 €/year for a small communauté de communes to
  30,000 €/year for a métropole; « la plus grosse collectivité membre verse une contribution 75
  fois plus élevée que la plus petite » (30,000 / 400 = 75).
* **Statutory participation, 2015–2019** (same report, p. 17), fixed for 5 years: « la plus
  grosse collectivité membre s'acquitte d'une subvention de fonctionnement 500 fois plus élevée
  que la plus petite ». No amount is published, so it is computed as an index (smallest member =
  1), or as shares of a total you give.

Rule between published points
-----------------------------
The sources publish a few points, not the full scales. Between them this module interpolates
**log-linearly in both axes** (linear interpolation of log(amount) against log(population), i.e.
a power law through two neighbouring points), which keeps the scale monotone non-decreasing,
continuous and proportional-looking over the five orders of magnitude of Breton populations:

* e-mégalis: flat inside each published band (0–2,000: 50 €; 5,000–10,000: 200 €;
  100,000–250,000: 1,500 €), log-log between the end of a band and the start of the next
  (2,000 → 5,000 and 10,000 → 100,000), flat above 250,000 (no extrapolation: 1,500 €). The
  scale applies to communes and EPCI; the press release gives no figure for the Région or
  Départements.
* bouquet: 400 € for the smallest member EPCI, 30,000 € for every EPCI at least as large as the
  smallest métropole (« 30 000 € par an pour une Métropole »; the largest EPCI when there is no
  métropole), log-log between. The ratio of the largest to the smallest is then 75, as
  published.
* statutory participation: index ``(P / P_min) ** a`` with ``a = ln 500 / ln(P_max / P_min)``
  over all the members (Région, Départements, EPCI): 1 for the smallest member, 500 for the
  largest (the Région).

Amounts are rounded to the cent, indices to 1e-4; published points are reproduced exactly.
Populations are those of :mod:`bthd.data` (communes: population municipale; EPCI: their Breton
communes) unless you pass frames. Applying 2007 and 2015 scales to 2026 populations is a
what-if, not the syndicat's actual invoices.

The BTHD co-financing per prise (:func:`bthd_cofinancing`) is the link the future phasing module
uses to turn the lines built in an EPCI into its share of the cost.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from bthd import i18n
from bthd._errors import InputError
from bthd.governance import METROPOLE_TYPES, member_epci, members

#: Scales held as data, with the years they apply to.
SCALES = ("emegalis_2007", "bouquet_2015", "statutory_2015")
#: Languages of the tables.
LANGS = i18n.LANGS

_COLUMNS_FR = {
    "scale": "barème",
    "label": "libellé",
    "published": "texte publié",
    "population_min": "population min",
    "population_max": "population max",
    "amount_eur": "montant (€ HT/an)",
    "ratio": "ratio",
    "valid_from": "de",
    "valid_to": "à",
    "source": "source",
    "member_type": "type de membre",
    "member_id": "code",
    "name": "nom",
    "epci_siren": "SIREN",
    "epci_type": "type d'EPCI",
    "insee_code": "code INSEE",
    "departement": "département",
    "population": "population",
    "emegalis_eur": "e-mégalis 2007 (€ HT/an)",
    "bouquet_eur": "bouquet 2015 (€ HT/an)",
    "statutory_index": "indice participation statutaire",
    "statutory_share_pct": "part participation statutaire (%)",
    "statutory_eur": "participation statutaire (€)",
}


@functools.lru_cache(maxsize=1)
def _scales() -> dict[str, Any]:
    import yaml

    path = resources.files("bthd.resources").joinpath("contributions", "scales.yaml")
    with path.open("r", encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


#: BTHD co-financing paid by an EPCI per prise (line) built on its territory, € (docs/DOMAIN.md,
#: example of the CC Bretagne romantique; see ``scales.yaml``).
BTHD_PER_PRISE_EUR: float = float(_scales()["bthd_cofinancing"]["per_prise_eur"])


def translate_columns(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` with the column names of this module's tables in ``lang`` (``"en"`` or ``"fr"``)."""
    return i18n.translate_columns(df, _COLUMNS_FR, lang)


# --- published points --------------------------------------------------------------------------


def scale_points(*, lang: str = "en") -> pd.DataFrame:
    """Every published point and ratio of the scales, with its text and source.

    Returns
    -------
    pandas.DataFrame
        ``scale, label, published, population_min, population_max, amount_eur, ratio,
        valid_from, valid_to, source``. Bouquet points have no population (it is the smallest
        member EPCI and the smallest métropole of the data); ratios have no amount.
    """
    label = i18n.label_column(lang)
    s = _scales()
    rows: list[dict[str, Any]] = []
    for key in SCALES:
        sc = s[key]
        base = {
            "scale": key,
            "label": sc[label],
            "valid_from": sc["valid_from"],
            "valid_to": sc["valid_to"],
        }
        for band in sc.get("bands", []):
            rows.append(
                {
                    **base,
                    "published": band["text_fr"],
                    "population_min": band["population_min"],
                    "population_max": band["population_max"],
                    "amount_eur": float(band["amount_eur"]),
                    "source": band["source"],
                }
            )
        for point in sc.get("points", []):
            rows.append(
                {
                    **base,
                    "published": point["text_fr"],
                    "amount_eur": float(point["amount_eur"]),
                    "source": point["source"],
                }
            )
        if "ratio" in sc:
            rows.append(
                {
                    **base,
                    "published": sc["ratio"]["text_fr"],
                    "ratio": float(sc["ratio"]["value"]),
                    "source": sc["ratio"]["source"],
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "scale",
            "label",
            "published",
            "population_min",
            "population_max",
            "amount_eur",
            "ratio",
            "valid_from",
            "valid_to",
            "source",
        ],
    )
    for c in ("population_min", "population_max"):
        out[c] = out[c].astype("Int64")
    return translate_columns(out, lang)


def scales_in_force(year: int) -> list[str]:
    """The scales published for ``year``.

    Raises
    ------
    InputError
        When no scale is published for ``year``; the message lists the valid years.
    """
    s = _scales()
    found = [k for k in SCALES if s[k]["valid_from"] <= year <= s[k]["valid_to"]]
    if not found:
        spans = "; ".join(
            f"{s[k]['valid_from']}"
            + (f"–{s[k]['valid_to']}" if s[k]["valid_to"] != s[k]["valid_from"] else "")
            + f" ({k})"
            for k in SCALES
        )
        raise InputError(
            f"year {year}: no contribution scale is published for that year; "
            f"the valid years are: {spans}."
        )
    return found


# --- scales as functions -----------------------------------------------------------------------


def _as_array(population: Any, what: str = "population") -> tuple[np.ndarray, Callable[..., Any]]:
    """Population(s) as a float array, and a function giving results the input's shape."""
    if isinstance(population, pd.Series):
        index, name = population.index, population.name

        def wrap(a: np.ndarray) -> Any:
            return pd.Series(a, index=index, name=name)
    elif np.ndim(population) == 0:

        def wrap(a: np.ndarray) -> Any:
            return float(a[0])
    else:

        def wrap(a: np.ndarray) -> Any:
            return a

    try:
        arr = np.atleast_1d(np.asarray(population, dtype="float64"))
    except (TypeError, ValueError):
        raise InputError(f"{what} must be numbers of inhabitants, got {population!r}.") from None
    bad = arr[np.isnan(arr) | (arr < 0)]
    if bad.size:
        raise InputError(
            f"{what} must be a number of inhabitants >= 0; got "
            f"{', '.join(f'{v:g}' for v in bad[:5])}."
        )
    return arr, wrap


def _loglog(p: np.ndarray, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
    """Piecewise log-log interpolation through (xs, ys); flat outside [xs[0], xs[-1]]."""
    lx, ly = np.log(np.asarray(xs, dtype="float64")), np.log(np.asarray(ys, dtype="float64"))
    clipped = np.clip(p, xs[0], xs[-1])
    return np.exp(np.interp(np.log(clipped), lx, ly))


def emegalis_contribution(population: Any) -> Any:
    """Yearly fee of the 2007 e-mégalis scale for a collectivité of ``population`` inhabitants.

    Parameters
    ----------
    population
        A number, an array or a Series of populations (>= 0).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        € HT per year, same shape as ``population``: 50 under 2,000 inhabitants, 200 from
        5,000 to 10,000, 1,500 from 100,000 (and above 250,000), log-log between (see the
        module docstring).

    Examples
    --------
    >>> emegalis_contribution(1500), emegalis_contribution(7000), emegalis_contribution(213000)
    (50.0, 200.0, 1500.0)
    """
    arr, wrap = _as_array(population)
    bands = _scales()["emegalis_2007"]["bands"]
    xs: list[float] = []
    ys: list[float] = []
    for band in bands:
        lo = max(float(band["population_min"]), 1.0)
        xs += [lo, float(band["population_max"])]
        ys += [float(band["amount_eur"])] * 2
    return wrap(np.round(_loglog(arr, xs, ys), 2))


def bouquet_contribution(
    population: Any,
    *,
    floor_population: float,
    cap_population: float,
    floor_eur: float | None = None,
    cap_eur: float | None = None,
) -> Any:
    """Yearly bouquet contribution of an EPCI of ``population`` inhabitants (2015 scale).

    Parameters
    ----------
    population
        A number, an array or a Series of EPCI populations (>= 0).
    floor_population
        Population of the smallest member EPCI: it and smaller ones pay ``floor_eur``.
    cap_population
        Population of the smallest métropole: it and larger EPCI pay ``cap_eur``.
    floor_eur, cap_eur
        Published amounts, default 400 € and 30,000 €.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        € HT per year, log-log between the two anchors (see the module docstring).
    """
    arr, wrap = _as_array(population)
    points = {p["anchor"]: float(p["amount_eur"]) for p in _scales()["bouquet_2015"]["points"]}
    floor_eur = points["smallest"] if floor_eur is None else floor_eur
    cap_eur = points["metropole"] if cap_eur is None else cap_eur
    if not 0 < floor_population < cap_population:
        raise InputError(
            f"bouquet anchors: need 0 < floor_population < cap_population, got "
            f"{floor_population!r} and {cap_population!r}; the frame needs at least two EPCI of "
            "different populations."
        )
    if not 0 < floor_eur <= cap_eur:
        raise InputError(
            f"bouquet amounts: need 0 < floor_eur <= cap_eur, got {floor_eur!r} and {cap_eur!r}."
        )
    return wrap(np.round(_loglog(arr, [floor_population, cap_population], [floor_eur, cap_eur]), 2))


def bouquet_anchors(epci: pd.DataFrame) -> tuple[int, int]:
    """Populations of the two published bouquet points in ``epci``.

    Returns
    -------
    tuple of int
        ``(smallest EPCI population, smallest métropole population)``, the latter being the
        largest EPCI population when ``epci`` has no métropole.
    """
    if epci.empty:
        raise InputError("epci: the frame is empty; pass at least two EPCI.")
    metro = epci.loc[epci["epci_type"].isin(METROPOLE_TYPES), "population"]
    cap = int(metro.min()) if not metro.empty else int(epci["population"].max())
    return int(epci["population"].min()), cap


def statutory_index(
    population: Any,
    *,
    smallest_population: float,
    largest_population: float,
    ratio: float | None = None,
) -> Any:
    """Statutory participation index of a member of ``population`` (smallest member = 1).

    Parameters
    ----------
    population
        A number, an array or a Series of member populations.
    smallest_population, largest_population
        Populations of the smallest and largest members.
    ratio
        What the largest pays relative to the smallest; default the published 500.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``(P / P_min) ** (ln ratio / ln(P_max / P_min))``, clipped to [1, ratio], rounded to
        1e-4.
    """
    arr, wrap = _as_array(population)
    ratio = float(_scales()["statutory_2015"]["ratio"]["value"]) if ratio is None else ratio
    if not 0 < smallest_population < largest_population:
        raise InputError(
            f"statutory index: need 0 < smallest_population < largest_population, got "
            f"{smallest_population!r} and {largest_population!r}."
        )
    if ratio < 1:
        raise InputError(f"statutory index: ratio must be >= 1, got {ratio!r}.")
    return wrap(np.round(_loglog(arr, [smallest_population, largest_population], [1.0, ratio]), 4))


# --- tables ------------------------------------------------------------------------------------


def epci_contributions(
    epci: pd.DataFrame | None = None,
    *,
    population_column: str = "population",
    lang: str = "en",
) -> pd.DataFrame:
    """Bouquet (2015) and e-mégalis (2007) contributions of every member EPCI.

    Parameters
    ----------
    epci
        Columns ``epci_siren, name, epci_type`` and ``population_column``; default the embedded
        EPCI (:func:`bthd.data.load_epci`), without the non-members
        (:func:`bthd.governance.non_members`).
    population_column
        Population column (e.g. ``population_municipale_dgcl`` for whole EPCI).
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    pandas.DataFrame
        ``epci_siren, name, epci_type, population, emegalis_eur, bouquet_eur``.
    """
    ep = member_epci(epci, population_column=population_column)
    floor, cap = bouquet_anchors(ep)
    ep["emegalis_eur"] = emegalis_contribution(ep["population"])
    ep["bouquet_eur"] = bouquet_contribution(
        ep["population"], floor_population=floor, cap_population=cap
    )
    return translate_columns(ep, lang)


def commune_contributions(
    communes: pd.DataFrame | None = None, *, lang: str = "en"
) -> pd.DataFrame:
    """The 2007 e-mégalis fee of every commune.

    Parameters
    ----------
    communes
        Columns ``insee_code, name, population`` (and ``departement``, ``epci_siren`` if
        present); default the embedded communes.

    Returns
    -------
    pandas.DataFrame
        ``insee_code, name, departement, epci_siren, population, emegalis_eur``.
    """
    if communes is None:
        from bthd.data import load_communes

        communes = pd.DataFrame(load_communes().drop(columns="geometry"))
    missing = [c for c in ("insee_code", "name", "population") if c not in communes.columns]
    if missing:
        raise InputError(
            f"communes: missing column(s) {', '.join(missing)}; pass a frame like "
            "bthd.data.load_communes()."
        )
    cols = [
        c
        for c in ("insee_code", "name", "departement", "epci_siren", "population")
        if c in communes.columns
    ]
    out = pd.DataFrame(communes)[cols].copy()
    bad = out.loc[pd.to_numeric(out["population"], errors="coerce").fillna(-1) < 0, "insee_code"]
    if not bad.empty:
        raise InputError(
            f"communes: population must be a number >= 0; negative or missing for "
            f"{', '.join(map(str, bad.head(10)))}."
        )
    out["emegalis_eur"] = emegalis_contribution(out["population"].astype("float64"))
    return translate_columns(out.reset_index(drop=True), lang)


def statutory_participation(
    members_frame: pd.DataFrame | None = None,
    *,
    total_eur: float | None = None,
    ratio: float | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Statutory participation of every member: index (smallest = 1, largest = 500) and shares.

    Parameters
    ----------
    members_frame
        Output of :func:`bthd.governance.members` (default: built from the embedded data).
    total_eur
        A yearly total to share out in proportion to the index (no total is published; the
        2015 budget line « Subventions / Participations statutaires », 1.841 M€, mixes
        subsidies and participations).
    ratio
        Largest over smallest; default the published 500.

    Returns
    -------
    pandas.DataFrame
        The members with ``statutory_index``, ``statutory_share_pct`` and, with ``total_eur``,
        ``statutory_eur``.
    """
    m = members() if members_frame is None else pd.DataFrame(members_frame).copy()
    if m.empty or "population" not in m.columns:
        raise InputError(
            "members: pass a non-empty frame with a population column, like "
            "bthd.governance.members()."
        )
    m["statutory_index"] = statutory_index(
        m["population"].astype("float64"),
        smallest_population=float(m["population"].min()),
        largest_population=float(m["population"].max()),
        ratio=ratio,
    )
    m["statutory_share_pct"] = (100 * m["statutory_index"] / m["statutory_index"].sum()).round(3)
    if total_eur is not None:
        if total_eur < 0:
            raise InputError(f"total_eur must be >= 0, got {total_eur!r}.")
        m["statutory_eur"] = (total_eur * m["statutory_index"] / m["statutory_index"].sum()).round(
            2
        )
    return translate_columns(m, lang)


def contributions(
    year: int | None = None,
    *,
    epci: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    siren: str | None = None,
    population_column: str = "population",
    lang: str = "en",
) -> pd.DataFrame:
    """Every member with the contributions of the scales in force in ``year``.

    Parameters
    ----------
    year
        2007 (e-mégalis), 2015 to 2019 (bouquet and statutory participation) or None (all
        three).
    epci, communes
        Populations (see :func:`bthd.governance.members`); default the embedded data.
    siren
        Keep only this member EPCI.
    population_column
        Population column of ``epci``.
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    pandas.DataFrame
        ``member_type, member_id, name, epci_type, population`` and, as in force,
        ``emegalis_eur``, ``bouquet_eur`` (EPCI only; empty for the Région and Départements),
        ``statutory_index``.

    Raises
    ------
    InputError
        For a year without a published scale, or an unknown SIREN (the message lists the
        valid choices).
    """
    in_force = list(SCALES) if year is None else scales_in_force(year)
    i18n.check_lang(lang)  # before any work
    m = members(epci, communes, population_column=population_column)
    ep = m[m["member_type"] == "epci"]
    if siren is not None:
        _check_siren(str(siren), ep)
    out = m.copy()
    is_epci = out["member_type"] == "epci"
    if "emegalis_2007" in in_force:
        out["emegalis_eur"] = np.where(
            is_epci, emegalis_contribution(out["population"].astype("float64")).to_numpy(), np.nan
        )
    if "bouquet_2015" in in_force:
        floor, cap = bouquet_anchors(ep)
        out["bouquet_eur"] = np.where(
            is_epci,
            bouquet_contribution(
                out["population"].astype("float64"), floor_population=floor, cap_population=cap
            ).to_numpy(),
            np.nan,
        )
    if "statutory_2015" in in_force:
        out["statutory_index"] = statutory_participation(m)["statutory_index"]
    if siren is not None:
        out = out[out["member_id"] == str(siren)]
    return translate_columns(out.reset_index(drop=True), lang)


def _check_siren(siren: str, ep: pd.DataFrame) -> None:
    if siren in set(ep["member_id"]):
        return
    from bthd.governance import non_members

    nm = non_members()
    if siren in set(nm["epci_siren"]):
        row = nm[nm["epci_siren"] == siren].iloc[0]
        raise InputError(
            f"EPCI {siren} ({row['name']}) is not a member of Mégalis Bretagne: {row['reason']}"
        )
    valid = sorted(ep["member_id"])
    i18n.check_choice(siren, valid, "EPCI SIREN", choices_name=f"{len(valid)} member EPCI")


# --- link to the phasing of BTHD ---------------------------------------------------------------


def bthd_cofinancing(prises: Any, per_prise_eur: float = BTHD_PER_PRISE_EUR) -> Any:
    """EPCI co-financing of Bretagne Très Haut Débit for ``prises`` lines built on its territory.

    **This is the link the future phasing module uses**: for each phase and EPCI it passes the
    number of prises (FTTH lines) programmed and gets the EPCI's share. Keep the signature
    stable.

    Parameters
    ----------
    prises
        Number(s) of prises: a number, an array or a Series (>= 0).
    per_prise_eur
        € per prise paid by the EPCI; default :data:`BTHD_PER_PRISE_EUR` (445 €, docs/DOMAIN.md,
        example of the CC Bretagne romantique).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``prises * per_prise_eur`` in €, same shape as ``prises``.

    Examples
    --------
    >>> bthd_cofinancing(1000)
    445000.0
    """
    arr, wrap = _as_array(prises, what="prises")
    if not per_prise_eur >= 0:
        raise InputError(f"per_prise_eur must be a number >= 0, got {per_prise_eur!r}.")
    return wrap(arr * float(per_prise_eur))
