"""``bthd report``: the commission report (HTML and A4 PDF) of an existing run folder."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors


def report_command(
    run: Path = typer.Argument(..., help="Run folder (from bthd demo, bthd plan...)."),
    fmt: str = typer.Option("html,pdf", "--format", help="html, pdf or html,pdf."),
    departement: str | None = typer.Option(
        None, "--departement", help="One département of the run (default: the whole area)."
    ),
    lang: str = typer.Option("fr", "--lang", help="fr (default) or en."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write into this folder instead of into the run."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing report files."),
) -> None:
    """Write report.html and report.pdf: key figures, coverage, map, plan, MED, sources.

    Files go into the run folder (manifest stage "report") unless --out DIR is given.
    """
    from bthd.io import check_output
    from bthd.io.runs import open_run
    from bthd.stages.report import build

    t0 = time.perf_counter()
    formats = tuple(f.strip().lower() for f in fmt.split(",") if f.strip())
    r = open_run(run)
    folder = out if out is not None else r.path
    files = build(r, departement=departement, lang=lang, formats=formats)  # checks the input
    for name in files:  # refuse before writing anything
        check_output(folder / name, overwrite=overwrite)
    if out is not None:
        from bthd.io import atomic_file

        for name, data in files.items():
            with atomic_file(out / name, overwrite=overwrite) as tmp:
                tmp.write_bytes(data)
    else:
        params = {"departement": departement, "lang": lang, "formats": list(formats)}
        with r.add(stage="report", parameters=params, overwrite=overwrite) as w:
            for name, data in files.items():
                w.write_bytes(name, data)
    for name in files:
        p = folder / name
        console.print(f"{p} ({p.stat().st_size / 1e6:.2f} MB)")
    console.print(
        f"Report done in {time.perf_counter() - t0:.1f} s. Figures are model results on "
        "SYNTHETIC premises and roads (seeded); locaux counts are real (Arcep T1 2018)."
    )


def register(app: typer.Typer) -> None:
    app.command("report")(handle_errors(report_command))
