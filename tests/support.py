"""Paths and helpers shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BEIRUT = ROOT / "examples" / "beirut-2020"  # a real running toll; its final count is 218
MODELS = ROOT / "models"
RECONCILE = str(Path(sys.executable).with_name("reconcile"))


def reconcile(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the installed `reconcile` command."""
    return subprocess.run([RECONCILE, *args], capture_output=True, text=True, timeout=timeout)
