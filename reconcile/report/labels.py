"""Plot labels a person reads: dataset text drawn as typed (control characters shown as
U+FFFD), wrapped rather than cut; numbers on log axes written out (1,000 and 0.3, never
10^3 or 3x10^-1)."""

from __future__ import annotations

import textwrap
import unicodedata

from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

LABEL_WIDTH = 60  # characters per line of a wrapped plot label
LABEL_LINES = 5  # lines of a description at most (the tables hold the full text)


def quantity_label(description: str, quantity_id: str, depth: int) -> str:
    """A quantity's plot label: its description wrapped (never cut below LABEL_LINES lines,
    which any ordinary description fits) and its id on the last line, indented by depth."""
    lines = textwrap.wrap(plot_text(description, LABEL_WIDTH * LABEL_LINES), LABEL_WIDTH) or [""]
    return "\n".join("  " * depth + line for line in [*lines, f"[{plot_text(quantity_id)}]"])


def plot_text(text: str, limit: int = 70) -> str:
    """Dataset text as a plot label: control characters (a terminal escape, say) shown as
    U+FFFD, and cut at ``limit`` characters."""
    text = "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_log_ticks(axis: Axis, minor: bool = False) -> None:
    """Tick labels of a log axis as plain numbers: 1, 10, 100, 1,000; with ``minor``, the
    2-9 multiples in between are labelled too (for an axis spanning less than a decade or
    two, such as bias factors)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: _plain(value)))
    if minor:
        axis.set_minor_locator(LogLocator(subs=(2, 3, 5)))
        axis.set_minor_formatter(FuncFormatter(lambda value, _: _plain(value)))
    else:
        axis.set_minor_formatter(NullFormatter())


def _plain(value: float) -> str:
    if value >= 1:
        return f"{value:,.0f}"
    return f"{value:.4f}".rstrip("0").rstrip(".")
