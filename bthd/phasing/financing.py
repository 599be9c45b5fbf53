"""Co-financing of a plan: who pays the capex of each deployment zone and year.

For every zone and year with works (DOMAIN.md section 7), in this order and each capped by
what is still to fund, so that the funders always add up to the capex:

* **operator**: ``per_line_eur × prises`` (DSP ab-initio contribution);
* public need ``= capex − operator``;
* **State FSN**: ``min(rate × public need, cap × prises)`` with the département's rate and cap
  (Plan France THD, cahier des charges 2013);
* **FEDER**: ``feder_share × public need``;
* **EPCI**, then **Département**, then **Région**: € per prise (the EPCI's through
  :func:`bthd.contributions.bthd_cofinancing`, 445 €/prise by default: the members' statutory
  commitment comes first, the Département and the Région top up);
* **loans**: ``share_of_remainder`` of what is left;
* **own funds** (the syndicat): the balance, explicit, never negative.

``remaining_need_eur`` is what the public funders' grants leave to the syndicat (loans + own
funds). Capex is booked in the year the PM zone becomes raccordable.

Not for: choosing zones (:mod:`bthd.phasing.engine`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd.contributions import bthd_cofinancing
from bthd.phasing.scenario import Financing

#: Funders in the order they are applied (columns ``<funder>_eur``).
FUNDERS = ("operator", "fsn", "feder", "epci", "departement", "region", "loans", "own_funds")


def fund(zone_years: pd.DataFrame, financing: Financing) -> pd.DataFrame:
    """Funding by funder of every zone and year.

    Parameters
    ----------
    zone_years
        ``capex_eur``, ``lines`` (prises) and ``departement`` per row (any other columns are
        kept).
    financing
        The scenario's co-financing parameters.

    Returns
    -------
    pandas.DataFrame
        ``zone_years`` with ``public_need_eur``, one ``<funder>_eur`` column per
        :data:`FUNDERS`, ``remaining_need_eur`` and ``funding_total_eur`` (= ``capex_eur``).
    """
    df = zone_years.copy()
    capex = df["capex_eur"].to_numpy(float)
    prises = df["lines"].to_numpy(float)
    dep = df["departement"].astype(str).to_numpy()
    left = capex.copy()

    def take(amount: np.ndarray) -> np.ndarray:
        nonlocal left
        got = np.clip(np.minimum(amount, left), 0.0, None)
        left = left - got
        return got

    f = financing
    df["operator_eur"] = take(f.operator.per_line_eur * prises)
    need = left.copy()
    df["public_need_eur"] = need
    rate = np.array([f.fsn.rule(d).rate for d in dep], dtype=float)
    cap = np.array([f.fsn.rule(d).cap_eur_per_prise for d in dep], dtype=float)
    df["fsn_eur"] = take(np.minimum(rate * need, cap * prises))
    df["feder_eur"] = take(f.feder_share * need)
    epci_rate = np.array([f.epci.eur(d) for d in dep])
    epci = np.zeros(len(df))
    for r in np.unique(epci_rate):
        m = epci_rate == r
        epci[m] = np.asarray(bthd_cofinancing(prises[m], per_prise_eur=float(r)), dtype=float)
    df["epci_eur"] = take(epci)
    df["departement_eur"] = take(np.array([f.departements.eur(d) for d in dep]) * prises)
    df["region_eur"] = take(np.array([f.region.eur(d) for d in dep]) * prises)
    df["loans_eur"] = take(f.loans.share_of_remainder * left)
    df["own_funds_eur"] = take(left)
    df["remaining_need_eur"] = df["loans_eur"] + df["own_funds_eur"]
    df["funding_total_eur"] = df[[f"{k}_eur" for k in FUNDERS]].sum(axis=1)
    return df
