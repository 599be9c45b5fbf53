"""Digital-services catalogues: what a shared public operator offers, and how much it is used.

Mégalis Bretagne is also a shared digital-services operator for Breton public bodies. This module
holds its successive offers as data, with a second example for comparison:

* ``megalis``: the services bouquet of 2015–2019 (with its complementary services), the bouquet
  of 2020–2024 (plus the cooperative projects) and the offer of 2025–2029, the first one sorted
  in categories (administration, citizens, cybersecurity, sobriety and accessibility, day-to-day
  support) with complementary services under a specific contribution (electronic certificates,
  Breizh Cyber);
* ``essonne``: the catalogue of Essonne Numérique in four axes (telecoms; connected buildings on
  LoRa; connected outdoor sensors; security), as presented in March 2025.

Usage figures are kept where the sources give them: the 2015 table of entities per service, more
than 2,350 entities using the bouquet at the end of 2020, 2,551 in 2024 (+3 % on 2023).

Every row of the data files (``bthd/resources/services/*.csv``) carries its source: document and
page or section (``[seed NNN]`` names the file of the project's research notes). Tables come in
English or French (``lang="en"`` or ``"fr"``: column names, offers, categories and service
names). Functions return new DataFrames and never print.

Not for: contribution scales (see :mod:`bthd.contributions`) or votes (see
:mod:`bthd.governance`).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

from bthd import i18n
from bthd._errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Catalogues held as data.
CATALOGUES = ("megalis", "essonne")
#: Languages of the tables.
LANGS = i18n.LANGS
#: ``service_id`` of the rows that count every service at once (a platform or bouquet total).
ALL_SERVICES = "_all"

_COLUMNS_FR = {
    "catalogue": "catalogue",
    "edition": "édition",
    "start_year": "début",
    "end_year": "fin",
    "offer": "offre",
    "category": "catégorie",
    "service_id": "id",
    "service": "service",
    "available_from": "disponible en",
    "note": "note",
    "source": "source",
    "year": "année",
    "indicator": "indicateur",
    "value": "valeur",
    "qualifier": "qualificatif",
    "change_pct": "évolution (%)",
    "change_since": "depuis",
    "label": "libellé",
}
_ALL_LABEL = {"en": "All services", "fr": "Ensemble des services"}


# --- data --------------------------------------------------------------------------------------


@functools.cache
def _read(name: str) -> pd.DataFrame:
    path = resources.files("bthd.resources").joinpath("services", f"{name}.csv")
    with path.open("r", encoding="utf-8") as fh:
        dtypes: dict[str, str] = {
            "edition": "str",
            "available_from": "Int64",
            "change_since": "Int64",
            "year": "int64",
        }
        return pd.read_csv(fh, dtype=dtypes)


def _data(name: str) -> pd.DataFrame:
    return _read(name).copy()


def labels(kind: str, lang: str = "en") -> dict[str, str]:
    """Labels of the codes of one kind (``catalogue``, ``offer``, ``category``, ``indicator``,
    ``qualifier``) in ``lang``."""
    i18n.check_lang(lang)
    lab = _data("labels")
    i18n.check_choice(kind, sorted(lab["kind"].unique()), "label kind")
    return i18n.labels(lab[lab["kind"] == kind], "code", lang)


# --- argument checks ---------------------------------------------------------------------------


def _check_catalogue(catalogue: str | None) -> list[str]:
    if catalogue is None:
        return list(CATALOGUES)
    i18n.check_choice(catalogue, CATALOGUES, "catalogue")
    return [catalogue]


def _translate(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return i18n.translate_columns(df, _COLUMNS_FR, lang)


def column_names(names: list[str], lang: str = "en") -> list[str]:
    """The names the tables of this module give to the columns ``names`` in ``lang``."""
    return i18n.column_names(names, _COLUMNS_FR, lang)


# --- public API --------------------------------------------------------------------------------


def editions(catalogue: str | None = None, *, lang: str = "en") -> pd.DataFrame:
    """The editions (periods) of the catalogues, with their sources.

    Parameters
    ----------
    catalogue
        ``"megalis"``, ``"essonne"`` or None for both.
    lang
        ``"en"`` or ``"fr"``: language of the labels and column names.

    Returns
    -------
    pandas.DataFrame
        Columns ``catalogue, edition, start_year, end_year, label, source``.
    """
    i18n.check_lang(lang)
    cats = _check_catalogue(catalogue)
    ed = _data("editions")
    ed = ed[ed["catalogue"].isin(cats)].reset_index(drop=True)
    ed["label"] = ed[i18n.label_column(lang)]
    ed = ed[["catalogue", "edition", "start_year", "end_year", "label", "source"]]
    return _translate(ed, lang)


def categories(catalogue: str | None = None, *, lang: str = "en") -> pd.DataFrame:
    """The categories (Mégalis 2025–2029 themes, Essonne axes) with their labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``catalogue, category, label, source``; ``category`` is the code that
        :func:`services` takes.
    """
    i18n.check_lang(lang)
    cats = _check_catalogue(catalogue)
    cat = _data("catalogue")
    cat = cat[cat["catalogue"].isin(cats) & cat["category"].notna()]
    pairs = cat[["catalogue", "category"]].drop_duplicates().reset_index(drop=True)
    lab = _data("labels")
    lab = lab[lab["kind"] == "category"].rename(columns={"code": "category"})
    out = pairs.merge(lab, on="category", how="left", validate="many_to_one")
    out["label"] = out[i18n.label_column(lang)]
    return _translate(out[["catalogue", "category", "label", "source"]], lang)


def edition_of(catalogue: str, year: int) -> str:
    """The edition of ``catalogue`` in force in ``year``.

    Raises
    ------
    InputError
        When no edition covers ``year`` (the message lists the years covered).
    """
    _check_catalogue(catalogue)
    ed = _data("editions")
    ed = ed[ed["catalogue"] == catalogue]
    hit = ed[(ed["start_year"] <= year) & (ed["end_year"] >= year)]
    if hit.empty:
        spans = ", ".join(
            f"{a}–{b}" if a != b else str(a)
            for a, b in zip(ed["start_year"], ed["end_year"], strict=True)
        )
        raise InputError(
            f"year {year} is not covered by the {catalogue} catalogue; valid years: {spans}."
        )
    return str(hit["edition"].iloc[0])


def services(
    catalogue: str | None = "megalis",
    *,
    year: int | None = None,
    category: str | None = None,
    offer: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The services of a catalogue, optionally for one year, category or kind of offer.

    Parameters
    ----------
    catalogue
        ``"megalis"`` (default), ``"essonne"`` or None for both.
    year
        Keep the edition in force that year (2015–2019, 2020–2024, 2025–2029 for Mégalis; 2025
        for Essonne), without the services announced for a later year (``available_from``).
    category
        Category code (see :func:`categories`): ``administration``, ``citizens``,
        ``cybersecurity``, ``sobriety_accessibility``, ``support`` (Mégalis 2025–2029 only:
        earlier bouquets have no categories); ``telecoms``, ``connected_buildings``,
        ``outdoor_sensors``, ``security`` (Essonne).
    offer
        ``bouquet``, ``complementary``, ``cooperative``, ``support`` or ``axis`` (Essonne).
    lang
        ``"en"`` or ``"fr"``: language of the service names, labels and column names.

    Returns
    -------
    pandas.DataFrame
        One row per service and edition: ``catalogue, edition, start_year, end_year, offer,
        category, service_id, service, available_from, note, source``; ``offer`` and
        ``category`` hold labels in ``lang``.

    Raises
    ------
    InputError
        For an unknown catalogue, year, category, offer or language; the message lists the valid
        choices.
    """
    i18n.check_lang(lang)
    cats = _check_catalogue(catalogue)
    df = _data("catalogue")
    df = df[df["catalogue"].isin(cats)]
    ed = _data("editions")[["catalogue", "edition", "start_year", "end_year"]]
    df = df.merge(ed, on=["catalogue", "edition"], how="left", validate="many_to_one")
    if year is not None:
        keep = [edition_of(c, year) for c in cats] if catalogue else _editions_or_raise(year)
        df = df[df["edition"].isin(keep)]
        df = df[df["available_from"].isna() | (df["available_from"] <= year)]
    if category is not None:
        all_cat = _data("catalogue")
        valid = sorted(all_cat.loc[all_cat["catalogue"].isin(cats), "category"].dropna().unique())
        i18n.check_choice(category, valid, "category")
        df = df[df["category"] == category]
    if offer is not None:
        i18n.check_choice(offer, sorted(df["offer"].unique()), "offer")
        df = df[df["offer"] == offer]
    df = df.assign(
        offer=df["offer"].map(labels("offer", lang)),
        category=df["category"].map(labels("category", lang)),
        service=df[i18n.label_column(lang, "name")],
    )
    cols = [
        "catalogue",
        "edition",
        "start_year",
        "end_year",
        "offer",
        "category",
        "service_id",
        "service",
        "available_from",
        "note",
        "source",
    ]
    return _translate(df[cols].reset_index(drop=True), lang)


def _editions_or_raise(year: int) -> list[str]:
    found = []
    for cat in CATALOGUES:
        try:
            found.append(edition_of(cat, year))
        except InputError:
            continue
    if not found:
        edition_of(CATALOGUES[0], year)  # raises with the valid years of the main catalogue
    return found


def usage(
    catalogue: str = "megalis",
    *,
    year: int | None = None,
    service: str | None = None,
    indicator: str | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Usage figures per service and year, as published.

    Parameters
    ----------
    catalogue
        ``"megalis"`` (default) or ``"essonne"``.
    year
        One year with figures (Mégalis: 2015, 2020, 2024; Essonne: 2025).
    service
        A ``service_id`` (see :func:`services`), or ``"_all"`` for the totals over all services.
    indicator
        ``entities`` (public bodies using the service), ``certificates_issued``, ``sessions``,
        ``tickets``, ``users``, ``enterprises``, ``volume``, ``entities_completed``,
        ``entities_in_progress``, ``public_sites``, ``lora_gateways``.
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    pandas.DataFrame
        ``year, service_id, service, indicator, value, qualifier, change_pct, change_since,
        note, source``. ``value`` is empty when the source gives only a change (e.g. +18 % for
        electronic archiving in 2024); ``qualifier`` says whether the figure is exact or a bound
        (« plus de 2 350 »); ``change_pct`` is the published change since ``change_since``.
    """
    return _translate(_usage(catalogue, year, service, indicator, lang), lang)


def _usage(
    catalogue: str, year: int | None, service: str | None, indicator: str | None, lang: str
) -> pd.DataFrame:
    i18n.check_lang(lang)
    _check_catalogue(catalogue)
    df = _data("usage")
    df = df[df["catalogue"] == catalogue]
    if year is not None:
        years = sorted(int(y) for y in df["year"].unique())
        if year not in years:
            raise InputError(
                f"year {year} has no {catalogue} usage figures; the valid years are: "
                f"{', '.join(map(str, years))}."
            )
        df = df[df["year"] == year]
    if service is not None:
        i18n.check_choice(service, sorted(df["service_id"].unique()), "service")
        df = df[df["service_id"] == service]
    if indicator is not None:
        i18n.check_choice(indicator, sorted(df["indicator"].unique()), "indicator")
        df = df[df["indicator"] == indicator]
    names = _service_names(catalogue, lang)
    df = df.assign(
        service=[
            _ALL_LABEL[lang] if s == ALL_SERVICES else names.get((s, y), names.get(s, s))
            for s, y in zip(df["service_id"], df["year"], strict=True)
        ],
        indicator=df["indicator"].map(labels("indicator", lang)),
        qualifier=df["qualifier"].map(labels("qualifier", lang)),
        value=df["value"].astype("Int64"),
        change_pct=df["change_pct"].astype("Int64"),
    )
    cols = [
        "year",
        "service_id",
        "service",
        "indicator",
        "value",
        "qualifier",
        "change_pct",
        "change_since",
        "note",
        "source",
    ]
    return df[cols].reset_index(drop=True)


def _service_names(catalogue: str, lang: str) -> dict[object, str]:
    """Service name by ``(service_id, year)`` (edition in force) and by ``service_id`` (latest)."""
    cat = _data("catalogue")
    cat = cat[cat["catalogue"] == catalogue].merge(
        _data("editions"), on=["catalogue", "edition"], validate="many_to_one"
    )
    names: dict[object, str] = {}
    for sid, name, start, end in zip(
        cat["service_id"],
        cat[i18n.label_column(lang, "name")],
        cat["start_year"],
        cat["end_year"],
        strict=True,
    ):
        names[sid] = name
        for y in range(int(start), int(end) + 1):
            names[(sid, y)] = name
    return names


def chart_years(catalogue: str = "megalis") -> list[int]:
    """Years with per-service entity counts, i.e. the years :func:`usage_chart` can draw."""
    _check_catalogue(catalogue)
    raw = _data("usage")
    ok = (
        (raw["catalogue"] == catalogue)
        & (raw["indicator"] == "entities")
        & raw["value"].notna()
        & (raw["service_id"] != ALL_SERVICES)
    )
    return sorted(int(y) for y in raw.loc[ok, "year"].unique())


def usage_chart(catalogue: str = "megalis", *, year: int | None = None, lang: str = "en") -> Figure:
    """A two-panel chart: entities per service in one year, and all-service totals by year.

    Parameters
    ----------
    catalogue
        Only ``"megalis"`` has per-service figures.
    year
        Year of the left panel; default the year with the most per-service entity counts (2015).
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn on the Agg canvas (no display); save it with ``fig.savefig(path)``. Bars are
        labelled with the published value and change; a bound (« plus de ») is marked ``>``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    i18n.check_lang(lang)
    _check_catalogue(catalogue)
    raw = _data("usage")
    ent = raw[
        (raw["catalogue"] == catalogue) & (raw["indicator"] == "entities") & raw["value"].notna()
    ]
    per_service = ent[ent["service_id"] != ALL_SERVICES]
    if per_service.empty:
        with_figures = sorted(
            raw.loc[
                (raw["indicator"] == "entities")
                & raw["value"].notna()
                & (raw["service_id"] != ALL_SERVICES),
                "catalogue",
            ].unique()
        )
        raise InputError(
            f"catalogue {catalogue!r} has no per-service entity counts to chart; charts exist for: "
            f"{', '.join(with_figures)}. Use usage(catalogue={catalogue!r}) for its figures."
        )
    if year is None:
        year = int(per_service["year"].value_counts().index[0])
    table = _usage(catalogue, year, None, "entities", lang)
    table = table[(table["service_id"] != ALL_SERVICES) & table["value"].notna()]
    if table.empty:
        years = sorted(int(y) for y in per_service["year"].unique())
        raise InputError(
            f"no per-service entity counts for {year}; years with counts: "
            f"{', '.join(map(str, years))}."
        )
    totals = _usage(catalogue, None, ALL_SERVICES, "entities", lang)

    fr = lang == "fr"
    fig = Figure(figsize=(12, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[3, 2])
    table = table.sort_values("value")
    values = table["value"].astype(int).to_numpy()
    offers = _offers_in(catalogue, year)
    bouquet = table["service_id"].map(offers).eq("bouquet").to_numpy()
    colors = ["#1f77b4" if b else "#ff7f0e" for b in bouquet]
    ax1.barh(table["service"], values, color=colors, height=0.6)
    offer_labels = labels("offer", lang)
    from matplotlib.patches import Patch

    ax1.legend(
        handles=[
            Patch(color="#1f77b4", label=offer_labels["bouquet"]),
            Patch(color="#ff7f0e", label=offer_labels["complementary"]),
        ],
        loc="lower right",
        fontsize=8,
    )
    for i, (v, ch) in enumerate(zip(values, table["change_pct"], strict=True)):
        text = f"{v:,}".replace(",", " ")
        if pd.notna(ch):
            text += f" ({int(ch):+d} %)"
        ax1.annotate(
            text, (v, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax1.set_xlim(0, values.max() * 1.3)
    ax1.set_xlabel(
        "Nombre d'entités (évolution sur un an)" if fr else "Entities (change on the previous year)"
    )
    ax1.set_title(f"Entités par service, {year}" if fr else f"Entities per service, {year}")
    ty = totals["year"].astype(int).to_numpy()
    tv = totals["value"].astype(int).to_numpy()
    ax2.bar([str(y) for y in ty], tv, color="#2ca02c")
    more = labels("qualifier", lang)["more_than"]
    for i, (v, q) in enumerate(zip(tv, totals["qualifier"], strict=True)):
        text = ("> " if q == more else "") + f"{v:,}".replace(",", " ")
        ax2.annotate(
            text, (i, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9
        )
    ax2.set_ylim(0, tv.max() * 1.15)
    ax2.set_ylabel("Entités publiques utilisatrices" if fr else "Public bodies using the services")
    ax2.set_title("Ensemble des services, par année" if fr else "All services, by year")
    label = labels("catalogue", lang)[catalogue]
    fig.suptitle(f"{label} — " + ("usages publiés" if fr else "published usage"))
    return fig


def _offers_in(catalogue: str, year: int) -> dict[str, str]:
    """Kind of offer (code) of each service of the edition in force in ``year``."""
    cat = _data("catalogue")
    try:
        edition = edition_of(catalogue, year)
    except InputError:
        return {}
    cat = cat[(cat["catalogue"] == catalogue) & (cat["edition"] == edition)]
    return dict(zip(cat["service_id"], cat["offer"], strict=True))
