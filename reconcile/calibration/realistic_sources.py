"""Reporters as they really behave: what a source believes, and the words it puts it in.

The realistic simulator (realistic.py) draws the true counts; this module turns a true count
into a claim the way a party, a monitor or a newspaper does, none of it by the model's own
generative process:

* **belief by stance** (the stance as the model reads it from the sides):
  - own losses: an admission, a floor: truth x U(0.4, 1.0) (Shoigu's 5,937 against about
    25,000 is 0.24; we keep the milder end); a later revision of it is higher but still at
    most the truth; a **denial** (exact 0, "no one was harmed"; realistic_claims.DENIAL_P);
  - the enemy's losses: inflated, truth x log-uniform(1.3, 4) (Ukrainian General Staff
    against external estimates: 2.2 and 4.4);
  - third parties: unbiased, log-normal noise, sd 0.15 for monitors, 0.3 for the media.
* **the words** (``say``): officials speaking of their own losses give the figure of their
  list (precise) or a round floor; others give precise figures only 30% of the time, and
  otherwise round figures of 10 or more to one or two significant digits, "about" or not;
  "more than X"/"at least X" with X a round number below the belief (and 30% of the time
  below a hedged 50-90% of it); "nearly X" (X the belief rounded up to two digits) or "up to
  X" (the belief times U(1, 1.5) rounded up): qualifier ``at_most`` (a ``nearly`` qualifier
  is to come); "between A and B"; vague words whose lexicon interval holds the belief.

Used by realistic_claims.py; pure numpy and the package's records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from reconcile.config.lexicon import LexiconEntry
from reconcile.dataset.records import Claim
from reconcile.numerals import round_significant
from reconcile.observations import Observation
from reconcile.qualifiers import read_qualifier

OWN_ADMITS = (0.4, 1.0)  # uniform factor on the truth
ENEMY_INFLATES = (1.3, 4.0)  # log-uniform factor on the truth
THIRD_PARTY_SD = {"monitor": 0.15}  # log-scale noise by kind; others THIRD_PARTY_SD_OTHER
THIRD_PARTY_SD_OTHER = 0.3
PRECISE_P = 0.3  # a non-official figure given unrounded
HEDGED_BOUND_P = 0.3  # "more than X" of a hedged 50-90% of the belief
MORE_THAN_P = 0.7  # of lower bounds, "more than" (else "at least")
NEARLY_P = 0.5  # of upper bounds, "nearly" (else "up to")
OPEN_WORD_WEIGHT = 0.5  # "many", "a large number": chosen half as often as a fitting word
NEARLY = "at_most"  # the qualifier of "nearly X" (until the model reads a "nearly" of its own)
FORMS = ("exact", "about", "lower", "upper", "range", "vague", "denial")


@dataclass(frozen=True)
class Wording:
    """A claim's words: qualifier and stated numbers, the observation read from them, and a
    short text standing for the quote."""

    qualifier: str
    observation: Observation
    value: int | None = None
    low: int | None = None
    high: int | None = None
    term: str | None = None
    text: str = ""

    @classmethod
    def of(cls, qualifier: str, value: int | None = None, low: int | None = None,
           high: int | None = None, term: str | None = None, text: str = "") -> Wording:
        return cls(qualifier, read_qualifier(qualifier, value, low, high), value, low, high,
                   term, text)


def wording_of(claim: Claim) -> Wording:
    return Wording(claim.qualifier, claim.observation, claim.value, claim.low, claim.high,
                   claim.term, claim.quote)


def worded(claim: Claim, wording: Wording, **changes) -> Claim:
    """``claim`` saying ``wording`` (its observation, qualifier, numbers, term and quote)."""
    return replace(claim, qualifier=wording.qualifier, observation=wording.observation,
                   value=wording.value, low=wording.low, high=wording.high, term=wording.term,
                   quote=wording.text, **changes)


# --- what a source believes ----------------------------------------------------------------
def believe(stance: str, kind: str, truth: float, rng: np.random.Generator,
            at_least: float = 0.0) -> int:
    """The whole count a source of ``kind`` speaking from ``stance`` would state.
    ``at_least`` (own stance) is a share of the truth an earlier admission already reached:
    a revision goes up from it."""
    if stance == "own":
        factor = rng.uniform(max(OWN_ADMITS[0], at_least), OWN_ADMITS[1])
    elif stance == "enemy":
        factor = math.exp(rng.uniform(*np.log(ENEMY_INFLATES)))
    else:
        factor = math.exp(rng.normal(0.0, THIRD_PARTY_SD.get(kind, THIRD_PARTY_SD_OTHER)))
    return max(int(round(truth * factor)), 0)


# --- the words it uses ---------------------------------------------------------------------
def say(form: str, belief: int, stance: str, rng: np.random.Generator,
        lexicon: Mapping[str, LexiconEntry]) -> Wording:
    """The words a source believing ``belief`` uses, in the ``form`` chosen for the claim
    (one of FORMS). A form that cannot carry the belief (a bound of 1, a vague word for
    1,500 when no word fits) falls back to a plain figure or a lower bound."""
    if form == "denial" or belief == 0:
        return Wording.of("exact", 0, text="no one was harmed")
    if form == "vague":
        return _vague(belief, stance, rng, lexicon)
    if form == "lower" and belief >= 2:
        return _lower(belief, rng)
    if form == "upper":
        if rng.random() < NEARLY_P:
            bound = _significant(belief, 2, math.ceil) if belief >= 10 else belief + 1
            return Wording.of(NEARLY, bound, text=f"nearly {bound:,}")
        bound = _significant(belief * rng.uniform(1.0, 1.5), 1, math.ceil)
        return Wording.of("at_most", max(bound, belief), text=f"up to {max(bound, belief):,}")
    if form == "range":
        return _range(belief, rng)
    if form == "about" and belief >= 10:
        value = round_significant(belief, int(rng.integers(1, 3)))
        return Wording.of("about", value, text=f"about {value:,}")
    precise = stance == "own" or belief < 10 or rng.random() < PRECISE_P
    value = belief if precise else round_significant(belief, int(rng.integers(1, 3)))
    if not precise and rng.random() < 0.5:
        return Wording.of("about", value, text=f"about {value:,}")
    return Wording.of("exact", value, text=f"{value:,}")


def _lower(belief: int, rng: np.random.Generator) -> Wording:
    """"More than X" / "at least X": X a round number below the belief (one or two
    significant digits, floored), sometimes below a hedged 50-90% of it."""
    target = belief * rng.uniform(0.5, 0.9) if rng.random() < HEDGED_BOUND_P else belief
    more_than = rng.random() < MORE_THAN_P
    if more_than:
        target = min(target, belief - 1)  # "more than X" needs X below the belief
    bound = _significant(target, int(rng.integers(1, 3)), math.floor)
    if bound < 1:
        return Wording.of("exact", belief, text=f"{belief:,}")
    if more_than:
        return Wording.of("more_than", bound, text=f"more than {bound:,}")
    return Wording.of("at_least", bound, text=f"at least {bound:,}")


def _range(belief: int, rng: np.random.Generator) -> Wording:
    """"Between A and B" around the belief ("five or six" for small counts)."""
    if belief < 10:
        low, high = max(belief - int(rng.integers(0, 2)), 1), belief + 1
    else:
        digits = int(rng.integers(1, 3))
        low = _significant(belief * rng.uniform(0.6, 0.95), digits, math.floor)
        high = _significant(belief * rng.uniform(1.05, 1.5), digits, math.ceil)
        low, high = min(max(low, 1), belief), max(high, belief + 1)
    return Wording.of("range", low=low, high=high, text=f"between {low:,} and {high:,}")


def _vague(belief: int, stance: str, rng: np.random.Generator,
           lexicon: Mapping[str, LexiconEntry]) -> Wording:
    """A vague word whose lexicon interval holds the belief; an open one ("many") half as
    often as a closed one; a lower bound when no word fits."""
    words, weights = [], []
    for term, entry in lexicon.items():
        if entry.low <= belief and (entry.high is None or belief <= entry.high):
            words.append(term)
            weights.append(OPEN_WORD_WEIGHT if entry.high is None else 1.0)
    if not words:
        return _lower(belief, rng) if belief >= 2 else say("exact", belief, stance, rng, lexicon)
    term = words[int(rng.choice(len(words), p=np.array(weights) / sum(weights)))]
    entry = lexicon[term]
    return Wording.of("vague", low=entry.low, high=entry.high, term=term, text=term)


def _significant(value: float, digits: int, direction) -> int:
    """``value`` to ``digits`` significant digits, floored or ceiled (``direction``)."""
    if value < 1:
        return int(direction(max(value, 0.0)))
    magnitude = 10 ** max(int(math.floor(math.log10(value))) - digits + 1, 0)
    return int(direction(value / magnitude) * magnitude)


# --- forms: which words a claim of a known kind takes ----------------------------------------
def form_of(observation: Observation, term: str | None) -> str:
    """The form of an existing claim (a structure's), to be said again realistically."""
    if term:
        return "vague"
    forms = {"point": "exact", "about": "about", "lower_bound": "lower", "upper_bound": "upper",
             "nearly": "upper", "interval": "range"}
    return forms.get(observation.kind, "lower" if observation.high is None else "range")


def draw_form(forms: Mapping[str, float], rng: np.random.Generator) -> str:
    names = list(forms)
    weights = np.array([forms[name] for name in names], dtype=float)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]
