"""Vegetation along aerial routes on synthetic tiles whose tree crowns are known."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import substring

from bthd._errors import ValidationError
from bthd.imagery.index import index_tiles
from bthd.imagery.settings import VegetationSettings
from bthd.imagery.synthetic import TRUTH_FILE, write_synthetic_tiles
from bthd.imagery.vegetation import (
    aerial_sections,
    excess_green,
    known_answer_m,
    vegetated_runs,
    vegetation_along,
)
from tests.test_imagery_synthetic import BOUNDS, SETTINGS, small_premises, small_roads


def small_links() -> gpd.GeoDataFrame:
    """The lanes cut into 100 m distribution sections: aerial except one in ducts."""
    rows = []
    for r, road in enumerate(small_roads().geometry):
        for k in range(3):
            rows.append(
                {
                    "link_id": f"DI-{r}-{k}",
                    "link_type": "DI",
                    "tree": f"PM-{r % 2}",
                    "works": "duct_reuse" if (r, k) == (0, 0) else "aerial",
                    "geometry": substring(road, 100 * k, 100 * (k + 1)),
                }
            )
    rows.append({**rows[1], "link_id": "TR-1", "link_type": "TR"})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:2154")


@pytest.fixture(scope="module")
def tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("veg") / "tiles"
    write_synthetic_tiles(
        small_roads(),
        BOUNDS,
        out,
        premises=small_premises(),
        departement="22",
        settings=SETTINGS,
        seed=10,  # lines lanes 1 and 2 with trees, not lanes 0 and 3
    )
    return out


def test_aerial_sections_are_the_aerial_distribution_links() -> None:
    sec = aerial_sections(small_links())
    assert len(sec) == 11 and set(sec["works"]) == {"aerial"} and set(sec["link_type"]) == {"DI"}
    assert list(sec["pm_id"].unique()) == ["PM-0", "PM-1"]
    with pytest.raises(ValidationError, match="'works'"):
        aerial_sections(small_links().drop(columns="works"))


def test_pruning_finds_the_tree_lines_drawn(tiles: Path) -> None:
    sec = aerial_sections(small_links())
    res = vegetation_along(sec, index_tiles(tiles))
    crowns = gpd.read_file(tiles / TRUTH_FILE)
    known = known_answer_m(sec, crowns)
    t = res.sections.set_index("link_id").join(known)
    assert (t["index"] == "NDVI").all() and t["synthetic_imagery"].all()
    assert np.allclose(t["imaged_m"], t["length_m"])
    assert (t["prune_m"] <= t["length_m"] + 1e-9).all()
    # lined sections found, the others (fields, verges, roofs beside them) not
    lined = t["known_prune_m"] > 0
    assert lined.sum() >= 3 and (~lined).sum() >= 3
    assert (t.loc[~lined, "prune_m"] == 0).all()
    assert (t.loc[lined, "prune_m"] > 0).all()
    err = (t["prune_m"] - t["known_prune_m"]).abs()
    assert err.sum() <= 0.1 * t["known_prune_m"].sum()
    # costs, segments and PM totals add up
    st = VegetationSettings()
    assert np.allclose(t["cost_eur"], t["prune_m"] * st.pruning_eur_per_m)
    seg = res.segments.groupby("link_id")["length_m"].sum()
    assert np.allclose(seg, t.loc[seg.index, "prune_m"])
    assert np.allclose(res.segments.length, res.segments["length_m"], atol=0.01)
    assert res.segments.crs.to_epsg() == 2154
    corridor = shapely.union_all(sec.geometry.buffer(2.01).to_numpy())
    assert res.segments.within(corridor).all()
    by_pm = res.by_pm.set_index("pm_id")
    assert by_pm["prune_m"].sum() == pytest.approx(t["prune_m"].sum())
    assert by_pm.loc["PM-0", "sections"] == 5


def test_rgb_only_falls_back_on_excess_green(tiles: Path) -> None:
    idx = index_tiles(tiles)
    rgb = idx[idx["interpretation"] == "RGB"]
    sec = aerial_sections(small_links())
    res = vegetation_along(sec, rgb)
    known = known_answer_m(sec, gpd.read_file(tiles / TRUTH_FILE))
    t = res.sections.set_index("link_id").join(known)
    assert (t["index"] == "ExG").all()
    assert (t.loc[t["known_prune_m"] > 0, "prune_m"] > 0).all()
    assert (t["prune_m"] <= t["length_m"]).all()


def test_sections_outside_the_imagery_are_listed_without_imagery(tiles: Path) -> None:
    sec = aerial_sections(small_links())
    far = sec.iloc[:1].copy()
    far["geometry"] = far.geometry.translate(5000, 0)
    res = vegetation_along(pd.concat([sec, far]), index_tiles(tiles))
    last = res.sections.iloc[-1]
    assert last["index"] == "none" and last["imaged_m"] == 0 and last["prune_m"] == 0


def test_runs_bridge_short_gaps_and_drop_short_runs() -> None:
    st = VegetationSettings(min_run_m=2.0, max_gap_m=1.0)
    # 0.5 m stations: gaps of 1 m and 0.5 m bridged, 1.5 m kept; a lone 0.5 m run dropped
    veg = np.array([1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0], dtype=bool)
    got = vegetated_runs(veg, 0.5, st)
    want = np.array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=bool)
    assert np.array_equal(got, want)


def test_excess_green_orders_canopy_grass_soil() -> None:
    r, g, b = np.array([[40, 80, 140], [70, 120, 112], [38, 60, 85]], dtype=float)
    exg = excess_green(r, g, b)
    assert exg[0] > exg[1] > exg[2]
