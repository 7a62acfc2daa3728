"""The ``reconcile`` command: a thin layer over the Python API.

Exit status (the README's table): 0 success; 2 invalid input (dataset, model configuration or
OUT_DIR refused; nothing written); 3 the run finished but its diagnostics failed (outputs
kept, marked as failed, only with --allow-bad-diagnostics); 4 the model could not be built or
sampled; 5 the outputs could not be written (disk full, read-only or unwritable folder);
130 / 143 stopped by SIGINT / SIGTERM (nothing written, earlier outputs intact).
"""

from __future__ import annotations

import signal
import sys
import time
import warnings
from pathlib import Path

import click

from reconcile import __version__

EXIT_INPUT = 2
EXIT_DIAGNOSTICS = 3
EXIT_MODEL = 4
EXIT_OUTPUT = 5


def _fail(message: str, status: int) -> None:
    click.echo(_printable(message), err=True)
    sys.exit(status)


def _printable(text: str) -> str:
    """Drop terminal control characters (escape sequences) that text from a dataset may hold."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings from libraries can quote dataset text (matplotlib names a glyph it lacks):
    they reach the terminal through _printable too."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    try:
        (file or sys.stderr).write(_printable(text))
    except (OSError, ValueError):  # stderr closed: a warning is not worth a crash
        pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Reconcile conflicting casualty claims into estimated ranges."""
    warnings.showwarning = _show_warning


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--model", "model", default=None,
              help="Model configuration (TOML file or packaged name); supplies the lexicon.")
def check(data_dir: Path, model: str | None) -> None:
    """Validate DATA_DIR; exit 0 if valid, 2 with every problem listed if not."""
    from reconcile.config import load_config
    from reconcile.dataset import load_dataset
    from reconcile.errors import ConfigError, DatasetError

    started = time.perf_counter()
    try:
        config = load_config(model)
        dataset = load_dataset(data_dir, config)
    except ConfigError as exc:
        _fail(str(exc), EXIT_INPUT)
    except DatasetError as exc:
        _fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except OSError as exc:  # a path the file system refuses (e.g. --model name too long)
        _fail(f"{exc.filename or data_dir}: {exc.strerror or exc}", EXIT_INPUT)
    elapsed = time.perf_counter() - started
    click.echo(_printable(f"{data_dir}: valid. {dataset.summary()}. ({elapsed:.2f} s)"))


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: DATA_DIR/../reconcile-out).")
@click.option("--model", "model", default=None, help="Model configuration: TOML file or name.")
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
@click.option("--progress/--no-progress", default=None,
              help="Progress bars (default: when the terminal is interactive).")
@click.option("--sensitivity/--no-sensitivity", default=None,
              help="Refit without each source and with the other anchor, and power-scale the "
                   "priors, for the report's sensitivity section (default: when at most 40 "
                   "sources make claims; one short refit per source).")
def run(data_dir: Path, out_dir: Path | None, model: str | None, seed: int, force: bool,
        allow_bad_diagnostics: bool, draws: int | None, tune: int | None, chains: int | None,
        backend: str | None, method: str | None, advi_iterations: int | None,
        progress: bool | None, sensitivity: bool | None) -> None:
    """Fit the model to DATA_DIR and write estimates, diagnostics and the report."""
    from rich.console import Console

    draw_off_screen()

    console = Console(stderr=True, highlight=False)
    show_bars = sys.stderr.isatty() if progress is None else progress
    from reconcile.config import load_config
    from reconcile.errors import ConfigError, DatasetError, ModelBuildError
    from reconcile.interrupt import Interrupted, interruptible
    from reconcile.outputs import OutputError, OutputWriteError

    try:
        config = load_config(model)
    except ConfigError as exc:
        _fail(str(exc), EXIT_INPUT)
    except OSError as exc:  # a path the file system refuses (e.g. --model name too long)
        _fail(f"{exc.filename or model}: {exc.strerror or exc}", EXIT_INPUT)
    overrides = {k: v for k, v in {"draws": draws, "tune": tune, "chains": chains,
                                   "backend": backend, "method": method,
                                   "advi_iterations": advi_iterations}.items()
                 if v is not None}
    sampler = config.sampler.model_copy(update=overrides) if overrides else None

    phase = ["starting"]

    def say(message: str) -> None:
        phase[0] = message
        console.print(f"[bold]reconcile[/bold] {message}...")

    try:
        with interruptible():
            from reconcile.run import run as run_pipeline

            result = run_pipeline(data_dir, out_dir, model=model, seed=seed, replace=force,
                                  sampler=sampler, allow_bad_diagnostics=allow_bad_diagnostics,
                                  progress=say, progressbar=show_bars,
                                  with_sensitivity=sensitivity)
    except DatasetError as exc:
        _fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except OutputWriteError as exc:
        _fail(f"reconcile: {exc}", EXIT_OUTPUT)
    except (ConfigError, OutputError) as exc:
        _fail(str(exc), EXIT_INPUT)
    except ModelBuildError as exc:
        _fail(f"reconcile: {exc}", EXIT_MODEL)
    except Interrupted as exc:
        _fail(_interrupted_message(exc, phase[0]), exc.exit_status)
    except KeyboardInterrupt:
        _fail(_interrupted_message(Interrupted(signal.SIGINT), phase[0]), 130)
    for warning in result.warnings:
        click.echo(_printable(f"reconcile: WARNING: {warning}"), err=True)
    diagnostics = result.tables.diagnostics
    if not result.ok:
        reasons = "; ".join(diagnostics["reasons"])
        where = (f"outputs kept for inspection in {result.out_dir}" if result.out_dir
                 else "nothing was written (use --allow-bad-diagnostics to keep the outputs)")
        _fail(f"reconcile: DIAGNOSTICS FAILED: {reasons}. Do not cite these numbers; {where}. "
              "Try more draws (--draws) or check the claims flagged in the report.",
              EXIT_DIAGNOSTICS)
    if diagnostics.get("approximate"):
        click.echo(_printable(f"reconcile: WARNING: {diagnostics['caveat']}"), err=True)
    total = result.run_info["timings"].get("total_s", 0.0)
    click.echo(_printable(f"Wrote {result.out_dir} in {total:.1f} s: report.html, "
                          "estimates.csv, sources.csv, claims.csv, diagnostics.json, "
                          "posterior.nc, run.json"))


def draw_off_screen() -> None:
    """Figures go into files: matplotlib's Agg backend, never a window (the library itself
    leaves the backend to its caller, e.g. inline plots in Jupyter)."""
    import matplotlib

    matplotlib.use("Agg")


def _interrupted_message(exc, phase: str) -> str:
    if exc.outputs_written is not None:
        return (f"reconcile: stopped by {exc.name} just after the new outputs were complete; "
                f"{exc.outputs_written} holds them.")
    return (f"reconcile: stopped by {exc.name} while {phase}; nothing was written and earlier "
            "outputs are intact.")


def _register_commands() -> None:
    from reconcile.calibrate_cli import calibrate

    main.add_command(calibrate)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
