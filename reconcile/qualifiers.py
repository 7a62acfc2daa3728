"""A claim's qualifier ("more than", "nearly", "about", "dozens"): the words of a claim, read
into an observation (observations.py). Adding a qualifier is its name here, its reading in
``read_qualifier``, and a kind in observations.py when none fits."""

from __future__ import annotations

from reconcile.observations import Observation


QUALIFIERS: tuple[str, ...] = (
    "exact", "at_least", "more_than", "at_most", "fewer_than", "nearly", "about", "range",
    "vague",
)
# What curators write for a qualifier, and the qualifier it is written as (a hint only:
# claims.csv must name the qualifier, so that the reading is always the curator's choice).
QUALIFIER_SYNONYMS: dict[str, str] = {
    "over": "more_than", "above": "more_than", "more than": "more_than", "exceeds": "more_than",
    "in excess of": "more_than", "at least": "at_least", "min": "at_least",
    "minimum": "at_least", "no fewer than": "at_least", "up to": "at_most",
    "at most": "at_most", "max": "at_most", "maximum": "at_most", "no more than": "at_most",
    "under": "fewer_than", "below": "fewer_than", "less than": "fewer_than",
    "fewer than": "fewer_than", "almost": "nearly", "close to": "nearly",
    "approximately": "about", "approx": "about", "around": "about", "roughly": "about",
    "some": "about", "circa": "about", "ca": "about", "estimated": "about",
    "exactly": "exact", "precisely": "exact", "confirmed": "exact", "between": "range",
    "from to": "range", "dozens": "vague", "hundreds": "vague", "many": "vague",
    "scores": "vague", "several": "vague",
}
VALUE_QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "more_than", "at_most", "fewer_than",
                                     "nearly", "about")


def read_qualifier(qualifier: str, value: int | None, low: int | None,
                   high: int | None) -> Observation:
    """The observation a claim makes: "more than 50" is a statement of at least 51, "fewer
    than 10" one of at most 9, a range or vague word with no upper end a lower bound."""
    if qualifier in ("exact", "about"):
        return Observation.point(value, about=qualifier == "about")
    if qualifier == "at_least":
        return Observation("lower_bound", value, None, figure=value)
    if qualifier == "more_than":
        return Observation("lower_bound", value + 1, None, figure=value)
    if qualifier == "at_most":
        return Observation("upper_bound", 0, value, figure=value)
    if qualifier == "fewer_than":
        return Observation("upper_bound", 0, value - 1, figure=value)
    if qualifier == "nearly":
        return Observation("nearly", 0, value, figure=value)
    if high is None:  # a vague word with an open upper end reads like "at least"
        return Observation("lower_bound", low, None)
    return Observation("vague" if qualifier == "vague" else "interval", low, high)
