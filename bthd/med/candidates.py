"""Candidate montée-en-débit operations: one per SR and kind, with its gain, cost and exclusions.

Every SR of the copper plant is a candidate for each kind of operation (:data:`KINDS`); its gain
is counted on the lines after the operation (:mod:`bthd.med.lines`), its cost is the operation
plus the NRA→SR fibre route (:mod:`bthd.med.routes`, priced by :mod:`bthd.costs.med`).

Not for: choosing among the candidates (:mod:`bthd.med.selection`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bthd import dsl
from bthd._errors import ParameterError
from bthd.costs.med import fibre_paid, group_year, operation_cost, shadow_lines
from bthd.med.lines import gain_flags, lines_after
from bthd.med.routes import fibre_routes
from bthd.network.copper import CopperLines, line_arrays
from bthd.network.roads import TrenchNetwork
from bthd.settings.copper import COPPER, CopperSettings
from bthd.settings.med import GAINS, KINDS, MedSettings, _check_weights, settings_with

log = logging.getLogger(__name__)

__all__ = ["candidates", "weighted_benefit"]


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
        Override the fields of ``settings`` of the same name (see
        :class:`bthd.settings.MedSettings` for
        their defaults and sources).
    kinds
        Kinds of operation to consider, among :data:`KINDS` (``"MED"``, ``"NRA-ZO"``).
    settings
        Planner settings; default :data:`bthd.settings.MED`.
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
        gains, :attr:`bthd.settings.MedSettings.benefit_weights`), ``benefit_per_eur``;
        ``excluded`` (the reasons, "; "-separated, empty for a candidate) and ``eligible``;
        ``route_edges`` (array of the route's edge indices in ``net``). The settings used are
        in ``.attrs["med_settings"]``.

    Raises
    ------
    bthd.ParameterError
        Unknown kinds, misaligned ``locaux`` or ``ftth_year``, invalid settings, or copper
        settings that do not reproduce the copper lines' attenuation.
    """
    s = settings_with(
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
    ln = line_arrays(cl, locaux)
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
        srs["nra_sr_m"].to_numpy(float) / dsl_settings.detour_factor
        if "nra_sr_m" in srs.columns
        else np.full(k, np.inf)
    )
    bound = np.where(np.isfinite(bound), bound, np.inf)
    route_m = np.full(k, np.nan)
    fibre = np.full(k, np.nan)
    edges: list[np.ndarray] = [np.empty(0, np.int64)] * k
    idx = np.flatnonzero(routable)
    if len(idx):
        rm, fe, ed = fibre_routes(net, nra_node[idx], sr_node[idx], bound[idx], s)
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
            floor = s.min_lines
        else:
            med_l, zo_l = np.zeros(n, bool), mask
            served = shadow_lines(ln, s)
            floor = s.nra_zo_min_lines
        op_cost = operation_cost(kind, s)
        fib = fibre if fibre_paid(kind, s) else np.zeros(k)
        _, rate, tv, _ = lines_after(ln, med_l, zo_l, s, dsl_settings, copper_settings)
        flags = gain_flags(ln, rate, tv, s)
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
        df["ftth_year"] = group_year(np.where(sel, pos, -1), fy, ln.locaux, k, 0.5)
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
    out["benefit"] = weighted_benefit(out, s.benefit_weights)
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


def weighted_benefit(df: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the gain columns of ``df`` (keys of :data:`GAINS`).

    Raises
    ------
    bthd.ParameterError
        Unknown gains, or weights that are negative, infinite or all zero.
    """
    _check_weights(weights)
    b = np.zeros(len(df))
    for g, wt in weights.items():
        b = b + float(wt) * df[g].to_numpy(float)
    return b
