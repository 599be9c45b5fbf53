"""Settings of the montée-en-débit planner (:mod:`bthd.med`), each with its source and confidence.

Not for: the copper model the planner works on (:mod:`bthd.settings.copper`) or the published
figures it is compared with (:data:`bthd.reference.MEGALIS_2015`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bthd._errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GAINS", "KINDS", "MED", "MedSettings", "settings_of", "settings_with"]

#: Kinds of operation, in the order candidates are listed.
KINDS: tuple[str, ...] = ("MED", "NRA-ZO")
#: Gain columns of :func:`bthd.med.candidates` (locaux), the terms of the benefit.
GAINS: tuple[str, ...] = ("gain_8", "gain_30", "gain_tv", "gain_shadow")


def _default_weights() -> dict[str, float]:
    return {"gain_8": 1.0, "gain_30": 0.25, "gain_tv": 0.5, "gain_shadow": 1.0}


class MedSettings(BaseModel):
    """Parameters of the montée en débit planner, each with its source and confidence.

    Confidence: **H** primary text, **M** secondary or inferred, **L** rule of thumb or
    planner's choice. Sources: the Mégalis activity reports in ``seeds/`` (2015: seed 001;
    2020: seed 002), DOMAIN.md §5–6, and the pages cited in the descriptions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    med_year: int = Field(
        default=2015,
        ge=1990,
        le=2100,
        description=(
            "year the operations are in service: BTHD's 174 MED, launched early 2014, were put "
            "in service 'au cours de l'année 2015 et en janvier 2016' (Mégalis 2015 report). "
            "Conf H"
        ),
    )
    exclude_within_years: int = Field(
        default=5,
        ge=0,
        description=(
            "no operation where FTTH comes within this many years of med_year: MED was done "
            "'où la fibre optique ne sera pas déployée dans les 5 prochaines années au moins' "
            "(Mégalis 2015 report). A line counts as planned when its FTTH year is at most "
            "med_year + this. Conf H"
        ),
    )
    ftth_share_max: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "an SR is excluded when more than this share of the locaux an operation serves are "
            "planned for FTTH within the horizon ('mostly'). Conf L (planner's reading)"
        ),
    )
    min_lines: int = Field(
        default=50,
        ge=0,
        description=(
            "locaux an SR needs for a MED. BTHD's operations averaged 50,000 / 174 ≈ 287 lines "
            "(2015 report), its 149 later ones 23,000 / 149 ≈ 154 (2020 report), Quimper's "
            "phase-3 study 371 / 3 ≈ 124 (DOMAIN §5.2). Conf L"
        ),
    )
    operation_cost_eur: float = Field(
        default=128_000.0,
        ge=0.0,
        description=(
            "cost of one MED operation (cabinet, DSLAM, copper re-cabling), € HT: 'en moyenne, "
            "une telle opération aura coûté 128 000 €, un montant nettement inférieur aux "
            "estimations' (Mégalis 2015 report, conf H as Mégalis figure). Press sources give "
            "32 M€ / 174 ≈ 184 k€ (the budgeted estimate), AVICCA 2012 ≈ 180 k€ per SR; "
            "documented range 110–350 k€ (DOMAIN §5.2). The report does not say whether the "
            "fibre link is included: the model adds the NRA→SR fibre route (set "
            "fibre_eur_per_m = 0 to treat this cost as all-inclusive)"
        ),
    )
    nra_zo_cost_eur: float = Field(
        default=75_000.0,
        ge=0.0,
        description=(
            "cost of one NRA-ZO (small DSLAM site at an SR for the shadow lines), € HT: "
            "Indre-et-Loire ordered 4 NRA-ZO for 300,000 € (ariase.com, 'NRA-ZO région "
            "Centre'), Midi-Pyrénées quoted 50–130 k€ each (ariase.com, 'NRA-ZO "
            "Midi-Pyrénées'). Conf M/L"
        ),
    )
    nra_zo_min_lines: int = Field(
        default=10,
        ge=0,
        description=(
            "shadow locaux an SR needs for an NRA-ZO. Departmental NRA-ZO programmes served "
            "140–220 lines per site (ariase.com), BTHD's 25 NRA-ZO about 4,500 lines (2020 "
            "report). Conf L"
        ),
    )
    shadow_rate_mbps: float = Field(
        default=2.0,
        gt=0.0,
        description=(
            "a line is in the shadow (zone d'ombre) when ineligible or below this downstream "
            "rate; an NRA-ZO serves these lines only. Threshold of the planning issue (conf L); "
            "2 Mbit/s is also what a copper-fed NRA-ZO offered (Cerema 2018, 'Armoire NRA-ZO')"
        ),
    )
    nra_zo_backhaul: Literal["fibre", "copper"] = Field(
        default="fibre",
        description=(
            "how an NRA-ZO is fed: 'fibre' on the NRA→SR route (Mégalis pulled fibre between "
            "its 25 NRA-ZO and their origin NRA, 2020 report) or 'copper' (the historic offer: "
            "no fibre cost, rate capped at nra_zo_copper_rate_mbps, no TV; Cerema 2018). Conf M"
        ),
    )
    nra_zo_copper_rate_mbps: float = Field(
        default=2.0,
        gt=0.0,
        description=(
            "downstream rate cap of a copper-fed NRA-ZO ('le débit descendant proposé aux "
            "usagers était limité à 2Mbit/s', Cerema 2018). Conf M"
        ),
    )
    tv_at_med: bool = Field(
        default=True,
        description=(
            "lines moved to a MED (or fibre-fed NRA-ZO) DSLAM can get TV, SD or HD by their "
            "rate: BTHD's MED lifted TV eligibility from 19 % to 99 % of the lines concerned "
            "(2015 report), so its NRA-MED carried TV. False keeps the origin NRA's TV flag "
            "(triple play depends on the origin NRA, DOMAIN §5.1). Conf H/M"
        ),
    )
    route_weight: Literal["length", "cost"] = Field(
        default="length",
        description=(
            "the NRA→SR fibre follows the shortest road path ('length': beside the copper "
            "transport cable, in Orange's ducts) or the cheapest one for the per-metre costs "
            "below ('cost'). Conf L"
        ),
    )
    civil_works_factor: float = Field(
        default=1.0,
        ge=0.0,
        description=(
            "share of each road edge's civil-works cost per metre paid on the fibre route "
            "(trench network: aerial 25, duct reuse 8, new trench 70, road crossing 250 €/m, "
            "bthd.settings.CivilWorksCosts, DOMAIN §6 conf M/L); lower it when the fibre "
            "reuses Orange's ducts throughout (offre GC BLO). Conf L"
        ),
    )
    fibre_cable_eur_per_m: float = Field(
        default=2.5,
        ge=0.0,
        description=(
            "supply and laying of a small (12–24 fibre) cable per metre: "
            "bthd.settings.DesignCosts gives 2 €/m + 0.02 €/m per fibre; a 12-fibre "
            "direct-burial cable costs ≈ 0.9 €/m to buy (DOMAIN §6, C9). Conf L"
        ),
    )
    fibre_eur_per_m: float | None = Field(
        default=None,
        ge=0.0,
        description=(
            "flat cost per metre of the fibre route, replacing civil works + cable when set "
            "(0: operation costs are all-inclusive). Default None: per road edge. Conf L"
        ),
    )
    benefit_weights: dict[str, float] = Field(
        default_factory=_default_weights,
        description=(
            "weight of each gain (locaux) in the benefit operations are ranked on: gain_8 "
            "lifted to ≥ 8 Mbit/s ('bon haut débit', the 2015 report's first figure) 1.0, "
            "gain_30 lifted to ≥ 30 Mbit/s 0.25, gain_tv TV gained (its second figure) 0.5, "
            "gain_shadow out of the shadow 1.0. Planner's choice, conf L"
        ),
    )

    @field_validator("benefit_weights")
    @classmethod
    def _check_weights(cls, w: dict[str, float]) -> dict[str, float]:
        _check_weights(w)
        return w


def _check_weights(w: Mapping[str, float]) -> None:
    unknown = sorted(set(w) - set(GAINS))
    if unknown:
        raise ParameterError(
            f"benefit weights: unknown gains {unknown}; use keys among {list(GAINS)}"
        )
    vals = np.asarray([float(v) for v in w.values()])
    if vals.size == 0 or not np.all(np.isfinite(vals)) or np.any(vals < 0) or vals.sum() <= 0:
        raise ParameterError(
            f"benefit weights {dict(w)}: give finite weights ≥ 0, at least one of them > 0"
        )


#: Default planner settings.
MED = MedSettings()


def settings_with(settings: MedSettings | None, **overrides: Any) -> MedSettings:
    """``settings`` with the non-None ``overrides`` applied (validated)."""
    s = settings if settings is not None else MED
    upd = {k: v for k, v in overrides.items() if v is not None}
    if not upd:
        return s
    try:
        return MedSettings(**{**s.model_dump(), **upd})
    except ValidationError as exc:
        what = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}={e.get('input')!r}: {e['msg']}"
            for e in exc.errors()
        )
        raise ParameterError(f"montée en débit settings: {what}") from None


def settings_of(df: pd.DataFrame, settings: MedSettings | None) -> MedSettings:
    """Explicit settings, else those :func:`bthd.med.candidates` stored on ``df``, else defaults."""
    if settings is not None:
        return settings
    s = df.attrs.get("med_settings")
    return s if isinstance(s, MedSettings) else MED
