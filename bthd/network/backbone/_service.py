"""The service model as index arrays: which NROs keep service under given failures.

Shared by :func:`~bthd.network.backbone.survivability` (every single failure) and
:func:`~bthd.network.backbone.outage` (one cut of several elements).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from bthd._errors import Problem, ValidationError, join_ids
from bthd.network.backbone._checks import check_ends, check_uplinks, collecte_ends

log = logging.getLogger(__name__)


FAIL_ARG = {
    "backbone_link": "bb_down",
    "pop": "pop_down",
    "collecte_link": "co_down",
    "nro": "nro_down",
}


@dataclass(frozen=True)
class Net:
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
        """A boolean mask of length ``n`` from an index array or a mask (None: all False)."""
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
class Aggregates:
    """Premises summed per NRO once, so that a failure costs a few vector products."""

    nro_code: np.ndarray  # per premise: position of its NRO, -1 if none
    premise_locaux: np.ndarray  # per premise: logements + locaux_pro
    premises: np.ndarray  # per NRO
    locaux: np.ndarray  # per NRO
    communes: np.ndarray  # sorted INSEE codes
    nro_commune: sparse.csr_matrix  # NRO × commune: premises
    locaux_total: int


def aggregate(prem: pd.DataFrame, nro_ids: np.ndarray) -> Aggregates:
    """Sum the premises per NRO (and per NRO and commune) once."""
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
    return Aggregates(
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


def build_net(
    pop: gpd.GeoDataFrame,
    links: pd.DataFrame,
    collecte: pd.DataFrame,
    premise_nros: pd.Series | None,
    uplinks: Sequence[str] | None,
) -> Net:
    """Index the PoPs, backbone links, collecte links and NROs (ids checked for clashes)."""
    pop_ids = np.sort(pop["site_id"].to_numpy(dtype=object))
    pop_index = pd.Index(pop_ids)
    check_ends(links, set(pop_ids), "backbone")
    order = np.argsort(links["link_id"].to_numpy(dtype=object), kind="stable")
    bb = links.iloc[order]
    co_nro_id, co_pop_id = collecte_ends(collecte, pop_index)
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
        check_uplinks(uplinks, pop_ids)
    return Net(
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


def log_unserved(net: Net, base: np.ndarray, agg: Aggregates) -> None:
    """Warn about NROs without service at rest and premises without an NRO."""
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
