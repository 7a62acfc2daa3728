"""Parse single cells (slugs, counts, dates, booleans), reporting bad values as InputIssues."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping

from reconcile.dataset.csvfile import Row
from reconcile.errors import InputIssue

SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")
_COUNT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)\Z")
MAX_COUNT_DIGITS = 15  # beyond any casualty count; keeps int() and float() conversions safe
_DATE_FORMATS = (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year"))
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0", ""}


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """"Did you mean 'x'? " for the known name closest to a misspelt one, else ""."""
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"Did you mean {close[0]!r}? " if close else ""


class Cells:
    """Reads the cells of one row of one table, collecting issues instead of raising."""

    def __init__(self, table: str, row: Row, issues: list[InputIssue]):
        self.table = table
        self.row = row
        self.issues = issues

    def problem(self, column: str | None, message: str, hint: str = "") -> None:
        self.issues.append(InputIssue(self.table, self.row.number, column, message, hint))

    def text(self, column: str, required: bool = False) -> str:
        value = self.row.get(column)
        if required and not value:
            self.problem(column, "is empty but required.", f"Fill in the {column}.")
        return value

    def slug(self, column: str, required: bool = False) -> str | None:
        value = self.text(column, required)
        if not value:
            return None
        if not SLUG.match(value):
            suggestion = re.sub(r"[^a-z0-9_.-]+", "_", value.lower()).strip("_.-")
            self.problem(
                column, f"{_show(value)} is not a valid identifier.",
                "Identifiers use lower-case letters, digits, '_', '.' and '-', starting with a "
                "letter or digit" + (f" (e.g. {suggestion!r})." if suggestion else "."),
            )
            return None
        return value

    def count(self, column: str, required: bool = False) -> int | None:
        """A non-negative whole number; thousands separators ("1,200") are accepted."""
        value = self.text(column, required)
        if not value:
            return None
        if value.startswith("-"):
            self.problem(column, f"{_show(value)} is negative.", "Counts are 0 or more.")
            return None
        compact = value.replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
        if not _COUNT.match(compact):
            self.problem(
                column, f"{_show(value)} is not a whole number.",
                "Write digits such as 1200 or 1,200; put words like 'dozens' in the term "
                "column with qualifier 'vague'.",
            )
            return None
        digits = compact.replace(",", "").lstrip("0")
        if len(digits) > MAX_COUNT_DIGITS:
            self.problem(column, f"{_show(value)} is too large to be a count.",
                         f"Counts have at most {MAX_COUNT_DIGITS} digits.")
            return None
        return int(digits or "0")

    def date(self, column: str) -> str | None:
        return self._dated(column, parse_date, "an ISO date",
                           "Write YYYY-MM-DD (or YYYY-MM, YYYY when only that is known).")

    def moment(self, column: str) -> str | None:
        """An ISO date, or date and time (``YYYY-MM-DDTHH:MM``): when a figure counted up to."""
        return self._dated(column, parse_moment, "an ISO date or date and time",
                           "Write YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time of day (24-hour).")

    def _dated(self, column: str, parse, what: str, hint: str) -> str | None:
        value = self.text(column)
        if not value:
            return None
        if parse(value) is None:
            self.problem(column, f"{_show(value)} is not {what}.", hint)
            return None
        return value

    def boolean(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.problem(column, f"{_show(value)} is not true or false.",
                         "Write true, false, or leave it empty (false).")
        return False

    def choice(self, column: str, allowed: tuple[str, ...],
               synonyms: Mapping[str, str] | None = None) -> str | None:
        """One of ``allowed``; a word ``synonyms`` knows (e.g. "over") is named in the hint
        with the value it is written as, never taken silently."""
        value = self.text(column, required=True)
        if not value:
            return None
        if value not in allowed:
            spoken = re.sub(r"[\s_-]+", " ", value.casefold()).strip()
            meant = (synonyms or {}).get(spoken)
            hint = (f"Did you mean {meant!r}? ({_show(value)} is written {meant}.) " if meant
                    else did_you_mean(value.lower(), allowed))
            self.problem(column, f"{_show(value)} is not one of {', '.join(allowed)}.",
                         hint + "Use one of the listed values.")
            return None
        return value


def parse_date(value: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day an ISO date (day, month or year precision) can mean."""
    for fmt, precision in _DATE_FORMATS:
        try:
            first = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if precision == "day":
            return first, first
        if precision == "month":
            last_day = calendar.monthrange(first.year, first.month)[1]
            return first, first.replace(day=last_day)
        return first, first.replace(month=12, day=31)
    return None


def parse_moment(value: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The first and last instant an ISO date (any precision) or date and time
    (``YYYY-MM-DDTHH:MM``) can mean: a date runs from its first midnight to its last."""
    try:
        moment = dt.datetime.strptime(value, _MOMENT_FORMAT)
    except ValueError:
        days = parse_date(value)
        if days is None:
            return None
        last = dt.datetime.combine(days[1], dt.time()) + dt.timedelta(days=1) \
            if days[1] < dt.date.max else dt.datetime.max
        return dt.datetime.combine(days[0], dt.time()), last
    return moment, moment


_MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _show(value: str, limit: int = 60) -> str:
    """Quote a cell for a message, shortened, with control characters made visible."""
    shown = value if len(value) <= limit else value[: limit - 3] + "..."
    return repr(shown)


def is_duplicate(cells: Cells, column: str, identifier: str, first_row: dict[str, int],
                  what: str) -> bool:
    """Report an id seen on an earlier row; otherwise remember where it was first used."""
    if identifier in first_row:
        cells.problem(column, f"{identifier!r} is already used on row {first_row[identifier]}.",
                      f"{what} ids must be unique.")
        return True
    first_row[identifier] = cells.row.number
    return False
