"""One verdict on a run, in a clear order: what stops a citation, what a citation must carry,
and what is for information. Each finding is one plain sentence with the report section
that shows it; the report's status box and diagnostics.json's ``verdict`` both read this.

* **blocks**: the sampler did not converge (no number of the run may be cited), or an
  estimate rests on no evidence of its own (no claim about it or its parts, or only a
  denial) or did not converge itself (those estimates may not be cited);
* **caution**: an estimate whose interval end is set by the prior and the reading of "more
  than", not by a claim: cite it with the caution its citation sentence carries;
* **note**: prior sensitivity, influential and surprising claims, LOO: they say where an
  estimate comes from and what would move it, and do not stop a citation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from reconcile.analysis.flags import FLAG_SENTENCES, split_flags

if TYPE_CHECKING:
    from reconcile.analysis.tables import RunTables

Level = Literal["blocks", "caution", "note"]
# flags that stop a citation of the estimate, and those it must carry (analysis/flags.py)
BLOCKING_FLAGS = ("not_converged", "no_claims", "denial_only")
CAUTION_FLAGS = ("lower_end_set_by_prior", "upper_end_set_by_prior")


@dataclass(frozen=True)
class Finding:
    level: Level
    topic: str
    sentence: str
    section: str  # the report section (its id) that shows it

    def as_json(self) -> dict:
        return asdict(self)


def verdict(tables: RunTables) -> list[Finding]:
    """The run's findings, blocking ones first."""
    findings = [_convergence(tables.diagnostics)]
    flags = {row.quantity_id: split_flags(row.flags) for row in tables.estimates.itertuples()}
    for flag in (*BLOCKING_FLAGS, *CAUTION_FLAGS):
        named = [q for q, found in flags.items() if flag in found]
        if named:
            blocks = flag in BLOCKING_FLAGS
            findings.append(Finding(
                "blocks" if blocks else "caution", flag.replace("_", " "),
                f"{len(named)} estimate{'s' if len(named) > 1 else ''} ({_listed(named)}): "
                f"{FLAG_SENTENCES[flag]}. " + ("Do not cite them as findings."
                                                if blocks else "Cite them with this caution "
                                                "(their citation sentences carry it)."),
                "estimates"))
    findings.extend(_notes(tables))
    order = {"blocks": 0, "caution": 1, "note": 2}
    return sorted(findings, key=lambda finding: order[finding.level])


def headline(findings: list[Finding]) -> str:
    """The verdict in one line."""
    if any(f.level == "blocks" and f.topic == "convergence" for f in findings):
        return "Do not cite: the fit failed its convergence checks."
    if any(f.level == "blocks" for f in findings):
        return "Citable, except the estimates named below."
    if any(f.level == "caution" for f in findings):
        return "Citable, with the cautions below."
    return "Citable."


def _convergence(diagnostics: dict) -> Finding:
    if not diagnostics["ok"]:
        return Finding("blocks", "convergence",
                       "The fit failed its convergence checks ("
                       + "; ".join(diagnostics["reasons"]) + "): no number of this run may "
                       "be cited.", "diagnostics")
    if diagnostics.get("approximate"):
        return Finding("caution", "convergence", diagnostics["caveat"], "diagnostics")
    return Finding("note", "convergence",
                   f"The sampler converged: max R-hat {diagnostics['max_r_hat']:.3f}, min "
                   f"ESS {round(diagnostics['min_ess_bulk']):,} (bulk) and "
                   f"{round(diagnostics['min_ess_tail']):,} (tail), "
                   f"{diagnostics['divergences']} divergences (rank and trace plots below).",
                   "diagnostics")


def _notes(tables: RunTables) -> list[Finding]:
    claims, notes = tables.claims, []
    if tables.sensitivity is not None:
        table = tables.sensitivity.by_quantity()
        sensitive = table[~table["diagnosis"].astype(str).isin(["✓", "-", ""])]
        notes.append(Finding(
            "note", "prior sensitivity",
            f"{len(sensitive)} of {len(table)} estimates change noticeably when the priors or "
            "the claims are weighted a little more or less (power-scaling above 0.05). With "
            "one claim per quantity and biases known only from their priors this is the rule, "
            "not a fault: the sensitivity table says how far each median moves without its "
            "most influential source and under the other anchor.", "sensitivity"))
    influential = int(claims["influential"].sum())
    if influential:
        notes.append(Finding(
            "note", "influential claims",
            f"{influential} of {len(claims)} claims have Pareto k above 0.7: leaving one out "
            "would move its estimate a lot, as it must when a claim is the only evidence on "
            "its quantity. It does not stop a citation; it says which claims to check first.",
            "claims"))
    outliers = int(claims["outlier"].sum())
    notes.append(Finding(
        "note", "surprising claims",
        f"{outliers} claim{'s' if outliers != 1 else ''} fall outside what the model expects "
        "of their source (posterior predictive tail probability below 0.01)"
        + (": read them against their documents." if outliers else "."), "claims"))
    return notes


def _listed(ids: list[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
