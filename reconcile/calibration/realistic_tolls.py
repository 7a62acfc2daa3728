"""Realistic running tolls (issue 15): a true final toll, a recovery curve that is not the
model's, official updates at random times, outlets relaying the latest figure late, rounded
or as "more than" it, and a monitor's own count. The truths are never drawn from the model.

One archive is one event (an attack, a battle, a disaster), a cumulative quantity:

* **Final toll** N: log-normal, median 150, sd 1.2 on the log scale (90% within 20-1,100).
* **Known toll** K(t) = N * ((1 - l) * (a + (1 - a) * (1 - exp(-(t / tau)^k)))
  + l * (1 - exp(-t / tau_late))), t in days after the event: a share a ~ U(0.1, 0.5)
  counted at once, the rest of the early deaths recovered over a timescale tau (log-normal,
  median 2 days, sd 0.8) with shape k ~ U(0.6, 1.4), and a late share l (the wounded who
  die later, remains identified months on; log-normal, median 1.5%, sd 1.4, at most 30%)
  over tau_late (log-normal, median 60 days, sd 0.5). Not the model's curve: it jumps at
  t = 0 and has two timescales. Half the archives
  give the quantity an end 30 days after the event, whose truth is then K(30 days); the
  others' truth is N.
* **Official updates** (the health ministry, third party): 3 to 9, the first within hours,
  then gaps growing by half each time (exponential, mean 0.6 days at first), within 25 days;
  each states the confirmed dead, K(t) * U(0.97, 1.02) (a little short of the known toll,
  or over it by a double count revised later), never below its previous figure, with the
  date and time it counts up to.
* **A double count** (in one archive in ten): from one update on, the ministry's figures
  stand 10-35% over the known toll (bodies counted twice, the missing among the dead)
  until a later update revises them down, or to its last update (revised after the
  series). The real surveys have both: Sri Lanka 2019's 359 and 321 revised to 253 (final
  270), Grenfell's 79 standing until the final 71; 2 of their 23 series had an official
  figure more than 5% over the final. Drawn from a stream of its own, so the archives
  without one are those of the simulator before it (2026-12-06).
* **Set to real tolls.** The late share and the official share were set so that the truth
  over the last official figure matches the 24 real series with a published final (the two
  surveys in examples/ and Beirut): quantiles 10/25/50/75/90% of 0.99, 1.00, 1.02, 1.05,
  1.12 over 600 simulated series, against 1.00, 1.00, 1.01, 1.04, 1.14 for the real ones
  (with the double count: 0.993, 1.000, 1.015, 1.042, 1.105 over 300).
  Until 2026-12-06 the late share was U(0, 0.25), set from Beirut alone (its toll grew 15%
  after its last report), and the official share U(0.85, 1): 1.04, 1.07, 1.12, 1.21, 1.31,
  far more growth after the reports than real tolls have (1,000 series).
* **Outlets** (2 to 4): each relays some updates 1 to 30 hours late, and a curator who only
  has the outlet's date records only that date (so the figure is older than the date it
  is read to count up to): half relay the ministry's exact figure (``via``), a third write "more than" its
  round number below, the rest "about" it rounded.
* **A monitor** (in half of the archives) gives its own count once or twice: "at least"
  K(t) * U(1, 1.3), its date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.model.simulate import Simulation
from reconcile.numerals import round_down, round_significant
from reconcile.qualifiers import read_qualifier

FINAL = (150.0, 1.2)
AT_ONCE = (0.1, 0.5)
TIMESCALE_DAYS = (2.0, 0.8)
SHAPE = (0.6, 1.4)
LATE_SHARE = (0.015, 1.4)  # log-normal: median, sd of the log
LATE_SHARE_MAX = 0.3
OFFICIAL_SHARE = (0.97, 1.02)
DOUBLE_COUNT_SHARE = 0.1  # archives whose ministry double counts for a while
DOUBLE_COUNT = (1.1, 1.35)  # its figures over the known toll meanwhile
LATE_TIMESCALE_DAYS = (60.0, 0.5)
END_DAYS = 30
UPDATES = (3, 9)
LAST_UPDATE_DAYS = 25.0
QUANTITY = "event_killed"


def known_toll(final: float, at_once: float, timescale: float, shape: float, late: float,
               late_timescale: float, days):
    """K(t): the deaths known by ``days`` after the event."""
    days = np.asarray(days, dtype=float)
    early = at_once + (1 - at_once) * -np.expm1(-(days / timescale) ** shape)
    return final * ((1 - late) * early + late * -np.expm1(-days / late_timescale))


def simulate_toll_series(seed: int) -> Simulation:
    """A seeded realistic running toll: its dataset and its truths (``count`` aligned with
    the quantities; ``toll_at_updates``: the known toll at each official update's date)."""
    rng = np.random.default_rng([seed, 15])
    final = max(5.0, float(np.exp(np.log(FINAL[0]) + FINAL[1] * rng.normal())))
    curve = (float(rng.uniform(*AT_ONCE)),
             float(np.exp(np.log(TIMESCALE_DAYS[0]) + TIMESCALE_DAYS[1] * rng.normal())),
             float(rng.uniform(*SHAPE)), _late_share(rng),
             float(np.exp(np.log(LATE_TIMESCALE_DAYS[0]) + LATE_TIMESCALE_DAYS[1] * rng.normal())))
    event = dt.datetime(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)),
                                                   hours=int(rng.integers(0, 24)))
    has_end = bool(rng.random() < 0.5)
    truth = float(known_toll(final, *curve, END_DAYS)) if has_end else final
    quantity = Quantity(QUANTITY, "People killed in the event", "killed",
                        start=event.date().isoformat(),
                        end=(event.date() + dt.timedelta(days=END_DAYS)).isoformat()
                        if has_end else None, cumulative=True)
    update_days = _update_days(rng)
    confirmed = np.maximum.accumulate(np.floor(
        known_toll(final, *curve, update_days) * rng.uniform(*OFFICIAL_SHARE, len(update_days))))
    confirmed = _double_counted(confirmed, np.random.default_rng([seed, 15, 1]))
    sources = [Source("ministry", "Health ministry", "official")]
    claims: list[Claim] = []
    for k, (day, figure) in enumerate(zip(update_days, confirmed)):
        claims.append(_claim(f"ministry_{k}", "ministry", "exact", int(figure),
                             as_of=_minute(event, day)))
    for number in range(int(rng.integers(2, 5))):
        outlet = f"outlet_{number}"
        sources.append(Source(outlet, f"Outlet {number}", "media"))
        for k in np.flatnonzero(rng.random(len(update_days)) < 0.4):
            published = event + dt.timedelta(days=float(update_days[k] + rng.uniform(1, 30) / 24))
            claims.append(_relay(rng, f"{outlet}_{k}", outlet, int(confirmed[k]),
                                 published.date().isoformat()))
    if rng.random() < 0.5:
        sources.append(Source("monitor", "Monitor", "monitor"))
        for k, day in enumerate(sorted(rng.uniform(0.5, LAST_UPDATE_DAYS, int(rng.integers(1, 3))))):
            figure = int(known_toll(final, *curve, day) * rng.uniform(1.0, 1.3))
            claims.append(_claim(f"monitor_{k}", "monitor", "at_least", figure,
                                 published=(event + dt.timedelta(days=float(day))).date()
                                 .isoformat()))
    dataset = Dataset(tuple(sources), (quantity,), tuple(claims), name=f"toll-{seed}")
    at_updates = known_toll(final, *curve, update_days)
    return Simulation(dataset, {"count": np.array([truth]), "toll_at_updates": at_updates})


def _late_share(rng: np.random.Generator) -> float:
    return min(LATE_SHARE_MAX, float(np.exp(np.log(LATE_SHARE[0]) + LATE_SHARE[1] * rng.normal())))


def _double_counted(confirmed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The official figures with a double count in DOUBLE_COUNT_SHARE of the archives: from
    one update to a later one (or to the last), DOUBLE_COUNT times the figure, then revised
    down to the count without it."""
    if rng.random() >= DOUBLE_COUNT_SHARE:
        return confirmed
    first = int(rng.integers(0, len(confirmed) - 1))
    until = int(rng.integers(first + 1, len(confirmed) + 1))  # the last: never revised
    counted = confirmed.copy()
    counted[first:until] = np.floor(counted[first:until] * rng.uniform(*DOUBLE_COUNT))
    return counted


def _update_days(rng: np.random.Generator) -> np.ndarray:
    days, gap = [float(rng.uniform(0.05, 0.4))], 0.6
    while len(days) < UPDATES[1] and days[-1] < LAST_UPDATE_DAYS:
        days.append(days[-1] + float(rng.exponential(gap)) + 0.05)
        gap *= 1.5
    days = [d for d in days if d <= LAST_UPDATE_DAYS]
    while len(days) < UPDATES[0]:  # at least three updates, the last ones late
        days.append(min(days[-1] * 2 + 1, LAST_UPDATE_DAYS))
    return np.array(days)


def _minute(event: dt.datetime, day: float) -> str:
    return (event + dt.timedelta(days=float(day))).strftime("%Y-%m-%dT%H:%M")


def _claim(claim_id: str, source_id: str, qualifier: str, value: int, as_of: str | None = None,
           published: str | None = None, via: tuple[str, ...] = ()) -> Claim:
    """A claim as a curator records it: the ministry's updates with the minute they count up
    to, the others with only their report's date (``published``, which as_of defaults to)."""
    return Claim(claim_id, QUANTITY, source_id, qualifier,
                 read_qualifier(qualifier, value, None, None), f"{source_id}.txt", "",
                 via=via, value=value, published=published, as_of=as_of)


def _relay(rng: np.random.Generator, claim_id: str, outlet: str, figure: int,
           published: str) -> Claim:
    draw = rng.random()
    if draw < 0.5 or figure < 10:
        return _claim(claim_id, "ministry", "exact", figure, published=published, via=(outlet,))
    if draw < 0.83:
        rounded = round_down(figure)
        return _claim(claim_id, outlet, "more_than" if rounded < figure else "at_least",
                      rounded, published=published)
    return _claim(claim_id, outlet, "about", round_significant(figure, 2), published=published)
