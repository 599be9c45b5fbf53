"""The embedded Brittany data: real communes, EPCI, départements and backbone, with credits.

The layers come from ``data/bretagne/bretagne.gpkg`` (built by
``scripts/build_bretagne_data.py``; sources and licences in ``data/README.md``). In an installed
wheel they live in ``bthd/_data/bretagne``; in a source checkout in ``data/bretagne``.

Not for: synthetic layers (premises, roads, copper plant), which :mod:`bthd.synth` generates.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import geopandas as gpd

from bthd._errors import InputNotFoundError

#: Credits to print in every output that uses the embedded data.
CREDITS = (
    "IGN – ADMIN EXPRESS COG 2018 (via gregoiredavid/france-geojson), INSEE COG 2026 "
    "(via @etalab/decoupage-administratif 6.0.0), Licence Ouverte 2.0; "
    "Arcep – Observatoire HD/THD, T1 2018, Licence Ouverte 2.0; "
    "backbone: Mégalis Bretagne press release of 20/02/2007"
)

GPKG_NAME = "bretagne.gpkg"
LAYER_NAMES = ("communes", "epci", "departements", "pops", "backbone")


def embedded_dir() -> Path:
    """Folder of the embedded Brittany data (installed package first, then the checkout)."""
    packaged = Path(str(resources.files("bthd"))) / "_data" / "bretagne"
    if (packaged / GPKG_NAME).exists():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / "data" / "bretagne"
    if (checkout / GPKG_NAME).exists():
        return checkout
    raise InputNotFoundError(
        checkout / GPKG_NAME,
        "embedded Brittany data (reinstall bthd, or run scripts/build_bretagne_data.py)",
    )


def embedded_gpkg() -> Path:
    """Path of the embedded GeoPackage."""
    return embedded_dir() / GPKG_NAME


@functools.lru_cache(maxsize=8)
def _load(layer: str) -> gpd.GeoDataFrame:
    import pyogrio

    return pyogrio.read_dataframe(embedded_gpkg(), layer=layer)


def load(layer: str) -> gpd.GeoDataFrame:
    """One embedded layer (a fresh copy: callers may modify it)."""
    if layer not in LAYER_NAMES:
        raise ValueError(f"unknown embedded layer {layer!r}; use one of {', '.join(LAYER_NAMES)}")
    return _load(layer).copy()


def load_communes() -> gpd.GeoDataFrame:
    """The 1,202 communes (COG 2026) with population, Arcep 2018 locaux and zone type."""
    return load("communes")


def load_epci() -> gpd.GeoDataFrame:
    """The 61 EPCI à fiscalité propre (2026), Breton part."""
    return load("epci")


def load_departements() -> gpd.GeoDataFrame:
    """The 4 Breton départements."""
    return load("departements")


def load_pops() -> gpd.GeoDataFrame:
    """The 8 points of presence of the regional backbone."""
    return load("pops")


def load_backbone() -> gpd.GeoDataFrame:
    """The backbone links (2 Gb/s loop and the Rennes–Saint-Malo extension)."""
    return load("backbone")
