"""How short can the sensitivity refits be? Each preset's leave-one-source-out factors on the
seed dataset (fit at seed 0 with default settings) against long refits (4 x (1,000 + 1,500)),
and its time for all refits; one record per preset in benchmarks/results/refit_presets.jsonl.

A preset is as good as the current one when its error against the long refits is within the
current preset's own error at another seed (the Monte Carlo noise of a short refit).

    .venv/bin/python benchmarks/refit_presets.py
"""

from __future__ import annotations

import sys
import time

import numpy as np

import reconcile
from reconcile.analysis.sensitivity import sensitivity

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from scale import record  # noqa: E402

# name: (draws, tune, chains, refit seed, mass matrix)
PRESETS = {
    "long": (1500, 1000, 4, 11, "auto"),
    "2 x (400 + 400), low rank (the preset until 2026-12-05)": (400, 400, 2, 11, "auto"),
    "2 x (400 + 400), low rank, another seed": (400, 400, 2, 29, "auto"),
    "2 x (150 + 300), low rank": (300, 150, 2, 11, "auto"),
    "2 x (400 + 400), diagonal": (400, 400, 2, 11, "diag"),
    "2 x (150 + 300), diagonal (the preset)": (300, 150, 2, 11, "diag"),
    "2 x (150 + 300), diagonal, another seed": (300, 150, 2, 29, "diag"),
}


def main() -> None:
    config = reconcile.load_config()
    fitted = reconcile.fit(reconcile.load_dataset("seeds", config.lexicon), config, seed=0)
    results = {}
    for name, (draws, tune, chains, seed, mass) in PRESETS.items():
        sampler = fitted.sampler.model_copy(update={"draws": draws, "tune": tune,
                                                    "chains": chains, "mass_matrix": mass})
        started = time.perf_counter()
        found = sensitivity(fitted, seed=seed, sampler=sampler)
        seconds = time.perf_counter() - started
        results[name] = (found.leave_one_out.set_index(["source_id", "quantity_id"]),
                         found.by_quantity().set_index("quantity_id"), seconds)
        print(f"{name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    long_table, long_top, _ = results["long"]
    near = long_table["speaks_here"] | long_table["speaks_on_relative"]
    for name, (table, top, seconds) in results.items():
        draws, tune, chains, seed, mass = PRESETS[name]
        error = np.abs(np.log(table["factor"] / long_table["factor"]))
        record("refit_presets", {
            "preset": name, "draws": draws, "tune": tune, "chains": chains, "seed": seed,
            "mass_matrix": mass, "refits": int(len(fitted.inputs.source_ids) + 1),
            "seconds": round(seconds, 2),
            "median_abs_log_error_near": round(float(error[near].median()), 4),
            "p95_abs_log_error_near": round(float(error[near].quantile(0.95)), 4),
            "max_abs_log_error_near": round(float(error[near].max()), 4),
            "same_most_influential": round(float(np.mean(
                top["most_influential_source"] == long_top["most_influential_source"])), 3)})


if __name__ == "__main__":
    main()
