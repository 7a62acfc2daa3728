"""Property tests: no corruption of a valid dataset makes the checker crash or lie.

Whatever is done to the bytes of the tables or documents, ``check_dataset`` returns a list of
InputIssues (empty only for a valid dataset) and ``reconcile check`` exits 0 or 2 accordingly,
with every issue's place in its output, no traceback, and no file in the folder changed.
Transformations the format allows (column order, row order, line endings, a BOM) keep the
dataset valid; duplicating or dropping a column is always reported.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dataset_helpers import SEEDS, TABLES, copy_seeds, location, read_rows, snapshot
from reconcile.cli.common import printable as shown
from reconcile.cli import main
from reconcile.config import load_config
from reconcile.dataset import check_dataset
from reconcile.qualifiers import QUALIFIERS
from reconcile.errors import InputIssue

CONFIG = load_config()
BASE = {name: (SEEDS / name).read_bytes() for name in TABLES}
DOCUMENTS = sorted(p.name for p in (SEEDS / "documents").iterdir())
KNOWN_FILES = {*TABLES, "documents"}
REQUIRED = {
    "sources.csv": ("source_id", "name", "kind"),
    "quantities.csv": ("quantity_id", "description", "outcome"),
    "claims.csv": ("claim_id", "quantity_id", "source_id", "document", "quote", "qualifier"),
}

FUZZ = settings(max_examples=250, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def dataset_with(files: dict[str, bytes]) -> Iterator[Path]:
    """A copy of the seeds with some files (tables or documents/NAME) replaced."""
    with tempfile.TemporaryDirectory() as tmp:
        data = copy_seeds(Path(tmp) / "data")
        for name, content in files.items():
            (data / name).write_bytes(content)
        yield data


def check_cleanly(data: Path) -> list[InputIssue]:
    """Check through the API and the CLI; assert they agree and nothing crashed or changed."""
    before = snapshot(data)
    issues = check_dataset(data, CONFIG.lexicon)
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue, InputIssue)
        assert issue.file in KNOWN_FILES, issue
        assert issue.row is None or issue.row >= 1, issue
        assert issue.message and str(issue)
    result = CliRunner().invoke(main, ["check", str(data)], catch_exceptions=False)
    assert result.exit_code == (2 if issues else 0), (issues, result.output)
    assert "Traceback" not in result.output
    if issues:
        assert "valid." not in result.stdout
        for issue in issues:
            # the CLI shows control characters (from a garbled header, say) as U+FFFD
            assert shown(location(issue.file, issue.row, issue.column)) in result.stderr, issue
    else:
        assert ": valid." in result.stdout
    assert snapshot(data) == before
    return issues


def to_csv(rows: list[list[str]], terminators: list[str] | None = None) -> bytes:
    out = []
    for index, row in enumerate(rows):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(row)
        out.append(buffer.getvalue())
        out.append(terminators[index % len(terminators)] if terminators else "\n")
    return "".join(out).encode("utf-8")


# --- byte-level corruption ------------------------------------------------------------------
PAYLOADS = [b"\x00", b",", b'"', b"\n", b"\r\n", b"\r", b"\xff", b"\xef\xbb\xbf", b"\xe2\x80",
            b'""', b";", b"\t", b"\xfe\xff", b"\x1b[2J", b"=cmd|' /C calc'!A0,"]
position = st.integers(min_value=0, max_value=10**7)
byte_op = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(0, 255)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("insert"), position,
              st.one_of(st.sampled_from(PAYLOADS), st.binary(min_size=1, max_size=8))),
    st.tuples(st.just("delete"), position, st.integers(1, 200)),
    st.tuples(st.just("duplicate"), position, st.integers(1, 200)),
)


def apply_byte_ops(data: bytes, ops) -> bytes:
    for op in ops:
        at = op[1] % (len(data) + 1)
        if op[0] == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([op[2]]) + data[at + 1:]
        elif op[0] == "truncate":
            data = data[:at]
        elif op[0] == "insert":
            data = data[:at] + op[2] + data[at:]
        elif op[0] == "delete":
            data = data[:at] + data[at + op[2]:]
        elif op[0] == "duplicate":
            data = data[:at] + data[at:at + op[2]] + data[at:]
    return data


@FUZZ
@given(table=st.sampled_from(TABLES), ops=st.lists(byte_op, min_size=1, max_size=5))
def test_corrupted_table_bytes_never_crash(table: str, ops) -> None:
    with dataset_with({table: apply_byte_ops(BASE[table], ops)}) as data:
        check_cleanly(data)


@settings(max_examples=40, deadline=None, database=None)
@given(document=st.sampled_from(DOCUMENTS), ops=st.lists(byte_op, min_size=1, max_size=4))
def test_corrupted_document_bytes_never_crash(document: str, ops) -> None:
    original = (SEEDS / "documents" / document).read_bytes()
    with dataset_with({f"documents/{document}": apply_byte_ops(original, ops)}) as data:
        check_cleanly(data)


# --- cell-level corruption ------------------------------------------------------------------
SEED_IDS = sorted({row[0] for table in TABLES for row in read_rows(SEEDS / table)[1:]})
LEXICON_TERMS = sorted(CONFIG.lexicon)
NASTY = ["", " ", "=cmd|' /C calc'!A0", "=1+1", "+1", "-1", "@SUM(A1)", "-0", "\u202e",
         "\x1b[31m", "\u200b", "\ufeff", "\r", "\n", '"', "NaN", "inf", "x" * 300, ";",
         "d" * 5000]
counts = st.one_of(
    st.just(""), st.integers(0, 2000).map(str), st.integers(0, 10**9).map("{:,}".format),
    st.integers(0, 10**20).map(str),
    st.sampled_from(["abc", "-3", "-0", "12.5", "1e3", "½", "٣", "１２", " 7 ", "1,20",
                     "1 200", "9" * 30]),
    st.sampled_from(["9" * 5000, "0" * 5000 + "7", "9" * 4301, "1" + ",000" * 2000]),
)
dates = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    st.dates().map(lambda d: f"{d.year:04d}"),
    st.sampled_from(["2016-02-30", "2016-13", "0000", "16-05-08", "May 2016", "２０１６"]),
    st.sampled_from(["9999-12", "9999-12-31", "9999", "0001-01", "0001-01-01", "0001"]),
)
ids = st.one_of(st.sampled_from(SEED_IDS),
                st.lists(st.sampled_from(SEED_IDS), min_size=1, max_size=3).map(";".join),
                st.sampled_from(["Bad Id", "a;;a", "_x", "x" * 300]))
TYPED = {
    "value": counts, "low": counts, "high": counts,
    "start": dates, "end": dates, "published": dates,
    "source_id": ids, "quantity_id": ids, "claim_id": ids, "parent": ids, "via": ids,
    "side": st.sampled_from(["", "iran_axis", "rebels", "civilians", "Iran Axis"]),
    "kind": st.sampled_from(["official", "state_media", "Official", ""]),
    "qualifier": st.sampled_from(QUALIFIERS + ("", "Exact", "range ", "dozens")),
    "outcome": st.sampled_from(("killed", "wounded", "captured", "missing", "casualties",
                                "dead", "")),
    "complete": st.sampled_from(["true", "false", "", "yes", "TRUE", "maybe", "1", "2"]),
    "term": st.one_of(st.sampled_from(LEXICON_TERMS), st.text(max_size=12)),
    "document": st.sampled_from(DOCUMENTS + ["", "missing.txt", "../claims.csv", "/etc/hosts",
                                             "C:\\x.txt", ".", "documents", "a/b.txt",
                                             "d" * 300, "d" * 5000, "x/" * 3000]),
}
GENERIC = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


@st.composite
def cell_edits(draw):
    table = draw(st.sampled_from(TABLES))
    header = read_rows(SEEDS / table)[0]
    column = draw(st.sampled_from(header), label="column")
    typed = TYPED.get(column)
    value = draw(st.one_of(typed, typed, GENERIC) if typed is not None else GENERIC,
                 label="value")
    return table, draw(position, label="row"), header.index(column), value


@FUZZ
@given(edits=st.lists(cell_edits(), min_size=1, max_size=4))
def test_random_cells_never_crash(edits) -> None:
    tables = {name: read_rows(SEEDS / name) for name in TABLES}
    for table, row, column, value in edits:
        rows = tables[table]
        rows[1 + row % (len(rows) - 1)][column] = value
    with dataset_with({name: to_csv(rows) for name, rows in tables.items()}) as data:
        check_cleanly(data)


@FUZZ
@given(row=position,
       qualifier=st.one_of(st.sampled_from(QUALIFIERS + ("", "Range", "vague ")),
                           st.sampled_from(("range", "vague"))),  # the branchiest ones
       value=st.one_of(st.just(""), st.just(""), counts), low=counts, high=counts,
       term=st.one_of(st.just(""), st.sampled_from(LEXICON_TERMS), st.text(max_size=12)))
@example(row=6120, qualifier="range", value="", low="0" * 5000 + "7", high="0" * 5000 + "7",
         term="")  # found by a random run: a valid range the test's own int() refused
def test_random_observations_never_crash(row, qualifier, value, low, high, term) -> None:
    """Every combination of qualifier, value, low, high and term on one claim row."""
    rows = read_rows(SEEDS / "claims.csv")
    header = rows[0]
    target = rows[1 + row % (len(rows) - 1)]
    for column, cell in (("qualifier", qualifier), ("value", value), ("low", low),
                         ("high", high), ("term", term)):
        target[header.index(column)] = cell
    with dataset_with({"claims.csv": to_csv(rows)}) as data:
        issues = check_cleanly(data)
    if qualifier == "range" and not issues:
        assert low.strip() and high.strip()
        # Decimal: int() refuses strings of over 4,300 digits ("0" * 5000 + "7" is a valid 7)
        assert Decimal(low.replace(",", "")) <= Decimal(high.replace(",", ""))


# --- structure ------------------------------------------------------------------------------
@FUZZ
@given(table=st.sampled_from(TABLES), data=st.data(),
       terminators=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=6),
       bom=st.booleans())
def test_allowed_variations_keep_the_dataset_valid(table: str, data, terminators, bom) -> None:
    """Column order, row order, line endings (mixed CRLF/LF/CR) and a BOM are free."""
    rows = read_rows(SEEDS / table)
    columns = data.draw(st.permutations(range(len(rows[0]))), label="column order")
    records = data.draw(st.permutations(rows[1:]), label="row order")
    permuted = [[row[i] for i in columns] for row in [rows[0], *records]]
    content = (b"\xef\xbb\xbf" if bom else b"") + to_csv(permuted, terminators)
    with dataset_with({table: content}) as folder:
        assert check_cleanly(folder) == []


@FUZZ
@given(table=st.sampled_from(TABLES), data=st.data())
def test_duplicated_or_dropped_columns_are_reported(table: str, data) -> None:
    rows = read_rows(SEEDS / table)
    index = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    column = rows[0][index]
    drop = data.draw(st.booleans(), label="drop")
    if drop:
        changed = [row[:index] + row[index + 1:] for row in rows]
    else:
        at = data.draw(st.integers(0, len(rows[0])), label="insert at")
        changed = [row[:at] + [row[index]] + row[at:] for row in rows]
    with dataset_with({table: to_csv(changed)}) as folder:
        issues = check_cleanly(folder)
    places = {(i.file, i.row, i.column) for i in issues}
    if not drop:
        assert (table, 1, column) in places
        assert any("appears twice" in i.message for i in issues)
    elif column in REQUIRED[table]:
        assert (table, 1, column) in places
    else:  # an optional column may be left out
        assert not any(i.file == table and i.row == 1 for i in issues)


# --- size limits ----------------------------------------------------------------------------
def test_oversized_table_is_refused(monkeypatch, tmp_path: Path) -> None:
    import reconcile.dataset.csvfile as csvfile

    data = copy_seeds(tmp_path / "data")
    size = (data / "claims.csv").stat().st_size
    limit = size - 1
    monkeypatch.setattr(csvfile, "MAX_TABLE_BYTES", limit)
    before = snapshot(data)
    issues = [i for i in check_dataset(data, CONFIG.lexicon) if i.file == "claims.csv"]
    assert [(i.row, i.column) for i in issues] == [(None, None)]
    assert f"is {size:,} bytes, over the limit of {limit:,} bytes" in issues[0].message
    result = CliRunner().invoke(main, ["check", str(data)], catch_exceptions=False)
    assert result.exit_code == 2
    assert f"claims.csv: is {size:,} bytes, over the limit of {limit:,} bytes" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(data) == before


def test_table_at_the_size_limit_is_accepted(monkeypatch) -> None:
    import reconcile.dataset.csvfile as csvfile

    monkeypatch.setattr(csvfile, "MAX_TABLE_BYTES", max(len(b) for b in BASE.values()))
    assert check_dataset(SEEDS, CONFIG.lexicon) == []


# --- rows of the wrong length, fields around the size bound ---------------------------------
@FUZZ
@given(table=st.sampled_from(TABLES), row=position, change=st.integers(-20, 5).filter(bool))
def test_rows_of_the_wrong_length_are_reported_at_their_row(table: str, row: int,
                                                            change: int) -> None:
    """A truncated row (fields missing at the end) or a row with extra fields."""
    rows = read_rows(SEEDS / table)
    index = 1 + row % (len(rows) - 1)
    width = len(rows[0])
    target = rows[index]
    rows[index] = target[:max(1, width + change)] if change < 0 else target + ["x"] * change
    with dataset_with({table: to_csv(rows)}) as data:
        issues = check_cleanly(data)
    assert any((i.file, i.row) == (table, index + 1) and f"has {len(rows[index])} fields"
               in i.message for i in issues), issues


@settings(max_examples=25, deadline=None, database=None)
@given(table=st.sampled_from(TABLES), row=position, data=st.data(),
       excess=st.sampled_from([-1, 0, 1, 50_000]),
       filler=st.sampled_from(["x", "é", "\U0001F600", "=", "\n"]))
def test_fields_around_the_size_bound(table: str, row: int, data, excess: int,
                                      filler: str) -> None:
    from reconcile.dataset.csvfile import MAX_FIELD_CHARS

    rows = read_rows(SEEDS / table)
    index = 1 + row % (len(rows) - 1)
    column = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    rows[index][column] = filler * (MAX_FIELD_CHARS + excess)
    with dataset_with({table: to_csv(rows)}) as folder:
        issues = check_cleanly(folder)
    too_long = [i for i in issues if "field larger than field limit" in i.message]
    assert bool(too_long) == (excess > 0), issues


# --- documents: line endings and a BOM change nothing ---------------------------------------
@settings(max_examples=40, deadline=None, database=None)
@given(document=st.sampled_from(DOCUMENTS),
       terminators=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4),
       bom=st.booleans())
def test_document_line_endings_and_bom_keep_every_quote_found(document: str, terminators,
                                                              bom: bool) -> None:
    text = (SEEDS / "documents" / document).read_text(encoding="utf-8")
    lines = text.split("\n")
    mixed = "".join(line + terminators[i % len(terminators)] for i, line in enumerate(lines))
    content = (b"\xef\xbb\xbf" if bom else b"") + mixed.encode("utf-8")
    with dataset_with({f"documents/{document}": content}) as data:
        assert check_cleanly(data) == []


# --- the real command never hangs or crashes on a representative of each kind -------------
def _claims_header() -> bytes:
    return BASE["claims.csv"].split(b"\n")[0] + b"\n"


def _swap_first_two_columns(raw: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    return to_csv([[row[1], row[0], *row[2:]] for row in rows])


REPRESENTATIVE = {
    "nul-byte": BASE["claims.csv"].replace(b"exact", b"ex\x00act", 1),
    "invalid-utf8": BASE["claims.csv"].replace(b"exact", b"ex\xff\xfeact", 1),
    "utf16": BASE["claims.csv"].decode("utf-8").encode("utf-16"),
    "bom-and-crlf": b"\xef\xbb\xbf" + BASE["claims.csv"].replace(b"\n", b"\r\n"),
    "mixed-newlines": BASE["claims.csv"].replace(b"\n", b"\r", 5).replace(b"\n", b"\r\n", 5),
    "formula-cells": BASE["claims.csv"].replace(b"Same official statement",
                                                b"=cmd|' /C calc'!A0 @SUM(1) +1 -1", 1),
    "terminal-escapes": BASE["claims.csv"].replace(b",exact,13,", b",exact,\x1b[2J\x1b]0;x\x07,",
                                                   1),
    "huge-field": _claims_header() + b"a," + b"x" * 200_000 + b"\n",
    "unclosed-quote": BASE["claims.csv"] + b'x,"never closed\n' + b"y" * 10_000,
    "truncated-mid-row": BASE["claims.csv"][: len(BASE["claims.csv"]) * 2 // 3],
    "shuffled-columns": _swap_first_two_columns(BASE["claims.csv"]),
    "duplicated-column": BASE["claims.csv"].replace(b"notes\n", b"notes,quote\n", 1),
    "empty": b"",
    "binary-noise": bytes(range(256)) * 4096,
}


@pytest.mark.parametrize("case", sorted(REPRESENTATIVE))
def test_real_command_on_a_representative_corruption(case: str, tmp_path: Path) -> None:
    """Through the installed command in a subprocess, with a time limit (a hang fails)."""
    import time

    from dataset_helpers import run_cli

    data = copy_seeds(tmp_path / "data")
    (data / "claims.csv").write_bytes(REPRESENTATIVE[case])
    before = snapshot(data)
    started = time.perf_counter()
    result = run_cli("check", data)  # run_cli's timeout (120 s) is the hang guard
    assert time.perf_counter() - started < 20
    valid = {"bom-and-crlf", "mixed-newlines", "shuffled-columns", "formula-cells"}
    expected = 0 if case in valid else 2
    assert result.returncode == expected, result.stderr
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr
    assert snapshot(data) == before
