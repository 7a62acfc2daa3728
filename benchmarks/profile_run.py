"""Where the time of `reconcile run seeds` goes: the profile behind benchmarks/PROFILE.md.

    .venv/bin/python benchmarks/profile_run.py            # writes benchmarks/PROFILE.md

Three measurements, each in its own process so that caches and imports are its own:

* ``phases``: one `reconcile run seeds` (through the Python API, caches warmed by a run
  before it) under cProfile: the run's phase timings and the functions that take the time.
* ``compile``: what the compilation of the model for nutpie compiles, numba function by numba
  function, and how many PyTensor functions came from the disk cache instead; reconcile's
  (reconcile/inference/nutpie_callbacks.py) and, for comparison, nutpie.compile_pymc_model.
* ``jax``: the alternative that compiles fastest, nutpie's JAX backend with JAX's persistent
  compilation cache, timed on the same data and sampler settings.
"""

from __future__ import annotations

import argparse
import cProfile
import collections
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
PROFILE = HERE / "PROFILE.md"
# frames worth reading in the cumulative profile: ours, the sampler, the compiler, the stats
LANDMARKS = (r"reconcile/|nutpie/compile_pymc|numba/core/(ccallback|typed_passes|lowering|"
             r"codegen)|pytensor/compile/function/types|arviz_stats/|matplotlib/figure")


def seed_model():
    """The default model built for the seed dataset."""
    from reconcile.config import load_config
    from reconcile.dataset import load_dataset
    from reconcile.model.build import build_model

    config = load_config()
    return build_model(load_dataset(SEEDS, config.lexicon), config)


def phases() -> dict:
    from reconcile.pipeline import run

    work = Path(tempfile.mkdtemp(prefix="reconcile-profile-"))
    run(SEEDS, work / "warm-up", seed=0)  # fills the compilation caches
    cached = run(SEEDS, work / "cached", seed=0)  # timed without the profiler's overhead
    profiler = cProfile.Profile()
    profiler.enable()
    result = run(SEEDS, work / "profiled", seed=0)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(LANDMARKS, 45)
    timings = [json.loads((done.out_dir / "run.json").read_text())["timings"]
               for done in (cached, result)]
    return {"timings": timings[0], "profiled_timings": timings[1],
            "profile": _trim(stream.getvalue())}


def _trim(text: str) -> str:
    """The pstats table with the package folders cut from the paths."""
    lines = [line.replace(str(Path(sys.prefix) / "lib"), "").replace(str(ROOT) + "/", "")
             for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:])


def compile_breakdown(compiler: str = "reconcile") -> dict:
    """Time the model's compilation for nutpie, reconcile's or ``compiler="nutpie"``'s own,
    and attribute it to the numba functions compiled in it, outermost (not nested in another
    compilation) and inclusive. Runs after ``phases``, whose runs leave the PyTensor functions
    in the disk cache."""
    import nutpie
    from numba.core import caching, dispatcher

    from reconcile.inference.nutpie_callbacks import compile_pymc_model

    compile_core = dispatcher._FunctionCompiler._compile_core
    load_overload = caching.Cache.load_overload
    depth, cache_hits = [0], [0]
    seconds, inclusive, counts = collections.Counter(), collections.Counter(), collections.Counter()

    def timed_compile(self, args, return_type):
        depth[0] += 1
        started = time.perf_counter()
        try:
            return compile_core(self, args, return_type)
        finally:
            depth[0] -= 1
            name = f"{self.py_func.__module__}.{self.py_func.__qualname__}"
            elapsed = time.perf_counter() - started
            counts[name] += 1
            inclusive[name] += elapsed
            if depth[0] == 0:
                seconds[name] += elapsed

    def counted_load(self, *args, **kwargs):
        loaded = load_overload(self, *args, **kwargs)
        cache_hits[0] += loaded is not None
        return loaded

    dispatcher._FunctionCompiler._compile_core = timed_compile
    caching.Cache.load_overload = counted_load
    rebuilt = seed_model()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = [rv.name for rv in rebuilt.free_RVs]
        if compiler == "nutpie":
            nutpie.compile_pymc_model(rebuilt, var_names=names)
        else:
            compile_pymc_model(rebuilt, names)
    total = time.perf_counter() - started
    return {"total_s": total, "pytensor_cache_hits": cache_hits[0],
            "compiled": sorted(({"function": name, "outermost_s": seconds[name],
                                 "inclusive_s": inclusive[name], "times": counts[name]}
                                for name in counts),
                               key=lambda row: (-row["outermost_s"], -row["inclusive_s"]))}


def jax_backend(draws: int = 1000, tune: int = 1000, chains: int = 4) -> dict:
    """nutpie with the JAX backend, compiled twice in one process (the second finds JAX's
    caches warm): compile and sampling time, and the minimum bulk ESS of leaf_log (the counts'
    free parameters; this path leaves the deterministic counts out)."""
    import jax

    jax.config.update("jax_compilation_cache_dir", tempfile.mkdtemp(prefix="jax-cache-"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    import arviz as az
    import nutpie

    rows = []
    for attempt in ("first", "again"):
        model = seed_model()
        started = time.perf_counter()
        compiled = nutpie.compile_pymc_model(model, var_names=[rv.name for rv in model.free_RVs],
                                             backend="jax", gradient_backend="jax")
        compile_s = time.perf_counter() - started
        started = time.perf_counter()
        idata = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=2, seed=0,
                              progress_bar=False)
        sample_s = time.perf_counter() - started
        ess = float(az.ess(idata, var_names=["leaf_log"], method="bulk")["leaf_log"].min())
        rows.append({"attempt": attempt, "compile_s": compile_s, "sample_s": sample_s,
                     "min_ess_bulk_leaf_log": ess})
    return {"rows": rows, "settings": f"{chains} chains, {tune} tuning + {draws} draws"}


def child(what: str) -> dict:
    """Run one measurement in a fresh process; its JSON result."""
    done = subprocess.run([sys.executable, __file__, "--child", what], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_markdown(measured: dict) -> str:
    timings = measured["phases"]["timings"]
    profiled = measured["phases"]["profiled_timings"]
    breakdown, theirs = measured["compile"], measured["compile_nutpie"]
    lines = [
        "# Where the time of `reconcile run seeds` goes",
        "",
        "`.venv/bin/python benchmarks/profile_run.py` regenerates this page "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}). The targets are < 20 s for a first run and < 10 s once "
        "the compiled model is cached (benchmarks/RESULTS.md has the medians).",
        "",
        "## Phases of one cached run (seed 0, default model)",
        "",
        "A run after one that filled the compilation caches; then the same run again under "
        "cProfile, which slows the Python-heavy numba compiler most.",
        "",
        "| phase | seconds | under cProfile |",
        "|---|---|---|",
        *[f"| {name.removesuffix('_s')} | {value:.2f} | {profiled.get(name, float('nan')):.2f} |"
          for name, value in timings.items()],
        "",
        "Python imports (PyMC, ArviZ, numba, matplotlib) add 3-5 s before the first phase.",
        "",
        "## What the compilation compiles",
        "",
        "reconcile compiles the model for nutpie with "
        "`reconcile/inference/nutpie_callbacks.py`: PyTensor's functions, then nutpie's C "
        "callbacks (the log density and the draw expansion), which call PyTensor's compiled "
        f"functions by address. It took {breakdown['total_s']:.1f} s with every PyTensor "
        f"function found in the disk cache ({breakdown['pytensor_cache_hits']} numba cache "
        f"hits), against {theirs['total_s']:.1f} s for `nutpie.compile_pymc_model` "
        f"({theirs['pytensor_cache_hits']} hits), whose callbacks call PyTensor's functions "
        "directly, so that numba optimises and generates the whole model's machine code again "
        "in every process (it cannot cache a `cfunc` that closes over the model's data): "
        f"{theirs['compiled'][0]['outermost_s']:.1f} s for `{theirs['compiled'][0]['function']}`."
        " The rest is PyTensor building and rewriting the log density and its gradient "
        "(`_make_functions` in the profile below).",
        "",
        "reconcile's compilation, numba function by numba function. "
        "\"outermost\": compilations not nested in another; with PyTensor building its "
        "functions they make up the total. "
        "\"inclusive\": with what they compile inside them, so nested rows overlap.",
        "",
        "| numba function compiled | outermost seconds | inclusive seconds | compilations |",
        "|---|---|---|---|",
        *[f"| `{row['function']}` | {row['outermost_s']:.2f} | {row['inclusive_s']:.2f} | "
          f"{row['times']} |" for row in breakdown["compiled"][:12]],
        "",
    ]
    if "jax" in measured:
        jax = measured["jax"]
        lines += [
            "## The alternative that compiles fastest: nutpie's JAX backend",
            "",
            f"Same data and model, {jax['settings']}, compiled twice in one process "
            "(\"again\" finds JAX's caches warm).",
            "",
            "| attempt | compile (s) | sampling (s) | min bulk ESS (leaf_log) |",
            "|---|---|---|---|",
            *[f"| {row['attempt']} | {row['compile_s']:.1f} | {row['sample_s']:.1f} | "
              f"{row['min_ess_bulk_leaf_log']:.0f} |" for row in jax["rows"]],
            "",
            "It compiles in about a second, but nutpie calls the JAX function from Python at "
            "every gradient, under the GIL: sampling took "
            f"{jax['rows'][-1]['sample_s'] / timings['sample_s']:.0f} times as long as with "
            "numba in the run above, which more than undoes the compilation saved.",
            "",
        ]
    lines += ["## Cumulative profile of the cached run (landmark frames)", "", "```",
              measured["phases"]["profile"], "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["phases", "compile", "compile-nutpie", "jax"])
    parser.add_argument("--skip-jax", action="store_true")
    options = parser.parse_args()
    if options.child:
        function = {"phases": phases, "compile": compile_breakdown, "jax": jax_backend,
                    "compile-nutpie": lambda: compile_breakdown("nutpie")}
        print(json.dumps(function[options.child]()))
        return
    measured = {"phases": child("phases"), "compile": child("compile"),
                "compile_nutpie": child("compile-nutpie")}
    if not options.skip_jax:
        measured["jax"] = child("jax")
    PROFILE.write_text(write_markdown(measured), encoding="utf-8")
    print(f"wrote {PROFILE}")


if __name__ == "__main__":
    main()
