"""Time the NUTS implementations on the default model: seed data and 5,000 simulated claims.

    .venv/bin/python benchmarks/samplers.py [--repeats 3] [--out benchmarks/SAMPLERS.md]

For each sampler and dataset: wall time of the whole fit (compile + tune + draws), minimum
ESS bulk over the true counts, ESS bulk per second, max R-hat, divergences. Medians over the
repeats, all measured side by side in one process on this machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import arviz_stats as azs

from reconcile.config import TruthPrior, load_config
from reconcile.dataset import load_dataset
from reconcile.inference import fit
from reconcile.model.simulate import random_structure, simulate_like

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("nutpie", "pymc", "numpyro")


def measure(dataset, config, backend: str, seed: int, draws: int) -> dict:
    sampler = config.sampler.model_copy(update={"backend": backend, "draws": draws, "tune": draws})
    started = time.perf_counter()
    fitted = fit(dataset, config, seed=seed, sampler=sampler)
    wall = time.perf_counter() - started
    post = fitted.idata.posterior.to_dataset()[["count"]]
    ess = float(azs.ess(post, sample_dims=["chain", "draw"], method="bulk")["count"].min())
    rhat = float(azs.rhat(post, sample_dims=["chain", "draw"])["count"].max())
    return {"wall_s": wall, "sample_s": fitted.timings["sample_s"], "min_ess": ess,
            "ess_per_s": ess / fitted.timings["sample_s"], "max_rhat": rhat,
            "divergences": int(fitted.idata.sample_stats["diverging"].sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large-repeats", type=int, default=1)
    parser.add_argument("--backends", nargs="*", default=list(BACKENDS))
    parser.add_argument("--draws", type=int, default=1000, help="draws = tuning steps, seed data")
    parser.add_argument("--large-draws", type=int, default=500, help="the same at 5,000 claims")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "SAMPLERS.md")
    args = parser.parse_args()
    config = load_config()
    seeds = load_dataset(ROOT / "seeds", config)
    # realistic true counts for the simulated archive (1 to a few thousand), not prior draws
    realistic = config.model_copy(update={"truth": TruthPrior(mu=4.0, sigma=1.5)})
    large_structure = random_structure(n_sources=100, n_quantities=500, n_claims=5000, seed=42)
    large = simulate_like(large_structure, realistic, seed=43)[0].dataset
    rows = []
    sizes = [("seed (27 claims)", seeds, args.repeats, args.draws)]
    if not args.skip_large:
        sizes.append(("5,000 claims", large, args.large_repeats, args.large_draws))
    for label, dataset, repeats, draws in sizes:
        for backend in args.backends:
            runs = [measure(dataset, config, backend, seed=i, draws=draws) for i in range(repeats)]
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append((label, backend, repeats, draws, median))
            print(label, backend, {k: round(v, 3) for k, v in median.items()}, flush=True)
    lines = [
        "# Sampler comparison (default model)",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, 2 cores; "
        "4 chains of N tuning steps + N draws, medians over repeats, one process. The 5,000-claim "
        "archive (500 nested quantities, 100 sources) is simulated from the default model with "
        "true counts drawn from log-normal(4, 1.5).",
        "Regenerate: `.venv/bin/python benchmarks/samplers.py`.",
        "",
        "| data | sampler | repeats | N | fit wall (s) | pm.sample incl. compile (s) | min ESS bulk (counts) | ESS/s | max R-hat | divergences |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, backend, repeats, draws, m in rows:
        lines.append(f"| {label} | {backend} | {repeats} | {draws} | {m['wall_s']:.1f} | {m['sample_s']:.1f} | "
                     f"{m['min_ess']:.0f} | {m['ess_per_s']:.1f} | {m['max_rhat']:.3f} | "
                     f"{m['divergences']:.0f} |")
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
