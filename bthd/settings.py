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
    nra_min_locaux: int = Field(1200, description="communes with this many locaux get an NRA")
    sr_target_lines: int = Field(250, description="lines per copper sub-distributor (SR)")


ARCEP = ArcepRules()
COSTS = CivilWorksCosts()
SYNTH = SynthSettings()
