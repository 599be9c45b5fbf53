"""Published reference figures, each with its source: the one home for numbers bthd compares with.

Model code never hard-codes a published figure: it imports it from here, so a reader sees at once
which numbers come from Mégalis, Arcep or DOMAIN.md, and a test can check a model result against
them. Confidence follows DOMAIN.md: **H** published in a primary source, **M** derived from one,
**L** an assumption.

Not for: settings a user tunes (:mod:`bthd.settings`).
"""

from __future__ import annotations

from typing import NamedTuple


class Phase(NamedTuple):
    """A published BTHD phase: name, first and last year, locaux (lines) planned."""

    name: str
    start: int
    end: int
    locaux: int


#: BTHD phases as published by Mégalis (seeds; DOMAIN.md section 8): years and locaux (H).
BTHD_PHASES: tuple[Phase, ...] = (
    Phase("phase 1", 2015, 2020, 250_000),
    Phase("phase 2", 2020, 2023, 400_000),
    Phase("phase 3", 2024, 2026, 627_332),
)

#: Locaux of the public-network (RIP) communes of Brittany, Arcep T1 2018 (H; embedded data).
RIP_LOCAUX_2018 = 1_160_808

#: Montée-en-débit operations of the BTHD programme (seeds: 174 sites; H).
BTHD_MED_OPERATIONS = 174

#: First year of the MED programme (Mégalis 2015 report; H).
BTHD_MED_YEAR = 2015

#: Years the eligibility tables cover: 2014 is the state before the first MED operations, 2026
#: the programme's announced end (seeds; H).
ELIGIBILITY_YEARS: tuple[int, ...] = tuple(range(2014, 2027))

#: Private operators' L.33-13 commitment deadline in AMII/ZTD communes (DOMAIN.md; H).
AMII_DEADLINE_YEAR = 2020

#: Published costs per prise to compare with (€ HT), DOMAIN.md section 6.
PUBLISHED_COST_PER_PRISE: dict[str, float] = {
    "BTHD phase 1 (383 M€ / 220,000 prises)": 1741.0,
    "BTHD average (Mégalis, 2019)": 2000.0,
    "Seine-et-Marne (743 M€ / 570,000)": 1304.0,
    "Aumont-Aubrac rural pilot (821,801 € / 619)": 1328.0,
}

#: Source label of :data:`PUBLISHED_COST_PER_PRISE` in output tables.
PUBLISHED_COST_SOURCE = "DOMAIN.md section 6"


# --------------------------------------------------------------------------------------------
# Montée en débit: the Mégalis 2015 activity report (compared by bthd.med.report_2015)
# --------------------------------------------------------------------------------------------

#: Figures of the Mégalis Bretagne activity report 2015 (seed 001, "Bretagne Très Haut Débit —
#: premiers résultats et perspectives"), checked against its text (H).
MEGALIS_2015: dict[str, float] = {
    # "174 opérations de montée en débit ont été mises en service au cours de l'année 2015 et
    # en janvier 2016"
    "operations": BTHD_MED_OPERATIONS,
    # "Au total 50 000 foyers, entreprises et sites publics ont vu ... leurs débits ADSL
    # augmenter sensiblement"
    "lines": 50_000,
    # "En moyenne, une telle opération aura coûté 128 000 €, un montant nettement inférieur
    # aux estimations"
    "operation_cost_eur": 128_000,
    # "avant les opérations de montée en débit, 98% des foyers concernés avaient un débit
    # inférieur à 8Mbit/s, 96% d'entre eux bénéficient désormais d'un débit supérieur à 8Mbit/s"
    "share_below_8_before": 0.98,
    "share_8_after": 0.96,
    # "alors que 19% étaient éligibles à un service de télévision par internet avant les
    # travaux, 99% le sont aujourd'hui"
    "share_tv_before": 0.19,
    "share_tv_after": 0.99,
}

#: Budget of the 174 MED operations announced in the press: 32 M€ HT, ≈ 184 k€ per operation
#: (DOMAIN.md §5.2; M).
BTHD_MED_BUDGET_EUR = 32_000_000
