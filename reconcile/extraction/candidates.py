"""Candidate claims in one document: each casualty figure with its quote, qualifier, outcome,
speaker, relay and date, and a confidence; numbers that are not counts of people are left out.

The reading is rule-based and explains itself (``why``): a curator reviews every row, so a
rule that can be checked beats a model that cannot. The confidence orders the review; it is
not a probability.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reconcile.dataset.figures import Figure, find_figures
from reconcile.extraction import cues
from reconcile.extraction.context import as_of, speaker_and_relay
from reconcile.extraction.sentences import Span, clause, sentences

_FAR = 10**6
_NEAR_WORDS = 2  # "killing 55", "deaths of 250", "13 dead": an outcome this close is attached
_YEARS = range(1900, 2101)
_LINE_BREAK = re.compile(r"[^,\s]([ \t]*\n\s*)(?=[A-Z0-9\"“])")
_SPACE_OR_QUOTE = " \t\n\"'“”‘’("


@dataclass(frozen=True, slots=True)
class Candidate:
    """One casualty figure proposed from a document (offsets index the document's text)."""

    document: str
    quote_start: int
    quote_end: int
    figure_start: int
    figure_end: int
    quote: str
    qualifier: str
    value: int | None
    low: int | None
    high: int | None
    term: str | None
    outcome: str
    speaker: str | None
    relayed_by: str | None
    as_of: str | None
    as_of_text: str | None
    confidence: float
    why: str


@dataclass(frozen=True, slots=True)
class _Item:
    """A figure, a range of two figures, or a vague term, within one sentence."""

    start: int
    end: int
    value: int | None = None
    low: int | None = None
    high: int | None = None
    term: str | None = None


def candidates(document: str, text: str, published: dt.date | None,
               terms: Iterable[str]) -> list[Candidate]:
    """Every casualty figure of ``text`` as a candidate claim, in the document's order."""
    term_pattern = _term_pattern(terms)
    found: list[Candidate] = []
    last_speaker: str | None = None
    for sentence in _lines(text, sentences(text)):
        words = text[sentence.start:sentence.end]
        speaker, relay = speaker_and_relay(words)
        if speaker is None and re.match(r"^\W*(?:he|she|they)\b", words, re.IGNORECASE):
            speaker = last_speaker  # "He said 12 bodies ...": the sentence before named him
        last_speaker = speaker
        items = _items(words, term_pattern)
        for index, item in enumerate(items):
            previous_end = items[index - 1].end if index else 0
            following = items[index + 1].start if index + 1 < len(items) else len(words)
            candidate = _read(document, text, sentence, words, item, previous_end, following,
                              published, speaker, relay)
            if candidate is not None:
                found.append(candidate)
    return found


def _lines(text: str, spans: list[Span]) -> list[Span]:
    """Sentences cut again at a line break before a capital or a digit: a headline or a
    dateline has no full stop, but is a sentence of its own."""
    out: list[Span] = []
    for span in spans:
        start = span.start
        for match in _LINE_BREAK.finditer(text[span.start:span.end]):
            cut = span.start + match.start(1)
            out.append(Span(start, cut))
            start = span.start + match.end(1)
        out.append(Span(start, span.end))
    return out


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({" ".join(term.split()) for term in terms}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
                      + r")\b", re.IGNORECASE)


def _items(words: str, term_pattern: re.Pattern[str] | None) -> list[_Item]:
    """The sentence's figures (two joined into a range: "five or six", "between 40 and 50")
    and vague terms, in order; number words that state a count only in context ("both",
    "none") are left to the curator."""
    figures = [f for f in find_figures(words) if f.written != "count_word"]
    items: list[_Item] = []
    skip = False
    for first, second in zip(figures, [*figures[1:], None]):
        if skip:
            skip = False
            continue
        if second is not None and _joined(words, first, second):
            items.append(_Item(first.start, second.end, low=first.value, high=second.value))
            skip = True
        else:
            items.append(_Item(first.start, first.end, value=first.value))
    if term_pattern is not None:
        for match in term_pattern.finditer(words):
            if not any(i.start < match.end() and match.start() < i.end for i in items):
                items.append(_Item(match.start(), match.end(), term=" ".join(match[0].split())))
    return sorted(items, key=lambda item: item.start)


def _joined(words: str, first: Figure, second: Figure) -> bool:
    between = words[first.end:second.start]
    if not cues.RANGE_JOINS.match(between) or not first.value < second.value <= 10 * first.value:
        return False
    if between.strip().casefold() == "and":
        return bool(cues.RANGE_OPEN.search(words[:first.start]))
    return not (between.strip().casefold() == "to"
                and cues.TOLL_RISE.search(words[max(0, first.start - 40):first.start]))


def _read(document: str, text: str, sentence: Span, words: str, item: _Item, previous_end: int,
          following: int, published: dt.date | None, speaker: str | None,
          relay: str | None) -> Candidate | None:
    before, after = words[:item.start], words[item.end:]
    if item.term is None and _not_a_count(words, item, before, after):
        return None
    qualifier, before_figure = _qualifier(item, before, after)
    outcome, how = _outcome(words, before_figure, item, previous_end, following)
    if outcome is None or how != "attached" and _names_a_thing(after):
        return None
    confidence = {"attached": 0.7, "after": 0.6, "before": 0.45, "later": 0.4}[how]
    reasons = [f"outcome {outcome!r} {how}"]
    if cues.PEOPLE.match(after):
        confidence += 0.1
        reasons.append("people named")
    if cues.NOT_CASUALTY.search(words[previous_end:following]):
        if how != "attached":  # "thousands of troops sent", "three journalists ... freed"
            return None
        confidence -= 0.25
        reasons.append("words of detention, deployment or displacement near")
    if speaker:
        confidence += 0.1
    if qualifier != "exact" and item.term is None:
        reasons.append(f"qualifier {qualifier!r}")
    part = clause(text, sentence, sentence.start + item.start, sentence.start + item.end)
    date, date_words = as_of(words, published)
    return Candidate(
        document=document, quote_start=part.start, quote_end=part.end,
        figure_start=sentence.start + item.start, figure_end=sentence.start + item.end,
        quote=text[part.start:part.end], qualifier=qualifier, value=item.value, low=item.low,
        high=item.high, term=item.term, outcome=outcome, speaker=speaker, relayed_by=relay,
        as_of=date, as_of_text=date_words, confidence=round(min(max(confidence, 0.05), 0.95), 2),
        why="; ".join(reasons))


def _not_a_count(words: str, item: _Item, before: str, after: str) -> bool:
    """A date, a time, a year, an age, money, a measure, a percentage, a number of things."""
    figure = words[item.start:item.end]
    if item.value in _YEARS and figure.isdigit() and not cues.PEOPLE.match(after):
        return True
    return bool(cues.NOT_PEOPLE_AFTER.match(after) or cues.NOT_PEOPLE_BEFORE.search(before)
                or cues.DATE_BEFORE.search(before) or cues.DATE_AFTER.match(after)
                or cues.SPEAKER_AFTER.match(after) or item.value == 1 and cues.ONE_OF.match(after)
                or re.search(r"[\w/.#\[-]$", before) or re.match(r"[\w/#\]]", after)
                or re.match(r"-(?!plus\b)[^\W\d]", after))  # "100-bed", "7-day"


def _names_a_thing(after: str) -> bool:
    """Does the figure count things ("130 health institutions", "dozens of houses")? Only a
    lowercase word that is neither a person nor a word that may follow a count says so."""
    rest = re.sub(r"^\s*of\s+(?:(?:the|its|their|his|her)\s+)?", " ", after)
    if cues.PEOPLE.match(rest):
        return False
    word = re.match(r"\s+([a-z][\w'’-]*)", rest)
    return bool(word) and word[1] not in cues.AFTER_A_COUNT and not word[1].endswith("ed")


def _qualifier(item: _Item, before: str, after: str) -> tuple[str, str]:
    """The qualifier, and the text before the figure without it."""
    if item.term is not None:
        return "vague", before
    if item.low is not None:
        return "range", before
    stripped = before.rstrip(_SPACE_OR_QUOTE)
    for cue, qualifier in cues.QUALIFIERS_BEFORE:
        if stripped.casefold().endswith(cue) and (
                len(stripped) == len(cue) or not stripped[-len(cue) - 1].isalnum()):
            return qualifier, stripped[:-len(cue)]
    for pattern, qualifier in cues.QUALIFIERS_AFTER:
        if pattern.match(after):
            return qualifier, before
    return "exact", before


def _outcome(words: str, before: str, item: _Item, previous_end: int,
             following: int) -> tuple[str | None, str]:
    """The outcome the figure counts, and how it attaches: a word just after it ("13 dead")
    or just before it ("killing 55"), else the first outcome after it before the next figure,
    else the last one before it in the sentence ("the death toll ... has risen to 40")."""
    if cues.TOLL_REACHED.search(before, previous_end):
        return "killed", "attached"
    after_matches = [m for m in cues.OUTCOME_PATTERN.finditer(words, item.end, following)]
    before_matches = [m for m in cues.OUTCOME_PATTERN.finditer(before, previous_end)]
    gap_after = (_words_between(words[item.end:after_matches[0].start()])
                 if after_matches else _FAR)
    gap_before = (_words_between(before[before_matches[-1].end():])
                  if before_matches else _FAR)
    if min(gap_after, gap_before) <= _NEAR_WORDS:  # the closer one; a tie goes after
        nearest = after_matches[0] if gap_after <= gap_before else before_matches[-1]
        return cues.OUTCOME_OF[nearest[0].casefold()], "attached"
    strong = [m for m in after_matches if m[0].casefold() not in cues.WEAK_OUTCOMES]
    if strong:
        return cues.OUTCOME_OF[strong[0][0].casefold()], "after"
    everything_before = list(cues.OUTCOME_PATTERN.finditer(before))
    if everything_before:
        return cues.OUTCOME_OF[everything_before[-1][0].casefold()], "before"
    later = [m for m in cues.OUTCOME_PATTERN.finditer(words, following)
             if m[0].casefold() not in cues.WEAK_OUTCOMES]
    if later:  # "At least 13 refugees, including at least two Palestinians, were ... killed"
        return cues.OUTCOME_OF[later[0][0].casefold()], "later"
    return None, ""


def _words_between(text: str) -> int:
    """Words between a figure and an outcome word; a conjunction or comma between them counts
    extra, as the outcome then more likely belongs to the other figure ("missing and 5,000
    injured")."""
    joined = bool(re.search(r"\band\b|,", text))
    return len(re.findall(r"[\w'’-]+", text)) + 2 * joined
