"""Write a Dataset as a dataset folder (simulated archives for benchmarks and examples).

The folder follows the contract, so ``reconcile check`` and ``reconcile run`` take it like a
hand-curated one. Documents are generated: one file per speaking source holding its quotes
(a claim without a quote, as simulated claims are, gets one that states its figure), so every
quote is found in its document.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from reconcile.dataset import layout
from reconcile.dataset.records import Claim, Dataset

_WORDING = {"exact": "{value}", "about": "about {value}", "at_least": "at least {value}",
            "more_than": "more than {value}", "at_most": "at most {value}",
            "fewer_than": "fewer than {value}", "nearly": "nearly {value}",
            "range": "between {low} and {high}", "vague": "{term}"}


def write_dataset(dataset: Dataset, folder: str | Path) -> Path:
    """Write ``dataset`` into the new folder ``folder`` (which must not exist yet)."""
    folder = Path(folder)
    (folder / "documents").mkdir(parents=True)
    quantities = dataset.quantity_by_id
    quotes: dict[str, list[str]] = defaultdict(list)
    claim_rows = []
    for claim in dataset.claims:
        document = f"{claim.source_id}.txt"
        quote = claim.quote or _quote(claim, quantities[claim.quantity_id].outcome)
        quotes[document].append(quote)
        claim_rows.append({
            "claim_id": claim.claim_id, "quantity_id": claim.quantity_id,
            "source_id": claim.source_id, "via": ";".join(claim.via), "document": document,
            "quote": quote, "qualifier": claim.qualifier, "value": claim.value,
            "low": claim.low, "high": claim.high, "term": claim.term,
            "published": claim.published, "as_of": claim.as_of, "notes": claim.notes,
        })
    for document, lines in quotes.items():
        (folder / "documents" / document).write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_csv(folder / layout.SOURCES, layout.every_column(layout.SOURCE_COLUMNS),
               [vars(source) for source in dataset.sources])
    _write_csv(folder / layout.QUANTITIES, layout.every_column(layout.QUANTITY_COLUMNS),
               [{**vars(q), "complete": "true" if q.complete else "",
                 "cumulative": "true" if q.cumulative else ""} for q in dataset.quantities])
    _write_csv(folder / layout.CLAIMS, layout.every_column(layout.CLAIM_COLUMNS), claim_rows)
    return folder


def _quote(claim: Claim, outcome: str) -> str:
    figure = _WORDING[claim.qualifier].format(value=claim.value, low=claim.low,
                                              high=claim.high, term=claim.term)
    return f"[{claim.claim_id}] {claim.source_id}: {figure} {outcome}."


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: "" if row.get(column) is None else row[column]
                             for column in columns})
