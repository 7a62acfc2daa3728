"""Write a run's output folder atomically, and cells that spreadsheets cannot execute.

Everything is written into a temporary folder beside OUT_DIR and renamed into place at the
end, so an interrupted or failed run leaves the previous outputs as they were and no
half-written folder. An existing OUT_DIR is replaced only when asked.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from reconcile.errors import ReconcileError
from reconcile.interrupt import Interrupted, interruptible, signals_deferred

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class OutputError(ReconcileError):
    """OUT_DIR cannot be used as asked (exists without --force, inside the dataset...)."""


class OutputWriteError(OutputError):
    """The file system refused the outputs (disk full, read-only, no permission)."""


def check_output_dir(out_dir: Path, replace: bool, data_dir: Path) -> None:
    """Refuse, before any work, an OUT_DIR that would overwrite results or the dataset."""
    resolved = out_dir.resolve()
    data = data_dir.resolve()
    if resolved == data or data.is_relative_to(resolved) or resolved.is_relative_to(data):
        raise OutputError(f"{out_dir}: the output folder must be outside the dataset folder "
                          "(reconcile never writes into a dataset).")
    if out_dir.exists() and not replace:
        raise OutputError(f"{out_dir} already exists; pass --force to replace it, or choose "
                          "another folder with --out.")
    other = _dataset_of_outputs(out_dir)
    if replace and other is not None and Path(other).resolve() != data:
        raise OutputError(f"{out_dir} holds the outputs of another dataset ({other}); --force "
                          "replaces only an earlier run of the same dataset. Choose another "
                          "folder with --out, or remove that one first.")
    parent = out_dir.parent if out_dir.parent != Path("") else Path(".")
    if not parent.exists():
        raise OutputError(f"{parent} does not exist; create it or choose another --out.")
    if not os.access(parent, os.W_OK):
        raise OutputWriteError(f"{parent} is not writable; choose another --out.")


def _dataset_of_outputs(out_dir: Path) -> str | None:
    """The dataset folder an earlier run's run.json names (None: no readable run.json).
    Its ``path`` is as given to that run, relative to its ``cwd``."""
    try:
        info = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        path, cwd = Path(info["dataset"]["path"]), Path(info.get("cwd") or ".")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(path if path.is_absolute() else cwd / path)


@contextmanager
def atomic_output_dir(out_dir: Path, replace: bool) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes ``out_dir``, on any failure (including
    SIGINT/SIGTERM, raised as Interrupted) it is removed and ``out_dir`` is left untouched."""
    parent = out_dir.parent if str(out_dir.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=parent))
    except OSError as exc:
        raise OutputWriteError(f"cannot create a folder in {parent}: {why(exc)}.") from exc
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are ordinary files
        with interruptible():
            yield staging
            _swap_into_place(staging, out_dir, replace)
    except OSError as exc:
        raise OutputWriteError(
            f"cannot write the outputs to {out_dir}: {why(exc)}. Nothing was written"
            + (f"; the earlier outputs in {out_dir} are intact." if out_dir.exists() else ".")
        ) from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def why(exc: OSError) -> str:
    """The reason an OSError gives, in words a user can act on."""
    reasons = {errno.ENOSPC: "no space left on the device (the disk is full)",
               errno.EDQUOT: "the disk quota is exceeded",
               errno.EROFS: "the file system is read-only",
               errno.EACCES: "permission denied", errno.EPERM: "operation not permitted"}
    return reasons.get(exc.errno, exc.strerror or str(exc))


def _swap_into_place(staging: Path, out_dir: Path, replace: bool) -> None:
    """Rename the staging folder to ``out_dir``; signals wait until the renames are done."""
    done = False
    try:
        with signals_deferred():
            _rename_into_place(staging, out_dir, replace)
            done = True
    except Interrupted as exc:
        exc.outputs_written = out_dir if done else None
        raise


def _rename_into_place(staging: Path, out_dir: Path, replace: bool) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    if not replace:
        raise OutputError(f"{out_dir} appeared while the run was going; nothing was replaced.")
    retired = out_dir.with_name(f".{out_dir.name}.replaced-{os.getpid()}")
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except OSError:
        retired.rename(out_dir)  # put the previous outputs back
        raise
    shutil.rmtree(retired, ignore_errors=True)


def replace_file(path: Path, text: str) -> Path:
    """Write ``text`` beside ``path`` and rename it into place: readers see the old file or
    the new one, never half of it."""
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(staging, 0o666 & ~_umask())
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """CSV with text cells made formula-safe and numbers in a fixed format (reproducible,
    never scientific notation)."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.to_csv(path, index=False, float_format=plain_number, lineterminator="\n")


def plain_number(value: float) -> str:
    """Six significant digits, never scientific notation (1526370, not 1.52637e+06): a
    person reads these files, and a spreadsheet would keep the rounded exponent form."""
    return np.format_float_positional(value, precision=6, unique=False, fractional=False,
                                      trim="-")


def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n",
                    encoding="utf-8")
