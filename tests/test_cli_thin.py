"""Tests of the ``bthd catalogue``, ``bthd contributions`` and ``bthd governance`` commands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bthd.cli import _common, app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Wide enough tables that rows are not wrapped (the default is 80 columns off a tty)."""
    old = _common.console._width
    _common.console.width = 200
    yield
    _common.console._width = old


def _row(label: str, *cells: object) -> re.Pattern[str]:
    """A table row: ``label`` then ``cells`` in order, separated by rich's vertical bars."""
    body = r"\s*│\s*".join(re.escape(str(c)) for c in cells)
    return re.compile(rf"│\s*{re.escape(label)}\s*│\s*{body}\s*│")


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("catalogue", "contributions", "governance"):
        assert command in result.output


# --- governance --------------------------------------------------------------------------------


def test_governance_2015_table() -> None:
    result = runner.invoke(app, ["governance", "--year", "2015"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert _row("Région", 1, 4, 4, 75, 300).search(out)
    assert _row("Départements", 4, 2, 8, 25, 200).search(out)
    assert _row("EPCI no. 1", 12, 2, 24, 5, 120).search(out)
    assert _row("EPCI no. 2", 30, 1, 30, 2, 60).search(out)
    assert _row("EPCI no. 3", 59, 1, 59, 1, 59).search(out)
    assert re.search(r"│\s*Total\s*│\s*106\s*│\s*│\s*125\s*│\s*│\s*739\s*│", out)
    assert "simple majority 370, two thirds 493; quorum 63 of 125" in out
    assert "Rapport d'activité 2015, p. 4" in out


def test_governance_today_and_comparison_in_french() -> None:
    result = runner.invoke(app, ["governance", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "60 EPCI membres" in result.output
    assert "EPCI n°1" in result.output and "total des voix" in result.output
    assert "739 →" in result.output  # the comparison with 2015


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["governance", "--year", "2020"], ["2020", "2015, 2026"]),
        (["governance", "--rule", "age"], ["'age'", "type, size"]),
        (["governance", "--lang", "de"], ["'de'", "en, fr"]),
        (["governance", "--rule", "sise"], ["'sise'", "Did you mean 'size'?"]),
    ],
)
def test_governance_bad_input(args: list[str], needles: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "error:" in result.stderr
    for needle in needles:
        assert needle in result.stderr
    assert "Colleges" not in result.stdout  # nothing printed before the check


# --- contributions -----------------------------------------------------------------------------


def test_contributions_2015() -> None:
    result = runner.invoke(app, ["contributions", "--year", "2015"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "« 400 € par an pour une petite Communauté de communes »" in out
    assert "« 30 000 € par an pour une Métropole »" in out
    assert _row("Brest Métropole", "METRO", "215 278", "30 000").search(out)
    assert _row("CC de Belle Ile en Mer", "CC", "5 607", "400.00").search(out)
    assert "bouquet_2015: largest / smallest = 75 (published: 75)" in out
    assert "statutory_2015: largest / smallest = 500 (published: 500)" in out


def test_contributions_one_epci_and_csv(tmp_path: Path) -> None:
    out_csv = tmp_path / "contrib.csv"
    result = runner.invoke(app, ["contributions", "--epci", "243500733", "--csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert "CC Bretagne Romantique" in result.output
    text = out_csv.read_text(encoding="utf-8").splitlines()
    assert len(text) == 2 and text[1].startswith("epci,243500733,CC Bretagne Romantique,CC,")
    again = runner.invoke(app, ["contributions", "--epci", "243500733", "--csv", str(out_csv)])
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_contributions_communes_of_one_epci() -> None:
    result = runner.invoke(
        app, ["contributions", "--communes", "--epci", "245600465", "--lang", "fr"]
    )
    assert result.exit_code == 0, result.output
    for commune in ("Bangor", "Locmaria", "Le Palais", "Sauzon"):
        assert commune in result.output
    assert "e-mégalis 2007" in result.output


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["contributions", "--epci", "999"], ["'999'", "243500733", "60 member EPCI"]),
        (["contributions", "--epci", "244400610"], ["244400610", "not a member"]),
        (["contributions", "--year", "2012"], ["2012", "2007", "2015–2019"]),
        (["contributions", "--communes", "--year", "2016"], ["2016", "--year 2007"]),
        (["contributions", "--lang", "xx"], ["'xx'", "en, fr"]),
        (["contributions", "--epci", "24350073"], ["'24350073'", "Did you mean '243500733'"]),
    ],
)
def test_contributions_bad_input(args: list[str], needles: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    for needle in needles:
        assert needle in result.stderr


# --- catalogue ---------------------------------------------------------------------------------


def test_catalogue_2015_with_usage() -> None:
    result = runner.invoke(app, ["catalogue", "--year", "2015"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Electronic signature workflow" in out
    assert _row(
        "2015", "Regional public procurement platform", "Entities", 783, "exact", 15
    ).search(out)
    assert _row("2015", "Telephone helpdesk", "Helpdesk tickets", "13 000").search(out)
    assert "Rapport d'activité 2015, p. 14-15" in out


def test_catalogue_french_2024_and_chart(tmp_path: Path) -> None:
    png = tmp_path / "usage.png"
    result = runner.invoke(
        app, ["catalogue", "--year", "2024", "--lang", "fr", "--chart", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert "Convocation électronique des élus" in result.output
    assert _row("2024", "Ensemble des services", "Nombre d'entités", "2 551").search(result.output)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_catalogue_essonne_axes() -> None:
    result = runner.invoke(app, ["catalogue", "--catalogue", "essonne"])
    assert result.exit_code == 0, result.output
    for axis in (
        "Telecommunications",
        "Sustainable connected buildings (LoRa)",
        "Connected outdoor sensors",
        "Security",
    ):
        assert axis in result.output
    assert "LoRa gateways" in result.output


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["catalogue", "--year", "2031"], ["2031", "2025–2029"]),
        (["catalogue", "--category", "sports"], ["'sports'", "cybersecurity"]),
        (["catalogue", "--catalogue", "gironde"], ["'gironde'", "megalis, essonne"]),
        (["catalogue", "--catalogue", "megalys"], ["'megalys'", "Did you mean 'megalis'?"]),
        (["catalogue", "--lang", "FR"], ["--lang: language 'FR'", "Did you mean 'fr'?"]),
    ],
)
def test_catalogue_bad_input(args: list[str], needles: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    for needle in needles:
        assert needle in result.stderr


def test_catalogue_chart_errors_come_before_any_output(tmp_path: Path) -> None:
    png = tmp_path / "essonne.png"
    result = runner.invoke(app, ["catalogue", "--catalogue", "essonne", "--chart", str(png)])
    assert result.exit_code == 2
    assert "no per-service entity counts" in result.stderr and "megalis" in result.stderr
    assert result.stdout == "" and not png.exists()
    png.write_bytes(b"keep")
    again = runner.invoke(app, ["catalogue", "--chart", str(png)])
    assert again.exit_code == 2 and "exists already" in again.stderr
    assert png.read_bytes() == b"keep"
