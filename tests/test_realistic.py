"""The realistic simulator does what reporters do, and the interval score is Gneiting &
Raftery's. No MCMC: simulation, the model's inputs, and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reconcile.calibration.realistic import (
    claim_range, realistic_counts, realistic_like, simulate_realistic, span_of,
)
from reconcile.calibration.scoring import (
    coverage, interval_score, interval_scores, median_log_width,
)
from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.qualifiers import read_qualifier

SEEDS = range(12)


@pytest.fixture(scope="module")
def archives():
    return {shape: [simulate_realistic(shape, seed) for seed in SEEDS]
            for shape in ("sparse", "dense")}


def _all(archives, shape=None):
    shapes = [shape] if shape else list(archives)
    return [sim for name in shapes for sim in archives[name]]


def _truth_of(sim, claim) -> float:
    return float(sim.truth["count"][sim.dataset.quantity_index[claim.quantity_id]])


def test_same_seed_same_archive_other_seed_another():
    for shape in ("sparse", "dense"):
        first, again = simulate_realistic(shape, 3), simulate_realistic(shape, 3)
        assert first.dataset == again.dataset
        assert np.array_equal(first.truth["count"], again.truth["count"])
        assert simulate_realistic(shape, 4).dataset != first.dataset
    with pytest.raises(ValueError, match="unknown shape"):
        simulate_realistic("medium", 0)


def test_archives_are_valid_datasets(archives):
    for sim in _all(archives):
        data = sim.dataset
        sources = set(data.source_by_id)
        assert len(sources) == len(data.sources)
        assert len(data.quantity_by_id) == len(data.quantities)
        assert len({c.claim_id for c in data.claims}) == len(data.claims)
        assert len(sim.truth["count"]) == len(data.quantities)
        assert len(sim.truth["belief"]) == len(data.claims)
        for claim in data.claims:
            assert claim.quantity_id in data.quantity_by_id and claim.source_id in sources
            assert set(claim.via) <= sources and claim.source_id not in claim.via
            assert claim.observation == read_qualifier(claim.qualifier, claim.value, claim.low,
                                                       claim.high)
            assert (claim.term is not None) == (claim.qualifier == "vague")
        for quantity in data.quantities:
            if quantity.parent:
                parent = data.quantity_by_id[quantity.parent]
                assert parent.side is None or parent.side == quantity.side
                assert quantity.outcome == parent.outcome or parent.outcome == "casualties"
            assert not quantity.complete or data.children[quantity.quantity_id]


def test_truths_are_whole_counts_that_nest(archives):
    for sim in _all(archives):
        data, counts = sim.dataset, sim.truth["count"]
        assert np.all(counts >= 1) and np.all(counts == np.round(counts))
        for quantity in data.quantities:
            kids = data.children[quantity.quantity_id]
            if not kids:
                continue
            total = sum(counts[data.quantity_index[k]] for k in kids)
            own = counts[data.quantity_index[quantity.quantity_id]]
            if quantity.complete:
                assert own == total
            else:
                assert own > total  # the sum plus a remainder of at least 1


def test_event_sizes_are_realistic(archives):
    """Battles of tens with a tail to hundreds, wars of thousands; the wounded outnumber the
    killed of their event."""
    battles, wars, ratios = [], [], []
    for sim in _all(archives):
        data, counts = sim.dataset, sim.truth["count"]
        for i, quantity in enumerate(data.quantities):
            if not data.children[quantity.quantity_id]:
                if span_of(quantity, 0) == "battle" and quantity.outcome == "killed":
                    battles.append(counts[i])
            if quantity.quantity_id.endswith("_war"):
                wars.append(counts[i])
            if quantity.complete:
                killed, wounded = (counts[data.quantity_index[f"{quantity.quantity_id}_{o}"]]
                                   for o in ("killed", "wounded"))
                ratios.append(wounded / killed)
    assert 10 <= np.median(battles) <= 40 and max(battles) >= 100
    assert np.median(wars) >= 1000
    # wounded = killed x log-normal(median 2.5, sd 0.5): over these archives the median ratio
    # sits near 2.5; [1.5, 4] is about +-1 log-sd, wide for a median of many events
    assert 1.5 <= np.median(ratios) <= 4


def test_sparse_is_like_the_seeds_and_half_lower_bounds(archives):
    sims = archives["sparse"]
    assert 18 <= np.mean([len(s.dataset.quantities) for s in sims]) <= 32
    assert 22 <= np.mean([len(s.dataset.claims) for s in sims]) <= 40
    assert 15 <= np.mean([len(s.dataset.sources) for s in sims]) <= 25
    for sim in sims:
        per_quantity = [len(sim.dataset.claims_about(q.quantity_id))
                        for q in sim.dataset.quantities]
        assert max(per_quantity) <= 2
    kinds = [c.observation.kind for s in sims for c in s.dataset.claims]
    assert 0.4 <= kinds.count("lower_bound") / len(kinds) <= 0.6


def test_dense_has_three_to_five_claims_per_quantity(archives):
    for sim in archives["dense"]:
        per_quantity = [len(sim.dataset.claims_about(q.quantity_id))
                        for q in sim.dataset.quantities]
        assert min(per_quantity) >= 3 and max(per_quantity) <= 5


def test_own_side_admissions_are_floors_and_denials_occur(archives):
    denials = 0
    for sim in _all(archives):
        for claim in sim.dataset.claims:
            if sim.dataset.stance(claim) == "own":
                assert claim.observation.low <= _truth_of(sim, claim), claim
                denials += claim.observation.low == claim.observation.high == 0
    assert denials >= 1


def test_enemy_claims_inflate_third_parties_do_not(archives):
    log_ratios = {"enemy": [], "third_party": []}
    for sim in _all(archives, "dense"):
        for claim, belief in zip(sim.dataset.claims, sim.truth["belief"]):
            stance = sim.dataset.stance(claim)
            if stance in log_ratios and claim.observation.is_point and claim.value >= 1:
                log_ratios[stance].append(math.log(claim.value / _truth_of(sim, claim)))
    assert np.mean(log_ratios["enemy"]) > math.log(1.5)
    assert abs(np.mean(log_ratios["third_party"])) < 0.25


def test_relays_repeats_copies_and_round_figures(archives):
    sims = _all(archives, "dense")
    claims = [c for s in sims for c in s.dataset.claims]
    assert np.mean([bool(c.via) for c in claims]) > 0.3
    repeats = copies = 0
    for sim in sims:
        by_id = {c.claim_id: c for c in sim.dataset.claims}
        for claim in sim.dataset.claims:
            note = claim.notes or ""
            if note.endswith("reported again"):
                original = by_id[note.split()[0]]
                assert (original.source_id, original.observation) == (claim.source_id,
                                                                        claim.observation)
                repeats += 1
            if note.startswith("undeclared copy of"):
                original = by_id[note.split()[-1]]
                assert original.source_id != claim.source_id
                assert original.observation == claim.observation and not claim.via
                assert sim.dataset.source_by_id[claim.source_id].side is None
                copies += 1
    assert repeats >= 5 and copies >= 5
    about = [c.value for c in claims if c.qualifier == "about"]
    assert about and all(len(str(v).rstrip("0")) <= 2 for v in about)
    bounds = [c.value for c in claims if c.qualifier == "more_than"]
    assert all(len(str(v).rstrip("0")) <= 2 for v in bounds)


def test_claim_range_is_the_least_and_greatest_figure():
    quantities = (Quantity("a", "a", "killed"), Quantity("b", "b", "killed"),
                  Quantity("c", "c", "killed"))
    sources = (Source("s", "s", "official"), Source("t", "t", "monitor"))

    def claim(cid, qid, qualifier, value=None, low=None, high=None, term=None):
        return Claim(cid, qid, "s" if cid < "c3" else "t", qualifier,
                     read_qualifier(qualifier, value, low, high), "d.txt", "", value=value,
                     low=low, high=high, term=term)

    data = Dataset(sources, quantities, (
        claim("c1", "a", "more_than", 50), claim("c2", "a", "exact", 80),
        claim("c3", "b", "vague", low=24, high=99, term="dozens"),
        claim("c4", "b", "at_most", 120)))
    assert claim_range(data) == [(50, 80), (24, 120), None]


def test_interval_score_by_hand():
    alpha = 0.1
    width = math.log1p(100) - math.log1p(10)
    # covered: the width alone, on the log1p scale
    assert interval_score([10], [100], [50], alpha) == pytest.approx(width)
    # missed above and below: width plus 2/alpha times the log distance
    assert interval_score([10], [100], [200], alpha) == pytest.approx(
        width + 20 * (math.log1p(200) - math.log1p(100)))
    assert interval_score([10], [100], [4], alpha) == pytest.approx(
        width + 20 * (math.log1p(10) - math.log1p(4)))
    # the mean over quantities; an end counts as covered
    scores = interval_scores([10, 10], [100, 100], [100, 200], alpha)
    assert scores[0] == pytest.approx(width)
    assert interval_score([10, 10], [100, 100], [100, 200], alpha) == pytest.approx(scores.mean())
    # a denial's 0 is on the scale; a miss weighs more at a smaller alpha
    assert interval_score([0], [0], [0], alpha) == 0.0
    assert interval_score([10], [100], [200], 0.05) > interval_score([10], [100], [200], 0.1)


def test_interval_score_is_proper_on_average():
    """Among intervals of lognormal truths, the true 5-95% quantiles score best."""
    rng = np.random.default_rng(0)
    truth = np.expm1(rng.normal(4.0, 1.0, size=20_000))
    best = interval_score(np.full_like(truth, np.expm1(4 - 1.645)),
                          np.full_like(truth, np.expm1(4 + 1.645)), truth, 0.1)
    for low, high in ((4 - 1.0, 4 + 1.0), (4 - 2.5, 4 + 2.5), (4 - 1.2, 4 + 2.2)):
        other = interval_score(np.full_like(truth, np.expm1(low)),
                               np.full_like(truth, np.expm1(high)), truth, 0.1)
        assert other > best


def test_coverage_width_and_bad_input():
    assert coverage([1, 10, 100], [5, 20, 200], [5, 30, 150]) == pytest.approx(2 / 3)
    assert median_log_width([0, 9, 99], [1, 99, 999]) == pytest.approx(math.log(10))
    with pytest.raises(ValueError):
        interval_score([10], [5], [7], 0.1)
    with pytest.raises(ValueError):
        interval_score([1], [2], [1], 1.5)
    with pytest.raises(ValueError):
        interval_score([1, 2], [2], [1], 0.1)


def test_spans_from_dates_or_height():
    quantity = Quantity("q", "q", "killed", start="2015-10", end="2015-12")
    assert span_of(quantity, 0) == "campaign"
    battle = Quantity("q", "q", "killed", start="2016-05-05", end="2016-05-06")
    assert span_of(battle, 2) == "battle"
    assert span_of(Quantity("q", "q", "killed", start="2012", end="2016-05-11"), 0) == "war"
    assert span_of(Quantity("q", "q", "killed"), 1) == "campaign"


def test_realistic_scenario_keeps_the_structure(seed_dataset, default_config):
    from reconcile.calibration.scenarios import SCENARIOS

    scenario = SCENARIOS["realistic"]
    assert not scenario.well_specified
    simulated = scenario.simulate(seed_dataset, default_config, None, 0,
                                  np.random.default_rng(1))
    assert set(simulated.truth) == {"count"}
    assert len(simulated.truth["count"]) == len(seed_dataset.quantities)
    pairs = [(c.claim_id, c.quantity_id, c.source_id, c.via) for c in seed_dataset.claims]
    assert [(c.claim_id, c.quantity_id, c.source_id, c.via)
            for c in simulated.dataset.claims] == pairs
    kinds = [c.observation.reading.name for c in seed_dataset.claims]
    kept = [c.observation.reading.name for c in simulated.dataset.claims]
    assert np.mean([a == b for a, b in zip(kinds, kept)]) > 0.7  # a bound stays a bound
    # a war-long quantity without children is drawn in thousands, a battle's in tens
    counts = dict(zip((q.quantity_id for q in seed_dataset.quantities), simulated.truth["count"]))
    wars = [realistic_counts(seed_dataset, np.random.default_rng(i)) for i in range(30)]
    index = seed_dataset.quantity_index
    assert np.median([w[index["syria_war_killed"]] for w in wars]) > 1000
    assert np.median([w[index["pro_assad_killed_aleppo_tunnel_bomb"]] for w in wars]) < 100
    assert counts["irgc_casualties_khan_tuman"] == (counts["irgc_killed_khan_tuman"]
                                                    + counts["irgc_wounded_khan_tuman"])


def test_the_model_takes_realistic_archives(archives, default_config):
    from reconcile.model.inputs import ModelInputs

    for sim in (archives["sparse"][0], archives["dense"][0]):
        inputs = ModelInputs.from_dataset(sim.dataset, default_config)
        assert len(inputs.claim_ids) == len(sim.dataset.claims)
    again = realistic_like(archives["sparse"][0].dataset, np.random.default_rng(2),
                           default_config.lexicon)
    assert [c.claim_id for c in again.dataset.claims] == [
        c.claim_id for c in archives["sparse"][0].dataset.claims]
