"""A folium overlay of a local orthophoto mosaic, for the web map.

:func:`mosaic_overlay` reads the mosaic of an area (see :mod:`bthd.imagery.mosaic`), warps it
from Lambert-93 to Web Mercator (EPSG:3857, the projection Leaflet draws in, so that the picture
lands where it should instead of being stretched between two latitudes), encodes it as a PNG
(transparent where there is no imagery) and returns a ``folium.raster_layers.ImageOverlay`` whose
bounds are in WGS 84. Generated imagery is named and attributed SYNTHETIC.

Everything is local: the PNG is embedded in the page as a data URL, nothing is fetched.

Not for: the web map itself (another module adds this layer to its map).
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from bthd.imagery.campaigns import imagery_credit
from bthd.imagery.mosaic import AreaLike, Kind, read_mosaic


@dataclass(frozen=True)
class Overlay:
    """An image overlay and what it shows.

    Attributes
    ----------
    layer
        The ``folium.raster_layers.ImageOverlay`` (add it to a map or a feature group).
    bounds
        ``[[south, west], [north, east]]`` in degrees (WGS 84), for ``fit_bounds``.
    png
        The PNG bytes embedded.
    synthetic
        Whether the imagery is generated.
    credit
        The imagery's credit line.
    """

    layer: Any
    bounds: list[list[float]]
    png: bytes
    synthetic: bool
    credit: str


def mosaic_to_mercator(
    index: gpd.GeoDataFrame,
    area: AreaLike,
    *,
    kind: Kind = "RGB",
    max_px: int = 1024,
) -> tuple[np.ndarray, tuple[float, float, float, float], Any]:
    """The RGBA picture (rows, cols, 4; uint8) of an area warped to EPSG:3857, its bounds in
    EPSG:3857 ``(west, south, east, north)``, and the Lambert-93 mosaic read."""
    from rasterio.enums import Resampling
    from rasterio.warp import calculate_default_transform, reproject

    from bthd.imagery.mosaic import area_bounds

    b = area_bounds(area)
    finest = float(index["res_m"].min())
    res = max(finest, max(b[2] - b[0], b[3] - b[1]) / max_px)
    m = read_mosaic(index, b, kind=kind, resolution=float(f"{res:.2g}"))
    rgba = m.rgb8().transpose(2, 0, 1)  # (4, rows, cols)
    rows, cols = m.shape
    mb = m.bounds
    with warnings.catch_warnings():
        # rasterio 1.4 multiplies Affine objects with `*` (affine >= 2.4 warns)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        dst_transform, width, height = calculate_default_transform(
            "EPSG:2154", "EPSG:3857", cols, rows, left=mb[0], bottom=mb[1], right=mb[2], top=mb[3]
        )
        out = np.zeros((4, height, width), dtype=np.uint8)
        reproject(
            rgba,
            out,
            src_transform=m.transform,
            src_crs="EPSG:2154",
            dst_transform=dst_transform,
            dst_crs="EPSG:3857",
            resampling=Resampling.nearest,
        )
    west, north = dst_transform.c, dst_transform.f
    east = west + width * dst_transform.a
    south = north + height * dst_transform.e
    return out.transpose(1, 2, 0), (west, south, east, north), m


def mosaic_overlay(
    index: gpd.GeoDataFrame,
    area: AreaLike,
    *,
    kind: Kind = "RGB",
    max_px: int = 1024,
    name: str = "Orthophoto",
    opacity: float = 1.0,
) -> Overlay:
    """A folium ``ImageOverlay`` of the local orthophotos of an area.

    Parameters
    ----------
    index
        Tile footprints (:func:`bthd.imagery.index.index_tiles`).
    area
        A geometry, GeoDataFrame/GeoSeries or Lambert-93 bbox.
    kind
        ``RGB`` (natural colour), ``IRC`` (false colour) or ``any``.
    max_px
        Longest side of the picture before warping (pixels).
    name, opacity
        Layer name (``(SYNTHETIC)`` is appended for generated imagery) and opacity.
    """
    import folium
    from PIL import Image
    from pyproj import Transformer

    img, (west, south, east, north), m = mosaic_to_mercator(index, area, kind=kind, max_px=max_px)
    buf = io.BytesIO()
    Image.fromarray(img, mode="RGBA").save(buf, format="PNG", optimize=False)
    png = buf.getvalue()
    to84 = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    lon0, lat0 = to84.transform(west, south)
    lon1, lat1 = to84.transform(east, north)
    bounds = [[float(lat0), float(lon0)], [float(lat1), float(lon1)]]
    credit = imagery_credit(
        departements=m.departements,
        resolution_m=float(index.loc[index["path"].isin(m.tiles), "res_m"].min()),
        dates=m.dates,
        synthetic=m.synthetic,
    )
    label = f"{name} (SYNTHETIC)" if m.synthetic else name
    layer = folium.raster_layers.ImageOverlay(
        image="data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        bounds=bounds,
        name=label,
        opacity=opacity,
        attr=credit,
        interactive=False,
        cross_origin=False,
    )
    return Overlay(layer=layer, bounds=bounds, png=png, synthetic=m.synthetic, credit=credit)
