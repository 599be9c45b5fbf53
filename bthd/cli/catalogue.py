"""``bthd catalogue``: the digital-services catalogues, their published usage, and a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bthd.cli._common import console, display_frame, handle_errors, print_table

_TITLES = {
    "en": {
        "services": "services",
        "all": "all editions",
        "usage": "Published usage",
        "none": "No usage figures published for {year} (years with figures: {years}).",
        "sources": "Sources",
        "chart": "chart written",
    },
    "fr": {
        "services": "services",
        "all": "toutes éditions",
        "usage": "Usages publiés",
        "none": "Aucun chiffre d'usage publié pour {year} (années disponibles : {years}).",
        "sources": "Sources",
        "chart": "graphique écrit",
    },
}


def catalogue(
    catalogue: Annotated[
        str, typer.Option("--catalogue", "-c", help="Catalogue: megalis or essonne.")
    ] = "megalis",
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", help="Edition in force that year (e.g. 2015, 2022, 2026)."),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="Category code (administration, citizens, cybersecurity, sobriety_accessibility, "
            "support; telecoms, connected_buildings, outdoor_sensors, security).",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the tables: en or fr.")
    ] = "en",
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write the usage chart to this PNG file.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing chart.")
    ] = False,
) -> None:
    """Print the services of a catalogue (by edition, year or category) and their usage."""
    run = handle_errors(_run)
    run(catalogue, year, category, lang, chart, overwrite)


def _run(
    catalogue: str,
    year: int | None,
    category: str | None,
    lang: str,
    chart: Path | None,
    overwrite: bool,
) -> None:
    from bthd import catalogue as cat
    from bthd import i18n

    t = i18n.pick(_TITLES, i18n.check_lang(lang, "--lang"))
    svc = cat.services(catalogue, year=year, category=category, lang=lang)
    fig = None
    if chart is not None:  # before printing anything: a bad output or catalogue fails first
        from bthd.io._atomic import check_output

        check_output(chart, overwrite=overwrite)
        counted = cat.chart_years(catalogue)
        fig = cat.usage_chart(catalogue, year=year if year in counted else None, lang=lang)

    cols = cat.column_names(["edition", "offer", "category", "service", "available_from"], lang)
    name = cat.labels("catalogue", lang)[catalogue]
    when = str(year) if year is not None else t["all"]
    print_table(
        display_frame(svc[cols], text=(0, 4)), f"{name} — {t['services']} ({when})", max_rows=100
    )

    source = cat.column_names(["source"], lang)[0]
    sources = list(svc[source])
    years = sorted(int(y) for y in cat.usage(catalogue)["year"].unique())
    if year is None or year in years:
        use = cat.usage(catalogue, year=year, lang=lang)
        ucols = cat.column_names(
            ["year", "service", "indicator", "value", "qualifier", "change_pct"], lang
        )
        print_table(display_frame(use[ucols], text=(0,)), t["usage"], max_rows=100)
        sources += list(use[source])
    else:
        console.print(t["none"].format(year=year, years=", ".join(map(str, years))))
    console.print(f"[bold]{t['sources']}[/]:", highlight=False)
    for s in dict.fromkeys(sources):
        console.print(f"  - {s}", highlight=False, markup=False)

    if fig is not None and chart is not None:
        from bthd.io._atomic import atomic_file

        with atomic_file(chart, overwrite=overwrite) as tmp:
            fig.savefig(tmp, format="png", dpi=120)
        console.print(f"{t['chart']}: {chart}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("catalogue")(catalogue)
