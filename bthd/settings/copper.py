"""Settings of the copper model: DSL physics (:class:`DslSettings`) and the copper plant
(:class:`CopperSettings`), each constant with its source and confidence.

:mod:`bthd.dsl` turns these constants into attenuation, rates and TV eligibility;
:mod:`bthd.network.copper` into every premise's copper line. The copper length of a line is its
road distance times :attr:`DslSettings.detour_factor`, defined here once.

Not for: the montée-en-débit planner's settings (:mod:`bthd.settings.med`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bthd._errors import Problem, ValidationError

__all__ = ["COPPER", "DSL", "CopperSettings", "DslSettings"]

# Two gauges are the same when they differ by less than this (mm): absorbs 0.4 vs 0.4000000001.
_GAUGE_TOL_MM = 1e-6
# Shares of a gauge mix must sum to 1 within this tolerance.
_MIX_TOL = 1e-6


def _default_k() -> dict[float, float]:
    return {0.4: 15.0, 0.5: 12.4, 0.6: 10.3, 0.8: 7.9}


def _default_mix() -> dict[float, float]:
    return {0.4: 0.5, 0.6: 0.5}


#: Downstream rate vs attenuation, verbatim from DOMAIN.md §5.3 (src P2, conf M):
#: (length m, attenuation dB @300 kHz, ADSL1/2 Mbit/s, ADSL2+ Mbit/s).
_ADSL_TABLE: tuple[tuple[float, float, float, float], ...] = (
    (170.0, 4.1, 8.0, 19.4),
    (730.0, 12.5, 8.0, 18.2),
    (1038.0, 15.5, 8.0, 16.6),
    (1301.0, 20.3, 7.3, 14.2),
    (2430.0, 29.7, 6.0, 11.3),
    (2540.0, 39.6, 5.7, 7.4),
    (3909.0, 47.6, 4.2, 5.4),
    (5004.0, 53.0, 3.1, 4.3),
    (5755.0, 60.8, 2.0, 3.0),
)

#: VDSL2 envelope (copper length m, downstream Mbit/s), DOMAIN.md §5.3 (conf L, to calibrate).
_VDSL2_ENVELOPE: tuple[tuple[float, float], ...] = (
    (300.0, 80.0),
    (500.0, 65.0),
    (900.0, 40.0),
    (1200.0, 25.0),
)


class DslSettings(BaseModel):
    """Constants of the copper model, each with its source (keys of DOMAIN.md §9).

    Confidence: **H** primary text, **M** secondary or inferred, **L** rule of thumb to
    calibrate. The validator refuses a table that is not monotone (attenuation strictly
    increasing, rates non-increasing), so the rate can never rise with attenuation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    attenuation_db_per_km: dict[float, float] = Field(
        default_factory=_default_k,
        description=(
            "attenuation k of a copper pair at 300 kHz in dB/km, by conductor gauge in mm: "
            "0.4 → 15.0, 0.5 → 12.4, 0.6 → 10.3 (≈10.5 in some sources), 0.8 → 7.9. "
            "Src P1, P2 (DOMAIN §5.3), conf H"
        ),
    )
    gauge_mix: dict[float, float] = Field(
        default_factory=_default_mix,
        description=(
            "default shares of each gauge along a line when the gauge is unknown "
            "(0.4 mm: 0.5, 0.6 mm: 0.5 → 12.65 dB/km); shares sum to 1. Conf L, calibrate "
            "on known lines"
        ),
    )
    detour_factor: float = Field(
        default=1.1,
        ge=1.0,
        description=(
            "copper length / road distance NRA→premise (cables follow streets and serve "
            "others on the way). Conf L, calibrate"
        ),
    )
    adsl_table: tuple[tuple[float, float, float, float], ...] = Field(
        default=_ADSL_TABLE,
        description=(
            "rows (length m, attenuation dB @300 kHz, ADSL1/2 Mbit/s, ADSL2+ Mbit/s) of the "
            "downstream sync-rate envelope; rates are interpolated linearly on attenuation "
            "only; the length column is informational (its implied dB/km is not consistent). "
            "Src P2 (DOMAIN §5.3), conf M"
        ),
    )
    anchor_attenuation_db: float = Field(
        default=70.0,
        description="attenuation of the extrapolated anchor point (classic ADSL limit). Src P1, L",
    )
    anchor_rate_mbps: float = Field(
        default=1.0,
        description="downstream rate at the anchor, ADSL1/2 and ADSL2+ (~1 Mbit/s). Conf L",
    )
    max_attenuation_db: float = Field(
        default=78.0,
        description="beyond this attenuation a line is not eligible to ADSL (Orange limit). "
        "Src P5, conf M",
    )
    rate_at_max_attenuation_mbps: float = Field(
        default=0.5,
        gt=0.0,
        description=(
            "downstream rate at exactly max_attenuation_db (512 kbit/s, the slowest ADSL "
            "offer); rates fall linearly from the anchor to it. Conf L"
        ),
    )
    vdsl2_envelope: tuple[tuple[float, float], ...] = Field(
        default=_VDSL2_ENVELOPE,
        description=(
            "VDSL2 downstream envelope as (copper length m, Mbit/s): 300 → 80, 500 → 65, "
            "900 → 40, 1200 → 25; flat before the first point. Src P4, conf L (to calibrate)"
        ),
    )
    vdsl2_adsl2plus_length_m: float = Field(
        default=1500.0,
        description=(
            "copper length from which VDSL2 performs like ADSL2+ (≈1.5 km, ≈23 dB); between "
            "the last envelope point and it, VDSL2 joins the line's ADSL2+ rate linearly. "
            "Src P4, conf M"
        ),
    )
    tv_sd_mbps: float = Field(
        default=4.0,
        gt=0.0,
        description="min downstream rate for SD (MPEG-4) TV over DSL. Src P3, M",
    )
    tv_hd_mbps: float = Field(
        default=7.0, gt=0.0, description="min downstream rate for HD TV over DSL. Src P3, conf M"
    )
    ftth_rate_mbps: float = Field(
        default=1000.0,
        ge=100.0,
        description=(
            "nominal downstream rate of an FTTH line (GPON offers 'up to 1 Gbit/s'); only "
            "its class (≥100) matters for coverage. Conf L"
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> DslSettings:
        k = self.attenuation_db_per_km
        if not k or any(g <= 0 or v <= 0 for g, v in k.items()):
            raise ValueError("attenuation_db_per_km needs positive gauges (mm) and k (dB/km)")
        _check_mix(self.gauge_mix, k, "gauge_mix")
        table = np.asarray(self.adsl_table, dtype=float)
        if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] != 4:
            raise ValueError("adsl_table needs ≥2 rows of (length_m, atten_db, adsl1_2, adsl2+)")
        att = np.append(table[:, 1], [self.anchor_attenuation_db, self.max_attenuation_db])
        if not np.all(np.diff(att) > 0):
            raise ValueError(
                "adsl_table attenuations, then anchor_attenuation_db, then max_attenuation_db "
                f"must be strictly increasing; got {att.tolist()}"
            )
        tail = [self.anchor_rate_mbps, self.rate_at_max_attenuation_mbps]
        for col, name in ((2, "ADSL1/2"), (3, "ADSL2+")):
            rates = np.append(table[:, col], tail)
            if not (np.all(np.diff(rates) <= 0) and rates[-1] > 0):
                raise ValueError(
                    f"{name} rates (table, anchor_rate_mbps, rate_at_max_attenuation_mbps) must "
                    f"be positive and non-increasing with attenuation; got {rates.tolist()}"
                )
        env = np.asarray(self.vdsl2_envelope, dtype=float)
        if env.ndim != 2 or env.shape[0] < 1 or env.shape[1] != 2:
            raise ValueError("vdsl2_envelope needs ≥1 pair of (length_m, rate_mbps)")
        if not (
            np.all(np.diff(env[:, 0]) > 0)
            and np.all(np.diff(env[:, 1]) <= 0)
            and env[0, 0] >= 0
            and env[-1, 0] < self.vdsl2_adsl2plus_length_m
        ):
            raise ValueError(
                "vdsl2_envelope lengths must increase (and stay below vdsl2_adsl2plus_length_m) "
                f"and its rates must not increase; got {env.tolist()}"
            )
        if self.tv_hd_mbps < self.tv_sd_mbps:
            raise ValueError("tv_hd_mbps must be at least tv_sd_mbps")
        return self


def _check_mix(mix: Mapping[float, float], k: Mapping[float, float], source: str) -> None:
    """Raise a ValidationError unless ``mix`` has known gauges and shares summing to 1."""
    problems: list[Problem] = []
    known = np.asarray(list(k), dtype=float)
    unknown = [g for g in mix if not np.any(np.abs(known - float(g)) <= _GAUGE_TOL_MM)]
    if unknown:
        problems.append(
            Problem(
                f"unknown gauges {', '.join(map(str, unknown))} mm",
                fix=f"use gauges among {_fmt_gauges(k)} mm (or add their k to the settings)",
            )
        )
    shares = np.asarray(list(mix.values()), dtype=float)
    if shares.size == 0 or np.any(~np.isfinite(shares)) or np.any(shares < 0):
        problems.append(Problem("shares must be finite and ≥ 0", fix="give each gauge a share"))
    elif abs(shares.sum() - 1.0) > _MIX_TOL:
        problems.append(
            Problem(
                f"shares sum to {shares.sum():g}, not 1",
                fix="give shares of the line's length that sum to 1, e.g. {0.4: 0.5, 0.6: 0.5}",
            )
        )
    if problems:
        raise ValidationError(source, problems)


def _fmt_gauges(k: Mapping[float, float]) -> str:
    return ", ".join(f"{g:g}" for g in sorted(k))


#: Default copper settings (DOMAIN.md §5.3).
DSL = DslSettings()


class CopperSettings(BaseModel):
    """Parameters of the copper plant model (:func:`bthd.network.copper.copper_lines`).

    The detour factor (copper length / road distance) is :attr:`DslSettings.detour_factor`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    direct_radius_m: float = Field(
        1500.0, description="premises this close to their NRA are in distribution directe (L)"
    )
    nra_sr_gauge_mm: float = Field(0.6, description="gauge of NRA→SR transport cables (L)")
    sr_premise_gauge_mm: float = Field(
        0.5, description="gauge of SR→premise cables (L: 0.4 near homes, thicker upstream)"
    )
    max_site_snap_m: float = Field(
        1000.0, description="an NRA/SR farther from every road is listed"
    )


#: Default copper plant settings.
COPPER = CopperSettings()
