"""The backbone as links and as a networkx graph (loop, secured extension, extra layers)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from bthd._errors import Problem, ValidationError, join_ids
from bthd.network.backbone._checks import (
    check_ends,
    check_links,
    check_pops,
    collecte_ends,
    site_names,
)
from bthd.network.backbone.constants import (
    BACKBONE_LAYER,
    ROLE_COLLECTE,
    ROLE_EXTENSION,
    ROLE_LOOP,
    SECOND_PATH_SUFFIX,
)


def backbone_links(
    backbone: gpd.GeoDataFrame | None = None,
    *,
    extra_links: gpd.GeoDataFrame | None = None,
    secured_extension: bool = True,
) -> gpd.GeoDataFrame:
    """The backbone links a survivability analysis works on.

    Parameters
    ----------
    backbone
        CO links between PoPs (:data:`bthd.schema.LINKS` plus ``role``: ``loop`` or
        ``extension``; links without a ``role`` count as loop links); default: the embedded
        Mégalis backbone (:func:`bthd.data.load_backbone`).
    extra_links
        A second layer of links between the same PoPs (e.g. the RUHD research network, of
        which no data ships with bthd), with a ``layer`` column naming it (``"extra"`` when
        absent).
    secured_extension
        Add a twin ``<link_id>-BIS`` (``second_path=True``) to every ``extension`` link that has
        no parallel link, so that a single cut of the extension loses nothing (see the module
        docstring).

    Returns
    -------
    geopandas.GeoDataFrame
        A new layer in Lambert-93 with ``role``, ``layer`` and ``second_path`` columns.

    Raises
    ------
    bthd.ValidationError
        When a layer breaks the links schema, holds links that are not CO, or reuses a link id.
    """
    from bthd.data import load_backbone

    links = check_links(load_backbone() if backbone is None else backbone, "backbone")
    if "role" not in links.columns:
        links["role"] = ROLE_LOOP
    links["role"] = links["role"].fillna(ROLE_LOOP).astype(str)
    links["layer"] = (
        links["layer"].fillna(BACKBONE_LAYER).astype(str)
        if "layer" in links.columns
        else BACKBONE_LAYER
    )
    links["second_path"] = False
    parts = [links]
    if secured_extension:
        pair = _pair_keys(links)
        counts = pair.value_counts()
        lone = (links["role"] == ROLE_EXTENSION).to_numpy() & (pair.map(counts) == 1).to_numpy()
        if lone.any():
            twin = links.loc[lone].copy()
            twin["link_id"] = twin["link_id"] + SECOND_PATH_SUFFIX
            twin["second_path"] = True
            for col in ("synthetic", "schematic"):
                if col in twin.columns:
                    twin[col] = True
            parts.append(twin)
    if extra_links is not None:
        extra = check_links(extra_links, "extra_links")
        extra["role"] = (
            extra["role"].fillna(ROLE_LOOP).astype(str) if "role" in extra.columns else ROLE_LOOP
        )
        extra["layer"] = (
            extra["layer"].fillna("extra").astype(str) if "layer" in extra.columns else "extra"
        )
        extra["second_path"] = False
        parts.append(extra)
    out = pd.concat(parts, ignore_index=True)
    dup = out["link_id"].duplicated(keep=False)
    if dup.any():
        raise ValidationError(
            "backbone and extra_links",
            [
                Problem(
                    "link ids used twice",
                    join_ids(sorted(set(out.loc[dup, "link_id"]))),
                    "give the extra links their own ids (e.g. prefix them with their layer)",
                )
            ],
            "links",
        )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=links.crs)


def backbone_graph(
    pops: gpd.GeoDataFrame | None = None,
    backbone: gpd.GeoDataFrame | None = None,
    *,
    collecte: gpd.GeoDataFrame | None = None,
    extra_links: gpd.GeoDataFrame | None = None,
    secured_extension: bool = True,
) -> nx.MultiGraph:
    """The backbone as an undirected multigraph (parallel links are kept).

    Parameters
    ----------
    pops
        Sites; the rows with ``site_type`` "POP" are used (all rows when the column is absent).
        Default: the 8 embedded PoPs (:func:`bthd.data.load_pops`).
    backbone
        CO links between PoPs; default: the embedded loop and extension.
    collecte
        Optional collecte links NRO→PoP (:func:`attach_nros`); their NROs become nodes too.
    extra_links, secured_extension
        See :func:`backbone_links`.

    Returns
    -------
    networkx.MultiGraph
        Nodes: site ids, with ``site_type``, ``name``, ``geometry`` and ``x``/``y`` (metres,
        Lambert-93). Edges keyed by ``link_id``, with ``link_id``, ``role``, ``layer``,
        ``capacity_gbps``, ``length_m``, ``second_path`` and ``geometry``.
    """
    from bthd.data import load_pops

    pop = check_pops(load_pops() if pops is None else pops)
    links = backbone_links(backbone, extra_links=extra_links, secured_extension=secured_extension)
    check_ends(links, set(pop["site_id"]), "backbone")
    G = nx.MultiGraph(name="backbone", crs=str(pop.crs))
    for sid, stype, name, geom in zip(
        pop["site_id"], pop["site_type"], site_names(pop), pop.geometry, strict=True
    ):
        G.add_node(sid, site_type=stype, name=name, geometry=geom, x=geom.x, y=geom.y)
    edge_sets = [links]
    if collecte is not None:
        co = check_links(collecte, "collecte")
        nro_end, _ = collecte_ends(co, pd.Index(sorted(G.nodes)))
        geoms = co.geometry.to_numpy()
        at_start = co["from_site"].to_numpy(dtype=object) == nro_end
        nro_pt = np.where(at_start, shapely.get_point(geoms, 0), shapely.get_point(geoms, -1))
        for nid, pt in zip(nro_end, nro_pt, strict=True):
            if nid not in G:
                G.add_node(nid, site_type="NRO", name=None, geometry=pt, x=pt.x, y=pt.y)
        co = co.assign(
            role=co["role"] if "role" in co.columns else ROLE_COLLECTE,
            layer=BACKBONE_LAYER,
            second_path=False,
        )
        edge_sets.append(co)
    for df in edge_sets:
        cap = df["capacity_gbps"] if "capacity_gbps" in df.columns else pd.Series(np.nan, df.index)
        length = df["length_m"] if "length_m" in df.columns else df.geometry.length
        for row in zip(
            df["link_id"],
            df["from_site"],
            df["to_site"],
            df["role"],
            df["layer"],
            cap,
            length,
            df["second_path"],
            df.geometry,
            strict=True,
        ):
            lid, u, v, role, layer, c, ln, sp, geom = row
            G.add_edge(
                u,
                v,
                key=lid,
                link_id=lid,
                role=role,
                layer=layer,
                capacity_gbps=float(c),
                length_m=float(ln),
                second_path=bool(sp),
                geometry=geom,
            )
    return G


def _pair_keys(links: pd.DataFrame) -> pd.Series:
    """An order-free key of each link's two ends (``lo|hi``)."""
    a, b = links["from_site"].astype(str), links["to_site"].astype(str)
    lo = a.where(a <= b, b)
    hi = b.where(a <= b, a)
    return lo + "|" + hi
