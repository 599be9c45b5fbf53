"""The regional backbone, the collecte of the NROs, and what a failure cuts off.

Mégalis II's backbone, as the syndicat described it (press release of 20/02/2007): a 2 Gb/s
loop joining seven PoPs (Rennes, Vannes, Lorient, Quimper, Brest, Lannion, Saint-Brieuc), an
*extension sécurisée* Rennes–Saint-Malo, each PoP in an operator-neutral place, and beyond the
loop an *adduction double* to the Internet and Renater. The FTTH NROs hang off these PoPs by
*collecte* links (GraceTHD ``CO``). This module:

* models the backbone as a networkx graph (:func:`backbone_graph`, :func:`backbone_links`);
* attaches each NRO to its nearest PoP, or to its two nearest (:func:`attach_nros`);
* lists, for every single failure of a backbone link, a PoP, a collecte link or an NRO, the NROs,
  premises, locaux and communes that lose service (:func:`survivability`);
* answers an operator's question "this fibre / PoP / NRO / PM is down: who is cut off?"
  on a run folder or on layers in memory (:func:`outage`, :class:`OutageReport`).

**Service rule.** An NRO has service when at least one of its collecte links is up and leads to a
PoP that is up and joined, through backbone links that are up, to an *uplink* PoP that is up (a
PoP where the network leaves for the Internet and Renater). A premise has service when its NRO
has (and, for :func:`outage`, its PM and PBO are not cut). A link is down when it is cut or
when one of its ends is down.

**Modelling choices** (parameters, not hidden constants):

* *Uplinks.* The press release says "adduction double ... sur Internet et Renater" (and buys a
  primary and a secondary Internet exit from two operators) but does not say at which PoPs the
  exits are. ``uplinks`` is therefore a parameter; the default, :data:`DEFAULT_UPLINKS`, is
  Rennes alone (the regional capital, where Renater has its Breton node). Pass two PoPs (e.g.
  ``("POP-RENNES", "POP-BREST")``) to model geographically separate exits.
* *Secured extension.* "Extension sécurisée" is read as a Rennes–Saint-Malo link with two
  physically separate paths. With ``secured_extension=True`` (default) every ``extension`` link
  that has no parallel link yet gets a twin, ``<link_id>-BIS`` (same schematic geometry,
  ``second_path=True``; the real route of the second path is unknown): cutting either loses
  nothing, cutting both isolates Saint-Malo. A failure of the Rennes PoP still isolates Saint-Malo:
  the extension is secured against cuts, not against its head PoP. ``secured_extension=False``
  models a single link.
* *RUHD.* The regional research network (Réseau Universitaire Haut Débit) would be a second
  layer of links between the same PoPs. **No RUHD data ships with bthd**; pass such links (the
  links schema, plus a ``layer`` column, e.g. ``"RUHD"``) as ``extra_links`` and they join the
  graph and the list of failures.

Not for: capacity (sharing the 2 Gb/s), the route of collecte links on roads (give
:func:`attach_nros` a road-distance matrix), or the placement of NROs and PMs (the design).
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from bthd._errors import (
    CRSError,
    InputError,
    InputNotFoundError,
    ParameterError,
    Problem,
    ValidationError,
    join_ids,
)

log = logging.getLogger(__name__)

#: GraceTHD ``l_infra_type_log`` code of backbone and collecte links.
LINK_TYPE = "CO"
#: Values of the ``role`` column of CO links.
ROLE_LOOP, ROLE_EXTENSION, ROLE_COLLECTE = "loop", "extension", "collecte"
#: Uplink PoPs (Internet/Renater exits) by default; see the module docstring.
DEFAULT_UPLINKS: tuple[str, ...] = ("POP-RENNES",)
#: Suffix of the modelled second path of a secured extension link.
SECOND_PATH_SUFFIX = "-BIS"
#: ``layer`` of the syndicat's own backbone links (extra links keep theirs).
BACKBONE_LAYER = "backbone"
#: Kinds of element a single failure can hit, in the order of :func:`survivability`'s rows.
ELEMENT_TYPES = ("backbone_link", "pop", "collecte_link", "nro")
#: Kinds of id :func:`outage` accepts, with an example each.
CUT_KINDS: dict[str, str] = {
    "backbone_link": "backbone link (CO loop/extension, e.g. CO-RENNES-VANNES)",
    "pop": "PoP (e.g. POP-BREST)",
    "collecte_link": "collecte link NRO→PoP (e.g. CO-<NRO>-POP-BREST)",
    "nro": "NRO",
    "pm": "PM (cuts its premises only)",
    "pbo": "PBO (cuts its premises only)",
}
#: Columns of :func:`survivability`'s table.
SURVIVABILITY_COLUMNS = (
    "element_id",
    "element_type",
    "nros_lost",
    "nro_ids",
    "premises_lost",
    "locaux_lost",
    "communes_lost",
    "insee_codes",
    "share_of_locaux",
)
#: Columns a premises table needs here.
PREMISE_COLUMNS = ("premise_id", "insee_code", "logements", "locaux_pro", "nro_id")


# ---------------------------------------------------------------------------------- the graph
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

    links = _links(load_backbone() if backbone is None else backbone, "backbone")
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
        extra = _links(extra_links, "extra_links")
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

    pop = _pops(load_pops() if pops is None else pops)
    links = backbone_links(backbone, extra_links=extra_links, secured_extension=secured_extension)
    _check_ends(links, set(pop["site_id"]), "backbone")
    G = nx.MultiGraph(name="backbone", crs=str(pop.crs))
    for sid, stype, name, geom in zip(
        pop["site_id"], pop["site_type"], _names(pop), pop.geometry, strict=True
    ):
        G.add_node(sid, site_type=stype, name=name, geometry=geom, x=geom.x, y=geom.y)
    edge_sets = [links]
    if collecte is not None:
        co = _links(collecte, "collecte")
        nro_end, _ = _collecte_ends(co, pd.Index(sorted(G.nodes)))
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


# ------------------------------------------------------------------------------- collecte
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
    nro = _sites_of_type(nros, "NRO", "nros")
    pop = _sites_of_type(pops, "POP", "pops")
    _same_projected_crs(nro, pop)
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
        matrix = _distance_matrix(road_distance_m, nro["site_id"], pop["site_id"])
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


# --------------------------------------------------------------------------- survivability
def survivability(
    pops: gpd.GeoDataFrame,
    backbone: gpd.GeoDataFrame,
    collecte: gpd.GeoDataFrame,
    premises: pd.DataFrame,
    *,
    uplinks: Sequence[str] = DEFAULT_UPLINKS,
    extra_links: gpd.GeoDataFrame | None = None,
    secured_extension: bool = True,
) -> pd.DataFrame:
    """What every single failure cuts off: NROs, premises, locaux and communes.

    Parameters
    ----------
    pops
        Sites; the rows with ``site_type`` "POP" are used (all rows when the column is absent).
    backbone
        CO links between PoPs (``role`` loop/extension), e.g. :func:`bthd.data.load_backbone`.
    collecte
        CO links between an NRO and a PoP (:func:`attach_nros`); either end may be the NRO.
    premises
        One row per address point with ``premise_id``, ``insee_code``, ``logements``,
        ``locaux_pro`` and ``nro_id`` (a table: geometry is not needed). Premises without an
        NRO, or whose NRO has no service even with nothing broken, never count as lost.
    uplinks
        PoPs where the network leaves for the Internet and Renater (see the module docstring);
        default Rennes alone.
    extra_links, secured_extension
        See :func:`backbone_links`; extra links (e.g. RUHD) are failure elements too.

    Returns
    -------
    pandas.DataFrame
        One row per element that can fail (each backbone link, including a modelled second
        path, each PoP, each collecte link, each NRO) with :data:`SURVIVABILITY_COLUMNS`:
        ``element_id``, ``element_type`` (backbone_link, pop, collecte_link, nro),
        ``nros_lost`` and ``nro_ids`` (";"-joined, sorted), ``premises_lost`` (address points),
        ``locaux_lost`` (logements + locaux_pro), ``communes_lost`` and ``insee_codes``
        (communes where at least one premise loses service), ``share_of_locaux`` (of all the
        premises' locaux). Sorted by ``locaux_lost`` (descending) then ``element_id``.

    Raises
    ------
    bthd.ValidationError
        When a layer breaks its schema, or a link joins unknown sites.
    bthd.ParameterError
        When an uplink is not a PoP.

    Notes
    -----
    Each failure costs one connected-components pass (``scipy.sparse.csgraph``) over the PoPs
    and the up backbone links; premises are summed per NRO (and per NRO and commune) once, so
    that a failure's losses are products of its lost-NRO mask with these sums. About 0.4 s for
    1.3 million premises, 400 dual-homed NROs and 1,200 elements.
    """
    pop = _pops(pops)
    links = backbone_links(backbone, extra_links=extra_links, secured_extension=secured_extension)
    prem = _premises(premises, "premises")
    net = _build_net(pop, links, _links(collecte, "collecte"), prem["nro_id"], uplinks)
    agg = _aggregate(prem, net.nro_ids)
    base_ok = net.pop_ok()
    base = net.served(pop_ok=base_ok)
    _log_unserved(net, base, agg)
    elements: list[tuple[str, str]] = []
    lost_rows: list[np.ndarray] = []
    for kind, ids in (
        ("backbone_link", net.bb_ids),
        ("pop", net.pop_ids),
        ("collecte_link", net.co_ids),
        ("nro", net.nro_ids),
    ):
        ok = base_ok if kind in ("collecte_link", "nro") else None
        for i, eid in enumerate(ids):
            served = net.served(**{_FAIL_ARG[kind]: np.array([i])}, pop_ok=ok)
            elements.append((eid, kind))
            lost_rows.append(base & ~served)
    lost = np.vstack(lost_rows) if lost_rows else np.zeros((0, len(net.nro_ids)), bool)
    lost_i = lost.astype(np.int64)
    comm_hit = np.asarray((agg.nro_commune.T @ lost_i.T).T) > 0
    nro_ids = np.asarray(net.nro_ids, dtype=object)
    codes = np.asarray(agg.communes, dtype=object)
    locaux_lost = lost_i @ agg.locaux
    table = pd.DataFrame(
        {
            "element_id": [e for e, _ in elements],
            "element_type": [t for _, t in elements],
            "nros_lost": lost.sum(axis=1).astype(np.int64),
            "nro_ids": [";".join(nro_ids[row]) for row in lost],
            "premises_lost": lost_i @ agg.premises,
            "locaux_lost": locaux_lost,
            "communes_lost": comm_hit.sum(axis=1).astype(np.int64),
            "insee_codes": [";".join(codes[row]) for row in comm_hit],
            "share_of_locaux": locaux_lost / agg.locaux_total if agg.locaux_total else 0.0,
        },
        columns=list(SURVIVABILITY_COLUMNS),
    )
    return table.sort_values(
        ["locaux_lost", "element_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


# ------------------------------------------------------------------------- layers of a run
@dataclass(frozen=True)
class NetworkLayers:
    """The layers an outage analysis reads, from a run folder or from memory.

    Attributes
    ----------
    pops
        PoP sites (Lambert-93).
    backbone
        CO links between PoPs (loop, extension).
    collecte
        CO links NRO→PoP.
    premises
        Premises table: ``premise_id``, ``insee_code``, ``logements``, ``locaux_pro``,
        ``nro_id``, and when known ``pm_id``, ``pbo_id``.
    sites
        Every site as a table (``site_id``, ``site_type``, ``name``, ``parent_id``...).
    communes
        ``insee_code`` and ``name`` (the embedded COG names when the layers have none).
    source
        Where the layers come from, for messages.
    """

    pops: gpd.GeoDataFrame
    backbone: gpd.GeoDataFrame
    collecte: gpd.GeoDataFrame
    premises: pd.DataFrame
    sites: pd.DataFrame
    communes: pd.DataFrame
    source: str = "<in-memory>"


def network_layers(
    layers_or_run_folder: str | os.PathLike[str] | Mapping[str, pd.DataFrame] | NetworkLayers,
) -> NetworkLayers:
    """Read or gather the layers of a designed network.

    Parameters
    ----------
    layers_or_run_folder
        A run folder (holding ``layers.gpkg``), a GeoPackage, or a mapping of layers:
        ``sites`` (PoPs, NROs, PMs... with ``site_id``, ``site_type``, ``name``, ``parent_id``),
        ``backbone`` (CO links: the PoP loop and extension, and the collecte links, told apart
        by ``role`` "collecte" or by an end that is not a PoP; a separate ``collecte`` layer is
        accepted too), ``premises`` (see :data:`PREMISE_COLUMNS`, plus ``pm_id``, ``pbo_id``)
        and optionally ``communes`` (``insee_code``, ``name``).

    Raises
    ------
    bthd.InputNotFoundError
        When the folder or its ``layers.gpkg`` does not exist.
    bthd.InputError
        When a layer is missing, or the network has no FTTH design yet (no NRO, no collecte).
    """
    if isinstance(layers_or_run_folder, NetworkLayers):
        return layers_or_run_folder
    if isinstance(layers_or_run_folder, Mapping):
        layers = dict(layers_or_run_folder)
        source = "<in-memory>"
    else:
        layers, source = _read_run(layers_or_run_folder)
    missing = [n for n in ("sites", "backbone", "premises") if n not in layers]
    if missing:
        raise InputError(
            f"{source}: missing layer(s) {', '.join(missing)}; an outage analysis needs "
            "sites, backbone and premises (and optionally communes). Run the design first."
        )
    sites = layers["sites"]
    for col in ("site_id", "site_type"):
        if col not in sites.columns:
            raise InputError(
                f"{source}: the sites layer has no `{col}` column; "
                f"it has {', '.join(map(str, sites.columns))}."
            )
    is_pop = sites["site_type"].astype(str).eq("POP").to_numpy()
    if not is_pop.any():
        raise InputError(
            f"{source}: no PoP in the sites layer (site_type POP). "
            "Add the backbone's PoPs (bthd.data.load_pops())."
        )
    pops = _pops(sites.loc[is_pop])
    pop_ids = set(pops["site_id"])
    links = [layers["backbone"]] + ([layers["collecte"]] if "collecte" in layers else [])
    all_links = pd.concat([_links(x, "backbone") for x in links], ignore_index=True)
    all_links = gpd.GeoDataFrame(all_links, geometry="geometry", crs=pops.crs)
    role = (
        all_links["role"].astype(str)
        if "role" in all_links.columns
        else pd.Series("", index=all_links.index)
    )
    is_co = (
        role.eq(ROLE_COLLECTE)
        | ~all_links["from_site"].isin(pop_ids)
        | ~all_links["to_site"].isin(pop_ids)
    ).to_numpy()
    if not is_co.any():
        raise InputError(
            f"{source}: no collecte link (CO link with role 'collecte' from an NRO to a PoP): "
            "the network has no FTTH design yet. Run the design, or attach the NROs with "
            "bthd.network.backbone.attach_nros."
        )
    premises = _premises(layers["premises"], f"{source} (premises)")
    communes = layers.get("communes")
    if communes is None or not {"insee_code", "name"} <= set(communes.columns):
        from bthd.data import load_communes

        communes = load_communes()
    communes = pd.DataFrame(
        {
            "insee_code": communes["insee_code"].astype(str).to_numpy(),
            "name": communes["name"].astype(str).to_numpy(),
        }
    )
    site_table = pd.DataFrame(
        sites.drop(columns=sites.geometry.name) if isinstance(sites, gpd.GeoDataFrame) else sites
    )
    return NetworkLayers(
        pops=pops,
        backbone=all_links.loc[~is_co].reset_index(drop=True),
        collecte=all_links.loc[is_co].reset_index(drop=True),
        premises=premises,
        sites=site_table,
        communes=communes,
        source=source,
    )


# ---------------------------------------------------------------------------------- outage
@dataclass(frozen=True)
class OutageReport:
    """What goes down when the given elements are cut.

    Attributes
    ----------
    cut
        The cut elements: ``element_id``, ``element_type``, ``name``, and what each would cut
        off alone (``premises_lost_alone``, ``locaux_lost_alone``).
    pops
        PoPs that are down or cut off from every uplink: ``site_id``, ``name``, ``status``.
    nros
        NROs that lose service: ``site_id``, ``name``, ``cause``, ``pms``, ``premises``,
        ``locaux``.
    pms
        PMs that lose service (cut, or behind a lost NRO): ``site_id``, ``name``, ``nro_id``,
        ``cause``, ``premises``, ``locaux``.
    premises
        The premises that lose service (rows of the input, on its index; no geometry).
    communes
        Communes with at least one premise cut off: ``insee_code``, ``name``,
        ``premises_lost``, ``locaux_lost``, ``locaux_total``, ``share_lost``.
    premises_total, locaux_total
        Premises and locaux of the whole network.
    uplinks
        The uplink PoPs assumed.
    secured_extension
        Whether the extension had its modelled second path.
    """

    cut: pd.DataFrame
    pops: pd.DataFrame
    nros: pd.DataFrame
    pms: pd.DataFrame
    premises: pd.DataFrame
    communes: pd.DataFrame
    premises_total: int
    locaux_total: int
    uplinks: tuple[str, ...]
    secured_extension: bool

    @property
    def premises_lost(self) -> int:
        """Address points that lose service."""
        return len(self.premises)

    @property
    def locaux_lost(self) -> int:
        """Locaux (logements + locaux_pro) that lose service."""
        return int(self.premises["logements"].sum() + self.premises["locaux_pro"].sum())

    @property
    def share_of_locaux(self) -> float:
        """Share of the network's locaux that lose service."""
        return self.locaux_lost / self.locaux_total if self.locaux_total else 0.0

    def summary(self) -> str:
        """A few lines of text for an operator."""
        cuts = ", ".join(
            f"{e} ({t.replace('_', ' ')})"
            for e, t in zip(self.cut["element_id"], self.cut["element_type"], strict=True)
        )
        head = (
            f"Cut: {cuts}. Uplinks: {', '.join(self.uplinks)}; secured extension: "
            f"{'yes' if self.secured_extension else 'no'}."
        )
        if self.premises_lost == 0:
            return (
                head + "\nNo service lost: the traffic goes round the loop, through a "
                "second PoP or the extension's second path."
            )
        lines = [
            head,
            f"Service lost: {len(self.nros)} NRO(s), {len(self.pms)} PM(s), "
            f"{_thousands(self.premises_lost)} premises, {_thousands(self.locaux_lost)} locaux "
            f"({100 * self.share_of_locaux:.2f} % of {_thousands(self.locaux_total)}) in "
            f"{len(self.communes)} commune(s).",
        ]
        if len(self.pops):
            lines.append(
                "PoPs down or cut off from the uplinks: "
                + ", ".join(
                    f"{s} ({st})"
                    for s, st in zip(self.pops["site_id"], self.pops["status"], strict=True)
                )
            )
        return "\n".join(lines)


def outage(
    layers_or_run_folder: str | os.PathLike[str] | Mapping[str, pd.DataFrame] | NetworkLayers,
    cut_ids: str | Iterable[str],
    *,
    uplinks: Sequence[str] = DEFAULT_UPLINKS,
    extra_links: gpd.GeoDataFrame | None = None,
    secured_extension: bool = True,
) -> OutageReport:
    """What goes down when one or several elements are cut, for operations.

    Parameters
    ----------
    layers_or_run_folder
        A run folder, a GeoPackage, a mapping of layers or :class:`NetworkLayers`
        (see :func:`network_layers`).
    cut_ids
        One id or several, cut together: backbone link, PoP, collecte link, NRO, PM or PBO
        ids (see :data:`CUT_KINDS`). A PM or PBO cut takes down its own premises only.
    uplinks, extra_links, secured_extension
        See :func:`survivability`.

    Returns
    -------
    OutageReport

    Raises
    ------
    bthd.ParameterError
        When an id is unknown (the message lists close matches and the kinds accepted), or
        names a site of another kind (an NRA...), or no id is given.
    """
    nl = network_layers(layers_or_run_folder)
    ids = [cut_ids] if isinstance(cut_ids, str) else [str(c) for c in cut_ids]
    if not ids:
        raise ParameterError(
            f"cut_ids: no element to cut. Give at least one id ({'; '.join(CUT_KINDS.values())})."
        )
    links = backbone_links(
        nl.backbone, extra_links=extra_links, secured_extension=secured_extension
    )
    prem = nl.premises
    net = _build_net(nl.pops, links, nl.collecte, prem["nro_id"], uplinks)
    agg = _aggregate(prem, net.nro_ids)
    sites = nl.sites
    site_type = dict(zip(sites["site_id"].astype(str), sites["site_type"].astype(str), strict=True))
    pm_codes, pm_uniques = _factorize(prem, "pm_id")
    pbo_codes, pbo_uniques = _factorize(prem, "pbo_id")
    pm_ids = _ids_of(sites, "PM", pm_uniques)
    pbo_ids = _ids_of(sites, "PBO", pbo_uniques)
    kinds: dict[str, str] = {}
    for kind, known in (
        ("backbone_link", net.bb_ids),
        ("pop", net.pop_ids),
        ("collecte_link", net.co_ids),
        ("nro", net.nro_ids),
        ("pm", pm_ids),
        ("pbo", pbo_ids),
    ):
        for k in known:
            kinds.setdefault(str(k), kind)
    _check_cut_ids(ids, kinds, site_type)
    ids = list(dict.fromkeys(ids))  # the same id twice is one cut

    base = net.served()
    _log_unserved(net, base, agg)
    nro_code = agg.nro_code

    def evaluate(cuts: list[str]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        masks = {
            "bb": _positions(net.bb_ids, [c for c in cuts if kinds[c] == "backbone_link"]),
            "pop": _positions(net.pop_ids, [c for c in cuts if kinds[c] == "pop"]),
            "co": _positions(net.co_ids, [c for c in cuts if kinds[c] == "collecte_link"]),
            "nro": _positions(net.nro_ids, [c for c in cuts if kinds[c] == "nro"]),
        }
        served = net.served(**{f"{k}_down": v for k, v in masks.items()})
        lost_nro = base & ~served
        lost_prem = np.zeros(len(prem), dtype=bool)
        has = nro_code >= 0
        lost_prem[has] = lost_nro[nro_code[has]]
        for kind, codes, uniques in (("pm", pm_codes, pm_uniques), ("pbo", pbo_codes, pbo_uniques)):
            chosen = [c for c in cuts if kinds[c] == kind]
            if chosen and codes is not None:
                ix = uniques.get_indexer(pd.Index(chosen))
                lost_prem |= np.isin(codes, ix[ix >= 0])
        return lost_nro, lost_prem, masks

    lost_nro, lost_prem, masks = evaluate(ids)
    locaux = agg.premise_locaux
    alone = [evaluate([c])[1] for c in ids] if len(ids) > 1 else [lost_prem]
    names = dict(zip(sites["site_id"].astype(str), _names(sites), strict=True))
    cut_table = pd.DataFrame(
        {
            "element_id": ids,
            "element_type": [kinds[c] for c in ids],
            "name": [names.get(c) for c in ids],
            "premises_lost_alone": [int(m.sum()) for m in alone],
            "locaux_lost_alone": [int(locaux[m].sum()) for m in alone],
        }
    )

    # PoPs down or cut off from the uplinks
    pop_ok = net.pop_ok(pop_down=masks["pop"], bb_down=masks["bb"])
    pop_bad = ~pop_ok
    pops_table = pd.DataFrame(
        {
            "site_id": net.pop_ids[pop_bad],
            "name": [names.get(p) for p in net.pop_ids[pop_bad]],
            "status": np.where(masks["pop"][pop_bad], "cut", "cut off from the uplinks"),
            "uplink": net.uplink[pop_bad],
        }
    )

    # NROs
    lost_idx = np.flatnonzero(lost_nro)
    causes = [_nro_cause(net, int(i), masks, pop_ok) for i in lost_idx]
    nro_table = pd.DataFrame(
        {
            "site_id": net.nro_ids[lost_idx],
            "name": [names.get(n) for n in net.nro_ids[lost_idx]],
            "cause": causes,
            "premises": agg.premises[lost_idx],
            "locaux": agg.locaux[lost_idx],
        }
    )

    # PMs: cut, or behind a lost NRO
    pm_table = _pm_table(
        sites, prem, lost_nro, net.nro_ids, [c for c in ids if kinds[c] == "pm"], locaux, names
    )
    if len(nro_table):
        nro_table["pms"] = (
            nro_table["site_id"].map(pm_table.groupby("nro_id").size()).fillna(0).astype(np.int64)
        )
    else:
        nro_table["pms"] = pd.Series(dtype=np.int64)
    nro_table = nro_table[["site_id", "name", "cause", "pms", "premises", "locaux"]]
    nro_table = nro_table.sort_values(
        ["locaux", "site_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)

    # premises and communes
    keep = [c for c in (*PREMISE_COLUMNS, "pm_id", "pbo_id") if c in prem.columns]
    lost_premises = prem.loc[lost_prem, keep].copy()
    comm = (
        pd.DataFrame(
            {
                "insee_code": prem["insee_code"].to_numpy(),
                "lost": lost_prem,
                "locaux": locaux,
                "lost_locaux": np.where(lost_prem, locaux, 0),
            }
        )
        .groupby("insee_code", sort=True)
        .agg(
            premises_lost=("lost", "sum"),
            locaux_lost=("lost_locaux", "sum"),
            locaux_total=("locaux", "sum"),
        )
    )
    comm = comm.loc[comm["premises_lost"] > 0].reset_index()
    comm_names = dict(zip(nl.communes["insee_code"], nl.communes["name"], strict=True))
    comm.insert(1, "name", [comm_names.get(c, "") for c in comm["insee_code"]])
    comm["premises_lost"] = comm["premises_lost"].astype(np.int64)
    comm["share_lost"] = (
        comm["locaux_lost"] / comm["locaux_total"].where(comm["locaux_total"] > 0)
    ).fillna(0.0)
    comm = comm.sort_values(
        ["locaux_lost", "insee_code"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    return OutageReport(
        cut=cut_table,
        pops=pops_table,
        nros=nro_table,
        pms=pm_table,
        premises=lost_premises,
        communes=comm,
        premises_total=len(prem),
        locaux_total=int(agg.locaux_total),
        uplinks=tuple(uplinks),
        secured_extension=secured_extension,
    )


# ------------------------------------------------------------------------------ the engine
_FAIL_ARG = {
    "backbone_link": "bb_down",
    "pop": "pop_down",
    "collecte_link": "co_down",
    "nro": "nro_down",
}


@dataclass(frozen=True)
class _Net:
    """The backbone and collecte as index arrays (PoPs, links and NROs sorted by id)."""

    pop_ids: np.ndarray
    bb_ids: np.ndarray
    bb_u: np.ndarray
    bb_v: np.ndarray
    co_ids: np.ndarray
    co_nro: np.ndarray
    co_pop: np.ndarray
    nro_ids: np.ndarray
    uplink: np.ndarray

    def _mask(self, down: np.ndarray | None, n: int) -> np.ndarray:
        m = np.zeros(n, dtype=bool)
        if down is not None:
            if down.dtype == bool:
                m |= down
            else:
                m[down] = True
        return m

    def pop_ok(
        self, *, pop_down: np.ndarray | None = None, bb_down: np.ndarray | None = None
    ) -> np.ndarray:
        """PoPs that are up and joined to an up uplink PoP through up backbone links."""
        n = len(self.pop_ids)
        pd_ = self._mask(pop_down, n)
        up = ~self._mask(bb_down, len(self.bb_ids)) & ~pd_[self.bb_u] & ~pd_[self.bb_v]
        adj = sparse.coo_matrix(
            (np.ones(int(up.sum())), (self.bb_u[up], self.bb_v[up])), shape=(n, n)
        )
        _, labels = connected_components(adj, directed=False)
        good = np.unique(labels[self.uplink & ~pd_])
        return np.isin(labels, good) & ~pd_

    def served(
        self,
        *,
        pop_down: np.ndarray | None = None,
        bb_down: np.ndarray | None = None,
        co_down: np.ndarray | None = None,
        nro_down: np.ndarray | None = None,
        pop_ok: np.ndarray | None = None,
    ) -> np.ndarray:
        """NROs with service under the given failures (index arrays or boolean masks).

        ``pop_ok`` saves the components when no PoP and no backbone link is down.
        """
        ok = self.pop_ok(pop_down=pop_down, bb_down=bb_down) if pop_ok is None else pop_ok
        nd = self._mask(nro_down, len(self.nro_ids))
        link_ok = ~self._mask(co_down, len(self.co_ids)) & ok[self.co_pop]
        served = np.zeros(len(self.nro_ids), dtype=bool)
        served[self.co_nro[link_ok]] = True
        return served & ~nd


@dataclass(frozen=True)
class _Aggregates:
    """Premises summed per NRO once, so that a failure costs a few vector products."""

    nro_code: np.ndarray  # per premise: position of its NRO, -1 if none
    premise_locaux: np.ndarray  # per premise: logements + locaux_pro
    premises: np.ndarray  # per NRO
    locaux: np.ndarray  # per NRO
    communes: np.ndarray  # sorted INSEE codes
    nro_commune: sparse.csr_matrix  # NRO × commune: premises
    locaux_total: int


def _aggregate(prem: pd.DataFrame, nro_ids: np.ndarray) -> _Aggregates:
    nro_code = _codes(prem["nro_id"], nro_ids)
    loc = prem["logements"].to_numpy(dtype=np.int64) + prem["locaux_pro"].to_numpy(dtype=np.int64)
    has = nro_code >= 0
    n = len(nro_ids)
    communes = np.sort(np.asarray(pd.unique(prem["insee_code"].dropna().astype(str)), dtype=object))
    comm_code = _codes(prem["insee_code"], communes)
    m = sparse.coo_matrix(
        (np.ones(int(has.sum()), dtype=np.int64), (nro_code[has], comm_code[has])),
        shape=(n, len(communes)),
    ).tocsr()
    return _Aggregates(
        nro_code=nro_code,
        premise_locaux=loc,
        premises=np.bincount(nro_code[has], minlength=n).astype(np.int64),
        locaux=np.bincount(nro_code[has], weights=loc[has], minlength=n).astype(np.int64),
        communes=communes,
        nro_commune=m,
        locaux_total=int(loc.sum()),
    )


def _codes(values: pd.Series, labels: np.ndarray) -> np.ndarray:
    """Position of each value in ``labels`` (-1 when absent or null), factorising first."""
    codes, uniques = pd.factorize(values)
    where = pd.Index(labels).get_indexer(pd.Index(np.asarray(uniques, dtype=object)).astype(str))
    return np.where(codes >= 0, where[codes], -1)


def _build_net(
    pop: gpd.GeoDataFrame,
    links: pd.DataFrame,
    collecte: pd.DataFrame,
    premise_nros: pd.Series | None,
    uplinks: Sequence[str] | None,
) -> _Net:
    pop_ids = np.sort(pop["site_id"].to_numpy(dtype=object))
    pop_index = pd.Index(pop_ids)
    _check_ends(links, set(pop_ids), "backbone")
    order = np.argsort(links["link_id"].to_numpy(dtype=object), kind="stable")
    bb = links.iloc[order]
    co_nro_id, co_pop_id = _collecte_ends(collecte, pop_index)
    nros = set(co_nro_id)
    if premise_nros is not None:
        nros |= set(pd.unique(premise_nros.dropna().astype(str)))
    nro_ids = np.array(sorted(nros), dtype=object)
    co_ids = collecte["link_id"].astype(str).to_numpy(dtype=object)
    co_order = np.argsort(co_ids, kind="stable")
    clash = (set(pop_ids) | set(bb["link_id"])) & (set(co_ids) | set(nro_ids))
    clash |= set(pop_ids) & set(bb["link_id"])
    clash |= set(co_ids) & set(nro_ids)
    if clash:
        raise ValidationError(
            "backbone and collecte",
            [
                Problem(
                    "ids used by two kinds of element (PoP, backbone link, collecte link, NRO)",
                    join_ids(sorted(clash)),
                    "give every element its own id",
                )
            ],
            "links",
        )
    if uplinks is not None:
        _check_uplinks(uplinks, pop_ids)
    return _Net(
        pop_ids=pop_ids,
        bb_ids=bb["link_id"].to_numpy(dtype=object),
        bb_u=pop_index.get_indexer(bb["from_site"].astype(str)),
        bb_v=pop_index.get_indexer(bb["to_site"].astype(str)),
        co_ids=co_ids[co_order],
        co_nro=pd.Index(nro_ids).get_indexer(co_nro_id[co_order]),
        co_pop=pop_index.get_indexer(co_pop_id[co_order]),
        nro_ids=nro_ids,
        uplink=np.isin(pop_ids, list(uplinks or ())),
    )


def _collecte_ends(collecte: pd.DataFrame, pop_index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """The NRO end and the PoP end of each collecte link (either may be ``from_site``)."""
    f = collecte["from_site"].astype(str).to_numpy(dtype=object)
    t = collecte["to_site"].astype(str).to_numpy(dtype=object)
    f_pop = pop_index.get_indexer(pd.Index(f)) >= 0
    t_pop = pop_index.get_indexer(pd.Index(t)) >= 0
    bad = f_pop == t_pop
    if bad.any():
        raise ValidationError(
            "collecte",
            [
                Problem(
                    "collecte links that do not join one NRO to one PoP",
                    join_ids(collecte["link_id"].to_numpy()[bad]),
                    "a collecte link goes from an NRO (from_site) to a PoP (to_site); "
                    f"the PoPs are {', '.join(map(str, pop_index))}",
                )
            ],
            "links",
        )
    return np.where(t_pop, f, t), np.where(t_pop, t, f)


def _check_uplinks(uplinks: Sequence[str], pop_ids: np.ndarray) -> None:
    if isinstance(uplinks, str):
        uplinks = (uplinks,)
    known = list(pop_ids)
    if not uplinks and known:
        raise ParameterError(
            "uplinks: no uplink PoP given; name at least one PoP where the "
            f"network leaves for the Internet/Renater ({', '.join(known)})."
        )
    unknown = [u for u in uplinks if u not in set(known)]
    if unknown:
        hints = "; ".join(f"{u!r}: did you mean {_did_you_mean(u, known)}" for u in unknown)
        raise ParameterError(f"uplinks: not PoPs: {hints}. The PoPs are {', '.join(known)}.")


def _check_cut_ids(ids: list[str], kinds: dict[str, str], site_type: dict[str, str]) -> None:
    problems = []
    for c in ids:
        if c in kinds:
            continue
        if c in site_type:
            problems.append(f"{c!r} is a {site_type[c]} site, which outage does not cut")
        else:
            problems.append(f"{c!r} is unknown (did you mean {_did_you_mean(c, kinds)})")
    if problems:
        accepted = "; ".join(CUT_KINDS.values())
        raise ParameterError(f"cut ids: {'; '.join(problems)}. Accepted kinds of id: {accepted}.")


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.upper(), list(choices), n=3, cutoff=0.4)
    return " or ".join(repr(c) for c in close) if close else "nothing close"


def _positions(ids: np.ndarray, chosen: list[str]) -> np.ndarray:
    mask = np.zeros(len(ids), dtype=bool)
    if chosen:
        mask[pd.Index(ids).get_indexer(chosen)] = True
    return mask


def _nro_cause(net: _Net, i: int, masks: dict[str, np.ndarray], pop_ok: np.ndarray) -> str:
    if masks["nro"][i]:
        return "NRO cut"
    reasons = []
    for j in np.flatnonzero(net.co_nro == i):
        p = net.co_pop[j]
        pop = net.pop_ids[p]
        if masks["co"][j]:
            reasons.append(f"{net.co_ids[j]} cut")
        elif masks["pop"][p]:
            reasons.append(f"{pop} cut")
        elif not pop_ok[p]:
            reasons.append(f"{pop} cut off from the uplinks")
    return "; ".join(reasons)


def _pm_table(
    sites: pd.DataFrame,
    prem: pd.DataFrame,
    lost_nro: np.ndarray,
    nro_ids: np.ndarray,
    cut_pms: list[str],
    locaux: np.ndarray,
    names: dict[str, Any],
) -> pd.DataFrame:
    cols = ["site_id", "name", "nro_id", "cause", "premises", "locaux"]
    pm_nro: dict[str, str] = {}
    if "pm_id" in prem.columns:
        first = prem.loc[prem["pm_id"].notna() & prem["nro_id"].notna(), ["pm_id", "nro_id"]]
        first = first.drop_duplicates("pm_id")
        pm_nro.update(zip(first["pm_id"].astype(str), first["nro_id"].astype(str), strict=True))
    if "parent_id" in sites.columns:
        pms = sites.loc[sites["site_type"].astype(str).eq("PM") & sites["parent_id"].notna()]
        pm_nro.update(zip(pms["site_id"].astype(str), pms["parent_id"].astype(str), strict=True))
    lost_nros = set(nro_ids[lost_nro])
    down = {pm: "NRO down" for pm, nro in pm_nro.items() if nro in lost_nros}
    down.update(dict.fromkeys(cut_pms, "PM cut"))
    if not down:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in cols[:4] else np.int64) for c in cols}
        )
    ids = sorted(down)
    if "pm_id" in prem.columns:
        g = (
            pd.DataFrame({"pm_id": prem["pm_id"].to_numpy(), "locaux": locaux})
            .groupby("pm_id")
            .agg(premises=("locaux", "size"), locaux=("locaux", "sum"))
        )
        g = g.reindex(ids, fill_value=0)
    else:
        g = pd.DataFrame({"premises": 0, "locaux": 0}, index=ids)
    table = pd.DataFrame(
        {
            "site_id": ids,
            "name": [names.get(p) for p in ids],
            "nro_id": [pm_nro.get(p) for p in ids],
            "cause": [down[p] for p in ids],
            "premises": g["premises"].to_numpy(dtype=np.int64),
            "locaux": g["locaux"].to_numpy(dtype=np.int64),
        }
    )
    return table.sort_values(
        ["locaux", "site_id"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


def _log_unserved(net: _Net, base: np.ndarray, agg: _Aggregates) -> None:
    if not base.all():
        ids = net.nro_ids[~base]
        log.warning(
            "%d NRO(s) have no service even with nothing broken (%s%s): they never count as lost",
            len(ids),
            ", ".join(ids[:10]),
            "..." if len(ids) > 10 else "",
        )
    orphans = int((agg.nro_code < 0).sum())
    if orphans:
        log.warning("%d premises have no NRO (nro_id empty): they never count as lost", orphans)


# ----------------------------------------------------------------------------- input checks
def _links(df: pd.DataFrame, source: str) -> gpd.GeoDataFrame:
    from bthd.schema import validate

    links = validate(df, "links", source=source)
    other = links["link_type"].astype(str) != LINK_TYPE
    if other.any():
        raise ValidationError(
            source,
            [
                Problem(
                    f"links that are not {LINK_TYPE} (collecte/backbone): "
                    f"{', '.join(sorted(set(links.loc[other, 'link_type'].astype(str))))}",
                    join_ids(links.loc[other, "link_id"]),
                    "keep only the CO links in this layer",
                )
            ],
            "links",
        )
    missing = links["from_site"].isna() | links["to_site"].isna()
    if missing.any():
        raise ValidationError(
            source,
            [
                Problem(
                    "links without from_site or to_site",
                    join_ids(links.loc[missing, "link_id"]),
                    "give both ends of every link",
                )
            ],
            "links",
        )
    links["from_site"] = links["from_site"].astype(str)
    links["to_site"] = links["to_site"].astype(str)
    return links


def _sites_of_type(df: gpd.GeoDataFrame, site_type: str, source: str) -> gpd.GeoDataFrame:
    if not isinstance(df, gpd.GeoDataFrame):
        raise InputError(f"{source}: expected a GeoDataFrame of sites, got {type(df).__name__}.")
    if "site_type" in df.columns:
        df = df.loc[df["site_type"].astype(str).eq(site_type).to_numpy()]
    if "site_id" not in df.columns:
        raise InputError(
            f"{source}: no `site_id` column; it has {', '.join(map(str, df.columns))}."
        )
    if len(df) == 0:
        raise InputError(f"{source}: no {site_type} site (site_type {site_type!r}).")
    problems = []
    dup = df["site_id"].duplicated(keep=False)
    if dup.any():
        problems.append(
            Problem(
                "duplicated site_id values",
                join_ids(sorted(set(df.loc[dup, "site_id"]))),
                "give every site a unique id",
            )
        )
    geoms = df.geometry.to_numpy()
    not_point = shapely.is_missing(geoms) | (shapely.get_type_id(geoms) != 0)
    if not_point.any():
        problems.append(
            Problem(
                "rows without a Point geometry",
                join_ids(df.loc[not_point, "site_id"]),
                "give every site a point",
            )
        )
    if problems:
        raise ValidationError(source, problems, "sites")
    out = df.copy()
    out["site_id"] = out["site_id"].astype(str)
    return out


def _pops(df: pd.DataFrame) -> gpd.GeoDataFrame:
    from bthd.schema import validate

    pop = _sites_of_type(df, "POP", "pops")
    if "site_type" not in pop.columns:
        pop = pop.assign(site_type="POP")
    return validate(pop, "sites", source="pops")


def _premises(df: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in PREMISE_COLUMNS if c not in df.columns]
    if missing:
        fix = (
            " Attach the premises to NROs first (the design writes `nro_id`)."
            if "nro_id" in missing
            else ""
        )
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; the premises need "
            f"{', '.join(PREMISE_COLUMNS)}.{fix} It has {', '.join(map(str, df.columns))}."
        )
    problems = []
    for col in ("logements", "locaux_pro"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            problems.append(
                Problem(
                    f"`{col}` empty, negative or not a number",
                    join_ids(df.loc[bad, "premise_id"]),
                    f"give every premise a count of {col} (0 or more)",
                )
            )
    if problems:
        raise ValidationError(source, problems, "premises")
    return df


def _same_projected_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    for name, g in (("nros", a), ("pops", b)):
        if g.crs is None:
            raise CRSError(f"{name}: the layer has no CRS. Set it (e.g. .set_crs('EPSG:2154')).")
        if g.crs.is_geographic:
            raise CRSError(
                f"{name}: the CRS {g.crs.to_string()} is geographic; distances need "
                "metres. Reproject it with .to_crs('EPSG:2154')."
            )
    if a.crs != b.crs:
        raise CRSError(
            f"nros are in {a.crs.to_string()} but pops in {b.crs.to_string()}. "
            "Reproject one of them (e.g. pops.to_crs(nros.crs))."
        )


def _distance_matrix(
    m: pd.DataFrame | np.ndarray, nro_ids: pd.Series, pop_ids: pd.Series
) -> np.ndarray:
    if isinstance(m, pd.DataFrame):
        idx = m.index.astype(str)
        cols = m.columns.astype(str)
        miss_n = sorted(set(nro_ids) - set(idx))
        miss_p = sorted(set(pop_ids) - set(cols))
        if miss_n or miss_p:
            raise ParameterError(
                "road_distance_m: the matrix lacks "
                + "; ".join(
                    x
                    for x in (
                        f"NRO rows {', '.join(miss_n[:10])}" if miss_n else "",
                        f"PoP columns {', '.join(miss_p)}" if miss_p else "",
                    )
                    if x
                )
                + ". Index it by NRO site_id with one column per PoP site_id."
            )
        frame = pd.DataFrame(m.to_numpy(), index=idx, columns=cols)
        out = frame.loc[list(nro_ids), list(pop_ids)].to_numpy(dtype=float)
    else:
        out = np.asarray(m, dtype=float)
        if out.shape != (len(nro_ids), len(pop_ids)):
            raise ParameterError(
                f"road_distance_m: expected shape ({len(nro_ids)} NROs, {len(pop_ids)} PoPs), "
                f"got {out.shape}. Give one row per NRO and one column per PoP, in order."
            )
    if (out < 0).any():
        raise ParameterError("road_distance_m: negative distances. Give metres (0 or more).")
    return np.where(np.isnan(out), np.inf, out)


def _check_ends(links: pd.DataFrame, pop_ids: set[str], source: str) -> None:
    bad = ~links["from_site"].isin(pop_ids) | ~links["to_site"].isin(pop_ids)
    if bad.any():
        raise ValidationError(
            source,
            [
                Problem(
                    "backbone links whose ends are not PoPs",
                    join_ids(links.loc[bad, "link_id"]),
                    f"join two of the PoPs ({', '.join(sorted(pop_ids))}) or add the missing PoP",
                )
            ],
            "links",
        )


def _pair_keys(links: pd.DataFrame) -> pd.Series:
    a, b = links["from_site"].astype(str), links["to_site"].astype(str)
    lo = a.where(a <= b, b)
    hi = b.where(a <= b, a)
    return lo + "|" + hi


def _names(df: pd.DataFrame) -> list[Any]:
    if "name" not in df.columns:
        return [None] * len(df)
    return [None if pd.isna(v) else str(v) for v in df["name"]]


def _ids_of(sites: pd.DataFrame, site_type: str, in_premises: pd.Index) -> list[str]:
    ids = set(sites.loc[sites["site_type"].astype(str).eq(site_type), "site_id"].astype(str))
    return sorted(ids | set(in_premises.tolist()))


def _factorize(prem: pd.DataFrame, column: str) -> tuple[np.ndarray | None, pd.Index]:
    if column not in prem.columns:
        return None, pd.Index([], dtype=object)
    codes, uniques = pd.factorize(prem[column])
    return codes, pd.Index(np.asarray(uniques, dtype=object)).astype(str)


def _read_run(path: str | os.PathLike[str]) -> tuple[dict[str, pd.DataFrame], str]:
    import pyogrio

    from bthd.io import list_layers, read

    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(p, "run folder")
    gpkg = p / "layers.gpkg" if p.is_dir() else p
    if not gpkg.exists():
        raise InputNotFoundError(gpkg, "run folder's layers.gpkg")
    names = list_layers(gpkg)
    out: dict[str, pd.DataFrame] = {}
    for layer in ("sites", "backbone", "collecte"):
        if layer in names:
            out[layer] = read(gpkg, layer=layer)
    try:
        for layer in ("premises", "communes"):
            if layer not in names:
                continue
            fields = set(pyogrio.read_info(gpkg, layer=layer)["fields"])
            wanted = [c for c in (*PREMISE_COLUMNS, "pm_id", "pbo_id", "name") if c in fields]
            out[layer] = pyogrio.read_dataframe(
                gpkg, layer=layer, columns=wanted, read_geometry=False
            )
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError(
            f"{gpkg}: cannot read the {layer} layer ({exc}). "
            "Check the file (ogrinfo) or rerun the design."
        ) from exc
    return out, str(p)


def _thousands(n: int) -> str:
    return f"{int(n):,}".replace(",", " ")


__all__ = [
    "BACKBONE_LAYER",
    "CUT_KINDS",
    "DEFAULT_UPLINKS",
    "ELEMENT_TYPES",
    "LINK_TYPE",
    "PREMISE_COLUMNS",
    "ROLE_COLLECTE",
    "ROLE_EXTENSION",
    "ROLE_LOOP",
    "SECOND_PATH_SUFFIX",
    "SURVIVABILITY_COLUMNS",
    "NetworkLayers",
    "OutageReport",
    "attach_nros",
    "backbone_graph",
    "backbone_links",
    "network_layers",
    "outage",
    "survivability",
]
