"""Source biases written centred where the claims pin them (reconcile/model/centring.py, from
MEASURED_FROM pieces of cross-checked evidence), or non-centred with deviations that sum to
zero within each kind (`[bias] source_deviations`), against all non-centred and independent
(the package's default), side by side: the same dataset, seed and draws, each fit in a
fresh process, one record per fit in benchmarks/results/geometry.jsonl.

    .venv/bin/python benchmarks/geometry.py --sizes M --seeds 1 --draws 1000 --tune 1000
    .venv/bin/python benchmarks/geometry.py --sizes R --seeds 0 --draws 500 --tune 500
    .venv/bin/python benchmarks/geometry.py --sizes M --seeds 1 2 --variants "centred where pinned"
    .venv/bin/python benchmarks/geometry.py --sizes M --seeds 1 2 \
        --variants "sum to zero within kind" "all non-centred"

The seed data and benchmark T have no source that qualifies, and sample the same draws
either way.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scale import PYTHON, convergence, record  # noqa: E402

VARIANTS = ("centred where pinned", "all non-centred", "sum to zero within kind")


def child(size: str, variant: str, seed: int, chains: int, tune: int, draws: int) -> None:
    """One fit (in a child process): prints its record as JSON."""
    import warnings

    warnings.filterwarnings("ignore")
    from datasets import benchmark_dataset

    import reconcile.model.centring as centring
    from reconcile.analysis.convergence import convergence_diagnostics
    from reconcile.config import load_config
    from reconcile.inference import fit
    from reconcile.model.inputs import ModelInputs

    if variant == "centred where pinned":
        centring.CENTRED_FROM["source_bias"] = centring.MEASURED_FROM
    config = load_config()
    dataset = benchmark_dataset(size, config)  # simulated under the default model, always
    if variant == "sum to zero within kind":
        config = config.model_copy(update={"bias": config.bias.model_copy(
            update={"source_deviations": "sum_to_zero"})})
    inputs = ModelInputs.from_dataset(dataset, config)
    centred = centring.centred_sources(inputs, inputs.weight)["source_bias"]
    sampler = config.sampler.model_copy(update={"chains": chains, "tune": tune, "draws": draws})
    started = time.perf_counter()
    fitted = fit(dataset, config, seed=seed, sampler=sampler)
    wall = time.perf_counter() - started
    found = convergence_diagnostics(fitted)
    counts = convergence(fitted.idata.posterior.to_dataset())
    sample_s = fitted.timings["sample_s"]
    print(json.dumps({
        "size": size, "variant": variant, "seed": seed, "chains": chains, "tune": tune,
        "draws": draws, "claims": len(dataset.claims), "sources": len(inputs.source_ids),
        "centred_sources": int(centred.sum()), "sample_s": round(sample_s, 1),
        "wall_s": round(wall, 1), "max_r_hat": round(found["max_r_hat"], 4),
        "min_ess_bulk": round(found["min_ess_bulk"]), "min_ess_tail": round(found["min_ess_tail"]),
        "min_ess_bulk_counts": round(counts["min_ess_bulk"]),
        "divergences": found["divergences"],
        "leapfrog_steps": round(float(fitted.idata.sample_stats["n_steps"].mean()), 1),
        "slowest": found["failing_parameters"][:3], "diagnostics_ok": found["ok"],
    }), flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_fit":
        size, variant, seed, chains, tune, draws = sys.argv[2:8]
        child(size, variant, int(seed), int(chains), int(tune), int(draws))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["M"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    args = parser.parse_args()
    for size in args.sizes:
        for seed in args.seeds:
            for variant in args.variants:
                out = subprocess.run(
                    [PYTHON, __file__, "_fit", size, variant, str(seed), str(args.chains),
                     str(args.tune), str(args.draws)],
                    capture_output=True, text=True, check=True, cwd=HERE.parent).stdout
                record("geometry", json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
