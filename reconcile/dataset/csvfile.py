"""Read one CSV table defensively: bounded size, UTF-8 only, every defect an InputIssue.

Nothing here raises on bad input; a table that cannot be read yields issues and no rows.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.

The bounds keep memory and time proportional to a real dataset whatever a file holds. Bytes
alone are not enough: 60 MB of one-letter cells is 2.4 million rows, which took 24 GB before
the row bound existed. At the bounds a table costs at most a few hundred MB while it is read
(measured in tests/test_limits.py); the largest archive tried so far has 5,000 claims.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reconcile.errors import InputIssue
from reconcile.files import NotRegularFile, TooLarge, is_inside, read_bounded

MAX_TABLE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000
MAX_FIELD_CHARS = 100_000
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


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
    sha256: str | None = None  # of the bytes that were read and checked


def read_table(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], issues: list[InputIssue],
    root: Path | None = None,
) -> Table:
    """Parse ``path``; append problems to ``issues``; return the rows that could be read.

    ``root``, the resolved dataset folder: a table that is a link leaving it is refused.
    """
    name = path.name
    table = Table(name)
    if root is not None and path.is_symlink() and not is_inside(path, root):
        issues.append(InputIssue(name, None, None, "is a link to a file outside the dataset "
                                 "folder.", "Copy the file into the dataset folder."))
        return table
    raw = _read_bytes(path, name, issues)
    if raw is None:
        return table
    table.sha256 = hashlib.sha256(raw).hexdigest()
    text = _decode(raw, name, issues)
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
    reader = csv.reader(_lines(text), strict=True)
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        _parse_records(reader, table, required, optional, issues)
    finally:
        csv.field_size_limit(previous_limit)
    return table


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, split as ``open(newline="")`` splits them
    (LF, CRLF or a lone CR), without the copy at four bytes a character that StringIO makes."""
    return (match.group() for match in _LINE.finditer(text))


def _parse_records(reader, table: Table, required, optional, issues: list[InputIssue]) -> None:
    name = table.name
    record_number = 0
    header: list[str] | None = None
    try:
        for record in reader:
            record_number += 1
            if record_number > MAX_ROWS + 1:
                issues.append(
                    InputIssue(name, None, None, f"has more than {MAX_ROWS:,} rows, the limit.",
                               "Split the dataset or check that this is the right file.")
                )
                table.rows.clear()  # a truncated table would report every later id as unknown
                return
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
    delimiter = _other_delimiter(header, missing)
    if delimiter:
        issues.append(InputIssue(
            name, 1, None, f"the columns are separated by {_DELIMITERS[delimiter]}, not commas.",
            "reconcile reads comma-separated files (RFC 4180). Save the table as \"CSV UTF-8 "
            "(comma delimited)\" (a spreadsheet set to a language that writes decimal commas "
            "separates columns with semicolons)."))
        return False
    for column in missing:
        near = _near_miss(column, header)
        hint = f"Rename {near!r} to {column!r}." if near else f"Add a {column!r} column."
        issues.append(InputIssue(name, 1, column, "required column is missing.", hint))
        ok = False
    return ok


_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _other_delimiter(header: list[str], missing: list[str]) -> str | None:
    """The delimiter of a header that names the missing columns when split by it."""
    if not missing:
        return None
    line = ",".join(header)
    for delimiter in _DELIMITERS:
        cells = {cell.strip().strip('"') for cell in line.split(delimiter)}
        if len(cells & set(missing)) > len(missing) / 2:
            return delimiter
    return None


def _near_miss(column: str, header: list[str]) -> str | None:
    import difflib

    folded = {h.casefold().replace(" ", "_").replace("-", "_"): h for h in header}
    if column in folded and folded[column] != column:
        return folded[column]
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.8)
    return close[0] if close else None


def _read_bytes(path: Path, name: str, issues: list[InputIssue]) -> bytes | None:
    if not path.exists():
        issues.append(InputIssue(name, None, None, "the file is missing from the dataset folder.",
                                 "Every dataset needs sources.csv, quantities.csv and claims.csv."))
        return None
    try:
        return read_bounded(path, MAX_TABLE_BYTES)
    except NotRegularFile as exc:
        issues.append(InputIssue(name, None, None, f"is {exc.kind}, not a regular file.",
                                 "Put the table itself in the dataset folder."))
    except TooLarge as exc:
        issues.append(
            InputIssue(name, None, None,
                       f"is {exc.size:,} bytes, over the limit of {MAX_TABLE_BYTES:,} bytes.",
                       "Split the dataset or check that this is the right file.")
        )
    except OSError as exc:  # unreadable (permissions), vanished, ...
        issues.append(InputIssue(name, None, None,
                                 f"cannot be read ({exc.strerror or type(exc).__name__}).",
                                 "Check the file's permissions."))
    return None


def _decode(raw: bytes, name: str, issues: list[InputIssue]) -> str | None:
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
        for number, record in enumerate(csv.reader(_lines(text)), start=1):
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
