"""Index arrays the model is built from: one pass over the dataset, no per-claim graph nodes.

The structure (quantities, forest, speakers, kinds, which claim is about what) is separated
from the observations (each claim's bounds), so that simulated datasets of the same shape can
be swapped into one compiled model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.fields import parse_moment
from reconcile.dataset.records import Dataset, Quantity
from reconcile.config import NoiseConfig, ReadingConfig
from reconcile.model.clean_counts import CleanGroups
from reconcile.model.tolls import TollInputs
from reconcile.observations import LITERAL, Observation, log_bounds


@dataclass(frozen=True)
class Observations:
    """Per-claim bounds on the log latent statement (the near range of the claim's
    reading), with 0/1 masks for open ends, and the relative likelihood of a statement
    above and below them (0: none)."""

    lower: np.ndarray
    upper: np.ndarray
    has_lower: np.ndarray
    has_upper: np.ndarray
    is_point: np.ndarray
    extra_variance: np.ndarray  # of the statement: "about X" and vague words are vaguer
    stated: np.ndarray  # the number in the claim (point value or bound), for display and PPC
    above: np.ndarray
    below: np.ndarray

    @classmethod
    def from_observations(cls, observations: list[Observation],
                          readings: ReadingConfig = LITERAL,
                          noise: NoiseConfig = NoiseConfig()) -> Observations:
        near = [o.near(readings) for o in observations]
        bounds = np.array([log_bounds(r) for r in near], dtype=float).reshape(-1, 2)
        has_lower = np.isfinite(bounds[:, 0])
        has_upper = np.isfinite(bounds[:, 1])
        return cls(
            lower=np.where(has_lower, bounds[:, 0], 0.0),
            upper=np.where(has_upper, bounds[:, 1], 0.0),
            has_lower=has_lower.astype(float),
            has_upper=has_upper.astype(float),
            is_point=np.array([o.is_point for o in observations], dtype=float),
            extra_variance=np.array([extra_variance(o, readings, noise) for o in observations],
                                    dtype=float),
            stated=np.array([o.stated for o in observations], dtype=float),
            above=np.array([r.above for r in near], dtype=float),
            below=np.array([r.below for r in near], dtype=float),
        )


def extra_variance(observation: Observation, readings: ReadingConfig,
                   noise: NoiseConfig) -> float:
    """Extra log-scale variance of a claim's statement: "about X" and vague words."""
    if observation.about:
        return noise.about_sigma ** 2
    if observation.reading.vague and readings.pragmatic:
        return readings.vague_sigma ** 2
    return 0.0


@dataclass(frozen=True)
class ModelInputs:
    quantity_ids: tuple[str, ...]
    leaf_ids: tuple[str, ...]  # quantities without children: their counts are free
    remainder_ids: tuple[str, ...]  # non-complete parents: a free remainder beyond the children
    source_ids: tuple[str, ...]  # speakers only: relays carry no bias of their own
    kind_ids: tuple[str, ...]
    outcome_ids: tuple[str, ...]  # the leaves' outcomes
    claim_ids: tuple[str, ...]
    pair_quantity: np.ndarray  # (quantity, leaf) pairs: the leaf lies in the quantity's subtree
    pair_leaf: np.ndarray
    leaf_quantity: np.ndarray  # quantity index of each leaf
    leaf_anchor: np.ndarray  # quantity index whose log count is sampled for it (leaf_anchors)
    leaf_log_span: np.ndarray  # log(span / 30 days) of each leaf (0 without a period)
    leaf_outcome: np.ndarray  # index into outcome_ids
    uplift_quantity: np.ndarray  # (quantity, remainder) pairs: the remainder's parent is a
    uplift_remainder: np.ndarray  # strict ancestor of the quantity
    claim_quantity: np.ndarray
    claim_source: np.ndarray
    claim_stance: np.ndarray  # index into config.STANCES
    source_kind: np.ndarray
    weight: np.ndarray  # 1 / size of the claim's evidence group
    observations: Observations
    tolls: TollInputs  # cumulative quantities, and each claim's date on their time axes
    clean_groups: CleanGroups  # counts to date that share a clean-or-not reading

    @property
    def clean_claims(self) -> np.ndarray:
        return self.clean_groups.claims

    @property
    def clean_cell(self) -> np.ndarray:
        return self.clean_groups.cell

    @property
    def clean_previous_cell(self) -> np.ndarray:
        return self.clean_groups.previous_cell

    @property
    def clean_lead(self) -> np.ndarray:
        return self.clean_groups.lead

    @property
    def clean_table(self) -> np.ndarray:
        """The group table's (n_groups, width), as data: a shape fixed in the graph would
        make every dataset's model compile anew."""
        return np.array([self.clean_groups.n_groups, self.clean_groups.width], dtype=np.int64)

    @property
    def claim_toll(self) -> np.ndarray:
        return self.tolls.claim_toll

    @classmethod
    def from_dataset(cls, dataset: Dataset, config: ModelConfig | None = None) -> ModelInputs:
        """Index arrays of ``dataset``; ``config`` (default: the default configuration)
        decides which claims are one piece of evidence (their weights)."""
        config = config or ModelConfig()
        quantity_ids = tuple(q.quantity_id for q in dataset.quantities)
        quantity_index = dataset.quantity_index
        leaf_ids = tuple(q for q in quantity_ids if not dataset.children[q])
        remainder_ids = tuple(q.quantity_id for q in dataset.quantities
                              if dataset.children[q.quantity_id] and not q.complete)
        pair_array = _index_pairs(
            (quantity_index[owner], leaf_number)
            for leaf_number, leaf in enumerate(leaf_ids)
            for owner in (leaf, *dataset.ancestors(leaf))
        )
        remainder_index = {q: i for i, q in enumerate(remainder_ids)}
        uplift_array = _index_pairs(
            (quantity_index[q], remainder_index[ancestor])
            for q in quantity_ids
            for ancestor in dataset.ancestors(q)
            if ancestor in remainder_index
        )
        speakers = sorted({c.source_id for c in dataset.claims})
        speaker_index = {sid: i for i, sid in enumerate(speakers)}
        kinds = tuple(sorted({dataset.source_by_id[s].kind for s in speakers}))
        leaves = [dataset.quantity_by_id[q] for q in leaf_ids]
        outcomes = tuple(sorted({q.outcome for q in leaves}))
        kind_index = {k: i for i, k in enumerate(kinds)}
        claim_stance = np.array([STANCES.index(dataset.stance(c)) for c in dataset.claims],
                                dtype=np.int64)
        tolls = TollInputs.from_dataset(dataset, config.tolls.min_open_span_days)
        return cls(
            quantity_ids=quantity_ids,
            leaf_ids=leaf_ids,
            remainder_ids=remainder_ids,
            source_ids=tuple(speakers),
            kind_ids=kinds,
            outcome_ids=outcomes,
            claim_ids=tuple(c.claim_id for c in dataset.claims),
            pair_quantity=pair_array[:, 0],
            pair_leaf=pair_array[:, 1],
            leaf_quantity=np.array([quantity_index[q] for q in leaf_ids], dtype=np.int64),
            leaf_anchor=np.array([quantity_index[leaf_anchor(dataset, q)] for q in leaf_ids],
                                 dtype=np.int64),
            leaf_log_span=np.array([log_span(q) for q in leaves], dtype=float),
            leaf_outcome=np.array([outcomes.index(q.outcome) for q in leaves], dtype=np.int64),
            uplift_quantity=uplift_array[:, 0],
            uplift_remainder=uplift_array[:, 1],
            claim_quantity=np.array([quantity_index[c.quantity_id] for c in dataset.claims],
                                    dtype=np.int64),
            claim_source=np.array([speaker_index[c.source_id] for c in dataset.claims],
                                  dtype=np.int64),
            claim_stance=claim_stance,
            source_kind=np.array([kind_index[dataset.source_by_id[s].kind] for s in speakers],
                                 dtype=np.int64),
            weight=evidence_weights(dataset, config.dependence.identical_figures == "once"),
            observations=Observations.from_observations([c.observation for c in dataset.claims],
                                                        config.readings, config.noise),
            tolls=tolls,
            clean_groups=CleanGroups.from_dataset(dataset, tolls, claim_stance,
                                                  config.tolls.clean_by),
        )

    @property
    def coords(self) -> dict[str, tuple[str, ...]]:
        return {
            "quantity": self.quantity_ids,
            "leaf": self.leaf_ids,
            "remainder": self.remainder_ids,
            "source": self.source_ids,
            "kind": self.kind_ids,
            "outcome": self.outcome_ids,
            "claim": self.claim_ids,
            "stance": STANCES,
            "toll": self.tolls.ids,
        }


REFERENCE_SPAN_DAYS = 30


def log_span(quantity: Quantity) -> float:
    """log(span / 30 days) of the quantity's period, start to end inclusive (partial dates
    cover their whole month or year); 0 when it has no period."""
    if not (quantity.start and quantity.end):
        return 0.0
    start, end = parse_moment(quantity.start), parse_moment(quantity.end)
    if start is None or end is None:
        return 0.0
    days = max((end[1] - start[0]).total_seconds() / 86_400.0, 1.0)
    return math.log(days / REFERENCE_SPAN_DAYS)


def leaf_anchor(dataset: Dataset, leaf: str) -> str:
    """The quantity whose log count the model samples for ``leaf`` (model/counts.py): of the
    leaf and the ancestors above it that have no other child, the one most speakers make
    claims about, the highest on a tie. Any choice is the same model; this one puts the free
    variable where the claims pin it, so that a remainder they leave open moves freely. On a
    tie the top: on the seed data (a chain of three quantities with one claim each, seeds 0-9,
    4 x 2,000 draws) the smallest tail ESS of any parameter was 437-789 (median 594), against
    247-1,014 (median 454) with every leaf its own anchor, where a remainder of the chain was
    the slowest parameter at 7 of the 10 seeds."""
    chain = [leaf]
    for ancestor in dataset.ancestors(leaf):
        if len(dataset.children[ancestor]) != 1:
            break
        chain.append(ancestor)
    speakers = {q: len({c.source_id for c in dataset.claims_about(q)}) for q in chain}
    return max(chain, key=lambda q: (speakers[q], chain.index(q)))


def _index_pairs(pairs) -> np.ndarray:
    return np.array(list(pairs), dtype=np.int64).reshape(-1, 2)


def evidence_weights(dataset: Dataset, merge_identical_figures: bool) -> np.ndarray:
    """1 / (size of the claim's evidence group), so that a group counts once.

    Groups start as the dataset's (one speaker on one quantity: repeats and relays); with
    ``merge_identical_figures`` the groups of different speakers that state the same figure
    or bound about the same quantity are merged (union-find)."""
    groups = [list(members) for members in dataset.evidence_groups]
    if merge_identical_figures:
        parent = list(range(len(groups)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first_with: dict[tuple, int] = {}
        for number, members in enumerate(groups):
            for index in members:
                claim = dataset.claims[index]
                key = (claim.quantity_id, *claim.observation.figure_key)
                if key in first_with:
                    parent[root(number)] = root(first_with[key])
                else:
                    first_with[key] = number
        merged: dict[int, list[int]] = {}
        for number, members in enumerate(groups):
            merged.setdefault(root(number), []).extend(members)
        groups = list(merged.values())
    weights = np.zeros(len(dataset.claims))
    for members in groups:
        weights[members] = 1.0 / len(members)
    return weights
