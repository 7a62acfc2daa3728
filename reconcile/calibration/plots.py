"""Figures of a calibration study (matplotlib, through ArviZ where ArviZ draws them)."""

from __future__ import annotations

import matplotlib.pyplot as plt  # the backend is the caller's: Agg in the CLI, inline in Jupyter
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure  # noqa: E402


def rotating_pits(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per parameter, one PIT per simulation: simulation i contributes element i mod n.

    PITs of different elements of one simulation are dependent (shared biases); taking one
    per simulation keeps the PITs independent, so the uniformity band and p-value that ArviZ
    draws are valid, while every element is still visited."""
    out = {}
    for parameter, group in table.groupby("parameter", sort=False):
        elements = sorted(group["element"].unique())
        wide = group.pivot_table(index="simulation", columns="element", values="pit")
        picks = [wide.iloc[i, i % len(elements)] for i in range(len(wide))]
        out[parameter] = np.asarray([p for p in picks if np.isfinite(p)])
    return out


def sbc_ecdf_plot(table: pd.DataFrame, title: str = "") -> Figure:
    """ArviZ's Delta-ECDF of the SBC PITs of every parameter (one element per simulation),
    with its uniformity test: inside the band and a large p-value is what calibration
    looks like."""
    import arviz_plots as azp

    pits = rotating_pits(table)
    data = xr.DataTree.from_dict({"prior_sbc": xr.Dataset(
        {name: (f"simulation_{name}", values) for name, values in pits.items()})})
    dims = [f"simulation_{name}" for name in pits]
    pc = azp.plot_ecdf_pit(data, group="prior_sbc", sample_dims=dims, backend="matplotlib",
                           col_wrap=4)
    figure = pc.get_viz("figure")
    if title:
        figure.suptitle(title)
    return figure


def coverage_plot(coverage: pd.DataFrame) -> Figure:
    """Coverage of the true counts by scenario at 50/90/95%, with 99% error bars (2.58
    cluster standard errors) and the nominal levels as dashed lines."""
    labels = [f"{m}/{s}" for m, s in coverage[["model", "scenario"]].drop_duplicates().itertuples(index=False)]
    probs = sorted(coverage["nominal"].unique())
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(labels) + 2), 4), layout="constrained")
    width = 0.8 / len(probs)
    for k, prob in enumerate(probs):
        rows = coverage[coverage["nominal"] == prob]
        x = np.arange(len(rows)) + (k - (len(probs) - 1) / 2) * width
        ax.bar(x, rows["coverage"], width=width, label=f"{round(prob * 100)}% interval",
               yerr=2.576 * rows["se"], capsize=3, alpha=0.85)
        ax.hlines(prob, -0.5, len(labels) - 0.5, linestyles="dashed", colors="#555", lw=0.8)
    ax.set_xticks(np.arange(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of true counts covered")
    ax.legend(fontsize=8, loc="lower left")
    return fig
