"""Directional stance: a party's figure for its own losses (or harm it caused) is a floor, its
figure for its enemy's losses a ceiling (docs/model.md, "Directional stance").

A claim's direction d is -1 (floor: the statement lies below what the source knows), +1
(ceiling) or 0. Two things follow from it, both soft so that conflicting evidence can still
move an estimate and the sampler sees smooth surfaces:

* its total log bias r (stance + kind + source) keeps its side of 0: d * s * softplus(d * r / s),
  r itself where r is well on that side, near 0 beyond it (s: ``direction_softness``);
* its noise keeps its side of the belief: a two-piece noise, the family's density at the
  source's scale on the direction's side and at ``far_scale`` times that scale beyond the
  belief, joined continuously at it (a step there would stall the sampler: a folded noise
  with a two-sided leak, tried first, hit the maximum tree depth on every draw of the seed
  data). The far side holds far_scale / (1 + far_scale) of the mass, within a short
  distance. The likelihood is in likelihood.py.

The functions here work on NumPy arrays (simulators, checks), xarray (tables) and PyTensor
tensors (the model) alike.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from reconcile.config import STANCES, ModelConfig
from reconcile.model.noise import NoiseFamily

SIGN = {"floor": -1.0, "ceiling": 1.0, "none": 0.0}


def stance_directions(config: ModelConfig) -> np.ndarray:
    """The direction of each stance (in STANCES order) under ``config``."""
    return np.array([SIGN[config.bias.stance(name).direction] for name in STANCES])


def claim_directions(claim_stance: np.ndarray, config: ModelConfig) -> np.ndarray:
    """Each claim's direction from its stance index."""
    return stance_directions(config)[np.asarray(claim_stance, dtype=np.int64)]


def directed_bias(total, direction, softness: float):
    """A claim's effective log bias: ``total`` kept softly on its ``direction``'s side of 0
    (unchanged where the direction is 0)."""
    softplus = pt.softplus if isinstance(total, pt.Variable) else _softplus
    directed = _nonzero(direction) * 1.0
    kept = direction * softness * softplus(direction * total / softness)
    return total * (1.0 - directed) + kept * directed


def directed_draws(draws, direction, far_scale: float, uniform):
    """Standard noise draws made directional: ``direction * |draw|`` where ``uniform`` (a
    draw in [0, 1) per claim) is below 1 / (1 + far_scale), ``-direction * far_scale *
    |draw|`` elsewhere; the draw itself where the direction is 0."""
    if isinstance(draws, pt.Variable):
        size = pt.abs(draws)
        directed = pt.switch(uniform < 1.0 / (1.0 + far_scale), direction * size,
                             -direction * far_scale * size)
        return pt.switch(_nonzero(direction), directed, draws)
    size = np.abs(draws)
    directed = np.where(uniform < 1.0 / (1.0 + far_scale), direction * size,
                        -direction * far_scale * size)
    return np.where(_nonzero(direction), directed, draws)


def directed_cdf(noise: NoiseFamily, z: np.ndarray, direction: np.ndarray,
                 far_scale: float) -> np.ndarray:
    """CDF at standardized ``z`` of the directional noise (NumPy); F(z) where the direction
    is 0. A floor (-1): 2/(1+k) F(z) below 0, 1 - 2k/(1+k) F(-z/k) above (k = far_scale);
    a ceiling (+1): 2k/(1+k) F(z/k) below 0, 1 - 2/(1+k) F(-z) above."""
    k = far_scale
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(z < 0, 2 / (1 + k) * noise.cdf(z), 1 - 2 * k / (1 + k) * noise.cdf(-z / k))
        ceiling = np.where(z < 0, 2 * k / (1 + k) * noise.cdf(z / k),
                           1 - 2 / (1 + k) * noise.cdf(-z))
    return np.where(direction == 0, noise.cdf(z), np.where(direction < 0, floor, ceiling))


def _nonzero(direction):
    """direction != 0, elementwise (PyTensor's != compares objects, not values)."""
    if isinstance(direction, pt.Variable):
        return pt.neq(direction, 0)
    return np.not_equal(direction, 0)


def _softplus(x):
    return np.logaddexp(0.0, x)
