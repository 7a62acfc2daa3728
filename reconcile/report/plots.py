"""Figures of a fit, shared by the report and the notebooks (matplotlib figures).

The forest plot with claims overlaid and the source-bias plot are drawn here because no
library draws claims (bounds, ranges, vague words) over credible intervals; the convergence
and calibration plots come from ArviZ (arviz-plots).
"""

from __future__ import annotations

import io
import textwrap
import warnings
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import matplotlib.pyplot as plt  # the backend is the caller's: Agg in the CLI, inline in Jupyter
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reconcile import analysis
from reconcile.report.labels import plain_log_ticks, plot_text, quantity_label

if TYPE_CHECKING:
    from reconcile.inference import Fit

_KIND_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">"]
_STANCE_COLORS = {"own": "#1b6ca8", "enemy": "#c0392b", "third_party": "#444444"}
_HIDDEN_TRACE_VARS = ("leaf_log", "remainder_log_ratio", "remainder_ratio", "source_bias_free",
                      "noise_kind_z", "noise_source_free", "count_intercept_z",
                      "count_span_slope_z")


# A figure with one row per item is unreadable beyond this many rows (and past 2^16 pixels,
# which matplotlib refuses, at about 1,400); large archives plot a selection.
MAX_PLOT_ROWS = 80


def forest_quantities(dataset) -> list[str]:
    """The quantities the forest plot draws, in tree order: all of them, or, beyond
    MAX_PLOT_ROWS, the most aggregated ones (shallowest in the nesting tree first)."""
    order = list(dataset.tree_order)
    if len(order) <= MAX_PLOT_ROWS:
        return order
    position = {quantity_id: i for i, quantity_id in enumerate(order)}
    chosen = set(sorted(order, key=lambda q: (dataset.depth(q), position[q]))[:MAX_PLOT_ROWS])
    return [quantity_id for quantity_id in order if quantity_id in chosen]


def plotted_sources(biases: pd.DataFrame) -> pd.DataFrame:
    """The sources the bias plot draws: all of them, or, beyond MAX_PLOT_ROWS, those with
    the most claims."""
    if len(biases) <= MAX_PLOT_ROWS:
        return biases
    return biases.sort_values(["n_claims", "source_id"], ascending=[False, True]).head(
        MAX_PLOT_ROWS)


def forest_plot(fit: Fit, estimates: pd.DataFrame | None = None) -> Figure:
    """Each quantity's 50% and 90% intervals with every claim about it drawn over them.

    Markers: shape by source kind, colour by stance. Lower bounds are arrows pointing right
    from the bound, upper bounds arrows pointing left, ranges and vague words bars."""
    estimates = analysis.estimates(fit) if estimates is None else estimates
    dataset = fit.dataset
    order = forest_quantities(dataset)
    rows = estimates.set_index("quantity_id").loc[order]
    kinds = sorted({s.kind for s in dataset.sources})
    marker = {k: _KIND_MARKERS[i % len(_KIND_MARKERS)] for i, k in enumerate(kinds)}
    labels = [quantity_label(dataset.quantity_by_id[q].description, q, dataset.depth(q))
              for q in order]
    # each row as tall as its label (description wrapped, never cut, and its id below)
    spans = np.array([max(1.0, 0.36 * label.count("\n") + 0.36) for label in labels])
    positions = spans.sum() - (np.cumsum(spans) - spans / 2)
    fig, ax = plt.subplots(figsize=(11, max(3.0, 0.42 * spans.sum() + 1.2)),
                           layout="constrained")
    ax.hlines(positions, rows["lower_90"], rows["upper_90"], color="#9ab", lw=2, zorder=1)
    ax.hlines(positions, rows["lower_50"], rows["upper_50"], color="#345", lw=6, zorder=2)
    ax.plot(rows["median"], positions, "|", color="white", ms=9, mew=2, zorder=3)
    position_of = dict(zip(order, positions))
    for claim in dataset.claims:
        if claim.quantity_id not in position_of:
            continue
        y = position_of[claim.quantity_id] + 0.22
        claim.observation.reading.draw(
            ax, claim.observation, y, marker[dataset.source_by_id[claim.source_id].kind],
            _STANCE_COLORS[dataset.stance(claim)])
    # dataset text is drawn as typed: "$" would otherwise start TeX, which can fail to parse
    ax.set_yticks(positions, labels, fontsize=8, parse_math=False)
    ax.set_ylim(-0.2, spans.sum() + 0.2)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel("count (log scale): bars are 50% and 90% central credible intervals")
    ax.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], marker=marker[k], ls="", color="#777", label=k) for k in kinds]
    handles += [Line2D([], [], marker="o", ls="", color=c, label=f"stance: {s.replace('_', ' ')}")
                for s, c in _STANCE_COLORS.items()]
    # below the axes and their caption, in space the layout reserves: never over text
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncol=4)
    return fig


def source_bias_plot(fit: Fit, biases: pd.DataFrame | None = None) -> Figure:
    """Each speaking source's bias factor (median, 90% interval), grouped by kind and
    coloured by stance; the dashed line is 1 (no bias)."""
    biases = analysis.source_biases(fit) if biases is None else biases
    table = plotted_sources(biases).sort_values(["kind", "stance", "source_id"]).reset_index(
        drop=True)
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.35 * len(table) + 1.2)), layout="constrained")
    positions = np.arange(len(table))[::-1]
    colors = [_STANCE_COLORS[s] for s in table["stance"]]
    ax.hlines(positions, table["bias_lower_90"], table["bias_upper_90"], colors=colors, lw=2)
    ax.scatter(table["bias_median"], positions, c=colors, zorder=3, s=20)
    ax.axvline(1.0, ls="--", color="#888", lw=1)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis, minor=True)
    ax.set_yticks(positions, [f"{r.source_id} ({r.kind})" for r in table.itertuples()], fontsize=8,
                  parse_math=False)
    ax.set_xlabel("bias factor on the true count (log scale): 0.5 states half, 2 states double")
    handles = [Line2D([], [], marker="o", ls="", color=c, label=s.replace("_", " "))
               for s, c in _STANCE_COLORS.items() if s in set(table["stance"])]
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncol=len(handles))
    return fig


RANK_ALPHA = 0.01


def rank_plot(fit: Fit) -> Figure:
    """ArviZ rank-ECDF difference plots of the shared parameters with ArviZ's multi-chain
    uniformity test ("mtc_c", 1%), which highlights where the chains disagree, on draws
    thinned to the slowest parameter's effective sample size (rank_draws): the test
    assumes independent draws, and unthinned it rejects independent AR(1) chains of one law
    (docs/upstream/arviz-stats-mtc-c.md)."""
    import arviz_plots as azp

    from reconcile.analysis.convergence import rank_draws

    names = [v for v in fit.idata.posterior.data_vars
             if v not in _HIDDEN_TRACE_VARS and fit.idata.posterior[v].ndim == 2]
    draws = rank_draws(fit.idata.posterior.to_dataset()[names])
    pc = azp.plot_rank(xr.DataTree.from_dict({"posterior": draws}), var_names=names,
                       backend="matplotlib", method="mtc_c", thin=False,
                       envelope_prob=1 - RANK_ALPHA, visuals={"remove_axis": False})
    figure = pc.get_viz("figure")
    figure.set_layout_engine("constrained")  # titles clear of the axes above them
    return figure


def trace_plot(fit: Fit) -> Figure:
    import arviz_plots as azp

    names = [v for v in fit.idata.posterior.data_vars
             if v not in _HIDDEN_TRACE_VARS and fit.idata.posterior[v].ndim == 2]
    pc = azp.plot_trace(fit.idata, var_names=names, backend="matplotlib")
    return pc.get_viz("figure")


def loss_plot(fit: Fit) -> Figure:
    """The ADVI loss (negative ELBO) by iteration, on a log scale above its final level: a
    converged fit ends flat. The last two windows, which the convergence check compares, are
    shaded."""
    from reconcile.inference.advi import GROUP, convergence_window

    info = fit.idata[GROUP].to_dataset()
    loss = info["loss"].values
    floor = np.nanmin(loss)
    fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
    ax.plot(np.arange(1, loss.size + 1), loss - floor + 1.0, lw=0.6, color="#345")
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.axvspan(loss.size - 2 * convergence_window(info), loss.size, color="#9ab", alpha=0.3)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss - min(loss) + 1")
    return fig


def ppc_pit_plot(checks: pd.DataFrame) -> Figure:
    """ArviZ PIT Δ-ECDF of the claims' randomized predictive PITs, with a simultaneous band:
    a well-specified model keeps the curve inside the band."""
    import arviz_plots as azp

    pit = xr.DataTree.from_dict({
        "pit": xr.Dataset({"claim_pit": ("claim", checks["pit_randomized"].to_numpy())}),
    })
    pc = azp.plot_ecdf_pit(pit, group="pit", sample_dims=["claim"], backend="matplotlib")
    return pc.get_viz("figure")


def figure_to_png(fig: Figure, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # a script the font lacks is drawn as boxes; the report's tables show the real text
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def sensitivity_plot(fit: Fit, leave_one_out: pd.DataFrame) -> Figure:
    """Leave one source out: by what factor each quantity's median moves (columns: the
    source left out; rows: quantities in tree order). Red: the estimate rises without the
    source, blue: it falls; a circle marks the sources that made a claim about the
    quantity itself (elsewhere the effect comes through biases and nesting)."""
    from matplotlib.colors import TwoSlopeNorm

    order = list(fit.dataset.tree_order)
    sources = list(dict.fromkeys(leave_one_out["source_id"]))
    factor = leave_one_out.pivot(index="quantity_id", columns="source_id", values="factor")
    factor = factor.loc[order, sources]
    spoken = leave_one_out.pivot(index="quantity_id", columns="source_id",
                                 values="speaks_here").loc[order, sources]
    log_factor = np.clip(np.log10(factor.to_numpy(dtype=float)), -1.0, 1.0)
    fig, ax = plt.subplots(figsize=(max(7, 0.42 * len(sources) + 4.5), 0.32 * len(order) + 2.4),
                           layout="constrained")
    image = ax.imshow(log_factor, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -1.0, 1.0), aspect="auto")
    rows, cols = np.nonzero(spoken.to_numpy(dtype=bool))
    ax.scatter(cols, rows, s=14, facecolors="none", edgecolors="black", linewidths=0.7)
    ax.set_xticks(range(len(sources)), sources, rotation=60, ha="right", fontsize=7)
    # the quantity ids, as in the tables (a description would not fit a grid row)
    ax.set_yticks(range(len(order)), ["  " * fit.dataset.depth(q) + plot_text(q) for q in order],
                  fontsize=7, parse_math=False)
    ax.set_xlabel("source left out")
    bar = fig.colorbar(image, ax=ax, shrink=0.8, ticks=[-1, -0.5, 0, 0.5, 1])
    bar.ax.set_yticklabels(["÷10 or less", "÷3", "unchanged", "×3", "×10 or more"], fontsize=7)
    bar.set_label("median without the source / median", fontsize=8)
    return fig


# The report draws at most this many running tolls; toll_series.csv has every one.
MAX_TOLL_PANELS = 6
# a claim's glyph in the toll plot, by observation kind: marker, filled, legend text
_TOLL_SHAPES = {"point": ("o", True, "a figure"), "about": ("o", False, '"about"'),
                "lower_bound": ("^", True, '"more than", "at least"'),
                "upper_bound": ("v", True, '"at most", "fewer than"'),
                "nearly": ("v", True, '"nearly"')}


def toll_plot(fit: Fit, series: pd.DataFrame | None = None) -> Figure:
    """Each running toll (at most MAX_TOLL_PANELS) over time: the toll to date's median with
    its 50% and 90% central intervals, every claim at the date it counts up to (triangles:
    "more than" up, "at most"/"nearly" down; bars: ranges and vague words; colour: source),
    and the final toll's 90% interval at the right. ``series``: the fit's toll_series table,
    when the caller has it."""
    from reconcile.analysis.toll_series import claim_moment, toll_bands, toll_series_table

    series = toll_series_table(fit) if series is None else series
    finals = series[series["point"] == "final"].set_index("quantity_id")
    dataset = fit.dataset
    shown = fit.inputs.tolls.ids[:MAX_TOLL_PANELS]
    fig, axes = plt.subplots(len(shown), 1, figsize=(12, 3.8 * len(shown)),
                             layout="constrained", squeeze=False)
    for ax, quantity_id in zip(axes[:, 0], shown):
        bands = toll_bands(fit, quantity_id)
        ax.fill_between(bands["moment"], bands["lower_90"], bands["upper_90"], color="#c8d6e5",
                        label="toll to date, 90%")
        ax.fill_between(bands["moment"], bands["lower_50"], bands["upper_50"], color="#8aa5c2",
                        label="50%")
        ax.plot(bands["moment"], bands["median"], color="#234", lw=1.5, label="median")
        speakers = sorted({c.source_id for c in dataset.claims_about(quantity_id)})
        colour = {s: plt.cm.tab10(i % 10) for i, s in enumerate(speakers)}
        for index, claim in enumerate(dataset.claims):
            if claim.quantity_id != quantity_id:
                continue
            when, obs = claim_moment(fit, index), claim.observation
            if obs.kind in ("interval", "vague"):
                ax.vlines(when, max(obs.low, 0.5), obs.high, color=colour[claim.source_id], lw=3)
            else:
                figure = obs.stated
                marker, filled, _ = _TOLL_SHAPES.get(obs.kind, _TOLL_SHAPES["point"])
                ax.plot(when, max(figure, 0.5), marker, color=colour[claim.source_id], ms=6,
                        mfc=colour[claim.source_id] if filled else "none")
        final = finals.loc[quantity_id]
        end = bands["moment"].iloc[-1]
        ax.errorbar([end], [final["median"]], yerr=[[final["median"] - final["lower_90"]],
                                                    [final["upper_90"] - final["median"]]],
                    fmt="D", color="#b03a2e", capsize=4, label="final toll, 90%")
        handles = ax.get_legend_handles_labels()[0]
        handles += [Line2D([], [], marker="o", ls="", color=colour[s],
                           label=textwrap.fill(dataset.source_by_id[s].name, 34))
                    for s in speakers]
        kinds = {c.observation.kind for c in dataset.claims_about(quantity_id)}
        handles += [Line2D([], [], marker=marker, ls="", color="#555",
                           mfc="#555" if filled else "none", label=label)
                    for kind, (marker, filled, label) in _TOLL_SHAPES.items() if kind in kinds]
        # beside the axes, never over the bands; full names, wrapped
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0.0)
        title = f"{dataset.quantity_by_id[quantity_id].description} [{quantity_id}]"
        ax.set_title(textwrap.fill(title, 110), fontsize=9, loc="left")
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=9))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
        ax.set_ylabel("toll to date")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    return fig
