"""Match a claim's quote against its document, tolerating typography but not rewording.

Folded away: letter case, runs of whitespace (including line breaks and non-breaking spaces),
typographic quotes and apostrophes, the dash family, zero-width characters and compatibility
forms (NFKC: the ellipsis character becomes "...").

A quote states a number the way journalists write it: as digits in any script with any
grouping ("1,200", "1 200", "١٬٢٠٠"), abbreviated ("2K", "1.2 million", "3.4m"), or in words in
English, French, Spanish or German (read by the ``text2num`` library, not by hand-kept lists).
A number inside a larger figure is not stated: "1.2 million" states neither 1, 2 nor 12.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from functools import lru_cache

from text_to_num import Token, find_numbers

_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'")
_QUOTES |= dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"')
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TRANSLATION = _QUOTES | _DASHES | _INVISIBLE
_SPACE = re.compile(r"\s+")

# --- digits -------------------------------------------------------------------------------
_ARABIC_SEPARATORS = {0x066C: ",", 0x066B: "."}  # Arabic thousands and decimal separators
_DIGIT = re.compile(r"[^\D0-9]")  # another script's decimal digit (Arabic-Indic, Persian, ...)
# "1,200", "1 200", "١٬٢٠٠"; "1.200" too unless a scale follows ("1.200 million" is 1.2 M)
_GROUPED = re.compile(r"(?<![\d.,\u066b\u066c])\d{1,3}(?P<sep>[, .\u066c])\d{3}"
                      r"(?:(?P=sep)\d{3})*(?!\d)")
_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "hundred": 100, "thousand": 10**3,
           "million": 10**6, "millions": 10**6, "millón": 10**6, "millones": 10**6,
           "millionen": 10**6, "billion": 10**9, "milliard": 10**9, "milliards": 10**9,
           "milliarde": 10**9, "milliarden": 10**9, "trillion": 10**12}
_ATTACHED = ("k", "m", "mn", "bn")  # only written straight after the digits: "2k", "3.4m"
_WORD_SCALES = "|".join(sorted((w for w in _SCALES if w not in _ATTACHED), key=len, reverse=True))
_SCALE = rf"(?:\s*(?:{_WORD_SCALES})|{'|'.join(_ATTACHED)})\b"
_SCALE_AHEAD = re.compile(_SCALE)
_FIGURE = re.compile(rf"(?P<int>\d+)(?:\.(?P<frac>\d+)|,(?P<cfrac>\d+)(?={_SCALE}))?"
                     rf"(?P<scale>{_SCALE})?")

# --- words --------------------------------------------------------------------------------
_LANGUAGES = ("en", "fr", "es", "de")  # ~10 µs per quote and language
_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
# a scale word with no multiplier or article before it is vague ("hundreds", "several thousand")
_BARE_SCALES = frozenset({
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
    "billions", "trillion", "trillions", "tens", "zeros", "cientos", "centenares", "miles",
    "millares", "millón", "millones", "milliard", "milliards", "milliarde", "milliarden",
    "millionen", "hunderte", "tausende"})
_ARTICLES = frozenset({"a", "an", "un", "une", "una", "uno", "ein", "eine", "einer", "einen"})
# words that text2num reads as a number but that alone are (mostly) not one in English text:
# "loved ones", "O Mouggos", Spanish "once", French "sept", German "elf"
_NOT_ALONE = {"en": frozenset({"o", "os", "ones"}), "fr": frozenset({"sept", "seize"}),
              "es": frozenset({"once"}), "de": frozenset({"elf", "null"})}
_PERCENT = re.compile(r"\b(?:per|pour|por) (?:cent|ciento)\b")
_NO_ONE = re.compile(r"\bno one\b")
# what text2num does not read: the count words kept from the former English list
_EXTRA_WORDS = {0: ("no one", "none", "nobody", "no"), 1: ("single",),
                2: ("couple", "both", "pair"), 12: ("dozen", "douzaine", "docena", "dutzend")}
_EXTRAS = [(re.compile(r"\b(?:" + "|".join(words) + r")\b"), value)
           for value, words in _EXTRA_WORDS.items()]


def fold(text: str) -> str:
    """Normal form used on both sides of the quote comparison."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in_document(quote: str, folded_document: str) -> bool:
    folded = fold(quote)
    return bool(folded) and folded in folded_document


def mentions_number(quote: str, number: int) -> bool:
    """Does the quote state ``number``, as digits (any script, any grouping, abbreviated as in
    "2K" or "1.2 million") or in words?"""
    figures, rest = _digit_figures(quote)
    return number in figures or number in _word_figures(rest)


def mentions_term(quote: str, term: str) -> bool:
    return fold(term) in fold(quote)


@lru_cache(maxsize=8)  # value, low and high of one claim ask about the same quote
def _digit_figures(quote: str) -> tuple[frozenset[int], str]:
    """The whole numbers written with digits, and the folded quote with those figures masked."""
    text = _GROUPED.sub(_ungroup, fold(quote)).translate(_ARABIC_SEPARATORS)
    text = _DIGIT.sub(lambda digit: str(unicodedata.digit(digit[0])), text)
    figures: set[int] = set()
    for match in _FIGURE.finditer(text):
        whole, fraction = match["int"], match["frac"] or match["cfrac"] or "0"
        value = Fraction(f"{whole}.{fraction}")
        if match["scale"]:
            value *= _SCALES[match["scale"].strip()]
        if value.denominator == 1:
            figures.add(int(value))
    return frozenset(figures), _FIGURE.sub(" # ", text)


def _ungroup(match: re.Match[str]) -> str:
    grouped = match[0]
    if match["sep"] == "." and _SCALE_AHEAD.match(match.string, match.end()):
        return grouped
    return grouped.replace(match["sep"], "")


class _Word(Token):
    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text


@lru_cache(maxsize=8)
def _word_figures(text: str) -> frozenset[int]:
    """The whole numbers written in words in ``text`` (folded, digit figures masked)."""
    figures = {value for pattern, value in _EXTRAS if pattern.search(text)}
    words = _WORD_TOKEN.findall(_NO_ONE.sub("nobody", _PERCENT.sub("percent", text)))
    tokens = [_Word(word) for word in words]
    found = [(language, occurrence) for language in _LANGUAGES
             for occurrence in find_numbers(tokens, language, 0)]
    longest: dict[int, int] = {}  # start -> furthest end of a figure starting there
    for _, o in found:
        longest[o.start] = max(longest.get(o.start, 0), o.end)
    before: dict[int, int] = {}  # start -> furthest end of a figure starting before it
    reach = 0
    for start in sorted(longest):
        before[start], reach = reach, max(reach, longest[start])
    for language, o in found:
        first, alone = words[o.start], o.end - o.start == 1
        if (o.is_ordinal or not o.value.is_integer()
                or alone and first in _NOT_ALONE[language]
                or first in _BARE_SCALES and (o.start == 0 or words[o.start - 1] not in _ARTICLES)
                # part of a longer figure read in another language: "vingt et un", "doce mil"
                or before[o.start] >= o.end or longest[o.start] > o.end):
            continue
        figures.add(int(o.value))
    return frozenset(figures)
