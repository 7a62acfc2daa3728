"""Load a dataset folder, check every rule of the format, and build the validated Dataset.

All problems are collected in one pass (``check_dataset`` returns them; ``load_dataset``
raises DatasetError with all of them). Nothing is ever written to the dataset folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from reconcile.config import ModelConfig, load_config
from reconcile.dataset.csvfile import Table, read_table
from reconcile.dataset.fields import Cells, parse_date
from reconcile.dataset.quotes import fold, mentions_number, mentions_term, quote_in_document
from reconcile.dataset.records import (
    OUTCOMES, QUALIFIERS, VALUE_QUALIFIERS, Claim, Dataset, Observation, Quantity, Source,
)
from reconcile.errors import DatasetError, InputIssue, Issues
from reconcile.files import NotRegularFile, TooLarge, is_inside, read_bounded

SOURCES = "sources.csv"
QUANTITIES = "quantities.csv"
CLAIMS = "claims.csv"
DOCUMENTS = "documents"
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

SOURCE_COLUMNS = (("source_id", "name", "kind"), ("side",))
QUANTITY_COLUMNS = (
    ("quantity_id", "description", "outcome"),
    ("side", "start", "end", "place", "parent", "complete"),
)
CLAIM_COLUMNS = (
    ("claim_id", "quantity_id", "source_id", "document", "quote", "qualifier"),
    ("via", "value", "low", "high", "term", "published", "notes"),
)
# A child's outcome must be the parent's, or part of it (casualties = killed + wounded).
_CHILD_OUTCOMES = {"casualties": {"casualties", "killed", "wounded"}}


def load_dataset(data_dir: str | Path, config: ModelConfig | None = None) -> Dataset:
    """Validate ``data_dir`` and return the immutable Dataset, or raise DatasetError.

    ``config`` supplies the vague-word lexicon (the packaged default when omitted).
    """
    dataset, issues = _load(Path(data_dir), config or load_config())
    if issues:
        raise DatasetError(issues)
    assert dataset is not None
    return dataset


def check_dataset(data_dir: str | Path, config: ModelConfig | None = None) -> list[InputIssue]:
    """Every problem in ``data_dir`` (empty when valid)."""
    return _load(Path(data_dir), config or load_config())[1]


def _load(data_dir: Path, config: ModelConfig) -> tuple[Dataset | None, list[InputIssue]]:
    issues = Issues()
    try:
        is_dir = data_dir.is_dir()
    except OSError:  # e.g. a name too long for the file system
        is_dir = False
    if not is_dir:
        issues.append(InputIssue(str(data_dir), None, None, "is not a dataset folder.",
                                 "Give a folder holding sources.csv, quantities.csv, claims.csv "
                                 "and documents/."))
        return None, issues
    root = data_dir.resolve()
    tables = {
        name: read_table(data_dir / name, *columns, issues, root=root)
        for name, columns in ((SOURCES, SOURCE_COLUMNS), (QUANTITIES, QUANTITY_COLUMNS),
                              (CLAIMS, CLAIM_COLUMNS))
    }
    documents = _Documents(data_dir / DOCUMENTS, root, issues)
    sources = _sources(tables[SOURCES], issues)
    quantities = _quantities(tables[QUANTITIES], issues)
    declared = {  # ids on rows that failed validation: their errors are reported there;
        # None for a table that could not be read at all (no follow-on "unknown id" errors)
        name: {row.get(column) for row in tables[name].rows} if tables[name].columns else None
        for name, column in ((SOURCES, "source_id"), (QUANTITIES, "quantity_id"))
    }
    claims = _claims(tables[CLAIMS], sources, quantities, documents, config, issues, declared)
    if issues or issues.not_kept:
        return None, issues
    hashes = {name: table.sha256 for name, table in tables.items()}
    hashes |= {f"{DOCUMENTS}/{name}": documents.sha256[name]
               for name in sorted({c.document for c in claims})}
    dataset = Dataset(
        sources=tuple(sources.values()),
        quantities=tuple(quantities.values()),
        claims=tuple(claims),
        name=root.name,
        input_hashes=MappingProxyType(hashes),
    )
    return dataset, issues


def _is_duplicate(cells: Cells, column: str, identifier: str, first_row: dict[str, int],
                  what: str) -> bool:
    """Report an id seen on an earlier row; otherwise remember where it was first used."""
    if identifier in first_row:
        cells.problem(column, f"{identifier!r} is already used on row {first_row[identifier]}.",
                      f"{what} ids must be unique.")
        return True
    first_row[identifier] = cells.row.number
    return False


# --- sources.csv ---------------------------------------------------------------------------
def _sources(table: Table, issues: list[InputIssue]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    first_row: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(SOURCES, row, issues)
        source_id = cells.slug("source_id", required=True)
        name = cells.text("name", required=True)
        kind = cells.slug("kind", required=True)
        side = cells.slug("side")
        if source_id is None or _is_duplicate(cells, "source_id", source_id, first_row, "Source"):
            continue
        if name and kind:
            sources[source_id] = Source(source_id, name, kind, side)
    return sources


# --- quantities.csv ------------------------------------------------------------------------
def _quantities(table: Table, issues: list[InputIssue]) -> dict[str, Quantity]:
    quantities: dict[str, Quantity] = {}
    rows: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(QUANTITIES, row, issues)
        quantity_id = cells.slug("quantity_id", required=True)
        description = cells.text("description", required=True)
        outcome = cells.choice("outcome", OUTCOMES)
        side = cells.slug("side")
        start, end = cells.date("start"), cells.date("end")
        parent = cells.slug("parent")
        complete = cells.boolean("complete")
        if start and end and parse_date(start)[0] > parse_date(end)[1]:
            cells.problem("end", f"the period ends ({end}) before it starts ({start}).",
                          "Swap start and end, or correct the dates.")
        if quantity_id is None or _is_duplicate(cells, "quantity_id", quantity_id, rows, "Quantity"):
            continue
        if parent == quantity_id:
            cells.problem("parent", "a quantity cannot be its own parent.", "Clear the parent.")
            parent = None
        if description and outcome:
            quantities[quantity_id] = Quantity(quantity_id, description, outcome, side, start,
                                               end, cells.text("place") or None, parent, complete)
    _check_forest(quantities, rows, issues)
    return quantities


def _check_forest(quantities: dict[str, Quantity], rows: dict[str, int],
                  issues: list[InputIssue]) -> None:
    """Known parents, no cycles, compatible outcomes and sides, complete parents have kids."""
    def problem(qid: str, column: str, message: str, hint: str = "") -> None:
        issues.append(InputIssue(QUANTITIES, rows[qid], column, message, hint))

    has_children: set[str] = set()
    for q in quantities.values():
        if not q.parent:
            continue
        parent = quantities.get(q.parent)
        if parent is None:
            hint = ("Add it to quantities.csv or clear the parent." if q.parent not in rows
                    else "Fix the errors on the parent's row first.")
            problem(q.quantity_id, "parent", f"unknown quantity {q.parent!r}.", hint)
            continue
        has_children.add(q.parent)
        allowed = _CHILD_OUTCOMES.get(parent.outcome, {parent.outcome})
        if q.outcome not in allowed:
            problem(q.quantity_id, "outcome",
                    f"a {q.outcome!r} count cannot be part of {q.parent!r}, which counts "
                    f"{parent.outcome!r}.",
                    "A child counts the same outcome as its parent, or killed/wounded inside "
                    "casualties.")
        if parent.side and q.side != parent.side:
            problem(q.quantity_id, "side",
                    f"side {q.side or '(empty)'!r} differs from its parent {q.parent!r} "
                    f"(side {parent.side!r}).",
                    "A part of a count is losses of the same side; fix the side or the parent.")
    for q in quantities.values():
        if q.complete and q.quantity_id not in has_children:
            problem(q.quantity_id, "complete",
                    "marked complete but no quantity names it as parent.",
                    "Add its parts (e.g. killed and wounded) with parent set to it, or clear "
                    "complete.")
    reported: set[str] = set()
    for start in quantities:
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = start
        while current and current in quantities and current not in seen:
            seen.add(current)
            path.append(current)
            current = quantities[current].parent
        if current in seen and current not in reported:
            cycle = path[path.index(current):]
            reported.update(cycle)
            problem(current, "parent",
                    "the parent links form a cycle: " + " -> ".join(cycle + [current]) + ".",
                    "Parents must form a forest (a battle inside a period inside a total); "
                    "break the cycle.")


# --- claims.csv ----------------------------------------------------------------------------
def _claims(table: Table, sources: dict[str, Source], quantities: dict[str, Quantity],
            documents: _Documents, config: ModelConfig, issues: list[InputIssue],
            declared: dict[str, set[str] | None]) -> list[Claim]:
    claims: list[Claim] = []
    rows: dict[str, int] = {}
    quotes: list[tuple[str, str, Cells]] = []
    for row in table.rows:
        cells = Cells(CLAIMS, row, issues)
        claim_id = cells.slug("claim_id", required=True)
        quantity_id = cells.slug("quantity_id", required=True)
        source_id = cells.slug("source_id", required=True)
        qualifier = cells.choice("qualifier", QUALIFIERS)
        value, low, high = cells.count("value"), cells.count("low"), cells.count("high")
        term = cells.text("term") or None
        published = cells.date("published")
        via = _via(cells, sources, source_id, declared[SOURCES])
        if _unknown(quantity_id, quantities, declared[QUANTITIES]):
            cells.problem("quantity_id", f"unknown quantity {quantity_id!r}.",
                          "Add it to quantities.csv or fix the id.")
        if _unknown(source_id, sources, declared[SOURCES]):
            cells.problem("source_id", f"unknown source {source_id!r}.",
                          "Add it to sources.csv or fix the id.")
        observation = _observation(cells, qualifier, value, low, high, term, config)
        document = _document_name(cells)
        quote = cells.text("quote", required=True)
        if document and quote:
            quotes.append((document, quote, cells))
        if quote and observation is not None:
            _check_quote_states_figure(cells, quote, qualifier, value, low, high, term)
        if claim_id and _is_duplicate(cells, "claim_id", claim_id, rows, "Claim"):
            continue
        if None in (claim_id, quantity_id, source_id, observation, document) or not quote:
            continue
        claims.append(Claim(
            claim_id=claim_id, quantity_id=quantity_id, source_id=source_id,
            qualifier=qualifier, observation=observation, document=document, quote=quote,
            via=via, value=value, low=low, high=high, term=term, published=published,
            notes=cells.text("notes") or None, row=row.number,
        ))
    documents.check_quotes(quotes)
    return claims


def _unknown(identifier: str | None, known: dict, declared: set[str] | None) -> bool:
    """An id that names no record (None: the table could not be read, so nothing is known)."""
    return bool(identifier) and declared is not None and identifier not in known \
        and identifier not in declared


def _via(cells: Cells, sources: dict[str, Source], source_id: str | None,
         declared: set[str] | None) -> tuple[str, ...]:
    raw = cells.text("via")
    if not raw:
        return ()
    relays = tuple(part.strip() for part in raw.split(";") if part.strip())
    for relay in relays:
        if relay == source_id:
            cells.problem("via", f"{relay!r} is the claim's own source.",
                          "via lists only the outlets that relayed the statement.")
        elif _unknown(relay, sources, declared):
            cells.problem("via", f"unknown source {relay!r}.",
                          "Every relaying outlet must be in sources.csv; separate ids with ';'.")
    if len(set(relays)) != len(relays):
        cells.problem("via", "lists the same outlet twice.", "Keep each relay once.")
    return relays


def _observation(cells: Cells, qualifier: str | None, value: int | None, low: int | None,
                 high: int | None, term: str | None, config: ModelConfig) -> Observation | None:
    if qualifier is None:
        return None
    ok = True
    if qualifier in VALUE_QUALIFIERS:
        if value is None:
            if not cells.row.get("value"):
                cells.problem("value", f"is empty; qualifier {qualifier!r} needs the number "
                              "as stated.", "Fill in the value.")
            ok = False
        for column in ("low", "high"):
            if cells.row.get(column):
                cells.problem(column, f"must be empty for qualifier {qualifier!r}.",
                              "Use qualifier 'range' for two bounds.")
                ok = False
        if qualifier == "fewer_than" and value == 0:
            cells.problem("value", "'fewer than 0' is impossible.",
                          "Check the value or the qualifier.")
            ok = False
        if not ok:
            return None
        return Observation.from_qualifier(qualifier, value, None, None)
    if cells.row.get("value"):
        cells.problem("value", f"must be empty for qualifier {qualifier!r}.",
                      "Put the bounds in low and high.")
        ok = False
    if qualifier == "range":
        for column, bound in (("low", low), ("high", high)):
            if bound is None:
                if not cells.row.get(column):  # an invalid number is reported already
                    cells.problem(column, "is empty; a range needs low and high.",
                                  "'five or six' is low 5, high 6.")
                ok = False
    else:  # vague
        if not term:
            cells.problem("term", "is empty; a vague claim needs the word used.",
                          "e.g. dozens, hundreds, several.")
            return None
        if low is None and high is None and not (cells.row.get("low") or cells.row.get("high")):
            entry = config.lookup_term(term)
            if entry is None:
                import difflib

                close = difflib.get_close_matches(term.casefold(), list(config.lexicon), n=1)
                cells.problem("term", f"{term!r} is not in the model configuration's lexicon.",
                              (f"Did you mean {close[0]!r}? " if close else "")
                              + "Add low/high to the claim, or the term to the lexicon; known: "
                              + ", ".join(sorted(config.lexicon)) + ".")
                return None
            low, high = entry.low, entry.high
        elif low is None:
            if not cells.row.get("low"):
                cells.problem("low", "is empty while high is given.",
                              "Give both bounds (low may be 0), or neither to use the lexicon.")
            ok = False
    if not ok:
        return None
    if high is not None and low > high:
        cells.problem("high", f"the high bound {high:,} is below the low bound {low:,}.",
                      "Swap them.")
        return None
    return Observation.from_qualifier(qualifier, None, low, high)


def _check_quote_states_figure(cells: Cells, quote: str, qualifier: str, value: int | None,
                               low: int | None, high: int | None, term: str | None) -> None:
    """The quote must contain the figure the claim records (guards against copy slips)."""
    if qualifier == "vague":
        if term and not mentions_term(quote, term):
            cells.problem("term", f"the word {term!r} does not occur in the quote.",
                          "Record the word the source used, or fix the quote.")
        return
    for column, number in (("value", value), ("low", low), ("high", high)):
        if number is not None and not mentions_number(quote, number):
            cells.problem(column, f"the quote does not state {number:,} (as digits or words).",
                          "Check the number against the quote.")


def _document_name(cells: Cells) -> str | None:
    """A plain relative file name inside documents/: no absolute paths, no '..'."""
    name = cells.text("document", required=True)
    if not name:
        return None
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or name.startswith(("/", "\\")) or ":" in name:
        cells.problem("document", f"{name!r} is an absolute path.",
                      "Give the file name relative to documents/.")
        return None
    if ".." in posix.parts:
        cells.problem("document", f"{name!r} leaves the documents folder ('..').",
                      "Documents must be inside documents/.")
        return None
    return str(posix)


class _Documents:
    """The documents folder: each cited document read once, bounded, and checked against
    every quote that cites it, then let go (memory holds one document at a time)."""

    def __init__(self, folder: Path, root: Path, issues: list[InputIssue]):
        self.folder = None
        self.issues = issues
        self.sha256: dict[str, str] = {}
        if not folder.is_dir():
            issues.append(InputIssue(DOCUMENTS, None, None, "the documents folder is missing.",
                                     "Put the source texts in DATA_DIR/documents/."))
        elif not is_inside(folder, root):
            issues.append(InputIssue(DOCUMENTS, None, None, "is a link to a folder outside the "
                                     "dataset folder.",
                                     "Copy the documents into DATA_DIR/documents/."))
        else:
            self.folder = folder.resolve()

    def check_quotes(self, quotes: list[tuple[str, str, Cells]]) -> None:
        """Every (document, quote, cells) must find its quote in its document."""
        if self.folder is None:
            return
        by_document: dict[str, list[tuple[str, Cells]]] = {}
        for document, quote, cells in quotes:
            by_document.setdefault(document, []).append((quote, cells))
        for document, cited in by_document.items():
            first = cited[0][1]
            text = self._read(document, first)
            for quote, cells in cited:
                if text is None:
                    if cells is not first:
                        cells.problem("document", f"documents/{document} cannot be used (see "
                                      f"row {first.row.number}, the first claim that cites it).")
                elif not quote_in_document(quote, text):
                    cells.problem("quote", f"not found in documents/{document}.",
                                  "Copy the passage verbatim from the document (case, "
                                  "whitespace, typographic quotes and dashes may differ).")

    def _read(self, name: str, cells: Cells) -> str | None:
        path = self.folder / name
        if not is_inside(path, self.folder):
            cells.problem("document", f"documents/{name} is a link that leaves the documents "
                          "folder (or a link loop).",
                          "Copy the document into documents/ instead of linking it.")
            return None
        try:
            raw = read_bounded(path, MAX_DOCUMENT_BYTES)
        except FileNotFoundError:
            cells.problem("document", f"documents/{name} does not exist.",
                          "Add the file to documents/ or fix the name (names are "
                          "case-sensitive).")
            return None
        except NotRegularFile as exc:
            cells.problem("document", f"documents/{name} is {exc.kind}, not a text file.",
                          "Cite a file with the document's text.")
            return None
        except TooLarge as exc:
            cells.problem("document", f"documents/{name} is {exc.size:,} bytes, over the "
                          f"limit of {MAX_DOCUMENT_BYTES:,} bytes.",
                          "Keep only the relevant text.")
            return None
        except OSError as exc:  # unreadable, name too long for the file system, ...
            cells.problem("document", f"documents/{name} cannot be read "
                          f"({exc.strerror or type(exc).__name__}).",
                          "Check the file name and the file's permissions.")
            return None
        self.sha256[name] = hashlib.sha256(raw).hexdigest()
        try:
            return fold(raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
        except UnicodeDecodeError as exc:
            cells.problem("document", f"documents/{name} is not valid UTF-8 (byte offset "
                          f"{exc.start}).", "Save the document as UTF-8 text.")
            return None
