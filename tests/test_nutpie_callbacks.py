"""The callbacks compiled by address (reconcile/inference/nutpie_callbacks.py) are nutpie's own,
bit for bit: the same log density, gradient, return codes, expansion and draws as
``nutpie.compile_pymc_model``, before and after ``with_data``; on a toy model with data of rank
0, 1 and 2 and two dtypes, and on the seeds' model."""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import nutpie
import pymc as pm
import pytest

from reconcile.inference.nutpie_callbacks import compile_pymc_model
from reconcile.model.build import build_model

DOUBLES = ctypes.POINTER(ctypes.c_double)


def toy_model(levels: int = 3, rows: int = 4, observed: int = 5) -> pm.Model:
    rng = np.random.default_rng(0)
    with pm.Model() as model:
        table = pm.Data("table", rng.normal(size=(rows, levels)))
        index = pm.Data("index", rng.integers(0, rows, observed).astype("int32"))
        scale = pm.Data("scale", np.array(1.5))
        level = pm.Normal("level", 0, 1, shape=levels)
        spread = pm.HalfNormal("spread", 1)
        pm.Deterministic("doubled", 2 * level)
        pm.Normal("obs", (table @ level)[index], spread * scale,
                  observed=rng.normal(size=observed))
    return model


def both(model: pm.Model) -> tuple:
    names = [rv.name for rv in model.free_RVs]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba will use object mode")
        return (compile_pymc_model(model, names),
                nutpie.compile_pymc_model(model, var_names=names))


def logp(compiled, x: np.ndarray, dim: int | None = None) -> tuple[int, float, np.ndarray]:
    """(return code, log density, gradient) of ``compiled``'s C callback at ``x``."""
    x = np.ascontiguousarray(x, dtype=float)
    grad, value = np.zeros_like(x), np.zeros(1)
    code = compiled.compiled_logp_func.ctypes(
        len(x) if dim is None else dim, x.ctypes.data_as(DOUBLES),
        grad.ctypes.data_as(DOUBLES), value.ctypes.data_as(DOUBLES),
        ctypes.c_void_p(compiled.user_data.ctypes.data))
    return code, value[0], grad


def expand(compiled, x: np.ndarray) -> tuple[int, np.ndarray]:
    x = np.ascontiguousarray(x, dtype=float)
    out = np.zeros(compiled.n_expanded)
    code = compiled.compiled_expand_func.ctypes(
        len(x), compiled.n_expanded, x.ctypes.data_as(DOUBLES), out.ctypes.data_as(DOUBLES),
        ctypes.c_void_p(compiled.user_data.ctypes.data))
    return code, out


def draws_hash(compiled, seed: int) -> str:
    idata = nutpie.sample(compiled, draws=100, tune=100, chains=2, cores=1, seed=seed,
                          progress_bar=False)
    posterior = idata.posterior
    return hashlib.sha256(b"".join(posterior[name].values.tobytes()
                                   for name in sorted(posterior.data_vars))).hexdigest()


def assert_same_callbacks(ours, theirs, points: np.ndarray) -> None:
    for x in points:
        code, value, grad = logp(ours, x)
        assert code == 0
        assert (code, value) == logp(theirs, x)[:2]
        np.testing.assert_array_equal(grad, logp(theirs, x)[2])
        code, values = expand(ours, x)
        assert code == 0
        np.testing.assert_array_equal(values, expand(theirs, x)[1])


@pytest.fixture(scope="module")
def toy():
    return both(toy_model())


def test_the_toy_models_callbacks_are_nutpies(toy) -> None:
    ours, theirs = toy
    assert ours.n_dim == theirs.n_dim == 4
    assert ours.n_expanded == theirs.n_expanded == 5  # level, spread (log and not)
    points = np.random.default_rng(1).normal(size=(20, ours.n_dim))
    assert_same_callbacks(ours, theirs, points)
    assert draws_hash(ours, seed=5) == draws_hash(theirs, seed=5)


def test_swapped_data_reach_the_callbacks(toy) -> None:
    ours, theirs = toy
    rng = np.random.default_rng(2)
    updates = {"table": rng.normal(size=(4, 3)), "scale": np.array(0.5),
               "index": np.array([3, 3, 0, 1, 2], dtype="int32")}
    ours_swapped, theirs_swapped = ours.with_data(**updates), theirs.with_data(**updates)
    x = rng.normal(size=ours.n_dim)
    assert logp(ours_swapped, x)[1] != logp(ours, x)[1]
    assert_same_callbacks(ours_swapped, theirs_swapped, rng.normal(size=(5, ours.n_dim)))
    assert draws_hash(ours_swapped, seed=6) == draws_hash(theirs_swapped, seed=6)


def test_models_with_the_same_layout_share_their_callbacks(toy) -> None:
    """The callbacks read the model's sizes and functions from ``user_data``: a model of other
    sizes, whose data have the same ranks and dtypes, reuses them and still gets its own
    density (nutpie's), not the first model's."""
    ours, _ = toy
    other_ours, other_theirs = both(toy_model(levels=6, rows=7, observed=9))
    assert other_ours.compiled_logp_func is ours.compiled_logp_func
    assert other_ours.compiled_expand_func is ours.compiled_expand_func
    assert other_ours.n_dim == 7
    assert_same_callbacks(other_ours, other_theirs,
                          np.random.default_rng(4).normal(size=(5, other_ours.n_dim)))
    assert logp(ours, np.zeros(4))[0] == 0  # the first model still works


def test_failures_return_nutpies_codes(toy) -> None:
    ours, theirs = toy
    x = np.zeros(ours.n_dim)
    assert logp(ours, x, dim=ours.n_dim + 1)[0] == -1  # a point of the wrong size
    x[-1] = 800.0  # the log of spread: exp overflows, the density is not finite
    code = logp(ours, x)[0]
    assert code in (3, 4)
    assert code == logp(theirs, x)[0]
    # an index longer than the observations: PyTensor's function raises inside the callback
    longer = {"index": np.array([3, 3, 0, 1, 2, 1, 0], dtype="int32")}
    assert logp(ours.with_data(**longer), np.zeros(ours.n_dim))[0] == 1
    assert logp(theirs.with_data(**longer), np.zeros(ours.n_dim))[0] == 1


def test_the_seeds_models_callbacks_and_draws_are_nutpies(seed_dataset, default_config) -> None:
    ours, theirs = both(build_model(seed_dataset, default_config))
    assert ours.n_dim == theirs.n_dim
    assert_same_callbacks(ours, theirs, np.random.default_rng(3).normal(size=(10, ours.n_dim)))
    assert draws_hash(ours, seed=7) == draws_hash(theirs, seed=7)


def test_the_callbacks_free_what_they_allocate() -> None:
    """Every array PyTensor's function returns to a callback is freed (numba's allocation
    counters, which must be switched on before numba is imported: a fresh process)."""
    script = (
        "import numpy as np\n"
        "from numba.core.runtime import rtsys\n"
        "from test_nutpie_callbacks import toy_model, both, logp, expand\n"
        "ours = both(toy_model())[0]\n"
        "x = np.zeros(ours.n_dim)\n"
        "before = rtsys.get_allocation_stats()\n"
        "for _ in range(2000):\n"
        "    logp(ours, x); expand(ours, x)\n"
        "after = rtsys.get_allocation_stats()\n"
        "print(after.alloc - before.alloc, after.free - before.free,"
        " after.mi_alloc - before.mi_alloc, after.mi_free - before.mi_free)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parent, timeout=300,
                          env={**os.environ, "NUMBA_NRT_STATS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    alloc, free, meminfo_alloc, meminfo_free = map(int, done.stdout.split()[-4:])
    assert alloc > 0 and alloc == free
    assert meminfo_alloc == meminfo_free
