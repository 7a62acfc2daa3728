"""Validate the running-toll model against realistic series (issue 15): N archives of
``reconcile.calibration.realistic_tolls.simulate_toll_series``, each fitted with the default
model. Reported: the coverage of the true final toll by the 50% and 90% central intervals,
the mean interval score of the 90% interval (Gneiting & Raftery, alpha 0.1, log1p scale:
reconcile/calibration/scoring.py) against the claim range's (least to greatest stated
figure) and their ratio, the median 90% width; for the known toll at each official update's date (the toll to
date), the coverage of toll_series' 50% and 90% intervals and their interval score against
the official figure's own (the figure read as a point); and the share of healthy fits.

    .venv/bin/python scripts/toll_validation.py --series 40 --out /tmp/tolls.json

One process; each fit's chains run on the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ALPHA = 0.1


def fit_series(seed: int, draws: int, tune: int, chains: int, model: Path | None = None) -> dict:
    from reconcile.analysis.toll_series import toll_series_table
    from reconcile.calibration.realistic_tolls import QUANTITY, simulate_toll_series
    from reconcile.config import SamplerConfig, load_config
    from reconcile.inference import fit
    from reconcile.analysis import diagnostics, estimates

    simulation = simulate_toll_series(seed)
    dataset = simulation.dataset
    started = time.perf_counter()
    fitted = fit(dataset, load_config(model), seed=seed,
                 sampler=SamplerConfig(draws=draws, tune=tune, chains=chains))
    row = estimates(fitted).set_index("quantity_id").loc[QUANTITY]
    series = toll_series_table(fitted).set_index("as_of")
    updates = [c for c in dataset.claims if c.claim_id.startswith("ministry_")]
    at_updates = series.loc[[c.as_of for c in updates]]
    stated = [c.observation.stated for c in dataset.claims]
    health = diagnostics(fitted)
    return {
        "seed": seed, "truth": float(simulation.truth["count"][0]),
        "has_end": dataset.quantities[0].end is not None,
        "n_claims": len(dataset.claims), "last_official": float(updates[-1].value),
        **{key: float(row[key]) for key in ("median", "lower_50", "upper_50", "lower_90",
                                            "upper_90")},
        "claim_low": float(min(stated)), "claim_high": float(max(stated)),
        "update_truth": [float(x) for x in simulation.truth["toll_at_updates"]],
        **{f"update_{end}_{p}": at_updates[f"{end}_{p}"].tolist()
           for end in ("lower", "upper") for p in (50, 90)},
        "update_stated": [float(c.value) for c in updates],
        "healthy": bool(health["ok"]), "max_r_hat": float(health["max_r_hat"]),
        "seconds": time.perf_counter() - started,
    }


def summarize(records: list[dict]) -> dict:
    from reconcile.calibration.scoring import coverage, interval_score, median_log_width

    def column(key: str) -> np.ndarray:
        return np.array([r[key] for r in records], dtype=float)

    truth = column("truth")
    model = interval_score(column("lower_90"), column("upper_90"), truth, ALPHA)
    naive = interval_score(column("claim_low"), column("claim_high"), truth, ALPHA)
    def at_updates(key: str) -> np.ndarray:
        return np.array([x for r in records for x in r[key]], dtype=float)

    known = at_updates("update_truth")
    to_date = interval_score(at_updates("update_lower_90"), at_updates("update_upper_90"),
                             known, ALPHA)
    stated = at_updates("update_stated")  # the official figure itself, as a point
    to_date_naive = interval_score(stated, stated, known, ALPHA)
    return {
        "series": len(records),
        "coverage_90": coverage(column("lower_90"), column("upper_90"), truth),
        "coverage_50": coverage(column("lower_50"), column("upper_50"), truth),
        "claim_range_coverage": coverage(column("claim_low"), column("claim_high"), truth),
        "interval_score_90": model, "interval_score_claim_range": naive,
        "interval_score_ratio": model / naive,
        "median_log_width_90": median_log_width(column("lower_90"), column("upper_90")),
        "median_ratio_to_truth": float(np.median(column("median") / truth)),
        "toll_to_date_points": len(known),
        "toll_to_date_coverage_90": coverage(at_updates("update_lower_90"),
                                             at_updates("update_upper_90"), known),
        "toll_to_date_coverage_50": coverage(at_updates("update_lower_50"),
                                             at_updates("update_upper_50"), known),
        "toll_to_date_interval_score_90": to_date,
        "toll_to_date_interval_score_official_figure": to_date_naive,
        "toll_to_date_interval_score_ratio": to_date / to_date_naive,
        "healthy_share": float(np.mean([r["healthy"] for r in records])),
        "median_seconds": float(np.median(column("seconds"))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, help="a model file (default: the default model)")
    parser.add_argument("--seed", type=int, action="append",
                        help="only these series (side-by-side checks of a change that "
                             "touches some series only)")
    args = parser.parse_args()
    records = []
    seeds = args.seed or list(range(args.series))
    for number, seed in enumerate(seeds):
        records.append(fit_series(seed, args.draws, args.tune, args.chains, args.model))
        print(f"[{number + 1}/{len(seeds)}] seed {seed}: truth {records[-1]['truth']:.0f} "
              f"90% {records[-1]['lower_90']:.0f}-{records[-1]['upper_90']:.0f}", flush=True)
        args.out.write_text(json.dumps({"summary": summarize(records), "records": records},
                                       indent=1))
    print(json.dumps(summarize(records), indent=1))


if __name__ == "__main__":
    main()
