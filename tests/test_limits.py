"""Size bounds: huge inputs are refused fast, by name and bound, with bounded memory.

Each real-size case builds its file in tmp_path (100 MB is written in about 0.2 s) and checks
three things: the message names the file and the bound, the refusal takes seconds, and memory
does not grow with the file. Memory is measured twice: Python's allocations in process
(tracemalloc), and the peak resident size of the real command (``os.wait4``) against a
`reconcile check` of the seeds. The margins are far below the file sizes (a file that were
read at all would add at least its size), and far above the few MB by which start-up varies.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

from click.testing import CliRunner

from dataset_helpers import SEEDS, cli_command, copy_seeds, read_rows, seed_cell, seed_row, snapshot
from reconcile.cli import main
from reconcile.dataset import check_dataset
from reconcile.dataset.csvfile import MAX_ROWS, MAX_TABLE_BYTES
from reconcile.dataset.documents import MAX_DOCUMENT_BYTES
from reconcile.errors import MAX_ISSUES

MB = 1024 * 1024
HUGE = 100 * MB
REFUSAL_SECONDS = 10  # measured: 0.4 s for the command, 0.01 s in process
IN_PROCESS_PEAK = 8 * MB  # measured: under 1 MB (the seeds' tables and documents)
RSS_GROWTH = 40 * MB  # over `reconcile check seeds`; reading the file would add 100 MB
DOC = seed_cell("claims.csv", "tabrizi_since_2012", "document")
TABRIZI = seed_row("claims.csv", "tabrizi_since_2012")


def fill(path: Path, head: bytes, unit: bytes, size: int) -> None:
    """``head`` then ``unit`` repeated up to exactly ``size`` bytes, written 1 MB at a time."""
    chunk = unit * (MB // len(unit))
    with path.open("wb") as handle:
        handle.write(head)
        while handle.tell() + len(chunk) <= size:
            handle.write(chunk)
        handle.write(chunk[: size - handle.tell()])
    assert path.stat().st_size == size


def _cap_memory() -> None:
    """In the child: 3 GB of address space at most, so that a missing bound fails the test
    with a MemoryError instead of taking the machine's memory (it once took 24 GB)."""
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 * MB, 3 * 1024 * MB))


def peak_rss_of(args: list[str]) -> tuple[int, subprocess.CompletedProcess, float]:
    """Run ``args``: its peak resident bytes (``wait4``: this child's own peak, where
    RUSAGE_CHILDREN would be a maximum over every earlier child), its result and seconds.
    Output goes to files, so that a chatty child cannot block on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, preexec_fn=_cap_memory)
        deadline = started + 120  # the hang guard
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                child.wait()
                raise AssertionError(f"{args} did not finish within 120 s")
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(args, child.returncode,
                                             out.read().decode("utf-8", "replace"),
                                             err.read().decode("utf-8", "replace"))
    return usage.ru_maxrss * 1024, result, elapsed


def in_process_check(data: Path):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        issues = check_dataset(data)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return issues, elapsed, peak


def baseline_rss() -> int:
    peak, result, _ = peak_rss_of([*cli_command(), "check", str(SEEDS)])
    assert result.returncode == 0, result.stderr
    return peak


# --- 100 MB inputs --------------------------------------------------------------------------
def test_a_100_mb_table_is_refused_fast_with_bounded_memory(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    rows = (SEEDS / "claims.csv").read_bytes().split(b"\n")
    fill(data / "claims.csv", rows[0] + b"\n", rows[1] + b"\n", HUGE)
    before = snapshot(data)

    issues, elapsed, peak = in_process_check(data)
    assert [(i.file, i.row, i.column) for i in issues] == [("claims.csv", None, None)]
    assert (f"is {HUGE:,} bytes, over the limit of {MAX_TABLE_BYTES:,} bytes"
            in issues[0].message)
    assert elapsed < REFUSAL_SECONDS and peak < IN_PROCESS_PEAK, (elapsed, peak)

    base = baseline_rss()
    rss, result, elapsed = peak_rss_of([*cli_command(), "check", str(data)])
    assert result.returncode == 2
    assert (f"claims.csv: is {HUGE:,} bytes, over the limit of {MAX_TABLE_BYTES:,} bytes"
            in result.stderr)
    assert "Traceback" not in result.stderr
    assert elapsed < REFUSAL_SECONDS
    assert rss - base < RSS_GROWTH, (rss, base)
    assert snapshot(data) == before


def test_a_100_mb_document_is_refused_fast_with_bounded_memory(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    text = (SEEDS / "documents" / DOC).read_bytes()
    fill(data / "documents" / DOC, text, b"Nothing more to report today. ", HUGE)

    issues, elapsed, peak = in_process_check(data)
    refused = [i for i in issues if (i.file, i.row, i.column) == ("claims.csv", TABRIZI,
                                                                   "document")]
    assert refused and (f"documents/{DOC} is {HUGE:,} bytes, over the limit of "
                        f"{MAX_DOCUMENT_BYTES:,} bytes") in refused[0].message
    assert elapsed < REFUSAL_SECONDS and peak < IN_PROCESS_PEAK, (elapsed, peak)

    base = baseline_rss()
    rss, result, elapsed = peak_rss_of([*cli_command(), "check", str(data)])
    assert result.returncode == 2
    assert f"documents/{DOC} is {HUGE:,} bytes, over the limit" in result.stderr
    assert elapsed < REFUSAL_SECONDS
    assert rss - base < RSS_GROWTH, (rss, base)


# --- many rows: bytes alone are not a bound -------------------------------------------------
def test_sixty_mb_of_tiny_rows_is_refused_by_the_row_bound(tmp_path: Path) -> None:
    """60 MB of one-letter cells (under the byte bound) is 2.4 million rows: before the row
    bound, `reconcile check` grew to 24 GB and was killed after 4 minutes. Now: refused in
    about a second, peak about 215 MB (the file's text is held while it is parsed)."""
    data = copy_seeds(tmp_path / "data")
    header = (SEEDS / "claims.csv").read_bytes().split(b"\n")[0] + b"\n"
    fill(data / "claims.csv", header, b"a,b,c,d,e,f,g,h,i,j,k,l,m\n", 60 * MB)
    base = baseline_rss()
    rss, result, elapsed = peak_rss_of([*cli_command(), "check", str(data)])
    assert result.returncode == 2, result.stderr
    assert f"claims.csv: has more than {MAX_ROWS:,} rows, the limit." in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 20
    assert rss - base < 400 * MB, (rss, base)


def test_row_bound_is_exact(tmp_path: Path, monkeypatch) -> None:
    import reconcile.dataset.csvfile as csvfile

    rows = len(read_rows(SEEDS / "claims.csv")) - 1
    monkeypatch.setattr(csvfile, "MAX_ROWS", rows)
    assert check_dataset(SEEDS) == []
    monkeypatch.setattr(csvfile, "MAX_ROWS", rows - 1)
    issues = check_dataset(SEEDS)
    assert [(i.file, i.row, i.column) for i in issues] == [("claims.csv", None, None)]
    assert f"more than {rows - 1:,} rows" in issues[0].message


def test_a_refused_table_does_not_flood_the_others_with_unknown_ids(tmp_path: Path,
                                                                     monkeypatch) -> None:
    """sources.csv over the bound: one issue, not 'unknown source' on every claim."""
    import reconcile.dataset.csvfile as csvfile

    monkeypatch.setattr(csvfile, "MAX_ROWS", 3)
    issues = check_dataset(SEEDS)
    assert {(i.file, i.row) for i in issues} == {("sources.csv", None),
                                                 ("quantities.csv", None),
                                                 ("claims.csv", None)}


def test_issues_past_the_cap_are_counted_not_listed(tmp_path: Path) -> None:
    data = copy_seeds(tmp_path / "data")
    header = (SEEDS / "claims.csv").read_bytes().split(b"\n")[0] + b"\n"
    fill(data / "claims.csv", header, b"A,B,C,d,e,f,g,h,i,j,k,l,m\n", 26 * 5000 + len(header))
    issues = check_dataset(data)
    assert len(issues) == MAX_ISSUES and issues.not_kept > 10 * MAX_ISSUES
    result = CliRunner().invoke(main, ["check", str(data)], catch_exceptions=False)
    assert result.exit_code == 2
    total = MAX_ISSUES + issues.not_kept
    assert result.stderr.startswith(f"{data}: {total:,} problems in the input:\n")
    assert f"... and {issues.not_kept:,} more, not listed" in result.stderr
    assert result.stderr.count("\n  claims.csv, row ") == MAX_ISSUES
