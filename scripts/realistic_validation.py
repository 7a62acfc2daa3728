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
    .venv/bin/python scripts/realistic_validation.py --from-json rv.json --doc docs/validation.md

``--doc`` writes the results as the "Realistic reporting" section of docs/validation.md
(between the markers below; scripts/validate.py keeps the section when it rewrites the rest).

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
from multiprocessing import get_context
from pathlib import Path

import numpy as np

SHAPES = ("sparse", "dense")
ALPHA = 0.1
# issue 14's targets: 90% coverage, 50% coverage, and the interval score's ratio to the claim
# range's at most this, per shape
TARGETS = {"coverage_90": (0.85, 0.95), "coverage_50": (0.40, 0.60),
           "interval_score_ratio": {"sparse": 0.6, "dense": 0.45}}
BEGIN = "<!-- realistic-validation: written by scripts/realistic_validation.py --doc -->"
END = "<!-- /realistic-validation -->"
WORKER_FITS = 25


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
            if task.get("until_healthy"):  # as `reconcile run`: more draws while it helps
                from reconcile.analysis.extension import sample_until_healthy

                result, extension = sample_until_healthy(result)
                out["tries"] = extension.tries
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
        "slowest_parameters": _slowest(done),
        "median_max_r_hat": float(np.median([r["max_r_hat"] for r in done])),
        "median_min_ess_bulk": float(np.median([r["min_ess_bulk"] for r in done])),
        "divergence_free_share": float(np.mean([r["divergences"] == 0 for r in done])),
    })
    return summary


def _slowest(records: list[dict], top: int = 3) -> dict[str, int]:
    """The parameters (without their index) that the failing fits' reasons name most often."""
    counts: dict[str, int] = {}
    for record in records:
        named = {match.split("[")[0] for reason in record["reasons"]
                 for match in re.findall(r"\(([^)]+)\)$", reason)}
        for name in named:
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top])


def _reason_counts(records: list[dict]) -> dict[str, int]:
    """How many fits failed each diagnostic ("max R-hat", "min ESS bulk", "divergent
    transitions", ...): the reasons' words without their numbers."""
    counts: dict[str, int] = {}
    for record in records:
        # "min ESS bulk 108 < 400 (source_bias_sd)": the check, without numbers or parameter
        words = {re.sub(r"[\d.,<>]+", "", reason.split(" (")[0]).split(" in a chain")[0]
                 .strip() for reason in record["reasons"]}
        for reason in sorted(words):  # sorted: the page is the same on every rendering
            counts[reason] = counts.get(reason, 0) + 1
    return counts


def assemble(settings: dict, records: list[dict]) -> dict:
    """The run's JSON: its settings and each shape's summary over the fits it did (the
    simulation count is the fits done per shape, for a run read back from its records)."""
    shapes = [shape for shape in SHAPES if any(r["shape"] == shape for r in records)]
    done = {shape: sum(r["shape"] == shape for r in records) for shape in shapes}
    return {"settings": settings | {"shapes": shapes, "planned": settings["simulations"],
                                    "simulations": min(done.values(), default=0)},
            "shapes": {shape: summarize(sorted((r for r in records if r["shape"] == shape),
                                               key=lambda r: r["index"]))
                       for shape in shapes}}


def read_back(path: Path) -> dict:
    """A result JSON (--out), or one assembled from a records file (--out's .records.jsonl,
    written as fits end), so that a run stopped early can still be reported."""
    text = path.read_text(encoding="utf-8")
    if not path.name.endswith(".jsonl"):
        return json.loads(text)
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return assemble(lines[0]["settings"] | {"seconds": sum(r["seconds"] for r in lines[1:])
                                            / lines[0]["settings"]["workers"]}, lines[1:])


def markdown(result: dict, default_length: dict | None = None) -> str:
    """The results as the Markdown section of docs/validation.md, with each target's verdict;
    ``default_length``: a run at `reconcile run`'s own length (--until-healthy), whose fit
    health answers whether every simulated run passes its diagnostics."""
    settings = result["settings"]
    lines = [BEGIN, "## Realistic reporting: truths that are not the model's", "",
             f"*Written by `scripts/realistic_validation.py --doc` from {settings['simulations']} "
             f"archives per shape{_stopped(settings)} (seed {settings['seed']}, commit "
             f"{settings.get('commit', '?')}, "
             f"{settings['seconds'] / 60:.0f} minutes with {settings['workers']} workers); "
             f"sampler {settings['chains']} x ({settings['tune']} + {settings['draws']}) "
             "per fit, the default model.*", "",
             "The realistic simulator (`reconcile.calibration.realistic`; also the `realistic` "
             "scenario of `reconcile calibrate`) draws true counts from event sizes like real "
             "wars' (battles median 20, campaigns 400, wars 3,000, heavy-tailed), not from "
             "the model's prior, and makes claims as reporters do: own-side admissions as "
             "floors (truth x 0.4-1.0) with upward revisions, enemy claims inflated "
             "(x 1.3-4), journalistic rounding, \"more than X\" as a round number below the "
             "belief, vague words, relays, undeclared copies and denials. `sparse`: 0-2 "
             "claims per quantity, about half of them lower bounds (like the seeds); "
             "`dense`: 3-5. The interval score is Gneiting & Raftery's (alpha 0.1) on the "
             "log1p scale, over the quantities some claim is about, against the naive claim "
             "range (least to greatest stated figure); below 1x the model's intervals are "
             "sharper for the coverage they get. A quantity with one stated figure has a claim "
             "range of width 0 (it covers the truth only when the figure is exact).", "",
             "| shape | archives (failed) | quantities | 90% coverage | 50% coverage | claim "
             "range's coverage | interval score: model / claim range (ratio) | median 90% "
             "log1p width: model / claim range | fits passing diagnostics |",
             "|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for shape, row in result["shapes"].items():
        if "coverage_90" not in row:
            lines.append(f"| {shape} | {row['fits']} ({row['failed']}) | - | - | - | - | - "
                         "| - | - |")
            continue
        lines.append(
            f"| {shape} | {row['fits']} ({row['failed']}) | {row['quantities']} | "
            f"{row['coverage_90']:.3f} ± {row['coverage_90_se']:.3f} | "
            f"{row['coverage_50']:.3f} | {row['naive_coverage']:.3f} | "
            f"{row['interval_score_90_model']:.2f} / {row['interval_score_naive']:.2f} "
            f"({row['interval_score_ratio']:.2f}x) | {row['median_log_width_90']:.2f} / "
            f"{row['median_log_width_naive']:.2f} | {row['healthy_share']:.0%} |")
        verdicts += _verdicts(shape, row)
    lines += ["", "Against issue 14's targets:", "", *verdicts, ""]
    reasons = {shape: row.get("unhealthy_reasons") for shape, row in result["shapes"].items()}
    if any(reasons.values()):
        lines += ["Why fits failed their diagnostics (fits per reason): " + "; ".join(
            f"{shape}: " + ", ".join(f"{k} {v}" for k, v in r.items())
            for shape, r in reasons.items() if r) + ". The parameters they name most often "
            "(fits): " + "; ".join(f"{shape}: " + ", ".join(
                f"{k} {v}" for k, v in row.get("slowest_parameters", {}).items())
                for shape, row in result["shapes"].items()) + ". `reconcile run` samples 4 x 2,000 "
            "draws and samples again when a fit fails for want of draws; these fits are "
            "shorter, to afford the archives.", ""]
    if default_length:
        lines += _default_length(default_length)
    return "\n".join([*lines, END])


def _default_length(result: dict) -> list[str]:
    """The paragraph on archives fitted as `reconcile run` fits them."""
    settings, shapes = result["settings"], result["shapes"]
    records = result.get("records", [])
    per_shape = "; ".join(
        f"{shape}: {round(row['healthy_share'] * row['fits'])} of {row['fits']} "
        f"(90% coverage {row['coverage_90']:.3f}, 50% {row['coverage_50']:.3f}, interval "
        f"score {row['interval_score_ratio']:.2f}x)" for shape, row in shapes.items())
    extended = sum(1 for r in records if r.get("tries"))
    worst = (f" Over all of them: max R-hat {max(r['max_r_hat'] for r in records):.4f}, "
             f"min bulk ESS {min(r['min_ess_bulk'] for r in records):.0f}, "
             f"{sum(r['divergences'] for r in records)} divergences; {extended} needed "
             "sampling again with more draws." if records else "")
    return ["At `reconcile run`'s own length (`--draws 2000 --tune 2000 --chains 4 "
            "--until-healthy`: sampling again with twice the draws while the diagnostics fail "
            f"for want of them; seed {settings['seed']}, the first {settings['simulations']} "
            f"archives of each shape, commit {settings.get('commit', '?')}), the archives "
            f"passing every diagnostic: {per_shape}.{worst}", ""]


def _stopped(settings: dict) -> str:
    planned = settings.get("planned", settings["simulations"])
    return (f" (a run of {planned} per shape, stopped early and read back from its records)"
            if planned > settings["simulations"] else "")


def _verdicts(shape: str, row: dict) -> list[str]:
    low, high = TARGETS["coverage_90"]
    lines = [f"* {shape}: 90% coverage {row['coverage_90']:.3f} "
             f"{_met(low <= row['coverage_90'] <= high)} (target {low}-{high})"]
    low, high = TARGETS["coverage_50"]
    lines.append(f"* {shape}: 50% coverage {row['coverage_50']:.3f} "
                 f"{_met(low <= row['coverage_50'] <= high)} (target {low}-{high})")
    most = TARGETS["interval_score_ratio"][shape]
    lines.append(f"* {shape}: interval score {row['interval_score_ratio']:.2f}x the claim "
                 f"range's {_met(row['interval_score_ratio'] <= most)} (target at most "
                 f"{most}x)")
    return lines


def _met(ok: bool) -> str:
    return "meets it" if ok else "**misses it**"


def write_section(page: Path, section: str) -> None:
    """Put ``section`` in ``page`` in place of its realistic section, or before its
    "## Reading the results" (or at the end) when it has none; written whole, atomically."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    if old := kept_section(page):
        text = text.replace(old, section, 1)
    elif "## Reading the results" in text:
        at = text.index("## Reading the results")
        text = text[:at] + section + "\n\n" + text[at:]
    else:
        text = text + "\n" + section + "\n"
    temporary = page.with_suffix(".md.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(page)


def kept_section(page: Path) -> str:
    """The realistic section of ``page`` as it stands ("" if none), for scripts/validate.py."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    if BEGIN in text and END in text:
        return text[text.index(BEGIN):text.index(END) + len(END)]
    return ""


def _commit() -> str:
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


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
    parser.add_argument("--doc", type=Path, default=None,
                        help="write the results as this page's realistic section")
    parser.add_argument("--default-length", type=Path, default=None,
                        help="with --from-json: the JSON (or .records.jsonl) of a run at "
                             "reconcile run's length, reported beside it")
    parser.add_argument("--until-healthy", action="store_true",
                        help="sample again with more draws while the diagnostics fail for "
                             "want of them, as `reconcile run` does")
    parser.add_argument("--resume", action="store_true",
                        help="skip the fits already in --out's .records.jsonl (same settings)")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="no fits: render --doc from --out's JSON or its .records.jsonl")
    args = parser.parse_args()
    if args.from_json:
        if args.doc:
            default = read_back(args.default_length) if args.default_length else None
            if default and args.default_length.name.endswith(".jsonl"):  # per-fit health
                default["records"] = [json.loads(line) for line in args.default_length
                                      .read_text(encoding="utf-8").splitlines()[1:] if line]
            write_section(args.doc, markdown(read_back(args.from_json), default))
        return
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    tasks = [{"shape": shape, "index": i, "draws": args.draws, "tune": args.tune,
              "chains": args.chains, "until_healthy": args.until_healthy,
              "seed": int(np.random.SeedSequence([args.seed, SHAPES.index(shape), i])
                          .generate_state(1)[0])}
             for i in range(args.simulations) for shape in shapes]  # shapes alternate
    settings = {"simulations": args.simulations, "shapes": shapes, "draws": args.draws,
                "tune": args.tune, "chains": args.chains, "seed": args.seed,
                **({"until_healthy": True} if args.until_healthy else {}),
                "workers": args.workers, "alpha": ALPHA, "scale": "log1p", "model": "default",
                "commit": _commit()}
    started = time.perf_counter()
    records: list[dict] = []
    first_commit = settings["commit"]
    log = args.out.with_suffix(".records.jsonl") if args.out else None
    if log and args.resume and log.exists():  # go on where a stopped run left off
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        same = {"commit": "", "simulations": 0}  # a run may be resumed to more archives
        if lines[0]["settings"] | same != settings | same:
            sys.exit(f"{log} was written with other settings: {lines[0]['settings']}")
        records = lines[1:]
        if lines[0]["settings"]["commit"] != settings["commit"]:  # the code measured, in all
            first_commit = f"{lines[0]['settings']['commit']} to {settings['commit']}"
        done = {(r["shape"], r["index"]) for r in records}
        tasks = [t for t in tasks if (t["shape"], t["index"]) not in done]
        print(f"resuming: {len(records)} fits done, {len(tasks)} to go", file=sys.stderr)
    elif log:  # every fit as it ends, so that a run stopped early keeps what it did
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(json.dumps({"settings": settings}) + "\n", encoding="utf-8")
    # a fresh worker every WORKER_FITS fits: a nutpie worker thread segfaulted after about 130
    # fits in one process (2026-12-05), and each fit leaves compiled code behind.
    # multiprocessing's Pool, not ProcessPoolExecutor: with max_tasks_per_child the latter
    # hung for good once its first workers retired (CPython 3.13.0, 2026-12-05)
    with get_context("spawn").Pool(args.workers, maxtasksperchild=WORKER_FITS) as pool:
        for done, record in enumerate(pool.imap_unordered(fit_one, tasks), start=1):
            records.append(record)
            if log:
                with log.open("a", encoding="utf-8") as stream:
                    stream.write(json.dumps(record) + "\n")
            state = ("ok" if record.get("healthy") else "unhealthy") if record["ok"] else "FAILED"
            print(f"[{done}/{len(tasks)}] {record['shape']} #{record['index']}: {state} "
                  f"({record['seconds']:.0f} s)", file=sys.stderr, flush=True)
    fitting = sum(r["seconds"] for r in records) / args.workers  # resumed runs included
    result = assemble(settings | {"seconds": fitting, "commit": first_commit}, records)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.doc:
        write_section(args.doc, markdown(result))


if __name__ == "__main__":
    main()
