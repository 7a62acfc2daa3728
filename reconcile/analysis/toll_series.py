"""toll_series.csv: each running toll (cumulative quantity) over time, from the fit's draws
of its final toll and growth curve (model/tolls.py): the toll to date at every date a claim
counts up to, and the final toll."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from reconcile.constants import SAMPLE_DIMS, interval_columns
from reconcile.model.tolls import Curves, toll_to_date

if TYPE_CHECKING:
    from reconcile.inference import Fit

SERIES_PROBS = (0.5, 0.9)
TOLL_SERIES_COLUMNS = ["quantity_id", "as_of", "median", *interval_columns(0.5),
                       *interval_columns(0.9), "point"]


def toll_series_table(fit: Fit) -> pd.DataFrame:
    """One row per running toll and date a claim about it counts up to (``point`` "claim"),
    in time order, then its final toll (``point`` "final", ``as_of`` its end, or empty when
    the quantity has none). Empty when the dataset has no cumulative quantity."""
    tolls = fit.inputs.tolls
    rows: list[pd.DataFrame] = []
    for number, quantity_id in enumerate(tolls.ids):
        dates = _claim_dates(fit, number)
        count, curves = _curve_draws(fit, quantity_id)
        elapsed = np.array(list(dates.values()), dtype=float)
        to_date = toll_to_date(count, curves, elapsed, tolls.end_days[number],
                               tolls.has_end[number])
        draws = xr.DataArray(np.concatenate([to_date, count], axis=-1),
                             dims=(*SAMPLE_DIMS, "point"))
        end = fit.dataset.quantity_by_id[quantity_id].end or ""
        rows.append(_summary(draws, quantity_id, [*dates, end],
                             ["claim"] * len(dates) + ["final"]))
    if not rows:
        return pd.DataFrame(columns=TOLL_SERIES_COLUMNS)
    return pd.concat(rows, ignore_index=True)[TOLL_SERIES_COLUMNS]


def toll_bands(fit: Fit, quantity_id: str, points: int = 80) -> pd.DataFrame:
    """The toll to date of one running toll on a grid of days from its start to its end
    (or a quarter beyond its last report): ``days``, ``moment``, median and the 50% and
    90% central intervals (for plots)."""
    tolls = fit.inputs.tolls
    number = tolls.ids.index(quantity_id)
    last = float(tolls.claim_elapsed[(tolls.claim_dated == 1)
                                     & (tolls.claim_toll == number)].max())
    horizon = tolls.end_days[number] if tolls.has_end[number] else 1.25 * last
    days = np.linspace(horizon / points, horizon, points)
    count, curves = _curve_draws(fit, quantity_id)
    draws = toll_to_date(count, curves, days, tolls.end_days[number], tolls.has_end[number])
    table = _summary(xr.DataArray(draws, dims=(*SAMPLE_DIMS, "point")), quantity_id,
                     [""] * points, ["curve"] * points)
    table["days"] = days
    table["moment"] = [tolls.origins[number] + dt.timedelta(days=float(d)) for d in days]
    return table


def claim_moment(fit: Fit, index: int) -> dt.datetime:
    """When claim ``index`` of a running toll counts up to (its as_of, clipped to the end)."""
    tolls = fit.inputs.tolls
    return (tolls.origins[int(tolls.claim_toll[index])]
            + dt.timedelta(days=float(tolls.claim_elapsed[index])))


def _curve_draws(fit: Fit, quantity_id: str) -> tuple[np.ndarray, Curves]:
    """One toll's draws of its final toll and its curve, each (chain, draw, 1)."""
    posterior = fit.idata.posterior
    count = posterior["count"].sel(quantity=quantity_id).values[..., None]
    return count, Curves.from_draws(posterior, fit.config,
                                    lambda draws: draws.sel(toll=quantity_id).values[..., None])


def _claim_dates(fit: Fit, number: int) -> dict[str, float]:
    """The dates (as written) the toll's claims count up to, with their days from the
    period's start, in time order."""
    tolls = fit.inputs.tolls
    dates: dict[str, float] = {}
    for index, claim in enumerate(fit.dataset.claims):
        if tolls.claim_dated[index] and tolls.claim_toll[index] == number:
            dates.setdefault(claim.counted_to, float(tolls.claim_elapsed[index]))
    return dict(sorted(dates.items(), key=lambda item: (item[1], item[0])))


def _summary(draws: xr.DataArray, quantity_id: str, as_of: list[str],
             point: list[str]) -> pd.DataFrame:
    table = pd.DataFrame({"quantity_id": quantity_id, "as_of": as_of,
                          "median": draws.median(SAMPLE_DIMS).values, "point": point})
    dataset = draws.to_dataset(name="toll")
    for prob in SERIES_PROBS:
        eti = azs.eti(dataset, prob=prob, dim=list(SAMPLE_DIMS))["toll"]
        low_col, high_col = interval_columns(prob)
        table[low_col] = eti.sel(ci_bound="lower").values
        table[high_col] = eti.sel(ci_bound="upper").values
    return table
