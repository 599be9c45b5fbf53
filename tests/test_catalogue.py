"""Tests of bthd.catalogue: the services bouquets, the Essonne catalogue, usage and chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from bthd import catalogue as cat
from bthd._errors import InputError

#: Entities per service in 2015 and change on 2014 (activity report 2015, p. 14-15).
USAGE_2015 = {
    "marches_publics": (783, 15),
    "actes": (875, 10),
    "flux_comptables": (605, 36),
    "parapheur": (74, 117),
    "echange_fichiers": (85, 200),
    "ads": (340, None),
    "visioconference": (59, -5),
}


def test_2015_bouquet_and_complementary_services() -> None:
    s = cat.services(year=2015)
    assert set(s["edition"]) == {"2015-2019"}
    bouquet = set(s.loc[s["offer"] == "Services bouquet", "service_id"])
    assert bouquet == {
        "marches_publics",
        "actes",
        "flux_comptables",
        "parapheur",
        "archivage",
        "echange_fichiers",
        "informations_publiques",
        "observatoire",
    }
    complementary = set(s.loc[s["offer"] == "Complementary services", "service_id"])
    assert complementary == {"certificats", "ads", "visioconference", "orthophotographie"}


def test_year_picks_the_edition_in_force() -> None:
    assert set(cat.services(year=2019)["edition"]) == {"2015-2019"}
    assert set(cat.services(year=2020)["edition"]) == {"2020-2024"}
    assert set(cat.services(year=2029)["edition"]) == {"2025-2029"}
    assert len(cat.services()) > len(cat.services(year=2022))


def test_2025_categories_and_complementary_services() -> None:
    codes = set(cat.categories("megalis")["category"])
    assert codes == {
        "administration",
        "citizens",
        "cybersecurity",
        "sobriety_accessibility",
        "support",
    }
    cyber = cat.services(year=2025, category="cybersecurity")
    comp = cyber[cyber["offer"] == "Complementary services"]
    assert set(comp["service_id"]) == {"certificats", "breizhcyber"}
    sobriety = cat.services(year=2025, category="sobriety_accessibility")
    assert set(sobriety["service_id"]) == {"parcours_accessibilite", "parcours_sobriete"}


def test_services_announced_later_are_left_out_before_their_year() -> None:
    ids_2025 = set(cat.services(year=2025, category="citizens")["service_id"])
    ids_2026 = set(cat.services(year=2026, category="citizens")["service_id"])
    assert "enquete_publique" not in ids_2025  # « [COURANT 2026] »
    assert ids_2026 - ids_2025 == {"enquete_publique"}


def test_essonne_catalogue_has_four_axes() -> None:
    s = cat.services("essonne")
    assert set(cat.categories("essonne")["category"]) == {
        "telecoms",
        "connected_buildings",
        "outdoor_sensors",
        "security",
    }
    per_axis = cat.services("essonne", category="connected_buildings")
    assert len(per_axis) == 4 and per_axis["service"].str.contains("LoRa").all()
    assert set(cat.services("essonne", category="security")["service_id"]) == {
        "videoprotection",
        "controle_acces",
    }
    assert len(s) == 14


def test_usage_2015_reproduces_the_published_table() -> None:
    u = cat.usage(year=2015, indicator="entities")
    per_service = u[u["service_id"] != cat.ALL_SERVICES]
    got = {
        row["service_id"]: (row["value"], None if pd.isna(row["change_pct"]) else row["change_pct"])
        for row in per_service.to_dict("records")
    }
    assert got == USAGE_2015
    certificates = cat.usage(year=2015, service="certificats")
    assert certificates["value"].tolist() == [640]
    assert certificates["indicator"].tolist() == ["Certificates issued"]


def test_usage_totals_by_year() -> None:
    t = cat.usage(service=cat.ALL_SERVICES, indicator="entities")
    assert dict(zip(t["year"], t["value"], strict=True)) == {2015: 1600, 2020: 2350, 2024: 2551}
    assert t.set_index("year").loc[2020, "qualifier"] == "more than"
    assert t.set_index("year").loc[2024, "change_pct"] == 3


def test_french_labels() -> None:
    s = cat.services(year=2025, category="administration", lang="fr")
    assert {"édition", "offre", "catégorie", "service"} <= set(s.columns)
    assert "Parapheur électronique" in set(s["service"])
    assert set(s["catégorie"]) == {"Services numériques pour votre administration"}
    u = cat.usage(year=2024, lang="fr")
    assert "Ensemble des services" in set(u["service"])
    assert "valeur" in u.columns


def test_every_row_has_a_source() -> None:
    for table in (
        cat.services(None),
        cat.usage("megalis"),
        cat.usage("essonne"),
        cat.editions(),
        cat.categories(),
    ):
        assert table["source"].notna().all()
        assert (table["source"].str.len() > 10).all()


def test_service_ids_unique_within_an_edition() -> None:
    s = cat.services(None)
    assert not s.duplicated(["catalogue", "edition", "service_id"]).any()


@pytest.mark.parametrize(
    ("call", "needles"),
    [
        (lambda: cat.services(year=2031), ["2031", "2015–2019", "2025–2029"]),
        (lambda: cat.services(year=2014), ["2014", "2015–2019"]),
        (lambda: cat.services(category="foo"), ["'foo'", "administration", "cybersecurity"]),
        (lambda: cat.services("gironde"), ["'gironde'", "megalis", "essonne"]),
        (lambda: cat.services(lang="de"), ["'de'", "en, fr"]),
        (lambda: cat.usage(year=2017), ["2017", "2015, 2020, 2024"]),
        (lambda: cat.usage(service="nope"), ["'nope'", "parapheur"]),
        (lambda: cat.usage_chart("essonne"), ["essonne", "megalis"]),
        (lambda: cat.usage_chart(year=2024), ["2024", "2015, 2020"]),
    ],
)
def test_bad_arguments_name_the_value_and_the_choices(
    call: Callable[[], object], needles: list[str]
) -> None:
    with pytest.raises(InputError) as err:
        call()
    assert isinstance(err.value, ValueError)
    for needle in needles:
        assert needle in str(err.value)


def test_usage_chart_draws_the_published_figures(tmp_path: Path) -> None:
    fig = cat.usage_chart()
    ax1, ax2 = fig.axes
    widths = sorted(int(p.get_width()) for p in ax1.patches if isinstance(p, Rectangle))
    assert widths == sorted(v for v, _ in USAGE_2015.values())
    heights = [int(p.get_height()) for p in ax2.patches if isinstance(p, Rectangle)]
    assert heights == [1600, 2350, 2551]
    assert "2015" in ax1.get_title()
    out = tmp_path / "usage.png"
    fig.savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_usage_chart_of_another_year_and_in_french() -> None:
    fig = cat.usage_chart(year=2020, lang="fr")
    ax1, _ = fig.axes
    assert [int(p.get_width()) for p in ax1.patches if isinstance(p, Rectangle)] == [315]
    assert "Entités" in ax1.get_title()
