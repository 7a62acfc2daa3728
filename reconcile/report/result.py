"""The result of a run: the fit, its tables, what run.json records, and its warnings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconcile.analysis.tables import RunTables
    from reconcile.inference import Fit


@dataclass
class RunResult:
    out_dir: Path | None  # where the outputs were written; None until they are
    fit: Fit
    tables: RunTables
    run_info: dict
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.tables.diagnostics["ok"])
