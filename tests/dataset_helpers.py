"""Shared helpers for the dataset-layer tests: copy the seed dataset, edit one cell, run the CLI.

Every broken dataset in the tests is the seed dataset copied to a temporary folder with one
targeted edit; the edits go through the ``csv`` module so that only the intended cell changes.
Rows are numbered as a spreadsheet shows them (and as the error messages do): header = row 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
DEFAULT_MODEL = REPO / "models" / "default.toml"
TABLES = ("sources.csv", "quantities.csv", "claims.csv")
ID_COLUMNS = {"sources.csv": "source_id", "quantities.csv": "quantity_id",
              "claims.csv": "claim_id"}


# --- the dataset folder ---------------------------------------------------------------------
def copy_seeds(dest: Path) -> Path:
    """Copy seeds/ to ``dest`` (which must not exist) with every file writable; return it."""
    shutil.copytree(SEEDS, dest, symlinks=True)
    for path in dest.rglob("*"):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return dest


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (links by their target, not followed)."""
    result: dict[str, str] = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                result[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                result[rel] = "dir"
    return result


def snapshot_with_times(folder: Path) -> dict[str, tuple]:
    """Like ``snapshot``, plus each entry's mode, size, modification and change times: proof
    that nothing in the folder was written, touched, created or removed."""
    result: dict[str, tuple] = {}
    for rel, digest in snapshot(folder).items():
        info = (folder / rel).lstat()
        result[rel] = (digest, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    info = folder.lstat()
    result["."] = ("dir", info.st_mode, info.st_mtime_ns, info.st_ctime_ns)
    return result


# --- reading and writing tables with the csv module -----------------------------------------
def read_rows(path: Path) -> list[list[str]]:
    """All records of a CSV file, the header first."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: Iterable[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def seed_row(table: str, record_id: str) -> int:
    """The spreadsheet row number of the seed record whose id is ``record_id``."""
    rows = read_rows(SEEDS / table)
    index = rows[0].index(ID_COLUMNS[table])
    for number, row in enumerate(rows, start=1):
        if number > 1 and row[index] == record_id:
            return number
    raise KeyError(f"{record_id!r} not in seeds/{table}")


def seed_cell(table: str, record_id: str, column: str) -> str:
    rows = read_rows(SEEDS / table)
    return rows[seed_row(table, record_id) - 1][rows[0].index(column)]


def set_cells(data_dir: Path, table: str, row: int, values: dict[str, str]) -> None:
    """Rewrite cells of one row (spreadsheet numbering) of ``table`` in ``data_dir``."""
    path = data_dir / table
    rows = read_rows(path)
    header = rows[0]
    for column, value in values.items():
        rows[row - 1][header.index(column)] = value
    write_rows(path, rows)


def set_cell(data_dir: Path, table: str, row: int, column: str, value: str) -> None:
    set_cells(data_dir, table, row, {column: value})


def edit_record(data_dir: Path, table: str, record_id: str, **values: str) -> None:
    """Set cells of the record with id ``record_id`` (looked up in the seeds)."""
    set_cells(data_dir, table, seed_row(table, record_id), values)


def drop_column(data_dir: Path, table: str, column: str) -> None:
    path = data_dir / table
    rows = read_rows(path)
    index = rows[0].index(column)
    write_rows(path, [row[:index] + row[index + 1:] for row in rows])


def rename_column(data_dir: Path, table: str, column: str, new_name: str) -> None:
    path = data_dir / table
    rows = read_rows(path)
    rows[0][rows[0].index(column)] = new_name
    write_rows(path, rows)


def append_copy_of_row(data_dir: Path, table: str, row: int) -> int:
    """Append a copy of ``row``; return the new row's number."""
    path = data_dir / table
    rows = read_rows(path)
    rows.append(list(rows[row - 1]))
    write_rows(path, rows)
    return len(rows)


def edit_line(data_dir: Path, table: str, line: int, old: bytes, new: bytes) -> None:
    """Raw byte edit of one physical line (1-based), for damage the csv module cannot write."""
    path = data_dir / table
    lines = path.read_bytes().split(b"\n")
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_bytes(b"\n".join(lines))


# --- the command line -----------------------------------------------------------------------
def cli_command() -> list[str]:
    """The installed ``reconcile`` script next to this interpreter (or ``python -m``)."""
    script = Path(sys.executable).parent / "reconcile"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reconcile"]


def run_cli(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([*cli_command(), *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", cwd=cwd, env=env, timeout=120)


def location(file: str, row: int | None, column: str | None) -> str:
    """How a message names the place of an issue (see InputIssue.__str__)."""
    where = file
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column {column}"
    return where + ":"


def lines_at(output: str, file: str, row: int | None, column: str | None) -> list[str]:
    """The output lines that report an issue at exactly this place."""
    where = location(file, row, column)
    return [line for line in output.splitlines() if line.strip().startswith(where)]
