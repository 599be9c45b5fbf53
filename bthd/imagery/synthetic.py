"""Synthetic orthophotos: deterministic RGB and IRC tiles in Lambert-93 drawn from a run's layers.

No real BD ORTHO tile can be shipped or fetched here, so the demo and the tests draw their own:
bocage fields (a seeded tessellation of meadows, crops and bare soil with hedgerows on some
borders), the run's roads (asphalt and grass verges), roofs at the premises (slate and tiles),
and tree lines along a seeded share of the roads, whose crowns overhang the lane as Breton
oaks and chestnuts do on their talus. Each material has digital numbers in the red, green, blue
and near-infrared bands chosen so that woody vegetation is bright in the near-infrared
(NDVI ≈ 0.65), grass much less (≈ 0.3) and soil, roads and roofs not at all (≈ 0); a seeded noise
gives texture. The same seed and inputs give byte-identical tiles.

Tiles follow IGN's layout: 1 km × 1 km tiles named like BD ORTHO
(``22-2021-0280-6831-LA93-0M50-E080.tif``: département, year, top-left corner in km, resolution),
natural colour under ``RVB/`` (bands R, G, B) and colour infrared under ``IRC/`` (bands NIR, R,
G, IGN's order). Every tile is **tagged synthetic** (``BTHD_SYNTHETIC=yes`` and an image
description) so that :mod:`bthd.imagery.views` labels every picture made from it. The crowns
drawn are written beside the tiles (``synthetic_truth_crowns.geojson``): the known answer of the
vegetation analysis.

Not for: anything that claims to show the real landscape.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from bthd._errors import InputError, OutputExistsError
from bthd.imagery.index import BANDS_TAG, DATE_TAG, DEPARTEMENT_TAG, SYNTHETIC_TAG
from bthd.imagery.settings import SYNTH_IMAGERY, SynthImagerySettings
from bthd.settings import DEFAULT_SEED, WORK_CRS

log = logging.getLogger(__name__)

#: Version of the generator, written in the tiles' tags.
GENERATOR_VERSION = 1

#: Materials and their digital numbers (R, G, B, NIR), 0-255.
MATERIALS: dict[str, tuple[int, int, int, int]] = {
    "meadow": (80, 120, 60, 150),
    "crop": (160, 150, 95, 185),
    "young_crop": (95, 125, 65, 160),
    "bare_soil": (140, 112, 85, 150),
    "hedge": (45, 75, 40, 190),
    "verge": (88, 122, 62, 140),
    "road": (105, 105, 108, 95),
    "slate_roof": (72, 76, 86, 78),
    "tile_roof": (150, 92, 78, 135),
    "tree": (40, 70, 38, 205),
}
_MATERIAL_ID = {name: i for i, name in enumerate(MATERIALS)}
_FIELD_KINDS = ("meadow", "meadow", "crop", "young_crop", "bare_soil")

#: Half-widths of the paved lane by OSM class (metres); others get the last value.
ROAD_HALF_WIDTH = {
    "primary": 3.5,
    "secondary": 3.0,
    "tertiary": 3.0,
    "residential": 2.5,
    "unclassified": 2.0,
}
VERGE_M = 1.5
NOISE_DN = 9
#: Name of the known-answer file written beside the tiles.
TRUTH_FILE = "synthetic_truth_crowns.geojson"


@dataclass(frozen=True)
class Scene:
    """Vector scene: shapes in painting order, their material and brightness factor."""

    geoms: np.ndarray
    material: np.ndarray
    factor: np.ndarray
    crowns: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float]
    tree: shapely.STRtree


def res_code(resolution_m: float) -> str:
    """IGN's code of a resolution: 0.2 → ``0M20``, 0.05 → ``0M05``, 1.5 → ``1M50``."""
    cm = round(resolution_m * 100)
    return f"{cm // 100}M{cm % 100:02d}"


def build_scene(
    roads: gpd.GeoDataFrame,
    bounds: tuple[float, float, float, float],
    *,
    premises: gpd.GeoDataFrame | None = None,
    settings: SynthImagerySettings = SYNTH_IMAGERY,
    seed: int = DEFAULT_SEED,
) -> Scene:
    """The vector scene over ``bounds`` (Lambert-93): fields, hedges, roads, roofs, crowns.

    Parameters
    ----------
    roads
        Road axes (LineStrings in EPSG:2154), with ``highway`` (lane width) and ``u``/``v``
        (a stable key; the row order is used otherwise).
    bounds
        ``(xmin, ymin, xmax, ymax)`` in metres.
    premises
        Points where roofs are drawn (optional).
    settings, seed
        Generator settings and seed.
    """
    if roads.crs is None or roads.crs.to_epsg() != 2154:
        raise InputError(
            f"roads layer in {roads.crs}: the generator works in Lambert-93. Fix: reproject "
            "the roads to EPSG:2154."
        )
    margin = 20.0
    area = shapely.box(
        bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin
    )
    rd = roads[roads.intersects(area)].copy()
    keys = ["u", "v"] if {"u", "v"} <= set(rd.columns) else []
    rd["_wkb"] = shapely.to_wkb(rd.geometry.to_numpy())
    rd = rd.sort_values([*keys, "_wkb"], kind="stable").reset_index(drop=True)
    rng = np.random.default_rng([seed, GENERATOR_VERSION, 1])
    geoms: list[np.ndarray] = []
    mats: list[np.ndarray] = []
    facs: list[np.ndarray] = []

    def add(g: np.ndarray, mat: np.ndarray | str, fac: np.ndarray | float = 1.0) -> None:
        n = len(g)
        geoms.append(g)
        ids = np.full(n, _MATERIAL_ID[mat]) if isinstance(mat, str) else mat
        mats.append(np.asarray(ids, dtype=np.int16))
        facs.append(np.broadcast_to(np.asarray(fac, dtype=np.float32), (n,)).copy())

    # fields: a jittered grid of seeds (about settings.field_size_m apart), Voronoi cells
    fs = settings.field_size_m
    xs = np.arange(area.bounds[0] - fs, area.bounds[2] + fs, fs)
    ys = np.arange(area.bounds[1] - fs, area.bounds[3] + fs, fs)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-0.4, 0.4, (gx.size, 2)) * fs
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area.buffer(2 * fs))
    )
    cells = shapely.intersection(cells, area)
    cells = cells[~shapely.is_empty(cells)]
    cells = cells[np.argsort(shapely.to_wkb(cells))]  # order independent of GEOS internals
    kinds = rng.choice(len(_FIELD_KINDS), len(cells))
    add(
        cells,
        np.array([_MATERIAL_ID[_FIELD_KINDS[k]] for k in kinds]),
        rng.uniform(0.9, 1.1, len(cells)),
    )
    # hedgerows on a share of the field borders
    borders = shapely.get_parts(shapely.line_merge(shapely.union_all(shapely.boundary(cells))))
    borders = borders[np.argsort(shapely.to_wkb(borders))]
    hedged = borders[rng.random(len(borders)) < settings.hedge_share]
    add(shapely.buffer(hedged, 1.5), "hedge", rng.uniform(0.9, 1.1, len(hedged)))
    # roads: verge, then lane
    half = np.array([ROAD_HALF_WIDTH.get(str(h), 2.0) for h in rd.get("highway", [""] * len(rd))])
    axes = rd.geometry.to_numpy()
    add(shapely.buffer(axes, half + VERGE_M, cap_style="flat"), "verge")
    add(shapely.buffer(axes, half), "road", rng.uniform(0.95, 1.05, len(rd)))
    # roofs at premises
    if premises is not None and len(premises):
        pr = premises[premises.intersects(area)]
        p = shapely.get_coordinates(pr.geometry.to_numpy())
        p = p[np.lexsort((p[:, 1], p[:, 0]))]
        w = rng.uniform(8, 14, len(p))
        h = rng.uniform(6, 10, len(p))
        roofs = shapely.box(p[:, 0] - w / 2, p[:, 1] - h / 2, p[:, 0] + w / 2, p[:, 1] + h / 2)
        kind = np.where(rng.random(len(p)) < 0.7, "slate_roof", "tile_roof")
        add(roofs, np.array([_MATERIAL_ID[k] for k in kind]), rng.uniform(0.9, 1.1, len(p)))
    # tree lines along a share of the roads, on one side, crowns overhanging the lane
    lined = rng.random(len(rd)) < settings.tree_line_share
    side = rng.choice([-1.0, 1.0], len(rd))
    rows = []
    for i in np.flatnonzero(lined):
        axis = axes[i]
        line = shapely.offset_curve(axis, side[i] * settings.tree_offset_m)
        if line.is_empty or line.length < settings.crown_spacing_m:
            continue
        n = max(1, int(line.length // settings.crown_spacing_m))
        along = (np.arange(n) + 0.5) * line.length / n
        along += rng.uniform(-0.15, 0.15, n) * settings.crown_spacing_m
        centres = shapely.line_interpolate_point(line, np.clip(along, 0, line.length))
        radii = rng.uniform(*settings.crown_radius_m, n)
        crowns = shapely.buffer(centres, radii, quad_segs=8)
        rows.append(
            pd.DataFrame(
                {
                    "road": i,
                    "u": rd["u"].iloc[i] if "u" in rd else i,
                    "v": rd["v"].iloc[i] if "v" in rd else i,
                    "radius_m": radii.round(2),
                    "geometry": crowns,
                }
            )
        )
    crowns_df = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["road", "u", "v", "radius_m", "geometry"])
    )
    crowns_gdf = gpd.GeoDataFrame(crowns_df, geometry="geometry", crs=WORK_CRS)
    crowns_gdf["synthetic"] = True
    if len(crowns_gdf):
        add(
            crowns_gdf.geometry.to_numpy(),
            "tree",
            rng.uniform(0.85, 1.15, len(crowns_gdf)),
        )
    all_geoms = np.concatenate(geoms)
    return Scene(
        geoms=all_geoms,
        tree=shapely.STRtree(all_geoms),
        material=np.concatenate(mats),
        factor=np.concatenate(facs),
        crowns=crowns_gdf,
        bounds=(float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])),
    )


def tile_grid(
    bounds: tuple[float, float, float, float], tile_size_m: float
) -> list[tuple[float, float]]:
    """Top-left corners of the tiles covering ``bounds`` on a grid of ``tile_size_m``."""
    x0 = math.floor(bounds[0] / tile_size_m) * tile_size_m
    y0 = math.floor(bounds[1] / tile_size_m) * tile_size_m
    x1 = math.ceil(bounds[2] / tile_size_m) * tile_size_m
    y1 = math.ceil(bounds[3] / tile_size_m) * tile_size_m
    return [
        (float(x), float(y))
        for y in np.arange(y1, y0, -tile_size_m)
        for x in np.arange(x0, x1, tile_size_m)
    ]


def material_raster(
    scene: Scene, x0: float, y1: float, *, resolution_m: float, tile_size_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Material ids (see :data:`MATERIALS`, in order) and brightness factors of the pixels of
    the tile whose top-left corner is (``x0``, ``y1``); both (n, n)."""
    from rasterio.features import rasterize

    n = round(tile_size_m / resolution_m)
    transform = Affine(resolution_m, 0, x0, 0, -resolution_m, y1)
    box = shapely.box(x0, y1 - tile_size_m, x0 + tile_size_m, y1)
    hit = np.sort(scene.tree.query(box, predicate="intersects"))  # painting order
    ids = np.zeros((n, n), dtype=np.int32)
    if len(hit):
        ids = rasterize(
            zip(scene.geoms[hit], hit + 1, strict=True),
            out_shape=(n, n),
            transform=transform,
            fill=0,
            dtype="int32",
        )
    mat = np.concatenate([[_MATERIAL_ID["bare_soil"]], scene.material])[ids]
    fac = np.concatenate([[1.0], scene.factor]).astype(np.float32)[ids]
    return mat, fac


def render_tile(
    scene: Scene,
    x0: float,
    y1: float,
    *,
    resolution_m: float,
    tile_size_m: float,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bands R, G, B, NIR (uint8, shape (4, n, n)) of the tile whose top-left corner is
    (``x0``, ``y1``)."""
    mat, fac = material_raster(scene, x0, y1, resolution_m=resolution_m, tile_size_m=tile_size_m)
    n = mat.shape[0]
    table = np.array(list(MATERIALS.values()), dtype=np.float32)  # (materials, 4)
    rng = np.random.default_rng([seed, GENERATOR_VERSION, 2, round(x0), round(y1)])
    out = np.empty((4, n, n), dtype=np.uint8)
    for b in range(4):
        # uniform integer noise of ±NOISE_DN (fast at 25 Mpx a tile; standard deviation ≈ 5)
        noise = rng.integers(-NOISE_DN, NOISE_DN + 1, (n, n), dtype=np.int8)
        val = table[mat, b] * fac
        val += noise
        np.clip(val, 0, 255, out=val)
        out[b] = np.rint(val, out=val).astype(np.uint8)
    return out


def write_synthetic_tiles(
    roads: gpd.GeoDataFrame,
    bounds: tuple[float, float, float, float],
    out_dir: str | os.PathLike[str],
    *,
    premises: gpd.GeoDataFrame | None = None,
    departement: str = "00",
    settings: SynthImagerySettings = SYNTH_IMAGERY,
    seed: int = DEFAULT_SEED,
    products: tuple[str, ...] = ("RGB", "IRC"),
    overwrite: bool = False,
) -> list[Path]:
    """Draw the scene over ``bounds`` and write its tiles under ``out_dir``.

    Parameters
    ----------
    roads, premises
        The run's layers (Lambert-93).
    bounds
        Area in Lambert-93 metres; tiles cover it on the ``settings.tile_size_m`` grid.
    out_dir
        Folder to create (``RVB/`` and ``IRC/`` sub-folders and the known-answer file); an
        existing folder is refused unless ``overwrite``.
    departement
        Code written at the head of the tile names (as IGN does).
    products
        ``RGB`` and/or ``IRC``.

    Returns
    -------
    list of Path
        The tiles written (sorted).
    """
    out = Path(out_dir)
    if out.exists() and not overwrite:
        raise OutputExistsError(out)
    scene = build_scene(roads, bounds, premises=premises, settings=settings, seed=seed)
    return write_scene_tiles(
        scene,
        out,
        departement=departement,
        settings=settings,
        seed=seed,
        products=products,
        overwrite=overwrite,
    )


def write_scene_tiles(
    scene: Scene,
    out_dir: str | os.PathLike[str],
    *,
    departement: str = "00",
    settings: SynthImagerySettings = SYNTH_IMAGERY,
    seed: int = DEFAULT_SEED,
    products: tuple[str, ...] = ("RGB", "IRC"),
    overwrite: bool = False,
) -> list[Path]:
    """Write the tiles of a scene (see :func:`write_synthetic_tiles`)."""
    import pyogrio
    import rasterio

    from bthd.io import atomic_dir

    out = Path(out_dir)
    bounds = scene.bounds
    res, size = settings.resolution_m, settings.tile_size_m
    n = round(size / res)
    code = res_code(res)
    date = f"{settings.year}-06-15"
    written: list[Path] = []
    with atomic_dir(out, overwrite=overwrite) as tmp:
        for x0, y1 in tile_grid(bounds, size):
            bands = render_tile(scene, x0, y1, resolution_m=res, tile_size_m=size, seed=seed)
            if size % 1000 == 0:  # IGN's name: corner in km
                name = (
                    f"{departement}-{settings.year}-{round(x0 / 1000):04d}-{round(y1 / 1000):04d}"
                )
            else:  # smaller tiles: corner in metres (the index reads the tags)
                name = f"{departement}-{settings.year}-{round(x0):06d}-{round(y1):07d}"
            for product in products:
                folder = "RVB" if product == "RGB" else "IRC"
                sel, names = ((0, 1, 2), "R,G,B") if product == "RGB" else ((3, 0, 1), "NIR,R,G")
                path = tmp / folder / f"{name}-LA93-{code}-E080.tif"
                path.parent.mkdir(parents=True, exist_ok=True)
                profile = {
                    "driver": "GTiff",
                    "width": n,
                    "height": n,
                    "count": 3,
                    "dtype": "uint8",
                    "crs": WORK_CRS,
                    "transform": Affine(res, 0, x0, 0, -res, y1),
                    "tiled": True,
                    "blockxsize": 256,
                    "blockysize": 256,
                    "compress": "deflate",
                    "predictor": 2,
                    "photometric": "RGB" if product == "RGB" else "MINISBLACK",
                }
                with rasterio.open(path, "w", **profile) as dst:
                    dst.write(bands[list(sel)])
                    dst.update_tags(
                        **{
                            SYNTHETIC_TAG: "yes",
                            DEPARTEMENT_TAG: departement,
                            BANDS_TAG: names,
                            DATE_TAG: date,
                            "BTHD_GENERATOR": f"bthd.imagery.synthetic v{GENERATOR_VERSION} "
                            f"seed {seed}",
                            "TIFFTAG_IMAGEDESCRIPTION": "SYNTHETIC orthophoto generated by bthd "
                            "(not a real image)",
                        }
                    )
                    for b, nm in enumerate(names.split(","), start=1):
                        dst.set_band_description(b, nm)
                written.append(out / path.relative_to(tmp))
        crowns = scene.crowns.copy()
        crowns["geometry"] = shapely.set_precision(crowns.geometry.to_numpy(), 0.01)
        # written straight into the temporary folder: the layer name stays "crowns"
        pyogrio.write_dataframe(
            crowns, tmp / TRUTH_FILE, layer="crowns", driver="GeoJSON", write_bbox="NO"
        )
        (tmp / "SYNTHETIC.txt").write_text(
            "SYNTHETIC ORTHOPHOTOS generated by bthd.imagery.synthetic "
            f"v{GENERATOR_VERSION} (seed {seed}, {res:g} m, {len(written)} tiles) from a run's "
            "roads and premises. They are not real images. Known answer (tree crowns drawn): "
            f"{TRUTH_FILE}.\n",
            encoding="utf-8",
        )
    log.info("wrote %d synthetic tiles to %s", len(written), out)
    return sorted(written)
