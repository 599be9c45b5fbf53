"""``bthd compare``: plans side by side, as tables and charts (PNG)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from bthd.cli._common import console, handle_errors, print_table


def compare(
    runs: list[Path] = typer.Argument(
        ..., help="Run folders written by `bthd plan` (two or more)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
    label: list[str] | None = typer.Option(
        None, "--label", "-l", help="A short name per run, in order (repeat the option)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run folder."),
) -> None:
    """Compare plans: total and public cost, funders, coverage curves, equity, date of 100 %."""
    handle_errors(_run)(runs, out, label or None, overwrite)


def _run(runs: list[Path], out: Path, labels: list[str] | None, overwrite: bool) -> None:
    from bthd.io import check_output
    from bthd.io.runs import run_folder
    from bthd.phasing.charts import charts
    from bthd.phasing.compare import compare as compare_plans

    check_output(out, overwrite=overwrite)
    tables = compare_plans(runs, labels)
    with run_folder(
        out,
        command="bthd compare",
        parameters={"runs": [str(r) for r in runs], "labels": labels},
        overwrite=overwrite,
    ) as rf:
        for r in runs:
            rf.add_input(f"plan {r}", Path(r) / "manifest.json")
        for name in sorted(tables):
            rf.write_table(name, tables[name])
        with tempfile.TemporaryDirectory() as tmp:
            for png in charts(tables, tmp):
                rf.write_bytes(f"charts/{png.name}", png.read_bytes())
    s = tables["compare_summary"]
    shown = s[["run", "lines", "coverage_end"]].copy()
    shown["100 % year"] = s["year_100pct"]
    for col in ("capex_eur", "public_cost_eur", "fsn_eur", "epci_eur", "own_funds_eur"):
        shown[col.replace("_eur", " (M€)")] = (s[col] / 1e6).round(1)
    shown["EPCI 100 % (P10–P90)"] = [
        f"{a:.0f}–{b:.0f}" for a, b in zip(s["epci_p10_100pct"], s["epci_p90_100pct"], strict=True)
    ]
    print_table(shown, "Plans side by side")
    console.print(
        f"Run folder: {out} (tables/compare_*.csv, charts/coverage.png, funding.png, "
        "equity.png, rural_share.png). Plans on a SYNTHETIC design."
    )


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
