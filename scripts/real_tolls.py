"""The running-toll model on real series (issue 15): for every event of a survey of official
running tolls whose final toll was published later (``examples/toll-survey``), fit the
reports out by day 1, 3 and 7 after the event and all reports before the final one, and
score each fit's final toll against the published final: inside the 50% and 90% intervals,
the interval score of the 90% interval (log1p scale, as scripts/toll_validation.py) against
the last report read as a point, and median / final. Simulated series test the model
against the model's own idea of a toll; these test it against how tolls really grew.

    .venv/bin/python scripts/real_tolls.py examples/toll-survey --out /tmp/real_tolls.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ALPHA = 0.1


def fit_cut(event, label: str, dataset, seed: int, model: Path | None = None) -> dict:
    """One fit of ``dataset`` (a cut of the SurveyEvent ``event``), scored against its final."""
    import reconcile
    from reconcile.calibration.scoring import interval_score

    started = time.perf_counter()
    fitted = reconcile.fit(dataset, reconcile.load_config(model), seed=seed)
    row = reconcile.estimates(fitted).iloc[0]
    final = float(event.final)
    last = float(dataset.claims[-1].value)
    health = reconcile.diagnostics(fitted)
    return {
        "event": event.event_id, "cut": label, "claims": len(dataset.claims),
        "final": final, "last_report": last,
        **{key: float(row[key]) for key in ("median", "lower_50", "upper_50", "lower_90",
                                            "upper_90")},
        "in_50": bool(row["lower_50"] <= final <= row["upper_50"]),
        "in_90": bool(row["lower_90"] <= final <= row["upper_90"]),
        "score_90": interval_score([row["lower_90"]], [row["upper_90"]], [final], ALPHA),
        "score_last_report": interval_score([last], [last], [final], ALPHA),
        "healthy": bool(health["ok"]), "max_r_hat": float(health["max_r_hat"]),
        "seconds": time.perf_counter() - started,
    }


def summarize(records: list[dict]) -> dict:
    def summary(chosen: list[dict]) -> dict:
        if not chosen:
            return {}
        score = float(np.mean([r["score_90"] for r in chosen]))
        naive = float(np.mean([r["score_last_report"] for r in chosen]))
        return {"fits": len(chosen), "in_50": float(np.mean([r["in_50"] for r in chosen])),
                "in_90": float(np.mean([r["in_90"] for r in chosen])),
                "interval_score_90": score, "interval_score_last_report": naive,
                "median_over_final": float(np.median([r["median"] / r["final"]
                                                      for r in chosen])),
                "healthy": float(np.mean([r["healthy"] for r in chosen]))}

    from reconcile.calibration.toll_survey import CUT_DAYS

    labels = ["all", *(f"day {d}" for d in CUT_DAYS)]
    return {"every fit": summary(records),
            **{label: summary([r for r in records if r["cut"] == label]) for label in labels}}


def markdown(records: list[dict]) -> str:
    lines = ["| event | reports out by | claims | last report | median | 50% | 90% | final | "
             "in 50% / 90% |", "|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        lines.append(
            f"| {r['event']} | {r['cut']} | {r['claims']} | {r['last_report']:,.0f} | "
            f"{r['median']:,.0f} | {r['lower_50']:,.0f}-{r['upper_50']:,.0f} | "
            f"{r['lower_90']:,.0f}-{r['upper_90']:,.0f} | {r['final']:,.0f} | "
            f"{'yes' if r['in_50'] else 'no'} / {'yes' if r['in_90'] else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--event", action="append", help="only these events")
    parser.add_argument("--model", type=Path, help="a model file (default: the default model)")
    parser.add_argument("--cut", action="append", help='only these cuts ("all", "day 1" ...)')
    args = parser.parse_args()
    from reconcile.calibration.toll_survey import load_survey

    records = []
    for event in load_survey(args.folder):
        if args.event and event.event_id not in args.event:
            continue
        for label, data in event.cuts():
            if args.cut and label not in args.cut:
                continue
            records.append(fit_cut(event, label, data, args.seed, args.model))
            print(markdown(records[-1:]).splitlines()[-1], flush=True)
            args.out.write_text(json.dumps({"summary": summarize(records),
                                            "records": records}, indent=1))
    print(markdown(records))
    print(json.dumps(summarize(records), indent=1))


if __name__ == "__main__":
    main()
