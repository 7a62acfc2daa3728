"""Match a claim's quote against its document, tolerating typography but not rewording.

Folded away: letter case, runs of whitespace (including line breaks and non-breaking spaces),
typographic quotes and apostrophes, the dash family, zero-width characters and compatibility
forms (NFKC: the ellipsis character becomes "...").
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'")
_QUOTES |= dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"')
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TRANSLATION = _QUOTES | _DASHES | _INVISIBLE
_SPACE = re.compile(r"\s+")

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
         80: "eighty", 90: "ninety"}
_EXTRA_WORDS = {0: ("no one", "none", "nobody", "no "), 1: ("a single", "single"),
                2: ("a couple", "both", "pair"), 12: ("a dozen",), 100: ("a hundred",),
                1000: ("a thousand",)}


def fold(text: str) -> str:
    """Normal form used on both sides of the quote comparison."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in_document(quote: str, folded_document: str) -> bool:
    folded = fold(quote)
    return bool(folded) and folded in folded_document


def mentions_number(quote: str, number: int) -> bool:
    """Does the quote state ``number`` as digits (any grouping) or in English words?"""
    folded = fold(quote)
    digits = re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", folded)
    if re.search(rf"(?<![\d.]){number}(?![\d])", digits):
        return True
    return any(word in folded for word in number_words(number))


def number_words(number: int) -> tuple[str, ...]:
    words: list[str] = list(_EXTRA_WORDS.get(number, ()))
    if number < 20:
        words.append(_UNITS[number])
    elif number < 100:
        tens, unit = divmod(number, 10)
        name = _TENS[tens * 10]
        words.append(name if unit == 0 else f"{name}-{_UNITS[unit]}")
        if unit:
            words.append(f"{name} {_UNITS[unit]}")
    elif number % 100 == 0 and number < 2000:
        words.append(f"{_UNITS[number // 100]} hundred")
    return tuple(words)


def mentions_term(quote: str, term: str) -> bool:
    return fold(term) in fold(quote)
