"""The files a run writes, declared once: the writer, the CLI's closing line and the tests
all read this list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Output:
    name: str
    content: str
    with_sensitivity_only: bool = False  # written only when the sensitivity section is
    with_tolls_only: bool = False  # written only when the dataset has a running toll


OUTPUTS: tuple[Output, ...] = (
    Output("report.html", "the self-contained report"),
    Output("estimates.csv", "one row per quantity: median, central intervals, flags"),
    Output("sources.csv", "one row per source: its bias factor"),
    Output("claims.csv", "one row per claim: predictive check and LOO Pareto k"),
    Output("toll_series.csv", "per running toll: the toll to date at each claim's date, and "
           "the final toll", with_tolls_only=True),
    Output("sensitivity.csv", "per quantity: most influential source, other anchor, "
           "power-scaling", with_sensitivity_only=True),
    Output("leave_one_source_out.csv", "every quantity refitted without each source",
           with_sensitivity_only=True),
    Output("diagnostics.json", "convergence diagnostics, ok and the reasons"),
    Output("posterior.nc", "the posterior, log-likelihood, prior and predictive groups "
           "(ArviZ DataTree, netCDF)"),
    Output("run.json", "versions, input hashes, configuration, seed, timings, citation"),
    Output("citation.bib", "the run's citation for BibTeX / biblatex"),
    Output("citation.json", "the run's citation as CSL-JSON (Zotero, Pandoc)"),
)

ESTIMATE_COLUMNS = ["quantity_id", "description", "mean", "sd", "median", "lower_50", "upper_50",
                    "lower_90", "upper_90", "lower_95", "upper_95", "r_hat", "ess_bulk",
                    "ess_tail", "n_claims", "flags"]
SOURCE_COLUMNS = ["source_id", "kind", "bias_median", "bias_lower_90", "bias_upper_90", "name",
                  "side", "stance", "n_claims", "noise_scale_median"]


def outputs_written(with_sensitivity: bool, with_tolls: bool = False) -> tuple[str, ...]:
    """The names of the files a run writes."""
    return tuple(o.name for o in OUTPUTS
                 if (with_sensitivity or not o.with_sensitivity_only)
                 and (with_tolls or not o.with_tolls_only))
