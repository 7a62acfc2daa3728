"""Model configuration: priors, noise, identification anchor, vague-word lexicon, sampler.

A configuration is a TOML file under ``models/``. It is validated strictly (unknown keys are
errors, with a "did you mean" hint) so that a typo never silently falls back to a default.
The resolved configuration is stored in run.json and shown in the report.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reconcile.errors import ConfigError
from reconcile.files import NotRegularFile, TooLarge, read_bounded

STANCES: tuple[str, ...] = ("own", "enemy", "third_party")
_STANCE_LABELS = {
    "own": "statements by a party about its own losses",
    "enemy": "statements by a party about its enemy's losses",
    "third_party": "third-party statements (a source with no side, or a count of no side)",
}
MAX_CONFIG_BYTES = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TruthPrior(_Strict):
    """Priors of the latent true counts.

    Every quantity without children has a normal prior on its log count: the default
    (mu=5, sigma=4) puts 1 death at -1.25 sd and 10 million at +2.8 sd. A parent that is not
    complete adds a remainder to the sum of its children, as a ratio rho of that sum, with
    log rho ~ Logistic(remainder_log_ratio, remainder_scale): with scale 1, rho has a finite
    non-zero density at 0 and a Pareto(1) upper tail (90% prior interval 0.05-19 times the
    children's sum at the defaults).
    """

    mu: float = 5.0
    sigma: float = Field(4.0, gt=0)
    remainder_log_ratio: float = 0.0
    remainder_scale: float = Field(1.0, gt=0)


class StanceEffect(_Strict):
    """Log-scale bias shared by all claims of one stance (own / enemy / third-party losses).

    ``fixed = true`` pins the effect at ``mu``: that is an identification anchor.
    """

    mu: float = 0.0
    sigma: float = Field(0.3, gt=0)
    fixed: bool = False


class BiasConfig(_Strict):
    own: StanceEffect = StanceEffect(mu=-0.36, sigma=0.35)
    enemy: StanceEffect = StanceEffect(mu=0.41, sigma=0.35)
    third_party: StanceEffect = StanceEffect(mu=0.0, fixed=True)
    kind_sigma: float = Field(0.25, gt=0, description="sd of the zero-sum kind effects")
    source_sigma: float = Field(0.3, gt=0, description="prior mean (gamma, shape 2) of the between-source sd")

    def stance(self, name: str) -> StanceEffect:
        return getattr(self, name)


class NoiseConfig(_Strict):
    """How far a source's statement strays from its own biased belief (log scale)."""

    family: Literal["student_t", "normal"] = "student_t"
    nu: float = Field(4.0, gt=0, description="Student-t degrees of freedom")
    sigma_median: float = Field(0.2, gt=0, description="prior median of a kind's noise scale")
    sigma_kind_sd: float = Field(0.35, gt=0, description="log-scale sd of kind noise scales")
    sigma_source_sd: float = Field(0.25, gt=0, description="prior mean (gamma, shape 2) of the sd of source noise within kind")
    about_sigma: float = Field(0.1, ge=0, description="extra log-scale noise for 'about X'")
    rounding: Literal["interval", "density"] = Field(
        "interval",
        description="interval: a stated count y is the interval [y-0.5, y+0.5] of the latent "
        "statement (handles 0 and small exact counts); density: the log-scale density at y "
        "(the naive alternative, kept for comparison; cannot take a claim of 0)",
    )


class DependenceConfig(_Strict):
    """Which claims are one piece of evidence. Repeats and relays of one speaker's statement
    about a quantity always count once; ``identical_figures = "once"`` also counts once the
    same figure (or bound) about the same quantity from different speakers, since an
    undeclared copy is the usual reason for it in conflict reporting."""

    identical_figures: Literal["once", "independent"] = "once"


class SamplerConfig(_Strict):
    backend: Literal["nutpie", "pymc", "numpyro"] = "nutpie"
    draws: int = Field(2000, ge=10)
    tune: int = Field(1000, ge=10)
    chains: int = Field(4, ge=1)
    target_accept: float = Field(0.8, gt=0.5, lt=1.0)
    # nutpie's mass matrix: "low_rank" (diagonal plus low-rank corrections) or "diag";
    # "auto" picks low_rank up to LOW_RANK_MAX_PARAMETERS free parameters and diag above
    # (measured: 3x the ESS on the seed data, 60 parameters; 5x slower per ESS at 1,000
    # claims, 700 parameters, where its per-step cost dominates; benchmarks/RESULTS.md)
    mass_matrix: Literal["auto", "low_rank", "diag"] = "auto"
    # "advi": the fast path for archives NUTS cannot fit in time (approximate.py): mean-field
    # ADVI, whose intervals can be much too narrow (benchmarks/RESULTS.md); its draws are one chain
    # of ``draws`` independent draws, and ``tune``, ``chains`` and the NUTS settings are unused
    method: Literal["nuts", "advi"] = "nuts"
    advi_iterations: int = Field(20_000, ge=100)

    def adaptation(self, n_parameters: int) -> Literal["low_rank", "diag"]:
        if self.mass_matrix != "auto":
            return self.mass_matrix
        return "low_rank" if n_parameters <= LOW_RANK_MAX_PARAMETERS else "diag"


LOW_RANK_MAX_PARAMETERS = 300


class LexiconEntry(_Strict):
    low: int = Field(ge=0)
    high: int | None = Field(None, ge=0, description="empty for an open upper bound")

    @model_validator(mode="after")
    def _ordered(self) -> LexiconEntry:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self


class ModelConfig(_Strict):
    name: str = "default"
    description: str = ""
    truth: TruthPrior = TruthPrior()
    bias: BiasConfig = BiasConfig()
    noise: NoiseConfig = NoiseConfig()
    dependence: DependenceConfig = DependenceConfig()
    sampler: SamplerConfig = SamplerConfig()
    lexicon: dict[str, LexiconEntry] = Field(default_factory=dict)

    @field_validator("lexicon")
    @classmethod
    def _normalized_terms(cls, value: dict[str, LexiconEntry]) -> dict[str, LexiconEntry]:
        return {normalize_term(term): entry for term, entry in value.items()}

    @model_validator(mode="after")
    def _anchored(self) -> ModelConfig:
        if not any(self.bias.stance(name).fixed for name in STANCES):
            raise ValueError(
                "no identification anchor: the data only tell relative biases, so at least one "
                "stance effect must be fixed (the default fixes bias.third_party at 0)"
            )
        return self

    def identification(self) -> str:
        """One sentence saying what pins the absolute level of the estimates."""
        fixed = []
        for name in STANCES:
            prior = self.bias.stance(name)
            if prior.fixed:
                effect = ("unbiased" if prior.mu == 0
                          else f"biased by a factor {_factor(prior.mu)}")
                fixed.append(f"{_STANCE_LABELS[name]} are {effect} on average")
        return (
            "Anchor: " + "; ".join(fixed) + ". Source-kind effects sum to zero and per-source "
            "deviations average zero, so every other bias is measured relative to that."
        )

    def digest(self) -> str:
        """SHA-256 of the resolved configuration (what was used, not the file's bytes)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def lookup_term(self, term: str) -> LexiconEntry | None:
        return self.lexicon.get(normalize_term(term))


def _factor(log_effect: float) -> str:
    import math

    return f"{math.exp(log_effect):.3g}"


def normalize_term(term: str) -> str:
    return " ".join(term.casefold().split())


def default_model_path() -> Path:
    """The packaged ``models/default.toml``."""
    return Path(str(resources.files("reconcile.model_files").joinpath("default.toml")))


def packaged_model_paths() -> dict[str, Path]:
    """Every model configuration shipped in ``models/``, by name (file stem)."""
    folder = resources.files("reconcile.model_files")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def resolve_model_path(model: str | Path | None) -> Path:
    """A path, or the name of a packaged configuration (``default``, ``normal-noise``...)."""
    if model is None:
        return default_model_path()
    path = Path(model)
    if path.exists():
        return path
    packaged = packaged_model_paths()
    if str(model) in packaged:
        return packaged[str(model)]
    raise ConfigError(
        f"model configuration {model!s} not found: give a TOML file or one of "
        + ", ".join(sorted(packaged))
    )


def load_config(model: str | Path | None = None) -> ModelConfig:
    """Read and validate a model configuration (TOML, parsed safely; nothing is executed)."""
    path = resolve_model_path(model)
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except NotRegularFile as exc:
        raise ConfigError(f"{path}: is {exc.kind}, not a model configuration file") from None
    except TooLarge as exc:
        raise ConfigError(f"{path}: is {exc.size:,} bytes, over the limit of "
                          f"{MAX_CONFIG_BYTES:,} for a model configuration") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model configuration "
                          f"({exc.strerror or type(exc).__name__})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ConfigError(f"{path}: arrays or tables nested too deeply to be a model "
                          "configuration") from None
    return config_from_dict(data, source=str(path))


def config_from_dict(data: dict, source: str = "<dict>") -> ModelConfig:
    try:
        return ModelConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, source)) from None


def _describe_validation_error(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s) in the model configuration:"]
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(error["loc"])
        lines.append(f"  {location}: {message}")
    return "\n".join(lines)


def _did_you_mean(location: tuple) -> str:
    """Suggest the closest known key for a misspelt one."""
    model: type[BaseModel] | None = ModelConfig
    for part in location[:-1]:
        field = model.model_fields.get(str(part)) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    if model is None:
        return ""
    close = difflib.get_close_matches(str(location[-1]), list(model.model_fields), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(model.model_fields)}"
