"""The Mégalis 2015 activity report's montée-en-débit figures beside the model's, and why
they differ.

Not for: the report's figures themselves (:data:`bthd.reference.MEGALIS_2015`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bthd import dsl
from bthd.costs.med import served_lines
from bthd.med.after import apply, before_after
from bthd.med.selection import select
from bthd.network.copper import CopperLines, LineArrays, line_arrays
from bthd.reference import BTHD_MED_BUDGET_EUR, MEGALIS_2015
from bthd.settings.copper import COPPER, CopperSettings
from bthd.settings.med import MedSettings, settings_of

__all__ = ["Report2015", "report_2015"]


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
        :func:`bthd.med.apply` of them.
    before_after
        :func:`bthd.med.before_after` of them.
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
    """Compare the Mégalis 2015 report's MED figures with the model's.

    The report (:data:`bthd.reference.MEGALIS_2015`): 174 operations in service in
    2015–January 2016 for 50,000 "foyers, entreprises et sites publics", about 128 k€ each;
    before them 98 % of the lines concerned were below 8 Mbit/s and 19 % could get TV, after
    them 96 % were above 8 Mbit/s and 99 % could get TV.
    The model selects the same number of MED operations (greedy by benefit per euro, or
    ``exact``) among ``cands`` and measures the same shares on the lines they serve.

    Parameters
    ----------
    cands
        :func:`bthd.med.candidates` (only its ``MED`` rows are used: the report counts MED only).
    cl
        Copper lines.
    locaux
        Locaux of each premise, index-aligned with ``cl.lines``.
    operations
        Number of operations to select; default the report's 174.
    exact
        Exact selection (:func:`bthd.med.select`).
    selected
        Compare these operations instead of selecting (e.g. a selection under a budget).
    settings, dsl_settings, copper_settings
        As for :func:`bthd.med.apply`.

    Returns
    -------
    Report2015
        The side-by-side table, the explanation of the differences, and the selection.
    """
    s = settings_of(cands, settings)
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
            f"report figure derived: {rep['lines']:,.0f} / {rep['operations']:.0f}",
        ),
        (
            "mean cost per operation (€)",
            rep["operation_cost_eur"],
            round(cost / n) if n else nan,
            f"model: {op / max(n, 1):,.0f} € operation + NRA→SR fibre route (mean "
            f"{(cost - op) / max(n, 1):,.0f} €); {BTHD_MED_BUDGET_EUR / 1e6:.0f} M€ / "
            f"{rep['operations']:.0f} ≈ {BTHD_MED_BUDGET_EUR / rep['operations'] / 1e3:.0f} k€ "
            "budgeted (press)",
        ),
        (
            "total cost (M€)",
            round(rep["operations"] * rep["operation_cost_eur"] / 1e6, 2),
            round(cost / 1e6, 2),
            f"report figure derived: {rep['operations']:.0f} × "
            f"{rep['operation_cost_eur'] / 1e3:.0f} k€",
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
    ln = line_arrays(cl, locaux)
    explanation = _explain(
        ln, served_lines(ln, selected, s), before, aft, s, n, dsl_settings, copper_settings
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
    ln: LineArrays,
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
    rep = MEGALIS_2015
    parts = [
        f"The model selects {n} operations (the report: {rep['operations']:.0f}) "
        f"serving {lines:,.0f} locaux, {per_op:,.0f} per operation (the report: "
        f"{rep['lines']:,.0f}, about {rep['lines'] / rep['operations']:.0f}): with a fixed "
        "cost per operation, benefit per euro favours large SRs.",
        "Synthetic copper plant: NRA and SR positions and line lengths are generated, not "
        f"Orange's; in it {share(ln.rate < dsl.BON_HAUT_DEBIT_MBPS):.0f} % of all locaux are "
        f"below 8 Mbit/s and {share(ln.rate <= 0):.0f} % are ineligible "
        f"({100 * before['share below 8 Mbit/s']:.0f} % of the lines concerned are below "
        f"8 Mbit/s before, the report {100 * rep['share_below_8_before']:.0f} %).",
        "After a MED a line's attenuation is that of its SR→premise segment only; "
        f"{share(ln.sr_premise_m > far_m, conc):.0f} % of the lines concerned have more than "
        f"{far_m / 1000:.1f} km of copper from their SR, beyond which ADSL2+ stays below "
        f"8 Mbit/s, so {100 * after['share at least 8 Mbit/s']:.0f} % reach 8 Mbit/s (the "
        f"report {100 * rep['share_8_after']:.0f} %): the synthetic SRs serve longer lines "
        "than Orange's.",
        "TV rule of the model: TV needs ≥ 4 Mbit/s (SD) and a TV-equipped NRA; in the "
        f"synthetic plant only NRAs with ≥ 1,500 lines carry TV ({share(ln.nra_tv):.0f} % of "
        f"the locaux), giving {100 * before['share with TV (SD or HD)']:.0f} % before (the "
        f"report {100 * rep['share_tv_before']:.0f} %); "
        + (
            "after a MED the SR's DSLAM is assumed to carry TV (tv_at_med), so the 'after' "
            f"share ({100 * after['share with TV (SD or HD)']:.0f} %, the report "
            f"{100 * rep['share_tv_after']:.0f} %) is the share of lines reaching 4 Mbit/s."
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
        f"{rep['operation_cost_eur'] / 1e3:.0f} k€ includes the fibre link.",
    ]
    if not tot:
        return "No locaux in the copper lines: nothing to compare."
    return " ".join(parts)
