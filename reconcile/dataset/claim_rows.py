"""claims.csv: each row read into a Claim, its qualifier into an observation (vague words
through the lexicon), its ids checked against the other tables and its figure against its
quote. Every problem is collected, none stops the reading."""

from __future__ import annotations


from reconcile.config.lexicon import Lexicon, lookup_term
from reconcile.dataset.csvfile import Table
from reconcile.dataset.documents import Documents, document_name
from reconcile.dataset.fields import Cells, did_you_mean, is_duplicate, parse_moment
from reconcile.dataset.layout import CLAIMS, QUANTITIES, SOURCES
from reconcile.dataset.quotes import mentions_number, mentions_term
from reconcile.dataset.records import Claim, Quantity, Source
from reconcile.errors import InputIssue
from reconcile.observations import Observation
from reconcile.qualifiers import QUALIFIER_SYNONYMS, QUALIFIERS, VALUE_QUALIFIERS, read_qualifier



def read_claims(table: Table, sources: dict[str, Source], quantities: dict[str, Quantity],
                documents: Documents, lexicon: Lexicon, issues: list[InputIssue],
            declared: dict[str, set[str] | None]) -> list[Claim]:
    claims: list[Claim] = []
    rows: dict[str, int] = {}
    quotes: list[tuple[str, str, Cells]] = []
    for row in table.rows:
        cells = Cells(CLAIMS, row, issues)
        claim_id = cells.slug("claim_id", required=True)
        quantity_id = cells.slug("quantity_id", required=True)
        source_id = cells.slug("source_id", required=True)
        qualifier = cells.choice("qualifier", QUALIFIERS, QUALIFIER_SYNONYMS)
        value, low, high = cells.count("value"), cells.count("low"), cells.count("high")
        term = cells.text("term") or None
        published = cells.date("published")
        as_of = cells.moment("as_of")
        via = _via(cells, sources, source_id, declared[SOURCES])
        if _unknown(quantity_id, quantities, declared[QUANTITIES]):
            cells.problem("quantity_id", f"unknown quantity {quantity_id!r}.",
                          did_you_mean(quantity_id, _ids(quantities, declared[QUANTITIES]))
                          + "Add it to quantities.csv or fix the id.")
        if _unknown(source_id, sources, declared[SOURCES]):
            cells.problem("source_id", f"unknown source {source_id!r}.",
                          did_you_mean(source_id, _ids(sources, declared[SOURCES]))
                          + "Add it to sources.csv or fix the id.")
        observation = _observation(cells, qualifier, value, low, high, term, lexicon)
        if quantity_id in quantities:
            _check_as_of(cells, quantities[quantity_id], as_of, published)
        document = document_name(cells)
        quote = cells.text("quote", required=True)
        if document and quote:
            quotes.append((document, quote, cells))
        if quote and observation is not None:
            _check_quote_states_figure(cells, quote, qualifier, value, low, high, term)
        if claim_id and is_duplicate(cells, "claim_id", claim_id, rows, "Claim"):
            continue
        if None in (claim_id, quantity_id, source_id, observation, document) or not quote:
            continue
        claims.append(Claim(
            claim_id=claim_id, quantity_id=quantity_id, source_id=source_id,
            qualifier=qualifier, observation=observation, document=document, quote=quote,
            via=via, value=value, low=low, high=high, term=term, published=published,
            notes=cells.text("notes") or None, row=row.number, as_of=as_of,
        ))
    documents.check_quotes(quotes)
    return claims


def _check_as_of(cells: Cells, quantity: Quantity, as_of: str | None,
                 published: str | None) -> None:
    """The date a figure counts up to: within its quantity's period, not after its report,
    and known for every claim about a cumulative quantity (a toll to date needs its date)."""
    if as_of is None and cells.row.get("as_of"):
        return  # reported already as unreadable
    counted_to = as_of or published
    if counted_to is None:
        if quantity.cumulative:
            cells.problem("as_of", f"is empty, and so is published: {quantity.quantity_id!r} is "
                          "a cumulative toll, and each claim counts deaths up to its date.",
                          "Give the date (YYYY-MM-DD or YYYY-MM-DDTHH:MM) the figure counts up "
                          "to, or the report's published date.")
        return
    first, last = parse_moment(counted_to)
    column = "as_of" if as_of else "published"
    # a report's date is checked against the period only where it stands for as_of: a
    # report of another kind may well predate a period its quantity was later given
    if (as_of or quantity.cumulative) and quantity.start \
            and last <= parse_moment(quantity.start)[0]:
        cells.problem(column, f"{counted_to} is before {quantity.quantity_id!r} starts "
                      f"({quantity.start}).",
                      "A figure cannot count up to a date before the period counted begins; "
                      "check the date or the quantity.")
    if as_of and quantity.end and first >= parse_moment(quantity.end)[1]:
        cells.problem("as_of", f"{as_of} is after {quantity.quantity_id!r} ends "
                      f"({quantity.end}).",
                      "A figure counts deaths within the quantity's period; a later report "
                      "of the final toll counts up to the end (leave as_of empty).")
    if as_of and published and first >= parse_moment(published)[1]:
        cells.problem("as_of", f"{as_of} is after the claim was published ({published}).",
                      "A report cannot count deaths after its own date; check both dates.")


def _unknown(identifier: str | None, known: dict, declared: set[str] | None) -> bool:
    """An id that names no record (None: the table could not be read, so nothing is known)."""
    return bool(identifier) and declared is not None and identifier not in known \
        and identifier not in declared


def _ids(known: dict, declared: set[str] | None) -> set[str]:
    """The ids a misspelt one may have meant: those read, and those declared on bad rows."""
    return set(known) | (declared or set())


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
                          did_you_mean(relay, _ids(sources, declared))
                          + "Every relaying outlet must be in sources.csv; separate ids with ';'.")
    if len(set(relays)) != len(relays):
        cells.problem("via", "lists the same outlet twice.", "Keep each relay once.")
    return relays


def _observation(cells: Cells, qualifier: str | None, value: int | None, low: int | None,
                 high: int | None, term: str | None, lexicon: Lexicon) -> Observation | None:
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
        return read_qualifier(qualifier, value, None, None)
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
            entry = lookup_term(lexicon, term)
            if entry is None:
                cells.problem("term", f"{term!r} is not in the model configuration's lexicon.",
                              did_you_mean(term.casefold(), lexicon)
                              + "Add low/high to the claim, or the term to the lexicon; known: "
                              + ", ".join(sorted(lexicon)) + ".")
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
    return read_qualifier(qualifier, None, low, high)


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


