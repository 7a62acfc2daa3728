"""The draft of candidate claims: read the documents, propose each row's source and quantity
from the dataset's own tables, and write ``claims.draft.csv`` (never ``claims.csv``).

A row's ``status`` is left empty for the curator, who writes ``keep`` on the rows to accept
(``reconcile extract --accept``) after checking or filling ``quantity_id`` and ``source_id``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reconcile.dataset.csvfile import Table, read_table
from reconcile.dataset.documents import MAX_DOCUMENT_BYTES
from reconcile.dataset.layout import (
    CLAIM_COLUMNS, CLAIMS, DOCUMENTS, QUANTITIES, QUANTITY_COLUMNS, SOURCE_COLUMNS, SOURCES,
    every_column,
)
from reconcile.errors import DatasetError, InputIssue
from reconcile.extraction.candidates import Candidate, candidates
from reconcile.extraction.sentences import document_date
from reconcile.files import NotRegularFile, TooLarge, read_bounded
from reconcile.report.writing import spreadsheet_safe

DRAFT = "claims.draft.csv"
REVIEW_COLUMNS = ("status", "confidence", "outcome", "figure", "speaker", "relayed_by",
                  "as_of_text", "why")
DRAFT_COLUMNS = ("status", *every_column(CLAIM_COLUMNS), *REVIEW_COLUMNS[1:])
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"the", "a", "an", "of", "in", "and", "to", "for", "on", "at", "by", "from",
                   "s", "killed", "wounded", "dead", "people"})
_MATCH = 0.5  # share of a source name's words that a speaker must contain to be proposed


@dataclass(frozen=True)
class Draft:
    """The candidates of a dataset's documents and their proposed rows (draft columns)."""

    candidates: tuple[Candidate, ...]
    rows: tuple[dict[str, str], ...]
    texts: dict[str, str]  # document name -> text, for the review page


def draft_claims(data_dir: str | Path, terms: Iterable[str]) -> Draft:
    """Candidate claims for every document of ``data_dir`` (its ``documents/`` folder; the
    sources and quantities tables, when present and readable, supply the proposals).
    ``terms``: the vague words to look for (a configuration's lexicon will do)."""
    data_dir = Path(data_dir)
    folder = data_dir / DOCUMENTS
    if not folder.is_dir():
        raise DatasetError([InputIssue(DOCUMENTS, None, None, "the documents folder is missing.",
                                       "Put the source texts in DATA_DIR/documents/.")])
    sources = _table(data_dir / SOURCES, SOURCE_COLUMNS)
    quantities = _table(data_dir / QUANTITIES, QUANTITY_COLUMNS)
    published = _published(data_dir / CLAIMS)
    words = sorted(terms)
    found: list[Candidate] = []
    texts: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.is_symlink() or path.name.startswith("."):
            continue
        try:
            raw = read_bounded(path, MAX_DOCUMENT_BYTES)
        except (TooLarge, NotRegularFile) as exc:
            raise DatasetError([InputIssue(f"{DOCUMENTS}/{path.name}", None, None, f"{exc}.",
                                           "Split it or leave it out of documents/.")]) from exc
        text = raw.decode("utf-8", errors="replace")
        texts[path.name] = text
        date = published.get(path.name) or document_date(text, path.name)
        found.extend(candidates(path.name, text, date, words))
    rows = _rows(found, sources, quantities, published)
    return Draft(tuple(found), tuple(rows), texts)


def draft_csv(draft: Draft) -> str:
    """The draft as CSV text (formula-safe cells, the draft's columns)."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=DRAFT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in draft.rows:
        writer.writerow({column: spreadsheet_safe(cell) for column, cell in row.items()})
    return stream.getvalue()


def _table(path: Path, columns: tuple[tuple[str, ...], tuple[str, ...]]) -> Table:
    if not path.is_file():
        return Table(path.name)
    return read_table(path, *columns, issues=[])  # the proposals use what can be read


def _published(claims: Path) -> dict[str, dt.date]:
    """The date curated claims give each document (the most common ``published``)."""
    table = _table(claims, CLAIM_COLUMNS)
    dates: dict[str, Counter] = {}
    for row in table.rows:
        day = row.get("published")
        if re.fullmatch(r"\d{4}-\d\d-\d\d", day):
            dates.setdefault(row.get("document"), Counter())[day] += 1
    return {name: dt.date.fromisoformat(count.most_common(1)[0][0])
            for name, count in dates.items()}


def _rows(found: list[Candidate], sources: Table, quantities: Table,
          published: dict[str, dt.date]) -> list[dict[str, str]]:
    rows, used = [], Counter()
    names = {row.get("source_id"): _words(row.get("name")) | _words(row.get("source_id"))
             for row in sources.rows}
    for candidate in found:
        stem = re.sub(r"[^a-z0-9]+", "_", Path(candidate.document).stem.lower()).strip("_")
        used[stem] += 1
        via = _source(candidate.relayed_by, names)
        rows.append({
            "status": "", "claim_id": f"{stem or 'doc'}_{used[stem]}",
            "quantity_id": _quantity(candidate, quantities.rows),
            "source_id": _source(candidate.speaker, names), "via": via,
            "document": candidate.document, "quote": candidate.quote,
            "qualifier": candidate.qualifier, "value": _number(candidate.value),
            "low": _number(candidate.low), "high": _number(candidate.high),
            "term": candidate.term or "",
            "published": (published[candidate.document].isoformat()
                          if candidate.document in published else ""),
            "as_of": candidate.as_of or "", "notes": "",
            "confidence": f"{candidate.confidence:.2f}", "outcome": candidate.outcome,
            "figure": candidate_figure(candidate), "speaker": candidate.speaker or "",
            "relayed_by": candidate.relayed_by or "", "as_of_text": candidate.as_of_text or "",
            "why": candidate.why})
    return rows


def candidate_figure(candidate: Candidate) -> str:
    return candidate.quote[candidate.figure_start - candidate.quote_start:
                           candidate.figure_end - candidate.quote_start]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold().replace("_", " "))) - _STOP


def _source(speaker: str | None, names: dict[str, set[str]]) -> str:
    """The known source whose name the speaker's words cover best, if well enough."""
    if not speaker:
        return ""
    said = _words(speaker)
    scored = [(len(said & words) / len(words), source_id)
              for source_id, words in names.items() if words]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= _MATCH else ""


def _quantity(candidate: Candidate, quantities: list) -> str:
    """The quantity of the same outcome whose description and place share the most words (at
    least two) with the quote, or the only quantity of that outcome; else none."""
    said = _words(candidate.quote)
    scored = [(len(said & (_words(row.get("description")) | _words(row.get("place")))),
               row.get("quantity_id"))
              for row in quantities if row.get("outcome") == candidate.outcome]
    best = max(scored, default=(0, ""))
    return best[1] if best[0] >= 2 or len(scored) == 1 else ""
