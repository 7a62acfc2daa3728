"""The report's one verdict (issue 17.3): blocking findings first, then what a citation
must carry, then notes; the headline follows the worst finding."""

from __future__ import annotations

import json

import pandas as pd

from reconcile.analysis.tables import RunTables
from reconcile.analysis.verdict import headline, verdict

PASSING = {"ok": True, "reasons": [], "approximate": False, "max_r_hat": 1.004,
           "min_ess_bulk": 1234.0, "min_ess_tail": 987.0, "divergences": 0}


def tables(flags: list[str], diagnostics: dict = PASSING, influential=(False, True),
           outlier=(False, False)) -> RunTables:
    estimates = pd.DataFrame({"quantity_id": [f"q{i}" for i in range(len(flags))],
                              "flags": flags})
    claims = pd.DataFrame({"claim_id": ["a", "b"], "influential": influential,
                           "outlier": outlier})
    return RunTables(estimates=estimates, sources=pd.DataFrame(), stances=pd.DataFrame(),
                     claims=claims, diagnostics=diagnostics, loo={}, tolls=pd.DataFrame())


def test_a_clean_run_is_citable_and_says_why():
    findings = verdict(tables(["", ""]))
    assert headline(findings) == "Citable."
    assert [f.level for f in findings] == ["note"] * 3
    convergence = findings[0]
    assert convergence.topic == "convergence" and "max R-hat 1.004" in convergence.sentence
    assert "1,234 (bulk)" in convergence.sentence  # thousands separators
    assert "1 of 2 claims have Pareto k above 0.7" in findings[1].sentence
    json.dumps([f.as_json() for f in findings])  # diagnostics.json holds them


def test_flags_block_or_caution_the_estimates_they_name_blocking_first():
    findings = verdict(tables(["upper_end_set_by_prior", "no_claims;upper_end_set_by_prior",
                               "", "denial_only"]))
    assert headline(findings) == "Citable, except the estimates named below."
    levels = [f.level for f in findings]
    assert levels == sorted(levels, key=["blocks", "caution", "note"].index)
    blocking = {f.topic: f.sentence for f in findings if f.level == "blocks"}
    assert set(blocking) == {"no claims", "denial only"}
    assert "(q1)" in blocking["no claims"] and "Do not cite them" in blocking["no claims"]
    caution = [f for f in findings if f.level == "caution"]
    assert len(caution) == 1 and "2 estimates (q0, q1)" in caution[0].sentence


def test_failed_convergence_blocks_everything():
    failed = {**PASSING, "ok": False, "reasons": ["max R-hat 1.05 > 1.01 (source_bias_sd)"]}
    findings = verdict(tables(["upper_end_set_by_prior"], failed))
    assert headline(findings) == "Do not cite: the fit failed its convergence checks."
    assert findings[0].level == "blocks" and "source_bias_sd" in findings[0].sentence
    assert findings[0].section == "diagnostics"


def test_long_lists_of_estimates_are_shortened():
    findings = verdict(tables(["upper_end_set_by_prior"] * 9))
    caution = next(f for f in findings if f.level == "caution")
    assert "9 estimates (q0, q1, q2, q3, q4, q5 and 3 more)" in caution.sentence
