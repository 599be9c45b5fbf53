"""Tests of bthd.governance: the 2015 colleges, EPCI assignment, majority and quorum."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from bthd import governance as gov
from bthd._errors import InputError

#: The 2015 table (activity report 2015, p. 4): members, delegates per member, delegates,
#: votes per delegate, votes.
TABLE_2015 = {
    "region": (1, 4, 4, 75, 300),
    "departements": (4, 2, 8, 25, 200),
    "epci_1": (12, 2, 24, 5, 120),
    "epci_2": (30, 1, 30, 2, 60),
    "epci_3": (59, 1, 59, 1, 59),
}
COLUMNS = ["members", "delegates_per_member", "delegates", "votes_per_delegate", "votes"]


def _epci_frame(n_agglo: int, n_big_cc: int, n_small_cc: int) -> pd.DataFrame:
    """Synthetic EPCI: agglomerations, CC of 20,000+ and CC under 20,000 inhabitants."""
    rows = [(f"1{i:08d}", f"CA {i}", "CA" if i else "METRO", 60000 + i) for i in range(n_agglo)]
    rows += [(f"2{i:08d}", f"CC big {i}", "CC", 20000 + 100 * i) for i in range(n_big_cc)]
    rows += [(f"3{i:08d}", f"CC small {i}", "CC", 19999 - 100 * i) for i in range(n_small_cc)]
    return pd.DataFrame(rows, columns=["epci_siren", "name", "epci_type", "population"])


def _rows(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Integer figures of a college table by college code."""
    return {
        str(r["college"]): {c: int(r[c]) for c in ("members", "delegates", "votes")}
        | {c: int(r[c]) for c in COLUMNS if pd.notna(r[c])}
        for r in table.to_dict("records")
    }


def test_2015_table_is_reproduced_exactly() -> None:
    t = _rows(gov.colleges_2015())
    for college, figures in TABLE_2015.items():
        assert tuple(t[college][c] for c in COLUMNS) == figures
    assert (t["total"]["members"], t["total"]["delegates"], t["total"]["votes"]) == (106, 125, 739)


def test_2015_table_is_consistent() -> None:
    t = gov.colleges_2015(total=False)
    assert (t["delegates"] == t["members"] * t["delegates_per_member"]).all()
    assert (t["votes"] == t["delegates"] * t["votes_per_delegate"]).all()
    assert t["votes"].sum() == 739


def test_rule_recomputes_2015_from_2015_like_membership() -> None:
    epci = _epci_frame(12, 30, 59)
    t = _rows(gov.colleges(gov.CURRENT_YEAR, epci=epci))
    for college, figures in TABLE_2015.items():
        assert tuple(t[college][c] for c in COLUMNS) == figures
    assert t["total"]["votes"] == 739


def test_threshold_boundary_and_rules() -> None:
    epci = pd.DataFrame(
        {
            "epci_siren": ["1", "2", "3", "4"],
            "name": ["CC at threshold", "CC below", "big CC", "small CA"],
            "epci_type": ["CC", "CC", "CC", "CA"],
            "population": [20000, 19999, 91253, 46346],
        }
    )
    by_type = gov.assign_colleges(epci).set_index("epci_siren")["college"]
    assert by_type.to_dict() == {"1": "epci_2", "2": "epci_3", "3": "epci_2", "4": "epci_1"}
    by_size = gov.assign_colleges(epci, rule="size").set_index("epci_siren")["college"]
    assert by_size.to_dict() == {"1": "epci_2", "2": "epci_3", "3": "epci_1", "4": "epci_2"}
    lower = gov.assign_colleges(epci, threshold=15000).set_index("epci_siren")["college"]
    assert lower["2"] == "epci_2"


def test_votes_per_member_sum_to_the_college_table() -> None:
    epci = _epci_frame(3, 2, 4)
    mv = gov.members_votes(epci)
    assert len(mv) == 1 + 4 + 9
    t = gov.colleges(epci=epci)
    assert mv["votes"].sum() == t.loc[t["college"] == "total", "votes"].item()
    assert mv.loc[mv["member_type"] == "region", "votes"].item() == 300
    assert set(mv.loc[mv["member_type"] == "departement", "votes"]) == {50}
    assert mv.loc[mv["member_id"] == "100000001", "votes"].item() == 10  # 2 delegates × 5


def test_non_members_are_left_out() -> None:
    epci = pd.concat(
        [
            _epci_frame(1, 1, 1),
            pd.DataFrame(
                {
                    "epci_siren": ["244400610"],
                    "name": ["Cap Atlantique"],
                    "epci_type": ["CA"],
                    "population": [6767],
                }
            ),
        ],
        ignore_index=True,
    )
    assert "244400610" not in set(gov.member_epci(epci)["epci_siren"])
    assert len(gov.assign_colleges(epci)) == 3


def test_compare_with_2015_differences() -> None:
    epci = _epci_frame(18, 31, 11)
    c = gov.compare_with_2015(epci).set_index("college")
    for what in ("members", "delegates", "votes"):
        assert (c[f"{what}_diff"] == c[f"{what}_now"] - c[f"{what}_2015"]).all()
    assert c.loc["epci_3", "members_diff"] == 11 - 59
    assert c.loc["total", "votes_2015"] == 739
    assert c["vote_share_now_pct"].iloc[:-1].sum() == pytest.approx(100, abs=0.3)


def test_majority() -> None:
    assert gov.majority(370, 739) and not gov.majority(369, 739)
    assert gov.majority(493, 739, kind="two_thirds")
    assert not gov.majority(492, 739, kind="two_thirds")
    assert gov.votes_needed(739) == 370 and gov.votes_needed(739, "two_thirds") == 493
    assert gov.votes_needed(300, "two_thirds") == 200 and gov.majority(200, 300, "two_thirds")
    assert not gov.majority(150, 300)  # exactly half is not a majority


def test_quorum() -> None:
    assert gov.quorum_reached(63) and not gov.quorum_reached(62)  # 125 delegates in 2015
    assert gov.quorum_needed(90) == 46
    assert gov.quorum_reached(31, 90, share=1 / 3) and not gov.quorum_reached(30, 90, share=1 / 3)


def test_french_labels() -> None:
    t = gov.colleges(2015, lang="fr")
    assert {"collège", "total des voix", "nb de voix par délégué"} <= set(t.columns)
    assert list(t["collège"])[:5] == ["Région", "Départements", "EPCI n°1", "EPCI n°2", "EPCI n°3"]


def test_membership_counts_are_consistent() -> None:
    m = gov.membership()
    for year in (2007, 2015, 2024):
        rows = m[m["year"] == year].set_index("group")["members"]
        assert rows.drop("total").sum() == rows["total"]
    assert m.set_index(["year", "group"]).loc[(2015, "total"), "members"] == 106


@pytest.mark.parametrize(
    ("call", "needles"),
    [
        (lambda: gov.colleges(2020), ["2020", "2015, 2026"]),
        (lambda: gov.majority(10, 739, kind="unanimity"), ["'unanimity'", "simple, two_thirds"]),
        (lambda: gov.majority(800, 739), ["800", "739"]),
        (lambda: gov.majority(-1, 739), ["-1", ">= 0"]),
        (lambda: gov.quorum_reached(130), ["130", "125"]),
        (lambda: gov.quorum_reached(10, 90, share=1.5), ["1.5"]),
        (lambda: gov.assign_colleges(_epci_frame(1, 1, 1), rule="age"), ["'age'", "type, size"]),
        (
            lambda: gov.assign_colleges(_epci_frame(1, 1, 1).assign(population=[1, -20, 3])),
            ["200000000", ">= 0"],
        ),
        (lambda: gov.member_epci(pd.DataFrame({"epci_siren": ["1"]})), ["name", "epci_type"]),
        (lambda: gov.colleges(2015, lang="it"), ["'it'", "en, fr"]),
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


def test_today_from_the_embedded_data() -> None:
    ep = gov.member_epci()
    assert len(ep) == 60  # 61 EPCI with Breton communes, Cap Atlantique is not a member
    t = _rows(gov.colleges())
    assert t["epci_1"]["members"] == int(ep["epci_type"].isin(gov.AGGLO_TYPES).sum())
    assert sum(t[c]["members"] for c in ("epci_1", "epci_2", "epci_3")) == 60
    assert t["total"]["members"] == 65
    assert t["total"]["votes"] == sum(t[c]["votes"] for c in gov.COLLEGES)
    mv = gov.members_votes()
    assert mv["votes"].sum() == t["total"]["votes"]
