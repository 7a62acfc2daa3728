"""Which sources' effects are sampled centred, and which non-centred (measured; all
non-centred by default: see CENTRED_FROM).

Every source's bias is its kind's effect plus a deviation Normal(0, sd), sd learnt. The
prior is the same whichever way it is written; the geometry NUTS sees is not
(Papaspiliopoulos, Roberts and Skold 2007). Written non-centred, deviation = sd * z, a
deviation the claims pin makes its z move as 1 / sd, a ridge NUTS crosses slowly: at 1,000
claims, about ten a source, corr(log source_bias_sd, mean |z|) was -0.84 (issue 16).
Written centred, a deviation the claims leave to the prior is a funnel in sd. Centred here
means the source's whole bias (kind effect + deviation) is the free parameter: the claims
pin the bias, not how it splits between kind and source, and with the deviation alone
centred a kind's effect could not move without moving all its sources' deviations.

So a source is centred only where its claims pin it: they must be about quantities another
source also speaks of (else the bias cannot be told from the count), and its kind must
have other such sources (else the deviation cannot be told from the kind's effect: in
benchmark T, a toll whose ministry is its kind's only source, centring it gave 45
divergences in 4 x 1,000 draws, where non-centred gave none).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from reconcile.model.inputs import ModelInputs

# Centred from this much cross-checked evidence (summed claim weights): a source's bias,
# and its log noise scale. Both are off (infinite) by default. Biases centred from 5, on
# 100 simulated 200-claim archives, side by side with all non-centred (docs/validation.md,
# "Centred source effects"): 1.4x the slowest parameter's ESS (paired median), but 8 fits
# with divergences against none, and a run with divergences fails its diagnostics. A noise
# scale needs far more claims than a bias to be pinned (its prior sd is 0.15, the sd of a
# log scale from n claims about 1 / sqrt(2 n)); centred from 5 too, benchmark T's
# divergences went from 45 to 124. The 8 fits diverged in the centred form's funnel: at a
# small between-source sd (0.015-0.025) the "pinned" sources are not pinned relative to it.
CENTRED_FROM = {"source_bias": float("inf"), "noise_source": float("inf")}
MEASURED_FROM = 5.0  # the bias threshold measured above (benchmarks/geometry.py)
PINNED_IN_KIND = 3  # a source is centred only when its kind has this many pinned sources


def cross_checked_evidence(inputs: ModelInputs, weights: np.ndarray) -> np.ndarray:
    """Each source's evidence (summed claim ``weights``) about quantities another source
    also speaks of: only there do its claims tell its bias from the count."""
    n_sources = len(inputs.source_ids)
    pairs, claim_pair = np.unique(inputs.claim_quantity * n_sources + inputs.claim_source,
                                  return_inverse=True)
    pair_weight = np.bincount(claim_pair, weights=weights, minlength=len(pairs))
    pair_quantity, pair_source = pairs // n_sources, pairs % n_sources
    speakers = np.bincount(pair_quantity[pair_weight > 0],
                           minlength=len(inputs.quantity_ids))
    shared = speakers[pair_quantity] > 1
    return np.bincount(pair_source[shared], weights=pair_weight[shared], minlength=n_sources)


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


def source_effects(name: str, kind_effect, sd, centred, kind=None):
    """Each source's effect, its kind's ``kind_effect`` plus a deviation Normal(0, ``sd``),
    inside a PyMC model, with one free parameter per source, ``{name}_free``: where
    ``centred`` is 1 the effect itself, Normal(kind_effect, sd), so that a kind's effect
    moves without moving its sources' (the claims pin the effect, not how it splits between
    kind and source); where it is 0, deviation / sd, Normal(0, 1). With ``kind`` (each
    source's kind index) the non-centred deviations sum to zero within each kind
    (``within_kind_zero_sum``)."""
    free = pm.Normal(f"{name}_free", centred * kind_effect, centred * sd + (1.0 - centred),
                     dims="source")
    deviation = free if kind is None else within_kind_zero_sum(free, kind, 1.0 - centred)
    return centred * free + (1.0 - centred) * (kind_effect + sd * deviation)


def within_kind_zero_sum(z, kind, member):
    """``z`` (independent standard normals, one per source) projected so that the members'
    values sum to zero within each kind, rescaled by sqrt(n / (n - 1)) so that each keeps a
    unit variance: the kind's effect is then its sources' mean, and the direction in which
    a kind's effect and all its deviations trade off (held only by their priors) is gone.
    A kind with one member keeps its z (a projection would pin its deviation to 0 and
    narrow that source's prior); non-members (``member`` 0) keep theirs. The projection
    leaves each kind's mean of z a direction of pure prior, which NUTS crosses freely.
    A PyTensor expression; ``z`` may have leading sample axes."""
    in_kind = (pt.eq(pt.shape_padright(kind), pt.arange(pt.max(kind) + 1))
               * pt.shape_padright(member))  # source x kind: 1 where a member
    size = in_kind.sum(axis=0)[kind]  # members in each source's kind
    kind_mean = pt.dot(pt.dot(z, in_kind) / pt.maximum(in_kind.sum(axis=0), 1.0), in_kind.T)
    grouped = member * (size > 1)
    scale = pt.sqrt(size / pt.maximum(size - 1.0, 1.0))
    return grouped * (z - kind_mean) * scale + (1.0 - grouped) * z


def boundary_avoiding_sd(name: str, mean: float):
    """Gamma(2) prior with the given mean for a between-source or between-leaf sd: zero
    density at 0, so the sampler never enters the funnel where the sd collapses (Chung et al.
    2013). Most sources make one or two claims, so the data say little about these sds."""
    return pm.Gamma(name, alpha=2.0, beta=2.0 / mean)


__all__ = ["CENTRED_FROM", "MEASURED_FROM", "PINNED_IN_KIND", "boundary_avoiding_sd",
           "centred_sources", "cross_checked_evidence", "source_effects",
           "within_kind_zero_sum"]

