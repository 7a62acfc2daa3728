"""Figures as journalists write them, found with their place in the text.

Digits in any script with any grouping ("1,200", "1 200", "١٬٢٠٠"), abbreviated ("2K",
"1.2 million", "3.4m"), or words in English, French, Spanish or German (read by the
``text2num`` library, not by hand-kept lists). A number inside a larger figure is not a figure:
"1.2 million" holds neither 1, 2 nor 12. Every normalisation here keeps the text's length, so a
figure's ``start`` and ``end`` index the text it was found in: the quote checker reads folded
quotes, the claim extractor raw sentences.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from text_to_num import Token, find_numbers

# --- digits -------------------------------------------------------------------------------
_ARABIC_THOUSANDS = {0x066C: ","}  # the Arabic decimal separator (U+066B) is never grouping
_DIGIT = re.compile(r"[^\D0-9]")  # another script's decimal digit (Arabic-Indic, Persian, ...)
_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "hundred": 100, "thousand": 10**3,
          "million": 10**6, "millions": 10**6, "millón": 10**6, "millones": 10**6,
          "millionen": 10**6, "billion": 10**9, "milliard": 10**9, "milliards": 10**9,
          "milliarde": 10**9, "milliarden": 10**9, "trillion": 10**12}
_ATTACHED = ("k", "m", "mn", "bn")  # only written straight after the digits: "2k", "3.4m"
_WORD_SCALES = "|".join(sorted((w for w in _SCALES if w not in _ATTACHED), key=len, reverse=True))
_SCALE = rf"(?:\s*(?:{_WORD_SCALES})|{'|'.join(_ATTACHED)})\b"
# "1,200", "1 200", "١٬٢٠٠" grouped; "1.200" too unless a scale follows ("1.200 million" is
# 1.2 M); "3.4" and "1,5 million" as decimals
_FIGURE = re.compile(
    rf"(?P<int>(?<![\d.,\u066b])\d{{1,3}}(?:(?P<sep>[, .])\d{{3}}(?!\d))"
    rf"(?:(?P=sep)\d{{3}}(?!\d))*|\d+)"
    rf"(?:[.\u066b](?P<frac>\d+)|,(?P<cfrac>\d+)(?={_SCALE}))?(?P<scale>{_SCALE})?", re.IGNORECASE)

# --- words --------------------------------------------------------------------------------
_LANGUAGES = ("en", "fr", "es", "de")  # ~10 µs per text and language
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
# same length replacements: "per cent" is not "cent", "no one" is not "one"
_PERCENT = re.compile(r"\b(?:per|pour|por) (?:cent|ciento)\b", re.IGNORECASE)
_NO_ONE = re.compile(r"\bno one\b", re.IGNORECASE)
# what text2num does not read: count words kept from the former English list
_EXTRA_WORDS = {0: ("no one", "none", "nobody", "no"), 1: ("single",),
                2: ("couple", "both", "pair"), 12: ("dozen", "douzaine", "docena", "dutzend")}
_EXTRAS = [(re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE), value)
           for value, words in _EXTRA_WORDS.items()]


@dataclass(frozen=True, slots=True)
class Figure:
    """A whole number stated in a text, at ``text[start:end]``. ``written`` is "digits",
    "words" or "count_word" (a word such as "none", "both" or "dozen" that states a count
    only in context)."""

    start: int
    end: int
    value: int
    written: str


def find_figures(text: str) -> list[Figure]:
    """Every whole number stated in ``text``, in order of place."""
    digits, masked = digit_figures(text)
    return sorted([*digits, *word_figures(masked)], key=lambda f: (f.start, -f.end))


def digit_figures(text: str) -> tuple[list[Figure], str]:
    """Figures written with digits, and the text with them masked (same length)."""
    text = _DIGIT.sub(lambda digit: str(unicodedata.digit(digit[0])), text)
    text = text.translate(_ARABIC_THOUSANDS)
    figures: list[Figure] = []
    masked = list(text)
    for match in _FIGURE.finditer(text):
        masked[match.start():match.end()] = _mask(match.end() - match.start())
        whole, sep = match["int"], match["sep"]
        fraction = match["frac"] or match["cfrac"] or "0"
        if sep == "." and match["scale"]:  # "1.200 million": a decimal point, not grouping
            whole, _, rest = whole.partition(".")
            fraction = rest.replace(".", "") + fraction
        elif sep:
            whole = whole.replace(sep, "")
        value = Fraction(f"{whole}.{fraction}")
        if match["scale"]:
            value *= _SCALES[match["scale"].strip().lower()]
        if value.denominator == 1:
            figures.append(Figure(match.start(), match.end(), int(value), "digits"))
    return figures, "".join(masked)


def _mask(length: int) -> str:
    """A figure's place kept as one word of the same length: " ### " ("#" alone for one)."""
    return " " + "#" * (length - 2) + " " if length > 1 else "#"


class _Word(Token):
    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text


def word_figures(text: str) -> list[Figure]:
    """Figures written in words in ``text``, whose digit figures ``digit_figures`` has
    masked (the slower reading: text2num in four languages)."""
    text = _PERCENT.sub(lambda m: "percent".ljust(len(m[0])), text)
    text = _NO_ONE.sub(lambda m: "nobody".ljust(len(m[0])), text)
    figures = [Figure(m.start(), m.end(), value, "count_word")
               for pattern, value in _EXTRAS for m in pattern.finditer(text)]
    matches = list(_WORD_TOKEN.finditer(text))
    words = [m[0].lower() for m in matches]
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
    seen: set[tuple[int, int]] = set()
    for language, o in found:
        first, alone = words[o.start], o.end - o.start == 1
        if (o.is_ordinal or not o.value.is_integer()
                or alone and first in _NOT_ALONE[language]
                or first in _BARE_SCALES and (o.start == 0 or words[o.start - 1] not in _ARTICLES)
                # part of a longer figure read in another language: "vingt et un", "doce mil"
                or before[o.start] >= o.end or longest[o.start] > o.end
                or (o.start, o.end) in seen):
            continue
        seen.add((o.start, o.end))
        figures.append(Figure(matches[o.start].start(), matches[o.end - 1].end(),
                              int(o.value), "words"))
    return figures
