"""What a claim says about the count its source would state: one object per observation kind.

A claim's qualifier ("more than", "about", "five or six") is read into an ``Observation``: the
stated count lies in ``[low, high]`` (whole counts, inclusive; ``high`` None is open above).
Each kind (a stated figure, "about" a figure, a lower bound, an upper bound, an interval) is
one object that owns everything the engine does with observations of that kind: reading it
from a qualifier, its bounds on the log of the latent statement (the model's likelihood
scores the statement's probability of falling inside them, model/likelihood.py), how a
simulated source would make such a claim, its description and its glyph in the forest plot.
Adding a kind is one class here, registered in ``KINDS``, plus its tests.

Pure Python: the dataset layer reads claims through this module, and ``reconcile check``
must not import PyMC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

ObservationKindName = Literal["point", "about", "lower_bound", "upper_bound", "interval"]


@dataclass(frozen=True)
class Observation:
    """The stated count lies in ``[low, high]`` (inclusive; ``high`` None: no upper bound)."""

    kind: ObservationKindName
    low: int
    high: int | None
    about: bool = False  # an approximate figure ("about 1,200"): it carries extra noise

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

    @property
    def figure_key(self) -> tuple:
        """What two claims share when they state the same figure or bound (copies)."""
        return (self.reading.figure, self.low, self.high)


def log_bounds(observation: Observation) -> tuple[float, float]:
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

    @property
    def figure(self) -> str:
        """Claims with equal figure keys state the same figure or bound ("about 13" and "13"
        state the same figure)."""
        return self.name

    def stated(self, obs: Observation) -> int:
        return obs.low

    def describe(self, obs: Observation) -> str:
        raise NotImplementedError

    def observe(self, obs: Observation, statement: int) -> Observation:
        """What a source whose statement is ``statement`` claims, when a claim of this kind
        was made: the claim stands when the statement satisfies it, and otherwise the source
        states the figure (so the selection of claims is ignorable: simulation.py)."""
        if obs.contains(statement):
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

    def observe(self, obs: Observation, statement: int) -> Observation:
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
    name = "lower_bound"

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
    name = "upper_bound"

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


KINDS: dict[str, ObservationKind] = {
    kind.name: kind for kind in (Point(), About(), LowerBound(), UpperBound(), Interval())
}


# --- qualifiers: the words of a claim, read into observations ------------------------------
QUALIFIERS: tuple[str, ...] = (
    "exact", "at_least", "more_than", "at_most", "fewer_than", "about", "range", "vague",
)
VALUE_QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "more_than", "at_most", "fewer_than",
                                     "about")


def read_qualifier(qualifier: str, value: int | None, low: int | None,
                   high: int | None) -> Observation:
    """The observation a claim makes: "more than 50" is a statement of at least 51, "fewer
    than 10" one of at most 9, a range or vague word with no upper end a lower bound."""
    if qualifier in ("exact", "about"):
        return Observation.point(value, about=qualifier == "about")
    if qualifier == "at_least":
        return Observation("lower_bound", value, None)
    if qualifier == "more_than":
        return Observation("lower_bound", value + 1, None)
    if qualifier == "at_most":
        return Observation("upper_bound", 0, value)
    if qualifier == "fewer_than":
        return Observation("upper_bound", 0, value - 1)
    if high is None:
        return Observation("lower_bound", low, None)
    return Observation("interval", low, high)


# --- roundness of numerals -----------------------------------------------------------------
def round_significant(value: float, digits: int) -> int:
    if value <= 0:
        return 0
    magnitude = 10 ** max(int(math.floor(math.log10(value))) - digits + 1, 0)
    return int(round(value / magnitude) * magnitude)


def round_down(value: float) -> int:
    """To one significant digit, downwards (73 -> 70, 1,290 -> 1,000)."""
    if value < 1:
        return 0
    magnitude = 10 ** int(math.floor(math.log10(value)))
    return int(math.floor(value / magnitude) * magnitude)


def round_up(value: float) -> int:
    magnitude = 10 ** max(int(math.floor(math.log10(max(value, 1)))), 0)
    return int(math.ceil(value / magnitude) * magnitude)
