"""Clean counts to date (``[tolls] clean_share``): a running toll's count to date is either
clean (what was counted: no bias, a narrow noise) or read as any claim (a double count, a
count of the missing, a narrower scope), and the model marginalises which.

Which claims share one clean-or-not indicator is ``tolls.clean_by``:

* ``update``: each update (a speaker's figure as of a date, with its repeats and relays:
  the dataset's evidence group) is clean or not on its own;
* ``speaker``: a speaker's whole series of updates on a toll is. A body that counts cleanly
  does so at every update, and one that double counts or counts the missing does so until
  it revises; so a figure its own series contradicts (a count to date it lowers later)
  tells against all of it. Another body's contradiction does not single out which series
  is disturbed (Sri Lanka 2019: the police's coherent 290, 310, 359 against the health
  ministry's one "about 253"; docs/validation.md, "Clean by speaker").

A group's likelihood is the mixture (1 - w) prod_i G_i + w prod_i C_i over its claims (G the
general reading, C the clean one, each to the power of the claim's evidence weight, so that
relays of one update count once). It is given to each claim in the chain-rule form
log p(y_k | the group's earlier claims), in date order, so that the claims' log-likelihoods
still sum to the model's and each claim keeps its own value (PSIS-LOO reads them: a claim's
value is then its one-step-ahead predictive given its speaker's earlier updates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytensor.tensor as pt

from reconcile.dataset.records import Dataset
from reconcile.model.tolls import TollInputs, counts_to_date


@dataclass(frozen=True)
class CleanGroups:
    """Where each count to date sits in its group: the groups are the rows of a (groups,
    width) table, each row its claims in date order, padded (the table is small: one row per
    speaker or update of a running toll)."""

    claims: np.ndarray  # claim index of each count to date, grouped, in date order
    cell: np.ndarray  # each one's flat place in the table: row * width + column
    previous_cell: np.ndarray  # the cell before it in its row; groups * width for a first
    lead: np.ndarray  # per claim: the claim that leads its group (itself if in none)
    n_groups: int
    width: int

    @classmethod
    def from_dataset(cls, dataset: Dataset, tolls: TollInputs, claim_stance: np.ndarray,
                     by: str) -> CleanGroups:
        """Counts to date (counts_to_date) grouped ``by`` "update" or "speaker"."""
        is_count = counts_to_date(tolls.claim_dated, claim_stance)
        if by == "speaker":
            keys = [(c.source_id, c.quantity_id) for c in dataset.claims]
        else:  # an update: the dataset's evidence group (speaker, quantity, as_of)
            keys = [None] * len(dataset.claims)
            for number, members in enumerate(dataset.evidence_groups):
                for index in members:
                    keys[index] = number
        rows: dict[object, list[int]] = {}
        for index in np.flatnonzero(is_count):
            rows.setdefault(keys[index], []).append(int(index))
        width = max((len(members) for members in rows.values()), default=1)
        claims, cell, previous = [], [], []
        lead = np.arange(len(dataset.claims), dtype=np.int64)
        for row, members in enumerate(rows.values()):
            members.sort(key=lambda i: (tolls.claim_elapsed[i], i))
            for column, index in enumerate(members):
                claims.append(index)
                cell.append(row * width + column)
                previous.append(row * width + column - 1 if column else len(rows) * width)
                lead[index] = members[0]
        return cls(np.array(claims, dtype=np.int64), np.array(cell, dtype=np.int64),
                   np.array(previous, dtype=np.int64), lead, len(rows), width)


def grouped_mixture_logp(general, clean, share, claims, cell, previous_cell, n_groups, width):
    """Each claim's log-likelihood with its group's clean-or-not indicator marginalised:
    ``general`` and ``clean`` are the claims' two readings' log-likelihoods, already times
    their evidence weights, ``share`` the prior probability of the clean reading, and the
    rest a CleanGroups' arrays and table shape (tensors or numbers). A claim in no group
    keeps ``general``; a group's claim k gets log L_k - log L_(k-1), L_k the mixture over
    the group's claims up to k."""
    w = share[claims]
    log_w = pt.log(pt.switch(w > 0, w, 1.0))
    log_not = pt.log1p(-w)

    def running(values):  # per count to date: the sum over its group up to it, and before
        table = pt.zeros(n_groups * width, dtype="float64")
        table = pt.set_subtensor(table[cell], values[claims])
        summed = pt.cumsum(table.reshape((n_groups, width)), axis=1).reshape((-1,))
        return summed[cell], pt.concatenate([summed, pt.zeros(1)])[previous_cell]

    general_to, general_before = running(general)
    clean_to, clean_before = running(clean)
    mixed = (pt.logaddexp(log_not + general_to, log_w + clean_to)
             - pt.logaddexp(log_not + general_before, log_w + clean_before))
    return pt.set_subtensor(general[claims], pt.switch(w > 0, mixed, general[claims]))


def clean_indicators(uniform, share, lead):
    """Which claims are read as clean in a draw: each group's indicator is drawn once, from
    its lead claim's ``uniform`` draw (the simulator's and the predictive draws). A 0-d
    ``uniform`` is PyMC's trial call of the draws, which only reads their dimensions."""
    if uniform.ndim == 0:
        return uniform < share
    return uniform[..., lead] < share
