"""Output safety: formula-safe CSV cells, atomic folder swap, and a real run killed mid-way."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pandas as pd
import pytest

from reconcile.outputs import OutputError, atomic_output_dir, spreadsheet_safe, write_csv
from support import RECONCILE, SEEDS


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_like_text_is_neutralised(text):
    assert spreadsheet_safe(text) == "'" + text


def test_ordinary_text_and_numbers_are_untouched():
    assert spreadsheet_safe("Khan Tuman") == "Khan Tuman"
    assert spreadsheet_safe(-3.5) == -3.5


def test_write_csv_applies_it(tmp_path):
    write_csv(pd.DataFrame({"description": ["=HYPERLINK(1)"], "median": [12.0]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "description,median\n'=HYPERLINK(1),12\n"


def test_atomic_dir_replaces_only_on_success(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "estimates.csv").write_text("old")
    with pytest.raises(ZeroDivisionError):
        with atomic_output_dir(out, replace=True) as staging:
            (staging / "estimates.csv").write_text("half")
            1 / 0
    assert (out / "estimates.csv").read_text() == "old"
    with atomic_output_dir(out, replace=True) as staging:
        (staging / "estimates.csv").write_text("new")
    assert (out / "estimates.csv").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unwritable_parent_is_a_clear_error(tmp_path):
    """A parent that is not a folder (permission bits would not stop root, who runs CI)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot create a folder"):
        with atomic_output_dir(blocker / "out", replace=False):
            pass
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_killing_a_real_run_mid_sampling_keeps_previous_outputs(tmp_path, signum):
    out = tmp_path / "out"
    out.mkdir()
    (out / "estimates.csv").write_text("previous results\n")
    data = tmp_path / "data"
    shutil.copytree(SEEDS, data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    with subprocess.Popen(
        [RECONCILE, "run", str(data), "--out", str(out), "--force", "--draws", "20000",
         "--no-progress"], stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + 120
        seen = ""
        while "sampling" not in seen and time.monotonic() < deadline:
            seen += process.stderr.readline()
        assert "sampling" in seen
        time.sleep(3)  # well inside compilation or sampling of 20,000 draws
        process.send_signal(signum)
        process.wait(timeout=60)
    assert process.returncode != 0
    assert (out / "estimates.csv").read_text() == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no partial folder
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
