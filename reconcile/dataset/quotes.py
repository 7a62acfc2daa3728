"""Match a claim's quote against its document, tolerating typography but not rewording.

Folded away: letter case, runs of whitespace (including line breaks and non-breaking spaces),
typographic quotes and apostrophes, the dash family, zero-width characters and compatibility
forms (NFKC: the ellipsis character becomes "...").

A quote states a number the way journalists write it (dataset/figures.py reads them): digits
in any script and grouping, abbreviations ("2K", "1.2 million") and number words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reconcile.dataset.figures import digit_figures, word_figures

_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'")
_QUOTES |= dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"')
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TRANSLATION = _QUOTES | _DASHES | _INVISIBLE
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Normal form used on both sides of the quote comparison."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in_document(quote: str, folded_document: str) -> bool:
    folded = fold(quote)
    return bool(folded) and folded in folded_document


def mentions_number(quote: str, number: int) -> bool:
    """Does the quote state ``number``, as digits (any script, any grouping, abbreviated as in
    "2K" or "1.2 million") or in words? The words are read only when the digits do not
    state it: most quotes give their figure in digits, and reading words took three
    quarters of loading a 100,000-claim archive."""
    digits, masked = _stated_in_digits(quote)
    return number in digits or number in _stated_in_words(masked)


def mentions_term(quote: str, term: str) -> bool:
    return fold(term) in fold(quote)


# value, low and high of one claim ask about the same quote
@lru_cache(maxsize=8)
def _stated_in_digits(quote: str) -> tuple[frozenset[int], str]:
    figures, masked = digit_figures(fold(quote))
    return frozenset(figure.value for figure in figures), masked


@lru_cache(maxsize=8)
def _stated_in_words(masked: str) -> frozenset[int]:
    return frozenset(figure.value for figure in word_figures(masked))
