"""GDAL settings for reproducible files: a fixed date in place of "now".

GDAL stamps GeoPackages (``gpkg_contents.last_change``) with the current time unless the
configuration option ``OGR_CURRENT_DATE`` is set; :func:`reproducible_gpkg_env` sets it so that
the same layers give byte-identical files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pyogrio

#: Stamp of a GeoPackage written without a date (a run's own ``layers.gpkg``): a run's date
#: is in its manifest (``created_utc``), not in its files.
DEFAULT_STAMP = "2000-01-01T00:00:00Z"


def _stamp(when: str | datetime | None) -> datetime:
    if when is None:
        when = os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_STAMP
        if when.isdigit():
            return datetime.fromtimestamp(int(when), UTC)
    if isinstance(when, datetime):
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC)


@contextlib.contextmanager
def reproducible_gpkg_env(when: str | datetime | None = None) -> Iterator[str]:
    """Make GDAL stamp GeoPackages (and DBF files) with a fixed date instead of now.

    GDAL writes the current time into ``gpkg_contents.last_change`` unless the configuration
    option ``OGR_CURRENT_DATE`` is set; inside this block it is set, so that the same layers
    give byte-identical files. The previous value is restored on exit.

    Parameters
    ----------
    when
        The date to write: a datetime, an ISO 8601 string, or None for ``SOURCE_DATE_EPOCH``
        (seconds since 1970, the reproducible-builds convention) or else 2000-01-01.

    Yields
    ------
    str
        The stamp in GeoPackage form (``YYYY-MM-DDTHH:MM:SS.000Z``).
    """
    stamp = _stamp(when).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield stamp
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
