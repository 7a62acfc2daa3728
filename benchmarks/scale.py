"""Speed and memory of reconcile at sizes S (the seed data), M, L and XL, and T (one running
toll with 100 dated claims).

    .venv/bin/python benchmarks/scale.py end-to-end --sizes S M L --repeats 3
    .venv/bin/python benchmarks/scale.py end-to-end --sizes T --repeats 3
    .venv/bin/python benchmarks/scale.py samplers --sizes S M L --backends nutpie pymc numpyro stan
    .venv/bin/python benchmarks/scale.py fast-path --sizes M --repeats 5
    .venv/bin/python benchmarks/scale.py gradient --sizes S M L XL
    .venv/bin/python benchmarks/scale.py report            # RESULTS.md from the stored results

Every measurement runs in a fresh process (so that compilation caches, JAX's threads and
memory are its own) and appends one JSON record to benchmarks/results/<kind>.jsonl; `report`
turns the records into benchmarks/RESULTS.md (medians over repeats). Datasets M, L and XL are
simulated and T is built (benchmarks/datasets.py); they are written as dataset folders under
--work.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PYTHON = sys.executable
RECONCILE = str(Path(PYTHON).with_name("reconcile"))


# --- datasets -------------------------------------------------------------------------------
def dataset_folder(size: str, work: Path) -> Path:
    """The dataset folder of ``size`` (written once under ``work``; S is seeds/)."""
    if size == "S":
        return ROOT / "seeds"
    folder = work / f"dataset-{size}"
    if not folder.exists():
        sys.path.insert(0, str(HERE))
        from datasets import benchmark_dataset

        from reconcile.config import load_config
        from reconcile.dataset.write import write_dataset

        staging = work / f".dataset-{size}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        write_dataset(benchmark_dataset(size, load_config()), staging)
        staging.rename(folder)
    return folder


# --- processes ------------------------------------------------------------------------------
def measured(command: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``command``; its wall time, peak resident memory (this child's alone) and output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "peak_rss_mib": usage.ru_maxrss / 1024,
                "returncode": process.returncode, "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace")[-4000:]}


def fresh_cache_env(cache: Path) -> dict:
    """Environment whose PyTensor/numba compilation caches start empty."""
    env = dict(os.environ)
    env["PYTENSOR_FLAGS"] = f"base_compiledir={cache / 'pytensor'}"
    env["NUMBA_CACHE_DIR"] = str(cache / "numba")
    return env


@functools.cache
def package_fastmath() -> bool:
    """numba's fastmath as the package sets it for the models it compiles. Records without
    the field predate model/build.py turning it off (2026-11-30): they were made with it on."""
    import pytensor

    import reconcile.model.build  # noqa: F401  (sets the flag on import)

    return bool(pytensor.config.numba__fastmath)


def fastmath_of(row: dict) -> str:
    return "on" if row.get("numba_fastmath", True) else "off"


def record(kind: str, row: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    row = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "commit": commit(), **row}
    with (RESULTS / f"{kind}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
    print(kind, json.dumps(row), flush=True)


def commit() -> str:
    """The checked-out commit, with "+" when the working tree differs from it (outside the
    benchmark records, which every measurement appends to)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD")
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no", "--", ":/",
                          ":!/benchmarks/results", ":!/benchmarks/RESULTS.md") else "")


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"


# --- end to end -----------------------------------------------------------------------------
# the quick start's seed (records before 2026-12-01 used seed 1 and do not store it)
END_TO_END_SEED = 0


def end_to_end(sizes: list[str], repeats: int, work: Path, extra: list[str],
               attempts: tuple[str, ...] = ("first", "cached")) -> None:
    """`reconcile check` and `reconcile run` as a user runs them: the first run with empty
    compilation caches, then runs that find the compiled model cached."""
    for size in sizes:
        data = dataset_folder(size, work)
        check = measured([RECONCILE, "check", str(data)])
        options = extra if size == "S" else [*extra, "--no-sensitivity"]
        for repeat in range(repeats):
            cache = Path(tempfile.mkdtemp(prefix="reconcile-cache-", dir=work))
            env = fresh_cache_env(cache)
            for attempt in attempts:
                out = work / f"out-{size}-{repeat}-{attempt}"
                shutil.rmtree(out, ignore_errors=True)
                run = measured([RECONCILE, "run", str(data), "--out", str(out),
                                "--seed", str(END_TO_END_SEED),
                                "--allow-bad-diagnostics", "--no-progress", *options], env=env)
                info = _json(out / "run.json")
                diagnostics = _json(out / "diagnostics.json")
                record("end_to_end", {
                    "size": size, "repeat": repeat, "run": attempt, "options": options,
                    "seed": END_TO_END_SEED,
                    "numba_fastmath": package_fastmath(),
                    "check_s": check["wall_s"], "wall_s": run["wall_s"],
                    "peak_rss_mib": run["peak_rss_mib"], "returncode": run["returncode"],
                    "timings": info.get("timings", {}), "claims": _count_rows(data / "claims.csv"),
                    "diagnostics_ok": diagnostics.get("ok"), "reasons": diagnostics.get("reasons"),
                    "min_ess_bulk": diagnostics.get("min_ess_bulk"),
                    "max_r_hat": diagnostics.get("max_r_hat"),
                    "pareto_k": diagnostics.get("pareto_k"),
                    "stderr_tail": run["stderr"][-800:] if run["returncode"] not in (0, 3) else "",
                })
            shutil.rmtree(cache, ignore_errors=True)


def _json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


# --- samplers side by side ------------------------------------------------------------------
def samplers(sizes: list[str], backends: list[str], repeats: int, work: Path, draws: int,
             tune: int, chains: int) -> None:
    """Each (size, sampler) fit in its own process, the samplers interleaved per repeat so
    that they share the machine's state as fairly as a noisy 2-core machine allows."""
    for size in sizes:
        data = dataset_folder(size, work)
        for repeat in range(repeats):
            for backend in backends:
                child = measured([PYTHON, __file__, "_fit", str(data), backend, str(repeat),
                                  str(draws), str(tune), str(chains)])
                row = _last_json(child["stdout"]) or {"error": child["stderr"][-1500:]}
                record("samplers", {"size": size, "backend": backend, "repeat": repeat,
                                    "numba_fastmath": package_fastmath(),
                                    "draws": draws, "tune": tune, "chains": chains,
                                    "peak_rss_mib": child["peak_rss_mib"], **row})


def _last_json(text: str) -> dict | None:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def fit_child(data: str, backend: str, seed: int, draws: int, tune: int, chains: int) -> None:
    """One fit (in a child process): prints its timings and convergence as JSON."""
    import warnings

    warnings.filterwarnings("ignore")
    from reconcile.config import load_config
    from reconcile.dataset import load_dataset

    config = load_config()
    dataset = load_dataset(data, config.lexicon)
    sampler = config.sampler.model_copy(update={"draws": draws, "tune": tune,
                                                "chains": chains})
    if backend == "stan":
        sys.path.insert(0, str(HERE))
        import stan_reference

        built = stan_reference.build(dataset, config)
        result = stan_reference.sample(built, draws=draws, tune=tune, chains=chains, seed=seed)
        posterior, compile_s = result.posterior, built.compile_s
        sample_s = result.timings["sample_s"]
        divergences = result.divergences
    else:
        from reconcile.inference import fit

        started = time.perf_counter()
        fitted = fit(dataset, config, seed=seed,
                     sampler=sampler.model_copy(update={"backend": backend}))
        wall = time.perf_counter() - started
        posterior = fitted.idata.posterior.to_dataset()
        sample_s = float(posterior.attrs.get("sampling_time", fitted.timings["sample_s"]))
        compile_s = wall - sample_s
        divergences = int(fitted.idata.sample_stats["diverging"].sum())
    print(json.dumps({"compile_s": compile_s, "sample_s": sample_s,
                      **convergence(posterior), "divergences": divergences}), flush=True)


def convergence(posterior) -> dict:
    """Minimum bulk ESS and maximum R-hat over the true counts, and ESS per second later."""
    import arviz_stats as azs

    counts = posterior[["count"]]
    ess = azs.ess(counts, sample_dims=["chain", "draw"], method="bulk")["count"]
    rhat = azs.rhat(counts, sample_dims=["chain", "draw"])["count"]
    return {"min_ess_bulk": float(ess.min()), "max_r_hat": float(rhat.max()),
            "quantities": int(counts.sizes["quantity"])}


# --- a fast path: ADVI against NUTS -----------------------------------------------------------
def fast_path(sizes: list[str], repeats: int, draws: int, tune: int,
              methods: tuple[str, ...] = ("nuts", "advi")) -> None:
    """The fast path (`--method advi`) against NUTS on simulated archives whose true counts
    are known: coverage of the 90% intervals, their width, and time."""
    for size in sizes:
        for repeat in range(repeats):
            for method in methods:
                child = measured([PYTHON, __file__, "_approx", size, method, str(repeat),
                                  str(draws), str(tune)])
                row = _last_json(child["stdout"]) or {"error": child["stderr"][-1500:]}
                record("fast_path", {"size": size, "method": method, "repeat": repeat,
                                     "peak_rss_mib": child["peak_rss_mib"], **row})


TRUTHS = "log-normal(4, 1.5)"  # what datasets.realistic draws the true counts from


def _truths(row: dict) -> str:
    """The prior a fast-path record's true counts came from: datasets.realistic's
    log-normal, except from 2026-12-02 (the hierarchical prior became the default, and
    ignored realistic's mu and sigma) until records named it."""
    if "truths" in row:
        return row["truths"]
    return "the pooled prior" if row["date"] >= "2026-12-02" else TRUTHS


def approx_child(size: str, method: str, repeat: int, draws: int, tune: int) -> None:
    """One fit of a simulated archive (in a child process): coverage of the true counts.
    ADVI runs as `reconcile run --method advi` does (model file defaults, 2,000 draws)."""
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np

    sys.path.insert(0, str(HERE))
    from datasets import SIZES, realistic

    from reconcile.config import load_config
    from reconcile.inference import fit
    from reconcile.model.simulate import random_structure, simulate_like

    config = load_config()
    shape = SIZES[size]
    structure = random_structure(n_sources=shape.sources, n_quantities=shape.quantities,
                                 n_claims=shape.claims, seed=100 + repeat, max_depth=3)
    simulation = simulate_like(structure, realistic(config), seed=200 + repeat)[0]
    truth = simulation.truth["count"]
    if method == "nuts":
        sampler = config.sampler.model_copy(update={"draws": draws, "tune": tune})
    else:
        sampler = config.sampler.model_copy(update={"method": "advi"})
    started = time.perf_counter()
    fitted = fit(simulation.dataset, config, seed=repeat, sampler=sampler)
    seconds = time.perf_counter() - started
    count = fitted.idata.posterior["count"].values.reshape(-1, truth.size)
    low, high = np.quantile(count, [0.05, 0.95], axis=0)
    extra = {}
    if method == "advi":
        from reconcile.analysis import diagnostics as fit_diagnostics

        diagnostics = fit_diagnostics(fitted)
        extra = {"advi_iterations": sampler.advi_iterations, "converged": diagnostics["ok"],
                 "pareto_k": diagnostics["pareto_k"],
                 "iterations_run": diagnostics["iterations"]}  # it stops once converged
    print(json.dumps({"seconds": seconds, "quantities": int(truth.size), "truths": TRUTHS,
                      "coverage_90": float(np.mean((truth >= low) & (truth <= high))),
                      "median_log_width_90": float(np.median(np.log(high / low))), **extra}),
          flush=True)


# --- cost of one gradient ------------------------------------------------------------------
def gradient(sizes: list[str], work: Path) -> None:
    """Milliseconds per evaluation of the log density's gradient (what NUTS and ADVI pay per
    leapfrog step or iteration), the model compiled by PyTensor's numba backend."""
    for size in sizes:
        for fastmath in ("off", "on"):  # reconcile's setting, and numba's fastmath for comparison
            child = measured([PYTHON, __file__, "_gradient", str(dataset_folder(size, work)),
                              fastmath])
            row = _last_json(child["stdout"]) or {"error": child["stderr"][-1500:]}
            record("gradient", {"size": size, "numba_fastmath": fastmath == "on",
                                "peak_rss_mib": child["peak_rss_mib"], **row})


def gradient_child(data: str, fastmath: str) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    import pytensor

    from reconcile.config import load_config
    from reconcile.dataset import load_dataset
    from reconcile.model.build import build_model

    # reconcile turns numba's fastmath off (model/build.py); "on" measures what that costs
    pytensor.config.numba__fastmath = fastmath == "on"
    config = load_config()
    dataset = load_dataset(data, config.lexicon)
    started = time.perf_counter()
    model = build_model(dataset, config)
    dlogp = model.compile_dlogp(mode="NUMBA")
    point = model.initial_point()
    dlogp(point)
    compile_s = time.perf_counter() - started
    evaluations = max(20, int(2.0 / max(_time_once(dlogp, point), 1e-6)))
    started = time.perf_counter()
    for _ in range(evaluations):
        dlogp(point)
    per = (time.perf_counter() - started) / evaluations
    print(json.dumps({"claims": len(dataset.claims), "quantities": len(dataset.quantities),
                      "parameters": int(sum(v.size for v in point.values())),
                      "compile_s": compile_s, "ms_per_gradient": per * 1000}), flush=True)


def _time_once(function, point) -> float:
    started = time.perf_counter()
    function(point)
    return time.perf_counter() - started


# --- report ---------------------------------------------------------------------------------
def report(out: Path) -> None:
    """RESULTS.md from every stored record: medians over repeats, newest date per table."""
    end = _load("end_to_end")
    fits = _load("samplers")
    lines = ["# Benchmarks", "", "Generated by `benchmarks/scale.py report` from the records in "
             "`benchmarks/results/`; each table says the command that measures it. Medians over "
             "repeats, each measurement in a fresh process on the machine named.", "",
             "\"fastmath\" is numba's fastmath in the compiled model. reconcile turns it off "
             "(model/build.py, since 2026-11-30): with it on, a run that compiled the model and "
             "a run that loaded it from the disk cache sampled different draws from the same "
             "seed. Rows marked \"on\" were measured before that change (the package's "
             "behaviour then); the gradient table measures both side by side.", ""]
    if end:
        lines += ["## `reconcile run` end to end", "",
                  "`.venv/bin/python benchmarks/scale.py end-to-end --sizes S M L --repeats 3`. "
                  "\"first\": empty PyTensor/numba caches; \"cached\": the same command again. "
                  "M and above run with `--no-sensitivity`. The sensitivity refits only run when "
                  "the diagnostics pass (S at seed 1 missed R-hat <= 1.01 by 0.0002, so those "
                  "rows have none). XL runs the fast path: `--run-option=--method "
                  "--run-option=advi --run-option=--draws --run-option=1000` (and "
                  "`--advi-iterations 10000` where the method says so); its \"sampling\" is "
                  "the ADVI fit, 1,000 draws and the k-hat, and only its first run was "
                  "measured (ADVI's compilation is a few seconds of C): add `--runs first`. "
                  "\"commit\" is the reconcile commit measured (\"-\": records made before it "
                  "was stored, on 2026-12-01 and earlier). T is one running toll with 100 dated "
                  "claims (benchmarks/datasets.py; `--sizes T --repeats 2`): issue 15 asks that "
                  "it sample with healthy diagnostics in under a minute.", "",
                  "| size | claims | method | run | fastmath | seed | commit | repeats | check (s) | "
                  "wall (s) | compile (s) | sampling (s) | claim checks (s) | sensitivity (s) | "
                  "report (s) | peak memory (MiB) | diagnostics |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in end:
            row.setdefault("seed", 1)  # the seed of the records made before it was stored
            row.setdefault("commit", "-")
            options = row.get("options", [])
            row["method"] = (options[options.index("--method") + 1] if "--method" in options
                             else "nuts")
            if row["method"] == "advi":
                iterations = (int(options[options.index("--advi-iterations") + 1])
                              if "--advi-iterations" in options else 20_000)
                row["method"] = f"advi, {iterations:,} it."
        for key, rows in _groups(end, ("size", "method", "run", "fastmath", "seed", "commit")):
            t = [r["timings"] for r in rows]
            lines.append(
                f"| {key[0]} | {rows[0]['claims']:,} | {key[1]} | {key[2]} | {key[3]} | {key[4]} | "
                f"{key[5]} | "
                f"{len(rows)} | "
                f"{_med(r['check_s'] for r in rows):.2f} | {_med(r['wall_s'] for r in rows):.1f} | "
                f"{_med(x.get('compile_s', 0) for x in t):.1f} | {_med(x.get('sample_s', 0) for x in t):.1f} | "
                f"{_med(x.get('checks_s', 0) for x in t):.1f} | "
                f"{_med(x.get('sensitivity_s', 0) for x in t):.1f} | {_med(x.get('report_s', 0) for x in t):.1f} | "
                f"{_med(r['peak_rss_mib'] for r in rows):.0f} | {_verdict(rows)} |")
        lines.append("")
    if fits:
        lines += ["## Samplers side by side", "",
                  "`.venv/bin/python benchmarks/scale.py samplers --sizes S M L --backends nutpie "
                  "pymc numpyro stan`: the default model, 4 chains of the same tuning and draws, "
                  "each fit in its own process. ESS/s is the minimum bulk ESS over the true counts "
                  "per second of sampling (compilation excluded, shown apart).", "",
                  "| size | sampler | fastmath | repeats | tune + draws | compile (s) | "
                  "sampling (s) | min ESS bulk | ESS/s | max R-hat | divergences | "
                  "peak memory (MiB) | ESS/s vs Stan |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        done = [r for r in fits if "sample_s" in r]
        for row in done:  # Stan and numpyro (JAX) do not use numba: their runs are one group
            row["fastmath"] = "-" if row["backend"] in ("stan", "numpyro") else fastmath_of(row)
        groups = dict(_groups(done, ("size", "backend", "fastmath")))
        for (size, backend, fastmath), rows in groups.items():
            rate = _med(r["min_ess_bulk"] / r["sample_s"] for r in rows)
            stan = groups.get((size, "stan", "-"))
            ratio = rate / _med(r["min_ess_bulk"] / r["sample_s"] for r in stan) if stan else None
            lines.append(
                f"| {size} | {backend} | {fastmath} | {len(rows)} | "
                f"{rows[0]['tune']} + {rows[0]['draws']} | "
                f"{_med(r['compile_s'] for r in rows):.1f} | {_med(r['sample_s'] for r in rows):.1f} | "
                f"{_med(r['min_ess_bulk'] for r in rows):.0f} | {rate:.1f} | "
                f"{_med(r['max_r_hat'] for r in rows):.3f} | {_med(r['divergences'] for r in rows):.0f} | "
                f"{_med(r['peak_rss_mib'] for r in rows):.0f} | "
                f"{'' if ratio is None else f'{ratio:.1f}x'} |")
        failed = [r for r in fits if "sample_s" not in r]
        for r in failed:
            lines.append(f"\n{r['size']} {r['backend']} failed: `{r.get('error', '')[-300:]}`")
        lines.append("")
    grads = [r for r in _load("gradient") if "ms_per_gradient" in r]
    if grads:
        lines += ["## Cost of one gradient", "",
                  "`.venv/bin/python benchmarks/scale.py gradient --sizes S M L XL`: the "
                  "default model's log-density gradient compiled with PyTensor's numba "
                  "backend, one core. NUTS pays it at every leapfrog step (30-60 per draw "
                  "here), ADVI at every iteration. Since 52cfd3e the default reading's "
                  "likelihood is one compiled loop (reconcile/model/claim_kernel.py); rows of "
                  "one commit were measured on one day, and machines' days differ by up to 2x "
                  "(compare within a commit, or the side-by-side ratios in the README).", "",
                  "| size | claims | quantities | free parameters | fastmath | commit | "
                  "compile (s) | ms per gradient | µs per claim | peak memory (MiB) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for row in grads:
            row.setdefault("commit", "-")
        for (size, fastmath, commit_), rows in _groups(grads, ("size", "fastmath", "commit")):
            ms = _med(r["ms_per_gradient"] for r in rows)
            lines.append(f"| {size} | {rows[0]['claims']:,} | {rows[0]['quantities']:,} | "
                         f"{rows[0]['parameters']:,} | {fastmath} | {commit_} | "
                         f"{_med(r['compile_s'] for r in rows):.1f} | "
                         f"{ms:.3f} | {1000 * ms / rows[0]['claims']:.2f} | "
                         f"{_med(r['peak_rss_mib'] for r in rows):.0f} |")
        lines.append("")
    approx = [r for r in _load("fast_path") if "seconds" in r]
    if approx:
        for row in approx:  # the first records: pm.fit's default optimizer, 50,000 iterations
            row["variant"] = ("NUTS" if row["method"] == "nuts" else
                              f"`--method advi`, at most {row['advi_iterations']:,} it., "
                              "stopping once converged" if "iterations_run" in row else
                              f"`--method advi`, {row['advi_iterations']:,} it."
                              if "advi_iterations" in row else "pm.fit default, 50,000 it.")
        lines += ["## The fast path: mean-field ADVI against NUTS", "",
                  "`.venv/bin/python benchmarks/scale.py fast-path --sizes M --repeats 5`: "
                  "simulated archives with known true counts (repeat r: structure seed 100 + r, "
                  "claims seed 200 + r); NUTS 4 chains of 1,000 + 1,000, ADVI as "
                  "`reconcile run --method advi` fits (approximate.py). Coverage is the share of "
                  "true counts inside their 90% interval (pooled over quantities; they are "
                  "correlated, so one archive's coverage varies a lot), width the median of "
                  "log(upper / lower). Per repeat, so that a bad archive shows (on 2026-12-01 "
                  "repeat 4 covered 0.56 with NUTS too; docs/validation.md checks NUTS's "
                  "calibration over 200 archives by SBC). The model and the simulator changed "
                  "between dates, so compare rows of one date and one prior of the true "
                  "counts. On 2026-12-07 the fits on the pooled prior's counts ran beside other "
                  "work (their times are not comparable). ADVI with its early stop switched off "
                  "(all 20,000 iterations, a scratch script, not recorded here) covered 0.91 "
                  "0.875 0.925 0.92 0.87 (log-normal counts, width 0.37, 28 s) and 0.93 0.91 "
                  "0.885 0.91 0.92 (the pooled prior's, width 0.41). The XL row's fit did not "
                  "converge: one simulated figure had 16 digits and made every loss infinite.", "",
                  "| size | method | date | true counts | repeats | time (s) | "
                  "90% coverage, median | 90% coverage per repeat | median log width | "
                  "Pareto k-hat | peak memory (MiB) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in approx:
            row["truths"] = _truths(row)
        for (size, variant, date, truths), rows in _groups(approx, ("size", "variant", "date",
                                                                     "truths")):
            rows = sorted(rows, key=lambda r: r["repeat"])
            k = [r["pareto_k"] for r in rows if "pareto_k" in r]
            lines.append(
                f"| {size} | {variant} | {date} | {truths} | {len(rows)} | "
                f"{_med(r['seconds'] for r in rows):.0f} | "
                f"{_med(r['coverage_90'] for r in rows):.3f} | "
                f"{' '.join(f'{r['coverage_90']:.2f}' for r in rows)} | "
                f"{_med(r['median_log_width_90'] for r in rows):.2f} | "
                f"{f'{_med(k):.1f}' if k else ''} | "
                f"{_med(r['peak_rss_mib'] for r in rows):.0f} |")
        lines.append("")
    presets = _load("refit_presets")
    if presets:
        lines += ["## Sensitivity refit presets", "",
                  "`.venv/bin/python benchmarks/refit_presets.py`: the seed run's "
                  "leave-one-source-out and other-anchor refits (one compiled model) under "
                  "each preset, against long refits; the error is |log(factor / long "
                  "factor)| over the (source, quantity) pairs where the source speaks about the "
                  "quantity or one nested with it. A preset whose error is within the old "
                  "preset's error at another seed is as good as it.", "",
                  "| preset | date | commit | refits | time (s) | median error | 95th pct. error "
                  "| max error | same most influential source |", "|---|---|---|---|---|---|---|---|---|"]
        for row in presets:
            lines.append(f"| {row['preset']} | {row['date']} | {row['commit']} | "
                         f"{row['refits']} | {row['seconds']:.1f} | "
                         f"{row['median_abs_log_error_near']:.3f} | "
                         f"{row['p95_abs_log_error_near']:.3f} | "
                         f"{row['max_abs_log_error_near']:.3f} | "
                         f"{row['same_most_influential']:.0%} |")
        lines.append("")
    geometry = _load("geometry")
    if geometry:
        lines += ["## Source deviations: centred where the claims pin them", "",
                  "`.venv/bin/python benchmarks/geometry.py --sizes M --seeds 1`: each fit twice, "
                  "side by side in fresh processes, with the source biases the claims pin "
                  "centred (reconcile/model/centring.py, MEASURED_FROM) and with every one "
                  "non-centred (the package's default). ESS and R-hat over every free parameter and "
                  "deterministic, as `reconcile run` checks them; \"counts\": the true counts "
                  "only. Compare rows of one commit and form only: M and R are simulated by "
                  "forward-sampling the model's graph, and rewriting the graph changed the "
                  "draws, hence the datasets, though not the prior. The first form "
                  "(4774d02) centred only the deviation, so that a kind's effect could not "
                  "move without its sources' deviations. Not adopted: docs/validation.md, "
                  "\"Centred source effects\". \"sum to zero within kind\" (`--variants \"sum to "
                  "zero within kind\" \"all non-centred\"`): every source non-centred, its "
                  "deviations projected to sum to zero within each kind (`[bias] "
                  "source_deviations`, a change of prior), fitted to the dataset simulated "
                  "under the default's; not the default: docs/validation.md, \"Source "
                  "deviations that sum to zero within a kind\".", "",
                  "| size | claims | centred sources | seed | draws | commit | variant | "
                  "sampling (s) | leapfrog steps | max R-hat | min bulk ESS | min tail ESS | "
                  "min bulk ESS, counts | divergences | slowest |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in geometry:
            lines.append(
                f"| {row['size']} | {row['claims']:,} | {row['centred_sources']} of "
                f"{row['sources']:,} | {row['seed']} | {row['chains']} x ({row['tune']} + "
                f"{row['draws']}) | {row['commit']} | {row['variant']} | {row['sample_s']:.0f} | "
                f"{row['leapfrog_steps']:.1f} | {row['max_r_hat']:.3f} | {row['min_ess_bulk']} | "
                f"{row['min_ess_tail']} | {row['min_ess_bulk_counts']} | {row['divergences']} | "
                f"{', '.join(row['slowest'])} |")
        lines.append("")
    extraction = _load("extraction")
    if extraction:
        lines += ["## `reconcile extract`", "",
                  "`.venv/bin/python benchmarks/extraction.py`: the seed and Beirut documents "
                  "copied round-robin into 1,000 files; each repeat a fresh process "
                  "(issue 18's target: under a minute).", "",
                  "| date | commit | documents | words each (mean) | candidates | repeats | "
                  "median (s) | min (s) | max (s) |", "|---|---|---|---|---|---|---|---|---|"]
        for row in extraction:
            lines.append(f"| {row['date']} | {row['commit']} | {row['documents']:,} | "
                         f"{row['mean_words']} | {row['candidates']:,} | {row['repeats']} | "
                         f"{row['median_s']:.1f} | {row['min_s']:.1f} | {row['max_s']:.1f} |")
        lines.append("")
    every = end + fits + approx + grads + presets + geometry + extraction
    machines = sorted({r["machine"] for r in every})
    dates = sorted({r["date"] for r in every})
    lines += [f"Machines: {'; '.join(machines)}. Dates: {', '.join(dates)}.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


def _load(kind: str) -> list[dict]:
    path = RESULTS / f"{kind}.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for row in rows:
        row["fastmath"] = fastmath_of(row)
    return rows


def _groups(rows: list[dict], keys: tuple[str, ...]):
    order = {"S": 0, "M": 1, "L": 2, "XL": 3}
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    return sorted(groups.items(), key=lambda item: (order.get(item[0][0], 9), item[0][1:]))


def _med(values) -> float:
    values = [float(v) for v in values]
    return statistics.median(values) if values else float("nan")


def _verdict(rows: list[dict]) -> str:
    ok = sum(bool(r["diagnostics_ok"]) for r in rows)
    if rows[0].get("method", "").startswith("advi"):
        k = _med(r.get("pareto_k") or float("nan") for r in rows)
        return f"{ok}/{len(rows)} converged (ADVI; Pareto k-hat {k:.1f})"
    worst = max(rows, key=lambda r: r.get("max_r_hat") or 0)
    return (f"{ok}/{len(rows)} ok (R-hat <= {worst.get('max_r_hat') or float('nan'):.3f}, "
            f"ESS >= {min(r.get('min_ess_bulk') or 0 for r in rows):.0f})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_fit":
        data, backend, seed, draws, tune, chains = sys.argv[2:8]
        fit_child(data, backend, int(seed), int(draws), int(tune), int(chains))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_gradient":
        gradient_child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "off")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_approx":
        size, method, repeat, draws, tune = sys.argv[2:7]
        approx_child(size, method, int(repeat), int(draws), int(tune))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["end-to-end", "samplers", "fast-path", "gradient",
                                         "report"])
    parser.add_argument("--sizes", nargs="+", default=["S", "M"])
    parser.add_argument("--methods", nargs="+", choices=["nuts", "advi"], default=["nuts", "advi"],
                        help="fast-path: the fits to run (NUTS's records do not change with ADVI)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["nutpie", "pymc", "numpyro", "stan"])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "reconcile-bench")
    parser.add_argument("--runs", nargs="+", choices=["first", "cached"],
                        default=["first", "cached"], help="end-to-end: which runs to measure")
    parser.add_argument("--run-option", action="append", default=[],
                        help="extra option for `reconcile run` (repeatable)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.what == "end-to-end":
        end_to_end(args.sizes, args.repeats, args.work, args.run_option, tuple(args.runs))
    elif args.what == "gradient":
        gradient(args.sizes, args.work)
    elif args.what == "fast-path":
        fast_path(args.sizes, args.repeats, args.draws, args.tune, tuple(args.methods))
    elif args.what == "samplers":
        samplers(args.sizes, args.backends, args.repeats, args.work, args.draws, args.tune,
                 args.chains)
    report(HERE / "RESULTS.md")


if __name__ == "__main__":
    main()
