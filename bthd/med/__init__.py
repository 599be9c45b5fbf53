"""Montée en débit planner: which copper sub-distributors (SR) to upgrade, at what cost, for what.

What this package is for
------------------------
Bretagne Très Haut Débit upgraded copper before fibre reached everyone: 174 *montée en débit*
(MED) operations in 2014–2016 for 50,000 lines, then 149 more and 25 NRA-ZO. This package plans
such operations on a copper plant (:func:`bthd.network.copper.copper_lines`):

* :func:`candidates`: one row per SR and kind of operation, with the lines it serves, the gain
  (locaux lifted to ≥ 8 Mbit/s, to ≥ 30 Mbit/s, TV gained, out of the shadow), the cost (the
  operation plus the NRA→SR fibre route on the road graph), the exclusions with their reason
  (FTTH planned within 5 years, too few lines...) and the benefit per euro;
* :func:`select`: the operations to do under a budget or for a number of operations, greedy by
  benefit per euro or exact (0/1 knapsack, :func:`scipy.optimize.milp`);
* :func:`apply` and :func:`before_after`: every line's rate, class and TV after the selected
  operations, and the shares before and after for the lines concerned;
* :func:`report_2015`: the Mégalis 2015 activity report's figures side by side with the model;
* :func:`sunk_cost`: what each operation costs per line once FTTH supersedes it, and which part
  of its fibre the FTTH network reuses (:mod:`bthd.costs.med`);
* :func:`programme`: all of it on a region, as ``bthd med`` runs it.

Two kinds of operation share the machinery (column ``kind``):

``MED``
    Orange's PRM offer (DOMAIN.md §5): a DSLAM cabinet beside the SR, fed by fibre from the
    origin NRA; every line of the SR is re-cabled to it, so its attenuation becomes that of its
    SR→premise segment (:func:`bthd.dsl.med_attenuation_db`).
``NRA-ZO``
    A *nœud de raccordement d'abonnés en zone d'ombre*: a small DSLAM at the SR for the lines in
    the shadow only (ineligible, or below ``shadow_rate_mbps``), the other lines staying on the
    NRA; fed by fibre (as Mégalis did for its 25 NRA-ZO in 2020) or by copper (the historic
    offer: 2 Mbit/s at most, no TV).

An SR gets at most one operation. Lines are counted in *locaux* (logements + locaux
professionnels), as the report counts "foyers, entreprises et sites publics".

Where each part lives
---------------------
:mod:`bthd.med.lines` (lines after operations, gains), :mod:`bthd.med.routes` (NRA→SR fibre
routes and their geometry), :mod:`bthd.med.candidates`, :mod:`bthd.med.selection` (greedy and
exact), :mod:`bthd.med.after` (apply, before/after), :mod:`bthd.med.report` (the 2015 report
and its explanation), :mod:`bthd.med.programme`; the settings are
:class:`bthd.settings.MedSettings`, the report's figures :data:`bthd.reference.MEGALIS_2015`,
the costs of operations and the sunk cost :mod:`bthd.costs.med`.

What it is not for
------------------
Computing copper lines (:mod:`bthd.network.copper`), DSL physics (:mod:`bthd.dsl`), the FTTH
schedule (:mod:`bthd.eligibility`) or drawing maps. Rates are the modelled maximum theoretical
sync rates, like the report's "débits théoriques".
"""

from __future__ import annotations

from bthd.costs.med import sunk_cost
from bthd.med.after import apply, before_after
from bthd.med.candidates import candidates
from bthd.med.programme import REPORT_OPERATIONS, MedProgramme, programme
from bthd.med.report import Report2015, report_2015
from bthd.med.routes import route_lines
from bthd.med.selection import select
from bthd.reference import MEGALIS_2015
from bthd.settings.med import GAINS, KINDS, MED, MedSettings

__all__ = [
    "GAINS",
    "KINDS",
    "MED",
    "MEGALIS_2015",
    "REPORT_OPERATIONS",
    "MedProgramme",
    "MedSettings",
    "Report2015",
    "apply",
    "before_after",
    "candidates",
    "programme",
    "report_2015",
    "route_lines",
    "select",
    "sunk_cost",
]
