"""``reconcile check``: validate a dataset, every problem listed at once."""

from __future__ import annotations

import time
from pathlib import Path

import click

from reconcile.cli.common import EXIT_INPUT, fail, printable, shipped_models


@click.command("check", short_help="Validate a dataset folder (exit 0 valid, 2 not).")
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--model", "model", default=None,
              help=f"Model configuration (a TOML file, or a shipped model's name: "
                   f"{shipped_models()}); supplies the lexicon.")
def check(data_dir: Path, model: str | None) -> None:
    """Validate DATA_DIR; exit 0 if valid, 2 with every problem listed if not."""
    from reconcile.config import load_config
    from reconcile.dataset import load_dataset
    from reconcile.errors import ConfigError, DatasetError

    started = time.perf_counter()
    try:
        config = load_config(model)
        dataset = load_dataset(data_dir, config.lexicon)
    except ConfigError as exc:
        fail(str(exc), EXIT_INPUT)
    except DatasetError as exc:
        fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except OSError as exc:  # a path the file system refuses (e.g. --model name too long)
        fail(f"{exc.filename or data_dir}: {exc.strerror or exc}", EXIT_INPUT)
    elapsed = time.perf_counter() - started
    click.echo(printable(f"{data_dir}: valid. {dataset.summary()}. ({elapsed:.2f} s)"))
