"""hailong.numbers.themes: theme coding, counts with disclosure control, redaction of quotes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hailong.core.errors import ConfigError
from hailong.numbers import themes
from hailong.reference.config import PROJECT_ROOT

BOOK = themes.load_themes(PROJECT_ROOT / "data" / "reference" / "themes.yaml")

SMALL_YAML = """\
themes:
  - {id: von, vi: "Vốn", en: "Capital", keywords: [vốn, "Lãi  suất"]}
  - {id: ao, vi: "Ao", en: "Ponds", keywords: [ao]}
  - {id: thuy_loi, vi: "Thủy lợi", en: "Irrigation", keywords: [thuỷ lợi]}
other: {id: khac, vi: "Khác", en: "Other"}
redaction:
  titles: [anh, chị, giám đốc]
  organisation_prefixes: [htx, hợp tác xã, quỹ tín dụng nhân dân, qtdnd]
"""


@pytest.fixture()
def small(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    return themes.load_themes(path)


# ----------------------------------------------------------------------- dictionary


def test_project_dictionary_has_the_themes_of_the_survey():
    for tid in ("von", "dat_dai", "thu_tuc", "dao_tao", "thi_truong", "chuyen_doi_so",
                "ha_tang", "gia_vat_tu"):
        assert tid in BOOK.ids
    assert BOOK.ids[-1] == "khac"
    assert BOOK.label("dat_dai") == "Đất đai, mặt bằng"
    assert BOOK.label("von", "en") == "Capital and credit"


def test_keywords_are_kept_in_matching_form(small):
    assert small.themes[0].keywords == ("vốn", "lãi suất")
    assert small.titles == ("anh", "chị", "giám đốc")


def test_dictionary_mistakes_are_config_errors(tmp_path):
    with pytest.raises(ConfigError):
        themes.load_themes(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - {id: x, vi: X}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        themes.load_themes(bad)
    assert err.value.file.endswith("bad.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("themes: []\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        themes.load_themes(empty)


# ----------------------------------------------------------------------- coding


def test_coding_ignores_case_tone_placement_spacing_and_punctuation(small):
    assert themes.code_themes("THỦY LỢI xuống cấp; LÃI SUẤT cao", small) == ["von", "thuy_loi"]
    assert themes.code_themes("Kênh thuỷ  lợi", small) == ["thuy_loi"]
    assert themes.code_themes("lãi-suất", small) == ["von"]


def test_coding_matches_whole_words_only(small):
    # "ao" is a word of its own in "ao cá", not inside "bao tiêu" or "cao"
    assert themes.code_themes("bao tiêu sản phẩm giá cao", small) == ["khac"]
    assert themes.code_themes("thiếu ao cá", small) == ["ao"]


def test_empty_answers_have_no_theme_and_others_are_other(small):
    assert themes.code_themes("", small) == []
    assert themes.code_themes("   ...  ", small) == []
    assert themes.code_themes(None, small) == []
    assert themes.code_themes(np.nan, small) == []
    assert themes.code_themes("Không có ý kiến gì thêm", small) == ["khac"]


def test_project_dictionary_codes_typical_answers():
    assert themes.code_themes("Khó tiếp cận nguồn vốn vay ưu đãi, thủ tục vay vốn còn phức "
                              "tạp.", BOOK) == ["von", "thu_tuc"]
    assert themes.code_themes("Ban quản trị không sử dụng thành thạo điện thoại thông minh",
                              BOOK) == ["chuyen_doi_so"]
    assert "ha_tang" in themes.code_themes("Kênh mương nội đồng xuống cấp", BOOK)
    assert "gia_vat_tu" in themes.code_themes("Giá phân bón tăng cao", BOOK)


# ----------------------------------------------------------------------- redaction

PHONES = ["0900 844 843", "0900.844.843", "0900-844-843", "0900844843", "+84 900 844 843",
          "+84900844843", "(+84) 900 844 843", "84 900 844 843", "0225 3841 234",
          "0225.3841.234"]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_in_vietnamese_formats_are_removed(small, phone):
    red = themes.Redactor(small)
    assert red(f"Liên hệ {phone} để biết thêm.") == "Liên hệ [số điện thoại] để biết thêm."


def test_numbers_that_are_not_phones_stay(small):
    red = themes.Redactor(small)
    text = "Năm 2023 sau dịch Covid-19, vay 1.500.000.000 đồng, 0,5 ha, 12 thành viên."
    assert red(text) == text


def test_email_addresses_are_removed(small):
    red = themes.Redactor(small)
    assert red("Gửi về htx0253@example.com hoặc nguyen.van.a+hp@mail.gov.vn nhé") == (
        "Gửi về [email] hoặc [email] nhé")


def test_names_from_the_data_are_removed_in_any_case_or_tone_placement(small):
    red = themes.Redactor(small, people=["Nguyễn Văn Hòa", "Lê Thị Dung"])
    assert red("Ông nguyễn văn hoà đã đề nghị") == "Ông [họ tên] đã đề nghị"
    assert red("LÊ THỊ DUNG phụ trách") == "[họ tên] phụ trách"


def test_a_name_after_a_title_is_removed_but_ordinary_words_stay(small):
    red = themes.Redactor(small)
    assert red("Cần hỗ trợ gấp, đề nghị liên hệ anh Long 0900 844 843.") == (
        "Cần hỗ trợ gấp, đề nghị liên hệ anh [họ tên] [số điện thoại].")
    assert red("Giám đốc Đỗ Văn Khánh (ĐT 0900 523 303) đã đề nghị.") == (
        "Giám đốc [họ tên] (ĐT [số điện thoại]) đã đề nghị.")
    assert red("Giám đốc HTX đã đề nghị; anh em xã viên đồng tình.") == (
        "Giám đốc HTX đã đề nghị; anh em xã viên đồng tình.")


def test_the_cooperative_s_own_name_is_removed_with_any_prefix(small):
    red = themes.Redactor(small, organisations=["HTX Dịch vụ nông nghiệp Hòa Bình",
                                                "Quỹ tín dụng nhân dân Minh Đức",
                                                "HTX Nông nghiệp"])
    assert red("Hợp tác xã Dịch vụ nông nghiệp Hoà Bình kiến nghị hỗ trợ.") == (
        "[tên HTX] kiến nghị hỗ trợ.")
    assert red("QTDND Minh Đức đề nghị") == "[tên HTX] đề nghị"
    assert red("htx dịch vụ nông nghiệp hòa bình") == "[tên HTX]"
    # a name without a proper noun is only removed whole ("HTX Nông nghiệp"), never the
    # common words "nông nghiệp" of an ordinary sentence
    assert red("Sản xuất nông nghiệp gặp khó; HTX Nông nghiệp đề nghị") == (
        "Sản xuất nông nghiệp gặp khó; [tên HTX] đề nghị")


def test_quotes_are_shown_literally():
    assert themes.quote_html("<b>vốn</b> & đất") == "&lt;b&gt;vốn&lt;/b&gt; &amp; đất"
    assert themes.quote_markdown("**vốn** [x](y)") == "\\*\\*vốn\\*\\* \\[x\\]\\(y\\)"


def test_sentences_split_lists_and_clauses():
    assert themes.sentences("1. Thiếu vốn. 2. Thủ tục rườm rà; đất chật") == [
        "Thiếu vốn.", "Thủ tục rườm rà", "đất chật"]
    assert themes.sentences("") == []


# ----------------------------------------------------------------- counts and quotes


def _answers() -> pd.DataFrame:
    # unit A: 6 respondents, 5 mention capital, 2 irrigation, 1 writes nothing;
    # unit B: 6 respondents, 5 capital, 5 irrigation; unit C: 2 respondents, capital.
    a = ["Thiếu vốn", "thiếu vốn; thủy lợi kém", "Lãi suất cao", "vốn ít", "vốn, thuỷ lợi", ""]
    b = ["vốn và thủy lợi"] * 5 + ["ý kiến khác"]
    c = ["vốn", "vốn"]
    return pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6 + ["C"] * 2, "Q": a + b + c})


def test_theme_counts_per_unit_and_city_with_disclosure_control(small):
    t = themes.theme_counts(_answers(), ["Q"], small, ["A", "B", "C"], min_n=3).set_index(
        ["unit", "theme"])
    # B: 6 answered, capital 5 (shown), share 5/6
    assert t.loc[("B", "von"), ["respondents", "answered"]].tolist() == [5, 6]
    assert t.loc[("B", "von"), "share"] == pytest.approx(5 / 6)
    # A: 5 answered; irrigation 2 (< 3): withheld
    assert t.loc[("A", "thuy_loi"), "suppressed"]
    assert t.loc[("A", "thuy_loi"), "suppression"] == "primary"
    assert np.isnan(t.loc[("A", "thuy_loi"), "respondents"])
    assert t.loc[("A", "thuy_loi"), "answered"] == 5
    # C: only 2 answered (< 3): its counts are withheld; the capital column then has one
    # withheld cell, so the smallest other count (A's 5 and B's 5 tie: A, listed first)
    # is withheld too
    assert t.loc[("C", "von"), "suppression"] == "primary"
    assert t.loc[("C", "von"), "answered"] == 2
    assert t.loc[("A", "von"), "suppression"] == "secondary"
    # irrigation: A withheld (2) -> B (5) withheld too, else city 7 - 5 = 2 gives A away
    assert t.loc[("B", "thuy_loi"), "suppression"] == "secondary"
    # the city counts everyone
    assert t.loc[("city", "von"), ["respondents", "answered"]].tolist() == [12, 13]
    assert t.loc[("city", "thuy_loi"), "respondents"] == 7
    assert t.loc[("city", "khac"), "suppressed"]          # 1 respondent
    # zero counts are shown as 0, not withheld
    assert t.loc[("B", "ao"), "respondents"] == 0 and not t.loc[("B", "ao"), "suppressed"]


def test_no_withheld_count_follows_from_the_city_total(small):
    t = themes.theme_counts(_answers(), ["Q"], small, ["A", "B", "C"], min_n=3)
    for theme, rows in t.groupby("theme"):
        units = rows[rows["unit"] != "city"]
        hidden = units["suppressed"] & (units["answered"] > 0)
        city_hidden = bool(rows.loc[rows["unit"] == "city", "suppressed"].iloc[0])
        assert hidden.sum() + city_hidden != 1, theme


def test_example_quotes_are_redacted_typical_and_not_repeated(small):
    answers = pd.DataFrame({"unit": ["A"] * 5, "Q": [
        "Thiếu vốn. Liên hệ anh Long 0900 844 843",
        "thiếu vốn",
        "Lãi suất vay cao quá",
        "Kênh thủy lợi hỏng, thiếu vốn sửa",
        "HTX Dịch vụ Hòa Bình thiếu vốn",
    ]})
    red = themes.Redactor(small, organisations=["HTX Dịch vụ Hòa Bình"])
    q = themes.example_quotes(answers, ["Q"], small, red, per_theme=2)
    von = q[q["theme"] == "von"]
    # "Thiếu vốn" written by two respondents comes first
    assert von["text"].iloc[0] == "Thiếu vốn." and von["respondents"].iloc[0] == 2
    assert set(q["unit"]) == {"city"}
    text = " ".join(q["text"])
    assert "0900" not in text and "Long" not in text and "Hòa Bình" not in text
    assert "khac" not in set(q["theme"])
    # each sentence quoted once across themes while others are left
    assert q["text"].map(themes.match_form).is_unique
