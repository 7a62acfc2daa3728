"""Realistic archives: true counts from event sizes like real wars', claims as reporters make
them. The truths are never drawn from the model's prior: this is the model against reality.

**The quantity forest** (``simulate_realistic``): a war's all-parties total (in 60% of
archives) > each side's war total > one or two periods > up to two battles each, a battle
sometimes with a subset (officers, bodies held); beside them standalone battles, complete
casualty events (casualties = killed + wounded), sometimes prisoners taken, and attacks on
civilians. An attack on civilians carries the side of its perpetrator, so that the
perpetrator's statements are "own" (minimized or denied) and its enemy's "enemy"
(inflated), as the model's stances read them.

**True counts** (``realistic_counts``, for any forest): a quantity's span comes from its
dates (up to 14 days: a battle; up to 400: a campaign; longer: a war), or from its height in
the tree when the dates say nothing. Leaves are log-normal by span: battles median 20 (sd 1.1
on the log scale: 90% within 3-120, a tail to hundreds), campaigns median 400 (sd 0.9),
wars 3,000 (sd 0.9); prisoners and the missing a quarter of that. The wounded of a battle
are its killed times log-normal(median 2.5, sd 0.5). A complete parent is the sum of its
children. Any other parent is the sum plus a remainder: the parent is drawn like a leaf of
its span (the battles an archive names are a few of a campaign's), and when its children
already add up to more, the remainder is their sum times log-normal(median 0.15, sd 0.8)
(a chain of nested two-month counts does not pile up a campaign per level); at least 1.

**Claims** (realistic_claims.py, realistic_sources.py): per quantity, ``sparse`` archives
have 0, 1 or 2 claims (probabilities 0.12, 0.55, 0.33; about half of them lower bounds, like
the seed dataset) and ``dense`` ones 3 to 5. Each claim is a new speaker (own side 35%, enemy
30%, third party 35%), an undeclared copy of an earlier figure by a side-less outlet (10%;
dense 15%), the same statement reported again via other outlets (10%), or an own-side
revision upwards (sparse 15%, dense 25%). Half the claims name 1-2 relaying outlets in
``via``. Own-side speakers deny (exact 0) 30% of the time for attacks on civilians and 4% for
battles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from reconcile.calibration.realistic_claims import DENIAL_P, SHAPES, archive_claims, restate
from reconcile.config.lexicon import LexiconEntry
from reconcile.dataset.records import Dataset, Quantity, Source
from reconcile.model.simulate import Simulation

SIZES = {"battle": (20.0, 1.1), "campaign": (400.0, 0.9), "war": (3000.0, 0.9)}
SMALL_OUTCOMES = {"captured": 0.25, "missing": 0.25}  # of a span's median
WOUNDED_PER_KILLED = (2.5, 0.5)
UNNAMED_SHARE = (0.15, 0.8)  # a parent's remainder at least its children's sum times this
SPAN_DAYS = ((14, "battle"), (400, "campaign"))
SIDES = ("side_a", "side_b")
WAR = (dt.date(2012, 1, 1), dt.date(2016, 6, 30))
CIVILIANS = "civilians"  # in the id of an attack on civilians


def simulate_realistic(shape: str, seed: int,
                       lexicon: Mapping[str, LexiconEntry] | None = None) -> Simulation:
    """A seeded realistic archive of ``shape`` ("sparse" or "dense"): its dataset and truths
    (``count`` aligned with the quantities, ``belief`` with the claims)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    rng = np.random.default_rng([seed, list(SHAPES).index(shape)])
    skeleton = Dataset(_sources(rng), _forest(rng), (), name=f"realistic-{shape}-{seed}")
    counts = realistic_counts(skeleton, rng)
    denial = [DENIAL_P["civilians"] if CIVILIANS in q.quantity_id else
              DENIAL_P["battle"] if span_of(q, 0) == "battle" else 0.0
              for q in skeleton.quantities]
    if lexicon is None:
        from reconcile.config import load_config

        lexicon = load_config("default").lexicon
    claims, beliefs = archive_claims(skeleton, counts, denial, SHAPES[shape], rng, lexicon)
    return Simulation(replace(skeleton, claims=tuple(claims)),
                      {"count": counts, "belief": np.array(beliefs, dtype=float)})


def realistic_like(structure: Dataset, rng: np.random.Generator,
                   lexicon: Mapping[str, LexiconEntry], name: str | None = None) -> Simulation:
    """Realistic truths for ``structure``'s forest, and its claims said again by reporters
    (same claim ids, speakers, quantities, relays and kinds of words: ``restate``); the
    calibration scenario ``realistic``. ``count`` is the only parameter with a truth."""
    counts = realistic_counts(structure, rng)
    claims, beliefs = restate(structure, counts, rng, lexicon)
    dataset = replace(structure, claims=tuple(claims), name=name or f"{structure.name}-realistic")
    return Simulation(dataset, {"count": counts, "belief": np.array(beliefs, dtype=float)})


def claim_range(dataset: Dataset) -> list[tuple[int, int] | None]:
    """The naive interval per quantity: the least and greatest figure stated about it, as
    written (a figure or a bound's number: "more than 50" states 50; both ends of a range or
    a vague word's lexicon interval); None for a quantity no claim is about."""
    figures: dict[str, list[int]] = {}
    for claim in dataset.claims:
        stated = [claim.value] if claim.value is not None else [claim.low, claim.high]
        figures.setdefault(claim.quantity_id, []).extend(f for f in stated if f is not None)
    return [(min(figures[q.quantity_id]), max(figures[q.quantity_id]))
            if figures.get(q.quantity_id) else None for q in dataset.quantities]


# --- true counts -----------------------------------------------------------------------------
def realistic_counts(dataset: Dataset, rng: np.random.Generator) -> np.ndarray:
    """Whole true counts aligned with ``dataset.quantities`` (see the module's docstring)."""
    counts: dict[str, float] = {}

    def size(quantity: Quantity, span: str) -> float:
        median, sd = SIZES[span]
        median *= SMALL_OUTCOMES.get(quantity.outcome, 1.0)
        return float(max(round(median * np.exp(rng.normal(0.0, sd))), 1))

    def visit(qid: str) -> int:  # the quantity's height; its count goes into ``counts``
        quantity = dataset.quantity_by_id[qid]
        kids = [dataset.quantity_by_id[kid] for kid in dataset.children[qid]]
        height = 1 + max(visit(kid.quantity_id) for kid in kids) if kids else 0
        killed = [k.quantity_id for k in kids if k.outcome == "killed"]
        for kid in kids:  # the wounded of an event: its killed times a ratio
            if kid.outcome == "wounded" and killed and not dataset.children[kid.quantity_id]:
                ratio = WOUNDED_PER_KILLED[0] * np.exp(rng.normal(0.0, WOUNDED_PER_KILLED[1]))
                counts[kid.quantity_id] = float(max(round(counts[killed[0]] * ratio), 1))
        total = sum(counts[kid.quantity_id] for kid in kids)
        own_size = size(quantity, span_of(quantity, height))
        if not kids:
            counts[qid] = own_size
        elif quantity.complete:
            counts[qid] = total
        else:  # its own size, or what the named children leave unnamed, whichever is more
            unnamed = total * UNNAMED_SHARE[0] * np.exp(rng.normal(0.0, UNNAMED_SHARE[1]))
            counts[qid] = total + max(own_size - total, round(unnamed), 1.0)
        return height

    for root in dataset.roots:
        visit(root)
    return np.array([counts[q.quantity_id] for q in dataset.quantities], dtype=float)


def span_of(quantity: Quantity, height: int) -> str:
    """"battle", "campaign" or "war": from the quantity's dates when both parse, else from
    its height in the tree (0: a battle, 1: a campaign, more: a war)."""
    start, end = _date(quantity.start, first=True), _date(quantity.end, first=False)
    if start and end and end >= start:
        days = (end - start).days + 1
        return next((span for limit, span in SPAN_DAYS if days <= limit), "war")
    return ("battle", "campaign", "war")[min(height, 2)]


def _date(text: str | None, first: bool) -> dt.date | None:
    """A date, year-month or year (the first or last day of the month or year)."""
    parts = (text or "").strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            return dt.date(*numbers)
        if len(numbers) == 2:
            day = dt.date(numbers[0] + numbers[1] // 12, numbers[1] % 12 + 1, 1) - dt.timedelta(1)
            return dt.date(numbers[0], numbers[1], 1) if first else day
        if len(numbers) == 1:
            return dt.date(numbers[0], 1, 1) if first else dt.date(numbers[0], 12, 31)
    except ValueError:
        return None
    return None


# --- the archive's sources and quantities --------------------------------------------------
def _sources(rng: np.random.Generator) -> tuple[Source, ...]:
    """Each side's officials (2-4) and state media (1-3), an armed group for one side half
    the time; side-less monitors (1-2), independent (4-7) and regional media (1-2)."""
    sources: list[Source] = []

    def add(prefix: str, kind: str, side: str | None, low: int, high: int) -> None:
        for i in range(int(rng.integers(low, high + 1))):
            sources.append(Source(f"{prefix}_{kind}{i}", f"{kind} {i} ({side or 'no side'})",
                                  kind, side))

    for side in SIDES:
        add(side, "official", side, 2, 4)
        add(side, "state_media", side, 1, 3)
    add(SIDES[1], "armed_group", SIDES[1], 0, 1)
    add("third", "monitor", None, 1, 2)
    add("third", "independent_media", None, 4, 7)
    add("third", "regional_media", None, 1, 2)
    return tuple(sources)


def _forest(rng: np.random.Generator) -> tuple[Quantity, ...]:
    """The quantity forest of the module's docstring, with dates that give each its span."""
    quantities: list[Quantity] = []
    war_days = (WAR[1] - WAR[0]).days + 1

    def within(days: int, start: dt.date = WAR[0], span: int = war_days) -> dt.date:
        return start + dt.timedelta(days=int(rng.integers(0, max(span - days, 0) + 1)))

    def add(qid: str, text: str, outcome: str, side: str | None, start: dt.date, days: int,
            parent: str | None = None, complete: bool = False) -> str:
        end = start + dt.timedelta(days=days - 1)
        quantities.append(Quantity(qid, text, outcome, side, start.isoformat(), end.isoformat(),
                                   None, parent, complete))
        return qid

    total = (add("war_total", "killed in the war, all parties", "killed", None, WAR[0],
                 war_days) if rng.random() < 0.6 else None)
    for side in SIDES:
        war = add(f"{side}_war", f"{side} killed in the war", "killed", side, WAR[0], war_days,
                  parent=total)
        for p in range(int(rng.integers(1, 3))):
            days = int(rng.integers(60, 241))
            start = within(days)
            period = add(f"{side}_period{p}", f"{side} killed in a campaign", "killed", side,
                         start, days, parent=war)
            for b in range(int(rng.integers(0, 3))):
                length = int(rng.integers(1, 4))
                day = within(length, start, days)
                battle = add(f"{period}_battle{b}", f"{side} killed in a battle of the campaign",
                             "killed", side, day, length, parent=period)
                if rng.random() < 0.15:
                    add(f"{battle}_officers", f"{side} officers among them", "killed", side,
                        day, length, parent=battle)
        for e in range(int(rng.integers(1, 3))):
            length = int(rng.integers(1, 3))
            day = within(length)
            event = add(f"{side}_event{e}", f"{side} casualties in an attack", "casualties",
                        side, day, length, complete=True)
            add(f"{event}_killed", f"{side} killed in it", "killed", side, day, length, event)
            add(f"{event}_wounded", f"{side} wounded in it", "wounded", side, day, length, event)
        for b in range(int(rng.integers(1, 3))):
            add(f"{side}_battle{b}", f"{side} killed in a battle", "killed", side, within(2), 2)
        if rng.random() < 0.4:
            add(f"{side}_captured", f"{side} fighters taken prisoner", "captured", side,
                within(3), 3)
    for h in range(int(rng.integers(1, 3))):
        perpetrator = SIDES[int(rng.integers(len(SIDES)))]
        add(f"{CIVILIANS}_attack{h}", f"civilians killed in an attack by {perpetrator}",
            "killed", perpetrator, within(1), 1)
    return tuple(quantities)
