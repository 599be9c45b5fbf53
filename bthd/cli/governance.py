"""``bthd governance``: colleges, delegates and votes of the syndicat, 2015 and today."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bthd.cli._common import console, handle_errors, print_table

_TEXT = {
    "en": {
        "published": "Colleges in 2015 (published)",
        "now": "Colleges in {year} (recomputed: {n} member EPCI, rule {rule})",
        "compare": "2015 against {year}",
        "members": "Votes per member ({year})",
        "decide": "{year}: {votes} votes — simple majority {simple}, two thirds {two}; "
        "quorum {quorum} of {delegates} delegates",
        "source": "Source",
    },
    "fr": {
        "published": "Collèges en 2015 (publiés)",
        "now": "Collèges en {year} (recalculés : {n} EPCI membres, règle {rule})",
        "compare": "2015 face à {year}",
        "members": "Voix par membre ({year})",
        "decide": "{year} : {votes} voix — majorité simple {simple}, deux tiers {two} ; "
        "quorum {quorum} sur {delegates} délégués",
        "source": "Source",
    },
}


def _display(df: Any) -> Any:
    """Missing values blank (print_table would print them as ``nan``)."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].isna().any():
            out[col] = pd.Series(
                ["" if pd.isna(v) else v for v in out[col].astype(object)],
                index=out.index,
                dtype=object,
            )
    return out


def governance(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", "-y", help="2015 (published table) or 2026 (recomputed); default both."
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Language of the tables: en or fr.")
    ] = "en",
    rule: Annotated[
        str,
        typer.Option(
            "--rule", help="College rule for EPCI: type (CA and métropoles first) or size."
        ),
    ] = "type",
    threshold: Annotated[
        int, typer.Option("--threshold", help="Population splitting EPCI n°2 from n°3.")
    ] = 20_000,
    members: Annotated[
        bool, typer.Option("--members", help="Also list the votes of each member.")
    ] = False,
) -> None:
    """Print the colleges of the Comité syndical (members, delegates, votes) and majorities."""
    handle_errors(_run)(year, lang, rule, threshold, members)


_COMPARE_HEAD = {
    "en": ("college", "members", "delegates", "votes", "vote share (%)"),
    "fr": ("collège", "membres", "délégués", "voix", "part des voix (%)"),
}


def _run(year: int | None, lang: str, rule: str, threshold: int, members: bool) -> None:
    from bthd import governance as gov
    from bthd import i18n

    t = i18n.pick(_TEXT, i18n.check_lang(lang, "--lang"))  # before any work
    now_year = gov.CURRENT_YEAR
    if year is not None and year not in (2015, now_year):
        gov.colleges(year)  # raises with the valid years
    now = None
    if year in (None, now_year):  # computed first: a bad rule fails before anything is printed
        now = gov.colleges(now_year, rule=rule, threshold=threshold)
    if year in (None, 2015):
        table = gov.colleges(2015)
        print_table(_display(_labelled(gov, gov.colleges(2015, lang=lang), lang)), t["published"])
        _print_decisions(gov, table, 2015, t)
        console.print(
            f"{t['source']}: {gov.colleges_2015()['source'].iloc[0]}", highlight=False, markup=False
        )
    if now is not None:
        n = len(gov.member_epci())
        print_table(
            _display(
                _labelled(
                    gov, gov.colleges(now_year, rule=rule, threshold=threshold, lang=lang), lang
                )
            ),
            t["now"].format(year=now_year, n=n, rule=rule),
        )
        _print_decisions(gov, now, now_year, t)
    if year is None:
        comp = gov.compare_with_2015(rule=rule, threshold=threshold)
        print_table(
            _compact(comp, comp["college"].map(gov.college_labels(lang)), lang),
            t["compare"].format(year=now_year),
        )
    if members:
        mv = gov.members_votes(rule=rule, threshold=threshold, lang=lang)
        print_table(
            _display(_labelled(gov, mv, lang)), t["members"].format(year=now_year), max_rows=100
        )


def _labelled(gov: Any, df: Any, lang: str) -> Any:
    """English tables show college labels (French ones get them from the library)."""
    if lang != "en":
        return df
    return df.assign(college=df["college"].map(gov.college_labels("en")))


def _compact(comp: Any, names: Any, lang: str) -> Any:
    """The comparison as ``2015 → now (diff)`` strings, one column per quantity."""
    import pandas as pd

    def arrow(a: Any, b: Any, diff: bool = True) -> list[str]:
        if not diff:
            return [f"{x:.1f} → {y:.1f}" for x, y in zip(a, b, strict=True)]
        return [f"{x} → {y} ({y - x:+d})" for x, y in zip(a, b, strict=True)]

    from bthd import i18n

    head = i18n.pick(_COMPARE_HEAD, lang)
    return pd.DataFrame(
        {
            head[0]: list(names),
            head[1]: arrow(comp["members_2015"], comp["members_now"]),
            head[2]: arrow(comp["delegates_2015"], comp["delegates_now"]),
            head[3]: arrow(comp["votes_2015"], comp["votes_now"]),
            head[4]: arrow(comp["vote_share_2015_pct"], comp["vote_share_now_pct"], diff=False),
        }
    )


def _print_decisions(gov: Any, table: Any, year: int, t: dict[str, str]) -> None:
    total = table[table["college"] == "total"].iloc[0]
    votes, delegates = int(total["votes"]), int(total["delegates"])
    console.print(
        t["decide"].format(
            year=year,
            votes=votes,
            simple=gov.votes_needed(votes, "simple"),
            two=gov.votes_needed(votes, "two_thirds"),
            quorum=gov.quorum_needed(delegates),
            delegates=delegates,
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("governance")(governance)
