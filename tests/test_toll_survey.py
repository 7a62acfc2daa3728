"""The surveys of real running tolls (examples/toll-survey and its held-out twin): every
figure traceable to the page it was read in, every report before the final it is scored
against, and no event in both sets (a held-out set that repeats a tuning event holds out
nothing)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from reconcile.calibration.toll_survey import load_survey
from reconcile.dataset.fields import parse_moment
from support import ROOT

SURVEYS = ("toll-survey", "toll-survey-heldout")


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", SURVEYS)
def test_a_survey_loads_with_every_figure_traceable_and_before_its_final(name):
    folder = ROOT / "examples" / name
    events = load_survey(folder)
    finals = {row["event_id"]: row for row in _rows(folder / "events.csv")}
    assert len(events) >= 10 and {e.event_id for e in events} == set(finals)
    for event in events:
        assert len(event.dataset.claims) >= 2, event.event_id  # a series, not a figure
        assert finals[event.event_id]["final_source_url"].startswith("http")
        final_day = dt.date.fromisoformat(finals[event.event_id]["final_as_of"])
        start = parse_moment(event.start)[0]
        for claim in event.dataset.claims:
            earliest, latest = parse_moment(claim.counted_to)  # a bare date: the whole day
            assert start <= latest and earliest.date() <= final_day, claim.claim_id
    for row in _rows(folder / "claims.csv"):
        assert row["source_url"].startswith("http"), (row["event_id"], row["claim_id"])
        assert row["event_id"] in finals


def test_the_held_out_survey_shares_no_event_with_the_tuning_survey():
    tuning, held_out = (_rows(ROOT / "examples" / name / "events.csv") for name in SURVEYS)
    assert not {r["event_id"] for r in tuning} & {r["event_id"] for r in held_out}
    assert not {r["final_source_url"] for r in tuning} & {r["final_source_url"] for r in held_out}
    years_places = {(r["start"][:4], r["event"].split("(")[0].strip().lower()) for r in tuning}
    assert not years_places & {(r["start"][:4], r["event"].split("(")[0].strip().lower())
                               for r in held_out}
