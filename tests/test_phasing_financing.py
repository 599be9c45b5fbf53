"""Co-financing: the funders add up to the capex of every zone and year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd.contributions import bthd_cofinancing
from bthd.phasing.financing import FUNDERS, fund
from bthd.phasing.scenario import Financing


def financing(**over: object) -> Financing:
    d: dict[str, object] = {
        "operator": {"per_line_eur": 100},
        "fsn": {
            "default": {"rate": 0.45, "cap_eur_per_prise": 450},
            "departements": {"35": {"rate": 0.33, "cap_eur_per_prise": 180}},
        },
        "feder_share": 0.05,
        "region": {"default_eur": 250},
        "departements": {"default_eur": 100, "departements": {"35": 135}},
        "loans": {"share_of_remainder": 0.3},
    }
    d.update(over)
    return Financing.model_validate(d)


def zone_years() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 200
    lines = rng.integers(0, 3000, n)
    per_line = rng.choice([50.0, 400.0, 900.0, 1700.0, 6000.0], n)  # from cheap to dispersed
    return pd.DataFrame(
        {
            "zdep_id": [f"Z{i}" for i in range(n)],
            "year": rng.integers(2015, 2027, n),
            "lines": lines,
            "capex_eur": lines * per_line,
            "departement": rng.choice(["22", "29", "35", "56"], n),
        }
    )


def test_funding_adds_up_to_capex_for_every_zone_and_year() -> None:
    f = fund(zone_years(), financing())
    cols = [f"{k}_eur" for k in FUNDERS]
    assert (f[cols] >= 0).all().all()
    np.testing.assert_allclose(f[cols].sum(axis=1), f["capex_eur"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(f["funding_total_eur"], f["capex_eur"], atol=1e-6)
    np.testing.assert_allclose(
        f["remaining_need_eur"], f["loans_eur"] + f["own_funds_eur"], atol=1e-9
    )


def test_fsn_rule_and_per_prise_contributions() -> None:
    zy = zone_years()
    f = fund(zy, financing())
    need = f["public_need_eur"]
    np.testing.assert_allclose(need, np.maximum(zy["capex_eur"] - 100 * zy["lines"], 0))
    rate = np.where(zy["departement"] == "35", 0.33, 0.45)
    cap = np.where(zy["departement"] == "35", 180, 450)
    assert (f["fsn_eur"] <= rate * need + 1e-6).all()
    assert (f["fsn_eur"] <= cap * zy["lines"] + 1e-6).all()
    # a dear zone pays every contribution in full: FSN at its cap, EPCI 445 €/prise
    dear = (zy["capex_eur"] >= 6000 * zy["lines"]) & (zy["lines"] > 0)
    assert dear.any()
    np.testing.assert_allclose(f.loc[dear, "fsn_eur"], (cap * zy["lines"])[dear])
    np.testing.assert_allclose(
        f.loc[dear, "epci_eur"], bthd_cofinancing(zy.loc[dear, "lines"].astype(float))
    )
    dep = np.where(zy["departement"] == "35", 135, 100)
    np.testing.assert_allclose(f.loc[dear, "departement_eur"], (dep * zy["lines"])[dear])
    # a cheap zone is covered before its own funds are touched
    cheap = (zy["capex_eur"] <= 100 * zy["lines"]) & (zy["lines"] > 0)
    assert cheap.any() and (f.loc[cheap, "own_funds_eur"] == 0).all()


def test_no_operator_and_no_public_share_leaves_all_to_own_funds_and_loans() -> None:
    zy = zone_years()
    f = fund(
        zy,
        financing(
            operator={"per_line_eur": 0},
            fsn={"default": {"rate": 0, "cap_eur_per_prise": 0}},
            feder_share=0,
            region={"default_eur": 0},
            departements={"default_eur": 0},
            epci={"default_eur": 0},
        ),
    )
    np.testing.assert_allclose(f["loans_eur"], 0.3 * zy["capex_eur"])
    np.testing.assert_allclose(f["own_funds_eur"], 0.7 * zy["capex_eur"])
