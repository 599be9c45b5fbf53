"""A site view of a run without any orthophoto at hand: SYNTHETIC tiles over the PM zone with the
most aerial distribution, the network drawn over them (what ``bthd demo`` adds to its run).

Not for: views over real tiles (:func:`bthd.imagery.views.render_view` with an index of them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from bthd.imagery.index import index_tiles
from bthd.imagery.settings import SynthImagerySettings
from bthd.imagery.synthetic import write_synthetic_tiles
from bthd.imagery.views import area_of_pm, render_view
from bthd.settings import DEFAULT_SEED

#: Layers a site view draws.
VIEW_LAYERS = ("sites", "links", "premises")


def pm_with_most_aerial(
    links: pd.DataFrame, zones: gpd.GeoDataFrame, *, max_km2: float = 6.0
) -> str | None:
    """The PM zone (bounding box at most ``max_km2``) with the most aerial DI metres, or None."""
    aerial = links[(links["link_type"] == "DI") & (links["works"] == "aerial")]
    metres = aerial.groupby("tree")["length_m"].sum().sort_values(ascending=False, kind="stable")
    zpm = zones[zones["zone_kind"] == "ZPM"].set_index("zone_id")
    for pm in metres.index:
        if pm in zpm.index and shapely.box(*zpm.loc[[pm]].total_bounds).area / 1e6 <= max_km2:
            return str(pm)
    return None


def synthetic_site_view(
    layers: Mapping[str, gpd.GeoDataFrame],
    pm: str,
    *,
    data_credit: str,
    synthetic_data: bool = True,
    resolution_m: float = 0.5,
    seed: int = DEFAULT_SEED,
) -> bytes:
    """PNG of the network of PM zone ``pm`` over SYNTHETIC orthophotos generated for it.

    Parameters
    ----------
    layers
        The run's ``zones``, ``sites``, ``links``, ``premises``, ``roads`` (and, for the
        campaign cited, ``departements``).
    pm
        The PM zone to show (``zone_id`` of a ZPM zone).
    data_credit
        Credit line of the network's data.
    """
    area = area_of_pm({"zones": layers["zones"], "sites": layers["sites"]}, pm)
    b = area.bounds

    def within(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return g.cx[b[0] : b[2], b[1] : b[3]]

    dep = "00"
    deps = layers.get("departements")
    if deps is not None and len(deps):
        hit = deps[deps.contains(shapely.box(*b).centroid)]
        if len(hit):
            dep = str(hit["departement"].iloc[0])
    with tempfile.TemporaryDirectory(prefix="bthd-tiles-") as tmp:
        write_synthetic_tiles(
            within(layers["roads"]),
            b,
            Path(tmp) / "tiles",
            premises=within(layers["premises"]),
            departement=dep,
            settings=SynthImagerySettings(resolution_m=resolution_m),
            seed=seed,
        )
        index = index_tiles(Path(tmp) / "tiles")
        out = Path(tmp) / "view.png"
        render_view(
            index,
            {n: within(layers[n]) for n in VIEW_LAYERS if n in layers},
            area,
            out,
            synthetic_data=synthetic_data,
            data_credit=data_credit,
        )
        return out.read_bytes()
