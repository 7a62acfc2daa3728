"""The flags a reader must see before citing an estimate (analysis/flags.py), on small
hand-built datasets and diagnostics, without any sampling; and how they reach the citation
sentence and the report's estimates table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reconcile.analysis.flags import (
    FLAG_SENTENCES, FLAGS, bounded_above, bounded_below, caution, flag_column, quantity_flags,
)
from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.observations import Observation

GOOD = {"r_hat": 1.0, "ess_bulk": 1000.0, "ess_tail": 1000.0}
POINT_40 = Observation("point", 40, 40)
MORE_THAN_10 = Observation("lower_bound", 11, None)
AT_MOST_100 = Observation("upper_bound", 0, 100)
ZERO = Observation("point", 0, 0)


def _dataset(claims: list[tuple[str, str, Observation]], complete: bool = False,
             deep: bool = False) -> Dataset:
    """Sources: ``a`` speaks for side x, ``b`` for none, ``c`` for side y. Quantities (all
    losses of side x): total > killed, wounded; with ``deep``, killed > killed_day1, killed_day2
    (killed complete when ``complete``)."""
    sources = (Source("a", "A", "official", "x"), Source("b", "B", "monitor", None),
               Source("c", "C", "official", "y"))
    quantities = [
        Quantity("total", "Total", "casualties", "x", complete=complete),
        Quantity("killed", "Killed", "killed", "x", parent="total", complete=complete and deep),
        Quantity("wounded", "Wounded", "wounded", "x", parent="total"),
    ]
    if deep:
        quantities += [Quantity("killed_day1", "Killed, day 1", "killed", "x", parent="killed"),
                       Quantity("killed_day2", "Killed, day 2", "killed", "x", parent="killed")]
    made = tuple(Claim(f"c{i}", quantity, source, obs.kind, obs, "doc.txt", "quote")
                 for i, (quantity, source, obs) in enumerate(claims))
    return Dataset(sources, tuple(quantities), made)


def _flags(dataset: Dataset, quantity_id: str, **diagnostics) -> tuple[str, ...]:
    return quantity_flags(dataset, quantity_id, **{**GOOD, **diagnostics})


# --- upper end ----------------------------------------------------------------------------
def test_only_lower_bounds_leave_the_upper_end_to_the_prior():
    data = _dataset([("killed", "b", MORE_THAN_10), ("total", "b", MORE_THAN_10)])
    assert not bounded_above(data, "killed") and not bounded_above(data, "total")
    assert "upper_end_set_by_prior" in _flags(data, "killed")
    assert "lower_end_set_by_prior" not in _flags(data, "killed")


def test_an_ancestors_upper_bound_bounds_its_parts():
    """Children sum to at most their parent: 'at most 100 casualties' caps the killed too,
    and the day counts below them."""
    data = _dataset([("total", "b", AT_MOST_100)], deep=True)
    for quantity_id in ("total", "killed", "wounded", "killed_day1", "killed_day2"):
        assert bounded_above(data, quantity_id), quantity_id


def test_a_childs_upper_bound_bounds_its_parent_only_when_the_parent_is_complete():
    claims = [("killed", "b", POINT_40), ("wounded", "b", AT_MOST_100)]
    assert not bounded_above(_dataset(claims), "total")  # a remainder beyond the parts
    assert bounded_above(_dataset(claims, complete=True), "total")  # exactly the parts
    one_open = [("killed", "b", POINT_40), ("wounded", "b", MORE_THAN_10)]
    assert not bounded_above(_dataset(one_open, complete=True), "total")


def test_complete_parents_bound_through_several_levels():
    """total = killed + wounded, killed = day 1 + day 2: the two days and the wounded bound
    the total; the wounded alone do not bound the killed (their sibling)."""
    claims = [("killed_day1", "b", POINT_40), ("killed_day2", "b", AT_MOST_100),
              ("wounded", "b", POINT_40)]
    data = _dataset(claims, complete=True, deep=True)
    assert bounded_above(data, "killed") and bounded_above(data, "total")
    lacking = _dataset(claims[:1] + claims[2:], complete=True, deep=True)
    assert not bounded_above(lacking, "killed") and not bounded_above(lacking, "total")
    assert not bounded_above(lacking, "killed_day2")
    assert bounded_above(lacking, "killed_day1") and bounded_above(lacking, "wounded")


# --- lower end ----------------------------------------------------------------------------
def test_a_parts_lower_bound_bounds_the_whole_but_not_the_reverse():
    data = _dataset([("killed", "b", MORE_THAN_10)])
    assert bounded_below(data, "killed") and bounded_below(data, "total")
    assert not bounded_below(data, "wounded")
    data = _dataset([("total", "b", MORE_THAN_10)])
    assert bounded_below(data, "total") and not bounded_below(data, "killed")
    assert "lower_end_set_by_prior" in _flags(data, "killed")


def test_claims_of_zero_or_at_most_do_not_bound_from_below():
    data = _dataset([("killed", "b", ZERO), ("wounded", "b", AT_MOST_100)])
    assert _flags(data, "killed") == ("lower_end_set_by_prior",)
    assert _flags(data, "wounded") == ("lower_end_set_by_prior",)
    assert _flags(data, "total") == ("lower_end_set_by_prior", "upper_end_set_by_prior")


# --- no claims, denials -------------------------------------------------------------------
def test_no_claims_in_the_subtree():
    data = _dataset([("killed", "b", POINT_40)])
    assert _flags(data, "wounded") == ("no_claims", "lower_end_set_by_prior",
                                       "upper_end_set_by_prior")
    assert "no_claims" not in _flags(data, "total")  # its part was spoken of
    assert _flags(data, "killed") == ()


def test_an_ancestors_claim_still_leaves_a_part_without_claims():
    data = _dataset([("total", "b", POINT_40)])
    assert _flags(data, "wounded") == ("no_claims", "lower_end_set_by_prior")


def test_denial_only():
    """An exact 0 by a party about its own losses is a denial; the same 0 from a third party
    or from the enemy is a count, and one other claim is evidence beyond the denial."""
    assert "denial_only" in _flags(_dataset([("killed", "a", ZERO)]), "killed")
    assert "denial_only" in _flags(_dataset([("killed", "a", ZERO), ("killed", "a", ZERO)]),
                                   "killed")
    assert "denial_only" not in _flags(_dataset([("killed", "b", ZERO)]), "killed")
    assert "denial_only" not in _flags(_dataset([("killed", "c", ZERO)]), "killed")
    mixed = _dataset([("killed", "a", ZERO), ("killed", "b", POINT_40)])
    assert "denial_only" not in _flags(mixed, "killed")
    assert "denial_only" not in _flags(_dataset([("killed", "a", AT_MOST_100)]), "killed")
    assert "denial_only" not in _flags(_dataset([("killed", "a", ZERO)]), "total")


# --- convergence --------------------------------------------------------------------------
@pytest.mark.parametrize(("diagnostics", "flagged"), [
    ({}, False),
    ({"r_hat": 1.02}, True),
    ({"ess_bulk": 120.0}, True),
    ({"ess_tail": 399.0}, True),
    ({"r_hat": math.nan, "ess_bulk": math.nan, "ess_tail": math.nan}, False),  # ADVI
])
def test_not_converged(diagnostics, flagged):
    data = _dataset([("killed", "b", POINT_40)])
    assert ("not_converged" in _flags(data, "killed", **diagnostics)) is flagged


def test_without_diagnostics_nothing_is_said_about_convergence():
    data = _dataset([("killed", "b", POINT_40)])
    assert quantity_flags(data, "killed") == ()


# --- the column, the sentences, the citation ----------------------------------------------
def test_flag_column_joins_in_a_stable_order():
    data = _dataset([("killed", "b", POINT_40)])
    ids = ["total", "killed", "wounded"]
    column = flag_column(data, ids, [1.0, 1.05, 1.0], [1000.0] * 3, [1000.0] * 3)
    assert column == ["upper_end_set_by_prior", "not_converged",
                      "no_claims;lower_end_set_by_prior;upper_end_set_by_prior"]
    for cell in column:
        listed = cell.split(";")
        assert listed == sorted(listed, key=FLAGS.index)


class _CountedClaims(tuple):
    """The dataset's claims, counting how often they are read from start to end."""

    reads = 0

    def __iter__(self):
        type(self).reads += 1
        return super().__iter__()


def test_flags_read_the_claims_once_not_once_per_quantity():
    """An archive of 20,000 quantities took hours when each quantity's flags scanned every
    claim (stop 36's XL run); the claims are now indexed by quantity once per dataset."""
    quantities = [Quantity("total", "Total", "casualties", "x")]
    quantities += [Quantity(f"q{i}", f"Part {i}", "killed", "x", parent="total")
                   for i in range(200)]
    claims = _CountedClaims(Claim(f"c{i}", f"q{i % 150}", "b", "point", POINT_40, "d.txt", "q")
                            for i in range(600))
    data = Dataset((Source("b", "B", "monitor", None),), tuple(quantities), claims)
    ids = [q.quantity_id for q in quantities]
    _CountedClaims.reads = 0
    column = flag_column(data, ids, [1.0] * len(ids), [1000.0] * len(ids), [1000.0] * len(ids))
    assert _CountedClaims.reads <= 2
    assert column[1] == ""  # q0: four exact claims bound it on both sides
    assert column[151] == "no_claims;lower_end_set_by_prior;upper_end_set_by_prior"  # q150
    assert len(data.claims_about("q0")) == 4 and data.claims_about("q150") == ()
    assert [c.claim_id for c in data.claims_by("b")] == [c.claim_id for c in claims]


def test_every_flag_has_a_sentence():
    assert set(FLAG_SENTENCES) == set(FLAGS)
    assert caution(()) == ""
    assert caution(["upper_end_set_by_prior"]) == (
        "Caution: " + FLAG_SENTENCES["upper_end_set_by_prior"] + ".")
    assert caution(["upper_end_set_by_prior"]).startswith("Caution: no claim states an upper")


def _estimates(flags: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "quantity_id": ["total", "killed"], "description": ["Total", "Killed"],
        "median": [1630.0, 40.0], "lower_90": [1210.0, 30.0], "upper_90": [3400.0, 55.0],
        "flags": flags,
    })


def test_citations_carry_the_anchor_and_the_flags_once():
    from reconcile import __version__
    from reconcile.config import load_config
    from reconcile.report.runinfo import estimate_citations, run_citation

    data = _dataset([("killed", "b", POINT_40)])
    config = load_config()
    citations = estimate_citations(_estimates(["upper_end_set_by_prior", ""]), config, data, 3)
    total, killed = citations["total"], citations["killed"]
    assert total.startswith("Total: median 1,630, 90% credible interval 1,210-3,400 "
                            f"(reconcile {__version__}; dataset sha256 ")
    assert "model default, seed 3; anchor: third-party statements are unbiased on average)." \
        in total
    assert total.endswith("). Caution: " + FLAG_SENTENCES["upper_end_set_by_prior"] + ".")
    assert "Caution" not in killed and killed.endswith("on average).")
    for text in (total, killed, run_citation(config, data, 3)):
        assert text.count(__version__) == 1 and text.count("reconcile") == 1
    assert "anchor: third-party statements are unbiased on average" in run_citation(
        config, data, 3)


def test_report_rows_list_each_flag_with_its_meaning():
    from reconcile.report.html import _estimate_rows

    table = _estimates(["no_claims;upper_end_set_by_prior", ""])
    for prob in (50, 95):
        table[f"lower_{prob}"], table[f"upper_{prob}"] = table["lower_90"], table["upper_90"]
    first, second = _estimate_rows(table)
    assert first["flag_list"] == [("no_claims", FLAG_SENTENCES["no_claims"]),
                                  ("upper_end_set_by_prior",
                                   FLAG_SENTENCES["upper_end_set_by_prior"])]
    assert second["flag_list"] == []
