"""Words and number formats of the commission report, one dict per language.

French figures use a no-break space (U+00A0) between thousands and before ``%`` and ``€``
(``1 234 567``, ``12,5 %``), a decimal comma; English uses ``1,234,567`` and ``12.5%``. The
no-break space is used rather than the narrow one (U+202F) so the figures read the same in every
font and in text extracted from the PDF.

Not for: gathering figures (see :mod:`bthd.reports.content`).
"""

from __future__ import annotations

import math

from bthd.i18n import check_lang

#: The no-break space of French figures.
NBSP = "\u00a0"

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Rapport de couverture FTTH",
        "thousands": NBSP,
        "racc_short": "Raccordables",
        "decimal": ",",
        "horizon_note": "Les phases comptent toutes les zones du plan, y compris celles qui "
        "s'achèvent après {year} ; le financement et le déploiement par année s'arrêtent en "
        "{year}.",
        "rate_short": "Taux FTTH",
        "synthetic_fr": "La position des locaux, les routes et le réseau "
        "cuivre (NRA/SR) de ce run sont générés par bthd.synth (graine {seed}) à partir de données "
        "communales réelles ; ce ne sont pas des observations. Les nombres de locaux par commune "
        "sont réels (Arcep T1 2018).",
        "param_scope": "Territoire du run",
        "param_epci": "EPCI",
        "param_departement": "Département",
        "param_whole_region": "Toute la région",
        "param_zone_types": "Types de zones",
        "param_seed": "Graine du générateur",
        "param_stages": "Étapes",
        "layer_premises": "positions des locaux",
        "layer_roads": "routes",
        "layer_copper sites": "sites cuivre (NRA, sous-répartiteurs)",
        "True": "oui",
        "False": "non",
        "subtitle": "Dossier pour la commission Programmation et Financement",
        "run_of": "Run du",
        "area": "Territoire",
        "region_summary": "Synthèse régionale",
        "area_summary": "Synthèse du territoire",
        "departement": "Département",
        "key_figures": "Chiffres clés",
        "locaux": "Locaux",
        "raccordables": "Locaux raccordables FTTH",
        "ftth_rate": "Taux de couverture FTTH",
        "year": "Année",
        "coverage_year": "Couverture par année",
        "coverage_epci": "Couverture par EPCI",
        "epci": "EPCI",
        "copper_med": "Cuivre MED",
        "copper": "Cuivre",
        "none": "Sans accès",
        "bhd": "Bon haut débit",
        "thd": "Très haut débit",
        "plan": "Le plan : phases et financement",
        "phases": "Phases du plan",
        "phase": "Phase",
        "zones": "Zones (ZDEP)",
        "lines": "Lignes",
        "capex": "Investissement",
        "years": "Années",
        "funding": "Financement par financeur",
        "funder": "Financeur",
        "amount": "Montant",
        "share": "Part",
        "plan_year": "Déploiement par année",
        "lines_built": "Lignes construites",
        "raccordes": "Raccordés",
        "public_need": "Besoin public",
        "med": "Le programme de montée en débit (MED)",
        "operations": "Opérations",
        "cost": "Coût",
        "cost_per_line": "Coût par ligne",
        "kind": "Type",
        "site": "Sous-répartiteur",
        "ftth_year": "Année FTTH",
        "cost_per_prise": "Coût par prise",
        "map": "Carte de la couverture",
        "method": "La méthode",
        "sources": "Sources des données",
        "parameters": "Paramètres du scénario",
        "synthetic": "Données synthétiques",
        "synthetic_footer": "SYNTHETIC — données générées (modèle bthd), pas des observations",
        "page": "page",
        "of": "sur",
        "total": "Total",
        "chart_coverage": "Locaux par accès et taux FTTH, par année",
        "chart_epci": "Taux de couverture FTTH par EPCI en {years}",
        "and": "et",
        "med_first": "Les {n} premières opérations par rang, sur {total} (toutes dans "
        "tables/med_selected.csv).",
        "chart_funding": "Financement par année (M€)",
        "rate_axis": "taux FTTH",
        "locaux_axis": "locaux",
        "meur_axis": "M€",
        "no_plan": "Le run ne contient pas de plan (étape « plan »).",
        "no_med": "Le run ne contient pas de programme MED (étape « med »).",
        "no_map": "Le run ne contient pas les couches de la carte (étape « design »).",
        "map_caption": "Couverture par commune en {year} (zone du run : {area}).",
        "funder_fsn": "État (FSN)",
        "funder_feder": "Europe (FEDER)",
        "funder_region": "Région",
        "funder_departement": "Département",
        "funder_epci": "EPCI",
        "funder_loans": "Emprunts du syndicat",
        "funder_own_funds": "Fonds propres du syndicat",
        "funder_operator": "Opérateur",
        "generated": "Rapport produit par bthd à partir des tables du run ; aucun chiffre n'est "
        "recalculé autrement.",
        "method_1": "Les locaux (logements et établissements) de chaque commune sont les comptages "
        "réels de l'Arcep (T1 2018). Leur position, les routes et le réseau cuivre (NRA, "
        "sous-répartiteurs) sont générés par bthd à partir des données communales.",
        "method_2": "Le réseau FTTH (NRO, PM, PBO, câbles) est dessiné sur ces routes par le "
        "modèle ; son coût par prise vient du bordereau de prix du scénario.",
        "method_3": "Le plan découpe le territoire en zones de déploiement (ZDEP) et les construit "
        "phase par phase, dans la limite de la capacité annuelle ; chaque année, les lignes "
        "construites deviennent raccordables et le financement est réparti entre financeurs.",
        "method_4": "La montée en débit (MED) améliore le cuivre là où la fibre arrive tard : les "
        "opérations retenues sont celles au meilleur gain par euro.",
        "method_5": "Le taux de couverture FTTH est la part des locaux raccordables à la fibre.",
    },
    "en": {
        "title": "FTTH coverage report",
        "thousands": ",",
        "racc_short": "FTTH-ready",
        "decimal": ".",
        "horizon_note": "The phases count every zone of the plan, including those finished after "
        "{year}; the funding and the roll-out by year stop in {year}.",
        "rate_short": "FTTH rate",
        "param_scope": "Area of the run",
        "param_epci": "EPCI",
        "param_departement": "Département",
        "param_whole_region": "Whole region",
        "param_zone_types": "Zone types",
        "param_seed": "Generator seed",
        "param_stages": "Stages",
        "True": "yes",
        "False": "no",
        "subtitle": "For the Programming and Funding commission",
        "run_of": "Run of",
        "area": "Area",
        "region_summary": "Regional summary",
        "area_summary": "Summary of the area",
        "departement": "Département",
        "key_figures": "Key figures",
        "locaux": "Premises (locaux)",
        "raccordables": "FTTH-ready premises",
        "ftth_rate": "FTTH coverage rate",
        "year": "Year",
        "coverage_year": "Coverage by year",
        "coverage_epci": "Coverage by EPCI",
        "epci": "EPCI",
        "copper_med": "Upgraded copper (MED)",
        "copper": "Copper",
        "none": "No access",
        "bhd": "Good broadband",
        "thd": "Very high speed",
        "plan": "The plan: phases and funding",
        "phases": "Phases of the plan",
        "phase": "Phase",
        "zones": "Zones (ZDEP)",
        "lines": "Lines",
        "capex": "Investment",
        "years": "Years",
        "funding": "Funding by funder",
        "funder": "Funder",
        "amount": "Amount",
        "share": "Share",
        "plan_year": "Roll-out by year",
        "lines_built": "Lines built",
        "raccordes": "Connected",
        "public_need": "Public need",
        "med": "The copper upgrade programme (MED)",
        "operations": "Operations",
        "cost": "Cost",
        "cost_per_line": "Cost per line",
        "kind": "Kind",
        "site": "Sub-loop site",
        "ftth_year": "FTTH year",
        "cost_per_prise": "Cost per premise",
        "map": "Coverage map",
        "method": "The method",
        "sources": "Data sources",
        "parameters": "Parameters of the scenario",
        "synthetic": "Synthetic data",
        "synthetic_footer": "SYNTHETIC — generated data (bthd model), not observations",
        "page": "page",
        "of": "of",
        "total": "Total",
        "chart_coverage": "Premises by access and FTTH rate, by year",
        "chart_epci": "FTTH coverage rate by EPCI in {years}",
        "and": "and",
        "med_first": "The first {n} operations by rank, of {total} (all in "
        "tables/med_selected.csv).",
        "chart_funding": "Funding by year (M€)",
        "rate_axis": "FTTH rate",
        "locaux_axis": "premises",
        "meur_axis": "M€",
        "no_plan": "The run holds no plan (stage 'plan').",
        "no_med": "The run holds no MED programme (stage 'med').",
        "no_map": "The run lacks the map's layers (stage 'design').",
        "map_caption": "Coverage by commune in {year} (area of the run: {area}).",
        "funder_fsn": "State (FSN)",
        "funder_feder": "Europe (ERDF)",
        "funder_region": "Region",
        "funder_departement": "Département",
        "funder_epci": "EPCI",
        "funder_loans": "Syndicate loans",
        "funder_own_funds": "Syndicate own funds",
        "funder_operator": "Operator",
        "generated": "Report made by bthd from the run's tables; no figure is computed another "
        "way.",
        "method_1": "The premises (homes and businesses) of each commune are Arcep's real counts "
        "(Q1 2018). Their positions, the roads and the copper plant (NRA, sub-loop sites) are "
        "generated by bthd from commune data.",
        "method_2": "The FTTH network (NRO, PM, PBO, cables) is designed on these roads by the "
        "model; its cost per premise comes from the scenario's price list.",
        "method_3": "The plan cuts the area into deployment zones (ZDEP) and builds them phase by "
        "phase within the yearly capacity; each year the lines built become FTTH-ready and the "
        "funding is shared between funders.",
        "method_4": "The copper upgrade (MED) improves copper where fibre comes late: the "
        "operations chosen give the best gain per euro.",
        "method_5": "The FTTH coverage rate is the share of premises that are FTTH-ready.",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The words of the report in ``lang`` (checked with :func:`bthd.i18n.check_lang`)."""
    return LABELS[check_lang(lang, "report")]


def fmt_int(value: float, lang: str) -> str:
    """A whole number with thousands separated: ``42 395`` (fr), ``42,395`` (en); NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{round(float(value)):,d}"
    return text.replace(",", NBSP) if lang == "fr" else text


def fmt_pct(share: float, lang: str, digits: int = 1) -> str:
    """A share (0.5976) as a percentage: ``59,8 %`` (fr), ``59.8%`` (en)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    text = f"{100.0 * float(share):.{digits}f}"
    return text.replace(".", ",") + NBSP + "%" if lang == "fr" else text + "%"


def fmt_eur(value: float, lang: str) -> str:
    """An amount in whole euros: ``1 486 €`` (fr), ``€1,486`` (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_int(value, lang) + NBSP + "€" if lang == "fr" else "€" + fmt_int(value, lang)


def fmt_meur(value: float, lang: str) -> str:
    """An amount in millions of euros, one decimal: ``63,0 M€`` (fr), ``€63.0M`` (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{float(value) / 1e6:,.1f}"
    if lang == "fr":
        return text.replace(",", NBSP).replace(".", ",") + NBSP + "M€"
    return "€" + text + "M"
