"""The documents folder: safe document names, and each cited document read once (bounded,
never outside the dataset) to find the quotes that cite it."""

from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path, PurePosixPath

from reconcile.dataset.fields import Cells, did_you_mean
from reconcile.dataset.layout import DOCUMENTS
from reconcile.dataset.quotes import fold, quote_in_document
from reconcile.errors import InputIssue
from reconcile.files import NotRegularFile, TooLarge, is_inside, read_bounded

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_LISTED = 100_000  # names read from documents/ for a "did you mean"


def document_name(cells: Cells) -> str | None:
    """A plain relative file name inside documents/: no absolute paths, no '..'."""
    name = cells.text("document", required=True)
    if not name:
        return None
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or name.startswith(("/", "\\")) or ":" in name:
        cells.problem("document", f"{name!r} is an absolute path.",
                      "Give the file name relative to documents/.")
        return None
    if ".." in posix.parts:
        cells.problem("document", f"{name!r} leaves the documents folder ('..').",
                      "Documents must be inside documents/.")
        return None
    return str(posix)


class Documents:
    """The documents folder: each cited document read once, bounded, and checked against
    every quote that cites it, then let go (memory holds one document at a time)."""

    def __init__(self, folder: Path, root: Path, issues: list[InputIssue]):
        self.folder = None
        self.issues = issues
        self.sha256: dict[str, str] = {}
        if not folder.is_dir():
            issues.append(InputIssue(DOCUMENTS, None, None, "the documents folder is missing.",
                                     "Put the source texts in DATA_DIR/documents/."))
        elif not is_inside(folder, root):
            issues.append(InputIssue(DOCUMENTS, None, None, "is a link to a folder outside the "
                                     "dataset folder.",
                                     "Copy the documents into DATA_DIR/documents/."))
        else:
            self.folder = folder.resolve()

    def check_quotes(self, quotes: list[tuple[str, str, Cells]]) -> None:
        """Every (document, quote, cells) must find its quote in its document."""
        if self.folder is None:
            return
        by_document: dict[str, list[tuple[str, Cells]]] = {}
        for document, quote, cells in quotes:
            by_document.setdefault(document, []).append((quote, cells))
        for document, cited in by_document.items():
            first = cited[0][1]
            text = self._read(document, first)
            for quote, cells in cited:
                if text is None:
                    if cells is not first:
                        cells.problem("document", f"documents/{document} cannot be used (see "
                                      f"row {first.row.number}, the first claim that cites it).")
                elif not quote_in_document(quote, text):
                    cells.problem("quote", f"not found in documents/{document}.",
                                  "Copy the passage verbatim from the document (case, "
                                  "whitespace, typographic quotes and dashes may differ).")

    @cached_property
    def _names(self) -> list[str]:
        """The files in documents/ (at most MAX_LISTED of them), for a "did you mean"."""
        try:
            return [entry.name for _, entry in zip(range(MAX_LISTED), os.scandir(self.folder))]
        except OSError:
            return []

    def _read(self, name: str, cells: Cells) -> str | None:
        path = self.folder / name
        if not is_inside(path, self.folder):
            cells.problem("document", f"documents/{name} is a link that leaves the documents "
                          "folder (or a link loop).",
                          "Copy the document into documents/ instead of linking it.")
            return None
        try:
            raw = read_bounded(path, MAX_DOCUMENT_BYTES)
        except FileNotFoundError:
            cells.problem("document", f"documents/{name} does not exist.",
                          did_you_mean(name, self._names)
                          + "Add the file to documents/ or fix the name (names are "
                          "case-sensitive).")
            return None
        except NotRegularFile as exc:
            cells.problem("document", f"documents/{name} is {exc.kind}, not a text file.",
                          "Cite a file with the document's text.")
            return None
        except TooLarge as exc:
            cells.problem("document", f"documents/{name} is {exc.size:,} bytes, over the "
                          f"limit of {MAX_DOCUMENT_BYTES:,} bytes.",
                          "Keep only the relevant text.")
            return None
        except OSError as exc:  # unreadable, name too long for the file system, ...
            cells.problem("document", f"documents/{name} cannot be read "
                          f"({exc.strerror or type(exc).__name__}).",
                          "Check the file name and the file's permissions.")
            return None
        self.sha256[name] = hashlib.sha256(raw).hexdigest()
        try:
            return fold(raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
        except UnicodeDecodeError as exc:
            cells.problem("document", f"documents/{name} is not valid UTF-8 (byte offset "
                          f"{exc.start}).", "Save the document as UTF-8 text.")
            return None
