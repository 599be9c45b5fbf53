"""Costs of montée-en-débit operations: what one costs, and what is sunk once FTTH arrives.

* :func:`operation_cost` and :func:`fibre_cost_per_edge`: the cost of an operation (the
  cabinet and DSLAM of a MED or an NRA-ZO) and of its NRA→SR fibre, per road edge, from
  :class:`bthd.settings.MedSettings`; :func:`bthd.med.candidates` prices every candidate with
  them;
* :func:`served_lines` and :func:`operation_masks`: the lines each operation serves, over which
  its cost is spread;
* :func:`sunk_cost`: what each operation costs per line once FTTH supersedes it, and which part
  of its fibre the FTTH network reuses.

Not for: choosing operations or their effect on rates (:mod:`bthd.med`), the FTTH bill of
materials (:mod:`bthd.costs.bom`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bthd._errors import ParameterError
from bthd.network.copper import CopperLines, LineArrays, line_arrays
from bthd.network.roads import TrenchNetwork
from bthd.settings.med import KINDS, MedSettings, settings_of

__all__ = [
    "fibre_cost_per_edge",
    "fibre_paid",
    "group_year",
    "operation_cost",
    "operation_masks",
    "served_lines",
    "shadow_lines",
    "sunk_cost",
]


def operation_cost(kind: str, s: MedSettings) -> float:
    """Cost of one operation of ``kind`` (``"MED"`` or ``"NRA-ZO"``) without its fibre, € HT."""
    if kind == "MED":
        return s.operation_cost_eur
    if kind == "NRA-ZO":
        return s.nra_zo_cost_eur
    raise ParameterError(f"kind {kind!r}: use one of {list(KINDS)}")


def fibre_paid(kind: str, s: MedSettings) -> bool:
    """Whether an operation of ``kind`` pays its NRA→SR fibre (not a copper-fed NRA-ZO)."""
    return not (kind == "NRA-ZO" and s.nra_zo_backhaul == "copper")


def fibre_cost_per_edge(net: TrenchNetwork, s: MedSettings) -> np.ndarray:
    """Fibre cost of each road edge of ``net`` (€ HT): civil-works share + cable, or the flat
    rate ``fibre_eur_per_m``."""
    if s.fibre_eur_per_m is not None:
        return net.length * s.fibre_eur_per_m
    return net.length * (s.civil_works_factor * net.cost_per_m + s.fibre_cable_eur_per_m)


def shadow_lines(ln: LineArrays, s: MedSettings) -> np.ndarray:
    """Lines an NRA-ZO serves: through an SR, ineligible or below the shadow rate."""
    return ln.has_sr & (ln.rate < s.shadow_rate_mbps)


def operation_masks(ln: LineArrays, selected: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per line: its SR gets a MED / an NRA-ZO in ``selected``.

    Raises
    ------
    bthd.ParameterError
        ``selected`` lacks ``kind`` or ``sr_id``, has several operations at an SR or unknown
        kinds.
    """
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


def served_lines(ln: LineArrays, selected: pd.DataFrame, s: MedSettings) -> np.ndarray:
    """Lines served by the selected operations (all lines of a MED, shadow ones of an NRA-ZO)."""
    med, zo = operation_masks(ln, selected)
    return (ln.has_sr & med) | (shadow_lines(ln, s) & zo)


def group_year(
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
        The operations (:func:`bthd.med.select`), with ``cost_eur``, ``operation_eur``,
        ``fibre_eur``, ``lines_served``, ``route_m`` and ``route_edges``.
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
    s = settings_of(selected, settings)
    year0 = s.med_year if med_year is None else int(med_year)
    ln = line_arrays(cl, locaux)
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
    op_pos = np.full(len(ln.index), -1)
    sr_pos = pd.Index(sel["sr_id"].to_numpy(object)).get_indexer(ln.sr_id)
    served = served_lines(ln, sel, s)
    op_pos[served] = sr_pos[served]
    first = group_year(op_pos, fy, ln.locaux, k, 0.0)
    half = group_year(op_pos, fy, ln.locaux, k, 0.5)
    full = group_year(op_pos, fy, ln.locaux, k, 1.0)
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
        w = fibre_cost_per_edge(net, s)
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
