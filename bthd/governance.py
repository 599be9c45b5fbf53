"""Governance of the syndicat mixte: members, colleges, delegates, votes, majority and quorum.

Each member of Mégalis Bretagne belongs to a college that fixes how many delegates it sends to
the Comité syndical and how many votes each delegate carries. The 2015 activity report (p. 4)
publishes the table, kept as data in ``bthd/resources/governance/colleges.csv``:

============  =======  ====================  =========  ==================  =====
College       Members  Delegates per member  Delegates  Votes per delegate  Votes
============  =======  ====================  =========  ==================  =====
Région              1                     4          4                  75    300
Départements        4                     2          8                  25    200
EPCI n°1           12                     2         24                   5    120
EPCI n°2           30                     1         30                   2     60
EPCI n°3           59                     1         59                   1     59
Total             106                              125                        739
============  =======  ====================  =========  ==================  =====

How EPCI are assigned to colleges (``rule="type"``, the default):

* EPCI n°1: the métropoles and communautés d'agglomération (and urbaines). The report says
  Mégalis gathers « les 12 Métropoles et Communautés d'agglomération et 89 Communautés de
  communes », and college n°1 has exactly 12 members, so the first split is by type.
* EPCI n°2 and n°3: the other EPCI (communautés de communes) with at least / under
  :data:`CC_THRESHOLD` = 20,000 inhabitants. The report does not give the split; 20,000 is the
  threshold the syndicat used in 2007 to count its communautés de communes (press release of
  20 February 2007: « 16 communautés de communes de plus de 20 000 habitants et 28 […] de moins
  de 20 000 habitants »). It is an assumption, a parameter of every function.

``rule="size"`` assigns by population only: at least :data:`AGGLO_THRESHOLD` = 50,000
inhabitants (the legal minimum of a communauté d'agglomération, CGCT art. L5216-1; not in the
sources) to n°1, then the 20,000 split.

Members today: the embedded data (COG 2026) has 61 EPCI with Breton communes; Cap Atlantique has
its seat in Loire-Atlantique and is not a member (``non_members.csv``), which gives the 60 EPCI
of the 2024 report. Populations are those of the Breton communes of each EPCI (column
``population`` of :func:`bthd.data.load_epci`).

Majority and quorum (:func:`majority`, :func:`quorum_reached`) follow the general rules of
French local councils (majority of the votes cast; quorum when more than half of the members in
office are present, CGCT art. L2121-17); the statutes of the syndicat, which are not in the
sources, may differ: both take the rule as parameters.

Not for: contribution amounts (see :mod:`bthd.contributions`).
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import pandas as pd

from bthd import i18n
from bthd._errors import InputError

#: Year of the embedded EPCI composition (COG 2026): the "today" of :func:`colleges`.
CURRENT_YEAR = 2026
#: Population at or above which a communauté de communes sits in college EPCI n°2 (assumption,
#: from the 2007 press release; see the module docstring).
CC_THRESHOLD = 20_000
#: Population at or above which an EPCI sits in college EPCI n°1 under ``rule="size"``.
AGGLO_THRESHOLD = 50_000
#: EPCI types of college EPCI n°1 under ``rule="type"``.
AGGLO_TYPES = ("CA", "CU", "METRO", "ME", "MET69")
#: EPCI types that are métropoles.
METROPOLE_TYPES = ("METRO", "ME", "MET69")
#: The Région member: code and name.
REGION = ("53", "Région Bretagne")
#: The Département members: code and name.
DEPARTEMENTS = {"22": "Côtes-d'Armor", "29": "Finistère", "35": "Ille-et-Vilaine", "56": "Morbihan"}
#: Colleges, in the order of the 2015 table.
COLLEGES = ("region", "departements", "epci_1", "epci_2", "epci_3")
#: Kinds of majority understood by :func:`majority`.
MAJORITY_KINDS = ("simple", "two_thirds")
#: Assignment rules understood by :func:`assign_colleges`.
RULES = ("type", "size")
#: Languages of the tables.
LANGS = i18n.LANGS

_EPCI_COLUMNS = ("epci_siren", "name", "epci_type")
_COLUMNS_FR = {
    "college": "collège",
    "members": "nb de membres",
    "delegates_per_member": "délégués titulaires par membre",
    "delegates": "nb total de délégués",
    "votes_per_delegate": "nb de voix par délégué",
    "votes": "total des voix",
    "vote_share_pct": "part des voix (%)",
    "member_type": "type de membre",
    "member_id": "code",
    "name": "nom",
    "epci_type": "type d'EPCI",
    "population": "population",
    "epci_siren": "SIREN",
    "members_2015": "membres 2015",
    "members_now": "membres aujourd'hui",
    "members_diff": "écart membres",
    "delegates_2015": "délégués 2015",
    "delegates_now": "délégués aujourd'hui",
    "delegates_diff": "écart délégués",
    "votes_2015": "voix 2015",
    "votes_now": "voix aujourd'hui",
    "votes_diff": "écart voix",
    "vote_share_2015_pct": "part des voix 2015 (%)",
    "vote_share_now_pct": "part des voix aujourd'hui (%)",
    "source": "source",
}


# --- data and checks ---------------------------------------------------------------------------


@functools.cache
def _read(name: str) -> pd.DataFrame:
    path = resources.files("bthd.resources").joinpath("governance", f"{name}.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"epci_siren": str})


def _data(name: str) -> pd.DataFrame:
    return _read(name).copy()


def _translate(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = i18n.translate_columns(df, _COLUMNS_FR, lang)
    if lang == "en":
        return out
    col = _COLUMNS_FR["college"]
    if col in out.columns:
        labels = college_labels("fr")
        out[col] = out[col].map(lambda c: labels.get(c, c))
    return out


def _check_population_frame(
    df: pd.DataFrame, id_column: str, what: str, population_column: str = "population"
) -> pd.DataFrame:
    missing = [c for c in (id_column, population_column) if c not in df.columns]
    if missing:
        raise InputError(
            f"{what}: missing column(s) {', '.join(missing)}; the frame has "
            f"{', '.join(map(str, df.columns))}. Pass a frame like bthd.data.load_{what}()."
        )
    pop = pd.to_numeric(df[population_column], errors="coerce")
    bad = df.loc[pop.isna() | (pop < 0), id_column].astype(str).tolist()
    if bad:
        raise InputError(
            f"{what}: population must be a number >= 0; negative or missing for "
            f"{', '.join(bad[:10])}{' …' if len(bad) > 10 else ''}. Fix the population column."
        )
    return df.assign(**{population_column: pop.astype("int64")})


def _default_epci() -> pd.DataFrame:
    from bthd.data import load_epci

    return pd.DataFrame(load_epci().drop(columns="geometry"))


def _default_communes() -> pd.DataFrame:
    from bthd.data import load_communes

    return pd.DataFrame(load_communes().drop(columns="geometry"))


# --- members -----------------------------------------------------------------------------------


def college_labels(lang: str = "en") -> dict[str, str]:
    """Label of each college code (``region`` → ``Région``, ``epci_1`` → ``EPCI n°1``...)."""
    labels = i18n.labels(_data("colleges"), "college", lang)
    labels["total"] = "Total"
    return labels


def non_members() -> pd.DataFrame:
    """EPCI with Breton communes that are not members of Mégalis Bretagne, with the reason."""
    return _data("non_members")


def membership() -> pd.DataFrame:
    """Published counts of members by group: 2007 (58), 2015 (106), 2024 (65), with sources."""
    return _data("membership")


def member_epci(
    epci: pd.DataFrame | None = None, *, population_column: str = "population"
) -> pd.DataFrame:
    """The member EPCI: ``epci`` without the non-members, populations checked.

    Parameters
    ----------
    epci
        Columns ``epci_siren, name, epci_type`` and ``population_column``; default
        :func:`bthd.data.load_epci` (the 61 EPCI of COG 2026, Breton part).
    population_column
        Column holding the population (e.g. ``population_municipale_dgcl`` for the whole EPCI
        rather than its Breton part).

    Returns
    -------
    pandas.DataFrame
        ``epci_siren, name, epci_type, population`` (plain DataFrame, no geometry), sorted by
        SIREN.
    """
    epci = _default_epci() if epci is None else pd.DataFrame(epci).copy()
    missing = [c for c in _EPCI_COLUMNS if c not in epci.columns]
    if missing:
        raise InputError(
            f"epci: missing column(s) {', '.join(missing)}; the frame has "
            f"{', '.join(map(str, epci.columns))}. Pass a frame like bthd.data.load_epci()."
        )
    epci = _check_population_frame(epci, "epci_siren", "epci", population_column)
    epci["epci_siren"] = epci["epci_siren"].astype(str)
    out = epci[~epci["epci_siren"].isin(non_members()["epci_siren"])]
    out = out[[*_EPCI_COLUMNS, population_column]].rename(columns={population_column: "population"})
    return out.sort_values("epci_siren", ignore_index=True)


def members(
    epci: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    *,
    population_column: str = "population",
) -> pd.DataFrame:
    """Every member of the syndicat: the Région, the 4 Départements and the member EPCI.

    Parameters
    ----------
    epci
        See :func:`member_epci`; default the embedded EPCI.
    communes
        Columns ``insee_code, departement, population``; the Région's population is the sum over
        the communes, each Département's the sum over its communes. Default the embedded
        communes (:func:`bthd.data.load_communes`).
    population_column
        Population column of ``epci``.

    Returns
    -------
    pandas.DataFrame
        ``member_type`` (``region``, ``departement``, ``epci``), ``member_id`` (region or
        département code, EPCI SIREN), ``name``, ``epci_type`` (empty for Région and
        Départements), ``population``.
    """
    ep = member_epci(epci, population_column=population_column)
    communes = _default_communes() if communes is None else pd.DataFrame(communes)
    if "departement" not in communes.columns:
        raise InputError(
            "communes: missing column departement; pass a frame like bthd.data.load_communes()."
        )
    communes = _check_population_frame(communes, "insee_code", "communes")
    dep = communes.groupby(communes["departement"].astype(str))["population"].sum()
    unknown = sorted(set(dep.index) - set(DEPARTEMENTS))
    if unknown:
        raise InputError(
            f"communes: département(s) {', '.join(unknown)} are not Breton; the "
            f"valid choices are {', '.join(DEPARTEMENTS)}."
        )
    rows = [
        {
            "member_type": "region",
            "member_id": REGION[0],
            "name": REGION[1],
            "epci_type": None,
            "population": int(communes["population"].sum()),
        }
    ]
    rows += [
        {
            "member_type": "departement",
            "member_id": code,
            "name": DEPARTEMENTS[code],
            "epci_type": None,
            "population": int(dep.get(code, 0)),
        }
        for code in DEPARTEMENTS
    ]
    head = pd.DataFrame(rows)
    tail = pd.DataFrame(
        {
            "member_type": "epci",
            "member_id": ep["epci_siren"],
            "name": ep["name"],
            "epci_type": ep["epci_type"],
            "population": ep["population"],
        }
    )
    out = pd.concat([head, tail], ignore_index=True)
    out["population"] = out["population"].astype("int64")
    return out


# --- colleges ----------------------------------------------------------------------------------


def colleges_2015(*, total: bool = True, lang: str = "en") -> pd.DataFrame:
    """The published table of colleges of 2015 (739 votes), one row per college.

    Parameters
    ----------
    total
        Append a ``total`` row (106 members, 125 delegates, 739 votes).
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    pandas.DataFrame
        ``college, members, delegates_per_member, delegates, votes_per_delegate, votes,
        source``.
    """
    c = _data("colleges")
    out = pd.DataFrame(
        {
            "college": c["college"],
            "members": c["members_2015"],
            "delegates_per_member": c["delegates_per_member"],
            "delegates": c["delegates_2015"],
            "votes_per_delegate": c["votes_per_delegate"],
            "votes": c["votes_2015"],
            "source": c["source"],
        }
    )
    if total:
        out = _with_total(out)
    return _translate(out, lang)


def _with_total(df: pd.DataFrame) -> pd.DataFrame:
    tot: dict[str, object] = {
        c: (int(df[c].sum()) if c in ("members", "delegates", "votes") else None)
        for c in df.columns
    }
    tot["college"] = "total"
    out = pd.concat([df, pd.DataFrame([tot])], ignore_index=True)
    for c in ("delegates_per_member", "votes_per_delegate"):
        if c in out.columns:
            out[c] = out[c].astype("Int64")
    return out


def assign_colleges(
    epci: pd.DataFrame | None = None,
    *,
    rule: str = "type",
    threshold: int = CC_THRESHOLD,
    agglo_threshold: int = AGGLO_THRESHOLD,
    population_column: str = "population",
) -> pd.DataFrame:
    """The college of each member EPCI, with its delegates and votes.

    Parameters
    ----------
    epci
        See :func:`member_epci`; default the embedded EPCI.
    rule
        ``"type"``: métropoles, CA and CU in EPCI n°1, the others split at ``threshold``;
        ``"size"``: population at least ``agglo_threshold`` in n°1, then the same split.
    threshold
        Population from which an EPCI outside n°1 sits in n°2 (default 20,000).
    agglo_threshold
        Population from which an EPCI sits in n°1 under ``rule="size"``.
    population_column
        Population column of ``epci``.

    Returns
    -------
    pandas.DataFrame
        ``epci_siren, name, epci_type, population, college, delegates, votes_per_delegate,
        votes`` (votes of the member: its delegates times the votes per delegate).
    """
    i18n.check_choice(rule, RULES, "college assignment rule")
    if threshold < 0 or agglo_threshold < 0:
        raise InputError(
            f"thresholds must be >= 0, got threshold={threshold}, "
            f"agglo_threshold={agglo_threshold}."
        )
    ep = member_epci(epci, population_column=population_column)
    if rule == "type":
        first = ep["epci_type"].isin(AGGLO_TYPES)
    else:
        first = ep["population"] >= agglo_threshold
    college = pd.Series("epci_3", index=ep.index)
    college[ep["population"] >= threshold] = "epci_2"
    college[first] = "epci_1"
    c = _data("colleges").set_index("college")
    ep["college"] = college
    ep["delegates"] = college.map(c["delegates_per_member"]).astype("int64")
    ep["votes_per_delegate"] = college.map(c["votes_per_delegate"]).astype("int64")
    ep["votes"] = ep["delegates"] * ep["votes_per_delegate"]
    return ep


def members_votes(
    epci: pd.DataFrame | None = None,
    *,
    rule: str = "type",
    threshold: int = CC_THRESHOLD,
    population_column: str = "population",
    lang: str = "en",
) -> pd.DataFrame:
    """Every member (Région, Départements, EPCI) with its college, delegates and votes.

    Returns
    -------
    pandas.DataFrame
        ``member_type, member_id, name, epci_type, population, college, delegates, votes``
        (population empty for the Région and Départements, which this table does not need).
    """
    ep = assign_colleges(epci, rule=rule, threshold=threshold, population_column=population_column)
    c = _data("colleges").set_index("college")
    per_member = c["delegates_per_member"].astype(int).to_dict()
    per_delegate = c["votes_per_delegate"].astype(int).to_dict()

    def fixed(college: str, member_type: str, ids: list[tuple[str, str]]) -> pd.DataFrame:
        d, v = per_member[college], per_delegate[college]
        return pd.DataFrame(
            {
                "member_type": member_type,
                "member_id": [i for i, _ in ids],
                "name": [n for _, n in ids],
                "epci_type": None,
                "population": pd.NA,
                "college": college,
                "delegates": d,
                "votes": d * v,
            }
        )

    out = pd.concat(
        [
            fixed("region", "region", [REGION]),
            fixed("departements", "departement", list(DEPARTEMENTS.items())),
            pd.DataFrame(
                {
                    "member_type": "epci",
                    "member_id": ep["epci_siren"],
                    "name": ep["name"],
                    "epci_type": ep["epci_type"],
                    "population": ep["population"],
                    "college": ep["college"],
                    "delegates": ep["delegates"],
                    "votes": ep["votes"],
                }
            ),
        ],
        ignore_index=True,
    )
    out["population"] = out["population"].astype("Int64")
    return _translate(out, lang)


def colleges(
    year: int | None = None,
    *,
    epci: pd.DataFrame | None = None,
    rule: str = "type",
    threshold: int = CC_THRESHOLD,
    population_column: str = "population",
    total: bool = True,
    lang: str = "en",
) -> pd.DataFrame:
    """The table of colleges for 2015 (published) or today (recomputed from ``epci``).

    Parameters
    ----------
    year
        2015 for the published table, :data:`CURRENT_YEAR` (default) for the table recomputed
        with the delegates and votes per delegate of 2015 and today's member EPCI.
    epci, rule, threshold, population_column
        See :func:`assign_colleges` (ignored for 2015).
    total
        Append a ``total`` row.
    lang
        ``"en"`` or ``"fr"``.

    Returns
    -------
    pandas.DataFrame
        ``college, members, delegates_per_member, delegates, votes_per_delegate, votes,
        vote_share_pct``.
    """
    year = CURRENT_YEAR if year is None else year
    i18n.check_choice(year, (2015, CURRENT_YEAR), "year")
    if year == 2015:
        out = colleges_2015(total=False).drop(columns="source")
    else:
        out = _recompute(
            assign_colleges(
                epci, rule=rule, threshold=threshold, population_column=population_column
            )
        )
    out["vote_share_pct"] = (100 * out["votes"] / out["votes"].sum()).round(1)
    if total:
        out = _with_total(out)
        out.loc[out.index[-1], "vote_share_pct"] = 100.0
        out["vote_share_pct"] = out["vote_share_pct"].astype("float64")
    return _translate(out, lang)


def _recompute(assigned: pd.DataFrame) -> pd.DataFrame:
    c = _data("colleges").set_index("college")
    counts = assigned["college"].value_counts()
    members_n = {"region": 1, "departements": len(DEPARTEMENTS)}
    members_n.update({k: int(counts.get(k, 0)) for k in ("epci_1", "epci_2", "epci_3")})
    out = pd.DataFrame({"college": list(COLLEGES)})
    out["members"] = out["college"].map(members_n).astype("int64")
    out["delegates_per_member"] = out["college"].map(c["delegates_per_member"]).astype("int64")
    out["delegates"] = out["members"] * out["delegates_per_member"]
    out["votes_per_delegate"] = out["college"].map(c["votes_per_delegate"]).astype("int64")
    out["votes"] = out["delegates"] * out["votes_per_delegate"]
    return out


def compare_with_2015(
    epci: pd.DataFrame | None = None,
    *,
    rule: str = "type",
    threshold: int = CC_THRESHOLD,
    population_column: str = "population",
    lang: str = "en",
) -> pd.DataFrame:
    """Members, delegates and votes per college: 2015 (published) against today, and the gaps.

    Returns
    -------
    pandas.DataFrame
        One row per college and a ``total`` row: ``members_2015, members_now, members_diff``,
        the same for delegates and votes, and the share of the votes in 2015 and now.
    """
    old = colleges(2015, total=True)
    now = colleges(
        CURRENT_YEAR,
        epci=epci,
        rule=rule,
        threshold=threshold,
        population_column=population_column,
        total=True,
    )
    out = pd.DataFrame({"college": old["college"]})
    for what in ("members", "delegates", "votes"):
        out[f"{what}_2015"] = old[what].astype("int64")
        out[f"{what}_now"] = now[what].astype("int64")
        out[f"{what}_diff"] = out[f"{what}_now"] - out[f"{what}_2015"]
    out["vote_share_2015_pct"] = old["vote_share_pct"]
    out["vote_share_now_pct"] = now["vote_share_pct"]
    return _translate(out, lang)


# --- decisions ---------------------------------------------------------------------------------


def _check_count(value: float, what: str) -> None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or math.isnan(value)
        or value < 0
    ):
        raise InputError(f"{what} must be a number >= 0, got {value!r}.")


def votes_needed(total: int, kind: str = "simple") -> int:
    """Smallest number of votes that carries a decision out of ``total``.

    Parameters
    ----------
    total
        Votes the majority is counted on (the votes cast; for 2015, at most 739).
    kind
        ``"simple"``: more than half (``total // 2 + 1``); ``"two_thirds"``: at least two
        thirds (``ceil(2 * total / 3)``).
    """
    _check_count(total, "total")
    i18n.check_choice(kind, MAJORITY_KINDS, "majority kind")
    if kind == "simple":
        return int(total) // 2 + 1
    return -(-2 * int(total) // 3)


def majority(votes_for: int, total: int, kind: str = "simple") -> bool:
    """Whether ``votes_for`` out of ``total`` carries the decision.

    Parameters
    ----------
    votes_for
        Votes in favour.
    total
        Votes the majority is counted on (votes cast, or all the votes of the committee).
    kind
        ``"simple"`` (more than half) or ``"two_thirds"`` (at least two thirds).

    Examples
    --------
    >>> majority(370, 739), majority(369, 739)
    (True, False)
    >>> majority(493, 739, kind="two_thirds"), majority(492, 739, kind="two_thirds")
    (True, False)
    """
    _check_count(votes_for, "votes_for")
    _check_count(total, "total")
    if votes_for > total:
        raise InputError(
            f"votes_for ({votes_for}) is larger than total ({total}); "
            "pass the votes in favour and the votes counted."
        )
    return votes_for >= votes_needed(total, kind)


def quorum_needed(total_members: int | None = None, *, share: float = 0.5) -> int:
    """Smallest number of members present that reaches the quorum (more than ``share``).

    Examples
    --------
    >>> quorum_needed(), quorum_needed(90)
    (63, 46)
    """
    if total_members is None:
        total_members = int(_data("colleges")["delegates_2015"].sum())
    _check_count(total_members, "total_members")
    if not 0 < share < 1:
        raise InputError(f"share must be between 0 and 1 (exclusive), got {share!r}.")
    return math.floor(share * total_members) + 1


def quorum_reached(
    present_members: int, total_members: int | None = None, *, share: float = 0.5
) -> bool:
    """Whether enough members are present for the Comité syndical to deliberate.

    Parameters
    ----------
    present_members
        Delegates present.
    total_members
        Delegates in office; default the 125 delegates of the 2015 table.
    share
        The quorum is reached when more than ``share`` of the members are present (0.5: the
        majority of the members in office, CGCT art. L2121-17).

    Examples
    --------
    >>> quorum_reached(63), quorum_reached(62)
    (True, False)
    """
    if total_members is None:
        total_members = int(_data("colleges")["delegates_2015"].sum())
    _check_count(present_members, "present_members")
    _check_count(total_members, "total_members")
    if not 0 < share < 1:
        raise InputError(f"share must be between 0 and 1 (exclusive), got {share!r}.")
    if present_members > total_members:
        raise InputError(
            f"present_members ({present_members}) is larger than total_members ({total_members})."
        )
    return present_members >= quorum_needed(total_members, share=share)
