"""Open the report in a real headless Chromium (Debian's package, installed by .ci/run):
no console errors, no request leaves the page, every image decodes. A screenshot is saved
to test-artifacts/report.png."""

from __future__ import annotations

import shutil

from support import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_opens_cleanly_in_chromium(seed_run):
    from playwright.sync_api import sync_playwright

    report = (seed_run / "report.html").resolve()
    errors: list[str] = []
    failed: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("request", lambda request: requested.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight])"
        )
        headings = page.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert failed == []
    assert requested == [report.as_uri()]  # nothing but the page itself: plots are embedded
    assert len(images) == 6  # forest, biases, sensitivity, rank, trace, PIT
    for alt, complete, width, height in images:
        assert complete and width > 0 and height > 0, alt
    assert {"Estimates", "Quantity tree", "Source biases", "Diagnostics", "Claims",
            "Model configuration", "How to cite"} <= set(headings)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_the_hostile_report_runs_and_loads_nothing_in_chromium(hostile_run):
    """The report of the hostile dataset (tests/hostile.py): no dialog opens (every payload
    calls alert), no request leaves the page, no console error (a CSP violation is one), and
    the planted markup is visible as text."""
    from playwright.sync_api import sync_playwright

    from hostile import MARKUP

    report = (hostile_run.result.out_dir / "report.html").resolve()
    dialogs: list[str] = []
    errors: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requested.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)  # time for an onerror or onload handler to fire
        shown = page.inner_text("body")
        counts = page.evaluate("['script', 'iframe', 'svg', 'a'].map("
                               "t => document.getElementsByTagName(t).length)")
        browser.close()
    assert dialogs == [] and errors == []
    assert requested == [report.as_uri()]
    assert counts == [0, 0, 0, 0]
    assert all(markup in shown for markup in MARKUP[:5])
