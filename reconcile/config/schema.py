"""The model configuration's schema: priors, noise, identification anchor, vague-word
lexicon, sampler and its presets for refits. Validated strictly (unknown keys are errors) so
that a typo never silently falls back to a default; reading files is loading.py's job."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconcile.config.lexicon import LexiconEntry, normalize_term

STANCES: tuple[str, ...] = ("own", "enemy", "third_party")
_STANCE_LABELS = {
    "own": "statements by a party about its own losses",
    "enemy": "statements by a party about its enemy's losses",
    "third_party": "third-party statements (a source with no side, or a count of no side)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TruthPrior(_Strict):
    """Priors of the latent true counts.

    ``pooling = "hierarchical"`` (the default): the log count of every quantity without
    children is intercept + span_slope * log(span / 30 days) + an outcome effect + a
    Student-t deviation (``within_nu`` degrees of freedom) of scale ``within_sd``; intercept, slope, outcome effects and that sd are
    estimated from all the dataset's quantities, so a quantity known only from "many"
    borrows the scale of comparable ones. The span is the quantity's period (start to end);
    without one it counts as 30 days. ``"independent"``: each leaf's log count is
    Normal(mu, sigma) on its own (the prior before pooling: mu 5, sigma 4 put 5% above
    110,000 for any battle).

    A parent that is not complete adds a remainder to the sum of its children, as a ratio
    rho of that sum, with log rho ~ Logistic(remainder_log_ratio, remainder_scale): with
    scale 1, rho has a finite non-zero density at 0 and a Pareto(1) upper tail (90% prior
    interval 0.05-19 times the children's sum at the defaults).
    """

    pooling: Literal["hierarchical", "independent"] = "hierarchical"
    intercept: float = 4.0  # log count of a 30-day quantity: median 55
    intercept_sd: float = Field(1.5, gt=0)
    span_slope: float = 0.6  # a period 10 times longer holds 10^0.6 = 4 times the deaths
    span_slope_sd: float = Field(0.3, gt=0)
    outcome_sd: float = Field(0.5, gt=0)
    within_sd: float = Field(1.5, gt=0, description="prior mean (gamma, shape 2)")
    # event sizes are heavy-tailed (Richardson's power law of deadly quarrels): a leaf's
    # deviation from its group is Student-t, so one war among battles is not an outlier
    within_nu: float = Field(3.0, gt=0)
    mu: float = 5.0
    sigma: float = Field(4.0, gt=0)
    remainder_log_ratio: float = 0.0
    remainder_scale: float = Field(1.0, gt=0)


class StanceEffect(_Strict):
    """Log-scale bias shared by all claims of one stance (own / enemy / third-party losses).

    ``fixed = true`` pins the effect at ``mu``: that is an identification anchor.
    ``direction``: ``floor``, the statement lies below what the source knows (a party's own
    losses, or harm it caused: it states a floor); ``ceiling``, above it (a party's claim of
    its enemy's losses); ``none``: either way. A directed stance's total bias (stance + kind +
    source) is kept on its side of 0 and its noise on its side of the belief, both softly
    (BiasConfig.direction_softness, direction_far_scale; docs/model.md, "Directional stance").
    """

    mu: float = 0.0
    sigma: float = Field(0.3, gt=0)
    fixed: bool = False
    direction: Literal["floor", "ceiling", "none"] = "none"


class BiasConfig(_Strict):
    own: StanceEffect = StanceEffect(mu=-0.36, sigma=0.35, direction="floor")
    enemy: StanceEffect = StanceEffect(mu=0.41, sigma=0.35, direction="ceiling")
    third_party: StanceEffect = StanceEffect(mu=0.0, fixed=True)
    kind_sigma: float = Field(0.25, gt=0, description="sd of the zero-sum kind effects")
    source_sigma: float = Field(0.3, gt=0, description="prior mean (gamma, shape 2) of the between-source sd")
    source_deviations: Literal["independent", "sum_to_zero"] = Field("independent", description="within a kind")
    # A directed claim's total log bias r becomes -s * softplus(-r / s) (floor) or
    # s * softplus(r / s) (ceiling): r where it is well on the stance's side, near 0 beyond
    direction_softness: float = Field(0.2, gt=0, description="log-scale softness of the bias's side")
    # its noise: the family's at the source's scale on the stance's side of the belief, at
    # far_scale times that scale beyond it (a party misreads its own tally too, a little)
    direction_far_scale: float = Field(0.5, gt=0, le=1,
                                       description="noise scale beyond the belief, relative")

    def stance(self, name: str) -> StanceEffect:
        return getattr(self, name)


class NoiseConfig(_Strict):
    """How far a source's statement strays from its own biased belief (log scale)."""

    family: Literal["student_t", "normal"] = "student_t"
    nu: float = Field(4.0, gt=0, description="Student-t degrees of freedom")
    sigma_median: float = Field(0.2, gt=0, description="prior median of a kind's noise scale")
    sigma_kind_sd: float = Field(0.35, gt=0, description="log-scale sd of kind noise scales")
    sigma_source_sd: float = Field(0.15, gt=0, description="prior mean (gamma, shape 2) of the sd of source noise within kind")
    about_sigma: float = Field(0.1, ge=0, description="extra log-scale noise for 'about X'")
    rounding: Literal["interval", "density"] = Field(
        "interval",
        description="interval: a stated count y is the interval [y-0.5, y+0.5] of the latent "
        "statement (handles 0 and small exact counts); density: the log-scale density at y "
        "(the naive alternative, kept for comparison; cannot take a claim of 0)",
    )


class ReadingConfig(_Strict):
    """How the words around a figure are read (docs/model.md, "Numeral pragmatics").

    A modified round numeral is read from its roundness: "more than 1,200" says the
    statement lies above 1,200 and most likely below the next step of 1,200's roundness
    (1,300); "up to X" and "fewer than X" most likely within one step below X; "nearly X"
    within ``nearly_fraction`` below X. A statement beyond that near range stays possible:
    its likelihood is ``literal_weight`` times that of one inside it (the literal, open
    reading), so that conflicting claims can still pull an interval far; and it decays as
    (1 + belief / near end)^-literal_decay the further the belief lies beyond (a speaker
    states a bound far below what they believe less often than one just below). A vague word's lexicon
    range has soft edges: the statement carries ``vague_sigma`` of extra log-scale noise.
    ``pragmatic = false`` reads every bound literally (the behaviour before these
    readings)."""

    pragmatic: bool = True
    literal_weight: float = Field(0.1, ge=0, le=1)
    literal_decay: float = Field(2.0, ge=0, description="power of the literal reading's decay")
    nearly_fraction: float = Field(0.1, gt=0, lt=1)
    vague_sigma: float = Field(0.3, ge=0, description="extra log-scale noise for a vague word")
    # A party speaking of its own losses, or of harm it caused, issues a blanket denial (an
    # exact 0) with this probability whatever the count: a denial's likelihood is
    # denial_rate + (1 - denial_rate) * L, not L, so it says little against a named toll
    denial_rate: float = Field(0.25, gt=0, lt=1, description="chance of a blanket denial")


class DependenceConfig(_Strict):
    """Which claims are one piece of evidence. Repeats and relays of one speaker's statement
    about a quantity always count once; ``identical_figures = "once"`` also counts once the
    same figure (or bound) about the same quantity from different speakers, since an
    undeclared copy is the usual reason for it in conflict reporting."""

    identical_figures: Literal["once", "independent"] = "once"


class TollConfig(_Strict):
    """Running tolls (cumulative quantities): the toll to date follows a saturating growth
    curve in two phases, T(t) = N C(t) / C(end), C(t) = (1 - late) F(t) + late G(t), with
    F(t) = 1 - exp(-(t / timescale)^shape) the counting and G(t) = 1 - exp(-t / late_days)
    the late deaths, t in days from the period's start (model/tolls.py; docs/model.md,
    "Running tolls")."""

    timescale_share: float = Field(0.25, gt=0, description=(
        "prior median of the curve's timescale as a share of the series' span (start to "
        "end, or to the last report that raised the toll): a toll is counted while its "
        "figures rise"))
    min_open_span_days: float = Field(7.0, ge=0, description=(
        "a toll without an end is given at least this span for its timescale prior: reports "
        "cut in the first days of a toll still being counted are not taken to have settled"))
    timescale_sd: float = Field(1.5, gt=0, description="log-scale sd of the timescale")
    shape_sd: float = Field(0.25, gt=0, description="log-scale sd of the counting's shape about 1")
    count_reading: float = Field(0.5, gt=0, le=1, description=(
        "a third party's figure for a running toll (a health ministry's count) is a count "
        "to date, not an estimate: its source's bias applies times this factor (1: as any "
        "claim); its noise, which also carries the curve's misfit, keeps its prior"))
    clean_share: float = Field(0.0, ge=0, lt=1, description=(
        "prior probability that a count to date is clean: read with no bias and "
        "clean_noise times its source's noise (else as count_reading says); 0: off"))
    clean_noise: float = Field(0.5, gt=0, le=1, description="a clean count's noise / its source's")
    clean_by: Literal["update", "speaker"] = Field("update", description=(
        "what is clean or not as one: an update, or a speaker's series on the toll"))
    late_share_median: float = Field(0.03, ge=0, lt=1, description=(
        "prior median of a toll's late share: the part of the final toll that arrives over "
        "late_days after the event (the wounded who die later, remains identified months "
        "on), on top of the counting phase's curve; 0: no late phase"))
    late_share_sd: float = Field(1.2, gt=0, description="logit-scale sd of the late share")
    late_days: float = Field(30.0, gt=0, description=(
        "timescale of the late phase, in days after the period's start"))

    @property
    def has_late_phase(self) -> bool:
        return self.late_share_median > 0


class SamplerConfig(_Strict):
    backend: Literal["nutpie", "pymc", "numpyro"] = "nutpie"
    draws: int = Field(2000, ge=10)
    tune: int = Field(2000, ge=10)
    chains: int = Field(4, ge=1)
    target_accept: float = Field(0.8, gt=0.5, lt=1.0)
    # nutpie's mass matrix: "low_rank" (diagonal plus low-rank corrections) or "diag";
    # "auto" picks low_rank up to LOW_RANK_MAX_PARAMETERS free parameters and diag above
    # (measured: 3x the ESS on the seed data, 60 parameters; 5x slower per ESS at 1,000
    # claims, 700 parameters, where its per-step cost dominates; benchmarks/RESULTS.md)
    mass_matrix: Literal["auto", "low_rank", "diag"] = "auto"
    # "advi": the fast path for archives NUTS cannot fit in time (inference/advi.py): mean-field
    # ADVI, whose intervals can be much too narrow (benchmarks/RESULTS.md); its draws are one chain
    # of ``draws`` independent draws, and ``tune``, ``chains`` and the NUTS settings are unused
    method: Literal["nuts", "advi"] = "nuts"
    advi_iterations: int = Field(20_000, ge=100)
    # a NUTS run whose diagnostics fail only for want of draws (R-hat, ESS) is sampled again
    # with twice the draws while the next try is expected to end within this many seconds of
    # sampling again (analysis/extension.py); 0: never
    max_time_s: float = Field(600.0, ge=0)

    def adaptation(self, n_parameters: int) -> Literal["low_rank", "diag"]:
        if self.mass_matrix != "auto":
            return self.mass_matrix
        return "low_rank" if n_parameters <= LOW_RANK_MAX_PARAMETERS else "diag"


LOW_RANK_MAX_PARAMETERS = 300


class RefitPreset(_Strict):
    """Draws for the many short refits of one compiled model; the rest of the sampler
    (backend, target_accept, mass matrix) is the run's own."""

    draws: int = Field(ge=10)
    tune: int = Field(ge=10)
    chains: int = Field(ge=1)
    mass_matrix: Literal["auto", "low_rank", "diag"] | None = None  # None: the run's own


class SamplerPresets(_Strict):
    # Sensitivity refits only have to say how far a median moves. 2 x (150 + 300) draws with
    # a diagonal mass matrix moved the seed run's leave-one-source-out factors no more from
    # long refits (4 x 1,500) than 2 x (400 + 400) low-rank refits at another seed did (median
    # |log error| 0.03-0.04), in 62% of the time: nutpie's low-rank adaptation costs 0.35 s
    # per refit whatever its length (benchmarks/RESULTS.md, 2026-12-05).
    sensitivity: RefitPreset = RefitPreset(draws=300, tune=150, chains=2, mass_matrix="diag")
    # Calibration: ranks use 99 of 2 x 1,000 draws (every 20th), far enough apart to be
    # nearly independent even for the slowest parameter (the between-source sd).
    calibration: RefitPreset = RefitPreset(draws=1000, tune=500, chains=2)


class ModelConfig(_Strict):
    name: str = "default"
    description: str = ""
    truth: TruthPrior = TruthPrior()
    bias: BiasConfig = BiasConfig()
    noise: NoiseConfig = NoiseConfig()
    readings: ReadingConfig = ReadingConfig()
    dependence: DependenceConfig = DependenceConfig()
    tolls: TollConfig = TollConfig()
    sampler: SamplerConfig = SamplerConfig()
    presets: SamplerPresets = SamplerPresets()
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

    def preset_sampler(self, preset: Literal["sensitivity", "calibration"],
                       sampler: SamplerConfig | None = None) -> SamplerConfig:
        """``sampler`` (default: the model's) with the draws of a refit preset."""
        base = sampler or self.sampler
        return base.model_copy(update=getattr(self.presets, preset).model_dump(exclude_none=True))


def _factor(log_effect: float) -> str:
    return f"{math.exp(log_effect):.3g}"


