"""The self-contained HTML report: one file, plots embedded, every dataset text escaped.

Jinja2 autoescaping escapes every value that reaches the page; the only markup inserted
unescaped is the quantity tree, which is built here with each text escaped explicitly.
The page loads nothing from outside (a Content-Security-Policy forbids it).
"""

from __future__ import annotations

import base64
import json
from html import escape
from typing import TYPE_CHECKING

import jinja2
import pandas as pd
from markupsafe import Markup

from reconcile import __version__
from reconcile.analysis.flags import FLAG_SENTENCES, split_flags
from reconcile.analysis.verdict import headline, verdict
from reconcile.report import plots
from reconcile.report.runinfo import format_count

if TYPE_CHECKING:
    from reconcile.analysis.sensitivity import Sensitivity
    from reconcile.analysis.tables import RunTables
    from reconcile.inference import Fit


def render_report(fit: Fit, tables: RunTables, citations: dict[str, str], run_citation: str,
                  dataset_sha: str, rerun: str, warnings: list[str]) -> str:
    images = {
        "forest": plots.forest_plot(fit, tables.estimates),
        "bias": plots.source_bias_plot(fit, tables.sources),
        "pit": plots.ppc_pit_plot(tables.claims),
    }
    if fit.approximate:
        images["loss"] = plots.loss_plot(fit)
    else:
        images["rank"] = plots.rank_plot(fit)
        images["trace"] = plots.trace_plot(fit)
    if fit.inputs.tolls.ids:
        images["tolls"] = plots.toll_plot(fit, tables.tolls)
    if tables.sensitivity is not None:
        images["sensitivity"] = plots.sensitivity_plot(fit, tables.sensitivity.leave_one_out)
    encoded = {name: base64.b64encode(plots.figure_to_png(fig)).decode("ascii")
               for name, fig in images.items()}
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reconcile", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["thousands"] = lambda value: f"{round(float(value)):,}"  # 3,059, not 3059
    dataset = fit.dataset
    n_claims = len(dataset.claims)
    findings = verdict(tables)
    levels = {finding.level for finding in findings}
    listed = reported_claims(fit, tables.claims)
    return env.get_template("report.html.j2").render(
        version=__version__,
        dataset_name=dataset.name,
        dataset_sha=dataset_sha,
        seed=fit.seed,
        config=fit.config,
        config_text=json.dumps(fit.config.model_dump(mode="json"), indent=2),
        identification=fit.config.identification(),
        n_claims=n_claims, n_sources=len(dataset.sources),
        n_quantities=len(dataset.quantities),
        diagnostics=tables.diagnostics,
        verdict=findings, verdict_headline=headline(findings),
        verdict_class="bad" if "blocks" in levels else "warn" if "caution" in levels else "good",
        loo=tables.loo,
        warnings=warnings,
        images=encoded,
        estimates=_estimate_rows(tables.estimates, _claims_behind(fit, listed)),
        tree_html=Markup(_tree_html(fit, tables.estimates)),
        stances=tables.stances.to_dict("records"),
        sources=tables.sources.to_dict("records"),
        claims=_claim_rows(fit, listed, tables.claims),
        claims_note=_selection_note(len(listed), n_claims,
                                    "claims", "the outliers and influential claims first",
                                    "claims.csv"),
        citations=[citations[q] for q in dataset.tree_order],
        run_citation=run_citation,
        rerun=rerun,
        sensitivity=_sensitivity_rows(fit, tables.sensitivity),
        sensitivity_skipped=tables.sensitivity_skipped,
        forest_order=plots.forest_quantities(dataset),
        forest_note=_selection_note(len(plots.forest_quantities(dataset)),
                                    len(dataset.quantities), "quantities",
                                    "the most aggregated (shallowest in the nesting tree)",
                                    "the table below and estimates.csv"),
        bias_note=_selection_note(len(plots.plotted_sources(tables.sources)),
                                  len(tables.sources), "sources", "those with the most claims",
                                  "the table below and sources.csv"),
        tolls_note=_selection_note(min(len(fit.inputs.tolls.ids), plots.MAX_TOLL_PANELS),
                                   len(fit.inputs.tolls.ids), "running tolls",
                                   "the first in the dataset", "toll_series.csv"),
        anchor_description=(tables.sensitivity.anchor_description
                            if tables.sensitivity is not None else ""),
    )


def _selection_note(shown: int, total: int, what: str, which: str, where: str) -> str:
    """What a plot that draws a selection leaves out ("" when it draws everything)."""
    if shown == total:
        return ""
    return f"Showing {shown:,} of the {total:,} {what}: {which}. All of them are in {where}."


def _estimate_rows(estimates: pd.DataFrame,
                   behind: dict[str, list[dict]] | None = None) -> list[dict]:
    """The estimates table's rows; ``behind``: each quantity's claims (_claims_behind)."""
    behind = behind or {}
    rows = []
    for row in estimates.to_dict("records"):
        row["behind"] = behind.get(row["quantity_id"], [])
        row["median_text"] = format_count(row["median"])
        for prob in (50, 90, 95):
            row[f"i{prob}"] = (f"{format_count(row[f'lower_{prob}'])}-"
                               f"{format_count(row[f'upper_{prob}'])}")
        # each flag as (slug, what it means): a badge with the sentence as its tooltip
        row["flag_list"] = [(flag, FLAG_SENTENCES.get(flag, flag))
                            for flag in split_flags(row.get("flags"))]
        rows.append(row)
    return rows


def _claims_behind(fit: Fit, listed: list) -> dict[str, list[dict]]:
    """Per quantity, the claims about it as a reader weighs them: the figure as stated, the
    speaker, their stance on it, who relayed it; ``anchor``: a link to the claim's row in
    the claims table (when the report lists it)."""
    dataset, shown = fit.dataset, {claim.claim_id for claim in listed}
    behind: dict[str, list[dict]] = {}
    for claim in dataset.claims:
        behind.setdefault(claim.quantity_id, []).append({
            "stated": claim.observation.describe(),
            "source": dataset.source_by_id[claim.source_id].name,
            "stance": dataset.stance(claim).replace("_", " "),
            "via": ", ".join(dataset.source_by_id[v].name for v in claim.via),
            "as_of": claim.as_of or "",
            "anchor": f"claim-{claim.claim_id}" if claim.claim_id in shown else "",
        })
    return behind


# The report lists at most this many claims (a 100,000-claim archive would make a page of
# hundreds of megabytes): the flagged ones first; claims.csv has every claim.
MAX_REPORT_CLAIMS = 2_000


def reported_claims(fit: Fit, checks: pd.DataFrame) -> list:
    """The claims the report lists, in dataset order: all of them, or, beyond
    MAX_REPORT_CLAIMS, the outliers and influential claims first, then the others in order."""
    claims = list(fit.dataset.claims)
    if len(claims) <= MAX_REPORT_CLAIMS:
        return claims
    flagged = set(checks.loc[checks["outlier"] | checks["influential"], "claim_id"])
    ranked = sorted(range(len(claims)), key=lambda i: (claims[i].claim_id not in flagged, i))
    return [claims[i] for i in sorted(ranked[:MAX_REPORT_CLAIMS])]


def _claim_rows(fit: Fit, claims: list, checks: pd.DataFrame) -> list[dict]:
    dataset = fit.dataset
    by_id = checks.set_index("claim_id")
    rows = []
    for claim in claims:
        check = by_id.loc[claim.claim_id]
        rows.append({
            "claim_id": claim.claim_id, "quantity_id": claim.quantity_id,
            "source_name": dataset.source_by_id[claim.source_id].name,
            "via": ", ".join(dataset.source_by_id[v].name for v in claim.via),
            "qualifier": claim.qualifier + (f" ({claim.term})" if claim.term else ""),
            "stated": claim.observation.describe(), "quote": claim.quote,
            "document": claim.document, "published": claim.published or "",
            "notes": claim.notes or "",
            "ppc_tail_prob": float(check["ppc_tail_prob"]), "outlier": bool(check["outlier"]),
            "loo_pareto_k": float(check["loo_pareto_k"]),
            "influential": bool(check["influential"]),
        })
    return rows


def _tree_html(fit: Fit, estimates: pd.DataFrame) -> str:
    dataset = fit.dataset
    rows = estimates.set_index("quantity_id")

    def item(quantity_id: str) -> str:
        quantity = dataset.quantity_by_id[quantity_id]
        row = rows.loc[quantity_id]
        label = (f"<b>{escape(quantity.description)}</b>: median {format_count(row['median'])}"
                 f" (90% {format_count(row['lower_90'])}-{format_count(row['upper_90'])})")
        if quantity.complete:
            label += " <span class=\"muted\">= sum of its parts</span>"
        children = dataset.children[quantity_id]
        inner = "".join(item(child) for child in children)
        return f"<li>{label}{f'<ul class=tree>{inner}</ul>' if inner else ''}</li>"

    return "<ul class=\"tree\">" + "".join(item(root) for root in dataset.roots) + "</ul>"


def _sensitivity_rows(fit: Fit, sensitivity: Sensitivity | None) -> list[dict]:
    if sensitivity is None:
        return []
    names = {s.source_id: s.name for s in fit.dataset.sources}
    table = sensitivity.by_quantity().set_index("quantity_id")
    rows = []
    for quantity_id in fit.dataset.tree_order:
        row = table.loc[quantity_id]
        rows.append({
            "quantity_id": quantity_id,
            "description": fit.dataset.quantity_by_id[quantity_id].description,
            "median": format_count(row["median"]),
            "source": names.get(row["most_influential_source"], row["most_influential_source"]),
            "only_source": bool(row["only_source"]),
            "influence": str(row["influence"]),
            "without": format_count(row["median"] * row["factor_without_it"]),
            "factor_without": _factor_text(row["factor_without_it"]),
            "other_anchor": format_count(row["median"] * row["factor_other_anchor"]),
            "factor_anchor": _factor_text(row["factor_other_anchor"]),
            "count_prior": float(row["count_prior_sensitivity"]),
            "bias_prior": float(row["bias_prior_sensitivity"]),
            "likelihood": float(row["likelihood_sensitivity"]),
            "diagnosis": str(row["diagnosis"]),
        })
    return rows


def _factor_text(factor: float) -> str:
    """x1.4, /2.0 ... how a median moves, in words a reader can read at a glance."""
    if not factor > 0:
        return "n/a"
    moved = factor if factor >= 1 else 1 / factor
    shown = f"{moved:,.0f}" if moved >= 10 else f"{moved:.2g}"  # never 2.6e+02
    return f"×{shown}" if factor >= 1 else f"÷{shown}"
