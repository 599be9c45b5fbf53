"""Every line after the selected montée-en-débit operations, and the shares before and after.

Not for: the attenuation model of a moved line (:mod:`bthd.med.lines`) or the report's
comparison (:mod:`bthd.med.report`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd import dsl
from bthd._errors import ParameterError
from bthd.costs.med import operation_masks, served_lines
from bthd.med.lines import lines_after
from bthd.network.copper import CopperLines, line_arrays
from bthd.settings.copper import COPPER, CopperSettings
from bthd.settings.med import KINDS, MedSettings, settings_of

__all__ = ["apply", "before_after"]


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
        Operations (:func:`bthd.med.select`, or any rows of :func:`bthd.med.candidates`):
        ``kind``, ``sr_id``.
    settings
        Planner settings; default those stored by :func:`bthd.med.candidates` on ``selected``
        (``attrs["med_settings"]``), else :data:`bthd.settings.MED`.
    dsl_settings, copper_settings
        As for :func:`bthd.med.candidates`.

    Returns
    -------
    pandas.DataFrame
        Index-aligned with ``cl.lines``: ``kind`` (the operation feeding the line, "" if
        none), ``op_sr_id``, ``atten_db``, ``rate_mbps``, ``rate_class``, ``tv``,
        ``changed`` (moved to an operation's DSLAM).
    """
    s = settings_of(selected, settings)
    ln = line_arrays(cl, None)
    med, zo = operation_masks(ln, selected)
    att, rate, tv, moved = lines_after(ln, med, zo, s, dsl_settings, copper_settings)
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
        :func:`bthd.med.apply` of ``selected``.
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
    s = settings_of(selected, settings)
    ln = line_arrays(cl, locaux)
    if not after.index.equals(ln.index) or "rate_mbps" not in after.columns:
        raise ParameterError("after: pass bthd.med.apply(cl, selected), index-aligned with cl")
    conc = served_lines(ln, selected, s)
    rate_a = after["rate_mbps"].to_numpy(float)
    tv_a = after["tv"].astype(dsl.TV_LEVEL_DTYPE).cat.codes.to_numpy()
    med, _ = operation_masks(ln, selected)
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
