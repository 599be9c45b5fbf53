"""Settings of :mod:`bthd.imagery`, each with its default and where it comes from.

Confidence follows ``docs/DOMAIN.md``: **H** published figure, **M** a range from the trade,
**L** an assumption to calibrate on the ground.

Not for: the orthophoto campaigns (data, see :mod:`bthd.imagery.campaigns`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VegetationSettings(_Frozen):
    """How vegetation along an aerial route is measured and priced.

    The corridor is sampled on stations every ``step_m`` along the section and, at each station,
    across the corridor every ``step_m``; a station is *vegetated* when at least
    ``min_cover`` of its cross-section is above the threshold of the index in use. Runs of
    vegetated stations shorter than ``min_run_m`` are ignored, gaps shorter than ``max_gap_m``
    inside a run are bridged.
    """

    corridor_half_width_m: float = Field(
        2.0,
        gt=0,
        description="corridor each side of the cable axis (clearance asked around a cable "
        "on poles; assumption, confidence L)",
    )
    step_m: float = Field(
        0.5, gt=0, description="spacing of the samples along and across the corridor (metres)"
    )
    ndvi_threshold: float = Field(
        0.5,
        ge=-1,
        le=1,
        description="NDVI = (NIR - R) / (NIR + R) above which a pixel is woody vegetation; "
        "computed on the tiles' digital numbers, tree crowns ≈ 0.6-0.8, grass ≈ 0.3-0.5, bare "
        "soil and roads < 0.2 (assumption, confidence L: calibrate on the campaign)",
    )
    exg_threshold: float = Field(
        0.15,
        ge=-1,
        le=2,
        description="Excess Green ExG = 2g - r - b on chromatic coordinates (Woebbecke et al. "
        "1995), used when only RGB tiles exist; it does not separate trees from grass as well "
        "as NDVI (assumption, confidence L)",
    )
    min_cover: float = Field(
        0.25, gt=0, le=1, description="share of a cross-section above the threshold"
    )
    min_run_m: float = Field(3.0, ge=0, description="shortest run of vegetation counted (m)")
    max_gap_m: float = Field(1.0, ge=0, description="gaps bridged inside a run (m)")
    pruning_eur_per_m: float = Field(
        8.0,
        ge=0,
        description="pruning (élagage) along an aerial route, € HT per metre of route; no "
        "published BTHD figure was found: an assumption (confidence L) set at about a third of "
        "the aerial cable cost (15-30 €/ml, DOMAIN.md section 6, confidence M)",
    )
    pruning_cost_source: str = Field(
        "assumption (confidence L): no published BTHD pruning cost; about a third of the aerial "
        "cable cost 15-30 €/ml (DOMAIN.md section 6)",
        description="where pruning_eur_per_m comes from, copied into the outputs",
    )
    chunk_m: float = Field(
        40.0,
        gt=0,
        description="sections are read in pieces this long (small boxes: few pixels read "
        "besides the corridor, even on diagonal sections)",
    )


class SynthImagerySettings(_Frozen):
    """Parameters of the synthetic orthophoto generator."""

    resolution_m: float = Field(0.5, gt=0, description="pixel size (IGN BD ORTHO: 0.2)")
    tile_size_m: float = Field(1000.0, gt=0, description="tile side (IGN BD ORTHO: 1 km)")
    tree_line_share: float = Field(
        0.3, ge=0, le=1, description="share of road edges lined with trees on one side"
    )
    tree_offset_m: float = Field(
        3.0, description="distance of the crowns' centres from the road axis"
    )
    crown_radius_m: tuple[float, float] = Field((2.5, 4.0), description="range of crown radii (m)")
    crown_spacing_m: float = Field(4.0, gt=0, description="spacing of trees along a line")
    hedge_share: float = Field(0.5, ge=0, le=1, description="share of field borders hedged")
    field_size_m: float = Field(150.0, gt=0, description="typical field side (bocage)")
    year: int = Field(2021, description="acquisition year written in the tags")


VEGETATION = VegetationSettings()
SYNTH_IMAGERY = SynthImagerySettings()
