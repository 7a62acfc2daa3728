"""Real running tolls with a known final count (``examples/toll-survey``): each event's
reports as a dataset, and the dataset as it stood a few days in.

Simulated series test the toll model against the simulator's idea of how a toll grows;
these test it against how real tolls grew (scripts/real_tolls.py; docs/validation.md).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.qualifiers import read_qualifier

CUT_DAYS = (1, 3, 7)


@dataclass(frozen=True)
class SurveyEvent:
    event_id: str
    start: str  # local time, ISO
    final: int  # the final count published later (never one of the claims)
    dataset: Dataset  # every report before the final

    def cuts(self, days: tuple[int, ...] = CUT_DAYS) -> list[tuple[str, Dataset]]:
        """(label, dataset) for the reports out by ``days`` after the start, then all; a cut
        with no report, or with the same reports as the next, is left out."""
        start = dt.datetime.fromisoformat(self.start)
        chosen = [(f"day {d}", self.dataset.reported_by(
            (start + dt.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M"))) for d in days]
        chosen.append(("all", self.dataset))
        sizes = [len(data.claims) for _, data in chosen]
        return [cut for cut, size, following in zip(chosen, sizes, [*sizes[1:], None])
                if size and size != following]


def load_survey(folder: Path) -> list[SurveyEvent]:
    """The events of ``folder``'s events.csv, each with its claims.csv rows as one cumulative
    quantity's claims, in file order."""
    rows_by_event: dict[str, list[dict]] = {}
    for row in _rows(folder / "claims.csv"):
        rows_by_event.setdefault(row["event_id"], []).append(row)
    events = []
    for event in _rows(folder / "events.csv"):
        quantity_id = f"{event['event_id']}_killed"
        rows = rows_by_event.get(event["event_id"], [])
        sources = {r["speaker_id"]: Source(r["speaker_id"], r["speaker_name"], r["speaker_kind"])
                   for r in rows}
        claims = tuple(
            Claim(r["claim_id"], quantity_id, r["speaker_id"], r["qualifier"],
                  read_qualifier(r["qualifier"], int(r["figure"]), None, None), "", "",
                  value=int(r["figure"]), published=r["as_of"], as_of=r["as_of"])
            for r in rows)
        quantity = Quantity(quantity_id, event["event"], "killed", start=event["start"],
                            cumulative=True)
        events.append(SurveyEvent(event["event_id"], event["start"], int(event["final"]),
                                  Dataset(tuple(sources.values()), (quantity,), claims,
                                          name=event["event_id"])))
    return events


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
