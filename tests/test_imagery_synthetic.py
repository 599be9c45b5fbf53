"""Synthetic orthophotos: deterministic, tagged synthetic, vegetation bright in the NIR."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

from bthd._errors import OutputExistsError
from bthd.imagery.index import index_tiles
from bthd.imagery.settings import SynthImagerySettings
from bthd.imagery.synthetic import (
    MATERIALS,
    TRUTH_FILE,
    build_scene,
    material_raster,
    render_tile,
    res_code,
    write_synthetic_tiles,
)
from bthd.imagery.vegetation import ndvi

X0, Y0 = 281_100.0, 6_830_100.0  # on the 150 m tile grid
SETTINGS = SynthImagerySettings(tile_size_m=150.0, resolution_m=0.5, tree_line_share=0.5)


def small_roads() -> gpd.GeoDataFrame:
    """Three east-west lanes and one north-south lane over a 300 m × 300 m area."""
    lines = [shapely.LineString([(X0, Y0 + y), (X0 + 300, Y0 + y)]) for y in (50, 150, 250)]
    lines.append(shapely.LineString([(X0 + 210, Y0), (X0 + 210, Y0 + 300)]))
    return gpd.GeoDataFrame(
        {"u": [1, 2, 3, 4], "v": [11, 12, 13, 14], "highway": ["unclassified"] * 4},
        geometry=lines,
        crs="EPSG:2154",
    )


def small_premises() -> gpd.GeoDataFrame:
    pts = [shapely.Point(X0 + 20 + 18 * i, Y0 + 162) for i in range(6)]
    return gpd.GeoDataFrame({"premise_id": range(6)}, geometry=pts, crs="EPSG:2154")


BOUNDS = (X0, Y0, X0 + 300, Y0 + 300)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_tiles_and_another_seed_does_not(tmp_path: Path) -> None:
    kw = {"premises": small_premises(), "departement": "22", "settings": SETTINGS}
    a = write_synthetic_tiles(small_roads(), BOUNDS, tmp_path / "a", seed=5, **kw)
    write_synthetic_tiles(small_roads(), BOUNDS, tmp_path / "b", seed=5, **kw)
    write_synthetic_tiles(small_roads(), BOUNDS, tmp_path / "c", seed=6, **kw)
    assert len(a) == 8  # 2 × 2 tiles, RGB and IRC
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    with pytest.raises(OutputExistsError):
        write_synthetic_tiles(small_roads(), BOUNDS, tmp_path / "a", seed=5, **kw)


def test_tiles_are_tagged_synthetic_and_indexed_as_ign_tiles(tmp_path: Path) -> None:
    write_synthetic_tiles(
        small_roads(),
        BOUNDS,
        tmp_path,
        premises=small_premises(),
        departement="22",
        settings=SETTINGS,
        overwrite=True,
    )
    idx = index_tiles(tmp_path)
    assert len(idx) == 8 and idx["synthetic"].all()
    assert sorted(set(idx["interpretation"])) == ["IRC", "RGB"]
    assert set(idx["date"]) == {"2021-06-15"} and set(idx["departement"]) == {"22"}
    assert np.allclose(idx["res_m"], 0.5)
    assert shapely.box(*BOUNDS).equals(idx.union_all())
    with rasterio.open(idx["path"].iloc[0]) as src:
        assert "SYNTHETIC" in src.tags()["TIFFTAG_IMAGEDESCRIPTION"]
        assert src.crs.to_epsg() == 2154
    assert (tmp_path / TRUTH_FILE).exists() and "SYNTHETIC" in (
        tmp_path / "SYNTHETIC.txt"
    ).read_text()
    assert res_code(0.2) == "0M20" and res_code(0.05) == "0M05"


def test_ndvi_finds_the_tree_crowns_drawn_and_not_the_fields() -> None:
    scene = build_scene(small_roads(), BOUNDS, premises=small_premises(), settings=SETTINGS, seed=3)
    assert len(scene.crowns) > 20  # the seed lines some lanes with trees
    x0, y1 = X0, Y0 + 150
    bands = render_tile(scene, x0, y1, resolution_m=0.5, tile_size_m=150, seed=3)
    mat, _ = material_raster(scene, x0, y1, resolution_m=0.5, tile_size_m=150)
    v = ndvi(bands[3].astype(np.float32), bands[0].astype(np.float32))
    names = list(MATERIALS)
    tree = mat == names.index("tree")
    fields = np.isin(mat, [names.index(k) for k in ("meadow", "crop", "young_crop", "bare_soil")])
    built = np.isin(mat, [names.index(k) for k in ("road", "slate_roof", "tile_roof")])
    assert tree.sum() > 500 and fields.sum() > 10_000 and built.sum() > 1000
    threshold = 0.5  # VegetationSettings().ndvi_threshold
    assert (v[tree] > threshold).mean() > 0.99
    assert (v[fields] > threshold).mean() < 0.01
    assert (v[built] > threshold).mean() == 0.0
