"""Copper lines after montée-en-débit operations: attenuation, rate, TV, and the gains.

A MED moves every line of an SR to a DSLAM beside it, an NRA-ZO its shadow lines only; a moved
line's attenuation becomes that of its SR→premise segment (:func:`bthd.dsl.med_attenuation_db`).

Not for: the copper lines before (:mod:`bthd.network.copper`) or choosing the operations
(:mod:`bthd.med.candidates`, :mod:`bthd.med.selection`).
"""

from __future__ import annotations

import numpy as np

from bthd import dsl
from bthd._errors import ParameterError
from bthd.costs.med import shadow_lines
from bthd.network.copper import LineArrays
from bthd.settings.copper import CopperSettings
from bthd.settings.med import MedSettings

__all__ = ["gain_flags", "lines_after"]


def lines_after(
    ln: LineArrays,
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
    moved_zo = shadow_lines(ln, s) & zo & ~moved_med
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


def gain_flags(
    ln: LineArrays, rate: np.ndarray, tv: np.ndarray, s: MedSettings
) -> dict[str, np.ndarray]:
    """Per line, which gains an operation brings (before = the copper lines)."""
    b8, b30 = dsl.BON_HAUT_DEBIT_MBPS, dsl.TRES_HAUT_DEBIT_MBPS
    return {
        "gain_8": (ln.rate < b8) & (rate >= b8),
        "gain_30": (ln.rate < b30) & (rate >= b30),
        "gain_tv": (ln.tv == 0) & (tv > 0),
        "gain_shadow": (ln.rate < s.shadow_rate_mbps) & (rate >= s.shadow_rate_mbps),
    }
