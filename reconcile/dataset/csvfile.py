"""Read one CSV table defensively: bounded size, UTF-8 only, every defect an InputIssue.

Nothing here raises on bad input; a table that cannot be read yields issues and no rows.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from reconcile.errors import InputIssue

MAX_TABLE_BYTES = 64 * 1024 * 1024
MAX_FIELD_CHARS = 100_000
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    name: str
    columns: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)


def read_table(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], issues: list[InputIssue]
) -> Table:
    """Parse ``path``; append problems to ``issues``; return the rows that could be read."""
    name = path.name
    table = Table(name)
    text = _read_text(path, name, issues)
    if text is None:
        return table
    if not text.strip():
        issues.append(
            InputIssue(name, None, None, "the file is empty.",
                       f"It needs a header row naming the columns: {','.join(required)}.")
        )
        return table
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        row, column = _locate(text, lambda cell: "\x00" in cell)
        issues.append(
            InputIssue(name, row or line, column,
                       "contains a NUL byte (binary data, not CSV text).",
                       "Re-export the table as UTF-8 CSV.")
        )
        return table
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        _parse_records(reader, table, required, optional, issues)
    finally:
        csv.field_size_limit(previous_limit)
    return table


def _parse_records(reader, table: Table, required, optional, issues: list[InputIssue]) -> None:
    name = table.name
    record_number = 0
    header: list[str] | None = None
    try:
        for record in reader:
            record_number += 1
            if header is None:
                header = [cell.strip() for cell in record]
                if not _check_header(header, name, required, optional, issues):
                    return
                table.columns = tuple(header)
                continue
            if not any(cell.strip() for cell in record):
                continue  # blank line: harmless, skipped
            if len(record) != len(header):
                issues.append(
                    InputIssue(name, record_number, None,
                               f"has {len(record)} fields but the header has {len(header)}.",
                               "Quote fields that contain commas (RFC 4180) and check for a "
                               "missing or extra comma.")
                )
                continue
            values = {column: cell.strip() for column, cell in zip(header, record)}
            table.rows.append(Row(record_number, values))
    except csv.Error as exc:
        issues.append(
            InputIssue(name, record_number + 1, None, f"is not valid CSV ({exc}).",
                       "Check the quoting: a field with a quote character must be wrapped in "
                       "double quotes and its inner quotes doubled; fields are limited to "
                       f"{MAX_FIELD_CHARS:,} characters.")
        )


def _check_header(header: list[str], name: str, required, optional, issues) -> bool:
    ok = True
    seen: set[str] = set()
    for column in header:
        if column in seen:
            issues.append(InputIssue(name, 1, column, "the column appears twice in the header.",
                                     "Keep one of them."))
            ok = False
        seen.add(column)
    missing = [column for column in required if column not in seen]
    for column in missing:
        near = _near_miss(column, header)
        hint = f"Rename {near!r} to {column!r}." if near else f"Add a {column!r} column."
        issues.append(InputIssue(name, 1, column, "required column is missing.", hint))
        ok = False
    return ok


def _near_miss(column: str, header: list[str]) -> str | None:
    import difflib

    folded = {h.casefold().replace(" ", "_").replace("-", "_"): h for h in header}
    if column in folded and folded[column] != column:
        return folded[column]
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.8)
    return close[0] if close else None


def _read_text(path: Path, name: str, issues: list[InputIssue]) -> str | None:
    try:
        return _read_text_unguarded(path, name, issues)
    except OSError as exc:  # unreadable (permissions), vanished, ...
        issues.append(InputIssue(name, None, None,
                                 f"cannot be read ({exc.strerror or type(exc).__name__}).",
                                 "Check the file's permissions."))
        return None


def _read_text_unguarded(path: Path, name: str, issues: list[InputIssue]) -> str | None:
    if not path.exists():
        issues.append(InputIssue(name, None, None, "the file is missing from the dataset folder.",
                                 "Every dataset needs sources.csv, quantities.csv and claims.csv."))
        return None
    if not path.is_file():
        issues.append(InputIssue(name, None, None, "is not a regular file."))
        return None
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        issues.append(
            InputIssue(name, None, None,
                       f"is {size:,} bytes, over the limit of {MAX_TABLE_BYTES:,} bytes.",
                       "Split the dataset or check that this is the right file.")
        )
        return None
    raw = path.read_bytes()
    if raw.startswith(_UTF16_BOMS):
        issues.append(InputIssue(name, None, None, "is encoded as UTF-16.",
                                 "Save it as UTF-8 (CSV UTF-8 in spreadsheet programs)."))
        return None
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]  # a UTF-8 byte-order mark is valid UTF-8; drop it
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(raw)
        row, column = _locate(raw.decode("utf-8", errors="surrogateescape"),
                              lambda cell: any("\udc80" <= ch <= "\udcff" for ch in cell))
        issues.append(
            InputIssue(name, row or line, column,
                       f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}, "
                       f"line {line}).",
                       f"It looks like {guess}; save the file as UTF-8." if guess
                       else "Save the file as UTF-8.")
        )
        return None


def _locate(text: str, found) -> tuple[int | None, str | None]:
    """Row (as a spreadsheet numbers it) and column of the first cell where ``found`` holds.

    Used to place a defect that stops the table from being read (a bad byte, a NUL), so that
    the message names the row and column even when earlier cells span several lines.
    """
    header: list[str] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number == 1:
                header = [cell.strip() for cell in record]
            for index, cell in enumerate(record):
                if found(cell):
                    in_header = number == 1 or index >= len(header)
                    return number, None if in_header else header[index]
    except csv.Error:
        pass
    return None, None


def _guess_encoding(raw: bytes) -> str | None:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "Windows-1252 / Latin-1"
