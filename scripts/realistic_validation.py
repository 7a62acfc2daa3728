"""Validate the model against realistic archives, whose truths are not drawn from its prior.

For each shape (sparse: like the seed dataset, about half the claims lower bounds; dense:
three to five claims per quantity) N archives are simulated by
``reconcile.calibration.realistic.simulate_realistic`` and each is fitted with the default
model. Reported per shape: the coverage of the true counts by the model's 90% and 50%
central intervals; the mean interval score (Gneiting & Raftery 2007, alpha 0.1, on the
log1p scale: reconcile/calibration/scoring.py) of the model's 90% intervals against that of
the naive claim range (least to greatest stated figure), on the quantities some claim is
about, and their ratio (below 1: the model beats the range); the median log1p width of the
90% intervals; and the share of fits whose diagnostics are healthy.

    .venv/bin/python scripts/realistic_validation.py                   # 200 per shape
    .venv/bin/python scripts/realistic_validation.py --simulations 4 --out /tmp/rv.json

Archives differ in structure, so each is a fresh ``reconcile.fit`` (build, compile, sample;
no compiled-model reuse is possible), run in a pool of worker processes (``--workers``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import numpy as np

SHAPES = ("sparse", "dense")
ALPHA = 0.1


def fit_one(task: dict) -> dict:
    """Simulate and fit one archive (in a worker process); never raises."""
    started = time.perf_counter()
    out = {"shape": task["shape"], "index": task["index"], "seed": task["seed"], "ok": False}
    try:
        from reconcile.analysis import diagnostics
        from reconcile.calibration.realistic import claim_range, simulate_realistic
        from reconcile.config import load_config
        from reconcile.inference import fit
        from reconcile.logs import quiet

        config = load_config("default")
        simulation = simulate_realistic(task["shape"], task["seed"], config.lexicon)
        dataset = simulation.dataset
        sampler = config.sampler.model_copy(update={
            "draws": task["draws"], "tune": task["tune"], "chains": task["chains"]})
        with quiet("pymc"):
            result = fit(dataset, config, seed=task["seed"], sampler=sampler)
        count = result.idata.posterior["count"]
        count = count.sel(quantity=[q.quantity_id for q in dataset.quantities])
        draws = count.transpose("chain", "draw", "quantity").values.reshape(
            -1, len(dataset.quantities))
        low90, high90, low50, high50 = np.quantile(draws, [0.05, 0.95, 0.25, 0.75], axis=0)
        naive = claim_range(dataset)
        health = diagnostics(result)
        out.update({
            "ok": True, "healthy": bool(health["ok"]), "reasons": health["reasons"],
            "max_r_hat": health.get("max_r_hat"), "min_ess_bulk": health.get("min_ess_bulk"),
            "divergences": health.get("divergences", 0),
            "quantities": len(dataset.quantities), "claims": len(dataset.claims),
            "truth": simulation.truth["count"].tolist(),
            "lower_90": low90.tolist(), "upper_90": high90.tolist(),
            "lower_50": low50.tolist(), "upper_50": high50.tolist(),
            "naive_lower": [r[0] if r else None for r in naive],
            "naive_upper": [r[1] if r else None for r in naive],
        })
    except Exception as exc:  # noqa: BLE001 - a failed fit is reported, not lost
        out["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    out["seconds"] = time.perf_counter() - started
    return out


def summarize(records: list[dict]) -> dict:
    """The shape's coverage, interval scores, widths and fit health (see the docstring)."""
    from reconcile.calibration.scoring import (
        coverage, interval_score, interval_scores, median_log_width,
    )

    done = [r for r in records if r["ok"]]
    summary = {"fits": len(records), "failed": len(records) - len(done),
               "errors": [r["error"].splitlines()[0] for r in records if not r["ok"]]}
    if not done:
        return summary

    def pooled(key: str) -> np.ndarray:
        return np.array([v if v is not None else np.nan for r in done for v in r[key]], float)

    truth, low90, high90 = pooled("truth"), pooled("lower_90"), pooled("upper_90")
    low50, high50 = pooled("lower_50"), pooled("upper_50")
    naive_low, naive_high = pooled("naive_lower"), pooled("naive_upper")
    claimed = np.isfinite(naive_low)
    per_fit = [coverage(r["lower_90"], r["upper_90"], r["truth"]) for r in done]
    model_claimed = interval_score(low90[claimed], high90[claimed], truth[claimed], ALPHA)
    naive_claimed = interval_score(naive_low[claimed], naive_high[claimed], truth[claimed],
                                   ALPHA)
    summary.update({
        "healthy_share": float(np.mean([r["healthy"] for r in done])),
        "quantities": int(truth.size), "quantities_with_claims": int(claimed.sum()),
        "coverage_90": coverage(low90, high90, truth),
        "coverage_90_se": float(np.std(per_fit, ddof=1) / np.sqrt(len(per_fit)))
        if len(per_fit) > 1 else float("nan"),
        "coverage_50": coverage(low50, high50, truth),
        "naive_coverage": coverage(naive_low[claimed], naive_high[claimed], truth[claimed]),
        "interval_score_90_model": model_claimed,
        "interval_score_naive": naive_claimed,
        "interval_score_ratio": model_claimed / naive_claimed,
        "interval_score_90_model_all_quantities": interval_score(low90, high90, truth, ALPHA),
        "interval_score_90_model_without_claims": float(np.mean(interval_scores(
            low90[~claimed], high90[~claimed], truth[~claimed], ALPHA)))
        if (~claimed).any() else float("nan"),
        "median_log_width_90": median_log_width(low90, high90),
        "median_log_width_naive": median_log_width(naive_low[claimed], naive_high[claimed]),
        "median_seconds_per_fit": float(np.median([r["seconds"] for r in done])),
        "unhealthy_reasons": _reason_counts(done),
        "median_max_r_hat": float(np.median([r["max_r_hat"] for r in done])),
        "median_min_ess_bulk": float(np.median([r["min_ess_bulk"] for r in done])),
        "divergence_free_share": float(np.mean([r["divergences"] == 0 for r in done])),
    })
    return summary


def _reason_counts(records: list[dict]) -> dict[str, int]:
    """How many fits failed each diagnostic ("max R-hat", "min ESS bulk", "divergent
    transitions", ...): the reasons' words without their numbers."""
    counts: dict[str, int] = {}
    for record in records:
        for reason in {re.sub(r"[\d.,<>]+", "", reason).split(" in a chain")[0].strip()
                       for reason in record["reasons"]}:
            counts[reason] = counts.get(reason, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=200, help="archives per shape")
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    parser.add_argument("--draws", type=int, default=500, help="draws per chain")
    parser.add_argument("--tune", type=int, default=500, help="tuning steps per chain")
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2, help="fits run in parallel")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args()
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    tasks = [{"shape": shape, "index": i, "draws": args.draws, "tune": args.tune,
              "chains": args.chains,
              "seed": int(np.random.SeedSequence([args.seed, SHAPES.index(shape), i])
                          .generate_state(1)[0])}
             for shape in shapes for i in range(args.simulations)]
    started = time.perf_counter()
    records: list[dict] = []
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(fit_one, task) for task in tasks]
        for done, future in enumerate(as_completed(futures), start=1):
            record = future.result()
            records.append(record)
            state = ("ok" if record.get("healthy") else "unhealthy") if record["ok"] else "FAILED"
            print(f"[{done}/{len(tasks)}] {record['shape']} #{record['index']}: {state} "
                  f"({record['seconds']:.0f} s)", file=sys.stderr, flush=True)
    result = {
        "settings": {"simulations": args.simulations, "shapes": shapes, "draws": args.draws,
                     "tune": args.tune, "chains": args.chains, "seed": args.seed,
                     "workers": args.workers, "alpha": ALPHA, "scale": "log1p",
                     "model": "default", "seconds": time.perf_counter() - started},
        "shapes": {shape: summarize(sorted((r for r in records if r["shape"] == shape),
                                           key=lambda r: r["index"]))
                   for shape in shapes},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
