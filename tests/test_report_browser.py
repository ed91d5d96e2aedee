"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright's Python
package pointed at /usr/bin/chromium (never a downloaded browser; `.ci/run` installs the package).

Each page must load with no console error and no network request, show every claim card and every
finding, filter as the controls say, keep patient data masked, and draw the raw segments with the
element at fault highlighted. The sample's screenshots are written to build/test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO, read_expected
from edi_lint.cli import main

ARTIFACTS = Path(os.environ.get("EDI_LINT_ARTIFACTS", REPO / "build" / "test-artifacts"))


def chromium_path() -> str | None:
    found = os.environ.get("EDI_LINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return found if os.path.isfile(found) and os.access(found, os.X_OK) else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian's chromium package is not installed (.ci/run installs it with apt-get; "
                    "set EDI_LINT_CHROMIUM to use another Chromium executable)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # a test dependency; only a broken install lacks it
        pytest.skip(f"the playwright package cannot be imported: {error}")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh profile: nothing carried over
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, viewport={"width": 1280, "height": 900},
            args=["--no-sandbox", "--disable-background-networking", "--no-first-run"])
        yield context
        context.close()


class Page:
    """A report opened in the browser, with every console message and request it caused."""

    def __init__(self, context, path: Path):
        self.page = page = context.new_page()
        self.console: list[tuple[str, str]] = []
        self.requests: list[str] = []
        page.on("console", lambda message: self.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.console.append(("pageerror", str(error))))
        page.on("request", lambda request: self.requests.append(request.url))
        self.url = path.resolve().as_uri()
        page.goto(self.url)

    def visible_cards(self) -> list[str]:
        return self.page.eval_on_selector_all("#cards > .claim:not([hidden])",
                                              "cards => cards.map(c => c.querySelector('h3').textContent)")

    def visible_findings(self) -> list[tuple[str, str]]:
        return [tuple(pair) for pair in self.page.eval_on_selector_all(
            "#cards .finding:not([hidden])",
            "items => items.map(li => [li.closest('.claim').querySelector('h3').textContent, li.dataset.rule])")]

    def assert_quiet(self) -> None:
        assert [m for m in self.console if m[0] in ("error", "pageerror", "warning")] == []
        assert self.requests == [self.url]  # the page itself, nothing else


def report(tmp_path: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> Path:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, [*map(str, inputs), "--format", "html", "-o", str(out), *extra],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return out


def test_sample_report_in_chromium(browser, tmp_path):
    page = Page(browser, report(tmp_path, FIXTURES / "sample.837"))
    expected = read_expected(FIXTURES / "sample.837.expected")
    assert sorted(page.visible_cards()) == sorted({claim for _, claim, _ in expected})
    assert sorted(page.visible_findings()) == sorted((claim, rule) for rule, claim, _ in expected)
    assert "•••" in page.page.inner_text("#cards")  # the patient's name and member id, masked

    # The filter: one rule, then no errors at all, then everything again.
    page.page.select_option("#rule", "PT002")
    assert sorted(page.visible_cards()) == ["SAMPLE-HOSPITAL-POS", "SAMPLE-RENDERING-PTA"]
    assert {rule for _, rule in page.visible_findings()} == {"PT002"}
    page.page.uncheck("input[name=sev][value=error]")
    assert page.visible_cards() == [] and page.page.is_visible("#empty")
    page.page.check("input[name=sev][value=error]")
    page.page.select_option("#rule", "")
    assert len(page.visible_cards()) == 3 and len(page.visible_findings()) == len(expected)
    page.page.fill("#q", "hospital")
    assert page.visible_cards() == ["SAMPLE-HOSPITAL-POS"]
    page.page.fill("#q", "")

    # --explain on demand, and the raw segments with the element at fault highlighted.
    first = page.page.locator("#cards > .claim").first
    assert first.locator("h3").text_content() == "SAMPLE-GO-MODIFIER"
    first.locator("details.explain summary").first.click()
    first.locator("details.explain p.summary").wait_for()  # filled in on the toggle event
    assert "GP therapy modifier" in first.locator("details.explain").first.inner_text()
    first.locator("details.raw summary").click()
    first.locator(".raw-body table").wait_for()
    hits = first.locator(".raw-body .hit")
    assert hits.count() == 1 and hits.first.text_content() == "(empty)"  # SV101-4: where GP belongs
    assert "SV101-4 Procedure Modifier 2: PT001" in first.locator(".raw-body .hit-note").text_content()
    assert "Service Line Number" in first.locator(".raw-body").inner_text()
    hospital = page.page.locator("#cards > .claim", has_text="SAMPLE-HOSPITAL-POS")
    hospital.locator("details.raw summary").click()
    hospital.locator(".raw-body table").wait_for()
    assert hospital.locator(".raw-body .hit").text_content() == "22"  # CLM05-1

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "sample-report-full.png"), full_page=True)
    # The README's picture: the run header, the file and the first claim with its explanation open.
    page.page.screenshot(path=str(ARTIFACTS / "sample-report.png"), full_page=True,
                         clip={"x": 0, "y": 0, "width": 1280, "height": 1900})
    assert (ARTIFACTS / "sample-report.png").stat().st_size > 10_000
    page.assert_quiet()


def test_patient_data_stays_masked_in_the_browser(browser, tmp_path):
    from test_phi import PHI, with_phi

    source = tmp_path / "phi.837"
    source.write_text(with_phi((FIXTURES / "patient_loop.837").read_text()))
    page = Page(browser, report(tmp_path, source))
    page.page.eval_on_selector_all("details", "boxes => boxes.forEach(b => { b.open = true; })")
    page.page.wait_for_function("document.querySelectorAll('.raw-body table').length > 0")
    text = page.page.inner_text("body") + page.page.content()
    assert "•••" in text
    assert [value for value in PHI if value in text] == []
    page.assert_quiet()


def test_many_claims_are_paged(browser, tmp_path):
    from test_bench_generator import gen

    source = tmp_path / "many.837"
    gen.generate_file(str(source), 260, seed=3)
    page = Page(browser, report(tmp_path, source))
    assert len(page.visible_cards()) == 50
    assert page.page.text_content("#count") == "Claims 1–50 of 260"
    first_page = page.visible_cards()
    page.page.click(".pager .next >> nth=0")
    assert page.page.text_content("#count") == "Claims 51–100 of 260"
    assert set(page.visible_cards()).isdisjoint(first_page)
    page.page.uncheck("input[name=sev][value=clean]")
    with_findings = int(page.page.text_content("#count").split(" of ")[1].split()[0])
    assert 0 < with_findings < 260
    page.assert_quiet()


def test_corpus_report_in_chromium(browser, tmp_path, corpus):
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.name != "SOURCES.md")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, [*map(str, files), "--format", "html", "-o", str(out), "--select", "ALL", "-qq"],
                                catch_exceptions=False)
    assert result.exit_code == 2  # refused files among them
    page = Page(browser, out)
    assert len(page.visible_cards()) == 50  # the first page of the corpus's claims
    page.page.eval_on_selector_all("details", "boxes => boxes.forEach(b => { b.open = true; })")
    page.page.wait_for_function("document.querySelectorAll('.raw-body table').length === 50")
    page.assert_quiet()
