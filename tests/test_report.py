"""Untrusted text in the outputs of a real run of the hostile dataset (tests/hostile.py).

The report: every planted string comes out as text (the page parsed with html.parser shows
no element, attribute or URL that the template did not put there) and the page can load
nothing. The CSV outputs: no text cell starts with a character a spreadsheet would take as a
formula. Terminal: no control character. A failure while writing leaves nothing.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from hostile import ATTACK, CONFLICT_QUANTITY, DOCUMENT, FOLDER, MARKUP, TEX, text_cells

# every element the template itself uses; anything else came from the data
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b",
                 "section", "div", "ul", "li", "img", "table", "thead", "tbody", "tr", "th",
                 "td", "span", "br", "blockquote", "pre", "code", "a", "details", "summary",
                 "ol"}
TEMPLATE_ATTRIBUTES = {"lang", "charset", "name", "content", "http-equiv", "class", "id", "src",
                       "alt", "title", "colspan",  # title: a flag's fixed meaning (flags.py)
                       "href"}  # href: links within the page only (#claim-<id>, #q-<id>, #section)


class Page(HTMLParser):
    """Elements, attributes and the text a browser would show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.sections: list[str] = []
        self._section_text: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))
        if tag == "section":
            self.sections.append(dict(attrs).get("id", ""))

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def report(hostile_run) -> str:
    return (hostile_run.result.out_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(report) -> Page:
    parsed = Page()
    parsed.feed(report)
    parsed.close()
    return parsed


def test_no_element_or_attribute_comes_from_the_data(page: Page) -> None:
    assert {tag for tag, _ in page.tags} <= TEMPLATE_TAGS
    for tag, attrs in page.tags:
        for name, value in attrs:
            assert name in TEMPLATE_ATTRIBUTES, (tag, name, value)
            assert "javascript:" not in (value or "").lower()
            if name == "href":  # an anchor in the page, named by a validated slug
                assert re.fullmatch(r"#((claim|q)-[a-z0-9][a-z0-9_.-]*|[a-z]+)", value), value
    from reconcile.analysis.flags import FLAG_SENTENCES

    titles = {value for _, attrs in page.tags for name, value in attrs if name == "title"}
    assert titles and titles <= set(FLAG_SENTENCES.values())  # flag badges: fixed text only
    images = [dict(attrs)["src"] for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 5 and all(src.startswith("data:image/png;base64,") for src in images)


def test_every_planted_string_is_shown_as_text(page: Page, hostile_run) -> None:
    text = "".join(page.text)
    for markup in MARKUP:
        assert markup in text, markup  # the very characters, not markup and not re-escaped
    dataset = hostile_run.result.fit.dataset
    shown = {
        "source name": dataset.sources[0].name,
        "quantity description": dataset.quantities[0].description,
        "quote": next(c.quote for c in dataset.claims if c.document == DOCUMENT),
        "note": dataset.claims[0].notes,
        "vague term": "dozens <u>of</u>",
        "document name": DOCUMENT,
        "dataset folder": FOLDER,
    }
    for what, value in shown.items():
        assert value in text, what


def test_the_page_can_load_nothing(report: str, page: Page) -> None:
    (policy,) = [dict(attrs)["content"] for tag, attrs in page.tags
                 if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy"]
    assert policy.startswith("default-src 'none';")
    assert "script-src" not in policy and "http" not in policy
    assert "<script" not in report.lower()


def test_failed_diagnostics_are_the_first_thing_the_report_says(page: Page, report: str) -> None:
    assert page.sections[0] == "status"
    status = report[report.index('<section id="status">'):report.index("</section>")]
    assert "diagnostics FAILED. Do not cite these numbers." in status
    assert f"impossible nesting: {CONFLICT_QUANTITY!r} is complete" in status.replace(
        "&#39;", "'")


def test_failed_diagnostics_are_marked_in_every_output(hostile_run) -> None:
    import arviz as az

    out = hostile_run.result.out_dir
    diagnostics = json.loads((out / "diagnostics.json").read_text())
    assert diagnostics["ok"] is False and diagnostics["reasons"]
    info = json.loads((out / "run.json").read_text())
    assert info["diagnostics_ok"] is False
    for record in (diagnostics, info):
        assert any(f"impossible nesting: {CONFLICT_QUANTITY!r}" in w for w in record["warnings"])
    assert az.from_netcdf(out / "posterior.nc").attrs["diagnostics_ok"] == 0


def test_the_report_says_which_quantiles_the_tail_ess_tests(hostile_run, report) -> None:
    """The tail ESS is tested at the 5% and 95% quantiles (analysis/rank_diagnostics.py),
    recorded in diagnostics.json and named in the report's diagnostics table."""
    diagnostics = json.loads((hostile_run.result.out_dir / "diagnostics.json").read_text())
    assert diagnostics["thresholds"]["ess_tail_quantiles"] == [0.05, 0.95]
    assert "min ESS tail (at the 5% and 95% quantiles)" in report


@pytest.mark.parametrize("table", ["estimates.csv", "sources.csv", "claims.csv"])
def test_no_csv_cell_is_a_formula(hostile_run, table: str) -> None:
    cells = text_cells(hostile_run.result.out_dir / table)
    assert cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_formula_text_is_kept_behind_an_apostrophe(hostile_run) -> None:
    out = hostile_run.result.out_dir
    descriptions = [c for c in text_cells(out / "estimates.csv") if ATTACK in c]
    names = [c for c in text_cells(out / "sources.csv") if ATTACK in c]
    assert descriptions and all(c.startswith(("'=", "'+", "'-", "'@")) for c in descriptions)
    assert {c[:2] for c in names} == {"'=", "'+", "'-", "'@"}


def test_tex_in_a_description_is_drawn_as_typed(hostile_run) -> None:
    """matplotlib would parse "$...$" as TeX and raise on it, losing the whole report."""
    from reconcile import plots

    assert any(TEX in q.description for q in hostile_run.result.fit.dataset.quantities)
    png = plots.figure_to_png(plots.forest_plot(hostile_run.result.fit,
                                                hostile_run.result.tables.estimates))
    assert png.startswith(b"\x89PNG")


def test_the_dataset_was_not_touched(hostile_run) -> None:
    from dataset_helpers import snapshot_with_times

    assert snapshot_with_times(hostile_run.data) == hostile_run.before


def test_a_failure_while_writing_leaves_no_partial_folder(hostile_run, tmp_path, monkeypatch):
    import reconcile.report.write as run_module

    out = tmp_path / "out"

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(run_module, "render_report", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_module.write_outputs(hostile_run.result, out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_large_archives_plot_and_list_a_selection_and_say_so():
    """Beyond 80 rows a plot draws the most aggregated quantities (a parent always before its
    children) or the sources with most claims; beyond 2,000 claims the report lists the
    flagged claims first. The files keep everything; the notes say what is left out."""
    from types import SimpleNamespace

    import pandas as pd

    from reconcile import plots
    from reconcile.model.simulate import random_structure
    from reconcile.report import html as report

    dataset = random_structure(n_sources=120, n_quantities=300, n_claims=2_500, seed=5,
                               max_depth=3)
    shown = plots.forest_quantities(dataset)
    assert len(shown) == plots.MAX_PLOT_ROWS
    assert shown == [q for q in dataset.tree_order if q in set(shown)]
    assert all(dataset.quantity_by_id[q].parent in set(shown) for q in shown
               if dataset.quantity_by_id[q].parent)
    assert max(dataset.depth(q) for q in shown) <= min(
        dataset.depth(q) for q in dataset.tree_order if q not in set(shown))

    sources = pd.DataFrame({"source_id": [s.source_id for s in dataset.sources],
                            "n_claims": [len(dataset.claims_by(s.source_id))
                                         for s in dataset.sources]})
    drawn = plots.plotted_sources(sources)
    assert len(drawn) == plots.MAX_PLOT_ROWS
    assert drawn["n_claims"].min() >= sources["n_claims"].nlargest(plots.MAX_PLOT_ROWS).min()

    ids = [c.claim_id for c in dataset.claims]
    flagged = set(ids[::7])  # 358 flagged claims, spread over the archive
    checks = pd.DataFrame({"claim_id": ids, "outlier": [i in flagged for i in ids],
                           "influential": False})
    listed = report.reported_claims(SimpleNamespace(dataset=dataset), checks)
    listed_ids = [c.claim_id for c in listed]
    assert len(listed) == report.MAX_REPORT_CLAIMS
    assert flagged <= set(listed_ids)
    assert listed_ids == [i for i in ids if i in set(listed_ids)]  # dataset order
    assert report._selection_note(80, 300, "quantities", "x", "estimates.csv") == (
        "Showing 80 of the 300 quantities: x. All of them are in estimates.csv.")
    assert report._selection_note(27, 27, "claims", "x", "claims.csv") == ""


def test_reconcile_report_rebuilds_the_same_page_without_refitting(seed_run, tmp_path):
    """`reconcile report OUT_DIR` gives back the run's report.html from its saved outputs
    (run.json, posterior.nc, the sensitivity tables), byte for byte, and touches nothing
    else. It has no sampler to run: the seed run's page comes back in seconds."""
    import shutil
    import subprocess

    from support import RECONCILE, SEEDS

    out = tmp_path / "rebuilt"
    shutil.copytree(seed_run, out)
    original = (out / "report.html").read_bytes()
    others = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "report.html"}
    (out / "report.html").unlink()
    # a run given a relative dataset path records it with its cwd; the rebuild, run from
    # elsewhere, finds the dataset there
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    info["dataset"]["path"], info["cwd"] = "seeds", str(SEEDS.parent)
    (out / "run.json").write_text(json.dumps(info), encoding="utf-8")
    others["run.json"] = (out / "run.json").read_bytes()
    result = subprocess.run([RECONCILE, "report", str(out)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out / 'report.html'}" in result.stdout
    assert (out / "report.html").read_bytes() == original
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "report.html"} == others
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging file left


def test_reconcile_report_refuses_a_changed_dataset_or_a_folder_without_a_run(seed_run,
                                                                              tmp_path):
    import shutil

    from support import SEEDS, reconcile

    out, data = tmp_path / "out", tmp_path / "seeds-edited"
    shutil.copytree(seed_run, out)
    shutil.copytree(SEEDS, data)
    claims = data / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(  # a note, still valid
        "Same official statement", "The same official statement", 1), encoding="utf-8")
    before = (out / "report.html").read_bytes()
    result = reconcile("report", str(out), "--data", str(data))
    assert result.returncode == 2
    assert "not the dataset this run read" in result.stderr and "reconcile run" in result.stderr
    assert (out / "report.html").read_bytes() == before

    empty = tmp_path / "empty"
    empty.mkdir()
    result = reconcile("report", str(empty))
    assert result.returncode == 2
    assert "run.json, posterior.nc, diagnostics.json missing" in result.stderr


@pytest.mark.parametrize("which", ["forest", "bias"])
def test_legends_never_cover_the_axes_or_their_text(hostile_run, which) -> None:
    """Issue 17.4: a small report's legend covered the axis caption, the only explanation of
    the bars. Drawn, the legend's box overlaps neither the axes nor any of their labels, and
    the axis's numbers are plain."""
    import matplotlib

    from reconcile import plots

    result = hostile_run.result
    figure = (plots.forest_plot(result.fit, result.tables.estimates) if which == "forest"
              else plots.source_bias_plot(result.fit, result.tables.sources))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    axes = figure.axes[0]
    texts = [axes.xaxis.label, *axes.get_xticklabels(), *axes.get_yticklabels()]
    assert not box.overlaps(axes.get_window_extent(renderer))
    for text in texts:
        if text.get_text():
            assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()
    # issue 17.4: numbers written out on the log axes (1,000 and 0.3, not 10^3 or 3x10^-1)
    numbers = [t.get_text() for t in (*axes.get_xticklabels(), *axes.get_xticklabels(minor=True))
               if t.get_text()]
    assert numbers and all(re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", n) for n in numbers), numbers
    matplotlib.pyplot.close(figure)
