"""The compiled likelihood loop (model/claim_kernel.py) against the PyTensor graph it replaces
(model/likelihood.py): the same values and derivatives on claims that take every branch, and
the same model log density and gradient."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.gradient import NullTypeGradError

from reconcile.config import load_config
from reconcile.dataset import load_dataset
from reconcile.model.build import build_model
from reconcile.model.claim_kernel import NARROW, ClaimReadingLogp
from reconcile.model.likelihood import has_compiled_loop, reading_logp
from reconcile.model.noise import noise_family

from support import SEEDS

CONFIG = load_config()
DECAY, RATE = CONFIG.readings.literal_decay, CONFIG.readings.denial_rate
# Both compute the same formulas in another order; where an interval is a few rounding units
# wide, log(F(u) - F(l)) turns an error of 1e-16 in F into ~1e-11 (measured max 2.6e-10 over
# 20,000 random claims).
TOLERANCE = 1e-8


def random_claims(n: int, seed: int) -> dict[str, np.ndarray]:
    """Claims of every reading: stated figures, open bounds, ranges, literal readings beyond
    the near range, directions, own-side statements (0s among them: blanket denials), dropped
    claims, and parameters far from the claims (huge and tiny scales, far locations)."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 5, n)
    stated = np.exp(rng.normal(4, 2.5, n)).round()
    stated[rng.random(n) < 0.15] = 0
    lower = np.log(np.maximum(stated - 0.5, 1e-300))
    upper = np.log(stated + 0.5)
    upper = np.where(kind == 3, upper + rng.uniform(0, 2, n), upper)
    loc, scale = rng.normal(4, 2, n), np.exp(rng.normal(-1.5, 1.5, n))
    scale[:n // 20] = 1e3  # intervals far narrower than the noise: the midpoint rule
    loc[n // 20:n // 10] = 60.0
    scale[n // 10:n // 7] = 1e-6
    return {
        "loc": loc, "scale": scale, "lower": lower, "upper": upper,
        "has_lower": np.where((kind == 1) | (stated == 0), 0.0, 1.0),
        "has_upper": np.where(kind == 2, 0.0, 1.0),
        "is_point": np.where(kind == 0, 1.0, 0.0),
        "above": np.where(rng.random(n) < 0.4, rng.uniform(0, 1, n), 0.0),
        "below": np.where(rng.random(n) < 0.4, rng.uniform(0, 1, n), 0.0),
        "direction": rng.integers(-1, 2, n).astype(float),
        "far_scale": np.full(n, CONFIG.bias.direction_far_scale),
        "own": (rng.random(n) < 0.3).astype(float),
        "weight": rng.choice([1.0, 0.5, 0.0], n),
    }


def graph_logp(c):
    """What likelihood.claim_likelihood computes without the loop (its claim_logp)."""
    logp = reading_logp(c["loc"], c["scale"], c["lower"], c["upper"], c["has_lower"],
                        c["has_upper"], c["above"], c["below"], c["direction"],
                        noise_family(CONFIG.noise), c["far_scale"], DECAY)
    denial = pt.eq(c["own"], 1) & pt.eq(c["is_point"], 1) & pt.eq(c["has_lower"], 0)
    logp = pt.switch(denial, pt.logaddexp(np.log(RATE), np.log1p(-RATE) + logp),
                     logp + pt.eq(c["own"], 1) * np.log1p(-RATE))
    return c["weight"] * logp


def value_and_gradient(build, mode: str):
    names = list(random_claims(1, 0))
    inputs = {name: pt.dvector(name) for name in names}
    logp = build(inputs)
    d_loc, d_scale = pytensor.grad(logp.sum(), [inputs["loc"], inputs["scale"]])
    return pytensor.function(list(inputs.values()), [logp, d_loc, d_scale], mode=mode)


def loop_logp(c):
    return ClaimReadingLogp(DECAY, RATE)(*c.values())[0]


def relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same = a == b  # the same infinity
    return np.where(same, 0.0, np.abs(a - b) / np.maximum(np.abs(a), 1.0))


def test_the_loop_gives_the_graphs_values_and_derivatives_on_every_branch():
    claims = random_claims(4000, seed=1)
    graph = value_and_gradient(graph_logp, "FAST_COMPILE")(*claims.values())
    compiled = value_and_gradient(loop_logp, "NUMBA")(*claims.values())
    python = value_and_gradient(loop_logp, "FAST_COMPILE")(*claims.values())  # Op.perform
    for name, a, b, c in zip(("logp", "d/dloc", "d/dscale"), graph, compiled, python,
                             strict=True):
        assert np.isfinite(b).all(), name
        assert relative_error(a, b).max() < TOLERANCE, name
        np.testing.assert_array_equal(b, c)

    # every branch was taken, on enough claims to matter
    loc, scale = claims["loc"], claims["scale"]
    both = (claims["has_lower"] == 1) & (claims["has_upper"] == 1)
    branches = {
        "midpoint rule": both & (claims["upper"] - claims["lower"] < NARROW * scale),
        "interval above loc": both & (claims["lower"] > loc),
        "interval across loc": both & (claims["lower"] <= loc) & (claims["upper"] > loc),
        "open below": claims["has_lower"] == 0, "open above": claims["has_upper"] == 0,
        "read beyond, above": (claims["above"] > 0) & (claims["has_upper"] == 1),
        "read beyond, below": (claims["below"] > 0) & (claims["has_lower"] == 1),
        "directed": claims["direction"] != 0,
        "a denial": (claims["own"] == 1) & (claims["is_point"] == 1)
        & (claims["has_lower"] == 0),
        "dropped": claims["weight"] == 0,
    }
    assert all(mask.sum() >= 20 for mask in branches.values()), {
        name: int(mask.sum()) for name, mask in branches.items()}


def test_a_second_derivative_is_refused_not_wrong():
    loc, scale = pt.dvector("loc"), pt.dvector("scale")
    data = [pt.dvector(f"row{i}") for i in range(11)]
    _, d_loc, _ = ClaimReadingLogp(DECAY, RATE)(loc, scale, *data)
    with pytest.raises(NullTypeGradError):
        pytensor.grad(d_loc.sum(), loc)


def test_the_models_density_and_gradient_are_the_graphs():
    """The seed model built with the loop and without it: one log density and gradient at
    points around its initial one."""
    assert has_compiled_loop(CONFIG)
    dataset = load_dataset(SEEDS, CONFIG.lexicon)
    models = [build_model(dataset, CONFIG, compiled_loop=loop) for loop in (True, False)]
    functions = [(m.compile_logp(mode="FAST_COMPILE"), m.compile_dlogp(mode="FAST_COMPILE"))
                 for m in models]
    rng = np.random.default_rng(3)
    start = models[0].initial_point()
    for _ in range(5):
        point = {name: value + rng.normal(0, 0.5, np.shape(value))
                 for name, value in start.items()}
        (logp_loop, dlogp_loop), (logp_graph, dlogp_graph) = (
            (logp(point), dlogp(point)) for logp, dlogp in functions)
        assert abs(logp_loop - logp_graph) < TOLERANCE * max(1.0, abs(logp_graph))
        np.testing.assert_allclose(dlogp_loop, dlogp_graph, rtol=1e-7, atol=1e-7)


def test_numpyro_keeps_the_graph_and_other_readings_keep_it_too():
    """JAX cannot run the loop, and the loop computes only the default reading: the model of
    any other keeps likelihood.py's graph."""
    from pytensor.graph.traversal import ancestors

    from reconcile.inference.backends import runs_compiled_loop

    def uses_loop(model) -> bool:
        return any(v.owner is not None and isinstance(v.owner.op, ClaimReadingLogp)
                   for v in ancestors([model.logp()]))

    dataset = load_dataset(SEEDS, CONFIG.lexicon)
    assert [runs_compiled_loop(b) for b in ("nutpie", "pymc", "numpyro")] == [True, True, False]
    assert uses_loop(build_model(dataset, CONFIG))
    assert not uses_loop(build_model(dataset, CONFIG, compiled_loop=False))
    for name in ("normal-noise", "density"):
        other = load_config(name)
        assert not has_compiled_loop(other)
        assert not uses_loop(build_model(dataset, other))
