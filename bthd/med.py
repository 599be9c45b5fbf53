"""Montée en débit planner: which copper sub-distributors (SR) to upgrade, at what cost, for what.

What this module is for
-----------------------
Bretagne Très Haut Débit upgraded copper before fibre reached everyone: 174 *montée en débit*
(MED) operations in 2014–2016 for 50,000 lines, then 149 more and 25 NRA-ZO. This module plans
such operations on a copper plant (:func:`bthd.network.copper.copper_lines`):

* :func:`candidates`: one row per SR and kind of operation, with the lines it serves, the gain
  (locaux lifted to ≥ 8 Mbit/s, to ≥ 30 Mbit/s, TV gained, out of the shadow), the cost (the
  operation plus the NRA→SR fibre route on the road graph), the exclusions with their reason
  (FTTH planned within 5 years, too few lines...) and the benefit per euro;
* :func:`select`: the operations to do under a budget or for a number of operations, greedy by
  benefit per euro or exact (0/1 knapsack, :func:`scipy.optimize.milp`);
* :func:`apply` and :func:`before_after`: every line's rate, class and TV after the selected
  operations, and the shares before and after for the lines concerned;
* :func:`report_2015`: the Mégalis 2015 activity report's figures side by side with the model;
* :func:`sunk_cost`: what each operation costs per line once FTTH supersedes it, and which part
  of its fibre the FTTH network reuses.

Two kinds of operation share the machinery (column ``kind``):

``MED``
    Orange's PRM offer (DOMAIN.md §5): a DSLAM cabinet beside the SR, fed by fibre from the
    origin NRA; every line of the SR is re-cabled to it, so its attenuation becomes that of its
    SR→premise segment (:func:`bthd.dsl.med_attenuation_db`).
``NRA-ZO``
    A *nœud de raccordement d'abonnés en zone d'ombre*: a small DSLAM at the SR for the lines in
    the shadow only (ineligible, or below ``shadow_rate_mbps``), the other lines staying on the
    NRA; fed by fibre (as Mégalis did for its 25 NRA-ZO in 2020) or by copper (the historic
    offer: 2 Mbit/s at most, no TV).

An SR gets at most one operation. Lines are counted in *locaux* (logements + locaux
professionnels), as the report counts "foyers, entreprises et sites publics".

What it is not for
------------------
Computing copper lines (:mod:`bthd.network.copper`), DSL physics (:mod:`bthd.dsl`), the FTTH
schedule (:mod:`bthd.eligibility`) or drawing maps. Rates are the modelled maximum theoretical
sync rates, like the report's "débits théoriques".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from scipy import sparse
from scipy.sparse import csgraph

from bthd import dsl
from bthd._errors import InputError, ParameterError
from bthd.network.copper import COPPER, CopperLines, CopperSettings
from bthd.network.roads import TrenchNetwork

log = logging.getLogger(__name__)

__all__ = [
    "GAINS",
    "KINDS",
    "MED",
    "MEGALIS_2015",
    "MedSettings",
    "Report2015",
    "apply",
    "before_after",
    "candidates",
    "report_2015",
    "route_lines",
    "select",
    "sunk_cost",
]

#: Kinds of operation, in the order candidates are listed.
KINDS: tuple[str, ...] = ("MED", "NRA-ZO")
#: Gain columns of :func:`candidates` (locaux), the terms of the benefit.
GAINS: tuple[str, ...] = ("gain_8", "gain_30", "gain_tv", "gain_shadow")

#: Figures of the Mégalis Bretagne activity report 2015 (seed 001, "Bretagne Très Haut Débit —
#: premiers résultats et perspectives"), checked against its text.
MEGALIS_2015: Mapping[str, float] = {
    # "174 opérations de montée en débit ont été mises en service au cours de l'année 2015 et
    # en janvier 2016"
    "operations": 174,
    # "Au total 50 000 foyers, entreprises et sites publics ont vu ... leurs débits ADSL
    # augmenter sensiblement"
    "lines": 50_000,
    # "En moyenne, une telle opération aura coûté 128 000 €, un montant nettement inférieur
    # aux estimations"
    "operation_cost_eur": 128_000,
    # "avant les opérations de montée en débit, 98% des foyers concernés avaient un débit
    # inférieur à 8Mbit/s, 96% d'entre eux bénéficient désormais d'un débit supérieur à 8Mbit/s"
    "share_below_8_before": 0.98,
    "share_8_after": 0.96,
    # "alors que 19% étaient éligibles à un service de télévision par internet avant les
    # travaux, 99% le sont aujourd'hui"
    "share_tv_before": 0.19,
    "share_tv_after": 0.99,
}


def _default_weights() -> dict[str, float]:
    return {"gain_8": 1.0, "gain_30": 0.25, "gain_tv": 0.5, "gain_shadow": 1.0}


class MedSettings(BaseModel):
    """Parameters of the montée en débit planner, each with its source and confidence.

    Confidence: **H** primary text, **M** secondary or inferred, **L** rule of thumb or
    planner's choice. Sources: the Mégalis activity reports in ``seeds/`` (2015: seed 001;
    2020: seed 002), DOMAIN.md §5–6, and the pages cited in the descriptions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    med_year: int = Field(
        default=2015,
        ge=1990,
        le=2100,
        description=(
            "year the operations are in service: BTHD's 174 MED, launched early 2014, were put "
            "in service 'au cours de l'année 2015 et en janvier 2016' (Mégalis 2015 report). "
            "Conf H"
        ),
    )
    exclude_within_years: int = Field(
        default=5,
        ge=0,
        description=(
            "no operation where FTTH comes within this many years of med_year: MED was done "
            "'où la fibre optique ne sera pas déployée dans les 5 prochaines années au moins' "
            "(Mégalis 2015 report). A line counts as planned when its FTTH year is at most "
            "med_year + this. Conf H"
        ),
    )
    ftth_share_max: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "an SR is excluded when more than this share of the locaux an operation serves are "
            "planned for FTTH within the horizon ('mostly'). Conf L (planner's reading)"
        ),
    )
    min_lines: int = Field(
        default=50,
        ge=0,
        description=(
            "locaux an SR needs for a MED. BTHD's operations averaged 50,000 / 174 ≈ 287 lines "
            "(2015 report), its 149 later ones 23,000 / 149 ≈ 154 (2020 report), Quimper's "
            "phase-3 study 371 / 3 ≈ 124 (DOMAIN §5.2). Conf L"
        ),
    )
    operation_cost_eur: float = Field(
        default=128_000.0,
        ge=0.0,
        description=(
            "cost of one MED operation (cabinet, DSLAM, copper re-cabling), € HT: 'en moyenne, "
            "une telle opération aura coûté 128 000 €, un montant nettement inférieur aux "
            "estimations' (Mégalis 2015 report, conf H as Mégalis figure). Press sources give "
            "32 M€ / 174 ≈ 184 k€ (the budgeted estimate), AVICCA 2012 ≈ 180 k€ per SR; "
            "documented range 110–350 k€ (DOMAIN §5.2). The report does not say whether the "
            "fibre link is included: the model adds the NRA→SR fibre route (set "
            "fibre_eur_per_m = 0 to treat this cost as all-inclusive)"
        ),
    )
    nra_zo_cost_eur: float = Field(
        default=75_000.0,
        ge=0.0,
        description=(
            "cost of one NRA-ZO (small DSLAM site at an SR for the shadow lines), € HT: "
            "Indre-et-Loire ordered 4 NRA-ZO for 300,000 € (ariase.com, 'NRA-ZO région "
            "Centre'), Midi-Pyrénées quoted 50–130 k€ each (ariase.com, 'NRA-ZO "
            "Midi-Pyrénées'). Conf M/L"
        ),
    )
    nra_zo_min_lines: int = Field(
        default=10,
        ge=0,
        description=(
            "shadow locaux an SR needs for an NRA-ZO. Departmental NRA-ZO programmes served "
            "140–220 lines per site (ariase.com), BTHD's 25 NRA-ZO about 4,500 lines (2020 "
            "report). Conf L"
        ),
    )
    shadow_rate_mbps: float = Field(
        default=2.0,
        gt=0.0,
        description=(
            "a line is in the shadow (zone d'ombre) when ineligible or below this downstream "
            "rate; an NRA-ZO serves these lines only. Threshold of the planning issue (conf L); "
            "2 Mbit/s is also what a copper-fed NRA-ZO offered (Cerema 2018, 'Armoire NRA-ZO')"
        ),
    )
    nra_zo_backhaul: Literal["fibre", "copper"] = Field(
        default="fibre",
        description=(
            "how an NRA-ZO is fed: 'fibre' on the NRA→SR route (Mégalis pulled fibre between "
            "its 25 NRA-ZO and their origin NRA, 2020 report) or 'copper' (the historic offer: "
            "no fibre cost, rate capped at nra_zo_copper_rate_mbps, no TV; Cerema 2018). Conf M"
        ),
    )
    nra_zo_copper_rate_mbps: float = Field(
        default=2.0,
        gt=0.0,
        description=(
            "downstream rate cap of a copper-fed NRA-ZO ('le débit descendant proposé aux "
            "usagers était limité à 2Mbit/s', Cerema 2018). Conf M"
        ),
    )
    tv_at_med: bool = Field(
        default=True,
        description=(
            "lines moved to a MED (or fibre-fed NRA-ZO) DSLAM can get TV, SD or HD by their "
            "rate: BTHD's MED lifted TV eligibility from 19 % to 99 % of the lines concerned "
            "(2015 report), so its NRA-MED carried TV. False keeps the origin NRA's TV flag "
            "(triple play depends on the origin NRA, DOMAIN §5.1). Conf H/M"
        ),
    )
    route_weight: Literal["length", "cost"] = Field(
        default="length",
        description=(
            "the NRA→SR fibre follows the shortest road path ('length': beside the copper "
            "transport cable, in Orange's ducts) or the cheapest one for the per-metre costs "
            "below ('cost'). Conf L"
        ),
    )
    civil_works_factor: float = Field(
        default=1.0,
        ge=0.0,
        description=(
            "share of each road edge's civil-works cost per metre paid on the fibre route "
            "(trench network: aerial 25, duct reuse 8, new trench 70, road crossing 250 €/m, "
            "bthd.settings.CivilWorksCosts, DOMAIN §6 conf M/L); lower it when the fibre "
            "reuses Orange's ducts throughout (offre GC BLO). Conf L"
        ),
    )
    fibre_cable_eur_per_m: float = Field(
        default=2.5,
        ge=0.0,
        description=(
            "supply and laying of a small (12–24 fibre) cable per metre: "
            "bthd.settings.DesignCosts gives 2 €/m + 0.02 €/m per fibre; a 12-fibre "
            "direct-burial cable costs ≈ 0.9 €/m to buy (DOMAIN §6, C9). Conf L"
        ),
    )
    fibre_eur_per_m: float | None = Field(
        default=None,
        ge=0.0,
        description=(
            "flat cost per metre of the fibre route, replacing civil works + cable when set "
            "(0: operation costs are all-inclusive). Default None: per road edge. Conf L"
        ),
    )
    benefit_weights: dict[str, float] = Field(
        default_factory=_default_weights,
        description=(
            "weight of each gain (locaux) in the benefit operations are ranked on: gain_8 "
            "lifted to ≥ 8 Mbit/s ('bon haut débit', the 2015 report's first figure) 1.0, "
            "gain_30 lifted to ≥ 30 Mbit/s 0.25, gain_tv TV gained (its second figure) 0.5, "
            "gain_shadow out of the shadow 1.0. Planner's choice, conf L"
        ),
    )

    @field_validator("benefit_weights")
    @classmethod
    def _check_weights(cls, w: dict[str, float]) -> dict[str, float]:
        _check_weights(w)
        return w


def _check_weights(w: Mapping[str, float]) -> None:
    unknown = sorted(set(w) - set(GAINS))
    if unknown:
        raise ParameterError(
            f"benefit weights: unknown gains {unknown}; use keys among {list(GAINS)}"
        )
    vals = np.asarray([float(v) for v in w.values()])
    if vals.size == 0 or not np.all(np.isfinite(vals)) or np.any(vals < 0) or vals.sum() <= 0:
        raise ParameterError(
            f"benefit weights {dict(w)}: give finite weights ≥ 0, at least one of them > 0"
        )


#: Default planner settings.
MED = MedSettings()


def _settings(settings: MedSettings | None, **overrides: Any) -> MedSettings:
    """``settings`` with the non-None ``overrides`` applied (validated)."""
    s = settings if settings is not None else MED
    upd = {k: v for k, v in overrides.items() if v is not None}
    if not upd:
        return s
    try:
        return MedSettings(**{**s.model_dump(), **upd})
    except ValidationError as exc:
        what = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}={e.get('input')!r}: {e['msg']}"
            for e in exc.errors()
        )
        raise ParameterError(f"montée en débit settings: {what}") from None


def _settings_of(df: pd.DataFrame, settings: MedSettings | None) -> MedSettings:
    """Explicit settings, else those :func:`candidates` stored on the table, else defaults."""
    if settings is not None:
        return settings
    s = df.attrs.get("med_settings")
    return s if isinstance(s, MedSettings) else MED


# --------------------------------------------------------------------------------------------
# Lines after operations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lines:
    """The copper lines as arrays, with their locaux."""

    index: pd.Index
    sr_id: np.ndarray  # object, None without an SR
    nra_id: np.ndarray
    has_sr: np.ndarray
    nra_sr_m: np.ndarray
    sr_premise_m: np.ndarray
    length_m: np.ndarray
    atten_db: np.ndarray
    rate: np.ndarray
    tv: np.ndarray  # TV codes 0 none, 1 SD, 2 HD
    nra_tv: np.ndarray
    locaux: np.ndarray


def _lines(cl: CopperLines, locaux: pd.Series | None) -> _Lines:
    L = cl.lines
    need = {
        "nra_id",
        "sr_id",
        "nra_sr_m",
        "sr_premise_m",
        "length_m",
        "atten_db",
        "rate_mbps",
        "tv",
        "nra_tv",
        "issue",
    }
    missing = sorted(need - set(L.columns))
    if missing:
        raise InputError(
            f"copper lines: missing columns {missing}; pass the result of "
            "bthd.network.copper.copper_lines"
        )
    if locaux is None:
        w = np.ones(len(L))
    else:
        if not isinstance(locaux, pd.Series) or not locaux.index.equals(L.index):
            raise ParameterError(
                "locaux: give a Series index-aligned with the premises of the copper lines "
                "(premises['logements'] + premises['locaux_pro'])"
            )
        w = locaux.to_numpy(dtype=float, na_value=np.nan)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ParameterError("locaux: give finite counts ≥ 0 for every premise")
    reach = L["issue"].fillna("").to_numpy(str) == ""
    sr = L["sr_id"].to_numpy(object).copy()
    has_sr = reach & pd.notna(sr)
    sr[~has_sr] = None
    tv = L["tv"].astype(dsl.TV_LEVEL_DTYPE).cat.codes.to_numpy()
    return _Lines(
        index=L.index,
        sr_id=sr,
        nra_id=L["nra_id"].to_numpy(object),
        has_sr=has_sr,
        nra_sr_m=np.where(has_sr, L["nra_sr_m"].to_numpy(float), 0.0),
        sr_premise_m=np.where(reach, L["sr_premise_m"].to_numpy(float), 0.0),
        length_m=L["length_m"].to_numpy(float),
        atten_db=L["atten_db"].to_numpy(float),
        rate=L["rate_mbps"].to_numpy(float),
        tv=tv.astype(np.int8),
        nra_tv=L["nra_tv"].fillna(False).to_numpy(bool),
        locaux=w,
    )


def _shadow(ln: _Lines, s: MedSettings) -> np.ndarray:
    """Lines an NRA-ZO serves: through an SR, ineligible or below the shadow rate."""
    return ln.has_sr & (ln.rate < s.shadow_rate_mbps)


def _after(
    ln: _Lines,
    med: np.ndarray,
    zo: np.ndarray,
    s: MedSettings,
    dsl_settings: dsl.DslSettings,
    copper_settings: CopperSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Attenuation, rate, TV code and moved flag of every line after operations.

    ``med``/``zo``: per line, whether its SR gets a MED / an NRA-ZO. A MED moves every line of
    the SR to the SR's DSLAM; an NRA-ZO moves its shadow lines only. Rates never decrease.
    """
    moved_med = ln.has_sr & med
    moved_zo = _shadow(ln, s) & zo & ~moved_med
    moved = moved_med | moved_zo
    att = ln.atten_db.copy()
    rate = ln.rate.copy()
    tv = ln.tv.copy()
    if not moved.any():
        return att, rate, tv, moved
    m = np.flatnonzero(moved)
    a = dsl.med_attenuation_db(
        ln.nra_sr_m[m],
        ln.sr_premise_m[m],
        has_sr=True,
        med=True,
        nra_sr_gauge=copper_settings.nra_sr_gauge_mm,
        sr_premise_gauge=copper_settings.sr_premise_gauge_mm,
        settings=dsl_settings,
    )
    before = a["before_db"].to_numpy()
    off = np.abs(before - ln.atten_db[m]) > 0.05 + 1e-6 * before
    if off.any():
        got, given = before[off][0], ln.atten_db[m][off][0]
        raise ParameterError(
            f"copper_settings: the attenuation of {int(off.sum())} lines differs from the copper "
            f"lines' (e.g. {got:.2f} dB computed vs {given:.2f} dB given); pass the "
            "CopperSettings and DslSettings the copper lines were built with"
        )
    new_att = np.minimum(np.round(a["after_db"].to_numpy(), 2), ln.atten_db[m])
    new_rate = dsl.downstream_rate_mbps(new_att, length_m=ln.sr_premise_m[m], settings=dsl_settings)
    new_rate = np.round(new_rate, 3)
    copper_zo = moved_zo[m] & (s.nra_zo_backhaul == "copper")
    new_rate = np.where(copper_zo, np.minimum(new_rate, s.nra_zo_copper_rate_mbps), new_rate)
    new_rate = np.maximum(new_rate, ln.rate[m])
    tv_site = ln.nra_tv[m] | (s.tv_at_med & ~copper_zo)
    new_tv = dsl.tv_eligibility(new_rate, nra_tv=tv_site, settings=dsl_settings).codes
    att[m] = new_att
    rate[m] = new_rate
    tv[m] = np.maximum(new_tv, ln.tv[m])
    return att, rate, tv, moved


def _gain_flags(
    ln: _Lines, rate: np.ndarray, tv: np.ndarray, s: MedSettings
) -> dict[str, np.ndarray]:
    """Per line, which gains an operation brings (before = the copper lines)."""
    b8, b30 = dsl.BON_HAUT_DEBIT_MBPS, dsl.TRES_HAUT_DEBIT_MBPS
    return {
        "gain_8": (ln.rate < b8) & (rate >= b8),
        "gain_30": (ln.rate < b30) & (rate >= b30),
        "gain_tv": (ln.tv == 0) & (tv > 0),
        "gain_shadow": (ln.rate < s.shadow_rate_mbps) & (rate >= s.shadow_rate_mbps),
    }


# --------------------------------------------------------------------------------------------
# Fibre routes NRA → SR
# --------------------------------------------------------------------------------------------


def _edge_weights(net: TrenchNetwork, s: MedSettings) -> np.ndarray:
    """Fibre cost of each road edge (€): civil works share + cable, or the flat rate."""
    if s.fibre_eur_per_m is not None:
        return net.length * s.fibre_eur_per_m
    return net.length * (s.civil_works_factor * net.cost_per_m + s.fibre_cable_eur_per_m)


def _graph(net: TrenchNetwork, w: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Symmetric CSR weighted by ``w`` (parallel edges: the lightest) and its edge lookup.

    Returns the matrix, the sorted keys ``min(u,v) * n + max(u,v)`` and the edge index of each.
    """
    n = net.n_nodes
    a = np.minimum(net.u, net.v)
    b = np.maximum(net.u, net.v)
    order = np.lexsort((np.arange(len(a)), w, b, a))
    a, b, ww, eid = a[order], b[order], w[order], order
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])] if len(a) else np.empty(0, bool)
    a, b, ww, eid = a[first], b[first], np.maximum(ww[first], 1e-6), eid[first]
    g = sparse.coo_matrix((np.r_[ww, ww], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    return g, a.astype(np.int64) * n + b, eid


def _trace(pred: np.ndarray, source: int, targets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Edges (as node pairs) of the shortest-path tree from every target back to ``source``.

    Returns ``(target position, from node, to node)`` arrays; unreachable targets have none.
    """
    cur = targets.copy()
    pos = np.arange(len(targets))
    active = (cur != source) & (pred[cur] >= 0)
    out_p, out_a, out_b = [], [], []
    while active.any():
        c = cur[active]
        p = pred[c]
        out_p.append(pos[active])
        out_a.append(p)
        out_b.append(c)
        cur[active] = p
        active &= cur != source
    if not out_p:
        e = np.empty(0, np.int64)
        return e, e, e
    return np.concatenate(out_p), np.concatenate(out_a), np.concatenate(out_b)


def _routes(
    net: TrenchNetwork,
    nra_node: np.ndarray,
    sr_node: np.ndarray,
    bound_m: np.ndarray,
    s: MedSettings,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """NRA→SR fibre routes: length (m), fibre cost (€) and road edges of each SR.

    One Dijkstra per NRA (all its SRs at once), bounded by ``bound_m`` (an upper bound of the
    road distance, from the copper plant) so that it explores only the NRA's surroundings.
    Unreachable SRs get NaN.
    """
    k = len(sr_node)
    w_cost = _edge_weights(net, s)
    g_len, keys_len, eid_len = _graph(net, net.length)
    if s.route_weight == "cost":
        g_cost, keys_cost, eid_cost = _graph(net, w_cost)
    route_m = np.full(k, np.nan)
    fibre = np.full(k, np.nan)
    pairs_sr: list[np.ndarray] = []
    pairs_e: list[np.ndarray] = []
    n = net.n_nodes
    for nra in np.unique(nra_node):
        srs = np.flatnonzero(nra_node == nra)
        lim = float(np.max(bound_m[srs])) * (1 + 1e-9) + 1.0
        lim = lim if np.isfinite(lim) else np.inf
        dist, pred = csgraph.dijkstra(
            g_len, directed=True, indices=int(nra), limit=lim, return_predecessors=True
        )
        p, a, b = _trace(pred, int(nra), sr_node[srs])
        e = eid_len[np.searchsorted(keys_len, np.minimum(a, b) * n + np.maximum(a, b))]
        if s.route_weight == "cost":
            cost_len = np.bincount(p, weights=w_cost[e], minlength=len(srs))
            ok = np.isfinite(dist[sr_node[srs]])
            if ok.any():
                lim_c = float(np.max(cost_len[ok])) * (1 + 1e-9) + 1.0
                _, pred = csgraph.dijkstra(
                    g_cost, directed=True, indices=int(nra), limit=lim_c, return_predecessors=True
                )
                p, a, b = _trace(pred, int(nra), sr_node[srs])
                e = eid_cost[np.searchsorted(keys_cost, np.minimum(a, b) * n + np.maximum(a, b))]
        reach = np.isfinite(dist[sr_node[srs]])
        route_m[srs[reach]] = np.bincount(p, weights=net.length[e], minlength=len(srs))[reach]
        fibre[srs[reach]] = np.bincount(p, weights=w_cost[e], minlength=len(srs))[reach]
        pairs_sr.append(srs[p])
        pairs_e.append(e)
    sr_all = np.concatenate(pairs_sr) if pairs_sr else np.empty(0, np.int64)
    e_all = np.concatenate(pairs_e) if pairs_e else np.empty(0, np.int64)
    order = np.argsort(sr_all, kind="stable")
    bounds = np.searchsorted(sr_all[order], np.arange(k + 1))
    edges = [e_all[order[bounds[i] : bounds[i + 1]]] for i in range(k)]
    return route_m, fibre, edges


# --------------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------------


def _group_year(
    group: np.ndarray, year: np.ndarray, w: np.ndarray, n_groups: int, q: float
) -> np.ndarray:
    """Per group, the first year by which a share ``q`` of the weight is reached (NaN: never).

    ``year`` NaN means never; ``q`` = 0 gives the first year of a line with weight > 0.
    """
    out = np.full(n_groups, np.nan)
    keep = (group >= 0) & (w > 0)
    if not keep.any():
        return out
    g, y, ww = group[keep], np.where(np.isnan(year[keep]), np.inf, year[keep]), w[keep]
    order = np.lexsort((y, g))
    g, y, ww = g[order], y[order], ww[order]
    total = np.bincount(g, weights=ww, minlength=n_groups)
    cum = pd.Series(ww).groupby(g).cumsum().to_numpy()
    reached = cum >= np.maximum(q * total[g], 1e-12) - 1e-9
    first = pd.Series(y[reached]).groupby(g[reached]).first()
    out[first.index.to_numpy()] = first.to_numpy()
    out[~np.isfinite(out)] = np.nan
    return out


def candidates(
    cl: CopperLines,
    net: TrenchNetwork,
    locaux: pd.Series,
    *,
    ftth_year: pd.Series | None = None,
    med_year: int | None = None,
    exclude_within_years: int | None = None,
    min_lines: int | None = None,
    operation_cost_eur: float | None = None,
    fibre_eur_per_m: float | None = None,
    tv_at_med: bool | None = None,
    kinds: Sequence[str] = KINDS,
    settings: MedSettings | None = None,
    dsl_settings: dsl.DslSettings = dsl.DSL,
    copper_settings: CopperSettings = COPPER,
) -> pd.DataFrame:
    """Candidate operations: one row per SR and kind, with gain, cost, exclusion and rank key.

    Parameters
    ----------
    cl
        Copper lines of the premises (:func:`bthd.network.copper.copper_lines`).
    net
        The trench network the copper lines were computed on (its road edges carry the fibre
        routes NRA→SR and their civil-works costs).
    locaux
        Locaux of each premise (``logements + locaux_pro``), index-aligned with ``cl.lines``.
    ftth_year
        Year each premise becomes FTTH raccordable (NaN: not planned), e.g.
        :func:`bthd.eligibility.ftth_year`; None: no FTTH exclusion.
    med_year, exclude_within_years, min_lines, operation_cost_eur, fibre_eur_per_m, tv_at_med
        Override the fields of ``settings`` of the same name (see :class:`MedSettings` for
        their defaults and sources).
    kinds
        Kinds of operation to consider, among :data:`KINDS` (``"MED"``, ``"NRA-ZO"``).
    settings
        Planner settings; default :data:`MED`.
    dsl_settings, copper_settings
        DSL physics and copper model the copper lines were computed with (the gauges of the
        NRA→SR and SR→premise segments give the attenuation after an operation).

    Returns
    -------
    pandas.DataFrame
        One row per SR of the copper sites and kind, sorted by kind then ``sr_id``:
        ``kind``, ``sr_id``, ``nra_id``, ``lines`` (locaux through the SR), ``lines_served``
        (locaux the operation moves: all for a MED, the shadow ones for an NRA-ZO),
        ``lines_below_8`` (served locaux < 8 Mbit/s before), the gains in locaux ``gain_8``
        (lifted to ≥ 8 Mbit/s), ``gain_30`` (to ≥ 30), ``gain_tv`` (TV, SD or better, gained),
        ``gain_shadow`` (out of the shadow); ``ftth_share`` (share of the served locaux
        planned for FTTH within the horizon) and ``ftth_year`` (year half of them are
        raccordable); ``route_m`` (NRA→SR fibre route on the roads), ``fibre_eur``,
        ``operation_eur``, ``cost_eur`` (their sum), ``cost_per_line``; ``benefit`` (weighted
        gains, :attr:`MedSettings.benefit_weights`), ``benefit_per_eur``; ``excluded`` (the
        reasons, "; "-separated, empty for a candidate) and ``eligible``; ``route_edges``
        (array of the route's edge indices in ``net``). The settings used are in
        ``.attrs["med_settings"]``.

    Raises
    ------
    bthd.ParameterError
        Unknown kinds, misaligned ``locaux`` or ``ftth_year``, invalid settings, or copper
        settings that do not reproduce the copper lines' attenuation.
    """
    s = _settings(
        settings,
        med_year=med_year,
        exclude_within_years=exclude_within_years,
        min_lines=min_lines,
        operation_cost_eur=operation_cost_eur,
        fibre_eur_per_m=fibre_eur_per_m,
        tv_at_med=tv_at_med,
    )
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ParameterError(f"kinds {list(kinds)}: use one or more of {list(KINDS)}")
    ln = _lines(cl, locaux)
    n = len(ln.index)
    if ftth_year is not None:
        if not isinstance(ftth_year, pd.Series) or not ftth_year.index.equals(ln.index):
            raise ParameterError(
                "ftth_year: give a Series index-aligned with the premises of the copper lines "
                "(bthd.eligibility.ftth_year(premises, schedule))"
            )
        fy = ftth_year.to_numpy(dtype=float, na_value=np.nan)
    else:
        fy = np.full(n, np.nan)
    sites = cl.sites
    srs = sites[sites["site_type"] == "SR"].reset_index(drop=True)
    sr_ids = srs["site_id"].to_numpy(object)
    k = len(sr_ids)
    pos = pd.Index(sr_ids).get_indexer(ln.sr_id)
    pos = np.where(ln.has_sr, pos, -1)
    # NRA of each SR: the site's nra_id, else the NRA of its lines
    line_nra = pd.Series(ln.nra_id[pos >= 0]).groupby(pos[pos >= 0]).first()
    nra_of = (
        srs["nra_id"].to_numpy(object)
        if "nra_id" in srs.columns
        else np.full(k, None, dtype=object)
    )
    fill = pd.Series(np.arange(k)).map(line_nra).to_numpy(object)
    nra_of = np.where(pd.notna(nra_of), nra_of, fill)
    node_of = pd.Series(sites["node"].to_numpy(np.int64), index=sites["site_id"].to_numpy())
    node_of = node_of[~node_of.index.duplicated()]
    nra_node = node_of.reindex(nra_of).fillna(-1).to_numpy(np.int64)
    sr_node = srs["node"].to_numpy(np.int64)
    lines = np.bincount(pos[pos >= 0], weights=ln.locaux[pos >= 0], minlength=k)
    routable = (nra_node >= 0) & (lines > 0)
    bound = (
        srs["nra_sr_m"].to_numpy(float) / copper_settings.detour_factor
        if "nra_sr_m" in srs.columns
        else np.full(k, np.inf)
    )
    bound = np.where(np.isfinite(bound), bound, np.inf)
    route_m = np.full(k, np.nan)
    fibre = np.full(k, np.nan)
    edges: list[np.ndarray] = [np.empty(0, np.int64)] * k
    idx = np.flatnonzero(routable)
    if len(idx):
        rm, fe, ed = _routes(net, nra_node[idx], sr_node[idx], bound[idx], s)
        route_m[idx], fibre[idx] = np.round(rm, 1), np.round(fe, 2)
        for i, e in zip(idx, ed, strict=True):
            edges[i] = e
    horizon = s.med_year + s.exclude_within_years
    planned = fy <= horizon  # NaN: not planned
    frames = []
    for kind in kinds:
        mask = pos >= 0
        if kind == "MED":
            med_l, zo_l = mask, np.zeros(n, bool)
            served = mask
            op_cost, fib, floor = s.operation_cost_eur, fibre, s.min_lines
        else:
            med_l, zo_l = np.zeros(n, bool), mask
            served = _shadow(ln, s)
            op_cost = s.nra_zo_cost_eur
            fib = np.zeros(k) if s.nra_zo_backhaul == "copper" else fibre
            floor = s.nra_zo_min_lines
        _, rate, tv, _ = _after(ln, med_l, zo_l, s, dsl_settings, copper_settings)
        flags = _gain_flags(ln, rate, tv, s)
        sel = served & (pos >= 0)
        p, w = pos[sel], ln.locaux[sel]

        def count(
            m: np.ndarray, p: np.ndarray = p, w: np.ndarray = w, sel: np.ndarray = sel
        ) -> np.ndarray:
            return np.bincount(p, weights=w * m[sel], minlength=k)

        served_l = count(np.ones(n, bool))
        df = pd.DataFrame(
            {
                "kind": kind,
                "sr_id": sr_ids,
                "nra_id": nra_of,
                "lines": lines,
                "lines_served": served_l,
                "lines_below_8": count(ln.rate < dsl.BON_HAUT_DEBIT_MBPS),
                **{g: count(flags[g]) for g in GAINS},
            }
        )
        share = count(planned)
        df["ftth_share"] = np.divide(share, served_l, out=np.zeros(k), where=served_l > 0)
        df["ftth_year"] = _group_year(np.where(sel, pos, -1), fy, ln.locaux, k, 0.5)
        df["route_m"] = route_m
        df["fibre_eur"] = fib
        df["operation_eur"] = float(op_cost)
        df["cost_eur"] = df["operation_eur"] + df["fibre_eur"]
        reasons = np.full(k, "", dtype=object)

        def add(m: np.ndarray, text: np.ndarray | str, reasons: np.ndarray = reasons) -> None:
            reasons[m] = np.where(reasons[m] == "", "", reasons[m] + "; ") + (
                text[m] if isinstance(text, np.ndarray) else text
            )

        add(lines == 0, "serves no premise")
        if kind == "NRA-ZO":
            add((lines > 0) & (served_l == 0), "no line in the shadow")
        add(~np.isfinite(route_m) & (lines > 0), "no road route from its NRA")
        few = (served_l > 0) & (served_l < floor)
        add(few, np.array([f"too few lines ({v:g} < {floor})" for v in served_l], object))
        ftth = (served_l > 0) & (df["ftth_share"].to_numpy() > s.ftth_share_max)
        add(
            ftth,
            np.array(
                [
                    f"FTTH planned within {s.exclude_within_years} years of {s.med_year} for "
                    f"{100 * v:.0f} % of its lines"
                    for v in df["ftth_share"].to_numpy()
                ],
                object,
            ),
        )
        frames.append((df, reasons))
    out = pd.concat([f for f, _ in frames], ignore_index=True)
    reasons = np.concatenate([r for _, r in frames])
    out["benefit"] = _benefit(out, s.benefit_weights)
    no_gain = (reasons == "") & (out["benefit"].to_numpy() <= 0)
    reasons[no_gain] = "no gain"
    out["excluded"] = reasons.astype(str)
    out["eligible"] = out["excluded"] == ""
    out["cost_per_line"] = np.where(
        out["lines_served"] > 0,
        out["cost_eur"] / out["lines_served"].where(out["lines_served"] > 0, 1.0),
        np.nan,
    )
    out["benefit_per_eur"] = np.where(
        out["cost_eur"] > 0,
        out["benefit"] / out["cost_eur"].where(out["cost_eur"] > 0, 1.0),
        np.where(out["benefit"] > 0, np.inf, 0.0),
    )
    route_col = np.empty(len(out), dtype=object)
    for j in range(len(out)):
        route_col[j] = edges[j % k]
    out["route_edges"] = route_col
    for c in ("lines", "lines_served", "lines_below_8", *GAINS):
        v = np.round(out[c].to_numpy(float), 6)
        out[c] = v.astype(np.int64) if np.all(v == np.round(v)) else v
    out["ftth_share"] = out["ftth_share"].round(4)
    out["cost_per_line"] = out["cost_per_line"].round(2)
    out["benefit"] = out["benefit"].round(6)
    out["benefit_per_eur"] = out["benefit_per_eur"].round(12)
    cols = [
        "kind",
        "sr_id",
        "nra_id",
        "lines",
        "lines_served",
        "lines_below_8",
        *GAINS,
        "ftth_share",
        "ftth_year",
        "route_m",
        "fibre_eur",
        "operation_eur",
        "cost_eur",
        "cost_per_line",
        "benefit",
        "benefit_per_eur",
        "excluded",
        "eligible",
        "route_edges",
    ]
    kind_rank = pd.Index(KINDS).get_indexer(pd.Index(out["kind"]))
    out = out[cols].iloc[np.lexsort((out["sr_id"].astype(str).to_numpy(), kind_rank))]
    out = out.reset_index(drop=True)
    out.attrs["med_settings"] = s
    log.info(
        "montée en débit: %d SRs, %d eligible candidates (%s)",
        k,
        int(out["eligible"].sum()),
        ", ".join(f"{kd} {int((out['eligible'] & (out['kind'] == kd)).sum())}" for kd in kinds),
    )
    return out


def _benefit(df: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the gain columns."""
    _check_weights(weights)
    b = np.zeros(len(df))
    for g, wt in weights.items():
        b = b + float(wt) * df[g].to_numpy(float)
    return b


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------


def _check_number(value: float | None, name: str, integer: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(f"{name}={value!r}: give a number")
    if not np.isfinite(value) or value < 0:
        raise ParameterError(f"{name}={value!r}: give a finite number ≥ 0")
    if integer and float(value) != int(value):
        raise ParameterError(f"{name}={value!r}: give a whole number of operations")


def select(
    cands: pd.DataFrame,
    *,
    budget: float | None = None,
    operations: int | None = None,
    exact: bool = False,
    weights: Mapping[str, float] | None = None,
    time_limit_s: float = 60.0,
) -> pd.DataFrame:
    """Choose operations under a budget or for a number of operations.

    Only eligible candidates with a positive benefit are chosen, and at most one operation per
    SR. The objective is the total benefit (weighted gains).

    * Greedy (default): candidates in decreasing benefit per euro (ties: larger benefit, lower
      cost, ``sr_id``, ``kind``), each taken if it still fits the budget (the next ones are
      still tried) or until ``operations`` are taken.
    * Exact: a 0/1 program (:func:`scipy.optimize.milp`, HiGHS, zero optimality gap):
      maximise the total benefit subject to the budget (0/1 knapsack) or to at most
      ``operations`` operations (cardinality), and one operation per SR. Never worse than
      greedy: if the solver stops early with a worse answer, greedy's is kept (logged).

    Parameters
    ----------
    cands
        :func:`candidates`.
    budget
        Total cost allowed (€ HT, operations and fibre).
    operations
        Number of operations (at most; fewer when fewer candidates have a gain).
    exact
        Solve exactly instead of greedily.
    weights
        Weights of the gains (keys of :data:`GAINS`) to recompute the benefit with; default:
        the ``benefit`` column of ``cands``.
    time_limit_s
        Time limit of the exact solver (s).

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``cands`` in the order chosen (greedy) or by decreasing benefit per
        euro (exact), with ``rank`` (1, 2...) and ``cum_cost_eur``; ``attrs["selection"]``
        records the method, the constraint, the objective and the total cost.

    Raises
    ------
    bthd.ParameterError
        Both or neither of ``budget`` and ``operations``; negative, infinite or fractional
        values; unknown weights; a table without the columns of :func:`candidates`.
    """
    if budget is not None and operations is not None:
        raise ParameterError(
            "give either a budget (€) or a number of operations, not both "
            f"(got budget={budget!r}, operations={operations!r})"
        )
    if budget is None and operations is None:
        raise ParameterError("give a budget (€) or a number of operations to select")
    _check_number(budget, "budget")
    _check_number(operations, "operations", integer=True)
    need = {"kind", "sr_id", "cost_eur", "benefit", "eligible", *GAINS}
    missing = sorted(need - set(cands.columns))
    if missing:
        raise ParameterError(f"candidates: missing columns {missing}; pass bthd.med.candidates")
    c = cands.copy()
    if weights is not None:
        c["benefit"] = _benefit(c, weights)
        c["benefit_per_eur"] = np.where(
            c["cost_eur"] > 0,
            c["benefit"] / c["cost_eur"].where(c["cost_eur"] > 0, 1.0),
            np.where(c["benefit"] > 0, np.inf, 0.0),
        )
    pool = c[
        c["eligible"].to_numpy(bool)
        & (c["benefit"].to_numpy(float) > 0)
        & np.isfinite(c["cost_eur"].to_numpy(float))
    ]
    pool = pool.iloc[_greedy_order(pool)]
    cost = pool["cost_eur"].to_numpy(float)
    benefit = pool["benefit"].to_numpy(float)
    sr = pool["sr_id"].to_numpy(object)
    chosen = _greedy(cost, sr, budget, operations)
    method = "greedy"
    if exact and len(pool):
        x = _exact(cost, benefit, sr, budget, operations, time_limit_s)
        if x is not None and benefit[x].sum() >= benefit[chosen].sum() - 1e-9:
            chosen = x
            method = "exact"
        else:
            log.warning(
                "exact selection: no better answer than greedy within %g s; keeping greedy's",
                time_limit_s,
            )
            method = "exact (greedy kept)"
    out = pool[chosen].copy()
    if method != "greedy":
        out = out.iloc[_greedy_order(out)]
    out["rank"] = np.arange(1, len(out) + 1)
    out["cum_cost_eur"] = out["cost_eur"].cumsum()
    out.attrs = dict(cands.attrs)
    out.attrs["selection"] = {
        "method": method,
        "budget_eur": budget,
        "operations": operations,
        "objective": float(out["benefit"].sum()),
        "cost_eur": float(out["cost_eur"].sum()),
        "weights": dict(weights) if weights is not None else None,
    }
    log.info(
        "selected %d operations (%s), %.1f M€, benefit %.0f",
        len(out),
        method,
        out["cost_eur"].sum() / 1e6,
        out["benefit"].sum(),
    )
    return out


def _greedy_order(df: pd.DataFrame) -> np.ndarray:
    """Positions by decreasing benefit per euro; ties: benefit, cost, sr_id, kind."""
    if not len(df):
        return np.empty(0, np.int64)
    return np.lexsort(
        (
            df["kind"].astype(str).to_numpy(),
            df["sr_id"].astype(str).to_numpy(),
            df["cost_eur"].to_numpy(float),
            -df["benefit"].to_numpy(float),
            -df["benefit_per_eur"].to_numpy(float),
        )
    )


def _greedy(
    cost: np.ndarray, sr: np.ndarray, budget: float | None, operations: int | None
) -> np.ndarray:
    """Greedy pass over candidates already in priority order (one per SR)."""
    chosen = np.zeros(len(cost), bool)
    taken: set[object] = set()
    left = np.inf if budget is None else float(budget)
    cap = len(cost) if operations is None else int(operations)
    count = 0
    for i in range(len(cost)):
        if count >= cap:
            break
        if sr[i] in taken or cost[i] > left * (1 + 1e-12):
            continue
        chosen[i] = True
        taken.add(sr[i])
        left -= cost[i]
        count += 1
    return chosen


def _exact(
    cost: np.ndarray,
    benefit: np.ndarray,
    sr: np.ndarray,
    budget: float | None,
    operations: int | None,
    time_limit_s: float,
) -> np.ndarray | None:
    """0/1 program: max benefit s.t. budget or cardinality, and one operation per SR."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(cost)
    rows = [cost[None, :] if budget is not None else np.ones((1, n))]
    ub = [float(budget) if budget is not None else float(operations or 0)]
    codes, uniq = pd.factorize(pd.Series(sr))
    counts = np.bincount(codes, minlength=len(uniq))
    multi = np.flatnonzero(counts > 1)
    cons = [LinearConstraint(np.vstack(rows), -np.inf, np.asarray(ub))]
    if len(multi):
        keep = np.isin(codes, multi)
        remap = np.full(len(uniq), -1, np.int64)
        remap[multi] = np.arange(len(multi))
        r = remap[codes[keep]]
        a = sparse.csr_matrix(
            (np.ones(keep.sum()), (r, np.flatnonzero(keep))), shape=(len(multi), n)
        )
        cons.append(LinearConstraint(a, -np.inf, np.ones(len(multi))))
    res = milp(
        -benefit,
        constraints=cons,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": float(time_limit_s), "disp": False},
    )
    if res.x is None:
        return None
    x = res.x > 0.5
    # check what the solver's tolerances allowed
    if budget is not None and cost[x].sum() > float(budget) * (1 + 1e-9):
        return None
    if operations is not None and x.sum() > operations:
        return None
    if len(pd.unique(sr[x])) < x.sum():
        return None
    return x


# --------------------------------------------------------------------------------------------
# After the operations
# --------------------------------------------------------------------------------------------


def _masks(ln: _Lines, selected: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per line: its SR gets a MED / an NRA-ZO in ``selected``."""
    for col in ("kind", "sr_id"):
        if col not in selected.columns:
            raise ParameterError(f"selected: no `{col}` column; pass bthd.med.select's result")
    dup = selected["sr_id"][selected["sr_id"].duplicated()]
    if len(dup):
        raise ParameterError(
            f"selected: several operations at the same SR ({', '.join(map(str, dup.unique()[:5]))})"
            "; an SR gets at most one operation"
        )
    unknown = sorted(set(selected["kind"]) - set(KINDS))
    if unknown:
        raise ParameterError(f"selected: unknown kinds {unknown}; use {list(KINDS)}")
    sr = pd.Series(ln.sr_id)
    med = sr.isin(selected.loc[selected["kind"] == "MED", "sr_id"]).to_numpy() & ln.has_sr
    zo = sr.isin(selected.loc[selected["kind"] == "NRA-ZO", "sr_id"]).to_numpy() & ln.has_sr
    return med, zo


def apply(
    cl: CopperLines,
    selected: pd.DataFrame,
    *,
    settings: MedSettings | None = None,
    dsl_settings: dsl.DslSettings = dsl.DSL,
    copper_settings: CopperSettings = COPPER,
) -> pd.DataFrame:
    """Every line's attenuation, rate, class and TV after the selected operations.

    Lines whose SR gets a MED, and the shadow lines of an SR that gets an NRA-ZO, are fed from
    the SR: their attenuation is that of the SR→premise segment and the rate follows
    :func:`bthd.dsl.downstream_rate_mbps` on it (VDSL2 from the SR). Other lines keep their
    figures. Rates, classes and TV never get worse.

    Parameters
    ----------
    cl
        Copper lines (:func:`bthd.network.copper.copper_lines`).
    selected
        Operations (:func:`select`, or any rows of :func:`candidates`): ``kind``, ``sr_id``.
    settings
        Planner settings; default those stored by :func:`candidates` on ``selected``
        (``attrs["med_settings"]``), else :data:`MED`.
    dsl_settings, copper_settings
        As for :func:`candidates`.

    Returns
    -------
    pandas.DataFrame
        Index-aligned with ``cl.lines``: ``kind`` (the operation feeding the line, "" if
        none), ``op_sr_id``, ``atten_db``, ``rate_mbps``, ``rate_class``, ``tv``,
        ``changed`` (moved to an operation's DSLAM).
    """
    s = _settings_of(selected, settings)
    ln = _lines(cl, None)
    med, zo = _masks(ln, selected)
    att, rate, tv, moved = _after(ln, med, zo, s, dsl_settings, copper_settings)
    kind = np.where(moved & med, "MED", np.where(moved, "NRA-ZO", ""))
    op_sr = ln.sr_id.copy()
    op_sr[~moved] = None
    return pd.DataFrame(
        {
            "kind": kind,
            "op_sr_id": op_sr,
            "atten_db": att,
            "rate_mbps": rate,
            "rate_class": dsl.rate_class(rate),
            "tv": pd.Categorical.from_codes(tv, dtype=dsl.TV_LEVEL_DTYPE),
            "changed": moved,
        },
        index=ln.index,
    )


def _concerned(ln: _Lines, selected: pd.DataFrame, s: MedSettings) -> np.ndarray:
    """Lines served by the selected operations (all lines of a MED, shadow ones of an NRA-ZO)."""
    med, zo = _masks(ln, selected)
    return (ln.has_sr & med) | (_shadow(ln, s) & zo)


def _shares(rate: np.ndarray, tv: np.ndarray, w: np.ndarray, s: MedSettings) -> dict[str, float]:
    tot = w.sum()

    def share(m: np.ndarray) -> float:
        return float(w[m].sum() / tot) if tot > 0 else float("nan")

    return {
        "share below 8 Mbit/s": share(rate < dsl.BON_HAUT_DEBIT_MBPS),
        "share at least 8 Mbit/s": share(rate >= dsl.BON_HAUT_DEBIT_MBPS),
        "share at least 30 Mbit/s": share(rate >= dsl.TRES_HAUT_DEBIT_MBPS),
        "share with TV (SD or HD)": share(tv > 0),
        f"share in the shadow (< {s.shadow_rate_mbps:g} Mbit/s or ineligible)": share(
            rate < s.shadow_rate_mbps
        ),
        "share ineligible": share(rate <= 0),
    }


def before_after(
    cl: CopperLines,
    after: pd.DataFrame,
    locaux: pd.Series,
    selected: pd.DataFrame,
    *,
    settings: MedSettings | None = None,
) -> pd.DataFrame:
    """Shares of the lines concerned before and after the selected operations.

    The lines concerned are those the operations serve: every line of an SR with a MED, the
    shadow lines of an SR with an NRA-ZO (the report's "foyers concernés"). Shares are of
    locaux.

    Parameters
    ----------
    cl
        Copper lines (before).
    after
        :func:`apply` of ``selected``.
    locaux
        Locaux of each premise, index-aligned with ``cl.lines``.
    selected
        The operations.
    settings
        Planner settings (shadow threshold); default those stored on ``selected``.

    Returns
    -------
    pandas.DataFrame
        ``kind`` ("all", then each kind selected), ``figure``, ``before``, ``after``,
        ``change`` (after − before); shares in [0, 1], the ``lines concerned`` row in locaux.
    """
    s = _settings_of(selected, settings)
    ln = _lines(cl, locaux)
    if not after.index.equals(ln.index) or "rate_mbps" not in after.columns:
        raise ParameterError("after: pass bthd.med.apply(cl, selected), index-aligned with cl")
    conc = _concerned(ln, selected, s)
    rate_a = after["rate_mbps"].to_numpy(float)
    tv_a = after["tv"].astype(dsl.TV_LEVEL_DTYPE).cat.codes.to_numpy()
    med, _ = _masks(ln, selected)
    groups = [("all", conc)] + [
        (k, conc & (med if k == "MED" else ~med)) for k in KINDS if (selected["kind"] == k).any()
    ]
    rows = []
    for kind, m in groups:
        w = ln.locaux[m]
        rows.append(
            {
                "kind": kind,
                "figure": "lines concerned (locaux)",
                "before": float(w.sum()),
                "after": float(w.sum()),
            }
        )
        b = _shares(ln.rate[m], ln.tv[m], w, s)
        a = _shares(rate_a[m], tv_a[m], w, s)
        rows += [
            {"kind": kind, "figure": f, "before": round(b[f], 4), "after": round(a[f], 4)}
            for f in b
        ]
    out = pd.DataFrame(rows)
    out["change"] = (out["after"] - out["before"]).round(4)
    return out


# --------------------------------------------------------------------------------------------
# The 2015 report side by side
# --------------------------------------------------------------------------------------------


@dataclass
class Report2015:
    """The Mégalis 2015 report's MED figures beside the model's.

    Attributes
    ----------
    table
        ``figure``, ``Mégalis 2015 report``, ``bthd model``, ``note``.
    explanation
        Why the figures differ (a few sentences).
    selected
        The operations compared.
    after
        :func:`apply` of them.
    before_after
        :func:`before_after` of them.
    """

    table: pd.DataFrame
    explanation: str
    selected: pd.DataFrame
    after: pd.DataFrame
    before_after: pd.DataFrame


def report_2015(
    cands: pd.DataFrame,
    cl: CopperLines,
    locaux: pd.Series,
    *,
    operations: int | None = None,
    exact: bool = False,
    selected: pd.DataFrame | None = None,
    settings: MedSettings | None = None,
    dsl_settings: dsl.DslSettings = dsl.DSL,
    copper_settings: CopperSettings = COPPER,
) -> Report2015:
    """Compare the Mégalis 2015 report's MED figures with the model's (:data:`MEGALIS_2015`).

    The report: 174 operations in service in 2015–January 2016 for 50,000 "foyers, entreprises
    et sites publics", about 128 k€ each; before them 98 % of the lines concerned were below
    8 Mbit/s and 19 % could get TV, after them 96 % were above 8 Mbit/s and 99 % could get TV.
    The model selects the same number of MED operations (greedy by benefit per euro, or
    ``exact``) among ``cands`` and measures the same shares on the lines they serve.

    Parameters
    ----------
    cands
        :func:`candidates` (only its ``MED`` rows are used: the report counts MED only).
    cl
        Copper lines.
    locaux
        Locaux of each premise, index-aligned with ``cl.lines``.
    operations
        Number of operations to select; default the report's 174.
    exact
        Exact selection (:func:`select`).
    selected
        Compare these operations instead of selecting (e.g. a selection under a budget).
    settings, dsl_settings, copper_settings
        As for :func:`apply`.

    Returns
    -------
    Report2015
        The side-by-side table, the explanation of the differences, and the selection.
    """
    s = _settings_of(cands, settings)
    rep = MEGALIS_2015
    if selected is None:
        n_ops = int(rep["operations"]) if operations is None else operations
        selected = select(cands[cands["kind"] == "MED"], operations=n_ops, exact=exact)
    after = apply(
        cl, selected, settings=s, dsl_settings=dsl_settings, copper_settings=copper_settings
    )
    ba = before_after(cl, after, locaux, selected, settings=s)
    allb = ba[ba["kind"] == "all"]
    before = dict(zip(allb["figure"], allb["before"].to_numpy(float), strict=True))
    aft = dict(zip(allb["figure"], allb["after"].to_numpy(float), strict=True))
    n = len(selected)
    lines = before["lines concerned (locaux)"]
    cost = float(selected["cost_eur"].sum())
    op = float(selected["operation_eur"].sum())
    method = selected.attrs.get("selection", {}).get("method", "given")
    kinds = ", ".join(sorted(set(selected["kind"]))) or "none"

    def pct(values: dict[str, float], fig: str) -> float:
        return round(100 * values[fig], 1)

    nan = float("nan")
    rows = [
        (
            "operations",
            rep["operations"],
            n,
            f"model: {method} selection by benefit per euro among eligible SRs ({kinds})",
        ),
        (
            "lines concerned (locaux)",
            rep["lines"],
            round(lines),
            "report: 'foyers, entreprises et sites publics'; model: locaux served",
        ),
        (
            "lines per operation",
            round(rep["lines"] / rep["operations"]),
            round(lines / n) if n else nan,
            "report figure derived: 50,000 / 174",
        ),
        (
            "mean cost per operation (€)",
            rep["operation_cost_eur"],
            round(cost / n) if n else nan,
            f"model: {op / max(n, 1):,.0f} € operation + NRA→SR fibre route (mean "
            f"{(cost - op) / max(n, 1):,.0f} €); 32 M€ / 174 ≈ 184 k€ budgeted (press)",
        ),
        (
            "total cost (M€)",
            round(rep["operations"] * rep["operation_cost_eur"] / 1e6, 2),
            round(cost / 1e6, 2),
            "report figure derived: 174 × 128 k€",
        ),
        (
            "share below 8 Mbit/s before (%)",
            100 * rep["share_below_8_before"],
            pct(before, "share below 8 Mbit/s"),
            "report: 'débit inférieur à 8Mbit/s'",
        ),
        (
            "share at least 8 Mbit/s after (%)",
            100 * rep["share_8_after"],
            pct(aft, "share at least 8 Mbit/s"),
            "report: 'débit supérieur à 8Mbit/s'",
        ),
        (
            "share with TV before (%)",
            100 * rep["share_tv_before"],
            pct(before, "share with TV (SD or HD)"),
            "model: ≥ 4 Mbit/s on a TV-equipped NRA",
        ),
        (
            "share with TV after (%)",
            100 * rep["share_tv_after"],
            pct(aft, "share with TV (SD or HD)"),
            "model: ≥ 4 Mbit/s"
            + (", MED DSLAM carries TV" if s.tv_at_med else " on a TV-equipped origin NRA"),
        ),
        (
            "share at least 30 Mbit/s after (%)",
            nan,
            pct(aft, "share at least 30 Mbit/s"),
            "not in the report (VDSL2 from the SR)",
        ),
    ]
    table = pd.DataFrame(rows, columns=["figure", "Mégalis 2015 report", "bthd model", "note"])
    table["Mégalis 2015 report"] = table["Mégalis 2015 report"].astype(float)
    table["bthd model"] = table["bthd model"].astype(float)
    ln = _lines(cl, locaux)
    explanation = _explain(
        ln, _concerned(ln, selected, s), before, aft, s, n, dsl_settings, copper_settings
    )
    return Report2015(table, explanation, selected, after, ba)


def _length_at_rate_m(
    rate_mbps: float, dsl_settings: dsl.DslSettings, copper_settings: CopperSettings
) -> float:
    """SR→premise copper length (m) beyond which ADSL2+ gives less than ``rate_mbps``."""
    t = np.asarray(dsl_settings.adsl_table, dtype=float)
    att = np.append(t[:, 1], [dsl_settings.anchor_attenuation_db])
    rate = np.append(t[:, 3], [dsl_settings.anchor_rate_mbps])
    a = float(np.interp(rate_mbps, rate[::-1], att[::-1]))
    k = dsl.attenuation_db(1000.0, gauge=copper_settings.sr_premise_gauge_mm, settings=dsl_settings)
    return 1000.0 * a / float(k)


def _explain(
    ln: _Lines,
    conc: np.ndarray,
    before: Mapping[str, float],
    after: Mapping[str, float],
    s: MedSettings,
    n: int,
    dsl_settings: dsl.DslSettings,
    copper_settings: CopperSettings,
) -> str:
    """A few sentences on why the model's figures differ from the report's."""
    w = ln.locaux
    tot = w.sum()

    def share(m: np.ndarray, of: np.ndarray | None = None) -> float:
        base = w if of is None else w[of]
        sub = w[m] if of is None else w[of][m[of]]
        return 100 * float(sub.sum() / base.sum()) if base.sum() > 0 else float("nan")

    far_m = _length_at_rate_m(dsl.BON_HAUT_DEBIT_MBPS, dsl_settings, copper_settings)
    lines = before["lines concerned (locaux)"]
    per_op = lines / n if n else float("nan")
    parts = [
        f"The model selects {n} operations (the report: {MEGALIS_2015['operations']:.0f}) "
        f"serving {lines:,.0f} locaux, {per_op:,.0f} per operation (the report: 50,000, "
        "about 287): with a fixed cost per operation, benefit per euro favours large SRs.",
        "Synthetic copper plant: NRA and SR positions and line lengths are generated, not "
        f"Orange's; in it {share(ln.rate < dsl.BON_HAUT_DEBIT_MBPS):.0f} % of all locaux are "
        f"below 8 Mbit/s and {share(ln.rate <= 0):.0f} % are ineligible "
        f"({100 * before['share below 8 Mbit/s']:.0f} % of the lines concerned are below "
        "8 Mbit/s before, the report 98 %).",
        "After a MED a line's attenuation is that of its SR→premise segment only; "
        f"{share(ln.sr_premise_m > far_m, conc):.0f} % of the lines concerned have more than "
        f"{far_m / 1000:.1f} km of copper from their SR, beyond which ADSL2+ stays below "
        f"8 Mbit/s, so {100 * after['share at least 8 Mbit/s']:.0f} % reach 8 Mbit/s (the "
        "report 96 %): the synthetic SRs serve longer lines than Orange's.",
        "TV rule of the model: TV needs ≥ 4 Mbit/s (SD) and a TV-equipped NRA; in the "
        f"synthetic plant only NRAs with ≥ 1,500 lines carry TV ({share(ln.nra_tv):.0f} % of "
        f"the locaux), giving {100 * before['share with TV (SD or HD)']:.0f} % before (the "
        "report 19 %); "
        + (
            "after a MED the SR's DSLAM is assumed to carry TV (tv_at_med), so the 'after' "
            f"share ({100 * after['share with TV (SD or HD)']:.0f} %, the report 99 %) is the "
            "share of lines reaching 4 Mbit/s."
            if s.tv_at_med
            else "the origin NRA's TV flag is kept after a MED (tv_at_med=False)."
        ),
        "Lines concerned: the model counts every local behind a selected SR (only the "
        "shadow ones for an NRA-ZO; the report's 'foyers concernés' are not defined "
        "further); SRs are ranked by weighted gains per "
        f"euro and excluded where FTTH comes within {s.exclude_within_years} years of "
        f"{s.med_year} under the derived schedule (bthd.eligibility.default_schedule, from "
        "Arcep 2018 and the published phases), not BTHD's 2013 programme.",
        f"Costs: {s.operation_cost_eur:,.0f} € per operation (the report's average) plus the "
        "NRA→SR fibre route priced on the road graph; the report does not say whether its "
        "128 k€ includes the fibre link.",
    ]
    if not tot:
        return "No locaux in the copper lines: nothing to compare."
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Sunk cost
# --------------------------------------------------------------------------------------------


def sunk_cost(
    selected: pd.DataFrame,
    cl: CopperLines,
    ftth_year: pd.Series,
    *,
    med_year: int | None = None,
    locaux: pd.Series | None = None,
    ftth_trench_edges: Sequence[int] | np.ndarray | None = None,
    net: TrenchNetwork | None = None,
    settings: MedSettings | None = None,
) -> pd.DataFrame:
    """What each operation costs per line once FTTH supersedes it, and which fibre FTTH reuses.

    When FTTH reaches an operation's lines, the copper DSLAM, cabinet and re-cabling are
    superseded; the NRA→SR fibre is reusable where the FTTH design trenches the same road
    edges (MED fibre "réutilisée ensuite pour le FttH", DOMAIN §5.1).

    Parameters
    ----------
    selected
        The operations (:func:`select`), with ``cost_eur``, ``operation_eur``, ``fibre_eur``,
        ``lines_served``, ``route_m`` and ``route_edges``.
    cl
        Copper lines.
    ftth_year
        Year each premise becomes FTTH raccordable (NaN: not planned), index-aligned.
    med_year
        Year the operations are in service; default the settings' (2015).
    locaux
        Locaux of each premise (weights of the FTTH years); default 1 per premise.
    ftth_trench_edges
        Indices of the trench-network edges the FTTH design trenches, e.g.
        ``design.routing.cables["edge"].unique()`` of :func:`bthd.network.design.design`;
        None: reuse unknown (the whole cost is counted as sunk).
    net
        The trench network of the routes; needed with ``ftth_trench_edges``.
    settings
        Planner settings (fibre cost per edge); default those stored on ``selected``.

    Returns
    -------
    pandas.DataFrame
        One row per operation: ``kind``, ``sr_id``, ``lines`` (locaux served), ``cost_eur``,
        ``cost_per_line`` (= cost / lines), ``ftth_year_first``, ``ftth_year`` (half the
        lines raccordable), ``ftth_year_all`` (NaN if some never are), ``years_served``
        (``ftth_year`` − ``med_year``, ≥ 0), ``superseded``; ``route_m``, ``reusable_m``,
        ``reusable_share`` (of the route's length trenched by FTTH too), ``reusable_eur``
        (fibre cost on those edges), ``sunk_eur`` (cost − reusable), ``sunk_per_line``,
        ``sunk_per_line_year`` (per year served).

    Raises
    ------
    bthd.ParameterError
        Misaligned inputs, ``ftth_trench_edges`` without ``net`` or out of range.
    """
    s = _settings_of(selected, settings)
    year0 = s.med_year if med_year is None else int(med_year)
    ln = _lines(cl, locaux)
    if not isinstance(ftth_year, pd.Series) or not ftth_year.index.equals(ln.index):
        raise ParameterError("ftth_year: give a Series index-aligned with the copper lines")
    need = {
        "kind",
        "sr_id",
        "cost_eur",
        "operation_eur",
        "fibre_eur",
        "lines_served",
        "route_m",
        "route_edges",
    }
    missing = sorted(need - set(selected.columns))
    if missing:
        raise ParameterError(f"selected: missing columns {missing}; pass bthd.med.select's result")
    fy = ftth_year.to_numpy(dtype=float, na_value=np.nan)
    sel = selected.reset_index(drop=True)
    k = len(sel)
    med, zo = _masks(ln, sel)
    op_pos = np.full(len(ln.index), -1)
    sr_pos = pd.Index(sel["sr_id"].to_numpy(object)).get_indexer(ln.sr_id)
    served = (ln.has_sr & med) | (_shadow(ln, s) & zo)
    op_pos[served] = sr_pos[served]
    first = _group_year(op_pos, fy, ln.locaux, k, 0.0)
    half = _group_year(op_pos, fy, ln.locaux, k, 0.5)
    full = _group_year(op_pos, fy, ln.locaux, k, 1.0)
    lines = sel["lines_served"].to_numpy(float)
    cost = sel["cost_eur"].to_numpy(float)
    out = pd.DataFrame(
        {
            "kind": sel["kind"].to_numpy(),
            "sr_id": sel["sr_id"].to_numpy(),
            "lines": lines,
            "cost_eur": cost,
            "cost_per_line": np.divide(cost, lines, out=np.full(k, np.nan), where=lines > 0),
            "ftth_year_first": first,
            "ftth_year": half,
            "ftth_year_all": full,
        }
    )
    out["years_served"] = np.clip(out["ftth_year"] - year0, 0, None)
    out["superseded"] = out["ftth_year"].notna()
    out["route_m"] = sel["route_m"].to_numpy(float)
    if ftth_trench_edges is not None:
        if net is None:
            raise ParameterError(
                "sunk_cost: pass net= (the trench network of the routes) with ftth_trench_edges"
            )
        ft = np.unique(np.asarray(ftth_trench_edges, dtype=np.int64))
        if len(ft) and (ft.min() < 0 or ft.max() >= net.n_edges):
            raise ParameterError(
                f"ftth_trench_edges: edge indices must be in 0..{net.n_edges - 1} of the trench "
                "network (use design.routing.cables['edge'] of the same roads)"
            )
        in_ftth = np.zeros(net.n_edges, bool)
        in_ftth[ft] = True
        w = _edge_weights(net, s)
        reuse_m = np.zeros(k)
        reuse_eur = np.zeros(k)
        for i, e in enumerate(sel["route_edges"]):
            e = np.asarray(e, dtype=np.int64)
            hit = e[in_ftth[e]]
            reuse_m[i] = net.length[hit].sum()
            reuse_eur[i] = w[hit].sum()
        fibre_paid = sel["fibre_eur"].to_numpy(float) > 0
        out["reusable_m"] = reuse_m
        out["reusable_share"] = np.divide(
            reuse_m, out["route_m"].to_numpy(), out=np.zeros(k), where=out["route_m"].to_numpy() > 0
        )
        out["reusable_eur"] = np.where(fibre_paid, reuse_eur, 0.0)
    else:
        out["reusable_m"] = np.nan
        out["reusable_share"] = np.nan
        out["reusable_eur"] = 0.0
    out["sunk_eur"] = out["cost_eur"] - out["reusable_eur"]
    out["sunk_per_line"] = np.divide(
        out["sunk_eur"].to_numpy(), lines, out=np.full(k, np.nan), where=lines > 0
    )
    yrs = out["years_served"].to_numpy(float)
    out["sunk_per_line_year"] = np.divide(
        out["sunk_per_line"].to_numpy(), yrs, out=np.full(k, np.nan), where=yrs > 0
    )
    for c, d in (
        ("cost_per_line", 2),
        ("reusable_m", 1),
        ("reusable_share", 4),
        ("reusable_eur", 2),
        ("sunk_eur", 2),
        ("sunk_per_line", 2),
        ("sunk_per_line_year", 2),
    ):
        out[c] = out[c].round(d)
    return out


# --------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------


def route_lines(selected: pd.DataFrame, net: TrenchNetwork) -> np.ndarray:
    """The NRA→SR fibre route of each operation as a (multi)linestring.

    Parameters
    ----------
    selected
        Operations with ``route_edges`` (:func:`candidates` rows).
    net
        The trench network of the routes.

    Returns
    -------
    numpy.ndarray
        Shapely geometries (merged lines; None for an operation without a route), one per row.
    """
    import shapely

    edges = [np.asarray(e, dtype=np.int64) for e in selected["route_edges"]]
    out = np.full(len(edges), None, dtype=object)
    have = np.flatnonzero([len(e) > 0 for e in edges])
    if len(have):
        idx = np.concatenate([np.full(len(edges[i]), j) for j, i in enumerate(have)])
        geoms = net.geometry[np.concatenate([edges[i] for i in have])]
        multi = shapely.multilinestrings(geoms, indices=idx)
        out[have] = shapely.line_merge(multi)
    return out
