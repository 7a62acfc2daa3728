"""Synthetic archives for the benchmarks: the seed dataset (S), simulated M, L, XL, R (5,000
claims shaped like a real archive: most sources make one or two claims, a few hundreds), and
T, one running toll with 100 dated claims (issue 15's target: it samples healthily in under a
minute).

Shapes come from ``reconcile.model.simulate.random_structure`` with nesting capped at depth
3 (war total > year > battle > killed/wounded, as in curated archives) and the realistic
qualifier mix; claims are simulated from the default model with true counts drawn from
log-normal(4, 1.5) (1 to a few thousand, not the prior's 1 to 10,000,000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reconcile.config import ModelConfig
from reconcile.dataset import load_dataset
from reconcile.calibration.realistic_tolls import known_toll
from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.numerals import round_down
from reconcile.qualifiers import read_qualifier
from reconcile.model.simulate import random_structure, simulate_like

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    name: str
    claims: int
    quantities: int
    sources: int
    # None: every source equally likely to make a claim; else source i (from 1) makes claims
    # with weight i ** -activity (a few sources make hundreds, most one or two)
    activity: float | None = None


SIZES = {
    "M": Size("M", 1_000, 200, 100),
    "L": Size("L", 10_000, 2_000, 500),
    "XL": Size("XL", 100_000, 20_000, 2_000),
    # shaped like a public archive of 4,165 claims by 2,397 sources (2,018 with one claim,
    # the busiest with 377): 10,000 possible sources with activity 0.9 give about 2,200
    # speaking sources, 1,600 of them with one claim, the busiest with about 330
    "R": Size("R", 5_000, 1_000, 10_000, activity=0.9),
}


def realistic(config: ModelConfig) -> ModelConfig:
    """``config`` with true counts drawn from log-normal(4, 1.5) for simulation: each leaf
    on its own (``pooling = "independent"``, the prior that reads mu and sigma). From
    2026-12-02 to 2026-12-07 the hierarchical prior, the default since, ignored mu and sigma
    and drew the leaves from its Student-t pool: with 20,000 quantities (XL) some truths
    and figures reached 10^11-10^14, beyond any count of people, and an exact figure of 16
    digits made every ADVI loss infinite."""
    return config.model_copy(update={"truth": config.truth.model_copy(
        update={"pooling": "independent", "mu": 4.0, "sigma": 1.5})})


TOLL_CLAIMS = 100


def toll_dataset(seed: int = 42, n_claims: int = TOLL_CLAIMS) -> Dataset:
    """One running toll over 60 days (a siege, say: final toll about 2,000, a late share),
    told by ``n_claims`` dated claims: a ministry's daily count to date (40 updates, to the
    minute), three outlets relaying some of them as "more than" a round number on their
    report's date, and a monitor's own counts ("at least"), as realistic_tolls writes them."""
    rng = np.random.default_rng([seed, 100])
    curve = (0.2, 6.0, 0.9, 0.15, 60.0)
    start = dt.datetime(2016, 3, 1, 6, 0)
    updates = np.sort(rng.uniform(0.2, 59.0, 40))
    confirmed = np.maximum.accumulate(np.floor(
        known_toll(2000.0, *curve, updates) * rng.uniform(0.9, 1.0, updates.size)))
    sources = [Source("ministry", "Health ministry", "official"),
               Source("monitor", "Monitor", "monitor"),
               *(Source(f"outlet_{k}", f"Outlet {k}", "media") for k in range(3))]

    def claim(number: int, source: str, qualifier: str, value: int, day: float) -> Claim:
        moment = start + dt.timedelta(days=float(day))
        as_of = moment.strftime("%Y-%m-%dT%H:%M") if source == "ministry" else None
        return Claim(f"c{number:03d}", "siege_killed", source, qualifier,
                     read_qualifier(qualifier, value, None, None), "report.txt", str(value),
                     value=value, published=moment.date().isoformat(), as_of=as_of)

    claims = [claim(k, "ministry", "exact", int(v), d)
              for k, (d, v) in enumerate(zip(updates, confirmed))]
    while len(claims) < n_claims - 10:
        k = int(rng.integers(updates.size))
        value = round_down(int(confirmed[k]))
        claims.append(claim(len(claims), f"outlet_{len(claims) % 3}",
                            "more_than" if value < confirmed[k] else "at_least", value,
                            updates[k] + rng.uniform(0.1, 1.0)))
    for day in np.sort(rng.uniform(1.0, 59.0, n_claims - len(claims))):
        figure = int(known_toll(2000.0, *curve, day) * rng.uniform(1.0, 1.2))
        claims.append(claim(len(claims), "monitor", "at_least", figure, day))
    quantity = Quantity("siege_killed", "People killed in the siege", "killed",
                        start=start.strftime("%Y-%m-%dT%H:%M"), cumulative=True)
    return Dataset(tuple(sources), (quantity,), tuple(claims), name="toll-T")


def benchmark_dataset(size: str, config: ModelConfig, seed: int = 42) -> Dataset:
    """The dataset of ``size``: "S" is the curated seed dataset, "T" a running toll with 100
    dated claims, the others are simulated."""
    if size == "S":
        return load_dataset(ROOT / "seeds", config.lexicon)
    if size == "T":
        return toll_dataset(seed)
    shape = SIZES[size]
    structure = random_structure(n_sources=shape.sources, n_quantities=shape.quantities,
                                 n_claims=shape.claims, seed=seed, max_depth=3)
    if shape.activity is not None:
        structure = _uneven_sources(structure, shape.activity, seed)
    simulated = simulate_like(structure, realistic(config), seed=seed + 1)[0].dataset
    return Dataset(simulated.sources, simulated.quantities, simulated.claims,
                   name=f"simulated-{size}")


def _uneven_sources(structure: Dataset, activity: float, seed: int) -> Dataset:
    """``structure`` with each claim's source redrawn with weight i ** -activity; sources
    left without a claim are dropped."""
    from dataclasses import replace

    rng = np.random.default_rng([seed, 7])
    weights = np.arange(1, len(structure.sources) + 1, dtype=float) ** -activity
    chosen = rng.choice(len(structure.sources), size=len(structure.claims),
                        p=weights / weights.sum())
    claims = tuple(replace(claim, source_id=structure.sources[index].source_id)
                   for claim, index in zip(structure.claims, chosen))
    used = {claim.source_id for claim in claims}
    return Dataset(tuple(s for s in structure.sources if s.source_id in used),
                   structure.quantities, claims, name=structure.name)


__all__ = ["SIZES", "TOLL_CLAIMS", "benchmark_dataset", "realistic", "toll_dataset"]
