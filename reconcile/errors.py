"""Input errors that name the file, row and column, collected so all are reported at once."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ISSUES = 1000  # kept and listed; more are only counted (a broken 60 MB table: millions)


@dataclass(frozen=True, order=True)
class InputIssue:
    """One problem in the input: where it is, what is wrong, how to fix it.

    ``row`` is the row number a spreadsheet shows (the header is row 1), or ``None`` for a
    problem with the whole file. ``column`` is the column name, or ``None``.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" {self.hint}"
        return text


class Issues(list):
    """The issues found so far. Past MAX_ISSUES they are counted, not kept, so that memory
    and the length of the message stay bounded however broken the input is."""

    def __init__(self) -> None:
        super().__init__()
        self.not_kept = 0

    def append(self, issue: InputIssue) -> None:
        if len(self) < MAX_ISSUES:
            super().append(issue)
        else:
            self.not_kept += 1


class ReconcileError(Exception):
    """Base class of the errors this package raises on purpose."""


class DatasetError(ReconcileError):
    """The dataset (or a model file) is invalid; carries every issue found in one pass."""

    def __init__(self, issues: list[InputIssue]):
        self.issues = sorted(issues, key=_issue_sort_key)
        self.not_listed = getattr(issues, "not_kept", 0)
        count = len(self.issues) + self.not_listed
        head = f"{count:,} problem{'s' if count != 1 else ''} in the input"
        tail = (f"\n  ... and {self.not_listed:,} more, not listed (only the first "
                f"{len(self.issues):,} found are): fix these first." if self.not_listed else "")
        super().__init__(head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues)
                         + tail)


class ConfigError(ReconcileError):
    """The model configuration file is invalid."""


class ModelBuildError(ReconcileError):
    """The dataset and configuration cannot make a model (for example, impossible nesting)."""


def _issue_sort_key(issue: InputIssue) -> tuple:
    return (issue.file, issue.row if issue.row is not None else -1, issue.column or "", issue.message)
