"""The validated dataset: immutable records with every claim resolved to an observation.

This is what the rest of the engine consumes. It is built only by ``load_dataset`` (which
validates) or by the simulator (which constructs valid data by design).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Callable, Literal, Mapping

from reconcile.dataset.fields import parse_moment
from reconcile.observations import Observation

OUTCOMES: tuple[str, ...] = ("killed", "wounded", "captured", "missing", "casualties")
Stance = Literal["own", "enemy", "third_party"]


@dataclass(frozen=True)
class Source:
    source_id: str
    name: str
    kind: str
    side: str | None = None


@dataclass(frozen=True)
class Quantity:
    quantity_id: str
    description: str
    outcome: str
    side: str | None = None
    start: str | None = None
    end: str | None = None
    place: str | None = None
    parent: str | None = None
    complete: bool = False
    by: str | None = None  # the party that caused the deaths: stance is judged against it
    cumulative: bool = False  # claims are tolls to date (as_of); the count is the final toll


@dataclass(frozen=True)
class Claim:
    claim_id: str
    quantity_id: str
    source_id: str
    qualifier: str
    observation: Observation
    document: str
    quote: str
    via: tuple[str, ...] = ()
    value: int | None = None
    low: int | None = None
    high: int | None = None
    term: str | None = None
    published: str | None = None
    notes: str | None = None
    row: int | None = None
    as_of: str | None = None  # as written; ``counted_to`` resolves the default

    @property
    def counted_to(self) -> str | None:
        """The date (or date and time) the figure counts up to: ``as_of``, else ``published``."""
        return self.as_of or self.published


def stance_of(source_side: str | None, quantity_side: str | None) -> Stance:
    """Own losses, the enemy's, or a third party's view, from the two sides."""
    if not source_side or not quantity_side:
        return "third_party"
    return "own" if source_side == quantity_side else "enemy"


@dataclass(frozen=True)
class Dataset:
    """An immutable, validated dataset. Tuples and read-only mappings only."""

    sources: tuple[Source, ...]
    quantities: tuple[Quantity, ...]
    claims: tuple[Claim, ...]
    name: str = "dataset"
    input_hashes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    # --- pickling (a run's chains on Dask workers): the records, not the cached lookups ---
    def __getstate__(self) -> dict:
        return {"sources": self.sources, "quantities": self.quantities, "claims": self.claims,
                "name": self.name, "input_hashes": dict(self.input_hashes)}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "input_hashes", MappingProxyType(state["input_hashes"]))

    # --- lookups -------------------------------------------------------------------------
    @cached_property
    def source_by_id(self) -> Mapping[str, Source]:
        return MappingProxyType({s.source_id: s for s in self.sources})

    @cached_property
    def quantity_by_id(self) -> Mapping[str, Quantity]:
        return MappingProxyType({q.quantity_id: q for q in self.quantities})

    @cached_property
    def quantity_index(self) -> Mapping[str, int]:
        return MappingProxyType({q.quantity_id: i for i, q in enumerate(self.quantities)})

    @cached_property
    def source_index(self) -> Mapping[str, int]:
        return MappingProxyType({s.source_id: i for i, s in enumerate(self.sources)})

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({s.kind for s in self.sources}))

    # --- derived per claim ---------------------------------------------------------------
    def stance(self, claim: Claim) -> Stance:
        """A quantity with ``by`` (the party that caused the deaths) is judged against it: its
        own side speaks of harm it caused (own: it understates), another side of harm its
        enemy caused (enemy: it inflates); otherwise against the side whose losses it counts."""
        quantity = self.quantity_by_id[claim.quantity_id]
        return stance_of(self.source_by_id[claim.source_id].side, quantity.by or quantity.side)

    @cached_property
    def evidence_groups(self) -> tuple[tuple[int, ...], ...]:
        """Claims that are one piece of evidence: the same original speaker on the same
        quantity (repeats, and relays of one statement through different outlets); on a
        cumulative quantity the same speaker's toll to the same date, so that successive
        updates all count while relays of one update count once."""
        groups: dict[tuple[str, str, str | None], list[int]] = {}
        for index, claim in enumerate(self.claims):
            dated = self.quantity_by_id[claim.quantity_id].cumulative
            key = (claim.source_id, claim.quantity_id, claim.counted_to if dated else None)
            groups.setdefault(key, []).append(index)
        return tuple(tuple(members) for members in groups.values())

    @cached_property
    def evidence_weights(self) -> tuple[float, ...]:
        """1 / (size of the claim's evidence group): a group counts once in the likelihood."""
        weights = [0.0] * len(self.claims)
        for members in self.evidence_groups:
            for index in members:
                weights[index] = 1.0 / len(members)
        return tuple(weights)

    def claims_about(self, quantity_id: str) -> tuple[Claim, ...]:
        return self._claims_by_quantity.get(quantity_id, ())

    def claims_by(self, source_id: str) -> tuple[Claim, ...]:
        return self._claims_by_source.get(source_id, ())

    # Indexed once: the tables ask per quantity and per source, and a scan of every claim
    # for each made them quadratic (20,000 quantities x 100,000 claims took hours).
    @cached_property
    def _claims_by_quantity(self) -> Mapping[str, tuple[Claim, ...]]:
        return _grouped(self.claims, lambda c: c.quantity_id)

    @cached_property
    def _claims_by_source(self) -> Mapping[str, tuple[Claim, ...]]:
        return _grouped(self.claims, lambda c: c.source_id)

    def reported_by(self, moment: str) -> Dataset:
        """The dataset as it could be curated at ``moment`` (an ISO date, to its end, or
        ``YYYY-MM-DDTHH:MM``): the claims whose report was out by then. A report dated by the
        day is known by that day's end, and none before the moment its figure counts to;
        claims with no date cannot be placed in time and are left out. What a running
        toll's first days said of its final toll is a fit of this."""
        cut = parse_moment(moment)
        if cut is None:
            raise ValueError(f"{moment!r} is not an ISO date or date and time (YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM)")
        kept = []
        for claim in self.claims:
            # a report is known by the end of its date (a date and time: by that minute),
            # and not before the moment its figure counts up to
            known = [parse_moment(d)[1] for d in (claim.published, claim.as_of) if d]
            if known and max(known) <= cut[1]:
                kept.append(claim)
        return replace(self, claims=tuple(kept), name=f"{self.name} (reported by {moment})")

    # --- the quantity forest -------------------------------------------------------------
    @cached_property
    def children(self) -> Mapping[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {q.quantity_id: [] for q in self.quantities}
        for q in self.quantities:
            if q.parent:
                kids[q.parent].append(q.quantity_id)
        return MappingProxyType({k: tuple(v) for k, v in kids.items()})

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(q.quantity_id for q in self.quantities if not q.parent)

    def ancestors(self, quantity_id: str) -> tuple[str, ...]:
        chain = []
        parent = self.quantity_by_id[quantity_id].parent
        while parent:
            chain.append(parent)
            parent = self.quantity_by_id[parent].parent
        return tuple(chain)

    def depth(self, quantity_id: str) -> int:
        return len(self.ancestors(quantity_id))

    @cached_property
    def tree_order(self) -> tuple[str, ...]:
        """Depth-first order (each parent before its children), for tree displays."""
        order: list[str] = []

        def visit(qid: str) -> None:
            order.append(qid)
            for child in self.children[qid]:
                visit(child)

        for root in self.roots:
            visit(root)
        return tuple(order)

    def summary(self) -> str:
        stances = {"own": 0, "enemy": 0, "third_party": 0}
        for claim in self.claims:
            stances[self.stance(claim)] += 1
        return (
            f"{len(self.sources)} sources ({len(self.kinds)} kinds), {len(self.quantities)} "
            f"quantities ({len(self.roots)} trees), {len(self.claims)} claims in "
            f"{len(self.evidence_groups)} pieces of evidence (stance: {stances['own']} own, "
            f"{stances['enemy']} enemy, {stances['third_party']} third-party)"
        )


def _grouped(claims: tuple[Claim, ...], key: Callable[[Claim], str]
             ) -> Mapping[str, tuple[Claim, ...]]:
    """Claims by ``key``, each group in the claims' order."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(key(claim), []).append(claim)
    return MappingProxyType({k: tuple(v) for k, v in groups.items()})
