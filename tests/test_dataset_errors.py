"""A corpus of broken datasets: the seed dataset with ONE targeted edit per case.

For each case the real command line (``reconcile check``, in a subprocess) must exit 2, name
the file, row and column of the problem (rows numbered as a spreadsheet shows them: header =
row 1), say what is wrong, print no traceback, and leave every file of the dataset unchanged.
The Python API (``check_dataset`` / ``load_dataset``) must report the same issue.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_helpers import (
    SEEDS, append_copy_of_row, copy_seeds, drop_column, edit_line, edit_record, lines_at, location,
    read_rows, rename_column, run_cli, seed_cell, seed_row, snapshot, write_rows,
)
from reconcile.cli import main
from reconcile.dataset import check_dataset, load_dataset
from reconcile.errors import DatasetError

C, Q, S = "claims.csv", "quantities.csv", "sources.csv"

# Rows of the seed dataset used below (looked up by id so that the cases read as prose).
KARBALA = seed_row(C, "karbala_bodies_held")  # exact 12, doc 000, own source
TABRIZI = seed_row(C, "tabrizi_since_2012")  # more_than "1,200", doc 000
IRGC_EAW = seed_row(C, "irgc_khan_tuman_killed_eaw")  # exact 13, quote with a typographic ’
MP_RANGE = seed_row(C, "mp_khan_tuman_captured")  # range 5-6
DOZENS = seed_row(C, "rebel_outlets_morning_dozens")  # vague "dozens" (lexicon)
LAST_CLAIM = seed_row(C, "algemeiner_war_toll")
DOC_000 = seed_cell(C, "karbala_bodies_held", "document")
DOC_001 = seed_cell(C, "omouggos_three_commanders", "document")
DOC_002 = seed_cell(C, "opposition_eighty_officers", "document")
LEAF = seed_row(Q, "irgc_killed_russian_airstrike_dec_2015")  # killed, iran_axis, has a parent
TOP = seed_row(Q, "iran_killed_since_2012")  # a root with descendants
CAPTURED = seed_row(Q, "irgc_captured_khan_tuman")  # a root without children
COMPLETE = seed_row(Q, "irgc_casualties_khan_tuman")  # complete = true, with two children
LAST_QUANTITY = seed_row(Q, "syria_war_killed")
LAST_SOURCE = seed_row(S, "memri")


@dataclass(frozen=True)
class Expect:
    file: str
    row: int | None
    column: str | None
    says: str  # a fragment of the message (case-insensitive)


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[Path], object]
    expect: tuple[Expect, ...]
    exact: bool = True  # False where one defect legitimately causes follow-up issues


def claim(record: str, **values: str) -> Callable[[Path], None]:
    return lambda d: edit_record(d, C, record, **values)


def quantity(record: str, **values: str) -> Callable[[Path], None]:
    return lambda d: edit_record(d, Q, record, **values)


def write_text(table: str, text: str | bytes) -> Callable[[Path], None]:
    def edit(d: Path) -> None:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (d / table).write_bytes(data)
    return edit


def separated_by(table: str, delimiter: str) -> Callable[[Path], None]:
    """The table as a spreadsheet saves it in a locale that writes decimal commas."""
    def edit(d: Path) -> None:
        import csv

        text = (d / table).read_text(encoding="utf-8")
        rows = list(csv.reader(text.splitlines()))
        with (d / table).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
    return edit


def reencode(table: str, encoding: str) -> Callable[[Path], None]:
    def edit(d: Path) -> None:
        path = d / table
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return edit


def raw_line(table: str, line: int, old: bytes, new: bytes) -> Callable[[Path], None]:
    return lambda d: edit_line(d, table, line, old, new)


def symlink_document_outside(d: Path) -> None:
    """Replace a document by a link to an identical copy outside the dataset folder."""
    outside = d.parent / "outside"
    outside.mkdir()
    target = outside / DOC_001
    shutil.copyfile(d / "documents" / DOC_001, target)
    (d / "documents" / DOC_001).unlink()
    (d / "documents" / DOC_001).symlink_to(target)


def special_document(kind: str) -> Callable[[Path], None]:
    """Replace a document by a FIFO (reading it would wait forever), a folder, or a link
    loop. None of them may hang the checker."""
    def edit(d: Path) -> None:
        path = d / "documents" / DOC_000
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        else:
            path.symlink_to(path.name)  # a link to itself
    return edit


def documents_folder_outside(d: Path) -> None:
    """documents/ is a link to a folder (with the same files) outside the dataset."""
    outside = d.parent / "outside-documents"
    shutil.move(d / "documents", outside)
    (d / "documents").symlink_to(outside)


def special_table(table: str, kind: str) -> Callable[[Path], None]:
    def edit(d: Path) -> None:
        path = d / table
        if kind == "link-outside":
            outside = d.parent / f"outside-{table}"
            shutil.copyfile(path, outside)
            path.unlink()
            path.symlink_to(outside)
        elif kind == "fifo":
            path.unlink()
            os.mkfifo(path)
        else:
            path.unlink()
            path.mkdir()
    return edit


def corrupt_document(d: Path) -> None:
    path = d / "documents" / DOC_002
    path.write_bytes(b"\xff\xfe not UTF-8 \x93quoted\x94 " + path.read_bytes())


def remove(name: str) -> Callable[[Path], None]:
    def edit(d: Path) -> None:
        path = d / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return edit


OMOUGGOS = seed_row(C, "omouggos_three_commanders")
MASHREGH = seed_row(C, "mashregh_thirty_officers")
OPPOSITION = seed_row(C, "opposition_eighty_officers")
SAEEDI = seed_row(C, "saeedi_moharram_many")

CASES: list[Case] = [
    # --- the header ------------------------------------------------------------------------
    *[
        Case(f"{name}-separated", separated_by(table, delimiter),
             (Expect(table, 1, None, f"separated by {name}, not commas"),))
        for table, delimiter, name in ((S, ";", "semicolons"), (C, ";", "semicolons"),
                                       (Q, "\t", "tabs"))
    ],
    Case("missing-required-column", lambda d: drop_column(d, C, "quote"),
         (Expect(C, 1, "quote", "required column is missing"),)),
    Case("misnamed-required-column", lambda d: rename_column(d, C, "qualifier", "Qualifier"),
         (Expect(C, 1, "qualifier", "Rename 'Qualifier' to 'qualifier'"),)),
    Case("duplicate-column", lambda d: rename_column(d, C, "notes", "term"),
         (Expect(C, 1, "term", "appears twice"),)),
    # --- identifiers and references ------------------------------------------------------
    Case("duplicate-source-id", lambda d: append_copy_of_row(d, S, LAST_SOURCE),
         (Expect(S, LAST_SOURCE + 1, "source_id", f"already used on row {LAST_SOURCE}"),)),
    Case("duplicate-quantity-id", lambda d: append_copy_of_row(d, Q, LAST_QUANTITY),
         (Expect(Q, LAST_QUANTITY + 1, "quantity_id",
                 f"already used on row {LAST_QUANTITY}"),)),
    Case("duplicate-claim-id", lambda d: append_copy_of_row(d, C, LAST_CLAIM),
         (Expect(C, LAST_CLAIM + 1, "claim_id", f"already used on row {LAST_CLAIM}"),)),
    Case("unknown-quantity", claim("karbala_bodies_held", quantity_id="no_such_quantity"),
         (Expect(C, KARBALA, "quantity_id", "unknown quantity 'no_such_quantity'"),)),
    Case("misspelt-quantity", claim("karbala_bodies_held", quantity_id="irgc_killed_khan_tumann"),
         (Expect(C, KARBALA, "quantity_id", "did you mean 'irgc_killed_khan_tuman'?"),)),
    Case("misspelt-source", claim("karbala_bodies_held", source_id="karbala_division_spokesmen"),
         (Expect(C, KARBALA, "source_id", "did you mean 'karbala_division_spokesman'?"),)),
    Case("misspelt-via", claim("karbala_bodies_held", via="ea_worldveiw"),
         (Expect(C, KARBALA, "via", "did you mean 'ea_worldview'?"),)),
    Case("unknown-source", claim("karbala_bodies_held", source_id="nobody"),
         (Expect(C, KARBALA, "source_id", "unknown source 'nobody'"),)),
    Case("unknown-via", claim("karbala_bodies_held", via="ea_worldview;nobody"),
         (Expect(C, KARBALA, "via", "unknown source 'nobody'"),)),
    Case("via-own-source", claim("karbala_bodies_held", via="karbala_division_spokesman"),
         (Expect(C, KARBALA, "via", "own source"),)),
    Case("via-twice", claim("karbala_bodies_held", via="mesop;ea_worldview;mesop"),
         (Expect(C, KARBALA, "via", "same outlet twice"),)),
    Case("bad-slug", claim("tabrizi_since_2012", claim_id="Tabrizi since 2012"),
         (Expect(C, TABRIZI, "claim_id", "not a valid identifier"),)),
    Case("required-cell-empty", claim("karbala_bodies_held", quote=""),
         (Expect(C, KARBALA, "quote", "empty but required"),)),
    Case("bad-source-kind-slug", lambda d: edit_record(d, S, "memri", kind="Monitor Group"),
         (Expect(S, LAST_SOURCE, "kind", "not a valid identifier"),), exact=False),
    # --- the quantity forest -------------------------------------------------------------
    Case("parent-unknown",
         quantity("irgc_killed_russian_airstrike_dec_2015", parent="no_such_parent"),
         (Expect(Q, LEAF, "parent", "unknown quantity 'no_such_parent'"),)),
    Case("misspelt-parent", quantity("irgc_killed_russian_airstrike_dec_2015",
                                     parent="iran_killed_since_oct_2105"),
         (Expect(Q, LEAF, "parent", "did you mean 'iran_killed_since_oct_2015'?"),)),
    Case("self-parent", quantity("iran_killed_since_2012", parent="iran_killed_since_2012"),
         (Expect(Q, TOP, "parent", "own parent"),)),
    Case("parent-2-cycle",
         quantity("iran_killed_since_2012", parent="iran_killed_since_oct_2015"),
         (Expect(Q, TOP, "parent", "cycle: iran_killed_since_2012 -> "
                 "iran_killed_since_oct_2015 -> iran_killed_since_2012"),)),
    Case("parent-3-cycle",
         quantity("iran_killed_since_2012", parent="iran_officers_killed_two_months_dec_2015"),
         (Expect(Q, TOP, "parent", "cycle: iran_killed_since_2012 -> "
                 "iran_officers_killed_two_months_dec_2015 -> iran_killed_since_oct_2015 -> "
                 "iran_killed_since_2012"),)),
    Case("outcome-incompatible-with-parent",
         quantity("irgc_killed_russian_airstrike_dec_2015", outcome="captured"),
         (Expect(Q, LEAF, "outcome", "cannot be part of"),)),
    Case("side-mismatch-with-parent",
         quantity("irgc_killed_russian_airstrike_dec_2015", side="rebels"),
         (Expect(Q, LEAF, "side", "differs from its parent"),)),
    Case("side-empty-under-sided-parent",
         quantity("irgc_killed_russian_airstrike_dec_2015", side=""),
         (Expect(Q, LEAF, "side", "'(empty)' differs from its parent"),)),
    Case("complete-without-children", quantity("irgc_captured_khan_tuman", complete="true"),
         (Expect(Q, CAPTURED, "complete", "no quantity names it as parent"),)),
    Case("bad-outcome", quantity("irgc_killed_russian_airstrike_dec_2015", outcome="dead"),
         (Expect(Q, LEAF, "outcome", "'dead' is not one of"),), exact=False),
    Case("bad-boolean-complete", quantity("irgc_casualties_khan_tuman", complete="maybe"),
         (Expect(Q, COMPLETE, "complete", "not true or false"),)),
    Case("bad-date-quantity", quantity("irgc_captured_khan_tuman", start="2016-02-30"),
         (Expect(Q, CAPTURED, "start", "not an iso date"),)),
    Case("bad-date-claim", claim("tabrizi_since_2012", published="11/05/2016"),
         (Expect(C, TABRIZI, "published", "not an iso date"),)),
    Case("end-before-start", quantity("iran_killed_since_2012", end="2011-12-31"),
         (Expect(Q, TOP, "end", "ends (2011-12-31) before it starts (2012)"),)),
    # --- qualifiers and numbers ----------------------------------------------------------
    Case("bad-qualifier", claim("karbala_bodies_held", qualifier="exactly"),
         (Expect(C, KARBALA, "qualifier", "'exactly' is not one of"),)),
    *[
        Case(f"qualifier-synonym-{word}", claim("tabrizi_since_2012", qualifier=word),
             (Expect(C, TABRIZI, "qualifier", f"did you mean {meant!r}?"),))
        for word, meant in (("over", "more_than"), ("More than", "more_than"),
                            ("approximately", "about"), ("almost", "nearly"),
                            ("up-to", "at_most"))
    ],
    Case("misspelt-qualifier", claim("tabrizi_since_2012", qualifier="more_thn"),
         (Expect(C, TABRIZI, "qualifier", "did you mean 'more_than'?"),)),
    *[
        Case(f"missing-value-{q}", claim("karbala_bodies_held", qualifier=q, value=""),
             (Expect(C, KARBALA, "value", f"qualifier {q!r} needs the number"),))
        for q in ("exact", "at_least", "more_than", "at_most", "fewer_than", "about")
    ],
    Case("bound-given-for-exact", claim("karbala_bodies_held", low="12"),
         (Expect(C, KARBALA, "low", "must be empty for qualifier 'exact'"),)),
    Case("value-given-for-range", claim("mp_khan_tuman_captured", value="5"),
         (Expect(C, MP_RANGE, "value", "must be empty for qualifier 'range'"),)),
    Case("range-low-above-high", claim("mp_khan_tuman_captured", high="4"),
         (Expect(C, MP_RANGE, "high", "high bound 4 is below the low bound 5"),)),
    Case("range-missing-high", claim("mp_khan_tuman_captured", high=""),
         (Expect(C, MP_RANGE, "high", "a range needs low and high"),)),
    Case("range-low-not-a-number", claim("mp_khan_tuman_captured", low="abc"),
         (Expect(C, MP_RANGE, "low", "not a whole number"),)),
    Case("vague-unknown-term", claim("rebel_outlets_morning_dozens", term="umpteen"),
         (Expect(C, DOZENS, "term", "'umpteen' is not in the model configuration's lexicon"),)),
    Case("vague-term-empty", claim("rebel_outlets_morning_dozens", term=""),
         (Expect(C, DOZENS, "term", "needs the word used"),)),
    Case("vague-high-without-low", claim("rebel_outlets_morning_dozens", high="99"),
         (Expect(C, DOZENS, "low", "empty while high is given"),)),
    Case("vague-term-not-in-quote", claim("rebel_outlets_morning_dozens", term="hundreds"),
         (Expect(C, DOZENS, "term", "'hundreds' does not occur in the quote"),)),
    Case("value-not-in-quote", claim("irgc_khan_tuman_killed_eaw", value="14"),
         (Expect(C, IRGC_EAW, "value", "does not state 14"),)),
    Case("negative-number", claim("karbala_bodies_held", value="-12"),
         (Expect(C, KARBALA, "value", "'-12' is negative"),)),
    Case("non-number", claim("karbala_bodies_held", value="abc"),
         (Expect(C, KARBALA, "value", "'abc' is not a whole number"),)),
    Case("decimal", claim("karbala_bodies_held", value="12.5"),
         (Expect(C, KARBALA, "value", "'12.5' is not a whole number"),)),
    Case("bad-thousands-grouping", claim("tabrizi_since_2012", value="1,20"),
         (Expect(C, TABRIZI, "value", "'1,20' is not a whole number"),)),
    Case("huge-number", claim("karbala_bodies_held", value="1" + "0" * 5000),
         (Expect(C, KARBALA, "value", "too large to be a count"),)),
    Case("fewer-than-zero", claim("karbala_bodies_held", qualifier="fewer_than", value="0"),
         (Expect(C, KARBALA, "value", "'fewer than 0' is impossible"),)),
    # --- quotes and documents ------------------------------------------------------------
    Case("quote-not-in-document",
         claim("irgc_khan_tuman_killed_eaw", quote="the Guards declared 13 dead"),
         (Expect(C, IRGC_EAW, "quote", f"not found in documents/{DOC_000}"),)),
    Case("document-missing", claim("tabrizi_since_2012", document="no_such_file.txt"),
         (Expect(C, TABRIZI, "document", "documents/no_such_file.txt does not exist"),)),
    Case("document-misspelt", claim("tabrizi_since_2012", document=DOC_000[:-4] + ".tx"),
         (Expect(C, TABRIZI, "document", f"did you mean {DOC_000!r}?"),)),
    Case("document-absolute-path", claim("tabrizi_since_2012", document="/etc/hostname"),
         (Expect(C, TABRIZI, "document", "is an absolute path"),)),
    Case("document-windows-path", claim("tabrizi_since_2012", document="C:\\docs\\a.txt"),
         (Expect(C, TABRIZI, "document", "is an absolute path"),)),
    Case("document-dot-dot", claim("tabrizi_since_2012", document="../sources.csv"),
         (Expect(C, TABRIZI, "document", "leaves the documents folder"),)),
    Case("document-name-too-long", claim("tabrizi_since_2012", document="d" * 300 + ".txt"),
         (Expect(C, TABRIZI, "document", "cannot be read"),)),
    Case("document-symlink-outside", symlink_document_outside,
         (Expect(C, OMOUGGOS, "document", "is a link that leaves the documents folder"),
          Expect(C, MASHREGH, "document", "cannot be used"))),
    Case("document-not-utf8", corrupt_document,
         (Expect(C, OPPOSITION, "document", "not valid utf-8"),
          Expect(C, SAEEDI, "document", "cannot be used"))),
    Case("documents-folder-missing", remove("documents"),
         (Expect("documents", None, None, "documents folder is missing"),)),
    Case("documents-folder-link-outside", documents_folder_outside,
         (Expect("documents", None, None, "is a link to a folder outside the dataset"),)),
    Case("document-fifo", special_document("fifo"),
         (Expect(C, TABRIZI, "document", "is a FIFO (named pipe), not a text file"),
          Expect(C, KARBALA, "document", f"cannot be used (see row {TABRIZI}")), exact=False),
    Case("document-folder", special_document("folder"),
         (Expect(C, TABRIZI, "document", "is a folder, not a text file"),), exact=False),
    Case("document-link-loop", special_document("loop"),
         (Expect(C, TABRIZI, "document", "cannot be read (too many levels of symbolic"),),
         exact=False),
    Case("table-link-outside", special_table(S, "link-outside"),
         (Expect(S, None, None, "is a link to a file outside the dataset folder"),)),
    Case("table-fifo", special_table(S, "fifo"),
         (Expect(S, None, None, "is a FIFO (named pipe), not a regular file"),)),
    Case("table-folder", special_table(Q, "folder"),
         (Expect(Q, None, None, "is a folder, not a regular file"),)),
    # --- the file as a whole -------------------------------------------------------------
    Case("table-missing", remove(C), (Expect(C, None, None, "missing from the dataset"),)),
    Case("empty-file", write_text(C, b""), (Expect(C, None, None, "the file is empty"),)),
    Case("whitespace-only-file", write_text(C, " \r\n\t\n  \n"),
         (Expect(C, None, None, "the file is empty"),)),
    Case("utf16-file", reencode(C, "utf-16"), (Expect(C, None, None, "utf-16"),)),
    Case("cp1252-file", reencode(C, "cp1252"),
         (Expect(C, IRGC_EAW, "quote", "not valid utf-8 (byte 0x92"),)),
    Case("nul-byte", raw_line(C, KARBALA, b",exact,", b",ex\x00act,"),
         (Expect(C, KARBALA, "qualifier", "nul byte"),)),
    Case("too-many-fields", raw_line(C, KARBALA, b",2016-05-11,", b",2016-05-11,extra,"),
         (Expect(C, KARBALA, None, "has 14 fields but the header has 13"),)),
    Case("too-few-fields", raw_line(C, KARBALA, b",2016-05-11,", b",2016-05-11"),
         (Expect(C, KARBALA, None, "has 12 fields but the header has 13"),)),
    Case("unterminated-quote", raw_line(C, MP_RANGE, b",The IRGC", b',"The IRGC'),
         (Expect(C, MP_RANGE, None, "not valid csv"),)),
    Case("unterminated-quote-at-end", raw_line(C, LAST_CLAIM, b",2015-12-13,", b',2015-12-13,"x'),
         (Expect(C, LAST_CLAIM, None, "not valid csv (unexpected end of data)"),)),
]


def _issue_matches(issue, expect: Expect) -> bool:
    return ((issue.file, issue.row, issue.column) == (expect.file, expect.row, expect.column)
            and expect.says.lower() in str(issue).lower())


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_dataset_is_refused_with_its_place(case: Case, tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    before_edit = snapshot(data)
    case.edit(data)
    assert snapshot(data) != before_edit, "the edit did not change the dataset"
    before = snapshot(tmp_path)

    # The Python API: every expected issue, with its place, and (usually) nothing else.
    issues = check_dataset(data)
    for expect in case.expect:
        assert any(_issue_matches(issue, expect) for issue in issues), (expect, issues)
    if case.exact:
        assert {(i.file, i.row, i.column) for i in issues} == {
            (e.file, e.row, e.column) for e in case.expect}, issues
    with pytest.raises(DatasetError) as raised:
        load_dataset(data)
    assert sorted(raised.value.issues) == sorted(issues)

    # The real command line, in a subprocess.
    result = run_cli("check", data)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert "valid." not in result.stdout
    for expect in case.expect:
        lines = lines_at(result.stderr, expect.file, expect.row, expect.column)
        where = location(expect.file, expect.row, expect.column)
        assert lines, f"no line starting {where!r}:\n{output}"
        assert any(expect.says.lower() in line.lower() for line in lines), lines
        if expect.row is not None:
            assert f"row {expect.row}" in lines[0] and expect.file in lines[0]
        if expect.column is not None:
            assert f"column {expect.column}" in lines[0]
    count = len(issues)
    assert f"{count} problem{'s' if count != 1 else ''} in the input" in result.stderr

    # Nothing in the dataset folder (or beside it) was written, changed or removed.
    assert snapshot(tmp_path) == before


def test_edits_are_targeted(tmp_path: Path) -> None:
    """The cell helpers change exactly one cell: the rest of the table is byte-identical."""
    data = copy_seeds(tmp_path / "data")
    rows = read_rows(data / C)
    edit_record(data, C, "karbala_bodies_held", value="99")
    changed = read_rows(data / C)
    diffs = [(r, c) for r, row in enumerate(rows) for c, cell in enumerate(row)
             if changed[r][c] != cell]
    assert diffs == [(KARBALA - 1, rows[0].index("value"))]
    write_rows(data / C, rows)
    assert check_dataset(data) == []


def test_all_errors_are_reported_in_one_pass(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    new_source_row = append_copy_of_row(data, S, LAST_SOURCE)
    edit_record(data, Q, "irgc_captured_khan_tuman", complete="true")
    edit_record(data, Q, "iran_killed_since_2012", end="2011")
    edit_record(data, C, "irgc_khan_tuman_killed_eaw", value="14")
    edit_record(data, C, "karbala_bodies_held", qualifier="exactly")
    edit_record(data, C, "tabrizi_since_2012", document="gone.txt")
    edit_record(data, C, "mp_khan_tuman_captured", high="4")
    expected = [
        (S, new_source_row, "source_id"), (Q, CAPTURED, "complete"), (Q, TOP, "end"),
        (C, IRGC_EAW, "value"), (C, KARBALA, "qualifier"), (C, TABRIZI, "document"),
        (C, MP_RANGE, "high"),
    ]
    before = snapshot(tmp_path)
    issues = check_dataset(data)
    assert sorted((i.file, i.row, i.column) for i in issues) == sorted(expected)

    result = run_cli("check", data)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{len(expected)} problems in the input" in result.stderr
    for file, row, column in expected:
        assert lines_at(result.stderr, file, row, column), (file, row, column, result.stderr)
    assert snapshot(tmp_path) == before


# --- tables with a header and no records ----------------------------------------------------
def _header_only(data: Path, table: str) -> None:
    write_rows(data / table, read_rows(data / table)[:1])


def test_claims_with_only_a_header_is_a_valid_empty_dataset(tmp_path: Path) -> None:
    """The format does not require claims: a header-only claims.csv loads with no claims
    (the sources and quantities are still fully checked)."""
    data = copy_seeds(tmp_path / "data")
    _header_only(data, C)
    assert check_dataset(data) == []
    dataset = load_dataset(data)
    assert dataset.claims == ()
    assert dataset.quantities == load_dataset(SEEDS).quantities
    assert dataset.sources == load_dataset(SEEDS).sources
    result = run_cli("check", data)
    assert result.returncode == 0, result.stderr
    assert "0 claims" in result.stdout


def test_claims_with_only_a_header_still_checks_the_other_tables(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    _header_only(data, C)
    edit_record(data, Q, "irgc_captured_khan_tuman", complete="true")
    assert [(i.file, i.row, i.column) for i in check_dataset(data)] == [(Q, CAPTURED, "complete")]


@pytest.mark.parametrize(("table", "column", "says"), [
    (S, "source_id", "unknown source"), (Q, "quantity_id", "unknown quantity"),
])
def test_sources_or_quantities_with_only_a_header_leave_every_claim_dangling(
    tmp_path: Path, table: str, column: str, says: str
) -> None:
    data = copy_seeds(tmp_path / "data")
    _header_only(data, table)
    before = snapshot(tmp_path)
    claim_rows = range(2, LAST_CLAIM + 1)
    issues = check_dataset(data)
    for row in claim_rows:
        assert any(i.file == C and i.row == row and i.column == column and says in i.message
                   for i in issues), row
    result = run_cli("check", data)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for row in claim_rows:
        assert lines_at(result.stderr, C, row, column)
    assert snapshot(tmp_path) == before


# --- limits and unreadable files (in process: the limits are monkeypatched) -----------------
def _invoke_check(data: Path):
    return CliRunner().invoke(main, ["check", str(data)], catch_exceptions=False)


def _refusing(name: str):
    """read_bounded, except that reading ``name`` fails as a permission problem would."""
    from reconcile.files import read_bounded

    def read(path: Path, limit: int) -> bytes:
        if path.name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bounded(path, limit)
    return read


def test_unreadable_document_is_an_input_error(tmp_path: Path, monkeypatch) -> None:
    """A document that cannot be read (permissions) is reported, not a traceback. The test
    runs as any user, so the failure is injected rather than made with chmod."""
    import reconcile.dataset.documents as load_module

    data = copy_seeds(tmp_path / "data")
    monkeypatch.setattr(load_module, "read_bounded", _refusing(DOC_000))
    issues = check_dataset(data)
    assert (C, TABRIZI, "document") in {(i.file, i.row, i.column) for i in issues}
    assert any("cannot be read (Permission denied)" in i.message for i in issues)
    result = _invoke_check(data)
    assert result.exit_code == 2
    assert lines_at(result.stderr, C, TABRIZI, "document")


def test_unreadable_table_is_an_input_error(tmp_path: Path, monkeypatch) -> None:
    import reconcile.dataset.csvfile as csvfile

    data = copy_seeds(tmp_path / "data")
    monkeypatch.setattr(csvfile, "read_bounded", _refusing(C))
    issues = check_dataset(data)
    assert [(i.file, i.row, i.column) for i in issues] == [(C, None, None)]
    assert "cannot be read (Permission denied)" in issues[0].message
    result = _invoke_check(data)
    assert result.exit_code == 2 and lines_at(result.stderr, C, None, None)


def test_oversized_document_is_refused(tmp_path: Path, monkeypatch) -> None:
    import reconcile.dataset.documents as load_module

    data = copy_seeds(tmp_path / "data")
    size = (data / "documents" / DOC_000).stat().st_size
    monkeypatch.setattr(load_module, "MAX_DOCUMENT_BYTES", size - 1)
    issues = check_dataset(data)
    assert any((i.file, i.row, i.column) == (C, TABRIZI, "document")
               and f"is {size:,} bytes, over the limit of {size - 1:,} bytes" in i.message
               for i in issues)


def test_overlong_field_is_refused_and_the_csv_limit_restored(tmp_path: Path,
                                                             monkeypatch) -> None:
    import csv

    import reconcile.dataset.csvfile as csvfile

    data = copy_seeds(tmp_path / "data")
    monkeypatch.setattr(csvfile, "MAX_FIELD_CHARS", 500)
    edit_record(data, C, "karbala_bodies_held", notes="n" * 600)
    limit_before = csv.field_size_limit()
    issues = check_dataset(data)
    assert csv.field_size_limit() == limit_before
    assert [(i.file, i.row, i.column) for i in issues] == [(C, KARBALA, None)]
    assert "field larger than field limit" in issues[0].message


def test_not_a_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dataset"
    result = run_cli("check", missing)
    assert result.returncode == 2
    assert "is not a dataset folder" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


def test_path_too_long_for_the_file_system(tmp_path: Path) -> None:
    result = _invoke_check(tmp_path / ("x" * 5000))
    assert result.exit_code == 2
    assert "is not a dataset folder" in result.stderr


@pytest.mark.parametrize("column", ["value", "document"])
def test_terminal_escapes_in_cells_are_not_echoed(tmp_path: Path, column: str) -> None:
    """A cell holding an escape sequence is shown defused in the message (a bad number is
    shown quoted; a document name as written, with control characters replaced)."""
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "karbala_bodies_held", **{column: "\x1b[2J12\x07"})
    result = run_cli("check", data)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert lines_at(result.stderr, C, KARBALA, column)


def test_file_modes_are_unchanged(tmp_path: Path) -> None:
    """Checking does not touch permissions or timestamps either."""
    data = copy_seeds(tmp_path / "data")
    edit_record(data, C, "karbala_bodies_held", value="abc")
    stats = {p: (p.stat().st_mode, p.stat().st_mtime_ns) for p in data.rglob("*")}
    assert run_cli("check", data).returncode == 2
    assert {p: (p.stat().st_mode, p.stat().st_mtime_ns) for p in data.rglob("*")} == stats
