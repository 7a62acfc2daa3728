"""Accept a reviewed draft: the rows marked ``keep`` are appended to claims.csv, validated as
``reconcile check`` would validate the whole dataset, and written atomically; a batch with
any problem is refused whole, with every problem listed and nothing on disk changed."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import replace
from pathlib import Path

from reconcile.config.lexicon import Lexicon
from reconcile.dataset.csvfile import read_table
from reconcile.dataset.layout import CLAIM_COLUMNS, CLAIMS, every_column
from reconcile.dataset.load import check_dataset
from reconcile.errors import DatasetError, InputIssue
from reconcile.extraction.draft import DRAFT_COLUMNS
from reconcile.report.writing import FORMULA_PREFIXES, replace_file

KEEP = "keep"
_UNSAFE = tuple(FORMULA_PREFIXES)  # what the draft's formula guard put "'" before


def accept_draft(data_dir: str | Path, draft: str | Path, lexicon: Lexicon | None = None) -> int:
    """Append the draft's ``keep`` rows to ``data_dir``'s claims.csv; the number appended.
    Raises DatasetError (naming the draft's rows) when the batch would not validate."""
    data_dir, draft = Path(data_dir), Path(draft)
    issues: list[InputIssue] = []
    table = read_table(draft, CLAIM_COLUMNS[0] + ("status",),
                       tuple(c for c in DRAFT_COLUMNS if c not in CLAIM_COLUMNS[0]), issues)
    if issues:
        raise DatasetError(issues)
    kept = [row for row in table.rows if row.get("status").strip().casefold() == KEEP]
    if not kept:
        return 0
    claims = data_dir / CLAIMS
    existing = claims.read_text(encoding="utf-8-sig") if claims.is_file() else ""
    header = (next(csv.reader(io.StringIO(existing)), None) if existing.strip() else None) \
        or list(every_column(CLAIM_COLUMNS))
    first_new_row = _record_count(existing) + 2  # the header is row 1
    text = _appended(existing, header, [row.values for row in kept])
    with tempfile.TemporaryDirectory(prefix="reconcile-accept-") as staging:
        staged = Path(staging) / CLAIMS
        staged.write_text(text, encoding="utf-8")
        problems = check_dataset(data_dir, lexicon, claims_file=staged)
    if problems:
        draft_rows = {first_new_row + i: row.number for i, row in enumerate(kept)}
        raise DatasetError([_on_draft(issue, draft.name, draft_rows) for issue in problems])
    replace_file(claims, text)
    return len(kept)


def _record_count(text: str) -> int:
    return max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0) if text.strip() else 0


def _appended(existing: str, header: list[str], rows: list[dict[str, str]]) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    if not existing.strip():
        writer.writeheader()
    elif not existing.endswith(("\n", "\r")):
        stream.write("\n")
    for row in rows:
        writer.writerow({column: _unguarded(row.get(column, "")) for column in header})
    return existing + stream.getvalue()


def _unguarded(value: str) -> str:
    """A cell as curated: the draft put "'" before text a spreadsheet would run."""
    return value[1:] if value.startswith("'") and value[1:2] in _UNSAFE else value


def _on_draft(issue: InputIssue, draft_name: str, draft_rows: dict[int, int]) -> InputIssue:
    """A problem of an accepted row, named by its row in the draft."""
    if issue.file == CLAIMS and issue.row in draft_rows:
        return replace(issue, file=draft_name, row=draft_rows[issue.row])
    return issue
