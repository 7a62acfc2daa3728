"""Honest failure through the command line: every way a run can go wrong has its exit status
(README's table), a message that names the cause, no traceback, no control character on the
terminal, no half-written folder, and earlier outputs left as they were.

No MCMC here: ``fit`` (or the sampler itself) is replaced by the session's short real fit of
the hostile dataset (conftest.hostile_run), so each test costs the checks and the report.
"""

from __future__ import annotations

import errno
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_helpers import snapshot, snapshot_with_times
from hostile import CONFLICT_QUANTITY
from reconcile.cli import EXIT_DIAGNOSTICS, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT, main

FAST = ["--draws", "100", "--tune", "100", "--chains", "2", "--seed", "1", "--max-time", "0"]


@pytest.fixture()
def refit(hostile_run, monkeypatch):
    """`reconcile run` on the hostile dataset with the session's fit instead of sampling."""
    import reconcile.pipeline as run_module

    monkeypatch.setattr(run_module, "fit", lambda *args, **kwargs: hostile_run.result.fit)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["run", str(hostile_run.data), *FAST, *args],
                                  catch_exceptions=False)
    return invoke


def previous_outputs(out: Path) -> dict[str, str]:
    out.mkdir(parents=True)
    (out / "estimates.csv").write_text("previous results\n")
    (out / "run.json").write_text("{}\n")
    return snapshot(out)


def assert_clean(result, status: int) -> None:
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def no_leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".partial-" in p.name or ".replaced-" in p.name]


# --- diagnostics ----------------------------------------------------------------------------
def test_failed_diagnostics_exit_3_and_write_nothing_unless_asked(refit, hostile_run,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = refit("--out", str(out))
    assert_clean(result, EXIT_DIAGNOSTICS)
    assert "DIAGNOSTICS FAILED" in result.stderr and "Do not cite these numbers" in result.stderr
    assert "nothing was written" in result.stderr and not out.exists()

    kept = refit("--out", str(out), "--allow-bad-diagnostics")
    assert_clean(kept, EXIT_DIAGNOSTICS)  # kept for inspection, still a failure
    assert f"outputs kept for inspection in {out}" in kept.stderr
    assert json.loads((out / "diagnostics.json").read_text())["ok"] is False
    info = json.loads((out / "run.json").read_text())
    assert info["diagnostics_ok"] is False
    assert "--allow-bad-diagnostics" in info["rerun"]
    assert snapshot_with_times(hostile_run.data) == hostile_run.before


def test_an_impossible_nesting_is_named_on_the_terminal(refit, tmp_path: Path) -> None:
    result = refit("--out", str(tmp_path / "out"))
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings and f"impossible nesting: {CONFLICT_QUANTITY!r} is complete" in warnings[0]


def test_a_sampler_crash_names_the_likely_cause(hostile_run, tmp_path: Path,
                                                monkeypatch) -> None:
    import reconcile.inference.nutpie_backend as refit

    def crash(*args, **kwargs):  # what nutpie raises when no initial point can be evaluated
        raise RuntimeError("All initialization points failed")

    monkeypatch.setattr(refit.nutpie, "sample", crash)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(hostile_run.data), "--out", str(out)],
                                catch_exceptions=False)
    assert_clean(result, EXIT_MODEL)
    assert "sampling failed (RuntimeError: All initialization points failed" in result.stderr
    assert f"Likely cause: impossible nesting: {CONFLICT_QUANTITY!r} is complete" in result.stderr
    assert "at most 5" in result.stderr
    assert not out.exists()


def test_a_density_model_with_a_claim_of_zero_cannot_be_built(tmp_path: Path) -> None:
    """The real command (no patch): the model refuses at build time, exit 4, cause named."""
    from dataset_helpers import copy_seeds, edit_record, run_cli, seed_cell

    data = copy_seeds(tmp_path / "data")
    edit_record(data, "claims.csv", "karbala_bodies_held", value="0",
                quote="He said no one was killed")
    document = data / "documents" / seed_cell("claims.csv", "karbala_bodies_held", "document")
    document.write_text(document.read_text() + "\nHe said no one was killed.\n")
    result = run_cli("run", data, "--model", "density", "--out", tmp_path / "out")
    assert result.returncode == EXIT_MODEL, result.stderr
    assert "cannot take a claim of 0 (karbala_bodies_held)" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


# --- the file system refuses ----------------------------------------------------------------
def test_a_full_disk_is_a_clear_error_and_changes_nothing(refit, tmp_path: Path,
                                                          monkeypatch) -> None:
    """Simulated: the JSON writer fails with ENOSPC half-way through the outputs."""
    import reconcile.report.write as run_module

    out = tmp_path / "out"
    before = previous_outputs(out)
    real_write_json = run_module.write_json

    def full(data, path):
        if path.name == "run.json":  # the last file: everything else is already written
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write_json(data, path)

    monkeypatch.setattr(run_module, "write_json", full)
    result = refit("--out", str(out), "--force", "--allow-bad-diagnostics")
    assert_clean(result, EXIT_OUTPUT)
    assert (f"cannot write the outputs to {out}: no space left on the device (the disk is "
            "full). Nothing was written; the earlier outputs") in result.stderr
    assert snapshot(out) == before
    assert no_leftovers(tmp_path) == []


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """Mount a small real file system (needs root and a mount command, as in CI)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"fs{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'}); "
                        "the simulated full disk above still runs")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_really_full_disk(refit, tmpfs) -> None:
    """A 256 kB tmpfs: the posterior (MBs) does not fit; the netCDF library says "HDF error"."""
    small = tmpfs("size=256k")
    out = small / "out"
    before = previous_outputs(out)
    result = refit("--out", str(out), "--force", "--allow-bad-diagnostics")
    assert_clean(result, EXIT_OUTPUT)
    assert "no space left on the device (the disk is full)" in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in small.iterdir()) == ["out"]


def test_a_read_only_output_folder(refit, tmpfs) -> None:
    """Refused before any work: root may write anywhere, except on a read-only file system."""
    read_only = tmpfs("size=1m,ro")
    result = refit("--out", str(read_only / "out"), "--allow-bad-diagnostics")
    assert_clean(result, EXIT_OUTPUT)
    assert f"{read_only} is not writable; choose another --out." in result.stderr


def test_an_existing_output_folder_is_input_error_2(refit, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = previous_outputs(out)
    result = refit("--out", str(out))
    assert_clean(result, EXIT_INPUT)
    assert "--force" in result.stderr and snapshot(out) == before


# --- terminal -------------------------------------------------------------------------------
def test_run_never_echoes_terminal_escapes_from_the_dataset(tmp_path: Path) -> None:
    """Invalid cells holding escape sequences, through the real `reconcile run`. (click
    strips CSI sequences such as ESC [31m when stderr is not a terminal, but not an OSC
    sequence (ESC ] ... BEL, which sets the window title), a bare BEL or an 8-bit CSI.)"""
    from dataset_helpers import copy_seeds, edit_record, run_cli

    data = copy_seeds(tmp_path / "data")
    edit_record(data, "claims.csv", "karbala_bodies_held", value="\x1b[2J\x1b]0;x\x0712",
                document="\x1b]0;pwned\x07\x9b31mred.txt")
    before = snapshot_with_times(data)
    result = run_cli("run", data, "--out", tmp_path / "out")
    assert result.returncode == EXIT_INPUT
    assert "karbala" not in result.stdout
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in result.stderr + result.stdout
    assert "column value" in result.stderr and "column document" in result.stderr
    assert snapshot_with_times(data) == before and not (tmp_path / "out").exists()


def test_library_warnings_reach_the_terminal_defused(capsys) -> None:
    """matplotlib names a glyph it lacks in its warning, control characters included."""
    from reconcile.cli.common import show_warning as _show_warning

    _show_warning(UserWarning("Glyph 27 (\x1b) missing from font(s) DejaVu Sans."),
                  UserWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "Glyph 27 (\ufffd) missing" in err
