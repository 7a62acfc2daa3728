"""Files that are not what their name says: FIFOs, devices, folders, links.

Reading a FIFO waits for a writer that never comes; reading /dev/zero never ends. Every file
the package reads from a dataset or a model file goes through ``read_bounded``, which refuses
both without opening them for long, and never reads more than its bound.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from dataset_helpers import copy_seeds, run_cli, seed_cell, seed_row, snapshot
from reconcile.dataset import check_dataset
from reconcile.files import NotRegularFile, TooLarge, read_bounded

C = "claims.csv"
DOC = seed_cell(C, "tabrizi_since_2012", "document")
TABRIZI = seed_row(C, "tabrizi_since_2012")


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.perf_counter()
    with pytest.raises(NotRegularFile, match="FIFO"):
        read_bounded(fifo, 1000)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused(device: str) -> None:
    with pytest.raises(NotRegularFile, match="character device"):
        read_bounded(Path(device), 1000)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="a folder"):
        read_bounded(tmp_path, 1000)


def test_the_bound_holds_even_if_the_file_grows_after_the_size_check(tmp_path: Path,
                                                                     monkeypatch) -> None:
    """The size from fstat is only a first check: what is read is counted too."""
    import reconcile.files as files

    path = tmp_path / "big"
    path.write_bytes(b"x" * 5000)
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:  # as if the file were empty when checked
        info = list(real_fstat(fd))
        info[stat.ST_SIZE] = 0
        return os.stat_result(info)

    monkeypatch.setattr(files.os, "fstat", stale_fstat)
    with pytest.raises(TooLarge) as raised:
        read_bounded(path, 1000)
    assert raised.value.size == 1001  # it stopped one byte past the bound
    assert read_bounded(path, 5000) == b"x" * 5000


def test_a_device_node_inside_documents_is_refused(tmp_path: Path) -> None:
    """A character device with /dev/zero's numbers, made with mknod inside documents/.
    Creating a device node needs privileges (CI runs as root)."""
    data = copy_seeds(tmp_path / "data")
    path = data / "documents" / DOC
    path.unlink()
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD); the refusal of devices "
                    "is also tested on /dev/zero itself above")
    before = snapshot(data)
    result = run_cli("check", data)  # run_cli's timeout is the hang guard
    assert result.returncode == 2
    assert (f"claims.csv, row {TABRIZI}, column document: documents/{DOC} is a character "
            "device, not a text file.") in result.stderr
    assert snapshot(data) == before


def test_links_that_stay_inside_are_followed(tmp_path: Path) -> None:
    """A document that links to another document, and documents/ as a link to a folder
    inside the dataset, are fine: only leaving the dataset is refused."""
    data = copy_seeds(tmp_path / "data")
    shutil.move(data / "documents", data / "texts")
    (data / "documents").symlink_to("texts")
    (data / "texts" / "alias.txt").symlink_to(DOC)
    rows = (data / C).read_text(encoding="utf-8")
    (data / C).write_text(rows.replace(DOC, "alias.txt", 1), encoding="utf-8")
    assert check_dataset(data) == []
