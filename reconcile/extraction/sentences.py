"""A document cut into sentences and clauses with their place in the text, and the date that
its relative dates ("on Saturday", "last week") are read against.

Sentences come from ``syntok`` (a rule-based segmenter: ~5 ms per news article); lines that
are web addresses are left out, as their digits are never counts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from syntok import segmenter

from reconcile.extraction.cues import MONTHS

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# where a sentence with several figures divides into clauses
_CLAUSE_BREAK = re.compile(r"\s*[;:—–]\s+|\s+-\s+|,\s+(?=(?:and|but|while|with|adding|as|"
                           r"whereas|including)\b)")
_MIN_CLAUSE_WORDS = 5
_DATE_WRITTEN = [  # the formats a dateline or byline uses
    (re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<m>{MONTHS}),? (?P<y>(?:19|20)\d\d)\b",
                re.IGNORECASE), "d m y"),
    (re.compile(rf"\b(?P<m>{MONTHS}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*[,–—-]?\s*"
                rf"(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE), "m d y"),
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mm>\d\d)-(?P<d>\d\d)\b"), "iso"),
]
_HEAD_CHARACTERS = 600  # a dateline sits at the top


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` of a document."""

    start: int
    end: int


def sentences(text: str) -> list[Span]:
    """The document's sentences, in order, each a span of ``text``; web addresses masked."""
    masked = _URL.sub(lambda m: " " * len(m[0]), text)
    spans: list[Span] = []
    for paragraph in segmenter.analyze(masked):
        for sentence in paragraph:
            tokens = [token for token in sentence if token.value.strip()]
            if tokens:
                spans.append(Span(tokens[0].offset, tokens[-1].offset + len(tokens[-1].value)))
    return spans


def clause(text: str, sentence: Span, figure_start: int, figure_end: int) -> Span:
    """The clause of ``sentence`` holding the figure: the whole sentence unless it divides
    into clauses of at least a few words each."""
    cuts = [sentence.start]
    for match in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        cuts.append(match.start())
        cuts.append(match.end())
    cuts.append(sentence.end)
    pieces = [Span(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    for piece in pieces:
        if piece.start <= figure_start and figure_end <= piece.end:
            if len(text[piece.start:piece.end].split()) >= _MIN_CLAUSE_WORDS:
                return piece
            break
    return sentence


def document_date(text: str, name: str) -> dt.date | None:
    """The date a document was published, read from its dateline (the first date in its
    first lines) or else from an ISO date in its file name."""
    for source in (text[:_HEAD_CHARACTERS], name):
        found = [(match.start(), day) for pattern, order in _DATE_WRITTEN
                 for match in pattern.finditer(source)
                 if (day := _date(match, order)) is not None]
        if found:
            return min(found)[1]
    return None


def _date(match: re.Match[str], order: str) -> dt.date | None:
    month = int(match["mm"]) if order == "iso" else _month_number(match["m"])
    try:
        return dt.date(int(match["y"]), month, int(match["d"]))
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _month_number(name: str) -> int:
    return dt.datetime.strptime(name[:3].title(), "%b").month
