"""What the words around a figure say about it: who said it, who relayed it, and the date it
counts to ("on Saturday", resolved against the document's date by ``dateparser``)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import lru_cache

from reconcile.extraction.cues import (
    ACCORDING_TO, CITING, NOT_A_SPEAKER_START, PRONOUNS, QUOTED_BY, REPORTED_BY, SAID_WHO, WHEN,
    WHO_SAID,
)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(rf"(?:on |this |by |since |(?P<last>last ))?(?P<day>{'|'.join(_WEEKDAYS)})")
_QUOTED_BY_CUT = re.compile(r",?\s*as quoted by .*$", re.IGNORECASE)
_TRAILING = re.compile(r"[\s,.;:'\"’”)]+$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_CUT_AT = re.compile(r"\s(?:on|in|at|that|to|from|as|who|with|after|before|during|told|"
                     r"said|says|reported|and)\s.*$", re.IGNORECASE)


def speaker_and_relay(sentence: str) -> tuple[str | None, str | None]:
    """The speaker the sentence names for its figures and the outlet that relayed them:
    "citing X, Y reported" (X said it, Y relayed it), "according to X", "X said", "said X";
    a closing "..., AFP reported" is the relay when someone else is the speaker."""
    citing = _who(CITING.search(sentence))
    according = _who(ACCORDING_TO.search(sentence))
    said = _who(WHO_SAID.search(_QUOTED_BY_CUT.sub("", sentence))) or _who(
        SAID_WHO.search(_QUOTED_BY_CUT.sub("", sentence)))
    reported = _who(QUOTED_BY.search(sentence)) or _who(REPORTED_BY.search(sentence))
    if citing:
        return citing, said if said and said != citing else reported
    speaker = according or said or reported
    relay = reported if reported and reported != speaker else None
    return speaker, relay


def _who(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    who = _CUT_AT.sub("", match["who"])
    who = _TRAILING.sub("", who).strip()
    words = who.casefold().split()
    if not words or words[-1] in PRONOUNS or words[0] in NOT_A_SPEAKER_START:
        return None
    if _LEADING_ARTICLE.sub("", who).casefold() in PRONOUNS:
        return None
    return who


def as_of(sentence: str, published: dt.date | None) -> tuple[str | None, str | None]:
    """The ISO date the sentence dates its figure to, and the words that date it; nothing
    when the document's date is unknown (a weekday alone cannot be placed)."""
    match = WHEN.search(sentence)
    if match is None or published is None:
        return None, None
    day = _resolve(match[0].casefold(), published)
    return (day.isoformat() if day else None), match[0]


@lru_cache(maxsize=4096)
def _resolve(phrase: str, published: dt.date) -> dt.date | None:
    import dateparser  # ~0.1 s to import: only when a document dates a figure

    weekday = _WEEKDAY.fullmatch(phrase)
    if weekday:  # the latest such day on or before publication ("on Saturday", a Saturday)
        back = (published.weekday() - _WEEKDAYS.index(weekday["day"])) % 7
        return published - dt.timedelta(days=back + 7 * bool(weekday["last"]))
    phrase = re.sub(r"^on\s+", "", phrase)
    base = dt.datetime.combine(published, dt.time(23, 59))
    with warnings.catch_warnings():  # dateparser's own deprecation notices
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(phrase, languages=["en"], settings={
            "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False})
    if parsed is None or parsed.date() > published:
        return None
    return parsed.date()
