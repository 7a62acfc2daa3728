"""Open the report in a real headless Chromium (Debian's package, installed by .ci/run):
no console errors, no request leaves the page, every image decodes. A screenshot is saved
to test-artifacts/report.png."""

from __future__ import annotations

import re
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
        # links only within the page (a claim's row, a quantity's estimate)
        counts = page.evaluate("['script', 'iframe', 'svg', 'a:not([href^=\"#\"])'].map("
                               "t => document.querySelectorAll(t).length)")
        browser.close()
    assert dialogs == [] and errors == []
    assert requested == [report.as_uri()]
    assert counts == [0, 0, 0, 0]
    assert all(markup in shown for markup in MARKUP[:5])


def test_the_report_fits_1000_and_1400_pixel_windows(seed_run):
    """Issue 17.4: at a 1000 px and a 1400 px window no table loses a column (each fits its
    box, or scrolls inside it), the page never scrolls sideways, every number a person reads
    is free of scientific notation, and every link lands on an element of the page."""
    from playwright.sync_api import sync_playwright

    report = (seed_run / "report.html").resolve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for width in (1000, 1400):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            tables = page.evaluate(
                "Array.from(document.querySelectorAll('table')).map(t => [t.closest('section').id,"
                " t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right,"
                " t.parentElement.className])")
            page_width = page.evaluate("[document.documentElement.scrollWidth,"
                                       " document.documentElement.clientWidth]")
            text = page.inner_text("body")
            missing = page.evaluate(
                "Array.from(document.querySelectorAll('a[href^=\"#\"]'))"
                ".filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length")
            links = page.evaluate("document.querySelectorAll('a[href^=\"#claim-\"]').length")
            page.close()
            assert len(tables) >= 5
            for section, right, box_right, box in tables:
                assert box == "scroll", section  # a wider table scrolls in its box
                assert right <= box_right + 1, (width, section, right, box_right)
            assert page_width[0] <= page_width[1], width
            assert not re.search(r"\d\.?\d*e[+-]\d", text), width
            assert missing == 0 and links >= 27  # every claim reachable from its estimate
        browser.close()
