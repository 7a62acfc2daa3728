"""Numerals as reporters use them: roundness (how coarse a figure is), the step a modified
numeral reaches beyond its figure, rounding, and a claim's reading (the near range of its
statement and the weight of the literal reading beyond it). See docs/model.md, "Reading the
words around a figure"."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """How a claim is read: the statement most likely lies in the whole counts [low, high]
    (``high`` None: open above); beyond ``high`` its likelihood is ``above`` times that
    inside, below ``low`` it is ``below`` times (0: impossible)."""

    low: int
    high: int | None
    above: float = 0.0
    below: float = 0.0

    def keeps(self, statement: int, location: float | None = None,
              decay: float = 2.0) -> float:
        """The likelihood of the claim for a source whose statement is ``statement`` and
        whose belief (log scale, before noise) is ``location``: 1 in the near range; beyond
        it the literal reading's weight, decaying as the belief lies further out, as
        (1 + belief / near end)^-decay (model/likelihood.py, ``reading_logp``)."""
        if location is None:
            location = math.log(max(statement, 0.5))
        if statement < self.low:
            return self.below / (1.0 + math.exp(math.log(self.low - 0.5) - location)) ** decay
        if self.high is not None and statement > self.high:
            return self.above / (1.0 + math.exp(location - math.log(self.high + 0.5))) ** decay
        return 1.0


def roundness(value: int) -> int:
    """The largest 10^k or 5 x 10^k that divides ``value`` (Jansen & Pollmann 2001's 10-ness
    and 5-ness): 1,297 -> 1, 1,200 -> 100, 1,500 -> 500, 2,000 -> 1,000, 50 -> 50."""
    if value < 1:
        return 1
    best = 1
    magnitude = 1
    while magnitude <= value:
        for unit in (magnitude, 5 * magnitude):
            if unit <= value and value % unit == 0:
                best = unit
        magnitude *= 10
    return best


def step(figure: int) -> int:
    """How far a modified numeral most likely reaches beyond its figure: one step of its
    roundness, and at least a tenth of its order of magnitude (a precise "more than 1,297"
    is still read to about 1,400, not 1,298)."""
    order = 10 ** max(int(math.floor(math.log10(figure))) - 1, 0) if figure >= 1 else 1
    return max(roundness(figure), order)


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
