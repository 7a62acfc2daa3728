"""Index arrays the model is built from: one pass over the dataset, no per-claim graph nodes.

The structure (quantities, forest, speakers, kinds, which claim is about what) is separated
from the observations (each claim's bounds), so that simulated datasets of the same shape can
be swapped into one compiled model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.records import Dataset
from reconcile.observations import Observation, log_bounds


@dataclass(frozen=True)
class Observations:
    """Per-claim bounds on the log latent statement, with 0/1 masks for open ends."""

    lower: np.ndarray
    upper: np.ndarray
    has_lower: np.ndarray
    has_upper: np.ndarray
    is_point: np.ndarray
    about: np.ndarray
    stated: np.ndarray  # the number in the claim (point value or bound), for display and PPC

    @classmethod
    def from_observations(cls, observations: list[Observation]) -> Observations:
        bounds = np.array([log_bounds(o) for o in observations], dtype=float).reshape(-1, 2)
        has_lower = np.isfinite(bounds[:, 0])
        has_upper = np.isfinite(bounds[:, 1])
        return cls(
            lower=np.where(has_lower, bounds[:, 0], 0.0),
            upper=np.where(has_upper, bounds[:, 1], 0.0),
            has_lower=has_lower.astype(float),
            has_upper=has_upper.astype(float),
            is_point=np.array([o.is_point for o in observations], dtype=float),
            about=np.array([o.about for o in observations], dtype=float),
            stated=np.array([o.stated for o in observations], dtype=float),
        )


@dataclass(frozen=True)
class ModelInputs:
    quantity_ids: tuple[str, ...]
    leaf_ids: tuple[str, ...]  # quantities without children: their counts are free
    remainder_ids: tuple[str, ...]  # non-complete parents: a free remainder beyond the children
    source_ids: tuple[str, ...]  # speakers only: relays carry no bias of their own
    kind_ids: tuple[str, ...]
    claim_ids: tuple[str, ...]
    pair_quantity: np.ndarray  # (quantity, leaf) pairs: the leaf lies in the quantity's subtree
    pair_leaf: np.ndarray
    leaf_quantity: np.ndarray  # quantity index of each leaf
    uplift_quantity: np.ndarray  # (quantity, remainder) pairs: the remainder's parent is a
    uplift_remainder: np.ndarray  # strict ancestor of the quantity
    claim_quantity: np.ndarray
    claim_source: np.ndarray
    claim_stance: np.ndarray  # index into config.STANCES
    source_kind: np.ndarray
    weight: np.ndarray  # 1 / size of the claim's evidence group
    observations: Observations

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
        kind_index = {k: i for i, k in enumerate(kinds)}
        return cls(
            quantity_ids=quantity_ids,
            leaf_ids=leaf_ids,
            remainder_ids=remainder_ids,
            source_ids=tuple(speakers),
            kind_ids=kinds,
            claim_ids=tuple(c.claim_id for c in dataset.claims),
            pair_quantity=pair_array[:, 0],
            pair_leaf=pair_array[:, 1],
            leaf_quantity=np.array([quantity_index[q] for q in leaf_ids], dtype=np.int64),
            uplift_quantity=uplift_array[:, 0],
            uplift_remainder=uplift_array[:, 1],
            claim_quantity=np.array([quantity_index[c.quantity_id] for c in dataset.claims],
                                    dtype=np.int64),
            claim_source=np.array([speaker_index[c.source_id] for c in dataset.claims],
                                  dtype=np.int64),
            claim_stance=np.array([STANCES.index(dataset.stance(c)) for c in dataset.claims],
                                  dtype=np.int64),
            source_kind=np.array([kind_index[dataset.source_by_id[s].kind] for s in speakers],
                                 dtype=np.int64),
            weight=evidence_weights(dataset, config.dependence.identical_figures == "once"),
            observations=Observations.from_observations([c.observation for c in dataset.claims]),
        )

    @property
    def coords(self) -> dict[str, tuple[str, ...]]:
        return {
            "quantity": self.quantity_ids,
            "leaf": self.leaf_ids,
            "remainder": self.remainder_ids,
            "source": self.source_ids,
            "kind": self.kind_ids,
            "claim": self.claim_ids,
            "stance": STANCES,
        }


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
