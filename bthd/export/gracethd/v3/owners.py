"""Owners of the technical points of a v3 delivery, consistent with the paths between them.

The suite's rule metier_0014 wants a path between two points of one owner to have that
owner. A point only new paths reach is the syndicat's (a chamber the project builds), one only
reused paths reach is the civil-works owner's (an existing chamber or pole). A point both reach
(a new trench meeting reused ducts or poles) is either: the existing chamber or pole the trench
connects into, or a new chamber the project builds on the reused route. The owners of these
points are chosen so that no new path joins two existing points and no reused path joins two
new points, a 2-SAT problem solved exactly (Kosaraju's strongly connected components of the
implication graph); when it has no solution the points keep the syndicat as owner.

Not for: the rest of the network (:mod:`bthd.export.gracethd.v3.network`).
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
import pandas as pd

from bthd.export.gracethd.network import CIVIL_WORKS_OWNER, OWNER

log = logging.getLogger(__name__)


def _scc(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Strongly connected components of a graph, numbered in topological order (Kosaraju)."""
    fwd: list[list[int]] = [[] for _ in range(n)]
    back: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        fwd[u].append(v)
        back[v].append(u)
    seen = [False] * n
    order: list[int] = []
    for s in range(n):
        if seen[s]:
            continue
        seen[s] = True
        stack = [(s, 0)]
        while stack:
            u, i = stack[-1]
            if i < len(fwd[u]):
                stack[-1] = (u, i + 1)
                w = fwd[u][i]
                if not seen[w]:
                    seen[w] = True
                    stack.append((w, 0))
            else:
                stack.pop()
                order.append(u)
    comp = [-1] * n
    c = 0
    for s in reversed(order):
        if comp[s] >= 0:
            continue
        comp[s] = c
        todo = [s]
        while todo:
            u = todo.pop()
            for w in back[u]:
                if comp[w] < 0:
                    comp[w] = c
                    todo.append(w)
        c += 1
    return comp


def point_owners(ptech: pd.DataFrame, cm: pd.DataFrame) -> pd.DataFrame:
    """``ptech`` with ``pt_prop``/``pt_gest``/``pt_proptyp``/``pt_avct`` of each point chosen
    so that a path between two points of one owner has that owner.

    Parameters
    ----------
    ptech
        Technical points (``pt_nd_code``, ``pt_prop``, ``pt_gest``, ``pt_proptyp``, ``pt_avct``).
    cm
        Paths (``cm_ndcode1``, ``cm_ndcode2``, ``cm_avct``: ``C`` built by the project, else
        reused from the civil-works owner).
    """
    new = (cm["cm_avct"] == "C").to_numpy()
    n1 = cm["cm_ndcode1"].to_numpy(dtype=object)
    n2 = cm["cm_ndcode2"].to_numpy(dtype=object)
    nodes = ptech["pt_nd_code"].to_numpy(dtype=object)
    index = {n: i for i, n in enumerate(nodes)}
    kinds: dict[int, set[bool]] = defaultdict(set)
    clauses: list[tuple[int, int, bool]] = []  # (point, point, path is new)
    for n_a, n_b, is_new in zip(n1, n2, new, strict=True):
        ia, ib = index.get(n_a), index.get(n_b)
        if ia is not None:
            kinds[ia].add(bool(is_new))
        if ib is not None:
            kinds[ib].add(bool(is_new))
        if ia is not None and ib is not None:
            clauses.append((ia, ib, bool(is_new)))
    # a point only new paths reach is the syndicat's, one only reused paths reach is not; a
    # path from such a point to another holds whatever the other's owner: only the points both
    # reach (mixed) are chosen, from the paths between two of them.
    ours = np.array([kinds.get(i, {True}) != {False} for i in range(len(nodes))], dtype=bool)
    mixed = sorted(i for i, k in kinds.items() if k == {True, False})
    var = {p: j for j, p in enumerate(mixed)}
    # literal 2j: mixed point j is the syndicat's; 2j + 1: it is the civil-works owner's
    edges: list[tuple[int, int]] = []
    for a, b, built in clauses:
        x, y = var.get(a), var.get(b)
        if x is None or y is None:
            continue
        if built:  # not both the civil-works owner's
            edges += [(2 * x + 1, 2 * y), (2 * y + 1, 2 * x)]
        else:  # not both the syndicat's
            edges += [(2 * x, 2 * y + 1), (2 * y, 2 * x + 1)]
    comp = _scc(2 * len(mixed), edges)
    clash = 0
    for j, p in enumerate(mixed):
        if comp[2 * j] == comp[2 * j + 1]:
            clash += 1
            ours[p] = True
        else:
            ours[p] = comp[2 * j] > comp[2 * j + 1]
    if clash:
        log.warning("%d points whose owner no choice makes consistent with their paths", clash)
    out = ptech.copy()
    out.loc[ours, ["pt_prop", "pt_gest", "pt_proptyp", "pt_avct"]] = [OWNER, OWNER, "CST", "C"]
    theirs = ~ours
    out.loc[theirs, ["pt_prop", "pt_gest", "pt_proptyp", "pt_avct"]] = [
        CIVIL_WORKS_OWNER,
        CIVIL_WORKS_OWNER,
        "OCC",
        "E",
    ]
    return out
