"""Running tolls: cumulative quantities, whose claims count deaths up to their own date.

A cumulative quantity's count N is its final toll (at its ``end`` when given, otherwise once
the toll stops growing). Its toll to date follows a saturating growth curve in two phases,

    T(t) = N C(t) / C(end),   C(t) = (1 - late) F(t) + late G(t),
    F(t) = 1 - exp(-(t / timescale)^shape),   G(t) = 1 - exp(-t / late_days),

t in days from the period's start, C(end) = 1 without an end: the counting of the dead (F)
and a late share (G: the wounded who die later, remains identified months on). T is
non-decreasing and equals N at the end, whatever the parameters; each claim observes T at
its ``as_of`` date through the bias, noise and readings of any claim. The curve's
parameters are fitted with the counts, so the growth after the last report is read off the
shape of the series, not set by a flat allowance: a series that has levelled off says the
final toll is near its last figure (plus what is left of the late share), one still
climbing says it is further up. Priors (``[tolls]``): the timescale's
log is normal about a quarter of the series' span (start to end, or to the last report
that raised it: a toll is counted while its figures rise, and mostly settled when they stop;
a restatement of the same figure months on does not stretch it; without an end, at least
``min_open_span_days``, as reports cut in a toll's first days are a toll still being
counted), the shape's about 1 (exponential saturation; below 1 a longer tail, above 1 a
toll that rises late), the late share's logit-normal about ``late_share_median``
(``late_share_median = 0``: one phase).

A third party's figure for a running toll is a count to date, not an estimate: its source's
bias applies times ``count_reading`` (count_reading; docs/model.md).

The functions work on NumPy draws (leading sample axes) and PyTensor tensors alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import special

from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.fields import parse_moment
from reconcile.dataset.records import Dataset, Quantity

# Without a start the period is taken to begin this long before the earliest figure counts
# (a toll is first reported within hours or a day of the event).
UNDATED_START = dt.timedelta(days=1)
# a figure counting up to the very start of its period is read as counting this far into it
# (F(0) = 0: no toll at all)
MIN_ELAPSED_DAYS = 1.0 / 24.0


@dataclass(frozen=True)
class TollInputs:
    """The cumulative quantities and each claim's place on its quantity's time axis."""

    ids: tuple[str, ...]  # the cumulative quantities, in dataset order
    claim_toll: np.ndarray  # index into ids (0 for a claim on another quantity)
    claim_dated: np.ndarray  # 1 for a claim about a cumulative quantity, else 0
    claim_elapsed: np.ndarray  # days from the period's start to the claim's as_of (1 if undated)
    end_days: np.ndarray  # per toll: days from start to end (1 without an end)
    has_end: np.ndarray  # per toll: 1 with an end, 0 without (the final toll is T(infinity))
    log_span: np.ndarray  # per toll: log of the days to the end, or to the last rise
    origins: tuple[dt.datetime, ...] = ()  # per toll: the first instant of its period

    def fraction(self, curves: Curves):
        """log(T(as_of) / N) per claim from draws of the curves (log_fraction_to_date)."""
        return log_fraction_to_date(curves, self.claim_toll, self.claim_elapsed,
                                    self.claim_dated, self.end_days, self.has_end)

    @classmethod
    def from_dataset(cls, dataset: Dataset, min_open_span_days: float = 0.0) -> TollInputs:
        """``min_open_span_days``: the shortest span a toll without an end is given for its
        timescale prior (TollConfig.min_open_span_days)."""
        tolls = [q for q in dataset.quantities if q.cumulative]
        ids = tuple(q.quantity_id for q in tolls)
        number = {quantity_id: i for i, quantity_id in enumerate(ids)}
        n = len(dataset.claims)
        claim_toll, dated, elapsed = np.zeros(n, np.int64), np.zeros(n), np.ones(n)
        origins = {q.quantity_id: _origin(q, dataset) for q in tolls}
        ends = {q.quantity_id: _end(q) for q in tolls}
        for i, claim in enumerate(dataset.claims):
            if claim.quantity_id not in number:
                continue
            claim_toll[i], dated[i] = number[claim.quantity_id], 1.0
            counted_to = parse_moment(claim.counted_to)[1]
            end = ends[claim.quantity_id]
            if end is not None:
                counted_to = min(counted_to, end)  # a later report of the toll: to the end
            elapsed[i] = max(_days(counted_to - origins[claim.quantity_id]), MIN_ELAPSED_DAYS)
        has_end = np.array([ends[q] is not None for q in ids], dtype=float)
        end_days = np.array([_days(ends[q] - origins[q]) if ends[q] else 1.0 for q in ids],
                            dtype=float)
        stated = np.array([claim.observation.stated for claim in dataset.claims], dtype=float)
        on_toll = [(dated == 1) & (claim_toll == i) for i in range(len(ids))]
        rose = np.array([_last_rise(elapsed[mine], stated[mine]) for mine in on_toll])
        span = np.where(has_end == 1, end_days, np.maximum(rose, min_open_span_days))
        return cls(ids, claim_toll, dated, elapsed, end_days, has_end, np.log(span),
                   tuple(origins[q] for q in ids))


def _last_rise(elapsed: np.ndarray, stated: np.ndarray) -> float:
    """Days to the last report whose stated figure is above the one before it (1 without
    reports): a toll is counted while its figures rise, and a restatement of the same
    figure weeks or years on (an inquiry's 58, a court's 148), or a lowered one, says the
    counting had stopped, not that it went on. Compared with the report just before, not
    with the highest so far, so that one speaker's high estimate ("more than 200" while the
    count stood at 158) does not end a count that went on rising after it."""
    order = np.argsort(elapsed, kind="stable")
    last, previous = 1.0, -np.inf
    for day, figure in zip(elapsed[order], stated[order]):
        if figure > previous:
            last = max(last, float(day))
        previous = figure
    return last


def _origin(quantity: Quantity, dataset: Dataset) -> dt.datetime:
    """The period's first instant: its start, or a day before its earliest figure counts."""
    if quantity.start:
        return parse_moment(quantity.start)[0]
    dates = [parse_moment(c.counted_to)[0] for c in dataset.claims_about(quantity.quantity_id)]
    return min(dates) - UNDATED_START


def _end(quantity: Quantity) -> dt.datetime | None:
    return parse_moment(quantity.end)[1] if quantity.end else None


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86_400.0


def counts_to_date(claim_dated: np.ndarray, claim_stance: np.ndarray) -> np.ndarray:
    """Which claims are counts to date: third-party claims on a running toll (a count kept
    by a body with no stake in it). A party's figure for a toll of its own or its enemy's
    losses keeps its stance's reading, as do claims on other quantities."""
    third_party = np.asarray(claim_stance) == STANCES.index("third_party")
    return (np.asarray(claim_dated) == 1) & third_party


def count_reading(claim_dated: np.ndarray, claim_stance: np.ndarray,
                  config: ModelConfig) -> np.ndarray:
    """Per claim, the factor on its source's bias: ``tolls.count_reading`` for a count to
    date (counts_to_date), 1 for every other claim. Not on its noise: the scatter of a
    count's updates about the fitted curve is also the curve's misfit (the model's curve is
    not the toll's), and a narrower noise made the sampler diverge on a 100-update toll."""
    return np.where(counts_to_date(claim_dated, claim_stance), config.tolls.count_reading, 1.0)


def clean_share(claim_dated: np.ndarray, claim_stance: np.ndarray,
                config: ModelConfig) -> np.ndarray:
    """Per claim, the prior probability that it is a clean count, read with no bias and a
    narrow noise: ``tolls.clean_share`` for a count to date, 0 for every other claim."""
    return np.where(counts_to_date(claim_dated, claim_stance), config.tolls.clean_share, 0.0)


@dataclass(frozen=True)
class Curves:
    """Each running toll's growth curve, per toll: the counting phase's timescale and shape,
    and the late share (the part of the final toll that arrives over ``late_days`` after the
    event: the wounded who die later, remains identified months on; None without a late
    phase).
    NumPy draws with leading sample axes, or the model's tensors."""

    timescale: object
    shape: object
    late_share: object = None  # None: no late phase
    late_days: float = 30.0

    @classmethod
    def from_draws(cls, draws, config: ModelConfig, flatten=np.asarray) -> Curves:
        """From a posterior, a prior or one simulated truth (anything indexed by variable
        name); ``flatten`` turns each variable's draws into the arrays wanted."""
        late = flatten(draws["toll_late_share"]) if config.tolls.has_late_phase else None
        return cls(flatten(draws["toll_timescale"]), flatten(draws["toll_shape"]), late,
                   config.tolls.late_days)

    def at(self, toll) -> Curves:
        """The curves of the tolls ``toll`` (an index array: one per claim)."""
        late = None if self.late_share is None else self.late_share[..., toll]
        return Curves(self.timescale[..., toll], self.shape[..., toll], late, self.late_days)

    def log_to_date(self, elapsed):
        """log of the share of the final toll counted ``elapsed`` days in, before the
        normalisation to the end: log((1 - late) F(t) + late G(t)), F the counting phase,
        G(t) = 1 - exp(-t / late_days) the late one."""
        counting = log_growth(elapsed, self.timescale, self.shape)
        if self.late_share is None:
            return counting
        late = log_growth(elapsed, self.late_days, 1.0)
        if _is_tensor(counting, self.late_share):
            share = self.late_share
            return pt.logaddexp(pt.log1p(-share) + counting, pt.log(share) + late)
        share = np.asarray(self.late_share)
        with np.errstate(divide="ignore"):
            return np.logaddexp(np.log1p(-share) + counting, np.log(share) + late)


def _is_tensor(*values) -> bool:
    return any(isinstance(value, pt.Variable) for value in values)


def log_growth(elapsed, timescale, shape):
    """log F(t) = log(1 - exp(-(t / timescale)^shape)), accurate from t << timescale (where
    it is about shape * log(t / timescale)) to t >> timescale (about 0)."""
    if _is_tensor(elapsed, timescale, shape):
        return pt.log1mexp(-((elapsed / timescale) ** shape))
    x = (elapsed / timescale) ** shape  # log(1 - e^-x): expm1 for small x, log1p for large
    with np.errstate(divide="ignore"):
        return np.where(x < np.log(2.0), np.log(-np.expm1(-x)), np.log1p(-np.exp(-x)))


def log_fraction_to_date(curves: Curves, claim_toll, claim_elapsed, claim_dated,
                         end_days, has_end):
    """log(T(as_of) / N) for every claim, 0 for claims on other quantities: ``curves`` per
    toll (NumPy draws with leading sample axes, or the model's tensors), the other arrays as
    in TollInputs (or their pm.Data twins)."""
    at_claim = curves.at(claim_toll).log_to_date(claim_elapsed)
    at_end = curves.log_to_date(end_days) * has_end
    return claim_dated * (at_claim - at_end[..., claim_toll])


def toll_to_date(count, curves: Curves, elapsed, end_days: float, has_end: float):
    """Draws of T(t) at ``elapsed`` days (NumPy): the final toll ``count`` times its share
    counted by then, normalised to the end; ``count`` and ``curves`` hold one toll's draws."""
    at_end = curves.log_to_date(end_days) * has_end
    return count * np.exp(curves.log_to_date(elapsed) - at_end)


def toll_parameters(config: ModelConfig, log_span) -> Curves:
    """The curves per toll, non-centred (inside a PyMC model); ``log_span`` is the series'
    log span (pm.Data, so that refits can swap it)."""
    prior = config.tolls
    timescale = pm.Deterministic(
        "toll_timescale",
        pt.exp(log_span + np.log(prior.timescale_share)
               + prior.timescale_sd * pm.Normal("toll_timescale_z", dims="toll")),
        dims="toll")
    shape = pm.Deterministic(
        "toll_shape", pt.exp(prior.shape_sd * pm.Normal("toll_shape_z", dims="toll")),
        dims="toll")
    late = None
    if prior.has_late_phase:
        logit = (special.logit(prior.late_share_median)
                 + prior.late_share_sd * pm.Normal("toll_late_share_z", dims="toll"))
        late = pm.Deterministic("toll_late_share", pm.math.sigmoid(logit), dims="toll")
    return Curves(timescale, shape, late, prior.late_days)
