"""Which sources' deviations are sampled centred, and which non-centred.

Every source deviates from its kind by Normal(0, sd), sd learnt. The prior is the same
whichever way it is written; the geometry NUTS sees is not (Papaspiliopoulos, Roberts and
Skold 2007). Written non-centred, deviation = sd * z, a deviation the claims pin makes its z
move as 1 / sd, a ridge NUTS crosses slowly: at 1,000 claims, about ten a source,
corr(log source_bias_sd, mean |z|) was -0.84 (issue 16). Written centred, a deviation the
claims leave to the prior is a funnel in sd. So a source is centred only where its claims
pin its deviation: they must be about quantities another source also speaks of (else the
bias cannot be told from the count), and its kind must have other such sources (else the
deviation cannot be told from the kind's effect: the seed-sized toll of benchmark T, whose
ministry is the only official source, diverged when its deviation was centred).
"""

from __future__ import annotations

import numpy as np
import pymc as pm

from reconcile.model.inputs import ModelInputs

# Centred from this much cross-checked evidence (summed claim weights): a source's bias,
# and its log noise scale. A noise scale needs far more claims than a bias to be pinned
# (its prior sd is 0.15, the sd of a log scale estimated from n claims about 1 / sqrt(2 n)),
# and centring it at 5 claims made benchmark T diverge: it stays non-centred.
CENTRED_FROM = {"source_bias": 5.0, "noise_source": float("inf")}
PINNED_IN_KIND = 3  # a source is centred only when its kind has this many pinned sources


def cross_checked_evidence(inputs: ModelInputs, weights: np.ndarray) -> np.ndarray:
    """Each source's evidence (summed claim ``weights``) about quantities another source
    also speaks of: only there do its claims tell its bias from the count."""
    pairs = np.zeros((len(inputs.quantity_ids), len(inputs.source_ids)))
    np.add.at(pairs, (inputs.claim_quantity, inputs.claim_source), weights)
    shared = (pairs > 0).sum(axis=1) > 1
    return pairs[shared].sum(axis=0)


def centred_sources(inputs: ModelInputs, weights: np.ndarray) -> dict[str, np.ndarray]:
    """For each deviation in CENTRED_FROM, 1.0 for the sources sampled centred, else 0.0."""
    evidence = cross_checked_evidence(inputs, weights)
    result = {}
    for name, threshold in CENTRED_FROM.items():
        pinned = evidence >= threshold
        pinned_in_kind = np.bincount(inputs.source_kind, weights=pinned,
                                     minlength=len(inputs.kind_ids))
        result[name] = (pinned & (pinned_in_kind[inputs.source_kind] >= PINNED_IN_KIND)
                        ).astype(float)
    return result


def source_deviations(name: str, sd, centred):
    """Each source's deviation from its kind, Normal(0, ``sd``), inside a PyMC model, with
    one free parameter per source, ``{name}_free``: the deviation itself where ``centred``
    is 1, deviation / sd where it is 0."""
    free = pm.Normal(f"{name}_free", 0.0, centred * sd + (1.0 - centred), dims="source")
    return free * (centred + (1.0 - centred) * sd)


__all__ = ["CENTRED_FROM", "PINNED_IN_KIND", "centred_sources", "cross_checked_evidence",
           "source_deviations"]
