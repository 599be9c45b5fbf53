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


#: Territory levels of the coverage tables: key column → level name.
COVERAGE_LEVELS = (
    ("insee_code", "commune"),
    ("epci_siren", "epci"),
    ("departement", "departement"),
    ("region", "region"),
)

#: Rate classes counted as bon haut débit (≥ 8 Mbit/s) and très haut débit (≥ 30 Mbit/s).
_BON_HD = ("8–30", "30–100", "≥100")
_THD = ("30–100", "≥100")


def coverage_by_year(
    premises: pd.DataFrame,
    by_premise: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    take_up: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Coverage per territory and year from the eligibility of every premise.

    Parameters
    ----------
    premises
        ``premise_id``, ``insee_code``, ``logements``, ``locaux_pro`` (the run's premises).
    by_premise
        ``premise_id`` and ``tech_YEAR`` / ``class_YEAR`` columns
        (``tables/eligibility_by_premise.parquet``).
    communes
        ``insee_code``, ``name``, ``epci_siren``, ``departement``.
    take_up
        Optional ``insee_code``, ``year``, ``raccordes`` (a plan's take-up by commune); adds
        ``raccordes`` and ``penetration`` (raccordés / raccordables).

    Returns
    -------
    dict of DataFrame
        ``coverage_by_commune``, ``coverage_by_epci``, ``coverage_by_departement``,
        ``coverage_by_region``: one row per territory and year with ``locaux``,
        ``raccordables`` (FTTH), ``ftth_rate``, locaux by technology (``locaux_ftth``,
        ``locaux_copper_med``, ``locaux_copper``, ``locaux_none``), ``share_bon_haut_debit``
        and ``share_tres_haut_debit``. Every premise counts once per year.
    """
    p = pd.DataFrame(premises)[["premise_id", "insee_code", "logements", "locaux_pro"]]
    e = pd.DataFrame(by_premise).set_index("premise_id").reindex(p["premise_id"])
    if e.index.has_duplicates or e.isna().all(axis=1).any():
        missing = p["premise_id"][e.isna().all(axis=1).to_numpy()].astype(str).tolist()
        raise ValueError(
            f"eligibility_by_premise lacks {len(missing)} premises of the premises layer "
            f"(e.g. {', '.join(missing[:5])}); run the eligibility stage again"
        )
    years = sorted(int(c[5:]) for c in e.columns if c.startswith("tech_"))
    w = (p["logements"] + p["locaux_pro"]).to_numpy(np.int64)
    com = pd.DataFrame(communes).set_index("insee_code")
    keys = {
        "insee_code": p["insee_code"].to_numpy(),
        "epci_siren": p["insee_code"].map(com["epci_siren"]).to_numpy(),
        "departement": p["insee_code"].map(com["departement"]).to_numpy(),
        "region": np.full(len(p), "Bretagne (area of the run)", dtype=object),
    }
    techs = ("ftth", "copper_med", "copper", "none")
    out: dict[str, list[pd.DataFrame]] = {name: [] for _, name in COVERAGE_LEVELS}
    for y in years:
        tech = e[f"tech_{y}"].to_numpy()
        cls = e[f"class_{y}"].to_numpy()
        cols = {
            "locaux": w,
            **{f"locaux_{t}": np.where(tech == t, w, 0) for t in techs},
            "_bon": np.where(np.isin(cls, _BON_HD), w, 0),
            "_thd": np.where(np.isin(cls, _THD), w, 0),
        }
        df = pd.DataFrame(cols)
        for key, name in COVERAGE_LEVELS:
            g = df.groupby(keys[key]).sum()
            g.index.name = key
            g.insert(0, "year", y)
            out[name].append(g.reset_index())
    tables = {}
    for key, name in COVERAGE_LEVELS:
        t = pd.concat(out[name], ignore_index=True)
        t["raccordables"] = t["locaux_ftth"]
        t["ftth_rate"] = (t["raccordables"] / t["locaux"]).round(4)
        t["share_bon_haut_debit"] = (t.pop("_bon") / t["locaux"]).round(4)
        t["share_tres_haut_debit"] = (t.pop("_thd") / t["locaux"]).round(4)
        if take_up is not None and key != "region":
            tu = pd.DataFrame(take_up).copy()
            if key != "insee_code":
                tu[key] = tu["insee_code"].map(com[key])
            r = tu.groupby([key, "year"])["raccordes"].sum()
            t["raccordes"] = (
                pd.MultiIndex.from_frame(t[[key, "year"]]).map(r.to_dict()).fillna(0).astype(int)
            )
        elif take_up is not None:
            r = pd.DataFrame(take_up).groupby("year")["raccordes"].sum()
            t["raccordes"] = t["year"].map(r).fillna(0).astype(int)
        if "raccordes" in t:
            t["penetration"] = (
                t["raccordes"] / t["raccordables"].where(t["raccordables"] > 0)
            ).round(4)
        if key == "insee_code":
            t.insert(1, "name", t["insee_code"].map(com["name"]))
        order = [
            key,
            *(["name"] if key == "insee_code" else []),
            "year",
            "locaux",
            "raccordables",
            "ftth_rate",
            *[c for c in ("raccordes", "penetration") if c in t],
            *[f"locaux_{x}" for x in techs],
            "share_bon_haut_debit",
            "share_tres_haut_debit",
        ]
        tables[f"coverage_by_{name}"] = (
            t[order].sort_values([key, "year"], kind="stable").reset_index(drop=True)
        )
    return tables


def coverage_change(table: pd.DataFrame, year_a: int, year_b: int) -> pd.DataFrame:
    """Differences between two years of a coverage table (``b − a`` for every count and rate)."""
    key = table.columns[0]
    years = set(table["year"].unique())
    for y in (year_a, year_b):
        if y not in years:
            raise ValueError(f"year {y} is not in the coverage table (it has {sorted(years)})")
    a = table[table["year"] == year_a].set_index(key)
    b = table[table["year"] == year_b].set_index(key)
    num = [c for c in table.columns if c not in (key, "name", "year")]
    d = b[num].sub(a[num], fill_value=0)
    d.columns = [f"{c}_change" for c in num]
    out = pd.concat([a[num].add_suffix(f"_{year_a}"), b[num].add_suffix(f"_{year_b}"), d], axis=1)
    return out.reset_index()


def compare_coverage(
    a: pd.DataFrame, b: pd.DataFrame, labels: tuple[str, str] = ("a", "b")
) -> pd.DataFrame:
    """Two runs' coverage tables side by side per territory and year, with ``b − a``."""
    key = a.columns[0]
    num = [c for c in a.columns if c not in (key, "name", "year") and c in b.columns]
    ia, ib = a.set_index([key, "year"])[num], b.set_index([key, "year"])[num]
    d = ib.sub(ia, fill_value=0).add_suffix("_change")
    out = pd.concat([ia.add_suffix(f"_{labels[0]}"), ib.add_suffix(f"_{labels[1]}"), d], axis=1)
    return out.reset_index()
