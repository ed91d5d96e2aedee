"""The HTML report, read as a document: what each claim card says, the page's safety properties
(autoescaping, the Content-Security-Policy, nothing external), masking, and the API. What the page
does in a browser is tested in test_report_browser.py."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import pytest
from click.testing import CliRunner

import edi_lint
from conftest import FIXTURES, read_expected
from edi_lint.cli import main
from edi_lint.phi import masked_positions
from edi_lint.records import MASK
from edi_lint.x12.tokenizer import Delimiters, Segment


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def page_data(page: str, block: str = "report-data"):
    match = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', page, re.S)
    assert match, block
    return json.loads(match.group(1))


def claim(data: dict, claim_id: str) -> dict:
    found = [c for c in data["claims"] if c["id"] == claim_id]
    assert len(found) == 1, claim_id
    return found[0]


def cell(data: dict, value) -> list:
    """A cell as [text, note, fault]: cells without a note or fault are their text alone."""
    return [value, "", 0] if isinstance(value, str) else [value[0], data["notes"][value[1]], value[2]]


def fact(data: dict, card: dict, label: str) -> list:
    return next([label, *cell(data, f[1])] for f in card["facts"] if data["notes"][f[0]] == label)


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = run(str(FIXTURES / "sample.837"), "--format", "html", "-o", str(out))
    assert result.exit_code == 1  # the sample has errors
    return out.read_text("utf-8")


def test_every_claim_and_every_finding_of_the_sample(sample_page):
    data = page_data(sample_page)
    assert [c["id"] for c in data["claims"]] == ["SAMPLE-GO-MODIFIER", "SAMPLE-HOSPITAL-POS", "SAMPLE-RENDERING-PTA"]
    shown = {(f[1], c["id"], int(f[3].split()[1].strip(" ·")) if f[3].startswith("line ") else None)
             for c in data["claims"] for f in c["findings"]}
    assert shown == set(read_expected(FIXTURES / "sample.837.expected"))
    where = {(c["id"], f[1]): f[3] for c in data["claims"] for f in c["findings"]}
    assert where["SAMPLE-GO-MODIFIER", "PT001"] == "line 2 · Procedure Modifier 2 (SV101-4)"
    assert where["SAMPLE-HOSPITAL-POS", "PT002"] == "line 1 · Place of Service Code (CLM05-1)"
    assert data["files"] == [[]]  # no finding outside a claim


def test_claim_card_shows_what_a_biller_needs(sample_page):
    data = page_data(sample_page)
    card = claim(data, "SAMPLE-RENDERING-PTA")
    assert card["badges"] == [["error", "3 errors"]]
    assert fact(data, card, "Payer")[1:] == ["MERIDIAN MUTUAL HEALTH (payer id MMH01)", "PPO (SBR09 12)", 0]
    assert fact(data, card, "Claim charge")[1:] == ["$90.00", "CLM02", 0]
    total = fact(data, card, "Sum of the lines")
    assert total[1] == "$90.00" and total[2].startswith("✓ matches")
    assert fact(data, card, "Place of service")[1:] == ["11 Office", "CLM05-1 · loop 2300", 0]
    assert fact(data, card, "Dates of service")[1] == "2026-01-14 to 2026-01-19"
    billing, rendering = card["providers"]
    assert billing[0] == "Billing provider"
    assert cell(data, billing[2]) == ["1318720459", "NM109 · loop 2010AA Billing Provider Name", 0]
    assert cell(data, billing[3]) == ["225100000X Physical Therapist",
                                      "PRV03 · loop 2000A Billing Provider Hierarchical Level", 0]
    assert cell(data, rendering[2]) == ["1582047639", "NM109 · loop 2310B Rendering Provider Name", 0]
    assert card["dx"] == [[1, "M54.2", "lines 1, 2, 3", 1], [2, "M25.511", "no line points here", 0]]
    line1, line2, line3 = ([cell(data, c) for c in line["cells"]] for line in card["lines"])
    assert [line["hit"] for line in card["lines"]] == [0, 1, 1]
    assert line2[2][0] == "97026"
    assert line2[7] == ["1627590312 · 225200000X Physical Therapy Assistant",
                        "from loop 2420A Rendering Provider Name", 1]  # PT003 marks the rendering provider
    assert line3[3] == ["none", "", 1]  # no modifier: PT001 marks the modifiers
    assert line3[6] == ["12 Home", "on the line (SV105)", 1]  # PT002 marks the place of service
    assert not any(c[2] for c in line1)


def test_claims_with_findings_first_worst_first(tmp_path):
    out = tmp_path / "r.html"
    run(str(FIXTURES / "clean.837"), str(FIXTURES / "sample.837"), "--format", "html", "-o", str(out))
    data = page_data(out.read_text("utf-8"))
    worst = [c["worst"] for c in data["claims"]]
    assert worst[:3] == ["error"] * 3 and set(worst[3:]) == {""}
    assert len(worst) > 3


def test_raw_segments_with_names_and_marks(sample_page):
    data, raw = page_data(sample_page), page_data(sample_page, "raw-data")
    index = [c["id"] for c in data["claims"]].index("SAMPLE-HOSPITAL-POS")
    segments = raw["claims"][index]["segments"]
    clm = next(s for s in segments if s[3][0] == "CLM")
    assert clm[1] == "2300" and raw["loops"]["2300"] == "Claim Information"
    names = raw["names"][clm[2]]
    assert names[0] == "Claim Information" and names[1][1] == "Total Claim Charge Amount"
    assert names[2]["5"][0] == "Place of Service Code"
    assert raw["claims"][index]["marks"] == [[clm[0], 5, 1, "error", "PT002"]]  # CLM05-1
    ids = [s[3][0] for s in segments]
    assert ids[:2] == ["HL", "PRV"] and "NM1" in ids  # the billing and subscriber levels come first


def test_page_is_self_contained_with_a_strict_policy(sample_page):
    policy = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
                                     sample_page).group(1))
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy and "http" not in policy
    style = re.search(r"<style>(.*?)</style>", sample_page, re.S).group(1)
    script = re.findall(r"<script>(.*?)</script>", sample_page, re.S)
    assert len(script) == 1

    def digest(text):
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"style-src '{digest(style)}'" in policy
    assert f"script-src '{digest(script[0])}'" in policy
    assert not re.search(r"<(link|img|iframe|object|embed)\b", sample_page)
    assert not re.search(r"\s(src|href|style|on\w+)=", sample_page)  # no fetch, no inline style or handler
    assert "innerHTML" not in sample_page and "eval(" not in sample_page


def test_values_from_the_file_are_escaped(tmp_path):
    hostile = '<img src=x onerror=alert(1)>&"'
    text = (FIXTURES / "sample.837").read_text().replace("SAMPLE-GO-MODIFIER", hostile)
    (tmp_path / "h.837").write_text(text)
    out = tmp_path / "r.html"
    run(str(tmp_path / "h.837"), "--format", "html", "-o", str(out))
    page = out.read_text("utf-8")
    assert "<img" not in page
    assert hostile not in page  # neither in markup nor raw in the JSON blocks
    assert claim(page_data(page), hostile)["id"] == hostile  # and still shown as it is


def test_refused_files_and_the_split(tmp_path):
    (tmp_path / "not.837").write_text("hello, not X12")
    out = tmp_path / "r.html"
    run(str(tmp_path / "not.837"), "--format", "html", "-o", str(out))
    page = out.read_text("utf-8")
    assert "refused" in page and "not.837" in page
    result = run(str(FIXTURES / "sample.837"), "--accepted", str(tmp_path / "ok.837"), "--rejected",
                 str(tmp_path / "held.837"), "--format", "html", "-o", str(out))
    assert result.exit_code == 1
    page = out.read_text("utf-8")
    assert re.search(r'<span class="big">0</span> accepted', page)
    assert re.search(r'<span class="big">3</span> held back', page)
    assert {c["verdict"] for c in page_data(page)["claims"]} == {"held back"}


def test_file_level_findings_are_listed_with_their_file(tmp_path):
    out = tmp_path / "r.html"
    run(str(FIXTURES / "truncated.837"), "--format", "html", "-o", str(out))
    loose = page_data(out.read_text("utf-8"))["files"][0]
    assert [f[1] for f in loose] == ["ENV001"]


def test_jobs_give_the_same_page(tmp_path):
    files = [str(FIXTURES / n) for n in ("sample.837", "patient_loop.837", "multi_envelope.837")]
    one, two = tmp_path / "1.html", tmp_path / "2.html"
    run(*files, "--format", "html", "-o", str(one))
    run(*files, "--format", "html", "-o", str(two), "--jobs", "2")
    assert one.read_bytes() == two.read_bytes()


def test_api_renders_html_from_kept_claims():
    report = edi_lint.lint(FIXTURES / "sample.837", keep_claims=True)
    assert len(page_data(report.render("html"))["claims"]) == 3
    with pytest.raises(ValueError, match="keep_claims=True"):
        edi_lint.lint(FIXTURES / "sample.837").render("html")


def test_show_phi_unmasks_and_default_masks():
    masked = page_data(edi_lint.lint(FIXTURES / "sample.837", keep_claims=True).render("html"))
    shown = page_data(edi_lint.lint(FIXTURES / "sample.837", keep_claims=True, show_phi=True).render("html"))
    assert fact(masked, masked["claims"][0], "Patient")[1:3] == [MASK, f"member id {MASK}"]
    assert fact(shown, shown["claims"][0], "Patient")[1:3] == ["BRANNIGAN, TOBIAS", "member id MMH4410027"]


def segment(text: str, loop: str | None) -> Segment:
    seg = Segment(text.split("*"), 1, 0, (1, 0, "0001"), Delimiters("*", "^", ":", "~"))
    seg.loop = loop
    return seg


@pytest.mark.parametrize("text, loop, hidden", [
    ("NM1*IL*1*DOE*JANE****MI*123", "2010BA", (3, 4, 5, 6, 7, 9)),
    ("NM1*QC*1*DOE*JANE", "2010CA", (3, 4, 5, 6, 7, 9)),
    ("N3*1 MAIN ST", "2010CA", (1, 2)),
    ("DMG*D8*19800101*F", "2010BA", (2, 3)),
    ("NM1*IL*1*DOE*JOHN****MI*9", "2330A", (3, 4, 5, 6, 7, 9)),
    ("REF*EA*MRN77", "2300", (2,)),
    ("NTE*ADD*PATIENT SAYS", "2300", (1, 2)),
    ("FOO*BAR*BAZ", None, (1, 2)),  # a segment the guide has no place for
    ("NM1*85*2*CLINIC*****XX*1234567893", "2010AA", ()),  # a provider is not patient data
    ("NM1*PR*2*PAYER*****PI*P1", "2010BB", ()),
    ("REF*G1*PRIORAUTH", "2300", ()),
])
def test_masked_positions(text, loop, hidden):
    seg = segment(text, loop)
    assert masked_positions(seg.elements, seg.loop) == hidden


def test_segment_names_follow_the_qualifier():
    from edi_lint.x12.names import loop_name, segment_names

    assert segment_names("2400", ["DTP", "472", "D8", "20260101"], ":").name == "Date - Service Date"
    assert segment_names("2300", ["DTP", "431", "D8", "20260101"], ":").name.startswith("Date - Onset")
    assert segment_names("2420A", ["PRV", "PE", "PXC", "X"], ":").name == "Rendering Provider Specialty Information"
    assert segment_names("2300", ["ZZZ"], ":") is None
    assert loop_name("2010AA") == "Billing Provider Name"


def test_every_corpus_file_renders(corpus, tmp_path):
    files = sorted(str(p) for p in corpus.iterdir() if p.is_file() and p.name != "SOURCES.md")
    out = tmp_path / "corpus.html"
    result = run(*files, "--format", "html", "-o", str(out), "--select", "ALL", "-qq")
    assert result.exit_code == 2  # some corpus files are 4010, 835 ... and are refused, one line each
    page = out.read_text("utf-8")
    data, raw = page_data(page), page_data(page, "raw-data")
    report = edi_lint.lint(files, select="ALL")
    assert len(data["claims"]) == len(raw["claims"]) == sum(f.claims for f in report.files) > 40
    assert sum(len(c["findings"]) for c in data["claims"]) + sum(map(len, data["files"])) == len(report.findings)
    assert page.count('class="badge error">refused</span>') == sum(f.status == "error" for f in report.files)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_show_phi_on_the_command_line_reaches_every_worker(tmp_path, jobs):
    files = [str(FIXTURES / "sample.837"), str(FIXTURES / "patient_loop.837")]
    masked, shown = tmp_path / "masked.html", tmp_path / "shown.html"
    run(*files, "--format", "html", "-o", str(masked), "--jobs", jobs)
    run(*files, "--format", "html", "-o", str(shown), "--jobs", jobs, "--show-phi")
    masked_data, shown_data = page_data(masked.read_text("utf-8")), page_data(shown.read_text("utf-8"))
    patients = {fact(shown_data, c, "Patient")[1] for c in shown_data["claims"]}
    assert "BRANNIGAN, TOBIAS" in patients and MASK not in patients
    assert {fact(masked_data, c, "Patient")[1] for c in masked_data["claims"]} == {MASK}
    assert "This report shows patient data" in shown.read_text("utf-8")
    assert "BRANNIGAN" not in masked.read_text("utf-8")
