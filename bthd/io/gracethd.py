"""Read a GraceTHD delivery (v2.0.1 or v3.0.1) into bthd's layers.

A contractor's as-built delivery, or bthd's own export, becomes the layers ``premises``,
``sites``, ``links`` and ``zones`` (validated against :mod:`bthd.schema`), so that it can be
checked and compared with a plan. The version is told from the tables present.

Example
-------
>>> from bthd.io.gracethd import read_delivery, check_delivery   # doctest: +SKIP
>>> report = check_delivery("livrable/gracethd-v3.0.1")            # doctest: +SKIP
>>> layers = read_delivery("livrable/gracethd-v3.0.1")             # doctest: +SKIP

The readers and checkers live with the writers in :mod:`bthd.export.gracethd`; this module is
the reading entry point, imported lazily so that :mod:`bthd.io` does not load the exporters.
"""

from __future__ import annotations

import os
from typing import Any


def detect_version(folder: str | os.PathLike[str]) -> str:
    """``"2.0.1"`` or ``"3.0.1"`` (see :func:`bthd.export.gracethd.deliveries.detect_version`)."""
    from bthd.export.gracethd.deliveries import detect_version as detect

    return detect(folder)


def read_delivery(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The layers of a delivery of either version (premises, sites, links, zones)."""
    from bthd.export.gracethd.deliveries import read_delivery_any

    return read_delivery_any(folder)


def check_delivery(folder: str | os.PathLike[str], container: str = "C2") -> Any:
    """Check a delivery of either version; see :mod:`bthd.export.gracethd.deliveries`."""
    from bthd.export.gracethd.deliveries import check_delivery_any

    return check_delivery_any(folder, container=container)


__all__ = ["check_delivery", "detect_version", "read_delivery"]
