"""Read Steiner tree instances in the PACE 2018 ``.gr`` format (plain or gzip).

The format (also close to SteinLib's ``.stp``)::

    SECTION Graph
    Nodes N
    Edges M
    E u v w          undirected edge, weight w >= 0; nodes numbered 1..N
    ...
    END
    SECTION Terminals
    Terminals T
    T v
    ...
    END
    EOF

Other sections (``Comment``, ``Tree Decomposition``, ``Coordinates``...) are skipped. Nodes are
returned 0-based. Every error names the file, the line and the fix.
"""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bthd._errors import InputError, InputNotFoundError

log = logging.getLogger(__name__)

__all__ = ["PaceInstance", "read_pace"]


class PaceInstance(NamedTuple):
    """A Steiner tree instance: ``n_nodes, u, v, w, terminals = read_pace(path)``.

    Attributes
    ----------
    n_nodes
        Number of nodes; nodes are ``0 .. n_nodes - 1``.
    u, v
        End nodes of each undirected edge (``int64``, 0-based).
    w
        Edge weights (``float64``, non-negative).
    terminals
        Terminal nodes (``int64``, 0-based, sorted, without duplicates).
    """

    n_nodes: int
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    terminals: np.ndarray


def read_pace(path: str | os.PathLike[str]) -> PaceInstance:
    """Read a PACE 2018 ``.gr`` (or ``.gr.gz``) Steiner tree instance.

    Parameters
    ----------
    path
        The file; gzip-compressed files are recognised by their content, whatever their name.

    Returns
    -------
    PaceInstance
        ``(n_nodes, u, v, w, terminals)`` with 0-based node numbers.

    Raises
    ------
    InputNotFoundError
        The file does not exist.
    InputError
        The file is not a valid instance; the message names the file and the line.
    """
    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(p, "PACE instance")
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{p}: a damaged gzip file ({exc}). Download it again.") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not a text file ({exc}). Is it a PACE .gr file?") from exc
    return _parse(text.splitlines(), str(p))


def _parse(lines: list[str], src: str) -> PaceInstance:
    sections: dict[str, tuple[int, int]] = {}  # name -> (first body line, END line), 0-based
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].strip()
        if not s or s.startswith(("#", "c ")):
            i += 1
            continue
        key = s.split(maxsplit=1)
        if key[0].upper() == "EOF":
            break
        if key[0].upper() != "SECTION" or len(key) < 2:
            if "graph" not in sections and i == 0:
                i += 1  # a SteinLib header line ("33D32945 STP File, ...")
                continue
            raise InputError(
                f"{src}, line {i + 1}: expected 'SECTION <name>' or 'EOF', found {s[:60]!r}. "
                "Check the file against the PACE 2018 format."
            )
        name = key[1].strip().lower()
        j = i + 1
        while j < n and lines[j].strip().upper() != "END":
            if lines[j].lstrip().upper().startswith("SECTION"):
                break
            j += 1
        if j >= n or lines[j].strip().upper() != "END":
            raise InputError(
                f"{src}, line {i + 1}: section {key[1].strip()!r} has no END line. "
                "The file is probably truncated; download it again."
            )
        if name in sections:
            raise InputError(f"{src}, line {i + 1}: a second section {key[1].strip()!r}.")
        sections[name] = (i + 1, j)
        i = j + 1
    for need in ("graph", "terminals"):
        if need not in sections:
            raise InputError(
                f"{src}: no 'SECTION {need.title()}'. A PACE instance needs a Graph and a "
                "Terminals section."
            )

    g0, g1 = sections["graph"]
    header, e_lines, e_first = _split_records(lines, g0, g1, "E", src)
    n_nodes = _count(header, "nodes", src, g0)
    n_edges = _count(header, "edges", src, g0)
    cols = _numbers(lines, e_lines, e_first, 3, src, "E u v w")
    if len(e_lines) != n_edges:
        raise InputError(
            f"{src}, line {g0}: the Graph section declares {n_edges} edges but lists "
            f"{len(e_lines)}. Fix the 'Edges' line or the edge list."
        )
    u = cols[:, 0]
    v = cols[:, 1]
    w = cols[:, 2]
    _check_ids(lines, e_lines, e_first, u, n_nodes, src, "edge end")
    _check_ids(lines, e_lines, e_first, v, n_nodes, src, "edge end")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{src}, line {e_first[k] + 1}: edge weight {lines[e_first[k]].split()[3]!r} is "
            "negative or not a number. Weights must be >= 0."
        )

    t0, t1 = sections["terminals"]
    theader, t_lines, t_first = _split_records(lines, t0, t1, "T", src)
    n_terms = _count(theader, "terminals", src, t0)
    tcols = _numbers(lines, t_lines, t_first, 1, src, "T v")
    if len(t_lines) != n_terms:
        raise InputError(
            f"{src}, line {t0}: the Terminals section declares {n_terms} terminals but lists "
            f"{len(t_lines)}. Fix the 'Terminals' line or the list."
        )
    t = tcols[:, 0]
    _check_ids(lines, t_lines, t_first, t, n_nodes, src, "terminal")
    terminals = np.unique(t.astype(np.int64)) - 1
    if len(terminals) < len(t):
        log.debug("%s: %d duplicated terminals ignored", src, len(t) - len(terminals))
    return PaceInstance(
        n_nodes=n_nodes,
        u=u.astype(np.int64) - 1,
        v=v.astype(np.int64) - 1,
        w=w.astype(np.float64),
        terminals=terminals,
    )


def _split_records(
    lines: list[str], start: int, stop: int, tag: str, src: str
) -> tuple[dict[str, tuple[str, int]], list[str], np.ndarray]:
    """Header keys (``Nodes 12``) and the record lines starting with ``tag`` of one section."""
    header: dict[str, tuple[str, int]] = {}
    records: list[str] = []
    where: list[int] = []
    prefix = tag + " "
    for k in range(start, stop):
        s = lines[k].strip()
        if not s:
            continue
        if s.startswith(prefix) or s.startswith(tag + "\t"):
            records.append(s[2:])
            where.append(k)
            continue
        parts = s.split()
        if len(parts) == 2 and not records:
            header[parts[0].lower()] = (parts[1], k)
            continue
        raise InputError(
            f"{src}, line {k + 1}: expected '{tag} ...', found {s[:60]!r}. "
            "Check the file against the PACE 2018 format."
        )
    return header, records, np.asarray(where, dtype=np.int64)


def _count(header: dict[str, tuple[str, int]], key: str, src: str, line: int) -> int:
    if key not in header:
        raise InputError(
            f"{src}, line {line}: the section has no '{key.title()} <count>' line. Add it."
        )
    text, k = header[key]
    try:
        value = int(text)
    except ValueError:
        raise InputError(
            f"{src}, line {k + 1}: '{key.title()} {text}' is not a whole number."
        ) from None
    if value < 0:
        raise InputError(f"{src}, line {k + 1}: '{key.title()} {text}' is negative.")
    return value


def _numbers(
    lines: list[str], records: list[str], where: np.ndarray, ncol: int, src: str, form: str
) -> np.ndarray:
    """The records as an ``(n, ncol)`` float array; the first bad line is reported."""
    if not records:
        return np.empty((0, ncol), dtype=np.float64)
    tokens = " ".join(records).split()
    if len(tokens) == ncol * len(records):
        try:
            arr = np.array(tokens, dtype=np.float64).reshape(-1, ncol)
        except ValueError:
            arr = None
        if arr is not None:
            ids = arr[:, : min(ncol, 2) if ncol > 1 else 1]
            if np.all(ids == np.floor(ids)):
                return arr
    for rec, k in zip(records, where, strict=True):  # find the culprit
        parts = rec.split()
        ok = len(parts) == ncol
        if ok:
            try:
                vals = [float(x) for x in parts]
                ok = all(float(x).is_integer() for x in vals[: min(ncol, 2)])
            except ValueError:
                ok = False
        if not ok:
            raise InputError(
                f"{src}, line {k + 1}: expected '{form}' with numbers, found "
                f"{lines[k].strip()[:60]!r}."
            )
    raise InputError(f"{src}: unreadable numbers in a '{form}' list.")  # pragma: no cover


def _check_ids(
    lines: list[str],
    records: list[str],
    where: np.ndarray,
    ids: np.ndarray,
    n_nodes: int,
    src: str,
    what: str,
) -> None:
    bad = (ids < 1) | (ids > n_nodes)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{src}, line {where[k] + 1}: {what} {int(ids[k])} is out of range 1..{n_nodes} "
            f"({int(bad.sum())} such line{'s' if bad.sum() > 1 else ''}). Fix the node "
            "numbers or the 'Nodes' count."
        )
