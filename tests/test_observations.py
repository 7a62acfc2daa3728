"""Observation kinds: each qualifier's reading, and every kind's own behaviour (simulation,
what a rounding reporter writes, the qualifier it is written with, its description)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile.config import ReadingConfig
from reconcile.numerals import Reading, round_down, round_significant, round_up, roundness, step
from reconcile.observations import KINDS, LITERAL, Observation, log_bounds
from reconcile.qualifiers import QUALIFIERS, read_qualifier

PRAGMATIC = ReadingConfig()

READINGS = [
    ("exact", 12, None, None, Observation("point", 12, 12)),
    ("about", 12, None, None, Observation("about", 12, 12)),
    ("at_least", 12, None, None, Observation("lower_bound", 12, None)),
    ("more_than", 12, None, None, Observation("lower_bound", 13, None)),
    ("at_most", 12, None, None, Observation("upper_bound", 0, 12)),
    ("fewer_than", 12, None, None, Observation("upper_bound", 0, 11)),
    ("nearly", 2000, None, None, Observation("nearly", 0, 2000)),
    ("range", None, 5, 6, Observation("interval", 5, 6)),
    ("vague", None, 24, 99, Observation("vague", 24, 99)),
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
    """Read literally (draw 0: keep whenever the likelihood is positive). A vague word that
    does not cover the statement gives way to one that does, [2^k, 2^(k+1) - 1]: a figure
    would be read without the word's extra noise, which the statement carries."""
    observation = which[-1]
    observed = observation.reading.observe(observation, statement, LITERAL)
    if observation.is_point:
        assert observed == Observation.point(statement, about=observation.about)
    elif observation.contains(statement):
        assert observed is observation
    elif observation.reading.vague and statement >= 1:
        assert observed.reading.vague and observed.high == 2 * observed.low - 1
        assert observed.low & (observed.low - 1) == 0  # a power of 2
    else:
        assert observed == Observation.point(statement)
    assert observed.contains(statement)


def test_a_simulated_blanket_denial_is_an_exact_zero_whatever_the_claim():
    """A denial (the model's draws mark it DENIAL) is "no one was killed": an exact 0 even
    where the claim was a bound or a word that a noisy 0 could keep."""
    from dataclasses import replace

    from reconcile.model.likelihood import DENIAL
    from reconcile.model.simulate import observe, random_structure

    structure = random_structure(4, 6, 30, seed=1)
    at_most = Observation("upper_bound", 0, 5)  # a noisy 0 keeps "at most 5"
    structure = replace(structure, claims=tuple(
        replace(c, observation=at_most, qualifier="at_most", value=5, low=None, high=None)
        for c in structure.claims))
    statements = np.zeros(len(structure.claims))
    statements[::2] = DENIAL
    observed = observe(structure, statements).claims
    # the claims of an evidence group share its first member's statement
    firsts = [members[0] for members in structure.evidence_groups]
    for group, first in zip(structure.evidence_groups, firsts):
        expected = Observation.point(0) if first % 2 == 0 else at_most
        assert all(observed[i].observation == expected for i in group)
    assert {first % 2 for first in firsts} == {0, 1}


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


@pytest.mark.parametrize("figure, expected_roundness, expected_step", [
    (1297, 1, 100), (1200, 100, 100), (1500, 500, 500), (2000, 1000, 1000), (50, 50, 50),
    (100, 100, 100), (20, 10, 10), (13, 1, 1), (250, 50, 50), (1, 1, 1),
])
def test_roundness_and_step_of_a_figure(figure, expected_roundness, expected_step):
    assert roundness(figure) == expected_roundness and step(figure) == expected_step


@pytest.mark.parametrize("qualifier, value, low, high, near", [
    ("more_than", 100, None, None, Reading(101, 200, above=0.1)),
    ("more_than", 1200, None, None, Reading(1201, 1300, above=0.1)),
    ("at_least", 50, None, None, Reading(50, 100, above=0.1)),
    ("more_than", 1297, None, None, Reading(1298, 1397, above=0.1)),
    ("fewer_than", 1200, None, None, Reading(1100, 1199, below=0.1)),
    ("at_most", 50, None, None, Reading(0, 50)),
    ("nearly", 2000, None, None, Reading(1800, 2000, below=0.1)),
    ("exact", 13, None, None, Reading(13, 13)),
    ("vague", None, 24, 99, Reading(24, 99)),
    ("range", None, 5, 6, Reading(5, 6)),
])
def test_modified_numerals_are_read_from_their_roundness(qualifier, value, low, high, near):
    observation = read_qualifier(qualifier, value, low, high)
    assert observation.near(PRAGMATIC) == near
    literal = observation.near(LITERAL)
    assert (literal.low, literal.high, literal.above, literal.below) == (
        observation.low, observation.high, 0.0, 0.0)


def test_the_literal_reading_decays_beyond_the_near_range():
    """A speaker who believes 1,000 says "more than 100" less often than one who believes
    250, and one who believes 150 (inside the near range) most often."""
    near = read_qualifier("more_than", 100, None, None).near(PRAGMATIC)
    inside, just_beyond, far = (near.keeps(s) for s in (150, 250, 1000))
    assert inside == 1.0 and 0 < far < just_beyond < 0.1
    assert near.keeps(80) == 0.0  # below a lower bound: the claim is false
    assert just_beyond == pytest.approx(0.1 / (1 + 250 / 200.5) ** 2)


@given(statement=st.integers(0, 10**6), draw=st.floats(0, 0.999))
def test_a_simulated_claim_stands_with_its_reading_likelihood(statement, draw):
    observation = read_qualifier("more_than", 100, None, None)
    kept = observation.reading.observe(observation, statement, PRAGMATIC, draw)
    assert (kept is observation) == (draw < observation.near(PRAGMATIC).keeps(statement))
