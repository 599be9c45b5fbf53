"""Typed settings: the domain constants of bthd, each a parameter with its source.

Every number that a rule of the trade or a published figure gives lives here, with its default
and where it comes from (see ``docs/DOMAIN.md`` of the project). Functions take the settings they
need as keyword arguments whose defaults come from these objects, so a planner can change any of
them in a scenario without touching code.

Not for: layer columns (see :mod:`bthd.schema`) or file paths (see :mod:`bthd.data`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Working CRS of every metric computation: RGF93 v1 / Lambert-93.
WORK_CRS = "EPSG:2154"
#: EPSG code of :data:`WORK_CRS`.
WORK_EPSG = 2154

#: Default seed of every synthetic generator.
DEFAULT_SEED = 2154

#: Default EPCI of ``bthd demo``: CA Lamballe Terre et Mer (22), home of a BTHD tranche-1 town.
DEFAULT_DEMO_EPCI = "200069391"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArcepRules(_Frozen):
    """ARCEP architecture rules outside the very dense zones (décision 2010-1312)."""

    pm_min_lines_remote: int = Field(300, description="min PM zone arrière with an NRO–PM link")
    pm_min_lines: int = Field(1000, description="min PM zone arrière without an NRO–PM link")
    pm_max_lines: int = Field(1000, description="max lines per PM (planner's choice)")
    pbo_min_locaux: int = Field(3, description="min locaux per PBO (press: 3 to 12)")
    pbo_max_locaux: int = Field(12, description="max locaux per PBO")
    drop_long_m: float = Field(150.0, description="drop length beyond which RaccordementLong=Oui")
    completude_years: int = Field(5, description="max years to completude of a PM zone")


class CivilWorksCosts(_Frozen):
    """Unit costs of civil works in € HT per metre (DOMAIN.md section 6)."""

    aerial: float = 25.0
    duct_reuse: float = 8.0
    new_trench: float = 70.0
    new_trench_urban: float = 150.0
    road_crossing: float = 250.0


class SynthSettings(_Frozen):
    """Parameters of the synthetic generator (see ``data/README.md`` for their realism)."""

    seed: int = DEFAULT_SEED
    bourg_share_small: float = Field(0.45, description="share of locaux in the bourg, <500 locaux")
    bourg_share_large: float = Field(0.85, description="share of locaux in the bourg, >=10k")
    hamlet_mean_locaux: float = Field(7.0, description="mean locaux per hamlet")
    street_spacing_m: float = Field(90.0, description="spacing of bourg streets")
    premise_spacing_m: float = Field(18.0, description="frontage of one local along a street")
    setback_m: float = Field(12.0, description="distance of a building from its street axis")
    nra_min_locaux: int = Field(600, description="communes with this many locaux get an NRA")
    nra_spacing_m: float = Field(
        4000.0, description="a commune farther than this from every NRA gets its own"
    )
    sr_target_lines: int = Field(250, description="lines per copper sub-distributor (SR)")


ARCEP = ArcepRules()
COSTS = CivilWorksCosts()
SYNTH = SynthSettings()


class WorksRules(_Frozen):
    """Civil-works mix of a road edge by its OSM ``highway`` class (shares sum to 1).

    BTHD reuses Orange's ducts (offre GC BLO) where they exist, mostly in bourgs, and hangs
    cable on poles along rural roads; new trenches fill the gaps. The shares are assumptions
    (confidence L, DOMAIN.md section 6), assigned to edges deterministically with the seed.
    """

    by_highway: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "residential": {"duct_reuse": 0.7, "new_trench": 0.2, "aerial": 0.1},
            "living_street": {"duct_reuse": 0.7, "new_trench": 0.3},
            "unclassified": {"aerial": 0.65, "duct_reuse": 0.15, "new_trench": 0.2},
            "tertiary": {"duct_reuse": 0.5, "aerial": 0.2, "new_trench": 0.3},
            "secondary": {"duct_reuse": 0.5, "new_trench": 0.5},
            "primary": {"duct_reuse": 0.5, "new_trench": 0.5},
            "service": {"aerial": 0.6, "new_trench": 0.4},
            "track": {"aerial": 0.5, "new_trench": 0.5},
        }
    )
    default: dict[str, float] = Field(
        default_factory=lambda: {"aerial": 0.5, "duct_reuse": 0.2, "new_trench": 0.3}
    )


class DesignRules(_Frozen):
    """Parameters of the FTTH design (ARCEP rules and engineering choices)."""

    max_drop_m: float = Field(500.0, description="premises farther from any road are listed")
    nro_min_lines: int = Field(2000, description="min lines of an NRO's zone (ZNRO)")
    nro_max_reach_m: float = Field(
        16_000.0, description="max road distance NRO→premise (GPON 20 km, margin for detours)"
    )
    nro_reach_min_lines: int = Field(
        200,
        description="an NRO added for optical reach must serve this many lines; fewer "
        "premises stay with their nearest NRO, flagged beyond reach (L)",
    )
    pm_target_lines: int = Field(600, description="PM zones are cut when they reach this")
    pm_max_span_m: float = Field(8_000.0, description="max road distance PM→its farthest node")
    pbo_max_span_m: float = Field(150.0, description="max road distance PBO→its farthest node")
    spare_ratio: float = Field(0.2, description="spare fibres on distribution and transport")
    transport_fibres_per_line: float = Field(
        0.15, description="NRO–PM fibres per line served (L: 4 operators, PON 1:32 + P2P)"
    )
    cable_sizes: tuple[int, ...] = (6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720)
    # optical budget, GPON class B+ (DOMAIN.md 2.4)
    budget_max_db: float = 28.0
    fibre_db_per_km: float = 0.35
    splitter_db: float = 17.0
    connectors_db: float = 2.0
    splices_db: float = 1.0
    max_reach_km: float = 20.0


class DesignCosts(_Frozen):
    """Unit costs of the design in € HT (DOMAIN.md section 6; L = assumption)."""

    nro: float = Field(150_000.0, description="NRO shelter and equipment (L: 100–200 k€)")
    pm: float = Field(20_000.0, description="PM street cabinet (L: 15–30 k€)")
    pbo: float = Field(350.0, description="PBO box and its splicing (L)")
    drop: float = Field(400.0, description="standard final connection PBO→PTO (L: 300–500 €)")
    cable_eur_per_m_base: float = Field(2.0, description="cable supply and laying, per metre")
    cable_eur_per_m_per_fibre: float = Field(0.02, description="plus per fibre and metre")
    pole_spacing_m: float = Field(40.0, description="span between poles on aerial routes (L)")
    pole_replacement_share: float = Field(
        0.3, description="share of the poles an OI must replace or reinforce (L)"
    )
    pole: float = Field(300.0, description="replacing/reinforcing an Orange pole (ARCEP 2021-0657)")
    engineering_share: float = Field(
        0.12, description="studies, engineering and works supervision, share of works (L)"
    )


class ScheduleSettings(_Frozen):
    """Rules of the stand-in FTTH schedule derived from Arcep 2018 (``default_schedule``)."""

    observed_year: int = Field(2018, description="year of the Arcep observatory used (T1 2018)")
    done_share: float = Field(
        0.8, ge=0, le=1, description="coverage at which a commune counts as done that year (L)"
    )
    started_years: tuple[int, int] = Field(
        (2019, 2020), description="years drawn (even odds) for communes started in 2018 (L)"
    )


WORKS = WorksRules()
DESIGN = DesignRules()
DESIGN_COSTS = DesignCosts()
SCHEDULE = ScheduleSettings()

# settings of the copper model and of the montée-en-débit planner, re-exported from their modules
from bthd.settings.copper import COPPER as COPPER  # noqa: E402
from bthd.settings.copper import DSL as DSL  # noqa: E402
from bthd.settings.copper import CopperSettings as CopperSettings  # noqa: E402
from bthd.settings.copper import DslSettings as DslSettings  # noqa: E402
from bthd.settings.med import MED as MED  # noqa: E402
from bthd.settings.med import MedSettings as MedSettings  # noqa: E402
