"""Dataset text as plot labels: drawn as typed (control characters shown as U+FFFD),
wrapped rather than cut."""

from __future__ import annotations

import textwrap
import unicodedata

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
