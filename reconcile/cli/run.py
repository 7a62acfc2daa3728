"""``reconcile run``: fit a dataset and write its outputs (a thin layer over
``reconcile.pipeline``)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from reconcile.cli.common import (
    EXIT_DIAGNOSTICS, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT, draw_off_screen, fail,
    Heartbeat, interrupted_message, printable, shipped_models,
)

LOG_EVERY_S = 60.0  # a progress line this often when stderr is not a terminal


@click.command("run", short_help="Fit a dataset; write estimates, checks and the report.")
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: DATA_DIR/../reconcile-out/<DATA_DIR name>).")
@click.option("--model", "model", default=None,
              help=f"Model configuration: a TOML file, or a shipped model's name "
                   f"({shipped_models()}; default: default).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--allow-bad-diagnostics", is_flag=True,
              help="Keep the outputs when convergence diagnostics fail (marked as failed).")
@click.option("--draws", type=int, default=None,
              help="Draws per chain (default: the model's); with --method advi, all draws.")
@click.option("--tune", type=int, default=None, help="Tuning steps per chain.")
@click.option("--chains", type=int, default=None, help="Number of chains.")
@click.option("--sampler", "backend", type=click.Choice(["nutpie", "pymc", "numpyro"]),
              default=None, help="NUTS implementation (default: the model's, nutpie).")
@click.option("--method", type=click.Choice(["nuts", "advi"]), default=None,
              help="nuts (default) or advi: the fast path for archives NUTS cannot fit in "
                   "time. ADVI's intervals can be much too narrow: screen with it, cite NUTS.")
@click.option("--advi-iterations", type=click.IntRange(min=100), default=None,
              help="ADVI iterations (default: the model's, 20,000).")
@click.option("--max-time", "max_time", type=click.FloatRange(min=0), default=None,
              help="Seconds that sampling again with more draws may take when the "
                   "diagnostics fail only for want of draws (default: the model's, 600; "
                   "0: never).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars (default: when the terminal is interactive).")
@click.option("--log-every", "log_every", type=click.FloatRange(min=0), default=None,
              help="Seconds between 'still sampling' lines on stderr (default: 60 when "
                   "stderr is not a terminal, as in a log file; 0: never).")
@click.option("--scheduler", default=None,
              help="Sample the chains on a Dask cluster, one task per chain: the address of "
                   "its scheduler (e.g. tcp://host:8786), or 'local' for a LocalCluster with "
                   "a worker per chain. Chains are seeded per chain: the same numbers on any "
                   "cluster (not those of a run without --scheduler).")
@click.option("--sensitivity/--no-sensitivity", default=None,
              help="Refit without each source and with the other anchor, and power-scale the "
                   "priors, for the report's sensitivity section (default: when at most 40 "
                   "sources make claims; one short refit per source).")
def run(data_dir: Path, out_dir: Path | None, model: str | None, seed: int, force: bool,
        allow_bad_diagnostics: bool, draws: int | None, tune: int | None, chains: int | None,
        backend: str | None, method: str | None, advi_iterations: int | None,
        max_time: float | None, progress: bool | None, log_every: float | None,
        scheduler: str | None, sensitivity: bool | None) -> None:
    """Fit the model to DATA_DIR and write estimates, diagnostics and the report."""
    from rich.console import Console

    draw_off_screen()

    console = Console(stderr=True, highlight=False)
    show_bars = sys.stderr.isatty() if progress is None else progress
    from reconcile.config import load_config, resolve_model_path
    from reconcile.errors import ConfigError, DatasetError, ModelBuildError
    from reconcile.interrupt import Interrupted, interruptible
    from reconcile.report.outputs import outputs_written
    from reconcile.report.writing import OutputError, OutputWriteError

    try:
        model_path = resolve_model_path(model)
        config = load_config(model_path)
    except ConfigError as exc:
        fail(str(exc), EXIT_INPUT)
    except OSError as exc:  # a path the file system refuses (e.g. --model name too long)
        fail(f"{exc.filename or model}: {exc.strerror or exc}", EXIT_INPUT)
    overrides = {k: v for k, v in {"draws": draws, "tune": tune, "chains": chains,
                                   "backend": backend, "method": method,
                                   "advi_iterations": advi_iterations,
                                   "max_time_s": max_time}.items()
                 if v is not None}
    sampler = config.sampler.model_copy(update=overrides) if overrides else None

    phase = ["starting (loading the libraries)"]

    def say(message: str) -> None:
        phase[0] = message
        console.print(f"[bold]reconcile[/bold] {message}...")

    every = log_every if log_every is not None else (0.0 if show_bars else LOG_EVERY_S)
    try:
        with interruptible(), Heartbeat(every, phase), _cluster(scheduler, sampler or
                                                                  config.sampler) as client:
            from reconcile.pipeline import run as run_pipeline

            result = run_pipeline(data_dir, out_dir, model=model_path, config=config, seed=seed,
                                  replace=force,
                                  sampler=sampler, allow_bad_diagnostics=allow_bad_diagnostics,
                                  progress=say, progressbar=show_bars,
                                  with_sensitivity=sensitivity, client=client)
    except DatasetError as exc:
        fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except OutputWriteError as exc:
        fail(f"reconcile: {exc}", EXIT_OUTPUT)
    except (ConfigError, OutputError) as exc:
        fail(str(exc), EXIT_INPUT)
    except ModelBuildError as exc:
        fail(f"reconcile: {exc}", EXIT_MODEL)
    except Interrupted as exc:
        fail(interrupted_message(exc, phase[0]), exc.exit_status)
    except KeyboardInterrupt:
        fail(interrupted_message(Interrupted(signal.SIGINT), phase[0]), 130)
    for warning in result.warnings:
        click.echo(printable(f"reconcile: WARNING: {warning}"), err=True)
    diagnostics = result.tables.diagnostics
    extended = diagnostics.get("extension_note", "")
    if not result.ok:
        reasons = "; ".join(diagnostics["reasons"])
        where = (f"outputs kept for inspection in {result.out_dir}" if result.out_dir
                 else "nothing was written (use --allow-bad-diagnostics to keep the outputs)")
        fail(f"reconcile: DIAGNOSTICS FAILED: {reasons}. {extended + ' ' if extended else ''}"
             f"Do not cite these numbers; {where}. Try more draws (--draws) or tuning steps "
             "(--tune), or check the claims flagged in the report.", EXIT_DIAGNOSTICS)
    if extended:
        click.echo(printable(f"reconcile: {extended}"), err=True)
    if diagnostics.get("approximate"):
        click.echo(printable(f"reconcile: WARNING: {diagnostics['caveat']}"), err=True)
    total = result.run_info["timings"].get("total_s", 0.0)
    written = outputs_written(result.tables.sensitivity is not None, len(result.tables.tolls) > 0)
    click.echo(printable(f"Wrote {result.out_dir} in {total:.1f} s: {', '.join(written)}"))


@contextmanager
def _cluster(scheduler: str | None, sampler) -> Iterator[object | None]:
    """A Dask client for --scheduler (a LocalCluster of one worker per chain for 'local'),
    or None: the chains then run on this machine's threads."""
    if scheduler is None:
        yield None
        return
    from reconcile.cluster import dask_client
    from reconcile.errors import ConfigError

    with ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(
                None if scheduler == "local" else scheduler, workers=sampler.chains))
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler could be reached "
                              f"({type(exc).__name__}: {exc}). Give a running scheduler's "
                              "address (tcp://host:8786) or 'local'.") from exc
        yield client
