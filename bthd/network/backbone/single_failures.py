"""What every single failure of the backbone, a PoP, a collecte link or an NRO cuts off."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from bthd.network.backbone._checks import check_links, check_pops, check_premises
from bthd.network.backbone._service import FAIL_ARG, aggregate, build_net, log_unserved
from bthd.network.backbone.constants import DEFAULT_UPLINKS, SURVIVABILITY_COLUMNS
from bthd.network.backbone.graph import backbone_links


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
    pop = check_pops(pops)
    links = backbone_links(backbone, extra_links=extra_links, secured_extension=secured_extension)
    prem = check_premises(premises, "premises")
    net = build_net(pop, links, check_links(collecte, "collecte"), prem["nro_id"], uplinks)
    agg = aggregate(prem, net.nro_ids)
    base_ok = net.pop_ok()
    base = net.served(pop_ok=base_ok)
    log_unserved(net, base, agg)
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
            served = net.served(**{FAIL_ARG[kind]: np.array([i])}, pop_ok=ok)
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
