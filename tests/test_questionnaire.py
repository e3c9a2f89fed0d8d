"""Printed questionnaires for the working group's visits (hailong.publish.questionnaire).

The PDFs are read back with poppler's ``pdftotext`` / ``pdfinfo`` / ``pdffonts`` and the
QR codes with zxing-cpp (a reader used only here), never with the code that wrote them.
Who is on the sheets is the follow-up list of the same day (tested in test_followup.py):
Tiên Lãng (315) has 14 cooperatives that had not answered by 16/05/2023 in the sample.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from hailong.core.errors import ParameterError
from hailong.numbers import coverage as cov
from hailong.publish import questionnaire as q
from hailong.publish.followup import followup_lists
from hailong.reference.codebook import load_codebook

pytestmark = pytest.mark.browser  # prints with the system's Chromium

UNIT = "315"  # Tiên Lãng
A4_PT = (595.0, 842.0)


def _text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


@pytest.fixture(scope="module")
def data():
    return cov.load_progress(2022)


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("q")
    return q.write_questionnaires(data, unit=UNIT, out=out), out


@pytest.fixture(scope="module")
def todo(data):
    return followup_lists(data, data.data_date)[UNIT]


def test_files_are_internal_pdfs_of_the_unit_and_the_blank_one(written):
    files, out = written
    assert set(files) == {UNIT, q.BLANK}
    internal = out / "2022" / "internal"
    assert files[UNIT] == internal / "phieu-khao-sat-315.pdf"
    assert files[q.BLANK] == internal / "phieu-khao-sat-trang.pdf"
    assert "NỘI BỘ" in _text(files[UNIT], 1)
    assert not any(p.suffix == ".pdf" for p in out.glob("2022/*.pdf"))  # nothing public


def test_one_sheet_per_cooperative_not_answered_with_its_header(written, todo):
    pdf = written[0][UNIT]
    assert len(todo) == 14
    pages = [_flat(_text(pdf, i)) for i in range(1, _pages(pdf) + 1)]
    firsts = [i for i, p in enumerate(pages) if "KHẢO SÁT MỨC ĐỘ HÀI LÒNG" in p]
    assert len(firsts) == len(todo)                       # one questionnaire each
    assert firsts[0] == 0 and len(pages) % len(todo) == 0  # the same pages for each
    for first, row in zip(firsts, todo.itertuples()):
        page = pages[first]
        assert row.coop_id in page and _flat(row.coop_name) in page
        assert "Tiên Lãng" in page and (row.commune or "") in page


def test_every_question_of_the_codebook_is_on_the_blank_sheet(written, data):
    text = _flat(_text(written[0][q.BLANK]))
    # a wrapped question's number may come out between its lines: read the texts apart
    numbers = set(re.findall(r"\b\d+(?:\.\d+)?\b", text))
    words = _flat(re.sub(r"\b\d+\.\d+\b", " ", text))
    book = data.codebook
    for item in (*book.items, book.overall, *book.open_questions):
        assert _flat(item.vi) in words and item.number in numbers, item.id
    # the answer boxes' headings wrap in their narrow columns: read them in the page
    page = written[0][q.BLANK].with_suffix(".html").read_text(encoding="utf-8")
    heads = re.findall(r'<th scope="col" class="box">([^<]+)</th>', page)
    assert heads == ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                     "Rất hài lòng", "Không ý kiến"]
    rows = len(book.items) + 1
    assert text.count("☐") == rows * len(heads) + 3  # + the 3 ways of the visit block
    # the questions asked of some variants only say whom they are for
    assert "(Chỉ dành cho: HTX nông nghiệp, HTX phi nông nghiệp)" in text
    assert "Phần dành cho tổ công tác" in text and "(Ký, ghi rõ họ tên)" in text


def test_a4_with_every_font_embedded(written):
    for pdf in written[0].values():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert abs(w - A4_PT[0]) < 1.5 and abs(h - A4_PT[1]) < 1.5
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True,
                               text=True).stdout.splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts


def test_the_qr_code_carries_the_round_and_the_cooperative(written, todo, tmp_path):
    import zxingcpp  # a test requirement (requirements.txt), used only here
    from PIL import Image

    pdf = written[0][UNIT]
    per_coop = _pages(pdf) // len(todo)
    for k in (0, len(todo) - 1):
        stem = tmp_path / f"p{k}"
        page = 1 + k * per_coop
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", str(page), "-l", str(page),
                        str(pdf), str(stem)], check=True)
        image = Image.open(next(tmp_path.glob(f"p{k}*.png")))
        found = [r.text for r in zxingcpp.read_barcodes(image)]
        assert found == [f"HAILONG:2022:{todo.iloc[k]['coop_id']}"]
        assert q.read_payload(found[0]) == (2022, todo.iloc[k]["coop_id"])


def test_a_cooperative_gets_the_questions_of_its_variant(data):
    book = data.codebook
    fund = q.Sheet(coop_id="HP-9", coop_name="Quỹ tín dụng nhân dân X", unit="Tiên Lãng",
                   variant="QTD")
    page = q.questionnaire_html(book, 2022, "Liên minh", [fund])
    asked = [i for i in book.items if "QTD" in i.variants]
    not_asked = [i for i in book.items if "QTD" not in i.variants]
    assert not_asked  # 7.3, 10.1 and 10.2 in codebook v1
    assert all(i.vi in page for i in asked)
    assert not any(i.vi in page for i in not_asked)
    assert "Chỉ dành cho" not in page  # said on the blank sheet only


def test_text_from_the_roster_is_escaped():
    book = load_codebook(Path("data/reference/codebook/codebook-v1.yaml"))
    page = q.questionnaire_html(book, 2022, "Liên minh",
                                [q.Sheet(coop_id="HP-1", coop_name="<script>x</script>&")])
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;&amp;" in page
    assert "default-src 'none'" in page  # and nothing it could load would run


def test_unknown_unit_is_refused(data):
    with pytest.raises(ParameterError, match="999"):
        q.sheets_to_print(data, unit="999")


def test_payload_round_trip_and_foreign_codes():
    assert q.qr_payload(2025, "HP-0012") == "HAILONG:2025:HP-0012"
    assert q.read_payload(" HAILONG:2025:HP-0012\n") == (2025, "HP-0012")
    assert q.read_payload("https://example.org") is None
    assert q.read_payload("HAILONG:25:HP-1") is None


def test_the_command_writes_the_units_sheets_and_says_where(tmp_path, capsys, monkeypatch):
    from hailong.cli import main

    monkeypatch.setenv("HAILONG_AUDIT", "off")
    assert main(["--lang", "vi", "questionnaire", "--unit", UNIT, "--out", str(tmp_path),
                 "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert "14 phiếu cho 1 đơn vị" in out and "Tiên Lãng: 14 phiếu" in out
    page = (tmp_path / "2022" / "internal" / "phieu-khao-sat-315.html").read_text("utf-8")
    assert page.count('<section class="sheet"') == 14
    assert main(["questionnaire", "--unit", "999", "--out", str(tmp_path)]) == 2
    assert "999" in capsys.readouterr().err
