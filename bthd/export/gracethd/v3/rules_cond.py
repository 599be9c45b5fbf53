"""The conditional fill rules of the suite dbt-grace-thd (``param_ctrl_remplissage_cond``).

A rule runs when it is active and its container column is ``C``. Its condition is prose in
the parameter file; the suite's SQL models ``rc_*`` implement it as "the field is null or
blank while the condition holds". :data:`CONDITIONS` holds, per (table, field), the condition
this checker tests, read from those models where they exist (``ctrl_rc_*`` ids) and from the
prose where the suite has no id but the condition is decidable from the data (``bthd_rc_*``
ids: cable ends at a splice box or a rack, box in a room when it is on no technical point).
:data:`NOT_CHECKED` lists the rules whose condition depends on a contract, on what exists on
the ground or on information no table holds, with the reason; :func:`not_checked` says which
of them apply in a container, so that a report can name them.

Not for: the unconditional fill rules (``ctrl_rem``, :mod:`.rules_generic`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bthd.export.gracethd.findings import Finding
from bthd.export.gracethd.v3 import schema as s
from bthd.export.gracethd.v3._rows import (
    Tables,
    col,
    filled,
    flag,
    isin,
    lookup,
    positions,
    text,
)
from bthd.export.gracethd.v3.rules_topo import box_nodes

Condition = Callable[[Tables, pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Rule:
    """A conditional fill rule: ``field`` must be filled in the rows where ``when`` holds."""

    id: str
    table: str
    field: str
    when: Condition
    text: str


def _in(name: str, values: tuple[str, ...]) -> Condition:
    return lambda t, df: isin(df, name, values)


def _empty(name: str) -> Condition:
    return lambda t, df: ~filled(df, name)


def _both(a: Condition, b: Condition) -> Condition:
    return lambda t, df: a(t, df) & b(t, df)


_TECH = ("SRO", "NRO")
_BUILT = ("REC", "MCO")


_KINDS: dict[int, tuple[Tables, set[str], set[str]]] = {}


def _node_kinds(t: Tables) -> tuple[set[str], set[str]]:
    """Nodes of an NRO/SRO site, and nodes holding a box (on a technical point or in a room)."""
    hit = _KINDS.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1], hit[2]
    local = t.get("t_local")
    tech: set[str] = set()
    if local is not None:
        is_tech = col(local, "lc_typelog").isin(_TECH)
        sites = set(col(local, "lc_st_code")[is_tech])
        site = t.get("t_site")
        tech = set(col(site, "st_nd_code")[col(site, "st_code").isin(sites)]) - {""}
    boxes = set(box_nodes(t)) - {""}
    _KINDS.clear()
    _KINDS[id(t)] = (t, tech, boxes)
    return tech, boxes


def _end_at_tech(end: str, box: str) -> Condition:
    """The cable's ``end`` is the node of an NRO/SRO and it does not end in a box there."""
    return lambda t, df: col(df, end).isin(_node_kinds(t)[0]) & ~filled(df, box)


def _end_at_box(end: str, rack: str) -> Condition:
    """The cable's ``end`` holds a box, is no NRO/SRO node, and it ends at no rack there."""

    def when(t: Tables, df: pd.DataFrame) -> pd.Series:
        tech, boxes = _node_kinds(t)
        v = col(df, end)
        return v.isin(boxes) & ~v.isin(tech) & ~filled(df, rack)

    return when


def _pb_outside(t: Tables, df: pd.DataFrame) -> pd.Series:
    """ctrl_rc_0102: a residential local of the address is served by a box on a point."""
    site, local, ebp = t.get("t_site"), t.get("t_local"), t.get("t_ebp")
    if site is None or local is None or ebp is None:
        return pd.Series(False, index=df.index)
    res = (col(local, "lc_typelog") == "RES").to_numpy()
    pos = positions(ebp, "bp_code", col(local, "lc_bp_codf"))
    on_pt = filled(ebp, "bp_pt_code").to_numpy()
    outside = res & (pos >= 0) & on_pt[np.maximum(pos, 0)]
    sites = text(local, "lc_st_code")[outside]
    addresses = text(site, "st_ad_code")[isin(site, "st_code", sites).to_numpy()]
    return isin(df, "ad_code", addresses)


def _site_client(t: Tables, df: pd.DataFrame) -> pd.Series:
    tech = col(df, "lc_typelog").isin(_TECH)
    out = pd.Series(False, index=df.index)
    kind = lookup(col(df, "lc_st_code")[tech], t.get("t_site"), "st_code", "st_typelog")
    out[tech] = (kind == "CLIENT").to_numpy()
    return out


def _orange_or_new(t: Tables, df: pd.DataFrame) -> pd.Series:
    """ctrl_rc_0401: civil works to build (cm_avct C), or Orange's ducts (cm_typ_imp 7)."""
    org = t.get("t_organisme")
    name = dict(zip(col(org, "or_code"), col(org, "or_nom"), strict=True))
    orange = col(df, "cm_prop").map(name).eq("ORANGE") & col(df, "cm_typ_imp").eq("7")
    return col(df, "cm_avct").eq("C") | orange


_L, _S = "t_local", "t_site"
_RESEAU = _in("st_typelog", ("RESEAU",))
#: The conditions tested, per (table, field).
CONDITIONS: dict[tuple[str, str], Rule] = {
    (r.table, r.field): r
    for r in (
        Rule("ctrl_rc_0101", "t_adresse", "ad_codtemp", _empty("ad_batcode"), "ad_batcode empty"),
        Rule(
            "ctrl_rc_0102", "t_adresse", "ad_distinf", _pb_outside, "its PB is not in the building"
        ),
        Rule("ctrl_rc_0201", "t_cable", "cb_r3_code", _in("cb_typelog", ("DI",)), "cb_typelog DI"),
        Rule(
            "ctrl_rc_0204",
            "t_cable",
            "cb_r2_code",
            _in("cb_typelog", ("TR", "DI", "CT")),
            "cb_typelog TR, DI or CT",
        ),
        Rule(
            "ctrl_rc_0202", "t_cable", "cb_dateins", _in("cb_statut", _BUILT), "cb_statut REC/MCO"
        ),
        Rule(
            "ctrl_rc_0203",
            "t_cable",
            "cb_lgreel",
            lambda t, df: col(df, "cb_nd1") != col(df, "cb_nd2"),
            "cb_nd1 differs from cb_nd2",
        ),
        Rule(
            "bthd_rc_cb_ba1",
            "t_cable",
            "cb_ba1",
            _end_at_tech("cb_nd1", "cb_bp1"),
            "it leaves an NRO/SRO, not from a box",
        ),
        Rule(
            "bthd_rc_cb_ba2",
            "t_cable",
            "cb_ba2",
            _end_at_tech("cb_nd2", "cb_bp2"),
            "it ends at an NRO/SRO, not in a box",
        ),
        Rule(
            "bthd_rc_cb_bp1",
            "t_cable",
            "cb_bp1",
            _end_at_box("cb_nd1", "cb_ba1"),
            "it leaves a node with a box, not from a rack",
        ),
        Rule(
            "bthd_rc_cb_bp2",
            "t_cable",
            "cb_bp2",
            _end_at_box("cb_nd2", "cb_ba2"),
            "it ends at a box, not at a rack",
        ),
        Rule(
            "ctrl_rc_0401",
            "t_cheminement",
            "cm_compo",
            _orange_or_new,
            "civil works to build (cm_avct C) or Orange's ducts",
        ),
        Rule("ctrl_rc_0501", "t_ebp", "bp_dateins", _in("bp_statut", _BUILT), "bp_statut REC/MCO"),
        Rule("bthd_rc_bp_lc_code", "t_ebp", "bp_lc_code", _empty("bp_pt_code"), "no bp_pt_code"),
        Rule("ctrl_rc_0601", _L, "lc_avct", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0602", _L, "lc_bp_codf", _in("lc_typelog", ("RES", "PRO")), "RES/PRO"),
        Rule("ctrl_rc_0603", _L, "lc_bp_codp", _in("lc_typelog", ("ENT",)), "lc_typelog ENT"),
        Rule("ctrl_rc_0604", _L, "lc_codeext", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule(
            "ctrl_rc_0605",
            _L,
            "lc_dateins",
            _both(_in("lc_typelog", _TECH), _in("lc_statut", _BUILT)),
            "a built SRO/NRO local",
        ),
        Rule("ctrl_rc_0606", _L, "lc_elec", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0607", _L, "lc_etiquet", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0608", _L, "lc_gest", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0609", _L, "lc_prop", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0610", _L, "lc_proptyp", _site_client, "an SRO/NRO local in a CLIENT site"),
        Rule("ctrl_rc_0611", _L, "lc_statut", _in("lc_typelog", _TECH), "an SRO/NRO local"),
        Rule("ctrl_rc_0701", "t_pointaccueil", "pa_a_haut", _in("pa_typephy", ("APP",)), "an APP"),
        Rule("ctrl_rc_0702", "t_pointaccueil", "pa_a_struc", _in("pa_typephy", ("APP",)), "an APP"),
        Rule("ctrl_rc_0703", "t_pointaccueil", "pa_codtemp", _empty("pa_codeext"), "no pa_codeext"),
        Rule("ctrl_rc_0704", "t_pointaccueil", "pa_rotatio", _in("pa_typephy", ("CHB",)), "a CHB"),
        Rule("ctrl_rc_0801", _S, "st_ad_code", _in("st_typelog", ("CLIENT",)), "a CLIENT site"),
        Rule("ctrl_rc_0802", _S, "st_avct", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0803", _S, "st_codeext", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0804", _S, "st_commune", _RESEAU, "a RESEAU site"),
        Rule(
            "ctrl_rc_0805",
            _S,
            "st_dateins",
            _both(_RESEAU, _in("st_statut", _BUILT)),
            "a built RESEAU site",
        ),
        Rule("ctrl_rc_0806", _S, "st_gest", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0807", _S, "st_insee", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0808", _S, "st_nomvoie", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0809", _S, "st_postal", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0810", _S, "st_prop", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0811", _S, "st_proptyp", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0812", _S, "st_statut", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0814", _S, "st_numero", _RESEAU, "a RESEAU site"),
        Rule("ctrl_rc_0815", _S, "st_design", _in("st_typephy", ("ADR", "SHE")), "an ADR/SHE"),
    )
}

_CONTRACT = "depends on the contract (selon contrat)"
_EXISTS = "depends on what exists on the ground (si existant)"
#: Rules not checked, and why; in C2 also ctrl_rc_0701/0702 (see :data:`CONTRACT_IN`).
NOT_CHECKED: dict[tuple[str, str], str] = {
    ("t_adresse", "ad_batcode"): "depends on who names buildings (constructor or operator)",
    ("t_adresse", "ad_hexacle"): _EXISTS,
    ("t_adresse", "ad_nombat"): _EXISTS,
    ("t_adresse", "ad_rep"): _EXISTS,
    ("t_adresse", "ad_dta"): "depends on a syndic agreement, which no table holds",
    ("t_adresse", "ad_gest"): "depends on a syndic agreement, which no table holds",
    ("t_adresse", "ad_idatsgn"): "depends on a syndic agreement, which no table holds",
    **{
        ("t_adresse", f): "surveyed data handed to the operator when available"
        for f in (
            "ad_nbfofon",
            "ad_nbfogfu",
            "ad_nbfotte",
            "ad_nbfotto",
            "ad_nblent",
            "ad_nblobj",
            "ad_nblope",
            "ad_nblpub",
        )
    },
    ("t_cassette", "cs_bp_code"): "'si BPE': a cassette's box type is what the field gives",
    ("t_love", "lv_cb_code"): "for a network in operation (t_love handed to the operator)",
    ("t_love", "lv_id"): "for a network in operation (t_love handed to the operator)",
    ("t_love", "lv_long"): "for a network in operation (t_love handed to the operator)",
    ("t_love", "lv_nd_code"): "for a network in operation (t_love handed to the operator)",
    ("t_pointaccueil", "geom"): _CONTRACT,
    ("t_pointaccueil", "pa_code"): _CONTRACT,
    ("t_pointaccueil", "pa_nature"): _CONTRACT,
    ("t_pointaccueil", "pa_typephy"): _CONTRACT,
    ("t_ebp", "bp_pt_code"): "whether a box is on a technical point is what the field says "
    "(metier_0004 checks that every box has a point or a room)",
    ("t_ptech", "pt_etiquet"): _EXISTS,
    ("t_ptech", "pt_proptyp"): "data given by the public body at the start of the contract",
    ("t_site", "st_nombat"): _EXISTS,
    ("t_site", "st_rep"): _EXISTS,
    ("t_tranchee", "geom"): _CONTRACT,
    ("t_tranchee", "tr_code"): _CONTRACT,
    ("t_tranchee", "tr_compo"): _CONTRACT,
    ("t_tranchee", "tr_couptyp"): "if the contract asks for it",
}
#: Containers where a rule with a decidable condition is "selon contrat" all the same.
CONTRACT_IN: dict[tuple[str, str], tuple[str, ...]] = {
    ("t_pointaccueil", "pa_a_haut"): ("C2",),
    ("t_pointaccueil", "pa_a_struc"): ("C2",),
}


def _rows(container: str) -> list[dict[str, str]]:
    key = f"conteneur_{container.lower()}"
    return [
        r
        for r in s.controls("remplissage_cond")
        if r["actif"].strip().lower() == "true" and r[key] == "C"
    ]


def not_checked(container: str) -> list[tuple[str, str, str, str]]:
    """The conditional rules of ``container`` not checked: (id, table, field, reason)."""
    out = []
    for r in _rows(container):
        key = (r["classe"], r["attribut"])
        if container in CONTRACT_IN.get(key, ()):
            out.append((r["id_test"], *key, _CONTRACT + f" in {container}"))
        elif key not in CONDITIONS:
            reason = NOT_CHECKED.get(key, "its condition is not decidable from the data")
            out.append((r["id_test"], *key, reason))
    return out


def check_conditional(tables: Tables, container: str, out: list[Finding]) -> None:
    """Append the findings of the conditional fill rules of ``container`` (see module doc)."""
    for r in _rows(container):
        key = (r["classe"], r["attribut"])
        rule = CONDITIONS.get(key)
        df = tables.get(r["classe"])
        if rule is None or container in CONTRACT_IN.get(key, ()) or df is None or not len(df):
            continue
        when = np.asarray(rule.when(tables, df), dtype=bool)
        bad = when & ~filled(df, rule.field).to_numpy()
        flag(
            out,
            r["id_test"] or rule.id,
            rule.table,
            df,
            bad,
            f"{rule.field} empty although {rule.text} (conditional fill, container {container})",
            f"fill {rule.field}",
        )
    _KINDS.clear()


__all__ = ["CONDITIONS", "CONTRACT_IN", "NOT_CHECKED", "Rule", "check_conditional", "not_checked"]
