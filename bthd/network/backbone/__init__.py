"""The regional backbone, the collecte of the NROs, and what a failure cuts off.

Mégalis II's backbone, as the syndicat described it (press release of 20/02/2007): a 2 Gb/s
loop joining seven PoPs (Rennes, Vannes, Lorient, Quimper, Brest, Lannion, Saint-Brieuc), an
*extension sécurisée* Rennes–Saint-Malo, each PoP in an operator-neutral place, and beyond the
loop an *adduction double* to the Internet and Renater. The FTTH NROs hang off these PoPs by
*collecte* links (GraceTHD ``CO``). This module:

* models the backbone as a networkx graph (:func:`backbone_graph`, :func:`backbone_links`);
* attaches each NRO to its nearest PoP, or to its two nearest (:func:`attach_nros`);
* lists, for every single failure of a backbone link, a PoP, a collecte link or an NRO, the NROs,
  premises, locaux and communes that lose service (:func:`survivability`);
* answers an operator's question "this fibre / PoP / NRO / PM is down: who is cut off?"
  on a run folder or on layers in memory (:func:`outage`, :class:`OutageReport`).

**Service rule.** An NRO has service when at least one of its collecte links is up and leads to a
PoP that is up and joined, through backbone links that are up, to an *uplink* PoP that is up (a
PoP where the network leaves for the Internet and Renater). A premise has service when its NRO
has (and, for :func:`outage`, its PM and PBO are not cut). A link is down when it is cut or
when one of its ends is down.

**Modelling choices** (parameters, not hidden constants):

* *Uplinks.* The press release says "adduction double ... sur Internet et Renater" (and buys a
  primary and a secondary Internet exit from two operators) but does not say at which PoPs the
  exits are. ``uplinks`` is therefore a parameter; the default, :data:`DEFAULT_UPLINKS`, is
  Rennes alone (the regional capital, where Renater has its Breton node). Pass two PoPs (e.g.
  ``("POP-RENNES", "POP-BREST")``) to model geographically separate exits.
* *Secured extension.* "Extension sécurisée" is read as a Rennes–Saint-Malo link with two
  physically separate paths. With ``secured_extension=True`` (default) every ``extension`` link
  that has no parallel link yet gets a twin, ``<link_id>-BIS`` (same schematic geometry,
  ``second_path=True``; the real route of the second path is unknown): cutting either loses
  nothing, cutting both isolates Saint-Malo. A failure of the Rennes PoP still isolates Saint-Malo:
  the extension is secured against cuts, not against its head PoP. ``secured_extension=False``
  models a single link.
* *RUHD.* The regional research network (Réseau Universitaire Haut Débit) would be a second
  layer of links between the same PoPs. **No RUHD data ships with bthd**; pass such links (the
  links schema, plus a ``layer`` column, e.g. ``"RUHD"``) as ``extra_links`` and they join the
  graph and the list of failures.

Not for: capacity (sharing the 2 Gb/s), the route of collecte links on roads (give
:func:`attach_nros` a road-distance matrix), or the placement of NROs and PMs (the design).

**Where each question lives.**

* :mod:`~bthd.network.backbone.constants`: link type, roles, default uplinks, kinds of element;
* :mod:`~bthd.network.backbone.graph`: the backbone links and graph;
* :mod:`~bthd.network.backbone.collecte`: the collecte links of the NROs;
* :mod:`~bthd.network.backbone.single_failures`: :func:`survivability`;
* :mod:`~bthd.network.backbone.layers`: the layers of a designed network (:func:`network_layers`);
* :mod:`~bthd.network.backbone.outage_engine`: :func:`outage`;
* :mod:`~bthd.network.backbone.report`: texts and tables for an operator (:class:`OutageReport`,
  :func:`failure_table`);
* ``_service`` (the service rule as index arrays, shared by the two analyses) and ``_checks``
  (the input checks) are plumbing.
"""

from __future__ import annotations

from bthd.network.backbone.collecte import attach_nros
from bthd.network.backbone.constants import (
    BACKBONE_LAYER,
    CUT_KINDS,
    DEFAULT_UPLINKS,
    ELEMENT_TYPES,
    LINK_TYPE,
    PREMISE_COLUMNS,
    ROLE_COLLECTE,
    ROLE_EXTENSION,
    ROLE_LOOP,
    SECOND_PATH_SUFFIX,
    SURVIVABILITY_COLUMNS,
)
from bthd.network.backbone.graph import backbone_graph, backbone_links
from bthd.network.backbone.layers import NetworkLayers, network_layers
from bthd.network.backbone.outage_engine import outage
from bthd.network.backbone.report import FailureTable, OutageReport, failure_table
from bthd.network.backbone.single_failures import survivability

__all__ = [
    "BACKBONE_LAYER",
    "CUT_KINDS",
    "DEFAULT_UPLINKS",
    "ELEMENT_TYPES",
    "LINK_TYPE",
    "PREMISE_COLUMNS",
    "ROLE_COLLECTE",
    "ROLE_EXTENSION",
    "ROLE_LOOP",
    "SECOND_PATH_SUFFIX",
    "SURVIVABILITY_COLUMNS",
    "FailureTable",
    "NetworkLayers",
    "OutageReport",
    "attach_nros",
    "backbone_graph",
    "backbone_links",
    "failure_table",
    "network_layers",
    "outage",
    "survivability",
]
