"""What a run records so that it can be cited and rerun: versions, hashes, settings, citations."""

from __future__ import annotations

import hashlib
import platform
import re
import shlex
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reconcile import __version__
from reconcile.analysis.flags import caution, split_flags
from reconcile.config import MAX_CONFIG_BYTES, ModelConfig, SamplerConfig, packaged_model_paths
from reconcile.constants import HEADLINE_PROB, interval_columns
from reconcile.dataset.records import Dataset
from reconcile.files import read_bounded

if TYPE_CHECKING:
    from reconcile.inference import Fit

PACKAGES = ("numpy", "scipy", "pandas", "pymc", "pytensor", "numba", "arviz", "arviz-base",
            "arviz-stats", "arviz-plots", "nutpie", "numpyro", "jax", "xarray", "netcdf4",
            "pydantic", "matplotlib", "jinja2", "click")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "reconcile": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def platform_description() -> dict[str, str]:
    """Where the run happened: the operating system and processor (floating-point results
    may differ between machines even with the same seed)."""
    return {"system": platform.system(), "release": platform.release(),
            "machine": platform.machine(), "python_implementation":
            platform.python_implementation()}


def dataset_digest(dataset: Dataset) -> str:
    """One SHA-256 over every input file's SHA-256 (tables and cited documents)."""
    lines = "".join(f"{name}:{digest}\n" for name, digest in sorted(dataset.input_hashes.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def format_count(value: float) -> str:
    """Counts as a reader would cite them: whole numbers, three significant digits above
    1,000, thousands separators."""
    if value < 1000:
        return f"{round(value):,}"
    digits = len(str(int(value))) - 3
    return f"{int(round(value, -digits)):,}"


def estimate_citations(estimates: pd.DataFrame, config: ModelConfig, dataset: Dataset,
                       seed: int) -> dict[str, str]:
    """One sentence per estimate, ready to quote: the median and headline interval, what
    produced them (version, dataset, model, seed, identification anchor), and a caution for
    each flag a reader must see (analysis/flags.py)."""
    low_col, high_col = interval_columns(HEADLINE_PROB)
    tag = f"reconcile {__version__}; {_tag(config, dataset, seed)}"
    citations = {}
    for row in estimates.itertuples():
        text = (f"{row.description}: median {format_count(row.median)}, "
                f"{round(HEADLINE_PROB * 100)}% credible interval "
                f"{format_count(getattr(row, low_col))}-{format_count(getattr(row, high_col))}"
                f" ({tag}).")
        warning = caution(split_flags(getattr(row, "flags", "")))
        citations[row.quantity_id] = f"{text} {warning}" if warning else text
    return citations


def run_citation(config: ModelConfig, dataset: Dataset, seed: int) -> str:
    return (f"Estimates from reconcile {__version__} on dataset {dataset.name!r} "
            f"({_tag(config, dataset, seed)}).")


def anchor_text(config: ModelConfig) -> str:
    """The identification anchor, short: the first sentence of ``identification()`` without
    its "Anchor:" label or parenthetical glosses ("third-party statements are unbiased on
    average")."""
    first = config.identification().split(". ", 1)[0].strip()
    first = re.sub(r"^anchor:\s*", "", first, flags=re.IGNORECASE)
    first = re.sub(r"\s*\([^()]*\)", "", first).strip().rstrip(".")
    return first or "none fixed"


def _tag(config: ModelConfig, dataset: Dataset, seed: int) -> str:
    return (f"dataset sha256 {dataset_digest(dataset)[:12]}; model {config.name}, seed {seed}; "
            f"anchor: {anchor_text(config)}")


def file_sha256(path: Path) -> str:
    """SHA-256 of a model file (read with the same bound as when it was loaded)."""
    return hashlib.sha256(read_bounded(path, MAX_CONFIG_BYTES)).hexdigest()


def command_line() -> str:
    return " ".join(["reconcile", *sys.argv[1:]]) if sys.argv else "reconcile"


def _model_argument(model_path: Path) -> str:
    """A packaged model by its name, which every install of this version has (its absolute
    path is this machine's); any other file by its path."""
    for name, path in packaged_model_paths().items():
        if path.resolve() == model_path.resolve():
            return name
    return str(model_path)


def rerun_command(data_dir: Path, model_path: Path, seed: int, sampler: SamplerConfig | None,
                  allow_bad_diagnostics: bool, with_sensitivity: bool | None = None,
                  chains_on_cluster: bool = False) -> str:
    """The command line that redoes this run (quoted for a POSIX shell; relative paths are
    relative to run.json's ``cwd``; a packaged model by its name). Sampler settings are
    spelt out when they were not the model file's own. Chains run on a Dask cluster are
    seeded per chain, the same on any cluster: ``--scheduler local`` redoes them."""
    words = ["reconcile", "run", str(data_dir), "--model", _model_argument(model_path),
             "--seed", str(seed)]
    if sampler is not None and sampler.method == "advi":
        words += ["--method", "advi", "--draws", str(sampler.draws),
                  "--advi-iterations", str(sampler.advi_iterations)]
    elif sampler is not None:
        words += ["--draws", str(sampler.draws), "--tune", str(sampler.tune),
                  "--chains", str(sampler.chains), "--sampler", sampler.backend,
                  "--max-time", f"{sampler.max_time_s:g}"]
    if chains_on_cluster:
        words += ["--scheduler", "local"]
    if allow_bad_diagnostics:
        words.append("--allow-bad-diagnostics")
    if with_sensitivity is not None:
        words.append("--sensitivity" if with_sensitivity else "--no-sensitivity")
    return shlex.join(words)


def run_info(fitted: Fit, config: ModelConfig, model_path: Path, data_dir: Path, digest: str,
              seed: int, citation: str, citations: dict[str, str], rerun: str,
              ok: bool, conflicts: list[str]) -> dict:
    return {
        "reconcile_version": __version__,
        "command": command_line(),
        "rerun": rerun,
        "cwd": str(Path.cwd()),
        "platform": platform_description(),
        "versions": package_versions(),
        "dataset": {"path": str(data_dir), "name": fitted.dataset.name, "sha256": digest,
                    "files": dict(fitted.dataset.input_hashes)},
        "model": {"file": str(model_path), "file_sha256": file_sha256(model_path),
                  "name": config.name, "config_sha256": config.digest(),
                  "identification": config.identification(),
                  "config": config.model_dump(mode="json")},
        "seed": seed,
        "sampler": fitted.sampler.model_dump(mode="json"),
        "chains_on": ("a Dask cluster, one task per chain seeded by SeedSequence([seed, chain])"
                      if fitted.client is not None else "this machine's threads"),
        "diagnostics_ok": ok,
        "warnings": conflicts,
        "citation": citation,
        "estimate_citations": citations,
    }
