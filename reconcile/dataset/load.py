"""Load a dataset folder, check every rule of the format, and build the validated Dataset.

All problems are collected in one pass (``check_dataset`` returns them; ``load_dataset``
raises DatasetError with all of them). Nothing is ever written to the dataset folder.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from reconcile.config.lexicon import Lexicon
from reconcile.dataset.claim_rows import read_claims
from reconcile.dataset.csvfile import Table, read_table
from reconcile.dataset.documents import Documents
from reconcile.dataset.fields import Cells, did_you_mean, is_duplicate, parse_moment
from reconcile.dataset.layout import (
    CLAIM_COLUMNS, CLAIMS, DOCUMENTS, QUANTITIES, QUANTITY_COLUMNS, SOURCE_COLUMNS, SOURCES,
)
from reconcile.dataset.records import OUTCOMES, Dataset, Quantity, Source
from reconcile.errors import DatasetError, InputIssue, Issues

# A child's outcome must be the parent's, or part of it (casualties = killed + wounded).
_CHILD_OUTCOMES = {"casualties": {"casualties", "killed", "wounded"}}


def load_dataset(data_dir: str | Path, lexicon: Lexicon | None = None) -> Dataset:
    """Validate ``data_dir`` and return the immutable Dataset, or raise DatasetError.

    ``lexicon`` maps vague words to counts (a model configuration's ``lexicon``); without
    one, the lexicon of the packaged default model is used.
    """
    dataset, issues = _load(Path(data_dir), _lexicon(lexicon))
    if issues:
        raise DatasetError(issues)
    assert dataset is not None
    return dataset


def check_dataset(data_dir: str | Path, lexicon: Lexicon | None = None,
                  claims_file: Path | None = None) -> list[InputIssue]:
    """Every problem in ``data_dir`` (empty when valid); ``claims_file``, a staged claims.csv
    checked in place of the folder's own (``reconcile extract --accept``)."""
    return _load(Path(data_dir), _lexicon(lexicon), claims_file)[1]


def _lexicon(lexicon: Lexicon | None) -> Lexicon:
    if lexicon is not None:
        return lexicon
    from reconcile.config.loading import packaged_lexicon

    return packaged_lexicon()


def _load(data_dir: Path, lexicon: Lexicon,
          claims_file: Path | None = None) -> tuple[Dataset | None, list[InputIssue]]:
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
        for name, columns in ((SOURCES, SOURCE_COLUMNS), (QUANTITIES, QUANTITY_COLUMNS))
    }
    tables[CLAIMS] = read_table(claims_file or data_dir / CLAIMS, *CLAIM_COLUMNS, issues,
                                root=None if claims_file else root)
    documents = Documents(data_dir / DOCUMENTS, root, issues)
    sources = _sources(tables[SOURCES], issues)
    quantities = _quantities(tables[QUANTITIES], issues)
    declared = {  # ids on rows that failed validation: their errors are reported there;
        # None for a table that could not be read at all (no follow-on "unknown id" errors)
        name: {row.get(column) for row in tables[name].rows} if tables[name].columns else None
        for name, column in ((SOURCES, "source_id"), (QUANTITIES, "quantity_id"))
    }
    claims = read_claims(tables[CLAIMS], sources, quantities, documents, lexicon, issues,
                         declared)
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
        if source_id is None or is_duplicate(cells, "source_id", source_id, first_row, "Source"):
            continue
        if name and kind:
            sources[source_id] = Source(source_id, name, kind, side)
    return sources


# --- quantities.csv ------------------------------------------------------------------------
def _ends_before_start(start: str, end: str) -> bool:
    """A date ends at its last midnight (exclusive), a date and time at its minute."""
    first = parse_moment(start)[0]
    end_first, end_last = parse_moment(end)
    return first > end_last or (first == end_last and end_first < end_last)


def _quantities(table: Table, issues: list[InputIssue]) -> dict[str, Quantity]:
    quantities: dict[str, Quantity] = {}
    rows: dict[str, int] = {}
    for row in table.rows:
        cells = Cells(QUANTITIES, row, issues)
        quantity_id = cells.slug("quantity_id", required=True)
        description = cells.text("description", required=True)
        outcome = cells.choice("outcome", OUTCOMES)
        side = cells.slug("side")
        start, end = cells.moment("start"), cells.moment("end")
        parent = cells.slug("parent")
        complete = cells.boolean("complete")
        cumulative = cells.boolean("cumulative")
        if start and end and _ends_before_start(start, end):
            cells.problem("end", f"the period ends ({end}) before it starts ({start}).",
                          "Swap start and end, or correct the dates.")
        if quantity_id is None or is_duplicate(cells, "quantity_id", quantity_id, rows, "Quantity"):
            continue
        if parent == quantity_id:
            cells.problem("parent", "a quantity cannot be its own parent.", "Clear the parent.")
            parent = None
        if description and outcome:
            quantities[quantity_id] = Quantity(quantity_id, description, outcome, side, start,
                                               end, cells.text("place") or None, parent, complete,
                                               cells.slug("by"), cumulative)
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
            hint = (did_you_mean(q.parent, rows) + "Add it to quantities.csv or clear the "
                    "parent." if q.parent not in rows
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
