"""Names and codes of the backbone model: link type, roles, uplinks, kinds of element, columns."""

from __future__ import annotations

#: GraceTHD ``l_infra_type_log`` code of backbone and collecte links.
LINK_TYPE = "CO"
#: Values of the ``role`` column of CO links.
ROLE_LOOP, ROLE_EXTENSION, ROLE_COLLECTE = "loop", "extension", "collecte"
#: Uplink PoPs (Internet/Renater exits) by default; see the module docstring.
DEFAULT_UPLINKS: tuple[str, ...] = ("POP-RENNES",)
#: Suffix of the modelled second path of a secured extension link.
SECOND_PATH_SUFFIX = "-BIS"
#: ``layer`` of the syndicat's own backbone links (extra links keep theirs).
BACKBONE_LAYER = "backbone"
#: Kinds of element a single failure can hit, in the order of :func:`survivability`'s rows.
ELEMENT_TYPES = ("backbone_link", "pop", "collecte_link", "nro")
#: Kinds of id :func:`outage` accepts, with an example each.
CUT_KINDS: dict[str, str] = {
    "backbone_link": "backbone link (CO loop/extension, e.g. CO-RENNES-VANNES)",
    "pop": "PoP (e.g. POP-BREST)",
    "collecte_link": "collecte link NRO→PoP (e.g. CO-<NRO>-POP-BREST)",
    "nro": "NRO",
    "pm": "PM (cuts its premises only)",
    "pbo": "PBO (cuts its premises only)",
}
#: Columns of :func:`survivability`'s table.
SURVIVABILITY_COLUMNS = (
    "element_id",
    "element_type",
    "nros_lost",
    "nro_ids",
    "premises_lost",
    "locaux_lost",
    "communes_lost",
    "insee_codes",
    "share_of_locaux",
)
#: Columns a premises table needs here.
PREMISE_COLUMNS = ("premise_id", "insee_code", "logements", "locaux_pro", "nro_id")
