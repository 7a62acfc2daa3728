"""The notebooks in notebooks/ run top to bottom and produce what they say, and
``reconcile.report_fit`` writes for a fit already made what `reconcile run` writes.

Each notebook is executed by nbclient in a Jupyter kernel of this environment (kernel
``python3``, from ipykernel installed with the ``notebooks`` extra), in the notebooks' own
folder as Jupyter runs them, with small sampling settings injected in a cell after the one
tagged ``parameters`` (the papermill convention). The tests then read what the notebook wrote
(tables, the report, the calibration study) and printed.

Tolerance: 2 chains x 200 draws cannot meet the convergence thresholds (ESS >= 400 in bulk
and tail), so the tests assert on the structure and sanity of the results (an estimate for
every quantity, finite positive medians inside nested intervals, one comparison row per
variant, every simulated fit done), and that the diagnostics were computed and record the
injected settings, never that they pass. Running all three takes about five minutes on two
cores, almost all of it compiling the model (about 40 s per fit).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from support import ROOT

NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ["01-seed-walkthrough.ipynb", "02-model-checking.ipynb", "03-your-own-claims.ipynb"]
QUICK = {"CHAINS": 2, "DRAWS": 200, "TUNE": 200}
ORDERED = ["lower_95", "lower_90", "lower_50", "median", "upper_50", "upper_90", "upper_95"]
# A warning printed by a cell: "path:line: Category: message"
WARNING_LINE = re.compile(r"^(?P<path>\S+):\d+: (?P<category>\w+): (?P<message>.*)$", re.M)
THIRD_PARTY_DEPRECATIONS = {"DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"}


def parameter_names(notebook: nbformat.NotebookNode) -> set[str]:
    cell = parameters_cell(notebook)[1]
    return {target.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def parameters_cell(notebook: nbformat.NotebookNode) -> tuple[int, nbformat.NotebookNode]:
    tagged = [(i, cell) for i, cell in enumerate(notebook.cells)
              if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, "a notebook has exactly one cell tagged 'parameters'"
    return tagged[0]


def execute(name: str, parameters: dict) -> nbformat.NotebookNode:
    """Run notebook ``name`` top to bottom with ``parameters`` injected after its parameters
    cell; a cell that raises fails the test with the notebook's traceback."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    index, _ = parameters_cell(notebook)
    unknown = set(parameters) - parameter_names(notebook)
    assert not unknown, f"not parameters of {name}: {unknown}"
    lines = [f"{key} = {value!r}" for key, value in parameters.items()]
    # the kernel must be this environment's Python, not another one on PATH
    lines += ["import sys", f"assert sys.prefix == {sys.prefix!r}, sys.prefix"]
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(
        "\n".join(lines), metadata={"tags": ["injected-parameters"]}))
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return notebook


def outputs_text(cell: nbformat.NotebookNode, stream: str = "stdout") -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", [])
                   if output.output_type == "stream" and output.name == stream)


def tagged(notebook: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    [cell] = [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
    return cell


def assert_figures_shown(notebook: nbformat.NotebookNode) -> None:
    """Every cell that draws a figure shows it (reconcile.plots selects matplotlib's
    off-screen backend; the notebooks switch the inline one back on)."""
    drawing = [cell for cell in notebook.cells
               if cell.cell_type == "code" and re.search(r"^fig = ", cell.source, re.M)]
    assert drawing
    for cell in drawing:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.source


def assert_no_warnings(notebook: nbformat.NotebookNode) -> None:
    """The project's warning policy (pyproject's filterwarnings), applied to the notebooks:
    no warning at all from reconcile or the notebook's own code, and none but deprecations
    from third-party code. The notebooks handle the warnings they expect deliberately."""
    for cell in notebook.cells:
        for match in WARNING_LINE.finditer(outputs_text(cell, "stderr")):
            ours = "ipykernel_" in match["path"] or "/reconcile/" in match["path"]
            assert match["category"] in THIRD_PARTY_DEPRECATIONS and not ours, (
                f"{match[0]}\nin the cell:\n{cell.source}")


def assert_sane_estimates(table: pd.DataFrame, columns: list[str] = ORDERED) -> None:
    values = table[columns].to_numpy(dtype=float)
    assert np.isfinite(values).all() and (values > 0).all()
    assert (values[:, :-1] <= values[:, 1:]).all()  # nested central intervals around the median


# --- what is committed ----------------------------------------------------------------------
def committed_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_is_executed_by_a_test():
    assert [path.name for path in committed_notebooks()] == EXECUTED


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda path: path.name)
def test_notebook_is_committed_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name} has outputs: clear them before committing\n{cell.source}")
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda path: path.name)
def test_notebook_uses_only_the_public_api(path: Path):
    """No underscore-prefixed name of reconcile (or anything else) is imported or used."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith("%"))  # IPython magics
        for node in ast.walk(ast.parse(source)):
            names = []
            if isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.ImportFrom):
                names = [*(node.module or "").split("."), *(alias.name for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [part for alias in node.names for part in alias.name.split(".")]
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name} uses {private}:\n{cell.source}"


def test_each_notebook_has_a_parameters_cell_first():
    for name in EXECUTED:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        index, cell = parameters_cell(notebook)
        first_code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
        assert index == first_code
        assert {"CHAINS", "DRAWS", "TUNE", "OUT_DIR"} <= parameter_names(notebook)


# --- report_fit -----------------------------------------------------------------------------
def test_report_fit_writes_what_run_writes(hostile_run, tmp_path):
    """The outputs of a fit made in Python are those `reconcile run` wrote for the same fit:
    the same tables byte for byte, the same diagnostics and the same rerun command."""
    import reconcile

    first = hostile_run.result  # run(..., seed=1, 2 x 100 draws, allow_bad_diagnostics=True)
    result = reconcile.report_fit(first.fit, hostile_run.data, tmp_path / "again",
                                  allow_bad_diagnostics=True)
    assert result.out_dir == tmp_path / "again" and not result.ok
    assert sorted(p.name for p in result.out_dir.iterdir()) == sorted(
        p.name for p in first.out_dir.iterdir())
    for name in ("estimates.csv", "sources.csv", "claims.csv"):
        assert (result.out_dir / name).read_bytes() == (first.out_dir / name).read_bytes()
    assert (json.loads((result.out_dir / "diagnostics.json").read_text())
            == json.loads((first.out_dir / "diagnostics.json").read_text()))
    info = json.loads((result.out_dir / "run.json").read_text())
    first_info = json.loads((first.out_dir / "run.json").read_text())
    for key in ("rerun", "model", "dataset", "seed", "sampler", "citation", "diagnostics_ok"):
        assert info[key] == first_info[key], key
    html = (result.out_dir / "report.html").read_text(encoding="utf-8")
    assert "diagnostics FAILED. Do not cite these numbers." in html


def test_report_fit_writes_nothing_when_diagnostics_fail(hostile_run, tmp_path):
    import reconcile

    result = reconcile.report_fit(hostile_run.result.fit, hostile_run.data, tmp_path / "out")
    assert result.out_dir is None and not result.ok and result.tables.diagnostics["reasons"]
    assert list(tmp_path.iterdir()) == []


def test_report_fit_refuses_what_its_rerun_command_would_not_redo(hostile_run, tmp_path):
    """A configuration changed in code, a model file that is not the fit's, another dataset
    folder: run.json would cite inputs that did not make the fit."""
    import reconcile
    from dataclasses import replace

    from support import SEEDS

    fitted = hostile_run.result.fit
    changed = fitted.config.model_copy(update={"noise": fitted.config.noise.model_copy(
        update={"nu": 7.0})})
    with pytest.raises(ValueError, match="changed in code"):
        reconcile.report_fit(replace(fitted, config=changed), hostile_run.data, tmp_path / "a")
    with pytest.raises(ValueError, match=r"not the one in \S*normal-noise\.toml"):
        reconcile.report_fit(fitted, hostile_run.data, tmp_path / "b", model="normal-noise")
    with pytest.raises(ValueError, match="does not hold the dataset"):
        reconcile.report_fit(fitted, SEEDS, tmp_path / "c")
    assert list(tmp_path.iterdir()) == []


# --- the notebooks, executed ----------------------------------------------------------------
def test_seed_walkthrough(tmp_path, seed_dataset):
    out = tmp_path / "out"
    notebook = execute("01-seed-walkthrough.ipynb", {
        **QUICK, "SENSITIVITY": False, "KEEP_REPORT_IF_DIAGNOSTICS_FAIL": True,
        "OUT_DIR": str(out)})
    report = out / "01-seed-report"
    assert {p.name for p in report.iterdir()} == {
        "estimates.csv", "sources.csv", "claims.csv", "diagnostics.json", "posterior.nc",
        "run.json", "report.html", "citation.bib", "citation.json"}
    estimates = pd.read_csv(report / "estimates.csv")
    assert sorted(estimates["quantity_id"]) == sorted(q.quantity_id for q in seed_dataset.quantities)
    assert_sane_estimates(estimates)
    sources = pd.read_csv(report / "sources.csv")
    assert set(sources["source_id"]) == {c.source_id for c in seed_dataset.claims}
    assert (sources["bias_median"] > 0).all()
    diagnostics = json.loads((report / "diagnostics.json").read_text())
    assert {"ok", "reasons", "max_r_hat", "min_ess_bulk", "divergences", "loo"} <= set(diagnostics)
    assert (diagnostics["chains"], diagnostics["draws"]) == (2, 200)  # the injected settings
    assert diagnostics["ok"] == (diagnostics["reasons"] == [])
    info = json.loads((report / "run.json").read_text())
    assert info["seed"] == 7 and info["model"]["name"] == "default"
    rerun = shlex.split(info["rerun"])
    assert rerun[:3] == ["reconcile", "run", "../seeds"]
    assert rerun[rerun.index("--draws") + 1] == "200" and "--no-sensitivity" in rerun
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "Anchor: third-party statements" in html
    # section 8: the Beirut running toll, its series and the first days' final toll
    series = pd.read_csv(out / "beirut-toll-series.csv")
    claims = series[series["point"] == "claim"]
    assert len(claims) == 11 and (np.diff(claims["median"]) >= 0).all()  # a toll never falls
    final = series[series["point"] == "final"].iloc[0]
    assert final["median"] >= claims["median"].iloc[-1] and final["lower_90"] >= 100
    finals = pd.read_csv(out / "beirut-final-toll.csv", index_col=[0, 1])
    assert list(finals["n_claims"]) == [5, 11]  # the reports out by 6 August, then all
    assert_figures_shown(notebook)
    assert_no_warnings(notebook)


def test_model_checking(tmp_path, seed_dataset):
    out = tmp_path / "out"
    variants = ["default", "anchor-own"]
    notebook = execute("02-model-checking.ipynb", {
        **QUICK, "VARIANTS": variants, "PRIOR_DRAWS": 200, "SBC_SIMULATIONS": 4,
        "SBC_CHAINS": 2, "SBC_DRAWS": 100, "SBC_TUNE": 100, "SBC_WORKERS": 1,
        "OUT_DIR": str(out)})
    claim_ids = [c.claim_id for c in seed_dataset.claims]

    prior = pd.read_csv(out / "02-prior-predictive.csv")
    assert list(prior["claim_id"]) == claim_ids
    predicted = prior[["predicted_5%", "predicted_50%", "predicted_95%"]].to_numpy()
    assert (predicted >= 0).all() and (np.diff(predicted, axis=1) >= 0).all()
    assert prior[["share_below", "share_above"]].stack().between(0, 1).all()

    comparison = pd.read_csv(out / "02-variant-comparison.csv", index_col="variant")
    assert sorted(comparison.index) == sorted(variants)  # one row per variant
    assert {"elpd", "se", "elpd_diff", "dse", "weight", "n_pareto_k_above_0.7",
            "pit_ks_pvalue", "diagnostics_ok"} <= set(comparison.columns)
    assert np.isfinite(comparison["elpd"]).all()
    best = comparison[comparison["rank"] == 0]  # sorted best first; differences to the best
    assert list(best.index) == [comparison.index[0]] and best["elpd_diff"].item() == 0
    assert (comparison["elpd_diff"] <= 0).all()
    assert comparison["n_pareto_k_above_0.7"].between(0, len(claim_ids)).all()

    checks = pd.read_csv(out / "02-claim-checks.csv")
    assert list(checks["claim_id"]) == claim_ids
    assert checks[["ppc_pit", "ppc_tail_prob", "pit_randomized"]].stack().between(0, 1).all()

    calibration = out / "02-calibration"
    summary = json.loads((calibration / "calibration.json").read_text())
    assert summary["settings"]["simulations"] == 4
    verdict = summary["verdicts"]["default/model"]
    assert (verdict["fits"], verdict["failed"]) == (4, 0) and verdict["tests"] > 0
    assert 0 <= verdict["coverage_90"] <= 1
    fits = pd.read_csv(calibration / "fits.csv")
    assert len(fits) == 4 and fits["ok"].all()
    assert (calibration / "calibration.html").stat().st_size > 0
    assert_figures_shown(notebook)
    assert_no_warnings(notebook)


def test_your_own_claims(tmp_path):
    import reconcile

    data, out = tmp_path / "hill-402", tmp_path / "out"
    notebook = execute("03-your-own-claims.ipynb", {**QUICK, "DATA_DIR": str(data),
                                                     "OUT_DIR": str(out)})
    assert {p.name for p in data.iterdir()} == {"documents", "sources.csv", "quantities.csv",
                                               "claims.csv"}
    assert len(list((data / "documents").iterdir())) == 4
    assert reconcile.check_dataset(data) == []  # the dataset as fixed in the notebook
    errors = outputs_text(tagged(notebook, "validation-errors"))
    assert ("claims.csv, row 6, column quote: not found in documents/monitor-2024-03-05.txt"
            in errors)
    assert "claims.csv, row 7, column qualifier: 'approximately' is not one of" in errors
    printed = "".join(outputs_text(cell) for cell in notebook.cells)
    assert "did you mean 'third_party'?" in printed
    assert "third-party statements (a source with no side, or a count of no side) are biased " \
           "by a factor 0.8 on average" in printed

    comparison = pd.read_csv(out / "03-anchor-comparison.csv", index_col="quantity_id")
    assert sorted(comparison.index) == ["highland_killed_hill_402", "killed_hill_402",
                                        "valley_killed_hill_402"]
    for fit in ("default", "undercount"):
        assert_sane_estimates(comparison, [f"{fit}_lower_90", f"{fit}_median", f"{fit}_upper_90"])
    assert np.allclose(comparison["ratio_of_medians"],
                       comparison["undercount_median"] / comparison["default_median"])
    assert_figures_shown(notebook)
    assert_no_warnings(notebook)
