"""``bthd map``: the interactive web map (and printed maps) of an existing run folder."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors


def _names(epci: str | None) -> str:
    return "map" if epci is None else f"map_epci_{epci}"


def map_command(
    run: Path = typer.Argument(..., help="Run folder (from bthd demo, bthd design...)."),
    year: int | None = typer.Option(
        None,
        "--year",
        min=1990,
        max=2100,
        help="Year of the commune coverage (default: the first year half the locaux are FTTH).",
    ),
    epci: str | None = typer.Option(
        None, "--epci", help="Only this EPCI (SIREN): premises, PBOs and distribution drawn."
    ),
    static: str | None = typer.Option(
        None, "--static", help="Also the printed map: png, pdf or png,pdf."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write the page to this file (static maps beside it) instead of into the run.",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing map files."),
) -> None:
    """Draw a run: map.html (self-contained, works offline) and optional PNG/PDF maps.

    Files go into the run folder (manifest stage "map") unless --out is given;
    with --epci SIREN they are named map_epci_SIREN.*.
    """
    from bthd._errors import ParameterError
    from bthd.io import check_output
    from bthd.io.runs import open_run
    from bthd.maps.content import map_content
    from bthd.maps.static import FORMATS, static_bytes, write_static_maps
    from bthd.maps.web import render_html, write_web_map

    t0 = time.perf_counter()
    formats = tuple(f.strip().lower() for f in static.split(",") if f.strip()) if static else ()
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ParameterError(
            f"--static {static}: unknown format {', '.join(bad)}; use png, pdf or png,pdf"
        )
    r = open_run(run)
    stem = out.with_suffix("") if out is not None else r.path / _names(epci)
    targets = [out or stem.with_suffix(".html"), *(Path(f"{stem}.{f}") for f in formats)]
    for p in targets:  # refuse before any work
        check_output(p, overwrite=overwrite)
    mc = map_content(r, year=year, epci=epci)
    written: list[Path] = []
    if out is not None:
        written.append(write_web_map(mc, out, overwrite=overwrite))
        if formats:
            written += write_static_maps(
                mc, out.with_suffix(""), formats=formats, overwrite=overwrite
            )
    else:
        params = {"year": mc.year, "epci": epci, "static": list(formats), "detail": mc.detail}
        page = render_html(mc)
        pictures = static_bytes(mc, formats) if formats else {}
        with r.add(stage="map", parameters=params, overwrite=overwrite) as w:
            w.write_text(f"{stem.name}.html", page)
            for fmt, data in pictures.items():
                w.write_bytes(f"{stem.name}.{fmt}", data)
        written = targets
    for p in written:
        console.print(f"{p} ({p.stat().st_size / 1e6:.2f} MB)")
    console.print(
        f"{mc.title}: coverage {mc.year}, {'detail' if mc.detail else 'overview'} scale "
        f"(done in {time.perf_counter() - t0:.1f} s). Premises, roads, copper plant and the "
        "network designed on them are SYNTHETIC (seeded); locaux counts are real (Arcep T1 2018)."
    )


def register(app: typer.Typer) -> None:
    app.command("map")(handle_errors(map_command))
