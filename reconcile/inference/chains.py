"""A fit's chains on the workers of a Dask cluster (``reconcile run --scheduler``): one task
per chain, each compiling the model once per worker process and sampling one chain from its
own seed, merged into one posterior that the usual diagnostics read.

Chain ``i`` of a run with seed ``s`` samples from ``SeedSequence([s, i])``, whichever worker
runs it and however many workers there are: the same seed gives the same numbers on any
cluster. They are not the numbers of a run on this machine's threads, whose chains nutpie
seeds together from ``s``.
"""

from __future__ import annotations

import hashlib
import uuid

import numpy as np
import xarray as xr

from reconcile.config import ModelConfig, SamplerConfig
from reconcile.dataset import Dataset

_COMPILED: dict[tuple, object] = {}  # per worker process: the model compiled for a dataset
_KEEP_COMPILED = 4  # models kept per worker (a run and its sampling again with more draws)


def chain_seeds(seed: int, chains: int) -> list[int]:
    """The seed of each chain of a run seeded with ``seed``."""
    return [int(np.random.SeedSequence([seed, chain]).generate_state(1)[0])
            for chain in range(chains)]


def sample_on_cluster(client, dataset: Dataset, config: ModelConfig, sampler: SamplerConfig,
                      seed: int) -> xr.DataTree:
    """``sampler.chains`` chains of nutpie, one task each on ``client``'s cluster; the
    posterior and sample statistics with chains numbered 0, 1, ... in seed order."""
    one_chain = sampler.model_copy(update={"chains": 1})
    futures = [client.submit(sample_one_chain, dataset, config, one_chain, chain_seed,
                             key=f"reconcile-chain-{chain}-{uuid.uuid4().hex}",
                             pure=False)
               for chain, chain_seed in enumerate(chain_seeds(seed, sampler.chains))]
    parts = client.gather(futures)
    return merge_chains(parts)


def sample_one_chain(dataset: Dataset, config: ModelConfig, sampler: SamplerConfig,
                     seed: int) -> tuple[xr.Dataset, xr.Dataset]:
    """One chain on a worker: (posterior, sample statistics), deterministics included."""
    from reconcile.inference.compiled import Refitter, graph_key

    key = (hashlib.sha256(repr(dataset).encode()).hexdigest(), graph_key(config),
           sampler.backend)
    refitter = _COMPILED.get(key)
    if refitter is None:
        while len(_COMPILED) >= _KEEP_COMPILED:
            _COMPILED.pop(next(iter(_COMPILED)))
        refitter = _COMPILED[key] = Refitter(dataset, config, backend=sampler.backend)
    idata = refitter.sample(dataset, seed=seed, sampler=sampler, config=config, cores=1)
    return idata.posterior.to_dataset(), idata.sample_stats.to_dataset()


def merge_chains(parts: list[tuple[xr.Dataset, xr.Dataset]]) -> xr.DataTree:
    """Single-chain results as one multi-chain posterior (chains renumbered in order)."""
    def joined(index: int) -> xr.Dataset:
        merged = xr.concat([part[index] for part in parts], dim="chain")
        return merged.assign_coords(chain=np.arange(len(parts)))
    return xr.DataTree.from_dict({"posterior": joined(0), "sample_stats": joined(1)})
