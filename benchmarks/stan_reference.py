"""The default model in Stan (benchmarks/stan/reconcile.stan), sampled with pystan: a
reference implementation to benchmark the PyMC/nutpie fit against.

    .venv/bin/python benchmarks/stan_reference.py --size S M [--draws 1000 --tune 1000]

needs the ``stan`` extra (``pip install -e .[stan]``: pystan, which compiles with g++).

* ``stan_data(dataset, config)``: the Stan data, built from ``ModelInputs.from_dataset``,
  priors included, so the two implementations take the same configuration;
* ``build(dataset, config)``: compile (httpstan caches compiled models across processes, so
  only the first build of a program pays the compile time) and bind the data;
* ``sample(built, draws=, tune=, chains=, seed=)``: NUTS (diagonal mass matrix, Stan's
  defaults otherwise, target acceptance from the configuration); the posterior of ``count``
  as an xarray Dataset (chain, draw, quantity) and the timings;
* ``check_log_density(dataset, config)``: Stan's and PyMC's log densities (Jacobians
  included) at random points mapped between the two parameterizations differ by one
  constant: the two programs define the same posterior;
* ``compare(...)`` / ``main()``: both samplers on the benchmark datasets, a markdown table.

Import it with benchmarks/ on ``sys.path``; nothing runs on import.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.records import Dataset
from reconcile.model.inputs import ModelInputs

STAN_FILE = Path(__file__).resolve().parent / "stan" / "reconcile.stan"
NUTS = "stan::services::sample::hmc_nuts_diag_e_adapt"
# PyMC value variables and their Stan parameters: the same names, less the transform suffix
_TRANSFORM_SUFFIXES = ("_log__", "_zerosum__")


def program_code() -> str:
    return STAN_FILE.read_text()


def check_supported(config: ModelConfig) -> None:
    """The Stan program implements the default likelihood only."""
    noise = config.noise
    if (noise.family, noise.nu, noise.rounding) != ("student_t", 4.0, "interval"):
        raise ValueError(
            f"the Stan reference implements Student-t(4) noise with interval rounding; "
            f"model {config.name!r} has {noise.family} (nu={noise.nu}), rounding "
            f"{noise.rounding!r}"
        )


def stan_data(dataset: Dataset, config: ModelConfig) -> dict:
    """Data for reconcile.stan: the model's index arrays (1-based), the observations and the
    prior constants of ``config``."""
    check_supported(config)
    inputs = ModelInputs.from_dataset(dataset, config)
    obs = inputs.observations
    stances = [config.bias.stance(name) for name in STANCES]

    def index(values: np.ndarray) -> list[int]:
        return (np.asarray(values, dtype=np.int64) + 1).tolist()

    def flags(values: np.ndarray) -> list[int]:
        return np.asarray(values).astype(np.int64).tolist()

    return {
        "n_quantity": len(inputs.quantity_ids),
        "n_leaf": len(inputs.leaf_ids),
        "n_remainder": len(inputs.remainder_ids),
        "n_source": len(inputs.source_ids),
        "n_kind": len(inputs.kind_ids),
        "n_claim": len(inputs.claim_ids),
        "n_pair": len(inputs.pair_quantity),
        "n_uplift": len(inputs.uplift_quantity),
        "pair_quantity": index(inputs.pair_quantity),
        "pair_leaf": index(inputs.pair_leaf),
        "leaf_quantity": index(inputs.leaf_quantity),
        "uplift_quantity": index(inputs.uplift_quantity),
        "uplift_remainder": index(inputs.uplift_remainder),
        "claim_quantity": index(inputs.claim_quantity),
        "claim_source": index(inputs.claim_source),
        "claim_stance": index(inputs.claim_stance),
        "source_kind": index(inputs.source_kind),
        "obs_lower": obs.lower.tolist(),
        "obs_upper": obs.upper.tolist(),
        "obs_has_lower": flags(obs.has_lower),
        "obs_has_upper": flags(obs.has_upper),
        "obs_about": obs.about.astype(float).tolist(),
        "weight": inputs.weight.tolist(),
        "truth_mu": config.truth.mu,
        "truth_sigma": config.truth.sigma,
        "remainder_log_ratio_mu": config.truth.remainder_log_ratio,
        "remainder_scale": config.truth.remainder_scale,
        "stance_mu": [p.mu for p in stances],
        "stance_sd": [0.0 if p.fixed else p.sigma for p in stances],
        "kind_sigma": config.bias.kind_sigma,
        "source_sigma": config.bias.source_sigma,
        "sigma_median": config.noise.sigma_median,
        "sigma_kind_sd": config.noise.sigma_kind_sd,
        "sigma_source_sd": config.noise.sigma_source_sd,
        "about_sigma": config.noise.about_sigma,
    }


def _cache_directory() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reconcile" / "stan"


def services_object() -> Path | None:
    """The stan::services object to link models with, when httpstan's own cannot be used.

    httpstan links every model with a precompiled ``stan_services.o`` (the Python module
    around stan::services, pybind11). In httpstan 4.17.0's cp313 wheel on PyPI that object
    was compiled for CPython 3.10: every compiled model then fails to import ("module was
    compiled for Python 3.10", after "undefined symbol: _PyThreadState_UncheckedGet").
    Returns None when the shipped object was built for this interpreter; otherwise compiles
    httpstan's own stan_services.cpp for it, once (about 40 s), into ~/.cache/reconcile/stan.
    """
    import os
    import subprocess
    import sysconfig
    import tempfile

    import httpstan

    package = Path(httpstan.__file__).parent
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    # pybind11 stores the Python version it was compiled for as a string
    if f"\0{version}\0".encode() in (package / "stan_services.o").read_bytes():
        return None
    cache = _cache_directory()
    target = cache / (f"stan_services-httpstan{httpstan.__version__}"
                      f"-cp{sys.version_info.major}{sys.version_info.minor}.o")
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as folder:
        built = Path(folder) / "stan_services.o"
        command = [os.environ.get("CXX", "g++"), "-c", *_CXX_FLAGS, "-fPIC",
                   *[f"-D{macro}" for macro in _STAN_MACROS],
                   f"-I{package}", f"-I{package / 'include'}",
                   f"-I{sysconfig.get_paths()['include']}",
                   str(package / "stan_services.cpp"), "-o", str(built)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("compiling httpstan's stan_services.cpp for Python "
                               f"{version} failed:\n{result.stderr[-5000:]}")
        built.replace(target)
    return target


# httpstan.models.build_services_extension_module's settings (httpstan 4.17)
_CXX_FLAGS = ("-O3", "-std=c++17", "-Wno-sign-compare")
_STAN_MACROS = ("BOOST_DISABLE_ASSERTS", "BOOST_PHOENIX_NO_VARIADIC_EXPRESSION", "STAN_THREADS",
                "_REENTRANT", "_GLIBCXX_USE_CXX11_ABI=0")
_MARKER = "reconcile-services-object.txt"


def _compile_with(code: str, services: Path) -> bool:
    """Compile ``code`` into httpstan's model cache as httpstan would, but linked with
    ``services``; stan.build then finds it there. Returns whether it was already built."""
    import setuptools

    import httpstan.build_ext
    import httpstan.cache
    import httpstan.compile
    import httpstan.models

    model_name = httpstan.models.calculate_model_name(code)
    directory = httpstan.cache.model_directory(model_name)
    marker = directory / _MARKER
    if marker.exists() and marker.read_text() == str(services):
        return True
    # a module linked with the shipped object (from stan.build itself) cannot be imported
    httpstan.cache.delete_model_directory(model_name)
    directory.mkdir(parents=True)
    stan_model_name = f"model_{model_name.split('/')[1]}"
    cpp_code, stanc_warnings = httpstan.compile.compile(code, stan_model_name)
    cpp_path = directory / f"{stan_model_name}.cpp"
    cpp_path.write_text(cpp_code)
    httpstan.cache.dump_stanc_warnings(stanc_warnings, model_name)
    package = httpstan.models.PACKAGE_DIR
    extension = setuptools.Extension(
        f"stan_services_{stan_model_name}",
        language="c++",
        sources=[str(cpp_path)],
        define_macros=[tuple(m.split("=")) if "=" in m else (m, None) for m in _STAN_MACROS],
        include_dirs=[str(directory), str(package / "include")],
        library_dirs=[str(package / "lib")],
        libraries=["sundials_cvodes", "sundials_idas", "sundials_nvecserial", "tbb"],
        extra_compile_args=list(_CXX_FLAGS),
        extra_link_args=[f"-Wl,-rpath,{package / 'lib'}"],
        extra_objects=[str(services)],
    )
    output = httpstan.build_ext.run_build_ext([extension], str(directory))
    httpstan.cache.dump_services_extension_module_compiler_output(output, model_name)
    marker.write_text(str(services))
    return False


@dataclass
class StanBuild:
    """The compiled program bound to one dataset's data (a ``stan.model.Model``)."""

    model: object
    quantity_ids: tuple[str, ...]
    compile_s: float  # compiling the program (0 when cached) and binding the data
    cached: bool  # the compiled program was already in httpstan's cache
    target_accept: float


def build(dataset: Dataset, config: ModelConfig, fresh: bool = False) -> StanBuild:
    """Compile reconcile.stan (or take it from httpstan's cache) with ``dataset``'s data;
    ``fresh``: remove this program from the cache first, to time a compilation."""
    import httpstan.cache
    import httpstan.models
    import stan

    code = program_code()
    data = stan_data(dataset, config)
    if fresh:
        httpstan.cache.delete_model_directory(httpstan.models.calculate_model_name(code))
    services = services_object()  # once per interpreter, not counted as compile time
    started = time.perf_counter()
    if services is None:
        cached = httpstan.models.calculate_model_name(code) in httpstan.cache.list_model_names()
    else:
        cached = _compile_with(code, services)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        model = stan.build(code, data=data)  # progress and stanc's (pedantic) warnings
    compile_s = time.perf_counter() - started
    quantity_ids = tuple(q.quantity_id for q in dataset.quantities)
    return StanBuild(model, quantity_ids, compile_s, cached, config.sampler.target_accept)


@dataclass
class StanSample:
    posterior: xr.Dataset  # count (chain, draw, quantity)
    timings: dict[str, float] = field(default_factory=dict)
    divergences: int = 0
    leapfrog_per_draw: float = float("nan")  # gradient evaluations per kept draw
    fit: object = field(default=None, repr=False)  # the stan.fit.Fit, every parameter


def sample(built: StanBuild, *, draws: int, tune: int, chains: int, seed: int,
           target_accept: float | None = None) -> StanSample:
    """NUTS with a diagonal mass matrix: ``chains`` chains run in parallel processes (as many
    at once as there are cores), ``tune`` warm-up iterations, ``draws`` kept.

    timings: ``sample_s`` the wall time of the call (sampling, Stan's output as JSON and its
    parsing); ``stan_warmup_s``, ``stan_sampling_s``, ``stan_total_s`` the longest chain's
    times as Stan reports them. Runs are never served from httpstan's cache of fits: a
    seeded fit is deleted once read, and one already there (left by pystan's own
    ``Model.sample``) is deleted and run again."""
    import stan.fit

    model = built.model
    delta = built.target_accept if target_accept is None else target_accept
    payload = {"function": NUTS, "data": model.data, "num_samples": draws,
               "num_warmup": tune, "delta": delta, "random_seed": int(seed)}
    started = time.perf_counter()
    outputs = asyncio.run(_run_chains(model.model_name, payload, chains))
    sample_s = time.perf_counter() - started
    fit = stan.fit.Fit(outputs, chains, model.param_names, model.constrained_param_names,
                       model.dims, tune, draws, 1, False)
    n_quantity = len(built.quantity_ids)
    # fit[name] stacks the chains as draw * chains + chain
    count = fit["count"].reshape(n_quantity, draws, chains).transpose(2, 1, 0)
    posterior = xr.Dataset(
        {"count": (("chain", "draw", "quantity"), count)},
        coords={"chain": np.arange(chains), "draw": np.arange(draws),
                "quantity": list(built.quantity_ids)},
    )
    timings = {"sample_s": sample_s}
    for phase in ("Warm-up", "Sampling", "Total"):
        key = f"stan_{phase.lower().replace('-', '')}_s"
        timings[key] = max(_elapsed_seconds(output, phase) for output in outputs)
    divergences = int(fit["divergent__"].sum())
    leapfrog = float(fit["n_leapfrog__"].mean())
    return StanSample(posterior, timings, divergences, leapfrog, fit)


async def _run_chains(model_name: str, payload: dict, chains: int) -> tuple[bytes, ...]:
    """pystan's sampling loop (``stan.Model.sample``) without its cache of seeded fits, whose
    hits would make the timings meaningless, and without its progress output."""
    import stan.common

    async with stan.common.HttpstanClient() as client:
        operations = []
        try:
            for chain in range(1, chains + 1):
                body = {**payload, "chain": chain, "init": {}}
                for _attempt in range(2):
                    resp = await client.post(f"/{model_name}/fits", json=body)
                    if resp.status == 422:
                        raise ValueError(str(resp.json()))
                    if resp.status != 201:
                        raise RuntimeError(resp.json()["message"])
                    operation = resp.json()
                    if not operation["done"]:
                        break
                    await client.delete(f"/{operation['result']['name']}")  # a cached fit
                else:
                    raise RuntimeError("httpstan keeps serving a cached fit")
                operations.append(operation)
            while not all(operation["done"] for operation in operations):
                await asyncio.sleep(0.05)
                for operation in operations:
                    if not operation["done"]:
                        operation.update((await client.get(f"/{operation['name']}")).json())
            outputs = []
            for operation in operations:
                if "name" not in operation["result"]:
                    raise RuntimeError(operation["result"]["message"])
                resp = await client.get(f"/{operation['result']['name']}")
                if resp.status != 200:
                    raise RuntimeError(resp.json()["message"])
                outputs.append(resp.content)
        finally:
            for operation in operations:  # leave no fit in httpstan's cache
                if operation["done"] and "name" in operation.get("result", {}):
                    await client.delete(f"/{operation['result']['name']}")
    return tuple(outputs)


def _elapsed_seconds(output: bytes, phase: str) -> float:
    """Seconds of one chain's ``phase`` (Warm-up, Sampling, Total), from Stan's "Elapsed
    Time" message (which httpstan repeats on three streams: the first is taken)."""
    found = re.search(rb"([0-9.eE+-]+) seconds \(" + phase.encode() + rb"\)", output)
    return float(found.group(1)) if found else float("nan")


# -- the two programs define the same density ------------------------------------------------

def check_log_density(dataset: Dataset, config: ModelConfig, n_points: int = 8, seed: int = 0,
                      scale: float = 1.0, tolerance: float = 1e-10) -> dict:
    """Evaluate both log densities at ``n_points`` random points and assert that they differ
    by one constant (the normalizing constants may differ).

    Points are drawn in PyMC's unconstrained space (each coordinate N(0, scale) around the
    initial point), mapped to constrained values by PyMC and back to Stan's unconstrained
    space by Stan (``unconstrain_pars``). Both sides include the log-Jacobians of their
    transforms: the sds are log-transformed in both; the kind effects' sum-to-zero
    transforms are linear isometries with different bases in the two (constant Jacobians).
    Also asserted at every point: the two ``count`` vectors agree, and so do the gradients
    with respect to every parameter except the kind effects, whose free coordinates are in
    different bases (their gradient norms are compared instead).

    Returns the offsets and the largest discrepancies."""
    from reconcile.model.build import build_model

    built = build(dataset, config)
    stan_model = built.model
    model = build_model(dataset, config)
    logp = model.compile_logp(jacobian=True)
    dlogp = model.compile_dlogp(jacobian=True)
    to_constrained = model.compile_fn(model.unobserved_value_vars, inputs=model.value_vars,
                                      point_fn=False)
    value_names = [v.name for v in model.value_vars]
    output_names = [v.name for v in model.unobserved_value_vars]
    free_names = [v.name for v in model.free_RVs]
    start = model.initial_point()
    # Stan's unconstrained vector: parameters in declaration order, each flattened
    stan_sizes = {name: int(np.prod(dims)) for name, dims in zip(stan_model.param_names,
                                                                   stan_model.dims)}
    stan_sizes["kind_bias"] = max(stan_sizes["kind_bias"] - 1, 0)  # K - 1 free elements
    stan_order = [name for name in stan_model.param_names if name != "count"]
    stan_offsets = np.cumsum([0] + [stan_sizes[name] for name in stan_order])
    pymc_offsets = np.cumsum([0] + [int(np.size(start[name])) for name in value_names])

    rng = np.random.default_rng(seed)
    offsets, magnitudes, count_errors, gradient_errors = [], [], [], []
    for _ in range(n_points):
        point = {name: np.asarray(value + scale * rng.normal(size=np.shape(value)))
                 for name, value in start.items()}
        constrained = dict(zip(output_names,
                               to_constrained(*[point[name] for name in value_names])))
        stan_point = {name: np.atleast_1d(constrained[name]).tolist() if np.ndim(
            constrained[name]) else float(constrained[name]) for name in free_names}
        if "kind_bias" not in stan_point:
            stan_point["kind_bias"] = [0.0]  # one kind: no kind effect
        if "remainder_log_ratio" not in stan_point:
            stan_point["remainder_log_ratio"] = []
        unconstrained = stan_model.unconstrain_pars(stan_point)
        stan_logp = stan_model.log_prob(unconstrained, adjust_transform=True)
        pymc_logp = float(logp(point))
        offsets.append(stan_logp - pymc_logp)
        magnitudes.append(abs(pymc_logp))

        stan_count = np.asarray(stan_model.constrain_pars(unconstrained))[
            _flat_slice(stan_model, "count")]
        count_errors.append(float(np.max(np.abs(np.log(stan_count)
                                                - np.log(constrained["count"])))))

        stan_grad = np.asarray(stan_model.grad_log_prob(unconstrained))
        pymc_grad = np.asarray(dlogp(point))
        worst = 0.0
        for i, value_name in enumerate(value_names):
            name = _stan_name(value_name)
            j = stan_order.index(name)
            g_stan = stan_grad[stan_offsets[j]:stan_offsets[j + 1]]
            g_pymc = pymc_grad[pymc_offsets[i]:pymc_offsets[i + 1]]
            if name == "kind_bias":
                g_stan, g_pymc = np.linalg.norm(g_stan, keepdims=True), np.linalg.norm(
                    g_pymc, keepdims=True)
            error = np.abs(g_stan - g_pymc) / (1.0 + np.abs(g_pymc))
            worst = max(worst, float(error.max(initial=0.0)))
        gradient_errors.append(worst)

    offsets = np.array(offsets)
    spread = float(offsets.max() - offsets.min())
    result = {"offset": float(offsets.mean()), "offset_spread": spread,
              "max_log_count_error": max(count_errors),
              "max_relative_gradient_error": max(gradient_errors), "points": n_points,
              "parameters": int(stan_offsets[-1]), "max_abs_log_density": max(magnitudes)}
    # rounding: relative to the size of the log densities (far-off points reach -1e6)
    assert spread <= tolerance * max(1.0, max(magnitudes)), result
    assert result["max_log_count_error"] < 1e-9, result
    assert result["max_relative_gradient_error"] < 1e-6, result
    return result


def _stan_name(value_name: str) -> str:
    for suffix in _TRANSFORM_SUFFIXES:
        if value_name.endswith(suffix):
            return value_name[: -len(suffix)]
    return value_name


def _flat_slice(stan_model, name: str) -> slice:
    sizes = [int(np.prod(dims)) for dims in stan_model.dims]
    i = stan_model.param_names.index(name)
    start = sum(sizes[:i])
    return slice(start, start + sizes[i])


# -- benchmark: Stan against PyMC/nutpie ------------------------------------------------------

def compare(dataset: Dataset, config: ModelConfig, *, draws: int, tune: int, chains: int,
            seed: int = 0, tolerance: float = 4.0, fresh_compile: bool = False) -> dict:
    """Fit ``dataset`` with Stan and with ``reconcile.fit`` (nutpie) under the same draws,
    tuning and chains; timings, ESS and whether the posteriors of every count agree.

    Agreement: for each quantity, the median and the 5% and 95% quantiles of log count
    differ by at most ``tolerance`` combined Monte Carlo standard errors
    (sqrt(mcse_stan^2 + mcse_nutpie^2), ArviZ's mcse for the median and quantiles)."""
    from reconcile.inference import fit

    built = build(dataset, config, fresh=fresh_compile)
    stan_fit = sample(built, draws=draws, tune=tune, chains=chains, seed=seed)
    sampler = config.sampler.model_copy(update={"backend": "nutpie", "draws": draws,
                                                "tune": tune, "chains": chains})
    started = time.perf_counter()
    nutpie_fit = fit(dataset, config, seed=seed, sampler=sampler)
    nutpie_wall = time.perf_counter() - started
    nutpie_post = nutpie_fit.idata.posterior.to_dataset()[["count"]]
    n_parameters = sum(int(np.size(v)) for v in nutpie_fit.model.initial_point().values())

    rows = {
        "stan": {"compile_s": built.compile_s, "compile_cached": built.cached,
                 "sample_s": stan_fit.timings["sample_s"],
                 **{k: v for k, v in stan_fit.timings.items() if k.startswith("stan_")},
                 "divergences": stan_fit.divergences,
                 "leapfrog_per_draw": stan_fit.leapfrog_per_draw,
                 **_ess(stan_fit.posterior, stan_fit.timings["sample_s"])},
        "nutpie": {"compile_s": nutpie_fit.timings.get("build_s", 0.0)
                   + nutpie_fit.timings.get("compile_s", 0.0),
                   "compile_cached": False,
                   "sample_s": nutpie_fit.timings["sample_s"], "fit_wall_s": nutpie_wall,
                   "divergences": int(nutpie_fit.idata.sample_stats["diverging"].sum()),
                   "leapfrog_per_draw": float(nutpie_fit.idata.sample_stats["n_steps"].mean()),
                   "mass_matrix": sampler.adaptation(n_parameters),
                   **_ess(nutpie_post, nutpie_fit.timings["sample_s"])},
    }
    agreement = posterior_agreement(stan_fit.posterior, nutpie_post, tolerance)
    return {"dataset": dataset.name, "claims": len(dataset.claims),
            "quantities": len(dataset.quantities), "parameters": n_parameters,
            "draws": draws, "tune": tune, "chains": chains, "samplers": rows,
            "agreement": agreement}


def _ess(posterior: xr.Dataset, sample_s: float) -> dict:
    import arviz_stats as azs

    dims = ["chain", "draw"]
    ess = float(azs.ess(posterior, sample_dims=dims, method="bulk")["count"].min())
    rhat = float(azs.rhat(posterior, sample_dims=dims)["count"].max())
    return {"min_ess_bulk": ess, "ess_per_s": ess / sample_s, "max_rhat": rhat}


def posterior_agreement(first: xr.Dataset, second: xr.Dataset, tolerance: float = 4.0) -> dict:
    """Compare the median and 5%/95% quantiles of log count, quantity by quantity: each
    difference in units of the combined MCSE (ArviZ), and how many exceed ``tolerance``."""
    import arviz_stats as azs

    dims = ["chain", "draw"]
    logs = [np.log(post[["count"]]) for post in (first, second)]
    z_scores = {}
    for label, prob in (("q05", 0.05), ("median", 0.5), ("q95", 0.95)):
        estimates, errors = [], []
        for post in logs:
            estimates.append(post["count"].quantile(prob, dim=dims).drop_vars("quantile"))
            if label == "median":
                mcse = azs.mcse(post, sample_dims=dims, method="median")
            else:
                mcse = azs.mcse(post, sample_dims=dims, method="quantile", prob=prob)
            errors.append(mcse["count"])
        z_scores[label] = (estimates[0] - estimates[1]) / np.sqrt(errors[0] ** 2
                                                                  + errors[1] ** 2)
    z = xr.concat(list(z_scores.values()), dim="statistic").assign_coords(
        statistic=list(z_scores))
    outside = np.abs(z) > tolerance
    worst = None
    if z.size:
        flat = int(np.nanargmax(np.abs(z.values)))
        worst = z.isel(dict(zip(z.dims, np.unravel_index(flat, z.shape))))
    width = [post["count"].quantile(0.95, dim=dims) - post["count"].quantile(0.05, dim=dims)
             for post in logs]
    return {
        "agree": bool(not outside.any()),
        "comparisons": int(z.size),
        "outside": int(outside.sum()),
        "expected_outside": float(z.size * 2 * _normal_sf(tolerance)),
        "max_abs_z": float(np.abs(z).max()),
        "worst": None if worst is None else {"quantity": str(worst["quantity"].item()),
                                             "statistic": str(worst["statistic"].item()),
                                             "z": float(worst)},
        "z": z,
        "median_interval_width_ratio": float((width[0] / width[1]).median()),
    }


def _normal_sf(x: float) -> float:
    from scipy.stats import norm

    return float(norm.sf(x))


def markdown_table(results: list[dict]) -> str:
    lines = [
        "| data | claims | free parameters | sampler | compile (s) | sampling (s) | "
        "gradients per draw | min bulk ESS (count) | ESS/s | max R-hat | divergences |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for name, row in result["samplers"].items():
            compile_note = " (cached)" if row["compile_cached"] else ""
            label = name if name == "stan" else f"nutpie ({row['mass_matrix']})"
            lines.append(
                f"| {result['dataset']} | {result['claims']:,} | {result['parameters']:,} | "
                f"{label} | {row['compile_s']:.1f}{compile_note} | {row['sample_s']:.1f} | "
                f"{row['leapfrog_per_draw']:.0f} | "
                f"{row['min_ess_bulk']:.0f} | {row['ess_per_s']:.1f} | {row['max_rhat']:.3f} | "
                f"{row['divergences']} |"
            )
    lines += ["", "Compile: Stan's is one C++ build per program, cached by httpstan across "
              "processes; nutpie's is PyMC's build and compilation, in every process. "
              "Sampling: wall time of warm-up and draws, all chains. Stan's longest chain, "
              "as Stan reports it: " + "; ".join(
                  f"{r['dataset']} {r['samplers']['stan']['stan_warmup_s']:.1f} s warm-up + "
                  f"{r['samplers']['stan']['stan_sampling_s']:.1f} s draws" for r in results)
              + "."]
    lines += ["", "| data | comparisons (median, 5%, 95% of log count) | beyond 4 MCSE | "
              "expected by chance | max abs z | agree |", "|---|---|---|---|---|---|"]
    for result in results:
        a = result["agreement"]
        lines.append(f"| {result['dataset']} | {a['comparisons']} | {a['outside']} | "
                     f"{a['expected_outside']:.2f} | {a['max_abs_z']:.2f} | "
                     f"{'yes' if a['agree'] else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", nargs="+", default=["S", "M"], choices=["S", "M", "L", "XL"])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh-compile", action="store_true",
                        help="remove the Stan program from httpstan's cache to time its compilation")
    parser.add_argument("--check-density", action="store_true",
                        help="also check that the two log densities differ by a constant")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from datasets import benchmark_dataset

    from reconcile.config import load_config

    config = load_config("default")
    results = []
    for size in args.size:
        dataset = benchmark_dataset(size, config)
        label = f"{size} ({dataset.name})"
        if args.check_density:
            print(label, "log density:", check_log_density(dataset, config), flush=True)
        result = compare(dataset, config, draws=args.draws, tune=args.tune, chains=args.chains,
                         seed=args.seed, fresh_compile=args.fresh_compile and not results)
        result["dataset"] = size
        results.append(result)
        print(label, {k: v for k, v in result["agreement"].items() if k != "z"}, flush=True)
    print()
    print(f"{args.chains} chains x ({args.tune} tuning + {args.draws} draws), seed {args.seed}")
    print()
    print(markdown_table(results))


if __name__ == "__main__":
    main()
