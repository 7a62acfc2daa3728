"""The ``reconcile`` command: a thin layer over the Python API.

Exit status (the README's table): 0 success; 2 invalid input (dataset, model configuration or
OUT_DIR refused; nothing written); 3 the run finished but its diagnostics failed (outputs
kept, marked as failed, only with --allow-bad-diagnostics); 4 the model could not be built or
sampled; 5 the outputs could not be written (disk full, read-only or unwritable folder);
130 / 143 stopped by SIGINT / SIGTERM (nothing written, earlier outputs intact).
"""

from __future__ import annotations

import warnings

import click

from reconcile import __version__
from reconcile.cli.calibrate import calibrate
from reconcile.cli.check import check
from reconcile.cli.extract import extract
from reconcile.cli.report import report
from reconcile.cli.common import (
    EXIT_DIAGNOSTICS, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT, draw_off_screen, show_warning,
)
from reconcile.cli.run import run

__all__ = ["EXIT_DIAGNOSTICS", "EXIT_INPUT", "EXIT_MODEL", "EXIT_OUTPUT", "draw_off_screen",
           "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Reconcile conflicting casualty claims into estimated ranges."""
    warnings.showwarning = show_warning


main.add_command(check)
main.add_command(run)
main.add_command(calibrate)
main.add_command(report)
main.add_command(extract)

if __name__ == "__main__":  # pragma: no cover
    main()
