"""The ``bthd`` command line: thin commands over the library.

Each command lives in its own module of this package and exposes ``register(app)``; modules are
discovered here, so adding a command is adding a file. A command only parses its options, calls
the library and writes or prints the result (the model is rasterio's ``rio``).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

import typer

from bthd import __version__

app = typer.Typer(
    name="bthd",
    help="Plan and follow a regional public FTTH network (modelled on Bretagne Très Haut Débit).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bthd {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More log output (-vv: debug)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """bthd: plan and follow a regional public FTTH network."""
    from rich.logging import RichHandler

    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose == 1 else logging.WARNING)
    )
    root = logging.getLogger("bthd")
    root.handlers[:] = [RichHandler(show_path=False, show_time=False, markup=False)]
    root.setLevel(level)


def _register_all() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    """Entry point of the ``bthd`` script."""
    app()
