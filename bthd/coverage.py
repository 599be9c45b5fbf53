"""Coverage aggregates: locaux and FTTH coverage by commune, EPCI, département and zone type.

Figures of the real data (Arcep 2018 locaux, raccordables) and of the synthetic premises are
kept in separate, clearly named columns (``*_synthetic``), so a table never mixes them silently.

Not for: computing the design or eligibility (see :mod:`bthd.network`); only aggregation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bthd.region import Region
from bthd.schema import ZONE_TYPES

_SUM_COLS = ["population", "logements", "etablissements", "locaux", "locaux_raccordables_2018"]


def _premises_by_commune(region: Region) -> pd.DataFrame:
    if region.premises is None or len(region.premises) == 0:
        return pd.DataFrame(columns=["addresses_synthetic", "locaux_synthetic"], dtype="int64")
    p = region.premises
    df = (
        pd.DataFrame(
            {
                "insee_code": p["insee_code"].to_numpy(),
                "addresses": 1,
                "locaux_p": (p["logements"] + p["locaux_pro"]).to_numpy(),
            }
        )
        .groupby("insee_code")
        .sum()
    )
    return df.rename(
        columns={
            "addresses": "addresses_synthetic" if "premises" in region.synthetic else "addresses",
            "locaux_p": "locaux_synthetic" if "premises" in region.synthetic else "locaux_premises",
        }
    )


def locaux_summary(region: Region) -> dict[str, pd.DataFrame]:
    """Locaux (Arcep 2018) and premises (generated or read) by commune, EPCI, département, zone.

    Parameters
    ----------
    region
        A region with communes (and optionally premises).

    Returns
    -------
    dict of DataFrame
        ``by_commune``, ``by_epci``, ``by_departement``, ``by_zone_type``; each has the real
        counts (population, logements, établissements, locaux, locaux raccordables in 2018 and
        the 2018 FTTH coverage rate) and the counts of premises of the region's premises layer.
    """
    c = region.communes
    base_cols = ["insee_code", "name", "departement", "epci_siren", "zone_type"]
    cols = base_cols + [k for k in _SUM_COLS if k in c.columns]
    by_commune = pd.DataFrame(c[cols]).copy()
    prem = _premises_by_commune(region)
    by_commune = by_commune.merge(prem, left_on="insee_code", right_index=True, how="left")
    for col in prem.columns:
        by_commune[col] = by_commune[col].fillna(0).astype("int64")
    by_commune = by_commune.sort_values("insee_code", ignore_index=True)
    num = [k for k in by_commune.columns if k not in base_cols]

    def _group(keys: list[str]) -> pd.DataFrame:
        g = by_commune.groupby(keys, dropna=False, sort=True)
        out = g[num].sum()
        out.insert(0, "communes", g.size())
        for zt in ZONE_TYPES:
            out[f"locaux_{zt}"] = (
                by_commune["locaux"]
                .where(by_commune["zone_type"] == zt, 0)
                .groupby([by_commune[k] for k in keys], dropna=False)
                .sum()
            )
        return out.reset_index()

    by_epci = _group(["epci_siren"])
    if len(region.epci):
        names = region.epci.set_index("epci_siren")[["name", "epci_type"]]
        by_epci = by_epci.merge(names, left_on="epci_siren", right_index=True, how="left")
        by_epci = by_epci[
            ["epci_siren", "name", "epci_type"]
            + [k for k in by_epci.columns if k not in ("epci_siren", "name", "epci_type")]
        ]
    by_dep = _group(["departement"])
    if len(region.departements):
        names = region.departements.set_index("departement")["name"]
        by_dep.insert(1, "name", by_dep["departement"].map(names))
    by_zone = by_commune.groupby("zone_type", sort=True)[num].sum()
    by_zone.insert(0, "communes", by_commune.groupby("zone_type").size())
    by_zone = by_zone.reindex([z for z in ZONE_TYPES if z in by_zone.index]).reset_index()
    tables = {
        "by_commune": by_commune,
        "by_epci": by_epci,
        "by_departement": by_dep,
        "by_zone_type": by_zone,
    }
    for t in tables.values():
        if "locaux_raccordables_2018" in t.columns:
            t["ftth_coverage_2018"] = np.round(
                t["locaux_raccordables_2018"] / t["locaux"].where(t["locaux"] > 0), 4
            )
    total = by_zone[num].sum()
    by_zone["share_of_locaux"] = np.round(by_zone["locaux"] / total["locaux"], 4)
    return tables
