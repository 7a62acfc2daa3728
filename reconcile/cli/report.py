"""``reconcile report``: rebuild a run's report.html from its saved outputs (no refit)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from reconcile.cli.common import EXIT_INPUT, EXIT_OUTPUT, draw_off_screen, fail, printable


@click.command("report", short_help="Rebuild OUT_DIR/report.html from a run's saved outputs.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where the run's dataset is now (default: the folder "
                                 "run.json names); its files must be the ones the run read.")
def report(out_dir: Path, data_dir: Path | None) -> None:
    """Rebuild OUT_DIR/report.html from run.json, posterior.nc and the sensitivity tables a
    run wrote, without refitting: the same numbers, the current report. Only report.html
    is replaced."""
    draw_off_screen()
    from reconcile.errors import ConfigError, DatasetError
    from reconcile.rebuild import RebuildError, rebuild_report
    from reconcile.report.writing import why

    started = time.perf_counter()
    try:
        path = rebuild_report(out_dir, data_dir)
    except (RebuildError, ConfigError) as exc:
        fail(f"reconcile: {exc}", EXIT_INPUT)
    except DatasetError as exc:
        fail(f"{data_dir or 'the dataset run.json names'}: {exc}", EXIT_INPUT)
    except (KeyError, ValueError) as exc:  # a run.json or CSV not as a run writes it
        fail(f"reconcile: {out_dir}: the saved outputs are not as `reconcile run` writes "
             f"them ({type(exc).__name__}: {exc}).", EXIT_INPUT)
    except OSError as exc:
        fail(f"reconcile: {exc.filename or out_dir}: {why(exc)}", EXIT_OUTPUT)
    click.echo(printable(f"Wrote {path} in {time.perf_counter() - started:.1f} s"))
