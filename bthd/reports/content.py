"""What the commission report says: figures read from a run's tables, formatted in one language.

:func:`report_content` reads a run folder (:func:`bthd.io.runs.open_run`) or a running job's
:class:`bthd.stages.StageContext` and returns a :class:`ReportContent`: a list of blocks
(headings, paragraphs, tables of formatted text, PNG charts and the printed map) that both
:mod:`bthd.reports.html` and :mod:`bthd.reports.pdf` lay out. Every figure comes from a table of
the run (``coverage_by_*``, ``plan_by_*``, ``plan_zdep``, ``med_selected``,
``design_cost_by_*``): rows are selected and summed over years or zones, never computed another
way. One report per département (``departement=``) or for the run's whole area (default).

Not for: layout (see :mod:`bthd.reports.html`, :mod:`bthd.reports.pdf`) or computing coverage
(see :mod:`bthd.coverage`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bthd._errors import InputError
from bthd.reports import charts
from bthd.reports._labels import fmt_eur, fmt_int, fmt_meur, fmt_pct, labels

log = logging.getLogger(__name__)

#: Tables a report needs, with the stage that writes them.
NEEDED_TABLES: dict[str, str] = {
    "coverage_by_region": "coverage",
    "coverage_by_departement": "coverage",
    "coverage_by_epci": "coverage",
}

#: Tables used when the run has them.
OPTIONAL_TABLES: tuple[str, ...] = (
    "locaux_by_epci",
    "locaux_by_departement",
    "plan_by_year",
    "plan_by_departement_year",
    "plan_zdep",
    "med_selected",
    "design_cost_by_departement",
    "design_cost_by_epci",
)

#: Funding columns of ``plan_by_year``, in the order of the funding table.
FUNDERS: tuple[str, ...] = (
    "operator",
    "fsn",
    "feder",
    "region",
    "departement",
    "epci",
    "loans",
    "own_funds",
)

#: Most years shown as columns of the per-EPCI table.
EPCI_YEARS = 5


@dataclass
class Block:
    """One piece of the report.

    Attributes
    ----------
    kind
        ``"h1"``, ``"h2"``, ``"p"``, ``"figures"`` (label/value pairs), ``"table"``,
        ``"image"`` or ``"pagebreak"``.
    text
        Heading, paragraph or caption text.
    header, rows
        For tables and figures: formatted cells.
    image
        PNG bytes of a chart or the map.
    synthetic
        The block shows figures made on generated data.
    """

    kind: str
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    image: bytes = b""
    synthetic: bool = False


@dataclass
class ReportContent:
    """The report, ready to lay out (see the module docstring)."""

    lang: str
    title: str
    area: str
    run_date: str
    synthetic_note: str
    blocks: list[Block]
    key: dict[str, str]

    @property
    def labels(self) -> dict[str, str]:
        return labels(self.lang)


class _Source:
    """A run folder or a running job, read the same way."""

    def __init__(self, src: Any, extra: Mapping[str, Any] | None = None) -> None:
        self.src = src
        self.is_ctx = hasattr(src, "add_layer")
        if self.is_ctx:
            run = src.source
            self.label = str(run.path) if run is not None else "this run"
            manifest: dict[str, Any] = dict(run.manifest) if run is not None else {}
            manifest.update(extra or {})
            manifest.setdefault("parameters", dict(src.parameters))
            if "synthetic" not in manifest:
                notes = [n for n in src.notes if "SYNTHETIC" in n]
                if notes:
                    manifest["synthetic"] = {"note": notes[0]}
            if "credits" not in manifest:
                manifest["credits"] = "; ".join(
                    n.removeprefix("Credits: ") for n in src.notes if n.startswith("Credits:")
                )
            self.manifest: Mapping[str, Any] = manifest
        else:
            self.label = str(src.path)
            self.manifest = src.manifest

    def has_table(self, name: str) -> bool:
        if self.is_ctx:
            return bool(self.src.has(f"table:{name}"))
        return bool(self.src.has_table(name))

    def table(self, name: str) -> pd.DataFrame | None:
        return self.src.table(name) if self.has_table(name) else None


def check_tables(src: Any) -> None:
    """Raise :class:`bthd.InputError` naming every needed table the run lacks and its stage."""
    s = src if isinstance(src, _Source) else _Source(src)
    lacking = [n for n in NEEDED_TABLES if not s.has_table(n)]
    if lacking:
        stages = sorted({NEEDED_TABLES[n] for n in lacking})
        raise InputError(
            f"{s.label}: a report needs "
            + ", ".join(f"tables/{n}.csv" for n in lacking)
            + f", which the run lacks. Fix: run stage {', '.join(stages)} on it "
            f"(`bthd add {s.label} {' '.join(stages)}`) or make the run with `bthd demo`."
        )


def departements(src: Any) -> list[str]:
    """Codes of the départements of the run (from ``coverage_by_departement``)."""
    s = src if isinstance(src, _Source) else _Source(src)
    t = s.table("coverage_by_departement")
    return [] if t is None else sorted(t["departement"].astype(str).unique())


def check_departement(src: Any, departement: str | None) -> None:
    """Raise :class:`bthd.InputError` when ``departement`` is given and not in the run."""
    s = src if isinstance(src, _Source) else _Source(src)
    deps = departements(s)
    if departement is not None and str(departement) not in deps:
        raise InputError(
            f"{s.label}: département {departement!r} is not in this run; its départements are "
            f"{', '.join(deps) or '(none)'}. Fix: give one of them to --departement, or leave it "
            "out for the regional summary."
        )


def _dep_of_code(code: str) -> str | None:
    m = re.search(r"(\d[\dAB]\d{3})", str(code))
    return m.group(1)[:2] if m else None


def _run_date(s: _Source) -> str:
    created = s.manifest.get("created_utc")
    if created:
        return str(created)[:10]
    return dt.datetime.now(dt.UTC).date().isoformat()


def _years(t: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in t["year"].unique())


def report_content(
    source: Any,
    *,
    departement: str | None = None,
    lang: str = "fr",
    map_png: bytes | None = None,
    map_year: int | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> ReportContent:
    """Gather the report of ``source`` (a run folder or a stage context).

    Parameters
    ----------
    source
        An opened run (:func:`bthd.io.runs.open_run`) or a :class:`bthd.stages.StageContext`.
    departement
        Code of one département of the run; default the run's whole area (regional summary).
    lang
        ``"fr"`` (default) or ``"en"``.
    map_png
        The printed map (PNG) to embed, from :func:`bthd.maps.static.static_bytes`.
    map_year
        The coverage year the map shows (for its caption).
    manifest
        For a running job: manifest entries not written yet (``credits``, ``synthetic``).

    Raises
    ------
    bthd.InputError
        If the language is unknown, the run lacks a needed table (the message names the stage
        to run) or the département is not in the run (the message lists the run's).
    """
    L = labels(lang)
    s = _Source(source, manifest)
    check_tables(s)
    deps = departements(s)
    check_departement(s, departement)
    dep = None if departement is None else str(departement)
    dep_names: dict[str, str] = {}
    ld = s.table("locaux_by_departement")
    if ld is not None:
        dep_names = dict(zip(ld["departement"].astype(str), ld["name"], strict=True))
    epci_names: dict[str, str] = {}
    le = s.table("locaux_by_epci")
    if le is not None:
        epci_names = dict(zip(le["epci_siren"].astype(str), le["name"], strict=True))

    if dep is not None:
        cov = s.table("coverage_by_departement")
        assert cov is not None
        cov = cov.loc[cov["departement"].astype(str) == dep]
        area = f"{dep_names.get(dep, L['departement'])} ({dep})"
        kind = f"{L['departement']} {dep}"
    else:
        cov = s.table("coverage_by_region")
        assert cov is not None
        scope = str(s.manifest.get("parameters", {}).get("scope", ""))
        if len(deps) == 1:
            area = f"{dep_names.get(deps[0], L['departement'])} ({deps[0]})"
        else:
            area = "Bretagne"
        if scope.startswith("epci "):
            siren = scope.split()[1]
            area = f"{epci_names[siren]} (EPCI {siren})" if siren in epci_names else f"EPCI {siren}"
        whole = bool(s.manifest.get("parameters", {}).get("whole_region"))
        kind = L["region_summary"] if whole or len(deps) > 1 else L["area_summary"]
    cov = cov.sort_values("year")
    years = _years(cov)
    last = cov.iloc[-1]
    synth = s.manifest.get("synthetic", {})
    synthetic_note = str(synth.get("note", "")) if isinstance(synth, Mapping) else str(synth)
    seed = s.manifest.get("parameters", {}).get("seed")
    if synthetic_note and lang == "fr":
        synthetic_note = L["synthetic_fr"].format(seed=seed)

    blocks: list[Block] = []
    key: dict[str, str] = {}

    # key figures ------------------------------------------------------------------------
    rows = [
        [L["locaux"], fmt_int(last["locaux"], lang)],
        [f"{L['raccordables']} {years[-1]}", fmt_int(last["raccordables"], lang)],
    ]
    key["locaux"] = rows[0][1]
    step = max(1, -(-(len(years) - 1) // (EPCI_YEARS - 1)))
    shown = sorted({*years[::-1][::step][: EPCI_YEARS - 1], years[0]})[-EPCI_YEARS:]
    shown = sorted(set(shown) | {years[-1]})[-EPCI_YEARS:]
    for y in shown[1:]:
        r = cov.loc[cov["year"] == y].iloc[0]
        rows.append([f"{L['ftth_rate']} {y}", fmt_pct(r["ftth_rate"], lang)])
        key[f"rate_{y}"] = rows[-1][1]
    plan = s.table("plan_by_departement_year" if dep is not None else "plan_by_year")
    if plan is not None and dep is not None:
        plan = plan.loc[plan["departement"].astype(str) == dep]
    if plan is not None and len(plan):
        span = f"{int(plan['year'].min())}–{int(plan['year'].max())}"
        rows.append([f"{L['capex']} {span}", fmt_meur(plan["capex_eur"].sum(), lang)])
        rows.append([f"{L['public_need']} {span}", fmt_meur(plan["public_need_eur"].sum(), lang)])
    med = s.table("med_selected")
    if med is not None and dep is not None:
        med = med.loc[med["sr_id"].map(_dep_of_code) == dep]
    if med is not None and len(med):
        rows.append([f"MED : {L['operations'].lower()}", fmt_int(len(med), lang)])
        rows.append([f"MED : {L['lines'].lower()}", fmt_int(med["lines"].sum(), lang)])
        rows.append([f"MED : {L['cost'].lower()}", fmt_meur(med["cost_eur"].sum(), lang)])
    dc = s.table("design_cost_by_departement")
    cpp = None
    if dc is not None:
        if dep is not None:
            dc = dc.loc[dc["departement"].astype(str) == dep]
        if len(dc) == 1:
            cpp = float(dc["cost_per_prise_eur"].iloc[0])
    if cpp is None and dep is None:
        de = s.table("design_cost_by_epci")
        if de is not None and len(de) == 1:
            cpp = float(de["cost_per_prise_eur"].iloc[0])
    if cpp is not None:
        rows.append([L["cost_per_prise"], fmt_eur(cpp, lang)])
        key["cost_per_prise"] = rows[-1][1]
    blocks.append(Block("h1", L["key_figures"]))
    blocks.append(Block("figures", rows=rows, synthetic=True))
    if synthetic_note:
        blocks.append(Block("p", f"{L['synthetic']} : {synthetic_note}", synthetic=True))

    # coverage by year ---------------------------------------------------------------------
    blocks.append(Block("h1", L["coverage_year"]))
    blocks.append(
        Block(
            "table",
            header=[
                L["year"],
                L["locaux"],
                L["racc_short"],
                L["rate_short"],
                L["copper_med"],
                L["copper"],
                L["none"],
                L["bhd"],
                L["thd"],
            ],
            rows=[
                [
                    str(int(r["year"])),
                    fmt_int(r["locaux"], lang),
                    fmt_int(r["raccordables"], lang),
                    fmt_pct(r["ftth_rate"], lang),
                    fmt_int(r["locaux_copper_med"], lang),
                    fmt_int(r["locaux_copper"], lang),
                    fmt_int(r["locaux_none"], lang),
                    fmt_pct(r["share_bon_haut_debit"], lang),
                    fmt_pct(r["share_tres_haut_debit"], lang),
                ]
                for _, r in cov.iterrows()
            ],
            synthetic=True,
        )
    )
    blocks.append(
        Block("image", L["chart_coverage"], image=charts.coverage_chart(cov, L), synthetic=True)
    )

    # coverage by EPCI ---------------------------------------------------------------------
    ce = s.table("coverage_by_epci")
    assert ce is not None
    ce = ce.assign(epci_siren=ce["epci_siren"].astype(str))
    if dep is not None:
        pz = s.table("plan_zdep")
        lc = s.table("locaux_by_commune")
        if lc is not None:
            sirens = set(lc.loc[lc["departement"].astype(str) == dep, "epci_siren"].astype(str))
        elif pz is not None:
            sirens = set(pz.loc[pz["departement"].astype(str) == dep, "epci_siren"].astype(str))
        else:
            sirens = set(ce["epci_siren"])
        ce = ce.loc[ce["epci_siren"].isin(sirens)]
    erows: list[list[str]] = []
    names: list[str] = []
    half = [int(y) for y, r in zip(cov["year"], cov["ftth_rate"], strict=True) if r >= 0.5]
    chart_years = sorted({half[0], years[-1]}) if half else [years[-1]]
    rates: dict[int, list[float]] = {y: [] for y in chart_years}
    for code, grp in ce.sort_values(["epci_siren", "year"]).groupby("epci_siren", sort=True):
        rate = grp.set_index("year")["ftth_rate"]
        name = epci_names.get(str(code), str(code))
        erows.append(
            [name, fmt_int(float(grp["locaux"].iloc[-1]), lang)]
            + [fmt_pct(float(rate[y]), lang) if y in rate.index else "–" for y in shown]
        )
        names.append(name)
        for y in chart_years:
            rates[y].append(float(rate[y]) if y in rate.index else 0.0)
    blocks.append(Block("h1", L["coverage_epci"]))
    blocks.append(
        Block(
            "table",
            header=[L["epci"], L["locaux"], *(f"{L['rate_short']} {y}" for y in shown)],
            rows=erows,
            synthetic=True,
        )
    )
    if len(names) > 1:
        blocks.append(
            Block(
                "image",
                L["chart_epci"].format(years=f" {L['and']} ".join(map(str, chart_years))),
                image=charts.epci_chart(names, rates, L),
                synthetic=True,
            )
        )

    # map ----------------------------------------------------------------------------------
    blocks.append(Block("pagebreak"))
    blocks.append(Block("h1", L["map"]))
    if map_png:
        blocks.append(
            Block(
                "image",
                L["map_caption"].format(year=map_year, area=area),
                image=map_png,
                synthetic=True,
            )
        )
    else:
        blocks.append(Block("p", L["no_map"]))

    # plan ---------------------------------------------------------------------------------
    from bthd.reports._plan import med_blocks, plan_blocks

    blocks.append(Block("pagebreak"))
    blocks += plan_blocks(s, plan, dep, L, lang)
    blocks += med_blocks(med, L, lang)

    # method, sources, parameters ----------------------------------------------------------
    blocks.append(Block("pagebreak"))
    blocks.append(Block("h1", L["method"]))
    blocks += [Block("p", L[f"method_{i}"]) for i in range(1, 6)]
    blocks.append(Block("p", L["generated"]))
    blocks.append(Block("h1", L["sources"]))
    credits = str(s.manifest.get("credits", ""))
    srcs = [c.strip() for c in re.split(r";\s+(?=[A-Za-zÀ-ÿ]+ ?[–:-])", credits) if c.strip()]
    if lang == "fr":
        srcs = [
            c.replace("backbone:", "dorsale :").replace(
                "press release of", "communiqué de presse du"
            )
            for c in srcs
        ]
    blocks += [Block("p", "• " + c) for c in srcs]
    blocks.append(Block("h1", L["parameters"]))
    params = dict(s.manifest.get("parameters", {}))
    prow = [
        [
            L.get(f"param_{k}", str(k)),
            ", ".join(map(str, v)) if isinstance(v, list | tuple) else L.get(str(v), str(v)),
        ]
        for k, v in params.items()
        if v not in (None, {}, [], "") and k != "inputs"
    ]
    blocks.append(Block("figures", rows=prow))
    if synthetic_note:
        blocks.append(Block("h1", L["synthetic"]))
        blocks.append(Block("p", synthetic_note, synthetic=True))
        layers = synth.get("layers") if isinstance(synth, Mapping) else None
        if layers:
            made = [L.get(f"layer_{n}", str(n)) for n in layers]
            blocks.append(Block("p", "• " + ", ".join(made), synthetic=True))

    title = f"{L['title']} — {kind}"
    return ReportContent(
        lang=lang,
        title=title,
        area=area,
        run_date=_run_date(s),
        synthetic_note=synthetic_note,
        blocks=blocks,
        key=key,
    )
