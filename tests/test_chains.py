"""A run's chains on the workers of a Dask cluster (``reconcile run --scheduler``): merged into
one posterior with the usual diagnostics, the same numbers for the same seed on any cluster."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from support import SEEDS, reconcile

from reconcile.cluster import dask_client
from reconcile.config import load_config
from reconcile.dataset import load_dataset
from reconcile.inference import fit
from reconcile.inference.chains import chain_seeds, merge_chains
from reconcile.pipeline import run


def test_each_chain_has_its_own_seed_fixed_by_the_run_seed() -> None:
    assert chain_seeds(7, 4) == chain_seeds(7, 4)
    assert len(set(chain_seeds(7, 4))) == 4
    assert chain_seeds(7, 2) == chain_seeds(7, 4)[:2]  # chain i's seed is chain i's, always
    assert chain_seeds(8, 4) != chain_seeds(7, 4)


def test_single_chains_merge_into_one_posterior_in_order() -> None:
    def part(value: float) -> tuple[xr.Dataset, xr.Dataset]:
        posterior = xr.Dataset({"x": (("chain", "draw"), np.full((1, 3), value))},
                               coords={"chain": [0], "draw": np.arange(3)})
        stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((1, 3), bool))},
                           coords={"chain": [0], "draw": np.arange(3)})
        return posterior, stats
    merged = merge_chains([part(1.0), part(2.0), part(3.0)])
    assert merged.posterior.sizes["chain"] == 3
    assert list(merged.posterior["chain"].values) == [0, 1, 2]
    assert merged.posterior["x"].sel(chain=2).values.tolist() == [3.0, 3.0, 3.0]
    assert merged.sample_stats["diverging"].shape == (3, 3)


@pytest.mark.slow
def test_chains_on_a_local_cluster_same_seed_same_numbers(tmp_path) -> None:
    """Two workers, the same run twice, then one worker: identical draws each time, four
    chains of the asked size with the deterministics and the log-likelihood the analysis
    reads; the run's outputs say where the chains ran and how to redo them."""
    config = load_config()
    dataset = load_dataset(SEEDS, config.lexicon)
    sampler = config.sampler.model_copy(update={"draws": 150, "tune": 150, "chains": 3})
    with dask_client(workers=2) as client:
        first = fit(dataset, config, seed=5, sampler=sampler, client=client)
        again = fit(dataset, config, seed=5, sampler=sampler, client=client)
        result = run(SEEDS, tmp_path / "out", seed=5, sampler=sampler, client=client,
                     with_sensitivity=False, allow_bad_diagnostics=True, config=config)
    with dask_client(workers=1) as client:
        alone = fit(dataset, config, seed=5, sampler=sampler, client=client)
    count = first.idata.posterior["count"]
    assert count.sizes["chain"] == 3 and count.sizes["draw"] == 150
    assert "log_likelihood" in first.idata and "constant_data" in first.idata
    for other in (again, alone):
        xr.testing.assert_equal(first.idata.posterior.to_dataset(),
                                other.idata.posterior.to_dataset())  # attrs hold times
    chains = count.mean("draw").values
    assert not np.allclose(chains[0], chains[1])  # the chains are not copies of one another
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert "--scheduler local" in info["rerun"] and info["chains_on"].startswith("a Dask")
    assert result.tables.diagnostics["max_r_hat"] > 0


def test_an_unreachable_scheduler_is_an_input_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    done = reconcile("run", str(SEEDS), "--out", str(tmp_path / "out"),
                     "--scheduler", "tcp://127.0.0.1:9", timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no Dask scheduler could be reached" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("update", [{"method": "advi"}, {"backend": "pymc"}])
def test_a_cluster_runs_only_nutpie_nuts(update) -> None:
    """--scheduler with ADVI or another NUTS backend is refused before any work, never
    silently run on this machine."""
    from reconcile.errors import ConfigError

    config = load_config()
    dataset = load_dataset(SEEDS, config.lexicon)
    with pytest.raises(ConfigError, match="nutpie's NUTS"):
        fit(dataset, config, sampler=config.sampler.model_copy(update=update), client=object())
