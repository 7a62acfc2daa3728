"""reconcile: estimate casualty counts from conflicting, biased and vague claims.

The public API, in the order data flows::

    config = reconcile.load_config("default")           # priors, lexicon, sampler
    dataset = reconcile.load_dataset("seeds", config.lexicon)  # validated, immutable
    fit = reconcile.fit(dataset, config, seed=7)         # builds the PyMC model and samples
    reconcile.estimates(fit)                             # pandas DataFrame
    reconcile.report_fit(fit, "seeds", "seed-report")    # the outputs of `reconcile run`

Curation: ``reconcile.draft_claims("DATA_DIR", config.lexicon)`` proposes claims from the
documents (``extract_claims`` writes the draft and its review page, ``accept_draft`` appends
the rows marked keep to claims.csv).

Heavy modules (PyMC, ArviZ) are imported only when a function that needs them is called, so
``reconcile check`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "load_dataset": "reconcile.dataset",
    "check_dataset": "reconcile.dataset",
    "Dataset": "reconcile.dataset",
    "load_config": "reconcile.config",
    "config_from_dict": "reconcile.config",
    "ModelConfig": "reconcile.config",
    "SamplerConfig": "reconcile.config",
    "DatasetError": "reconcile.errors",
    "ConfigError": "reconcile.errors",
    "build_model": "reconcile.model.build",
    "fit": "reconcile.inference",
    "Fit": "reconcile.inference",
    "estimates": "reconcile.analysis",
    "source_biases": "reconcile.analysis",
    "diagnostics": "reconcile.analysis",
    "claim_checks": "reconcile.analysis.ppc",
    "stance_effects_table": "reconcile.analysis.summaries",
    "toll_series_table": "reconcile.analysis.toll_series",
    "coverage_plot": "reconcile.calibration.plots",
    "sbc_ecdf_plot": "reconcile.calibration.plots",
    "sensitivity": "reconcile.analysis.sensitivity",
    "other_anchor": "reconcile.analysis.sensitivity",
    "compare_variants": "reconcile.analysis.comparison",
    "run": "reconcile.pipeline",
    "report_fit": "reconcile.pipeline",
    "simulate": "reconcile.model.simulate",
    "simulate_like": "reconcile.model.simulate",
    "random_structure": "reconcile.model.simulate",
    "calibrate": "reconcile.calibration",
    "write_calibration": "reconcile.calibration",
    "draft_claims": "reconcile.extraction",
    "extract_claims": "reconcile.extraction",
    "accept_draft": "reconcile.extraction",
}

_MODULES = {"plots": "reconcile.report.plots", "analysis": "reconcile.analysis"}

__all__ = ["__version__", *_LAZY, *_MODULES]

if TYPE_CHECKING:  # pragma: no cover
    from reconcile.analysis.summaries import stance_effects_table
    from reconcile.analysis.toll_series import toll_series_table
    from reconcile.calibration.plots import coverage_plot, sbc_ecdf_plot
    from reconcile.config import ModelConfig, SamplerConfig, config_from_dict, load_config
    from reconcile.dataset import Dataset, check_dataset, load_dataset
    from reconcile.extraction import accept_draft, draft_claims, extract_claims
    from reconcile.errors import ConfigError, DatasetError
    from reconcile.analysis import diagnostics, estimates, source_biases
    from reconcile.analysis.comparison import compare_variants
    from reconcile.analysis.ppc import claim_checks
    from reconcile.analysis.sensitivity import other_anchor, sensitivity
    from reconcile.calibration import calibrate, write_calibration
    from reconcile.inference import Fit, fit
    from reconcile.model.build import build_model
    from reconcile.model.simulate import random_structure, simulate, simulate_like
    from reconcile.pipeline import report_fit, run
    from reconcile.report import plots


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    if name in _MODULES:
        return import_module(_MODULES[name])
    raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
