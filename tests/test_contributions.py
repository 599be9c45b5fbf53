"""Tests of bthd.contributions: published scales, interpolation rule, ratios, BTHD hook."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from bthd import contributions as co
from bthd._errors import InputError

#: A small EPCI frame: two métropoles, CA, CC (populations of the COG 2026 Breton part).
EPCI = pd.DataFrame(
    {
        "epci_siren": ["245600465", "243500733", "200042174", "242900314", "243500139"],
        "name": [
            "CC de Belle Ile en Mer",
            "CC Bretagne Romantique",
            "CA Lorient Agglomération",
            "Brest Métropole",
            "Rennes Métropole",
        ],
        "epci_type": ["CC", "CC", "CA", "METRO", "METRO"],
        "population": [5607, 36763, 208938, 215278, 480178],
    }
)
#: Communes of the four départements; the ``x99`` rows stand for the rest of each département
#: (the Région and Départements get the sums, the Région must be the largest member).
COMMUNES = pd.DataFrame(
    {
        "insee_code": ["22001", "35238", "56009", "22999", "29999", "35999", "56999"],
        "name": [
            "Allineuc",
            "Rennes",
            "Bangor",
            "rest of 22",
            "rest of 29",
            "rest of 35",
            "rest of 56",
        ],
        "departement": ["22", "35", "56", "22", "29", "35", "56"],
        "epci_siren": [None, "243500139", "245600465", None, None, None, None],
        "population": [589, 225000, 994, 611000, 933000, 895000, 782000],
    }
)


# --- published points --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "eur"),
    [
        (0, 50.0),
        (1, 50.0),
        (1999, 50.0),
        (2000, 50.0),
        (5000, 200.0),
        (7500, 200.0),
        (10000, 200.0),
        (100000, 1500.0),
        (213000, 1500.0),
        (250000, 1500.0),
    ],
)
def test_emegalis_published_points_exactly(population: int, eur: float) -> None:
    assert co.emegalis_contribution(population) == eur


def test_emegalis_between_points_is_strictly_between() -> None:
    assert 50 < co.emegalis_contribution(3000) < 200
    assert 200 < co.emegalis_contribution(30000) < 1500
    # log-log: the geometric mean of the populations gets the geometric mean of the amounts
    assert co.emegalis_contribution(np.sqrt(2000 * 5000)) == pytest.approx(100, abs=0.01)
    assert co.emegalis_contribution(600000) == 1500  # flat above the last band


def test_scales_are_non_decreasing_on_a_dense_range() -> None:
    p = np.arange(0, 1_200_000, 13, dtype="float64")
    assert (np.diff(co.emegalis_contribution(p)) >= 0).all()
    b = co.bouquet_contribution(p, floor_population=5607, cap_population=215278)
    assert (np.diff(b) >= 0).all()
    s = co.statutory_index(p, smallest_population=5607, largest_population=3_449_370)
    assert (np.diff(s) >= 0).all()


def test_bouquet_anchors_and_75_ratio_on_a_small_frame() -> None:
    t = co.epci_contributions(EPCI).set_index("epci_siren")
    assert t.loc["245600465", "bouquet_eur"] == 400.0  # the smallest: « petite CC »
    assert t.loc["242900314", "bouquet_eur"] == 30000.0  # « pour une Métropole »
    assert t.loc["243500139", "bouquet_eur"] == 30000.0  # every métropole
    bouquet = t["bouquet_eur"].to_dict()
    assert 400 < bouquet["243500733"] < bouquet["200042174"] < 30000
    assert t["bouquet_eur"].max() / t["bouquet_eur"].min() == 75.0


def test_bouquet_cap_is_the_largest_when_there_is_no_metropole() -> None:
    small = EPCI[EPCI["epci_type"] != "METRO"]
    t = co.epci_contributions(small).set_index("epci_siren")
    assert t.loc["200042174", "bouquet_eur"] == 30000.0
    assert t.loc["245600465", "bouquet_eur"] == 400.0


def test_statutory_500_ratio_over_members() -> None:
    t = co.contributions(2015, epci=EPCI, communes=COMMUNES)
    assert len(t) == 1 + 4 + len(EPCI)
    idx = t.set_index("member_id")["statutory_index"]
    assert idx["53"] == 500.0  # the Région is the largest member
    assert idx["245600465"] == 1.0  # Belle-Île the smallest
    assert idx.max() / idx.min() == 500.0
    by_pop = t.sort_values("population")["statutory_index"].to_numpy()
    assert (np.diff(by_pop) >= 0).all()


def test_statutory_participation_shares_out_a_total() -> None:
    from bthd.governance import members

    m = co.statutory_participation(members(EPCI, COMMUNES), total_eur=1_000_000)
    assert m["statutory_eur"].sum() == pytest.approx(1_000_000, abs=0.05)
    assert m["statutory_share_pct"].sum() == pytest.approx(100, abs=0.01)
    ratio = m["statutory_eur"].max() / m["statutory_eur"].min()
    assert ratio == pytest.approx(500, rel=1e-4)


def test_year_selects_the_scales_in_force() -> None:
    assert co.scales_in_force(2007) == ["emegalis_2007"]
    assert co.scales_in_force(2017) == ["bouquet_2015", "statutory_2015"]
    t2007 = co.contributions(2007, epci=EPCI, communes=COMMUNES)
    assert "emegalis_eur" in t2007 and "bouquet_eur" not in t2007
    t2015 = co.contributions(2015, epci=EPCI, communes=COMMUNES)
    assert {"bouquet_eur", "statutory_index"} <= set(t2015) and "emegalis_eur" not in t2015
    # Région and Départements are not in the bouquet scale
    assert t2015.loc[t2015["member_type"] != "epci", "bouquet_eur"].isna().all()


def test_shapes_are_kept() -> None:
    s = pd.Series([1000, 7000], index=["a", "b"], name="pop")
    out = co.emegalis_contribution(s)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert isinstance(co.emegalis_contribution([1000, 7000]), np.ndarray)
    assert isinstance(co.emegalis_contribution(1000), float)


def test_commune_contributions() -> None:
    t = co.commune_contributions(COMMUNES).set_index("insee_code")
    assert t.loc["22001", "emegalis_eur"] == 50.0
    assert t.loc["35238", "emegalis_eur"] == 1500.0  # Rennes, the press release's example


def test_french_columns() -> None:
    t = co.contributions(2015, epci=EPCI, communes=COMMUNES, lang="fr")
    assert {"bouquet 2015 (€ HT/an)", "indice participation statutaire", "nom"} <= set(t)
    assert "texte publié" in co.scale_points(lang="fr")


def test_scale_points_have_sources() -> None:
    pts = co.scale_points()
    assert pts["source"].notna().all()
    assert sorted(pts["amount_eur"].dropna()) == [50, 200, 400, 1500, 30000]
    assert sorted(pts["ratio"].dropna()) == [75, 500]
    # the published bouquet ratio is the ratio of its published amounts
    assert 30000 / 400 == 75


# --- BTHD hook ---------------------------------------------------------------------------------


def test_bthd_cofinancing_hook() -> None:
    assert co.BTHD_PER_PRISE_EUR == 445.0
    assert co.bthd_cofinancing(1000) == 445_000.0
    assert co.bthd_cofinancing(10, per_prise_eur=500) == 5000.0
    s = co.bthd_cofinancing(pd.Series([0, 2], index=["x", "y"]))
    assert s.to_dict() == {"x": 0.0, "y": 890.0}


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "needles"),
    [
        (lambda: co.emegalis_contribution(-5), ["-5", ">= 0"]),
        (lambda: co.emegalis_contribution([100, float("nan")]), ["nan", ">= 0"]),
        (lambda: co.emegalis_contribution("many"), ["'many'"]),
        (lambda: co.bthd_cofinancing(-3), ["prises", "-3"]),
        (lambda: co.scales_in_force(2012), ["2012", "2007", "2015–2019"]),
        (lambda: co.contributions(2030, epci=EPCI, communes=COMMUNES), ["2030", "2007"]),
        (
            lambda: co.contributions(epci=EPCI, communes=COMMUNES, siren="123"),
            ["'123'", "245600465", "243500139"],
        ),
        (
            lambda: co.contributions(epci=EPCI, communes=COMMUNES, siren="244400610"),
            ["244400610", "not a member"],
        ),
        (
            lambda: co.epci_contributions(EPCI.assign(population=[5607, -1, 3, 4, 5])),
            ["243500733", ">= 0"],
        ),
        (lambda: co.epci_contributions(EPCI.drop(columns="epci_type")), ["epci_type"]),
        (lambda: co.epci_contributions(EPCI.iloc[:1]), ["at least two"]),
        (lambda: co.contributions(epci=EPCI, communes=COMMUNES, lang="br"), ["'br'", "en, fr"]),
    ],
)
def test_bad_input_names_the_value_and_the_choices(
    call: Callable[[], object], needles: list[str]
) -> None:
    with pytest.raises(InputError) as err:
        call()
    assert isinstance(err.value, ValueError)
    for needle in needles:
        assert needle in str(err.value)


# --- real embedded data ------------------------------------------------------------------------


def test_real_members_and_ratios() -> None:
    t = co.contributions()
    assert len(t) == 65  # Région, 4 Départements, 60 EPCI (activity report 2024)
    assert "244400610" not in set(t["member_id"])  # Cap Atlantique, seat in Loire-Atlantique
    ep = t[t["member_type"] == "epci"].sort_values("population")
    assert (np.diff(ep["bouquet_eur"].to_numpy()) >= 0).all()
    assert (np.diff(ep["emegalis_eur"].to_numpy()) >= 0).all()
    assert ep["bouquet_eur"].max() / ep["bouquet_eur"].min() == 75.0
    assert t["statutory_index"].max() / t["statutory_index"].min() == 500.0
    metros = ep[ep["epci_type"].isin(["METRO", "ME"])]
    assert len(metros) == 2 and (metros["bouquet_eur"] == 30000).all()


def test_real_communes() -> None:
    t = co.commune_contributions()
    assert len(t) == 1202
    assert t["emegalis_eur"].between(50, 1500).all()
    assert (np.diff(t.sort_values("population")["emegalis_eur"].to_numpy()) >= 0).all()
