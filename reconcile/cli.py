"""The ``reconcile`` command: a thin layer over the Python API.

Exit status: 0 success; 2 invalid input (dataset or model configuration; nothing written);
3 the run finished but its diagnostics failed (outputs kept only with --allow-bad-diagnostics);
4 the model could not be built or sampled.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from reconcile import __version__

EXIT_INPUT = 2
EXIT_DIAGNOSTICS = 3
EXIT_MODEL = 4


def _fail(message: str, status: int) -> None:
    click.echo(_printable(message), err=True)
    sys.exit(status)


def _printable(text: str) -> str:
    """Drop terminal control characters (escape sequences) that text from a dataset may hold."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Reconcile conflicting casualty claims into estimated ranges."""


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


if __name__ == "__main__":  # pragma: no cover
    main()
