"""Graph plumbing shared by the network modules: CSR matrices, predecessor paths, position keys.

Every module of :mod:`bthd.network` that runs compiled graph routines
(``scipy.sparse.csgraph``) on edge arrays needs the same few pieces, written once here:

* :func:`undirected_csr`: the symmetric sparse matrix of an undirected edge list (parallel
  edges keep the lightest), with the lookup from a node pair back to its edge;
* :func:`trace_paths`: the edges of the predecessor paths (of a Dijkstra or BFS) from given
  nodes back to their roots, per start or merged;
* :func:`pointer_jump`: follow pointers (a parent array) to the first stop node, summing
  weights on the way, in a logarithmic number of vectorised rounds;
* :func:`position_key`: one integer per position rounded to 1 cm, to find nodes at the same
  place.

Not for: the road network itself (:mod:`bthd.network.roads`) or Steiner trees
(:mod:`bthd.network.steiner`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = [
    "UndirectedCSR",
    "pointer_jump",
    "position_key",
    "trace_paths",
    "undirected_csr",
]

#: Weight given to zero-weight edges so that the sparse matrix keeps them (csgraph reads an
#: explicit zero as "no edge").
MIN_WEIGHT = 1e-6

#: Multiplier of the x key in :func:`position_key` (cm): room for y up to 10^10 cm = 10^8 m.
_KEY_STRIDE = 10_000_000_000

#: Rounds of :func:`pointer_jump` before a cycle is assumed (2^64 nodes deep otherwise).
_MAX_JUMPS = 64


class UndirectedCSR:
    """A symmetric CSR matrix of an undirected graph and the lookup of its edges.

    Attributes
    ----------
    matrix
        ``n × n`` CSR matrix holding each kept edge's weight in both directions.
    n
        Number of nodes.
    """

    def __init__(
        self,
        matrix: sparse.csr_matrix,
        n: int,
        u: np.ndarray,
        v: np.ndarray,
        edge: np.ndarray | None = None,
    ) -> None:
        self.matrix = matrix
        self.n = n
        self._u = u
        self._v = v
        self._edge = edge
        self._keys: np.ndarray | None = None

    def _lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted keys ``min(u, v) * n + max(u, v)`` of the kept edges and their edge index,
        built on first use (many callers only want the matrix)."""
        if self._keys is None:
            key = np.minimum(self._u, self._v).astype(np.int64) * self.n + np.maximum(
                self._u, self._v
            )
            if self._edge is None:  # edges as given: sort their keys
                self._edge = np.argsort(key)
                self._keys = key[self._edge]
            else:  # kept edges, already in key order
                self._keys = key
        assert self._edge is not None
        return self._keys, self._edge

    @property
    def keys(self) -> np.ndarray:
        """Sorted keys ``min(u, v) * n + max(u, v)`` of the kept edges."""
        return self._lookup()[0]

    @property
    def edge(self) -> np.ndarray:
        """Index, in the edge arrays given, of the edge of each of :attr:`keys`."""
        return self._lookup()[1]

    def edge_ids(self, a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
        """Edge index of each node pair ``(a, b)`` (either order); the pairs must be edges."""
        keys, edge = self._lookup()
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        return edge[np.searchsorted(keys, np.minimum(a, b) * self.n + np.maximum(a, b))]


def undirected_csr(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    *,
    parallel: Literal["min", "none"] = "min",
    min_weight: float | None = MIN_WEIGHT,
) -> UndirectedCSR:
    """The symmetric CSR matrix of the undirected edges ``u–v`` weighted by ``w``.

    Parameters
    ----------
    n
        Number of nodes (0 .. n-1).
    u, v, w
        Edge ends and weights.
    parallel
        ``"min"``: parallel edges keep the lightest (ties: the first given; scipy would sum
        them); ``"none"``: the caller guarantees there is no parallel edge (faster).
    min_weight
        Weights below this are raised to it, so that zero-weight edges stay in the matrix;
        None leaves the weights as given.

    Returns
    -------
    UndirectedCSR
        The matrix and the lookup from node pairs to edge indices.
    """
    u = np.asarray(u)
    v = np.asarray(v)
    w = np.asarray(w)
    eid = None
    if parallel == "min":
        a = np.minimum(u, v)
        b = np.maximum(u, v)
        # lexsort is stable: among parallel edges of equal weight the first given wins
        order = np.lexsort((w, b, a))
        a, b, w = a[order], b[order], w[order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])] if len(a) else np.empty(0, bool)
        u, v, w, eid = a[first], b[first], w[first], order[first]
    if min_weight is not None:
        w = np.maximum(w, min_weight)
    m = sparse.coo_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n)).tocsr()
    return UndirectedCSR(m, n, u, v, eid)


def trace_paths(
    pred: np.ndarray, starts: npt.ArrayLike, *, merge: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps of the predecessor paths from ``starts`` back to their roots.

    A root is a node whose predecessor is negative (scipy's -9999: the source of a search, or a
    node it did not reach); a start that is a root has no step.

    Parameters
    ----------
    pred
        Predecessor of every node (``scipy.sparse.csgraph`` ``return_predecessors=True``).
    starts
        Nodes to trace from.
    merge
        False: every start's whole path (paths that join repeat their common part), in rounds
        (every start's first step, then every second step...). True: each node's step once
        (a path stops where it meets one already traced), for the union of the paths.

    Returns
    -------
    start, parent, child
        Per step: the position in ``starts`` of the start whose path it is (-1 with ``merge``:
        a step may lie on the paths of several starts), and the edge as (predecessor, node).
    """
    starts = np.asarray(starts, dtype=np.int64)
    if merge:
        return _merged_paths(pred, starts)
    cur = starts.copy()
    pos = np.arange(len(starts))
    active = pred[cur] >= 0
    out_s, out_p, out_c = [], [], []
    while active.any():
        c = cur[active]
        p = pred[c]
        out_s.append(pos[active])
        out_p.append(p)
        out_c.append(c)
        cur[active] = p
        active &= pred[cur] >= 0
    if not out_s:
        e = np.empty(0, np.int64)
        return e, e.copy(), e.copy()
    return np.concatenate(out_s), np.concatenate(out_p), np.concatenate(out_c)


def _merged_paths(
    pred: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`trace_paths` with ``merge``: each node's step once, walking all paths at once."""
    n = len(pred)
    marked = np.zeros(n, bool)
    stamp = np.full(n, -1, np.int64)
    frontier = _distinct(starts, stamp)
    out_p, out_c = [], []
    while frontier.size:
        marked[frontier] = True
        p = pred[frontier]
        ok = p >= 0
        p = p[ok]
        out_p.append(p)
        out_c.append(frontier[ok])
        p = _distinct(p, stamp)
        frontier = p[~marked[p]]
    if not out_c:
        e = np.empty(0, np.int64)
        return e, e.copy(), e.copy()
    child = np.concatenate(out_c)
    return np.full(len(child), -1, np.int64), np.concatenate(out_p), child


def _distinct(x: np.ndarray, stamp: np.ndarray) -> np.ndarray:
    """The distinct values of ``x`` (non-negative ints below ``len(stamp)``) without sorting;
    ``stamp`` is scratch space."""
    pos = np.arange(len(x))
    stamp[x] = pos
    return x[stamp[x] == pos]


def pointer_jump(
    nxt: np.ndarray, stop: np.ndarray, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Follow ``nxt`` from every node until a node whose ``stop`` is set (list ranking).

    Parameters
    ----------
    nxt
        Next node of every node (a parent array, say).
    stop
        Nodes where the walk ends; a node with ``stop`` set keeps its own ``nxt``.
    weight
        Weight of every node, summed along the walk (default zeros).

    Returns
    -------
    end, total
        Per node: ``nxt`` of the stop node its walk reaches (the stop node itself when it
        points to itself), and the sum of ``weight`` over the nodes it left (itself
        included, the stop node's weight included when the walk passed it).

    Raises
    ------
    ValueError
        When the pointers hold a cycle without a stop node.
    """
    J = nxt.copy()
    A = np.zeros(len(nxt)) if weight is None else weight.copy()
    stop = stop.copy()
    for _ in range(_MAX_JUMPS):
        if stop.all():
            return J, A
        ns = np.flatnonzero(~stop)
        j = J[ns]
        A[ns] = A[ns] + A[j]
        new_stop = stop[j]
        J[ns] = J[j]
        stop[ns] = new_stop
    if stop.all():
        return J, A
    raise ValueError(
        f"pointer_jump: {int((~stop).sum())} nodes never reach a stop node (a cycle in the "
        "pointers)"
    )


def position_key(x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """One integer per position rounded to 1 cm (equal keys: the same place to the centimetre).

    Valid for projected coordinates in metres below 10^8 m, such as Lambert-93.
    """
    xi = np.round(np.asarray(x) * 100).astype(np.int64)
    yi = np.round(np.asarray(y) * 100).astype(np.int64)
    return xi * _KEY_STRIDE + yi
