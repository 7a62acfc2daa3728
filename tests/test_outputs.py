"""Output safety: formula-safe CSV cells, atomic folder swap, signals (a real run killed
mid-sampling, and in process: a sampler that swallows the signal, a signal during the swap)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from reconcile.report.writing import OutputError, atomic_output_dir, spreadsheet_safe, write_csv
from dataset_helpers import snapshot_with_times
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


def test_write_csv_never_writes_scientific_notation(tmp_path):
    """"1.52637e+06" in estimates.csv was a reader's complaint (issue 17.4)."""
    values = [1526370.4, 403674.0, 0.000012345, 62.903912, 2.0e15, float("nan")]
    write_csv(pd.DataFrame({"id": list("abcdef"), "median": values}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines() == [
        "id,median", "a,1526370", "b,403674", "c,0.000012345", "d,62.9039",
        "e,2000000000000000", "f,"]


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


def _thread_names(pid: int) -> list[str]:
    names = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            names.append(Path(f"/proc/{pid}/task/{task}/comm").read_text().strip())
        except OSError:  # the thread ended between the listing and the read
            pass
    return names


def _wait_until_sampling(process: subprocess.Popen, deadline: float) -> None:
    """Until nutpie's chain threads (named nutpie-worker-N) exist. Counting threads instead
    failed CI once: on a busy machine the threads were already there when the test read the
    command's "sampling" line, so the count never grew."""
    while not any(name.startswith("nutpie-worker") for name in _thread_names(process.pid)):
        assert time.monotonic() < deadline and process.poll() is None, "sampling never began"
        time.sleep(0.1)
    time.sleep(1)  # well inside sampling 4 chains x 22,000 steps (30 s or more)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_killing_a_real_run_mid_sampling_keeps_previous_outputs(tmp_path, signum):
    """The samplers catch KeyboardInterrupt and return the draws so far; the run must not
    go on with them (before the fix it wrote nothing only by luck: it crashed on NaNs with a
    traceback, or with enough draws would have reported them)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "estimates.csv").write_text("previous results\n")
    (out / "report.html").write_text("<p>previous report</p>\n")
    previous = snapshot_with_times(out)
    data = tmp_path / "data"
    shutil.copytree(SEEDS, data)
    before = snapshot_with_times(data)
    with subprocess.Popen(
        [RECONCILE, "run", str(data), "--out", str(out), "--force", "--draws", "20000",
         "--no-progress", "--allow-bad-diagnostics"], stderr=subprocess.PIPE, text=True,
    ) as process:
        _wait_until_sampling(process, time.monotonic() + 180)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr  # 130 and 143, as the README says
    name = signal.Signals(signum).name
    assert (f"reconcile: stopped by {name} while sampling 4 chains of 2,000 tuning steps and "
            "20,000 draws (nutpie); nothing was written and earlier outputs are intact.") in stderr
    assert "Traceback" not in stderr
    assert snapshot_with_times(out) == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no partial folder
    assert snapshot_with_times(data) == before


# --- signals in process: the sampler that swallows them, the swap that must not be cut -------
@pytest.fixture()
def no_default_signal_handling():
    """Should a protection be missing, a signal the test sends itself fails the test instead
    of stopping pytest (SIGINT) or killing it (SIGTERM)."""
    def unhandled(signum, frame):
        raise AssertionError(f"signal {signum} reached the test: nothing handled it")

    previous = {s: signal.signal(s, unhandled) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_the_sampler_swallowed_still_stops_the_run(hostile_run, monkeypatch, signum,
                                                             no_default_signal_handling):
    import reconcile.inference.fitting as inference
    from reconcile.interrupt import Interrupted

    fitted = hostile_run.result.fit

    def swallowing_sampler(**kwargs):  # what nutpie and PyMC do on KeyboardInterrupt
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)
        except KeyboardInterrupt:
            pass
        return fitted.idata

    monkeypatch.setattr(inference.pm, "sample", swallowing_sampler)
    with pytest.raises(Interrupted) as raised:
        inference.sample(fitted.model, fitted.sampler, seed=1)
    assert raised.value.exit_status == 128 + signum


def test_a_sampler_that_stops_early_is_an_error(hostile_run, monkeypatch):
    import reconcile.inference.fitting as inference
    from reconcile.errors import ModelBuildError

    fitted = hostile_run.result.fit
    partial = fitted.idata.isel(draw=slice(0, 37))
    monkeypatch.setattr(inference.pm, "sample", lambda **kwargs: partial)
    with pytest.raises(ModelBuildError, match="sampling stopped early: 2 chains x 37 draws "
                                              "instead of 2 x 100"):
        inference.sample(fitted.model, fitted.sampler, seed=1)


def test_a_signal_during_the_swap_waits_until_it_is_done(tmp_path, monkeypatch,
                                                         no_default_signal_handling):
    """Old outputs renamed away, new ones not yet in place: a signal there would leave
    neither. It is held until both renames are done, then stops the run."""
    from reconcile.interrupt import Interrupted

    out = tmp_path / "out"
    out.mkdir()
    (out / "estimates.csv").write_text("old")
    real_rename = Path.rename

    def rename(self, target):
        moved = real_rename(self, target)
        if self == out:  # the old outputs were just retired
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)  # a Python handler runs here, between the two renames
        return moved

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(Interrupted) as raised:
        with atomic_output_dir(out, replace=True) as staging:
            (staging / "estimates.csv").write_text("new")
    assert raised.value.outputs_written == out
    assert (out / "estimates.csv").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_signal_while_writing_leaves_the_old_outputs(tmp_path, no_default_signal_handling):
    from reconcile.interrupt import Interrupted

    out = tmp_path / "out"
    out.mkdir()
    (out / "estimates.csv").write_text("old")
    with pytest.raises(Interrupted) as raised:
        with atomic_output_dir(out, replace=True) as staging:
            (staging / "estimates.csv").write_text("half")
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    assert raised.value.outputs_written is None
    assert (out / "estimates.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_reports_factors_are_never_in_scientific_notation():
    """The sensitivity table printed "x2.6e+02" for a median that moved 260-fold."""
    from reconcile.report.html import _factor_text

    assert [_factor_text(x) for x in (1.4, 0.5, 260.0, 1 / 3100.0, 0.0)] == [
        "×1.4", "÷2", "×260", "÷3,100", "n/a"]


def test_each_dataset_has_its_own_default_output_folder(tmp_path):
    """Sibling datasets shared DATA_DIR/../reconcile-out: the second run was refused, and
    --force would have overwritten the first one's results (issue 17.6)."""
    from reconcile.pipeline import default_out_dir

    assert default_out_dir(tmp_path / "a") == tmp_path / "reconcile-out" / "a"
    assert default_out_dir(tmp_path / "b") != default_out_dir(tmp_path / "a")


def test_force_replaces_only_a_run_of_the_same_dataset(tmp_path):
    import json

    from reconcile.report.writing import check_output_dir

    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"dataset": {"path": "other-data"},
                                              "cwd": str(tmp_path)}))
    with pytest.raises(OutputError, match=r"holds the outputs of another dataset \(.*other-data\)"):
        check_output_dir(out, True, SEEDS)
    check_output_dir(out, True, tmp_path / "other-data")  # the same dataset: replaced
    (out / "run.json").write_text(json.dumps({"dataset": {"path": str(SEEDS)}}))
    check_output_dir(out, True, SEEDS)
    (out / "run.json").write_text("not json")  # not a run's outputs: --force as before
    check_output_dir(out, True, SEEDS)
