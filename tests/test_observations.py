"""Observation kinds: each qualifier's reading, and every kind's own behaviour (simulation,
what a rounding reporter writes, the qualifier it is written with, its description)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile.observations import (
    KINDS, QUALIFIERS, Observation, log_bounds, read_qualifier, round_down, round_significant,
    round_up,
)

READINGS = [
    ("exact", 12, None, None, Observation("point", 12, 12)),
    ("about", 12, None, None, Observation("about", 12, 12)),
    ("at_least", 12, None, None, Observation("lower_bound", 12, None)),
    ("more_than", 12, None, None, Observation("lower_bound", 13, None)),
    ("at_most", 12, None, None, Observation("upper_bound", 0, 12)),
    ("fewer_than", 12, None, None, Observation("upper_bound", 0, 11)),
    ("range", None, 5, 6, Observation("interval", 5, 6)),
    ("vague", None, 24, 99, Observation("interval", 24, 99)),
    ("vague", None, 10, None, Observation("lower_bound", 10, None)),
]


@pytest.mark.parametrize("qualifier, value, low, high, expected", READINGS)
def test_each_qualifier_is_read_into_its_observation(qualifier, value, low, high, expected):
    assert read_qualifier(qualifier, value, low, high) == expected


def test_every_qualifier_has_a_reading_and_every_kind_a_class():
    assert {r[0] for r in READINGS} == set(QUALIFIERS)
    assert {o.kind for *_, o in READINGS} == set(KINDS)


def test_about_is_its_own_kind_and_the_flag_agrees():
    assert Observation("point", 3, 3, about=True) == Observation("about", 3, 3)
    assert Observation("about", 3, 3).about and not Observation("point", 3, 3).about
    # "about 13" and "13" state the same figure (identical figures count once)
    assert Observation.point(13, about=True).figure_key == Observation.point(13).figure_key
    assert Observation("interval", 0, 5).figure_key != Observation("upper_bound", 0, 5).figure_key


@pytest.mark.parametrize("qualifier, value, low, high, observation", READINGS)
def test_a_kind_is_written_back_with_a_qualifier_that_reads_into_it(qualifier, value, low, high,
                                                                   observation):
    written = observation.reading.as_written(observation)
    assert read_qualifier(*written) == observation


@given(statement=st.integers(0, 10**7), which=st.sampled_from(READINGS))
def test_a_simulated_source_keeps_a_claim_it_satisfies_and_states_the_figure_otherwise(
        statement, which):
    observation = which[-1]
    observed = observation.reading.observe(observation, statement)
    if observation.is_point:
        assert observed == Observation.point(statement, about=observation.about)
    elif observation.contains(statement):
        assert observed is observation
    else:
        assert observed == Observation.point(statement)
    assert observed.contains(statement)


@given(statement=st.integers(0, 10**7), which=st.sampled_from(READINGS), seed=st.integers(0, 99))
def test_a_rounding_reporter_writes_something_true_of_a_nearby_figure(statement, which, seed):
    observation = which[-1]
    reported = observation.reading.rounded_by_reporter(observation, statement,
                                                       np.random.default_rng(seed))
    if reported.kind == "lower_bound":  # "more than" a round number below the statement
        assert reported.low <= statement
    elif reported.kind == "upper_bound":
        assert reported.high >= statement
    elif reported.is_point:  # rounded to one or two significant digits at most
        assert abs(reported.low - statement) <= 0.5 * 10 ** max(len(str(statement)) - 1, 0)


def test_descriptions_and_stated_figures():
    assert Observation("point", 1200, 1200).describe() == "1,200"
    assert Observation("about", 1200, 1200).describe() == "about 1,200"
    assert Observation("lower_bound", 101, None).describe() == ">= 101"
    assert Observation("upper_bound", 0, 9).describe() == "<= 9"
    assert Observation("interval", 5, 6).describe() == "5-6"
    assert Observation("upper_bound", 0, 9).stated == 9
    assert Observation("lower_bound", 101, None).stated == 101


def test_log_bounds_are_rounding_intervals_and_open_ends_are_infinite():
    assert log_bounds(Observation("point", 13, 13)) == pytest.approx((np.log(12.5), np.log(13.5)))
    assert log_bounds(Observation("point", 0, 0))[0] == -np.inf
    assert log_bounds(Observation("lower_bound", 51, None))[1] == np.inf


@pytest.mark.parametrize("value, one, two, down, up", [
    (73, 70, 73, 70, 80), (1290, 1000, 1300, 1000, 2000), (5, 5, 5, 5, 5), (0.4, 0, 0, 0, 1),
])
def test_roundness_helpers(value, one, two, down, up):
    assert round_significant(value, 1) == one and round_significant(value, 2) == two
    assert round_down(value) == down and round_up(value) == up
