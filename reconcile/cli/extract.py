"""``reconcile extract``: propose claims from the documents; accept the reviewed rows."""

from __future__ import annotations

import time
from pathlib import Path

import click

from reconcile.cli.common import EXIT_INPUT, EXIT_OUTPUT, fail, printable, shipped_models


@click.command("extract", short_help="Propose claims from the documents (a draft to review).")
@click.argument("data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--accept", "accept", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Append this reviewed draft's rows marked 'keep' to "
                                 "claims.csv (all validated first; refused whole if any fails).")
@click.option("--replace", is_flag=True, help="Overwrite a draft that has rows marked in its "
                                              "status column.")
@click.option("--model", "model", default=None,
              help=f"Model configuration (a TOML file, or a shipped model's name: "
                   f"{shipped_models()}); supplies the vague words to look for.")
def extract(data_dir: Path, accept: Path | None, replace: bool, model: str | None) -> None:
    """Write DATA_DIR/claims.draft.csv and claims.draft.html: one row per casualty figure
    found in DATA_DIR/documents/, never touching claims.csv. With --accept, append the rows a
    curator marked 'keep' to claims.csv."""
    from reconcile.config import load_config
    from reconcile.errors import ConfigError, DatasetError
    from reconcile.extraction import DraftExists, accept_draft, extract_claims

    started = time.perf_counter()
    try:
        config = load_config(model)
        if accept is not None:
            appended = accept_draft(data_dir, accept, config.lexicon)
            click.echo(printable(f"{data_dir}: {appended} claims accepted from {accept} into "
                                 "claims.csv." if appended else
                                 f"{accept}: no row has 'keep' in its status column; nothing "
                                 "accepted."))
            return
        result = extract_claims(data_dir, config.lexicon, replace=replace)
    except (ConfigError, DraftExists) as exc:
        fail(str(exc), EXIT_INPUT)
    except DatasetError as exc:
        fail(f"{data_dir}: {exc}", EXIT_INPUT)
    except OSError as exc:
        fail(f"{exc.filename or data_dir}: {exc.strerror or exc}", EXIT_OUTPUT)
    elapsed = time.perf_counter() - started
    click.echo(printable(
        f"{data_dir}: {len(result.draft.rows)} candidate figures in "
        f"{len(result.draft.texts)} documents ({elapsed:.1f} s).\n"
        f"  draft:  {result.draft_path}  (write 'keep' in the status column of rows to accept)\n"
        f"  review: {result.review_path}"))
