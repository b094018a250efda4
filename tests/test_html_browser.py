"""The reports in a real browser: headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download is never used: the tests launch the system Chromium
with ``executable_path`` (``.ci/run`` installs Debian's ``chromium`` when it is missing)
and skip, saying so, only when no Chromium can be found. Screenshots go to each test's
``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A browser launch and two real pytest runs behind its fixtures: CI runs these with
# `pytest -n 2 -m slow`; tests/test_html.py and tests/test_reports.py guard the escaping
# and the single script statically in the default suite.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WIDTHS = (390, 1366)
HOSTILE_IDS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
)


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("MLOPS_CHROMIUM"),
        "/usr/bin/chromium",
        "chromium",
        "chromium-browser",
    ):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (install Debian's package: apt-get install -y chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright's Python package is in the test extra"
    )
    with sync_api.sync_playwright() as playwright:
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        yield launched
        launched.close()


def _run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GITHUB_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project's report.html, written by a real ``pytest --mlops`` run."""
    folder = tmp_path_factory.mktemp("example") / "examples"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("mlops-report", "__pycache__"))
    run = _run_pytest(folder, "--mlops")
    page = folder / "mlops-report" / "report.html"
    assert page.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return page


FAILING = """
import pytest

@pytest.mark.mlops_model
def test_good(mlops):
    mlops.check_metrics([0, 1, 1, 0] * 10, y_pred=[0, 1, 1, 0] * 10, thresholds={"accuracy": 0.9})

@pytest.mark.mlops_model
def test_bad(mlops):
    mlops.check_metrics([0, 1, 1, 0] * 10, y_pred=[0, 1, 0, 0] * 10, thresholds={"accuracy": 0.9})

@pytest.mark.mlops_data(severity="warn")
def test_nulls(mlops):
    import pandas as pd
    mlops.check_data(pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [1, 2, 3, 4]}))

@pytest.mark.mlops_drift
def test_drift(mlops):
    import numpy as np
    rng = np.random.default_rng(0)
    mlops.check_drift({"x": rng.normal(size=400)}, {"x": rng.normal(2, size=400)})

@pytest.mark.skip(reason="not today")
def test_skipped(mlops):
    pass

@pytest.mark.parametrize("k", range(3))
def test_many(mlops, k):
    mlops.check_metrics([0, 1] * 20, y_pred=[0, 1] * 20, thresholds={"accuracy": 0.5})
"""


@pytest.fixture(scope="module")
def failing_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failing")
    (folder / "test_gate.py").write_text(FAILING)
    run = _run_pytest(folder, "--mlops")
    assert run.returncode == 1, run.stdout[-3000:]
    return folder / "mlops-report" / "report.html"


def _open(browser: Any, path: Path, width: int) -> tuple[Any, Any, list[str]]:
    """A page showing ``path``; the list collects console errors and outside requests."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    url = path.as_uri()
    page.on("request", lambda r: problems.append(f"request {r.url}") if r.url != url else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, problems


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _visible_checks(page: Any) -> list[dict[str, str]]:
    return page.evaluate(
        """Array.from(document.querySelectorAll('details.check')).filter(
            d => d.checkVisibility()).map(d => ({id: d.id, status: d.dataset.status,
            category: d.dataset.category}))"""
    )


def test_example_report_in_a_browser(browser: Any, example_report: Path, tmp_path: Path) -> None:
    """One test for both widths, so an xdist run generates the example's report once."""
    assert example_report.stat().st_size < 1_000_000
    for width in WIDTHS:
        context, page, problems = _open(browser, example_report, width)
        try:
            assert _overflow(page) <= 0, width
            page.screenshot(path=str(tmp_path / f"example-{width}.png"), full_page=True)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert _overflow(page) <= 0, f"an open check widens the page at {width} px"
            page.screenshot(path=str(tmp_path / f"example-{width}-open.png"), full_page=True)
            assert page.locator("svg").count() > 10
            links = page.locator("#decision a[href^='#check-']")
            for index in range(links.count()):
                target = links.nth(index).get_attribute("href")[1:]
                links.nth(index).click()
                assert page.locator(f"#{target}").is_visible()
            assert problems == [], width
        finally:
            context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_failing_gate_shows_its_failure_first(
    browser: Any, failing_report: Path, width: int, tmp_path: Path
) -> None:
    context, page, problems = _open(browser, failing_report, width)
    try:
        assert "Gate failed" in page.locator("header").inner_text()
        shown = _visible_checks(page)
        assert shown[0]["status"] in ("fail", "error")
        assert all(c["status"] != "pass" for c in shown), "passes are folded"
        assert _overflow(page) <= 0
        page.screenshot(path=str(tmp_path / f"failing-{width}.png"), full_page=True)
        links = page.locator("#decision a[href^='#check-']")
        assert links.count() >= 1
        for index in range(links.count()):
            link = links.nth(index)
            target = link.get_attribute("href")[1:]
            link.click()
            check = page.locator(f"#{target}")
            assert check.evaluate("d => d.open") and check.is_visible()
            box = check.bounding_box()
            assert box is not None and 0 <= box["y"] < 900, (target, box)
        assert problems == []
    finally:
        context.close()


def test_filters_show_what_they_say(browser: Any, failing_report: Path) -> None:
    context, page, problems = _open(browser, failing_report, 1366)
    try:
        total = page.locator("details.check").count()
        page.select_option("#f-status", "pass")
        shown = _visible_checks(page)
        assert shown and all(c["status"] == "pass" for c in shown)
        assert page.locator("#f-count").inner_text() == f"{len(shown)} of {total} shown"
        page.select_option("#f-status", "")
        page.select_option("#f-category", "drift")
        assert {c["category"] for c in _visible_checks(page)} == {"drift"}
        page.select_option("#f-category", "")
        page.fill("#f-text", "test_bad")
        assert [c["status"] for c in _visible_checks(page)] == ["fail"]
        page.fill("#f-text", "")
        page.select_option("#f-status", "")
        assert page.locator("#f-count").inner_text() == f"{total} of {total} shown"
        assert problems == []
    finally:
        context.close()


HOSTILE_TESTS = f"""
import pytest

@pytest.mark.mlops_model
@pytest.mark.parametrize("label", {list(HOSTILE_IDS)!r})
def test_hostile(mlops, label):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], metrics={{label: lambda t, p: 0.1}},
                        thresholds={{label: 0.5}})

@pytest.mark.parametrize("label", {list(HOSTILE_IDS)!r})
def test_plain(label):
    pass
"""


def test_pytest_html_report_runs_no_script_from_test_ids(browser: Any, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "test_hostile.py").write_text(HOSTILE_TESTS)
    for flags in ((), ("--mlops",)):
        name = f"page{len(flags)}.html"
        _run_pytest(folder, *flags, "--html", name, "--self-contained-html")
        context, page, _ = _open(browser, folder / name, 1366)
        dialogs: list[str] = []

        def on_dialog(dialog: Any, seen: list[str] = dialogs) -> None:
            seen.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        try:
            page.reload()
            page.wait_for_selector(".col-testId")
            page.wait_for_timeout(500)
            ids = page.locator("td.col-testId").all_inner_texts()
            assert any(HOSTILE_IDS[0] in text for text in ids), ids
            page.evaluate("document.querySelectorAll('.collapsible').forEach(r => r.click())")
            page.wait_for_timeout(300)
            assert dialogs == [], (flags, dialogs)
            assert page.locator("img[src='x'], svg[onload]").count() == 0
            page.screenshot(path=str(tmp_path / f"pytest-html{len(flags)}.png"), full_page=True)
        finally:
            context.close()
