"""``bthd contributions``: the published contribution scales applied to today's members."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bthd.cli._common import console, display_frame, handle_errors, print_table

_TEXT = {
    "en": {
        "points": "Published points and ratios",
        "members": "Contributions per member",
        "communes": "e-mégalis 2007 fee per commune",
        "ratio": "largest / smallest",
        "published": "published",
        "written": "written",
        "year": "scales of {year}",
        "all": "all published scales",
        "no_emegalis": "the e-mégalis scale is not in force in {year}; "
        "use --year 2007 or no --year with "
        "--communes",
    },
    "fr": {
        "points": "Points et ratios publiés",
        "members": "Contributions par membre",
        "communes": "Contribution e-mégalis 2007 par commune",
        "ratio": "plus grand / plus petit",
        "published": "publié",
        "written": "écrit",
        "year": "barèmes de {year}",
        "all": "tous les barèmes publiés",
        "no_emegalis": "le barème e-mégalis n'est pas en vigueur en {year} ; "
        "utilisez --year 2007 ou pas de "
        "--year avec --communes",
    },
}


def contributions(
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", help="Scales in force that year: 2007 or 2015–2019."),
    ] = None,
    epci: Annotated[
        str | None, typer.Option("--epci", "-e", help="Only this EPCI (SIREN).")
    ] = None,
    communes: Annotated[
        bool, typer.Option("--communes", help="The e-mégalis fee of every commune instead.")
    ] = False,
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the tables: en or fr.")
    ] = "en",
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the full table to this CSV file.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing CSV file.")
    ] = False,
) -> None:
    """Print the bouquet, e-mégalis and statutory contributions of every member."""
    handle_errors(_run)(year, epci, communes, lang, csv, overwrite)


def _run(
    year: int | None, epci: str | None, communes: bool, lang: str, csv: Path | None, overwrite: bool
) -> None:
    from bthd import contributions as co
    from bthd import i18n
    from bthd._errors import InputError

    t = i18n.pick(_TEXT, i18n.check_lang(lang, "--lang"))  # before any work
    points = co.scale_points()
    in_force = list(co.SCALES) if year is None else co.scales_in_force(year)
    points = points[points["scale"].isin(in_force)]
    if communes:
        if "emegalis_2007" not in in_force:
            raise InputError(t["no_emegalis"].format(year=year))
        table = co.commune_contributions()
        if epci is not None:
            co.contributions(None, siren=epci)  # raises with the valid SIRENs if unknown
            table = table[table["epci_siren"] == epci].reset_index(drop=True)
        print_table(
            display_frame(co.translate_columns(table, lang), text=(0,), whole_as_int=False),
            t["communes"],
        )
    else:
        table = co.contributions(year, siren=epci)
        shown = points[["scale", "population_min", "population_max", "amount_eur", "ratio"]]
        print_table(
            display_frame(co.translate_columns(shown, lang), whole_as_int=False),
            t["points"],
            max_rows=100,
        )
        for quote, source in dict.fromkeys(zip(points["published"], points["source"], strict=True)):
            console.print(f"  « {quote} » — {source}", highlight=False, markup=False)
        shown = table if epci is not None else table.drop(columns="member_id")
        when = t["year"].format(year=year) if year is not None else t["all"]
        print_table(
            display_frame(
                co.translate_columns(shown, lang),
                text=(1,) if epci is not None else (),
                whole_as_int=False,
            ),
            f"{t['members']} ({when})",
            max_rows=100,
        )
        if epci is None:
            _print_ratios(co, table, t)
    if csv is not None:
        from bthd.io._atomic import atomic_file

        with atomic_file(csv, overwrite=overwrite) as tmp:
            co.translate_columns(table, lang).to_csv(tmp, index=False, encoding="utf-8")
        console.print(f"{t['written']}: {csv}", highlight=False)


def _print_ratios(co: Any, table: Any, t: dict[str, str]) -> None:
    points = co.scale_points()
    ratios = points[points["ratio"].notna()]
    published = dict(zip(ratios["scale"], ratios["ratio"], strict=True))
    for scale, col in (("bouquet_2015", "bouquet_eur"), ("statutory_2015", "statutory_index")):
        if col in table.columns:
            values = table[col].dropna()
            console.print(
                f"{scale}: {t['ratio']} = {values.max() / values.min():g} "
                f"({t['published']}: {published[scale]:g})",
                highlight=False,
            )


def register(app: typer.Typer) -> None:
    app.command("contributions")(contributions)
