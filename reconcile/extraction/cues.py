"""The English words that tell a casualty figure from other numbers: qualifiers, outcomes,
speakers and the numbers that are not counts of people (dates, money, measures, ages).

One home for the extractor's vocabulary. The figures themselves (digits in any script, "2K",
number words in four languages) are read by ``dataset/figures.py``; these cues are English,
the language of the seed documents and of most wire copy in the field.
"""

from __future__ import annotations

import re

# qualifier cues, read from the words just before a figure (longest first), as claims.csv's
# qualifier column names them
QUALIFIERS_BEFORE: tuple[tuple[str, str], ...] = tuple(sorted([
    ("more than", "more_than"), ("over", "more_than"), ("upwards of", "more_than"),
    ("in excess of", "more_than"), ("above", "more_than"), ("exceeding", "more_than"),
    ("crosses", "more_than"), ("passed", "more_than"), ("surpassed", "more_than"),
    ("at least", "at_least"), ("no fewer than", "at_least"), ("no less than", "at_least"),
    ("a minimum of", "at_least"),
    ("up to", "at_most"), ("as many as", "at_most"), ("at most", "at_most"),
    ("no more than", "at_most"),
    ("fewer than", "fewer_than"), ("less than", "fewer_than"), ("under", "fewer_than"),
    ("nearly", "nearly"), ("almost", "nearly"), ("close to", "nearly"),
    ("just under", "nearly"), ("approaching", "nearly"),
    ("about", "about"), ("around", "about"), ("approximately", "about"), ("some", "about"),
    ("roughly", "about"), ("an estimated", "about"), ("estimated", "about"),
    ("circa", "about"), ("approx.", "about"), ("~", "about"), ("c.", "about"),
], key=lambda cue: -len(cue[0])))
QUALIFIERS_AFTER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:-| )?plus\b|^\+|^ or more\b", re.IGNORECASE), "at_least"),
)
# "five or six", "5-6", "between 40 and 50": two figures joined into one range
RANGE_JOINS = re.compile(r"^\s*(?:or|to|-|–|—|and)\s*$", re.IGNORECASE)
RANGE_OPEN = re.compile(r"\bbetween\s*$", re.IGNORECASE)
# "rose from 40 to 78" is two tolls, not a range
TOLL_RISE = re.compile(r"\b(?:rose|risen|rising|climbed|jumped|increased|grew|grown|from)\b",
                       re.IGNORECASE)

# outcome words (claims.csv's outcome vocabulary), the longest first
_OUTCOME_WORDS = {
    "killed": ("killed", "killing", "kill", "kills", "dead", "deaths", "death toll", "died",
               "die", "dies", "lost their lives", "lost his life", "lost her life", "lives",
               "bodies", "corpses", "martyred", "martyrs", "slain", "perished", "fatalities",
               "executed", "massacred", "toll", "lost", "losses", "death"),
    "wounded": ("wounded", "wounding", "injured", "injuring", "injuries", "hurt", "maimed",
                "suffering injuries", "in serious condition", "in critical condition",
                "hospitalized", "hospitalised"),
    "captured": ("captured", "capturing", "taken prisoner", "prisoners", "abducted",
                 "kidnapped", "hostages"),
    "missing": ("missing", "unaccounted for"),
    "casualties": ("casualties", "casualty"),
}
OUTCOME_OF = {word: outcome for outcome, words in _OUTCOME_WORDS.items() for word in words}
OUTCOME_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in sorted(OUTCOME_OF, key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
# outcome words that name a count only when the figure is their object ("lost 80 officers")
WEAK_OUTCOMES = frozenset({"lost", "losses", "toll", "lives", "death"})

# nouns for people: a figure before one of them counts people
PEOPLE = re.compile(
    r"^\W*(?:[\w'’-]+\s+){0,4}?(?:people|persons|civilians|soldiers|troops|fighters|militants|"
    r"militiamen|militia|members|officers|commanders|personnel|men|women|children|residents|"
    r"refugees|workers|rebels|insurgents|guards|policemen|police|jihadists|servicemen|"
    r"combatants|others|victims|nationals|citizens|Iranians|Afghans|Iraqis|Syrians|"
    r"Palestinians|individuals|babies|newborns|infants|girls|boys|students|pupils|patients|"
    r"journalists|reporters|doctors|nurses|medics|paramedics|staff|staffers|employees|"
    r"volunteers|veterans|protesters|demonstrators|pilgrims|worshippers|passengers|migrants|"
    r"villagers|farmers|fishermen|miners|tourists|visitors|advisors|advisers|recruits|"
    r"conscripts|gunmen|attackers|assailants|bombers|terrorists|cadets|crew|crewmen|"
    r"sailors|marines|airmen|mercenaries|volunteers|family|families|relatives)\b",
    re.IGNORECASE)

# a toll's figure: "the death toll ... has risen to 40", "the toll stood at 30"
TOLL_REACHED = re.compile(
    r"\btoll\b[^.;!?]*?\b(?:rose|rises|risen|rising|increased|increases|reached|reaches|"
    r"climbed|climbs|grew|grows|grown|jumped|stood|stands|hit|hits|crossed|crosses|passed|"
    r"surpassed|is|was|of)\b(?:\s+(?:to|at))?\s*$", re.IGNORECASE)
# words that may follow a count of people ("16 more people", "over 100 have died"); another
# lowercase word there names a thing ("130 health institutions", "dozens of houses")
AFTER_A_COUNT = frozenset({
    "were", "was", "have", "has", "had", "are", "is", "be", "been", "more", "other", "others",
    "of", "in", "at", "and", "or", "on", "by", "from", "to", "with", "as", "so", "since",
    "during", "still", "also", "who", "among", "including", "while", "but", "said", "says",
    "this", "that", "last", "overall", "total", "altogether", "each",
    "will", "would", "may", "could", "reportedly", "allegedly", "died", "remain", "fled",
    "lost", "lay", "survived", "dead", "killed"})

# the word after a figure that makes it something else than a count of people: a unit right
# after it ("3 km", "25 years"), a thing within two words ("four armored vehicles")
NOT_PEOPLE_AFTER = re.compile(
    r"^\s*(?:%|percent|per cent|years?\b|year-old|-year|months?\b|weeks?\b|days?\b|"
    r"hours?\b|minutes?\b|seconds?\b|km|kilomet|miles?\b|metres|meters|m\b|kg|tons|tonnes|"
    r"dollars|euros|pounds|rials|lira|dinars|usd|\$|gmt|utc|am\b|pm\b|a\.m|p\.m|"
    r"o'clock|square|sq|mm|cm|magnitude|points|seats|votes|times\b|st\b|nd\b|rd\b|th\b|"
    r"(?:[\w'’-]+\s+){0,2}?(?:vehicles|tanks|aircraft|planes|jets|helicopters|missiles|"
    r"rockets|shells|bombs|drones|buildings|homes|houses|apartments|villages|towns|"
    r"positions|checkpoints)\b)",
    re.IGNORECASE)
NOT_PEOPLE_BEFORE = re.compile(
    r"(?:\$|€|£|usd|aged|age of|ages of|magnitude|part|no\.|number|page|chapter|resolution|"
    r"article|route|highway|flight|room|version|issue|volume|update|since)\s*$",
    re.IGNORECASE)
MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_BEFORE = re.compile(rf"\b{MONTHS}\.?\s*$", re.IGNORECASE)  # "May 11"
DATE_AFTER = re.compile(rf"^(?:st|nd|rd|th)?,?\s*{MONTHS}\b|^\s*[:/]\d", re.IGNORECASE)
# a figure that is the subject of a speech verb is a speaker ("One blogger said"), and "one
# of the members" is not a count
SPEAKER_AFTER = re.compile(r"^\s*(?:(?!(?:were|was|are|is|been|be|being)\b)[\w'’-]+\s+){0,4}?"
                           r"(?:said|says|claimed|claims|told|reported|wrote)\b", re.IGNORECASE)
ONE_OF = re.compile(r"^\s*of\b", re.IGNORECASE)
# count of detainees, arrests, strength of a force: numbers of people that are not casualties
NOT_CASUALTY = re.compile(r"\b(?:arrest\w*|detain\w*|detainees|deploy\w*|sent|send\w*|"
                          r"strength|recruit\w*|evacuat\w*|displaced|homeless|rescued|"
                          r"released|freed|population|inhabitants|comments?|inmates|transfer)\b",
                          re.IGNORECASE)

# speakers: "according to X", "X said", "said X", "citing X", "X reported"
SPEECH_VERBS = (r"(?:said|says|say|told|tells|claimed|claims|reported|reports|announced|"
                r"announces|confirmed|confirms|admitted|admits|stated|states|revealed|"
                r"acknowledged|acknowledges|declared|declares|wrote|writes|added|estimated)")
ACCORDING_TO = re.compile(r"\baccording to (?P<who>(?:the )?[\w'’.-]+(?: [\w'’.-]+){0,5})",
                          re.IGNORECASE)
CITING = re.compile(r"\b(?:citing|quoting) (?P<who>(?:the )?[\w'’.-]+"
                    r"(?: [\w'’.-]+){0,5})", re.IGNORECASE)
WHO_SAID = re.compile(rf"(?P<who>(?:(?:[Tt]he|[Aa]n?) |[A-Z])[\w'’.-]*(?: [\w'’.-]+){{0,6}}?) "
                      rf"(?:has |have |had )?(?:also |now |later |earlier )?{SPEECH_VERBS}\b")
SAID_WHO = re.compile(rf"[,\"”]\s*(?:said|says|added|reported),? "
                      rf"(?P<who>the [\w'’.-]+(?: [\w'’.-]+){{0,4}}|"
                      rf"[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){{0,4}})")
QUOTED_BY = re.compile(r"\bas quoted by (?P<who>(?:the )?[\w'’.-]+(?: [\w'’.-]+){0,5})",
                       re.IGNORECASE)
REPORTED_BY = re.compile(r",? (?P<who>[A-Z][\w'’.&-]*(?: [A-Z][\w'’.&-]*){0,3}) "
                         r"(?:reported|reports|said|says)\W*$")
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "the", "this", "that", "which",
                      "who", "there", "officials", "sources"})
NOT_A_SPEAKER_START = frozenset({"to", "it", "in", "on", "however", "but", "and", "if", "as",
                                 "when", "after", "before", "while", "since", "although", "so"})

# relative dates in a sentence, resolved against the document's date by dateparser
WHEN = re.compile(
    rf"\b(?:(?:on|last|this|since|by) )?(?:monday|tuesday|wednesday|thursday|friday|saturday|"
    rf"sunday)\b|\b(?:yesterday|today|tonight|last night|last week|this week|earlier this week)"
    rf"\b|\b(?:on )?\d{{1,2}}(?:st|nd|rd|th)? {MONTHS}\b|\b{MONTHS} \d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE)
