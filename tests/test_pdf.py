"""PDFs of the reports, checked with poppler (pdfinfo, pdftotext, pdffonts).

The real reports come from the build shared with test_browser.py (_built_sample.py);
the tests of a missing browser or Playwright start no browser.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from _built_sample import UNITS, sample_build
from _config import write_config
from hailong.cli import main
from hailong.numbers.pipeline import load_results
from hailong.present import fmt
from hailong.publish import pdf
from hailong.publish.pdf import PdfRenderer, PdfUnavailable, render_all
from hailong.run.build import BuildSummary, build

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
A4 = (595.0, 842.0)  # points (210 x 297 mm)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> BuildSummary:
    return sample_build(tmp_path_factory)


@pytest.fixture(scope="module")
def jobs(built):
    return {job.unit: job for job in built.built}


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(path)), re.M).group(1))


def text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text (pages ``first``..``last``), runs of white space made one space."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return " ".join(run("pdftotext", *pages, str(path), "-").split())


def pages_text(path: Path) -> list[str]:
    return [text(path, k, k) for k in range(1, page_count(path) + 1)]


# ----------------------------------------------------------------------- real reports

def test_every_built_report_has_a_pdf_and_the_step_is_timed(built, jobs):
    assert not built.failures
    assert sorted(jobs) == sorted(UNITS)
    assert sorted(built.pdf.made) == sorted(job.pdf for job in jobs.values())
    assert built.pdf.unavailable is None and built.pdf.failed == []
    assert built.pdf.seconds > 0 and built.pdf.per_report == built.pdf.seconds / len(UNITS)
    for job in jobs.values():
        assert job.pdf.read_bytes()[:5] == b"%PDF-"
    # no temporary file is left beside them
    assert not [p for p in built.out_dir.iterdir() if p.name.startswith(".")]


def test_every_page_is_a4_portrait(jobs):
    for job in jobs.values():
        n = page_count(job.pdf)
        sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts",
                           run("pdfinfo", "-f", "1", "-l", str(n), str(job.pdf)))
        assert len(sizes) == n
        for w, h in sizes:
            assert abs(float(w) - A4[0]) <= 1 and abs(float(h) - A4[1]) <= 1


def test_page_counts(jobs):
    # a district: cover, summary + key figures + contents, charts and tables, the method
    assert page_count(jobs["311"].pdf) >= 4
    # the island district has no figures: a cover and a few pages of text
    assert 2 <= page_count(jobs["318"].pdf) < page_count(jobs["311"].pdf)


def test_text_has_the_exact_vietnamese_title_and_unit_name(jobs):
    for job in jobs.values():
        assert job.title in text(job.pdf)
    assert "Báo cáo chỉ số hài lòng của HTX – Huyện Thuỷ Nguyên – Năm 2022" in text(
        jobs["311"].pdf)
    assert "Huyện Bạch Long Vĩ" in text(jobs["318"].pdf)
    city = text(jobs["city"].pdf)
    for name in ("Thuỷ Nguyên", "Kiến Thuỵ", "Bạch Long Vĩ", "Hồng Bàng", "Tiên Lãng"):
        assert name in city


def test_cover_names_organisation_title_unit_round_and_data_date(jobs):
    results = load_results(2022)
    data_date = fmt.date(results.meta["data_date"], "vi")  # e.g. 19/05/2023
    job = jobs["311"]
    cover = text(job.pdf, 1, 1)
    # the issuing body of the official heading names the organisation (data/hailong.yaml)
    for part in ("LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG", job.title,
                 "Huyện Thuỷ Nguyên", "Năm 2022", data_date):
        assert part in cover, part
    assert "Trang" not in cover  # no page number on the cover
    assert cover.count(job.title) == 1  # nor the running title (only the title itself)
    assert "Liên minh Hợp tác xã thành phố Hải Phòng" not in cover  # nor the footer


def test_pages_after_the_cover_are_numbered_with_a_running_title(jobs):
    job = jobs["311"]
    pages = pages_text(job.pdf)
    n = len(pages)
    for k, page in enumerate(pages[1:], start=2):
        assert f"Trang {k}/{n}" in page
        assert job.title in page
        assert "Liên minh Hợp tác xã thành phố Hải Phòng" in page


def test_fonts_are_embedded(jobs):
    for job in jobs.values():
        rows = run("pdffonts", str(job.pdf)).splitlines()[2:]
        assert rows, "no font listed"
        names = []
        for row in rows:
            cols = row.split()
            # name, type (1-2 words), encoding, emb, sub, uni, object, id
            assert cols[-5] == "yes", row
            names.append(cols[0])
        assert any("NotoSans" in name for name in names)


def test_no_chart_is_cut_across_pages(jobs):
    # Charts are vector drawings (SVG) with real text: a chart's title (its alt text) is
    # its first line and its source line ("Nguồn: ...") its last. A chart cut by a page
    # break would leave its title on one page and its source line on the next.
    from bs4 import BeautifulSoup

    for job in jobs.values():
        soup = BeautifulSoup(job.html.read_text(encoding="utf-8"), "html.parser")
        # (the alternative text is the title, then ": " and the chart's main numbers)
        titles = [" ".join(img["alt"].split(": ")[0].split())
                  for img in soup.select("figure.chart img")]
        assert titles or job.unit == "318"  # (Bạch Long Vĩ: figures withheld, no chart)
        assert "Nguồn" not in soup.get_text()  # only the charts carry source lines
        pages = pages_text(job.pdf)
        found = 0
        for k, page in enumerate(pages, start=1):
            on_page = sum(page.count(t) for t in titles)
            assert on_page == page.count("Nguồn: "), (job.unit, k)
            found += on_page
        assert found == len(titles), job.unit


def _row_labels(table) -> list[str]:
    """The first two words of the header cells and of each row's first cell (text only)."""
    cells = [*table.select("thead th"), *(tr.find(["td", "th"]) for tr in table.select("tbody tr"))]
    words = [" ".join(c.get_text(" ", strip=True).split()[:2]) for c in cells if c is not None]
    return [w for w in words if re.search(r"[^\W\d_]", w)]


def test_tables_are_not_cut_across_pages(jobs):
    from bs4 import BeautifulSoup

    checked = 0
    for job in jobs.values():
        pages = pages_text(job.pdf)
        soup = BeautifulSoup(job.html.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("main table"):
            labels = _row_labels(table)
            # the page holding most of the table holds all of it: header and every row
            best = max(pages, key=lambda p: sum(label in p for label in labels))
            missing = [label for label in labels if label not in best]
            assert not missing, (job.unit, labels[0], missing)
            checked += 1
    assert checked >= 3  # the key figures and the area tables at least


def test_method_section_starts_a_page(jobs):
    job = jobs["311"]
    heading = fmt.t("sec_method", "vi")
    # below the running title, the page begins with the method's heading
    starts = [k for k, p in enumerate(pages_text(job.pdf))
              if p.startswith(f"{job.title} {heading}")]
    assert len(starts) == 1 and starts[0] >= 2


def test_render_one_page_and_refuse_the_network(tmp_path):
    page = tmp_path / "a.html"
    page.write_text('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
                    '<link rel="stylesheet" href="https://example.org/x.css"></head><body>'
                    '<p>Thuỷ Nguyên</p><img src="http://example.org/x.png" alt=""></body></html>',
                    encoding="utf-8")
    with PdfRenderer() as renderer:
        out = renderer.render(page)
    assert out == tmp_path / "a.pdf" and text(out) == "Thuỷ Nguyên"
    assert sorted(renderer.blocked) == ["http://example.org/x.png", "https://example.org/x.css"]


def test_contents_are_printed_with_the_pages_of_their_sections(tmp_path):
    # contents on page 1; section A starts page 2, B page 3 (forced breaks), C on page 3
    # under B; the HTML file keeps plain links
    page = tmp_path / "toc.html"
    source = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>'
              ".brk { break-before: page; }</style></head><body>"
              '<nav class="toc"><ol><li><a href="#a">Mục A</a></li><li><a href="#b">Mục B</a>'
              '</li><li><a href="#c">Mục C</a></li></ol></nav>'
              '<section id="a" class="brk"><h2>Mục A</h2></section>'
              '<section id="b" class="brk"><h2>Mục B</h2></section>'
              '<section id="c"><h2>Mục C</h2></section></body></html>')
    page.write_text(source, encoding="utf-8")
    # the same sections, B without its break: other pages, with the same browser tab
    other = tmp_path / "other.html"
    other.write_text(source.replace('id="b" class="brk"', 'id="b"'), encoding="utf-8")
    with PdfRenderer() as renderer:
        out = renderer.render(page)
        again = renderer.render(page, tmp_path / "again.pdf")
        moved = renderer.render(other)
    assert page_count(out) == 3
    for printed in (out, again):
        assert re.findall(r"Mục ([ABC])\s*(\d+)", text(printed, 1, 1)) == [
            ("A", "2"), ("B", "3"), ("C", "3")]
    assert re.findall(r"Mục ([ABC])\s*(\d+)", text(moved, 1, 1)) == [
        ("A", "2"), ("B", "2"), ("C", "2")]
    assert page.read_text(encoding="utf-8") == source


def _paged_toc_page(tmp_path: Path) -> Path:
    """A page with an A4 ``@page`` box in mm, a cover on a page of its own, a forced break
    and a section long enough to run onto the next page: contents on page 2 (after the
    cover), A on 3, B on 4 (forced), C on 5 (after B's 60 paragraphs)."""
    page = tmp_path / "paged.html"
    filler = "".join(f"<p>Đoạn {k}: số liệu của năm khảo sát.</p>" for k in range(60))
    page.write_text(
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 20mm 17mm 20mm; } @page cover { margin: 0; }"
        ".cover { page: cover; height: 296mm; break-after: page; margin: 0; box-sizing: border-box;"
        " overflow: hidden; }"
        "body { margin: 0; } .brk { break-before: page; } p { margin: 0 0 6mm; }"
        '</style></head><body><header class="cover"><h1>Báo cáo</h1></header>'
        '<nav class="toc"><ol><li><a href="#a">Mục A</a></li><li><a href="#b">Mục B</a>'
        '</li><li><a href="#c">Mục C</a></li></ol></nav>'
        '<section id="a" class="brk"><h2>Mục A</h2></section>'
        f'<section id="b" class="brk"><h2>Mục B</h2>{filler}</section>'
        '<section id="c"><h2>Mục C</h2></section></body></html>', encoding="utf-8")
    return page


def test_contents_pages_worked_out_before_printing_need_one_printing(tmp_path):
    page = _paged_toc_page(tmp_path)
    with PdfRenderer() as renderer:
        out = renderer.render(page)
    pages = pdf.contents_pages(out)
    assert [pages[k] for k in "abc"] == [3, 4, pages["c"]] and pages["c"] > 4
    assert re.findall(r"Mục ([ABC])\s*(\d+)", text(out, 2, 2)) == [
        ("A", "3"), ("B", "4"), ("C", str(pages["c"]))]
    assert renderer.reprinted == 0


def test_a_wrong_guess_is_printed_again_with_the_pdfs_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "_GUESS", "() => ({a: 7, b: 8, c: 9})")
    page = _paged_toc_page(tmp_path)
    with PdfRenderer() as renderer:
        out = renderer.render(page)
    pages = pdf.contents_pages(out)
    assert re.findall(r"Mục ([ABC])\s*(\d+)", text(out, 2, 2)) == [
        ("A", "3"), ("B", "4"), ("C", str(pages["c"]))]
    assert renderer.reprinted == 1


def test_the_sample_reports_contents_are_right_at_the_first_printing(jobs, tmp_path):
    """The pages worked out in the tab are those of the PDF for the reports themselves
    (else every report would be printed twice)."""
    with PdfRenderer() as renderer:
        for job in jobs.values():
            renderer.render(job.html, tmp_path / job.pdf.name)
    assert renderer.reprinted == 0


# -------------------------------------------------------------- missing dependencies

def test_missing_browser_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENV_VAR, str(tmp_path / "no-such-chromium"))
    reason = pdf.missing()
    assert f"{pdf.ENV_VAR}={tmp_path / 'no-such-chromium'} is not a file" in reason
    assert "sudo apt-get install chromium fonts-noto-core fonts-dejavu-core" in reason
    assert "hailong build --no-pdf" in reason
    with pytest.raises(PdfUnavailable, match="apt-get install chromium"):
        PdfRenderer().open()
    with pytest.raises(PdfUnavailable, match="does not exist"):
        PdfRenderer(tmp_path / "nope").open()
    batch = render_all([(tmp_path / "a.html", tmp_path / "a.pdf")])
    assert batch.made == [] and "apt-get install chromium" in batch.unavailable


def test_missing_playwright_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    reason = pdf.missing()
    assert "playwright" in reason and "make env" in reason


_config = write_config


def test_without_a_browser_the_html_is_built_and_old_pdfs_go(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENV_VAR, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "out"
    (out / "2022").mkdir(parents=True)
    stale = out / "2022" / "303.pdf"
    stale.write_bytes(b"%PDF- from an earlier build")
    summary = build(units=["303"], out=out, config_path=_config(tmp_path),
                    prepare=lambda **kw: None, notebooks=NOTEBOOKS, progress=False, pdf=True)
    assert summary.failures == [] and (out / "2022" / "303.html").is_file()
    assert "apt-get install chromium" in summary.pdf.unavailable
    assert not stale.exists()  # older than the new page: removed, not linked
    assert "303.pdf" not in (out / "2022" / "index.html").read_text(encoding="utf-8")


def test_cli_builds_pdfs_unless_told_not_to_and_warns_without_a_browser(monkeypatch, capsys):
    import hailong.run.build
    from hailong.publish.pdf import PdfBatch

    calls = []

    def fake_build(**kw):
        calls.append(kw)
        batch = PdfBatch(unavailable="The PDF step needs Chromium. Install: sudo apt-get "
                                     "install chromium") if kw["pdf"] else None
        return BuildSummary(index=Path("index.html"), pdf=batch)

    monkeypatch.setattr(hailong.run.build, "build", fake_build)
    assert main(["build", "--no-progress"]) == 0
    assert calls[-1]["pdf"] is True
    err = capsys.readouterr().err
    assert "warning: no PDF made. The PDF step needs Chromium." in err
    assert "Traceback" not in err
    assert main(["build", "--no-pdf", "--no-progress"]) == 0
    assert calls[-1]["pdf"] is False
    assert "PDF" not in capsys.readouterr().err


# ------------------------------------------------------- the official form, print (issue 15)

def test_official_heading_and_draft_mark_on_page_1(jobs):
    for job in jobs.values():
        first = text(job.pdf, 1, 1)
        for part in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "LIÊN MINH HTX VIỆT NAM", "Hải Phòng, ngày 15 tháng 6 năm 2023",
                     "/BC-LMHTX", "DỰ THẢO"):
            assert part in first, (job.unit, part)
        assert ("Số: 15/BC-LMHTX" in first) == (job.unit == "city")  # numbered in the config
        # the recipients and the signer close the body, on a page of the document
        assert any("Nơi nhận:" in p and "CHỦ TỊCH" in p for p in pages_text(job.pdf))


def _toc_entries(pdf: Path, first: str) -> list[tuple[str, int]]:
    """(entry, page) of the contents, read from the printed contents page (two columns:
    a line reads "entry  page  entry  page"; the left column first), up to the heading of
    the first section (``first``) if it follows on that page."""
    pages = [run("pdftotext", "-layout", "-f", str(k), "-l", str(k), str(pdf), "-")
             for k in range(1, page_count(pdf) + 1)]
    page = next(p for p in pages if "Mục lục" in p)
    lines = page[page.index("Mục lục"):].splitlines()[1:]
    width = max(len(x) for x in lines)
    left, right = [], []
    for line in lines:
        if " ".join(line.split()) == first:
            break
        for m in re.finditer(r"(\S(?:.*?\S)?)\s{2,}(\d{1,3})(?=\s{2,}|\s*$)", line):
            column = right if m.start() > width / 3 else left  # where the entry starts
            column.append((m.group(1).strip(), int(m.group(2))))
    return left + right


def test_contents_give_the_page_each_section_begins_on(jobs):
    from bs4 import BeautifulSoup

    for job in jobs.values():
        soup = BeautifulSoup(job.html.read_text(encoding="utf-8"), "html.parser")
        listed = [a.get_text(" ", strip=True) for a in soup.select("nav.toc a")]
        assert soup.select(".toc-page") == []  # the HTML's contents stay links
        entries = _toc_entries(job.pdf, listed[0])
        assert len(entries) == len(listed), (job.unit, entries, listed)
        pages = [run("pdftotext", "-layout", "-f", str(k), "-l", str(k), str(job.pdf), "-")
                 for k in range(1, page_count(job.pdf) + 1)]
        for (printed, number), heading in zip(entries, listed):
            assert heading.startswith(printed), (printed, heading)
            # the heading is a line of its own on that page, and on no page before it
            lines = [" ".join(x.split()) for x in pages[number - 1].splitlines()]
            assert heading in lines or any(heading.startswith(x) and x for x in lines
                                           if len(x) > 8), (job.unit, heading, number)
            before = [" ".join(x.split()) for p in pages[1:number - 1] for x in p.splitlines()]
            assert heading not in before, (job.unit, heading)


def page_fills(pdf: Path, dpi: int = 20) -> list[float]:
    """How much of each page's text area (inside the 20 mm top and bottom margins, where
    the running title and page number are) is used: from the first to the last row with
    ink (text or drawing), as a share of its height."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as d:
        run("pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{d}/p")
        out = []
        for f in sorted(Path(d).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
            im = Image.open(f)
            w, h = im.size
            top, bottom = round(h * 20 / 297), round(h * 277 / 297)
            px = im.load()
            rows = [y for y in range(top, bottom) if any(px[x, y] < 200 for x in range(w))]
            out.append((rows[-1] - rows[0] + 1) / (bottom - top) if rows else 0.0)
    return out


def test_no_page_is_less_than_a_quarter_filled_but_a_section_end(jobs):
    for job in jobs.values():
        fills = page_fills(job.pdf)
        pages = pages_text(job.pdf)
        # the appendix starts a page: the page before it may be the body's short end
        appendix = next(k for k, p in enumerate(pages)
                        if p.startswith(f"{job.title} {fmt.t('sec_method', 'vi')}"))
        for k, fill in enumerate(fills):
            if k in (appendix - 1, len(fills) - 1):
                continue
            assert fill >= 0.25, (job.unit, k + 1, round(fill, 2))


def test_no_empty_last_page(jobs):
    for job in jobs.values():
        last = pages_text(job.pdf)[-1]
        n = page_count(job.pdf)
        rest = last.replace(job.title, "").replace(f"Trang {n}/{n}", "").replace(
            "Liên minh Hợp tác xã thành phố Hải Phòng", "")
        assert len(rest.split()) >= 20, (job.unit, last)
        assert page_fills(job.pdf)[-1] > 0.05


def test_body_before_the_appendix_has_no_jargon_and_one_decimal(jobs):
    for job in jobs.values():
        pages = pages_text(job.pdf)
        appendix = next(k for k, p in enumerate(pages)
                        if p.startswith(f"{job.title} {fmt.t('sec_method', 'vi')}"))
        body = " ".join(pages[:appendix])
        for word in ("Wilson", "Kish", "Cronbach", "Feldt", "SHA-256", "√", "±", ".csv",
                     "v1-draft"):
            assert word not in body, (job.unit, word)
        assert not re.findall(r"\d,\d\d(?!\d)", body), job.unit
        assert "Wilson" in " ".join(pages[appendix:]) or job.unit == "318"  # kept there


def test_ranges_do_not_break_across_lines(jobs):
    # "68,7–" at the end of a line and "71,7" on the next: never (a cell too narrow
    # widens instead)
    for job in jobs.values():
        page = run("pdftotext", "-layout", str(job.pdf), "-")
        assert not re.search(r"\d,\d–\s*$", page, re.M), job.unit
        assert not re.search(r"\d+ \(\d+–\s*$", page, re.M), job.unit
