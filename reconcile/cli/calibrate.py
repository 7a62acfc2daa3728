"""``reconcile calibrate``: a thin layer over ``reconcile.calibration``.

Exit status: 0 when the model's own process calibrates (uniform ranks, nominal coverage,
no failed fit); 3 when it does not; 2 for invalid input; 5 when the outputs cannot be
written. Misspecification scenarios are reported, not judged: they show where coverage
holds and where it breaks.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconcile.calibration.catalog import SCENARIO_DESCRIPTIONS, WELL_SPECIFIED
from reconcile.cli.common import (
    EXIT_DIAGNOSTICS, EXIT_INPUT, EXIT_OUTPUT, draw_off_screen, fail, printable, shipped_models,
)


@click.command("calibrate", short_help="Check that the intervals are calibrated (simulations).")
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: DATA_DIR/../reconcile-calibration).")
@click.option("--model", "models", multiple=True,
              help=f"Model configuration(s) to calibrate: TOML files or shipped names "
                   f"({shipped_models()}; repeat; default: default).")
@click.option("--scenario", "scenarios", multiple=True,
              type=click.Choice([*SCENARIO_DESCRIPTIONS, "all"]),
              help="Data-generating process(es) (repeat; default: model, the model's own).")
@click.option("--simulations", type=click.IntRange(min=2), default=100, show_default=True,
              help="Simulated datasets per model and scenario.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--draws", type=click.IntRange(min=10), default=None, help="Draws per chain per fit.")
@click.option("--tune", type=click.IntRange(min=10), default=None, help="Tuning steps per chain.")
@click.option("--chains", type=click.IntRange(min=1), default=None, help="Chains per fit.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes of the local Dask cluster.")
@click.option("--scheduler", default=None,
              help="Address of a running Dask scheduler (e.g. tcp://host:8786) to use instead.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: when the terminal is interactive).")
def calibrate(data_dir: Path, out_dir: Path | None, models: tuple[str, ...],
              scenarios: tuple[str, ...], simulations: int, seed: int, draws: int | None,
              tune: int | None, chains: int | None, workers: int, scheduler: str | None,
              force: bool, progress: bool | None) -> None:
    """Simulation-based calibration and coverage under misspecification, on datasets shaped
    like DATA_DIR; writes calibration.csv, fits.csv, calibration.json, calibration.html."""
    import sys

    from reconcile.config import load_config
    from reconcile.dataset import load_dataset
    from reconcile.errors import ConfigError, DatasetError
    from reconcile.report.writing import OutputError, OutputWriteError, check_output_dir

    draw_off_screen()

    out_dir = out_dir or Path(data_dir).resolve().parent / "reconcile-calibration"
    chosen = list(SCENARIO_DESCRIPTIONS) if "all" in scenarios else list(scenarios or ["model"])
    try:
        check_output_dir(out_dir, force, Path(data_dir))
        configs = [load_config(name) for name in (models or ["default"])]
        structure = load_dataset(data_dir, configs[0].lexicon)
    except DatasetError as exc:
        fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except (ConfigError, OutputError) as exc:
        fail(str(exc), EXIT_INPUT)
    overrides = {k: v for k, v in {"draws": draws, "tune": tune, "chains": chains}.items()
                 if v is not None}
    sampler = configs[0].preset_sampler("calibration").model_copy(update=overrides)
    show_bar = sys.stderr.isatty() if progress is None else progress

    from reconcile.calibration import calibrate as run_study
    from reconcile.calibration.outputs import write_calibration

    try:
        with _progress(len(configs) * len(chosen) * simulations, show_bar) as advance:
            result = run_study(structure, models=configs, scenarios=chosen,
                               simulations=simulations, seed=seed, sampler=sampler,
                               scheduler=scheduler, workers=workers, on_done=advance)
    except KeyboardInterrupt:
        fail("reconcile: calibration interrupted; nothing was written.", 130)
    try:
        write_calibration(result, out_dir, replace=force)
    except OutputWriteError as exc:
        fail(f"reconcile: {exc}", EXIT_OUTPUT)
    failures = _failures(result)
    for line in _verdict_lines(result):
        click.echo(printable(line))
    if failures:
        fail("reconcile: CALIBRATION FAILED: " + "; ".join(failures)
              + f". Details in {out_dir / 'calibration.html'}.", EXIT_DIAGNOSTICS)
    click.echo(printable(f"Wrote {out_dir}: calibration.html, calibration.json, "
                          "calibration.csv, fits.csv"))


def _failures(result) -> list[str]:
    """Why the model's own process does not calibrate (misspecified scenarios are only
    reported)."""
    reasons = []
    for key, verdict in result.verdicts().items():
        scenario = key.split("/", 1)[1]
        if verdict["failed"]:
            reasons.append(f"{key}: {verdict['failed']} of {verdict['fits']} fits failed")
        if scenario not in WELL_SPECIFIED:
            continue
        if verdict["rejected_at_1pct_holm"]:
            reasons.append(f"{key}: {verdict['rejected_at_1pct_holm']} parameter(s) with "
                           "non-uniform ranks")
        if not verdict["coverage_90_nominal"]:
            reasons.append(f"{key}: 90% coverage {verdict['coverage_90']:.3f} is not nominal")
    return reasons


def _verdict_lines(result) -> list[str]:
    lines = []
    for key, v in result.verdicts().items():
        lines.append(f"{key}: {v['fits'] - v['failed']}/{v['fits']} fits, 90% coverage "
                     f"{v['coverage_90']:.3f} ± {v['coverage_90_se']:.3f}, "
                     f"{v['rejected_at_1pct_holm']} of {v['tests']} uniformity tests rejected")
    return lines


class _progress:
    """A rich progress bar advanced once per finished fit (a no-op when hidden)."""

    def __init__(self, total: int, visible: bool) -> None:
        self.total, self.visible = total, visible

    def __enter__(self):
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]reconcile[/bold] calibrating"), BarColumn(),
                            MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
                            TimeRemainingColumn(), disable=not self.visible, transient=False)
        self.bar.__enter__()
        self.task = self.bar.add_task("fits", total=self.total, failed=0)
        self.failed = 0

        def advance(record) -> None:
            self.failed += 0 if record.ok else 1
            self.bar.update(self.task, advance=1, failed=self.failed)

        return advance

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)
