"""Colours, classes, number formats and credits shared by the web and the static maps.

One place so that the interactive page and the printed map read the same way: a commune in the
same coverage class has the same colour on both, a cable of the same size the same stroke.

Not for: figures (they come from the run folder, see :mod:`bthd.maps.content`).
"""

from __future__ import annotations

import math

import numpy as np

#: Upper bounds (shares, inclusive) of the FTTH coverage classes of a commune, and their labels.
COVERAGE_BOUNDS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 0.9999, 1.0)
COVERAGE_LABELS: tuple[str, ...] = (
    "0 %",
    "0–25 %",
    "25–50 %",
    "50–75 %",
    "75–<100 %",
    "100 %",
)
#: Colours of the coverage classes (ColorBrewer YlGnBu, 6 classes), then "not modelled".
COVERAGE_COLOURS: tuple[str, ...] = (
    "#ffffcc",
    "#c7e9b4",
    "#7fcdbb",
    "#41b6c4",
    "#2c7fb8",
    "#253494",
)
NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "no premises modelled (outside the RIP area)"

#: Cable size classes (fibres, inclusive upper bounds), their labels, colours and line widths.
CABLE_BOUNDS: tuple[int, ...] = (24, 72, 144, 288, 10**9)
CABLE_LABELS: tuple[str, ...] = ("6–24 fo", "36–72 fo", "96–144 fo", "288 fo", "432–720 fo")
CABLE_COLOURS: tuple[str, ...] = ("#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#54278f")
CABLE_WEIGHTS: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0, 4.0)

#: Point symbols: colour and radius (pixels on the web map).
SITE_STYLE: dict[str, tuple[str, float]] = {
    "POP": ("#000000", 9.0),
    "NRO": ("#d7191c", 7.0),
    "PM": ("#2b83ba", 4.5),
    "PBO": ("#7b3294", 2.5),
    "MED": ("#ff7f00", 6.0),
}
BACKBONE_COLOURS: dict[str, str] = {
    "loop": "#000000",
    "extension": "#444444",
    "collecte": "#d7191c",
}

#: Colours of the technology of a premise in the map's year.
TECH_COLOURS: dict[str, str] = {
    "ftth": "#253494",
    "copper_med": "#ff7f00",
    "copper": "#e7298a",
    "none": "#636363",
}

#: A qualitative palette for zones coloured by NRO (ColorBrewer Set3, 12 colours).
QUALITATIVE: tuple[str, ...] = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#d9d9d9",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
)
#: A sequential palette for zones coloured by year or phase (ColorBrewer Purples, 9 classes).
SEQUENTIAL: tuple[str, ...] = (
    "#fcfbfd",
    "#efedf5",
    "#dadaeb",
    "#bcbddc",
    "#9e9ac8",
    "#807dba",
    "#6a51a3",
    "#54278f",
    "#3f007d",
)

#: Credits of the base maps (web map only).
OSM_CREDIT = "© OpenStreetMap contributors (ODbL)"
IGN_CREDIT = "© IGN – Géoplateforme, BD ORTHO® orthophotos (Licence Ouverte Etalab 2.0)"
#: Credits of the data drawn, used when the run's manifest has none.
DEFAULT_DATA_CREDITS = (
    "IGN ADMIN EXPRESS and INSEE COG via Etalab (Licence Ouverte 2.0); "
    "Arcep – Observatoire HD/THD, T1 2018 (Licence Ouverte 2.0)"
)


def coverage_class(share: np.ndarray) -> np.ndarray:
    """Index of the coverage class of each share (-1 for NaN: no premises modelled)."""
    s = np.asarray(share, dtype=float)
    idx = np.searchsorted(np.asarray(COVERAGE_BOUNDS), s, side="left")
    idx = np.minimum(idx, len(COVERAGE_BOUNDS) - 1)
    return np.where(np.isnan(s), -1, idx)


def coverage_colour(share: np.ndarray) -> list[str]:
    """Fill colour of each share's coverage class."""
    return [NO_DATA_COLOUR if k < 0 else COVERAGE_COLOURS[k] for k in coverage_class(share)]


def cable_class(size: np.ndarray) -> np.ndarray:
    """Index of the cable size class of each cable size (fibres)."""
    return np.searchsorted(np.asarray(CABLE_BOUNDS), np.asarray(size, dtype=float), side="left")


def sequential_colours(values: list[int]) -> dict[int, str]:
    """A colour per sorted distinct value (years, phases), spread over :data:`SEQUENTIAL`."""
    vals = sorted(set(values))
    n = len(vals)
    lo = 2  # the lightest colours hardly show over a base map
    if n == 1:
        return {vals[0]: SEQUENTIAL[-2]}
    span = len(SEQUENTIAL) - 1 - lo
    return {v: SEQUENTIAL[lo + round(i * span / (n - 1))] for i, v in enumerate(vals)}


def fr_int(x: float) -> str:
    """An integer in French format: ``1 234 567`` (narrow no-break space between thousands)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round(x):,}".replace(",", "\u202f")


def fr_float(x: float, digits: int = 1) -> str:
    """A decimal number in French format: ``1 234,5``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{digits}f}"
    return s.replace(",", "\u202f").replace(".", ",")


def fr_pct(share: float, digits: int = 1) -> str:
    """A share as a French percentage: ``12,5 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{fr_float(100.0 * share, digits)}\u00a0%"
