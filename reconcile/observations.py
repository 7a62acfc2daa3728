"""What a claim says about the count its source would state: one object per observation kind.

A claim's qualifier is read into an ``Observation``: the stated count lies in ``[low, high]``
(whole counts, inclusive; ``high`` None: open above). Each kind (a figure, "about", lower and
upper bounds, an interval, a vague word, "nearly") owns what the engine does with it: its
reading, its log bounds for the likelihood (model/likelihood.py), how a simulated source makes
such a claim, its description and its forest-plot glyph. A new kind is one class in ``KINDS``.

Pure Python: ``reconcile check`` reads claims through this module and must not import PyMC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from reconcile.config.schema import ReadingConfig
from reconcile.numerals import Reading, round_down, round_significant, round_up, step

ObservationKindName = Literal["point", "about", "lower_bound", "upper_bound", "interval",
                              "vague", "nearly"]
LITERAL = ReadingConfig(pragmatic=False)  # every bound read literally: near range = the claim


@dataclass(frozen=True)
class Observation:
    """The stated count lies in ``[low, high]`` (inclusive; ``high`` None: no upper bound)."""

    kind: ObservationKindName
    low: int
    high: int | None
    about: bool = False  # an approximate figure ("about 1,200"): it carries extra noise
    # as stated ("more than 100": 100, low 101): its roundness sets a modifier's near range
    figure: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # "about" is a kind of its own; the flag and the kind always agree
        if self.kind == "point" and self.about:
            object.__setattr__(self, "kind", "about")
        object.__setattr__(self, "about", KINDS[self.kind].approximate)

    @property
    def reading(self) -> ObservationKind:
        return KINDS[self.kind]

    @property
    def is_point(self) -> bool:
        return self.reading.is_point

    @classmethod
    def point(cls, value: int, about: bool = False) -> Observation:
        return cls("about" if about else "point", value, value, about)

    def contains(self, count: float) -> bool:
        return count >= self.low and (self.high is None or count <= self.high)

    def describe(self) -> str:
        return self.reading.describe(self)

    @property
    def stated(self) -> int:
        """The number written in the claim (a point's figure, a bound), for display and PPC."""
        return self.reading.stated(self)

    def near(self, readings: ReadingConfig) -> Reading:
        return self.reading.near(self, readings)

    @property
    def figure_key(self) -> tuple:
        """What two claims share when they state the same figure or bound (copies)."""
        return (self.reading.figure, self.low, self.high)


def log_bounds(observation: Observation | Reading) -> tuple[float, float]:
    """Bounds on the log of the continuous latent statement, with a half-count for rounding.

    A stated whole count y means the statement rounded to y: it lies in [y-0.5, y+0.5].
    """
    lower = math.log(observation.low - 0.5) if observation.low >= 1 else -math.inf
    upper = math.log(observation.high + 0.5) if observation.high is not None else math.inf
    return lower, upper


class ObservationKind:
    """The behaviour shared by every kind; subclasses override what differs."""

    name: ObservationKindName
    is_point = False  # a stated figure (the density variant scores it by a density)
    approximate = False  # "about": extra noise on the statement
    vague = False  # a vague word: extra noise on the statement (soft edges)

    @property
    def figure(self) -> str:
        """Claims with equal figure keys state the same figure or bound ("about 13" and "13"
        state the same figure)."""
        return self.name

    def stated(self, obs: Observation) -> int:
        return obs.low

    def describe(self, obs: Observation) -> str:
        raise NotImplementedError

    def near(self, obs: Observation, readings: ReadingConfig) -> Reading:
        """The claim's reading: by default its literal bounds, with nothing beyond."""
        return Reading(obs.low, obs.high)

    def observe(self, obs: Observation, statement: int, readings: ReadingConfig = LITERAL,
                draw: float = 0.0, location: float | None = None) -> Observation:
        """What a source whose statement is ``statement`` (and belief ``location``, log
        scale) claims, when a claim of this kind was made: the claim stands with its
        reading's likelihood (``draw``, uniform on [0, 1), decides), and otherwise the source
        states the figure; the model's likelihood of a claim that stands is then exactly the
        selection's (simulate.py)."""
        if draw < self.near(obs, readings).keeps(statement, location, readings.literal_decay):
            return obs
        return Observation.point(statement)

    def as_written(self, obs: Observation) -> tuple[str, int | None, int | None, int | None]:
        """(qualifier, value, low, high) of a claim that makes this observation."""
        raise NotImplementedError

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        """How a journalist who rounds (the ``rounding`` calibration scenario) would report a
        statement under a claim of this kind."""
        return Observation.point(statement, about=obs.about)

    def draw(self, ax, obs: Observation, y: float, marker: str, color: str) -> None:
        """The claim's glyph in the forest plot (a log axis: a claim of 0 sits at 0.5)."""
        ax.plot(max(obs.low, 0.5), y, marker=marker, color=color, ms=6, ls="", zorder=4)


class Point(ObservationKind):
    name = "point"
    is_point = True
    figure = "point"  # type: ignore[assignment]  (About inherits it)

    def describe(self, obs: Observation) -> str:
        return f"{obs.low:,}"

    def observe(self, obs: Observation, statement: int, readings: ReadingConfig = LITERAL,
                draw: float = 0.0, location: float | None = None) -> Observation:
        return Observation.point(statement, about=obs.about)

    def as_written(self, obs: Observation):
        return "exact", obs.low, None, None

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        if statement >= 10 and rng.random() < 0.7:
            rounded = round_significant(statement, 1 if rng.random() < 0.5 else 2)
            return Observation.point(rounded, about=bool(rng.random() < 0.5))
        return Observation.point(statement, about=obs.about)


class About(Point):
    name = "about"
    approximate = True

    def describe(self, obs: Observation) -> str:
        return f"about {obs.low:,}"

    def as_written(self, obs: Observation):
        return "about", obs.low, None, None


class LowerBound(ObservationKind):
    """"More than X", "at least X": above X, most likely within one step of X's roundness
    (a speaker rounds down to a round number below what they believe)."""

    name = "lower_bound"

    def near(self, obs: Observation, readings: ReadingConfig) -> Reading:
        figure = obs.low if obs.figure is None else obs.figure
        if not readings.pragmatic or figure < 1:
            return Reading(obs.low, None)
        return Reading(obs.low, figure + step(figure), above=readings.literal_weight)

    def describe(self, obs: Observation) -> str:
        return f">= {obs.low:,}"

    def as_written(self, obs: Observation):
        return "at_least", obs.low, None, None

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        if statement < 2:
            return Observation.point(statement)
        bound = round_down(statement * rng.uniform(0.3, 0.9))  # "more than" a round number
        return (Observation("lower_bound", bound + 1, None) if bound >= 1
                else Observation.point(statement))

    def draw(self, ax, obs: Observation, y: float, marker: str, color: str) -> None:
        _arrow(ax, max(obs.low, 0.5), 2.2, y, marker, color)  # pointing right, to more


class UpperBound(ObservationKind):
    """"Up to X", "at most X", "fewer than X": below X, most likely within one step of
    X's roundness."""

    name = "upper_bound"

    def near(self, obs: Observation, readings: ReadingConfig) -> Reading:
        figure = obs.high if obs.figure is None else obs.figure
        if not readings.pragmatic or figure < 1:
            return Reading(obs.low, obs.high)
        low = max(figure - step(figure), 0)
        return Reading(low, obs.high, below=readings.literal_weight if low > 0 else 0.0)

    def stated(self, obs: Observation) -> int:
        return obs.high

    def describe(self, obs: Observation) -> str:
        return f"<= {obs.high:,}"

    def as_written(self, obs: Observation):
        return "at_most", obs.high, None, None

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        if statement < 1:
            return Observation.point(statement)
        return Observation("upper_bound", 0, round_up(statement * rng.uniform(1.1, 2.0)) - 1)

    def draw(self, ax, obs: Observation, y: float, marker: str, color: str) -> None:
        _arrow(ax, max(obs.high, 0.5), 1 / 2.2, y, marker, color)  # pointing left, to fewer


class Interval(ObservationKind):
    name = "interval"

    def describe(self, obs: Observation) -> str:
        return f"{obs.low:,}-{obs.high:,}"

    def as_written(self, obs: Observation):
        return "range", None, obs.low, obs.high

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        return obs if obs.contains(statement) else Observation.point(statement)

    def draw(self, ax, obs: Observation, y: float, marker: str, color: str) -> None:
        low = max(obs.low, 0.5)
        ax.plot([low, obs.high], [y, y], color=color, lw=3, alpha=0.7, zorder=4,
                solid_capstyle="butt")
        ax.plot(low, y, marker=marker, color=color, ms=5, ls="", zorder=4)


def _arrow(ax, bound: float, factor: float, y: float, marker: str, color: str) -> None:
    """A bound's glyph: a marker at the bound and an arrow to ``bound * factor``."""
    ax.annotate("", xy=(bound * factor, y), xytext=(bound, y), zorder=4,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.5})
    ax.plot(bound, y, marker=marker, color=color, ms=5, ls="", zorder=4)


class Nearly(UpperBound):
    """"Nearly X", "almost X", "close to X": at most X and within ``nearly_fraction`` of it
    ("nearly 2,000": 1,800-2,000)."""

    name = "nearly"

    def describe(self, obs: Observation) -> str:
        return f"nearly {obs.high:,}"

    def as_written(self, obs: Observation):
        return "nearly", obs.high, None, None

    def near(self, obs: Observation, readings: ReadingConfig) -> Reading:
        if not readings.pragmatic:
            return Reading(obs.low, obs.high)
        low = max(math.ceil(obs.high * (1 - readings.nearly_fraction)), 0)
        return Reading(low, obs.high, below=readings.literal_weight if low > 0 else 0.0)

    def rounded_by_reporter(self, obs: Observation, statement: int, rng) -> Observation:
        return UpperBound().rounded_by_reporter(obs, statement, rng)


class Vague(Interval):
    """A vague word ("dozens": 24-99 by the lexicon): its range has soft edges (extra
    noise on the statement, ReadingConfig.vague_sigma)."""

    name = "vague"
    vague = True

    def as_written(self, obs: Observation):
        return "vague", None, obs.low, obs.high

    def observe(self, obs: Observation, statement: int, readings: ReadingConfig = LITERAL,
                draw: float = 0.0, location: float | None = None) -> Observation:
        """Outside the word's range, a word whose range [2^k, 2^(k+1) - 1] covers the
        statement (a function of it alone: the likelihood stays exact). A figure would be
        read without the word's extra noise, which the statement carries (SBC: noise
        overstated)."""
        if obs.contains(statement) or statement < 1:
            return obs if obs.contains(statement) else Observation.point(statement)
        low = 2 ** int(math.floor(math.log2(statement)))
        return Observation("vague", low, 2 * low - 1)


KINDS: dict[str, ObservationKind] = {
    kind.name: kind for kind in (Point(), About(), LowerBound(), UpperBound(), Interval(),
                                 Vague(), Nearly())
}
