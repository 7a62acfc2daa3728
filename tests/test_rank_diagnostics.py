"""The vectorized R-hat and ESS (analysis/rank_diagnostics.py) against ArviZ's, value by
value: they must be the same numbers, only faster."""

from __future__ import annotations

import warnings

import arviz_stats as azs
import numpy as np
import pytest
import xarray as xr
from arviz_base import rc_context

from reconcile.analysis import rank_diagnostics as rd

SAMPLE = ["chain", "draw"]


def _draws(rng: np.random.Generator, chains: int, draws: int) -> xr.Dataset:
    """Parameters of every shape a sampler gives: mixing, sticky (AR(1) at 0.97), rounded
    (ties), chains stuck apart, repeated draws, heavy tails; a scalar; a named 2-D one."""
    def ar1(phi: float) -> np.ndarray:
        noise = rng.normal(size=(chains, draws))
        out = np.zeros_like(noise)
        for t in range(1, draws):
            out[:, t] = phi * out[:, t - 1] + noise[:, t]
        return out

    columns = [rng.normal(size=(chains, draws)), ar1(0.97), ar1(0.5),
               np.round(rng.normal(size=(chains, draws)), 1),
               rng.normal(size=(chains, draws)) + 3 * np.arange(chains)[:, None],
               np.repeat(rng.normal(size=(chains, draws // 3 + 1)), 3, axis=1)[:, :draws],
               rng.standard_cauchy(size=(chains, draws)),
               rng.integers(0, 2, size=(chains, draws)).astype(float)]
    stacked = np.stack(columns, axis=-1)
    return xr.Dataset({
        "theta": (("chain", "draw", "p"), stacked, {}),
        "scalar": (("chain", "draw"), ar1(0.8)),
        "grid": (("chain", "draw", "row", "col"), stacked[..., :6].reshape(chains, draws, 2, 3)),
    }, coords={"p": [f"p{i}" for i in range(stacked.shape[-1])], "row": ["a", "b"]})


def _arviz(posterior: xr.Dataset) -> tuple[xr.Dataset, xr.Dataset, xr.Dataset]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (azs.rhat(posterior, sample_dims=SAMPLE),
                azs.ess(posterior, sample_dims=SAMPLE, method="bulk"),
                azs.ess(posterior, sample_dims=SAMPLE, method="tail",
                        prob=(rd.TAIL_PROB, 1 - rd.TAIL_PROB)))


def _assert_same(ours: xr.Dataset, theirs: xr.Dataset) -> None:
    for name in theirs.data_vars:
        assert ours[name].dims == theirs[name].dims
        np.testing.assert_allclose(ours[name].values, theirs[name].values, rtol=1e-9,
                                   equal_nan=True, err_msg=name)


@pytest.mark.parametrize("chains, draws", [(4, 1000), (4, 1001), (2, 10), (3, 5), (4, 4),
                                           (1, 60), (2, 3)])
def test_rank_diagnostics_are_arviz_values(chains, draws):
    """Every parameter kind, and the short and one-chain shapes where ArviZ gives NaN (R-hat
    with one chain, anything under four draws) or cuts Geyer's sequence at the chain end."""
    posterior = _draws(np.random.default_rng(chains * 100 + draws), chains, draws)
    ours = rd.rank_diagnostics(posterior)
    for mine, reference in zip(ours, _arviz(posterior)):
        _assert_same(mine, reference)
    assert list(ours[0]["theta"].coords["p"].values) == list(posterior["p"].values)


def test_nan_and_constant_parameters_are_arviz_values():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(4, 200, 3))
    values[1, 7, 0] = np.nan  # one NaN draw: NaN everywhere
    values[..., 1] = 2.5  # constant: R-hat NaN, ESS the number of draws
    posterior = xr.Dataset({"x": (("chain", "draw", "k"), values)})
    ours = rd.rank_diagnostics(posterior)
    for mine, reference in zip(ours, _arviz(posterior)):
        _assert_same(mine, reference)
    assert np.isnan(ours[0]["x"].values[0]) and ours[1]["x"].values[1] == 800


def test_threads_do_not_change_the_numbers_and_blocks_only_the_last_bits(monkeypatch):
    """Blocks are fixed by the posterior's shape, so a run's numbers do not depend on the
    machine's cores; a block's size may move the last bits (NumPy's FFT batches rows)."""
    posterior = _draws(np.random.default_rng(9), 4, 300)
    whole = rd.rank_diagnostics(posterior)
    monkeypatch.setattr(rd, "BLOCK_VALUES", 1)  # one parameter a block
    many = rd.rank_diagnostics(posterior)
    monkeypatch.setattr(rd, "available_cores", lambda: 1)
    for one_thread, threads, single_block in zip(rd.rank_diagnostics(posterior), many, whole):
        xr.testing.assert_identical(one_thread, threads)
        _assert_same(threads, single_block)


def test_tail_ess_does_not_follow_arviz_interval_setting():
    """ArviZ's default tail ESS reads its quantiles from rcParams["stats.ci_prob"]; a run's
    verdict must not change when a notebook sets it for its plots."""
    posterior = _draws(np.random.default_rng(11), 4, 500)
    before = rd.rank_diagnostics(posterior)[2]
    with rc_context(rc={"stats.ci_prob": 0.5}):
        after = rd.rank_diagnostics(posterior)[2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arviz_default = azs.ess(posterior, sample_dims=SAMPLE, method="tail")
    xr.testing.assert_identical(before, after)
    # ArviZ's default moved with the setting (0.5: both quantiles at the median)
    assert not np.allclose(arviz_default["theta"].values, after["theta"].values)


@pytest.mark.parametrize("chains", [4, 1])
def test_relative_ess_is_the_r_eff_arviz_loo_computes(chains):
    from arviz_stats.loo.loo_helper import _get_r_eff

    posterior = _draws(np.random.default_rng(13), chains, 400)
    posterior["fixed"] = xr.full_like(posterior["scalar"], 0.8)  # ESS: all draws
    tree = xr.DataTree.from_dict({"posterior": posterior})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _get_r_eff(tree, chains * 400)
    assert rd.relative_ess(posterior) == pytest.approx(expected, rel=1e-9)
