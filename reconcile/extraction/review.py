"""The review page of a draft (``claims.draft.html``): each document with its candidate
figures highlighted and numbered like the draft's rows, so that a curator can judge a row
without opening the files. Document text is untrusted: Jinja escapes every piece of it."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from reconcile import __version__
from reconcile.extraction.draft import Draft

REVIEW = "claims.draft.html"


@dataclass(frozen=True)
class Piece:
    """A run of a document's text: plain, inside a candidate's quote, or its figure."""

    text: str
    kind: str  # "plain", "quote" or "figure"
    row: int = 0  # for a figure: its row in claims.draft.csv as a spreadsheet shows it


def review_html(draft: Draft, data_dir_name: str) -> str:
    """The page: a table of the draft's rows, then each document marked up."""
    documents = []
    for name, text in draft.texts.items():
        marks = [(c, number) for number, c in enumerate(draft.candidates, start=2)
                 if c.document == name]  # the draft's header is row 1
        if marks:
            documents.append({"name": name, "pieces": _pieces(text, marks)})
    env = jinja2.Environment(loader=jinja2.PackageLoader("reconcile", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("claims_draft.html.j2").render(
        rows=list(enumerate(draft.rows, start=2)), documents=documents, dataset=data_dir_name, version=__version__,
        n_documents=len(draft.texts))


def _pieces(text: str, marks: list) -> list[Piece]:
    """Cut ``text`` at every quote's and figure's ends; each piece takes the strongest mark
    covering it (a figure over a quote over plain text)."""
    cuts = {0, len(text)}
    for candidate, _ in marks:
        cuts |= {candidate.quote_start, candidate.quote_end, candidate.figure_start,
                 candidate.figure_end}
    edges = sorted(cuts)
    pieces: list[Piece] = []
    for start, end in zip(edges, edges[1:]):
        figure = next((number for c, number in marks
                       if c.figure_start <= start and end <= c.figure_end), 0)
        quoted = any(c.quote_start <= start and end <= c.quote_end for c, _ in marks)
        kind = "figure" if figure else "quote" if quoted else "plain"
        pieces.append(Piece(text[start:end], kind, figure))
    return pieces
