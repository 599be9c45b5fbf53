"""Collecte links: each NRO joined to its nearest PoP, or to its two nearest."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from bthd._errors import ParameterError
from bthd.network.backbone._checks import (
    check_distance_matrix,
    check_same_projected_crs,
    check_sites_of_type,
)
from bthd.network.backbone.constants import LINK_TYPE, ROLE_COLLECTE


def attach_nros(
    nros: gpd.GeoDataFrame,
    pops: gpd.GeoDataFrame,
    *,
    road_distance_m: pd.DataFrame | np.ndarray | None = None,
    dual_homing: bool = False,
) -> gpd.GeoDataFrame:
    """Collecte links joining each NRO to its nearest PoP (or to its two nearest).

    Parameters
    ----------
    nros
        Sites with ``site_id`` and Point geometries, optionally ``lines``; when the layer has a
        ``site_type`` column only its "NRO" rows are used.
    pops
        Sites; the rows with ``site_type`` "POP" are used (all rows when the column is absent).
        Same projected CRS as ``nros``.
    road_distance_m
        Distances in metres from each NRO to each PoP along the roads: a DataFrame indexed by
        NRO ``site_id`` with PoP ``site_id`` columns, or an array of shape (NROs, PoPs) in the
        rows' order. NaN or inf means no path. Default: straight-line distance.
    dual_homing
        Join every NRO to its two nearest PoPs (rank 1 and 2) instead of one.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per link, NRO by NRO in the order of ``nros`` then by rank: ``link_id``
        ("CO-<NRO>-<POP>"), ``link_type`` "CO", ``from_site`` (the NRO), ``to_site`` (the
        PoP), ``role`` "collecte", ``rank``, ``length_m`` (the road distance when given, else
        the straight line), ``lines`` (when ``nros`` has it), ``synthetic`` (True: computed,
        not observed) and a straight LineString NRO→PoP. Ties go to the PoP listed first.

    Raises
    ------
    bthd.CRSError
        When a layer has no CRS, a geographic CRS, or the two CRSs differ.
    bthd.ParameterError
        When there are fewer PoPs than the homing needs, or the distance matrix does not
        match (missing ids, wrong shape, an NRO without any reachable PoP, negative values).
    """
    nro = check_sites_of_type(nros, "NRO", "nros")
    pop = check_sites_of_type(pops, "POP", "pops")
    check_same_projected_crs(nro, pop)
    k = 2 if dual_homing else 1
    if len(pop) < k:
        raise ParameterError(
            f"pops: dual homing needs at least 2 PoPs, got {len(pop)}. "
            "Give more PoPs or pass dual_homing=False."
        )
    nro_xy = shapely.get_coordinates(nro.geometry.to_numpy())
    pop_xy = shapely.get_coordinates(pop.geometry.to_numpy())
    if road_distance_m is None:
        dist, idx = cKDTree(pop_xy).query(nro_xy, k=k)
        idx = np.asarray(idx).reshape(len(nro), k)
        dist = np.asarray(dist, dtype=float).reshape(len(nro), k)
        routing = "straight"
    else:
        matrix = check_distance_matrix(road_distance_m, nro["site_id"], pop["site_id"])
        order = np.argsort(matrix, axis=1, kind="stable")[:, :k]
        dist = np.take_along_axis(matrix, order, axis=1)
        bad = ~np.isfinite(dist).all(axis=1)
        if bad.any():
            raise ParameterError(
                f"road_distance_m: {int(bad.sum())} NRO(s) reach fewer than {k} PoP(s) "
                f"({', '.join(nro['site_id'].to_numpy()[bad][:10])}). "
                "Check the road graph around them, or give their distances."
            )
        idx = order
        routing = "road"
    n = len(nro)
    nro_rows = np.repeat(np.arange(n), k)
    pop_rows = idx.reshape(-1)
    nro_id = nro["site_id"].to_numpy(dtype=object)[nro_rows]
    pop_id = pop["site_id"].to_numpy(dtype=object)[pop_rows]
    coords = np.stack([nro_xy[nro_rows], pop_xy[pop_rows]], axis=1)
    geom = shapely.linestrings(coords)
    data: dict[str, Any] = {
        "link_id": [f"CO-{a}-{b}" for a, b in zip(nro_id, pop_id, strict=True)],
        "link_type": LINK_TYPE,
        "from_site": nro_id,
        "to_site": pop_id,
        "role": ROLE_COLLECTE,
        "rank": np.tile(np.arange(1, k + 1), n),
        "length_m": dist.reshape(-1) if routing == "road" else shapely.length(geom),
        "routing": routing,
    }
    if "lines" in nro.columns:
        data["lines"] = nro["lines"].to_numpy()[nro_rows]
    data["synthetic"] = True
    return gpd.GeoDataFrame(data, geometry=geom, crs=nro.crs)
