"""What every command shares: exit statuses, failing with a message, text made safe for the
terminal, and figures drawn off screen."""

from __future__ import annotations

import sys
import threading
import time
import warnings

import click

EXIT_INPUT = 2
EXIT_DIAGNOSTICS = 3
EXIT_MODEL = 4
EXIT_OUTPUT = 5


def shipped_models() -> str:
    """The names of the model files shipped with the package, for --model's help (read
    from the package's data, without importing the configuration code)."""
    from importlib import resources

    names = sorted(entry.name[:-5] for entry in resources.files("reconcile.model_files")
                   .iterdir() if entry.name.endswith(".toml"))
    return ", ".join(names)


def fail(message: str, status: int) -> None:
    click.echo(printable(message), err=True)
    sys.exit(status)


def printable(text: str) -> str:
    """Drop terminal control characters (escape sequences) that text from a dataset may hold."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "\ufffd" for ch in text)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings from libraries can quote dataset text (matplotlib names a glyph it lacks):
    they reach the terminal through _printable too."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    try:
        (file or sys.stderr).write(printable(text))
    except (OSError, ValueError):  # stderr closed: a warning is not worth a crash
        pass


def draw_off_screen() -> None:
    """Figures go into files: matplotlib's Agg backend, never a window (the library itself
    leaves the backend to its caller, e.g. inline plots in Jupyter)."""
    import matplotlib

    matplotlib.use("Agg")


def interrupted_message(exc, phase: str) -> str:
    if exc.outputs_written is not None:
        return (f"reconcile: stopped by {exc.name} just after the new outputs were complete; "
                f"{exc.outputs_written} holds them.")
    return (f"reconcile: stopped by {exc.name} while {phase}; nothing was written and earlier "
            "outputs are intact.")


class Heartbeat:
    """Every ``every`` seconds (0: never), one line on stderr saying what the run is doing and
    for how long: when stderr is a log file rather than a terminal there are no progress
    bars, and a 4,000-claim run printed nothing for over 30 minutes of sampling."""

    def __init__(self, every: float, phase: list[str]):
        self.every, self.phase = every, phase
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="reconcile-heartbeat",
                                       daemon=True)

    def _beat(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(self.every):
            minutes, seconds = divmod(int(time.monotonic() - started), 60)
            click.echo(printable(f"reconcile: still {self.phase[0]} ({minutes} min {seconds:02d} s "
                                 "since the start)"), err=True)

    def __enter__(self) -> Heartbeat:
        if self.every > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
