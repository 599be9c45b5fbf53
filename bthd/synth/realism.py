"""Realism of a synthetic region: road metres per premise and bourg share by commune size."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

if TYPE_CHECKING:
    from bthd.synth import SyntheticRegion


def realism_table(synth: SyntheticRegion, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Road metres per premise and share of locaux in bourgs, by commune size class.

    Parameters
    ----------
    synth
        A generated region.
    communes
        The communes it was generated for (``insee_code``, ``locaux``).

    Returns
    -------
    pandas.DataFrame
        One row per size class (locaux of the commune) and a total row.
    """
    p = synth.premises
    loc = p["logements"] + p["locaux_pro"]
    per_com = (
        pd.DataFrame(
            {
                "insee_code": p["insee_code"],
                "locaux": loc,
                "bourg": loc.where(p["settlement"] == "bourg", 0),
            }
        )
        .groupby("insee_code")
        .sum()
    )
    road = synth.road_edges.groupby("insee_code")["length"].sum()
    per_com["road_m"] = road.reindex(per_com.index).fillna(0)
    bins = [0, 500, 1000, 2000, 5000, 10_000, 10**9]
    labels = ["<500", "500–1k", "1k–2k", "2k–5k", "5k–10k", "≥10k"]
    per_com["size_class"] = pd.cut(per_com["locaux"], bins=bins, labels=labels, right=False)
    g = per_com.groupby("size_class", observed=False).agg(
        communes=("locaux", "size"),
        locaux=("locaux", "sum"),
        bourg=("bourg", "sum"),
        road_m=("road_m", "sum"),
    )
    total = g.sum().to_frame("total").T
    g = pd.concat([g, total])
    g["road_m_per_local"] = (g["road_m"] / g["locaux"]).round(1)
    g["bourg_share"] = (g["bourg"] / g["locaux"]).round(3)
    g["road_m"] = g["road_m"].round(0)
    g = g.astype({"communes": "int64", "locaux": "int64", "road_m": "int64"})
    g.index.name = "commune size (locaux)"
    return g.drop(columns=["bourg"]).reset_index()
