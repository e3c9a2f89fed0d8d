"""hailong.numbers.themes at scale: redaction rules worked by hand, and the indexed Redactor, theme
coding and text normalisation against straightforward reference implementations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from hailong.ingest.readers import normalize_text
from hailong.numbers import themes
from hailong.reference.config import PROJECT_ROOT

BOOK = themes.load_themes(PROJECT_ROOT / "data" / "reference" / "themes.yaml")
P, O = "[họ tên]", "[tên HTX]"  # noqa: E741 (the two redaction marks: person, organisation)


# ------------------------------------------------------------------ worked by hand


def test_names_at_the_start_and_the_end_of_a_text():
    red = themes.Redactor(BOOK, people=["Nguyễn Văn Hòa"], organisations=["HTX Cát Hải"])
    assert red("Nguyễn Văn Hòa đề nghị hỗ trợ") == f"{P} đề nghị hỗ trợ"
    assert red("Người đề nghị: Nguyễn Văn Hòa") == f"Người đề nghị: {P}"
    assert red("Nguyễn Văn Hòa") == P
    assert red("HTX Cát Hải thiếu vốn") == f"{O} thiếu vốn"
    assert red("Thiếu vốn: HTX Cát Hải.") == f"Thiếu vốn: {O}."


def test_overlapping_names_the_leftmost_then_the_longest_is_removed():
    red = themes.Redactor(BOOK, people=["Nguyễn Văn", "Nguyễn Văn An", "Văn An Bình"])
    # at "Nguyễn" two names start; the longer one is taken, "An" goes with it
    assert red("gặp Nguyễn Văn An hôm qua") == f"gặp {P} hôm qua"
    # "Văn An Bình" starts inside the name already removed: "Bình" stays
    assert red("gặp Nguyễn Văn An Bình") == f"gặp {P} Bình"
    # alone, it is removed
    assert red("gặp Văn An Bình") == f"gặp {P}"


def test_a_name_that_begins_another_name():
    red = themes.Redactor(BOOK, people=["Trần Thị Mai", "Trần Thị Mai Anh"])
    assert red("Trần Thị Mai Anh phụ trách") == f"{P} phụ trách"
    assert red("Trần Thị Mai phụ trách") == f"{P} phụ trách"
    # the longer name cut short by the end of the text: the shorter one is found
    assert red("phụ trách: Trần Thị Mai") == f"phụ trách: {P}"


def test_names_in_other_tone_mark_placement_and_case():
    red = themes.Redactor(BOOK, people=["Phạm Thị Thuỷ", "Đỗ Văn Hoà"])
    assert red("PHẠM THỊ THỦY, đỗ văn hòa") == f"{P}, {P}"
    assert red("Phạm thị Thủy") == P


def test_one_word_names_are_removed_only_after_a_title():
    red = themes.Redactor(BOOK, people=["Long"])
    assert red("Long Biên thiếu đất") == "Long Biên thiếu đất"


def test_cooperatives_with_and_without_their_prefix():
    red = themes.Redactor(BOOK, organisations=["HTX Dịch vụ nông nghiệp Tân Phong",
                                               "Quỹ tín dụng nhân dân Minh Đức",
                                               "HTX Nông nghiệp"])
    assert red("Hợp tác xã Dịch vụ nông nghiệp Tân Phong đề nghị") == f"{O} đề nghị"
    assert red("HTX dịch vụ nông nghiệp tân phong") == O
    # without a prefix: the name holds a proper name ("Tân Phong"), so it is removed
    assert red("Dịch vụ nông nghiệp Tân Phong đề nghị") == f"{O} đề nghị"
    # another prefix written before the name goes with it
    assert red("QTDND Minh Đức thiếu vốn") == f"{O} thiếu vốn"
    assert red("Quỹ TDND Minh Đức") == O
    assert red("Minh Đức thiếu vốn") == f"{O} thiếu vốn"
    # a name without a proper name is removed only whole
    assert red("nông nghiệp khó; HTX Nông nghiệp") == f"nông nghiệp khó; {O}"


def test_capitalised_words_after_a_title():
    red = themes.Redactor(BOOK)
    assert red("liên hệ anh Long") == f"liên hệ anh {P}"
    assert red("Chị Nguyễn Thị Hằng phụ trách") == f"Chị {P} phụ trách"
    # the longest title: "phó giám đốc", not "giám đốc" inside it
    assert red("Phó giám đốc Trần Văn Bảy ký") == f"Phó giám đốc {P} ký"
    # at most four words; an all-capital word (an acronym) is not a name
    assert red("ông Phạm Văn Minh Tuấn Anh") == f"ông {P} Anh"
    assert red("anh em HTX đề nghị") == "anh em HTX đề nghị"
    assert red("gặp chị UBND xã") == "gặp chị UBND xã"
    assert red("đề nghị liên hệ anh") == "đề nghị liên hệ anh"


def test_cooperatives_are_removed_before_people():
    red = themes.Redactor(BOOK, people=["Nguyễn Văn Hòa", "Nguyễn Văn"],
                          organisations=["HTX Hòa Bình"])
    # "Hòa Bình" is the cooperative (without its prefix); of the people only
    # "Nguyễn Văn" is left whole
    assert red("Nguyễn Văn Hòa Bình đề nghị") == f"{P} {O} đề nghị"


def test_a_title_inside_a_cooperative_s_name_takes_nothing_more():
    red = themes.Redactor(BOOK, organisations=["HTX Anh Đào"])
    assert red("HTX Anh Đào Hải Phòng đề nghị") == f"{O} Hải Phòng đề nghị"


def test_redaction_of_the_same_text_twice_and_of_missing_values():
    red = themes.Redactor(BOOK, people=["Lê Thị Dung"])
    assert red("Lê Thị Dung, 0900 844 843") == f"{P}, [số điện thoại]"
    assert red("Lê Thị Dung, 0900 844 843") == f"{P}, [số điện thoại]"
    assert red(None) == "" and red(np.nan) == ""


def test_shared_redactor_follows_the_names():
    a = themes.shared_redactor(BOOK, ["Lê Thị Dung"], ["HTX Cát Hải"])
    assert a("Lê Thị Dung, HTX Cát Hải") == f"{P}, {O}"
    b = themes.shared_redactor(BOOK, ["Lê Thị Dung"], ["HTX Cát Hải"])
    assert b("Lê Thị Dung, HTX Cát Hải") == f"{P}, {O}"
    c = themes.shared_redactor(BOOK, ["Vũ Văn Nam"], [])
    assert c("Lê Thị Dung, Vũ Văn Nam, HTX Cát Hải") == f"Lê Thị Dung, {P}, HTX Cát Hải"


def test_quotes_count_each_respondent_once_and_keep_the_first_wording():
    answers = pd.DataFrame({"unit": ["A"] * 6, "Q": [
        "Thiếu vốn. Thiếu vốn.",     # says it twice: one respondent
        "thiếu vốn",
        "Thiếu vốn. Thiếu vốn.",
        np.nan,
        "",
        "Giá phân bón tăng; thiếu vốn",
    ]})
    q = themes.example_quotes(answers, ["Q"], BOOK, themes.Redactor(BOOK), per_theme=2)
    von = q[q["theme"] == "von"]
    # respondents 0, 1, 2 and 5 wrote "thiếu vốn"; respondent 0's wording comes first
    assert von["text"].tolist() == ["Thiếu vốn."]
    assert von["respondents"].tolist() == [4]
    assert q[q["theme"] == "gia_vat_tu"]["text"].tolist() == ["Giá phân bón tăng"]


def test_theme_counts_with_repeated_and_missing_answers():
    answers = pd.DataFrame({"unit": ["A", "A", "A", "B", "B", "B"],
                            "Q": ["Thiếu vốn", "Thiếu vốn", None, np.nan, "thiếu VỐN",
                                  "không có"]})
    t = themes.theme_counts(answers, ["Q"], BOOK, ["A", "B"], min_n=1).set_index(
        ["unit", "theme"])
    assert t.loc[("A", "von"), ["respondents", "answered"]].tolist() == [2, 2]
    assert t.loc[("B", "von"), ["respondents", "answered"]].tolist() == [1, 2]
    assert t.loc[("B", "khac"), "respondents"] == 1
    assert t.loc[("city", "von"), ["respondents", "answered"]].tolist() == [3, 4]
    # one row per unit and theme, the city last, themes in dictionary order
    assert list(t.index.get_level_values("unit")) == ["A"] * 12 + ["B"] * 12 + ["city"] * 12
    assert list(t.index.get_level_values("theme"))[:12] == BOOK.ids


# ---------------------------------------------------- against reference implementations

_TOKEN = re.compile(r"[^\W_]+(?:/[^\W_]+)?")


def reference_redact(text: str, book: themes.ThemeBook, people=(), organisations=()) -> str:
    """The redaction rules written plainly: every name compared at every word."""
    ph = book.placeholders
    s = themes.PHONE.sub(ph["phone"], themes.EMAIL.sub(ph["email"], text))
    toks = list(_TOKEN.finditer(s))
    norm = [themes.match_form(t.group()) for t in toks]
    titles = [tuple(t.split()) for t in book.titles]
    prefixes = sorted((tuple(p.split()) for p in book.organisation_prefixes), key=len,
                      reverse=True)
    persons = [tuple(themes.match_form(p).split()) for p in people]
    persons = [n for n in persons if len(n) >= 2]
    orgs = []
    for name in organisations:
        words = themes.match_form(name).split()
        if not words:
            continue
        orgs.append(tuple(words))
        for p in prefixes:
            if len(words) > len(p) and tuple(words[:len(p)]) == p:
                core, raw = words[len(p):], str(name).split()[len(p):]
                if len(core) >= 2 and any(w[:1].isupper() for w in raw[1:]):
                    orgs.append(tuple(core))
                break
    taken = [False] * len(toks)
    spans = []

    def at(i, name):
        return tuple(norm[i:i + len(name)]) == name

    def free(i, j):
        return not any(taken[i:j])

    def mark(i, j, kind):
        taken[i:j] = [True] * (j - i)
        spans.append((i, j, kind))

    for i in range(len(toks)):  # cooperatives: leftmost first, the longest name
        fits = [n for n in orgs if not taken[i] and at(i, n) and free(i, i + len(n))]
        if fits:
            start = i
            for p in prefixes:
                if i >= len(p) and tuple(norm[i - len(p):i]) == p and free(i - len(p), i):
                    start = i - len(p)
                    break
            mark(start, i + max(map(len, fits)), "organisation")
    for i in range(len(toks)):  # people
        fits = [n for n in persons if not taken[i] and at(i, n) and free(i, i + len(n))]
        if fits:
            mark(i, i + max(map(len, fits)), "person")
    for i in range(len(toks)):  # the longest title, then up to 4 capitalised words
        fits = [t for t in titles if at(i, t)]
        if not fits:
            continue
        j = k = i + max(map(len, fits))
        while k < len(toks) and k - j < 4 and not taken[k]:
            w = toks[k].group()
            if not w[:1].isupper() or (len(w) > 1 and w.isupper()):
                break
            k += 1
        if k > j:
            mark(j, k, "person")
    for i, j, kind in sorted(spans, reverse=True):
        s = s[:toks[i].start()] + ph[kind] + s[toks[j - 1].end():]
    return s


PEOPLE = ["Nguyễn Văn Hòa", "Nguyễn Văn", "Văn Hòa Bình", "Lê Thị Dung", "Trần Thị Mai",
          "Trần Thị Mai Anh", "Long", "Phạm Thị Thuỷ"]
ORGS = ["HTX Dịch vụ nông nghiệp Hòa Bình", "HTX Nông nghiệp", "HTX Anh Đào",
        "Quỹ tín dụng nhân dân Minh Đức", "Hợp tác xã Thủy sản Cát Bà", "HTX Vận tải Tây Bắc 2",
        "Liên hiệp HTX Nông nghiệp Long", "HTX Hòa Bình"]
WORDS = (["Nguyễn", "nguyễn", "NGUYỄN", "Văn", "văn", "Hòa", "hoà", "HOÀ", "Bình", "bình", "Lê",
          "Thị", "thị", "Dung", "Trần", "Mai", "Anh", "anh", "Long", "Phạm", "Thủy", "thuỷ",
          "HTX", "htx", "Hợp", "tác", "xã", "Quỹ", "TDND", "QTDND", "tín", "dụng", "nhân",
          "dân", "Minh", "Đức", "Dịch", "vụ", "nông", "Nông", "nghiệp", "Thủy", "sản", "Cát",
          "Bà", "Vận", "tải", "Tây", "Bắc", "2", "Liên", "hiệp", "chị", "Chị", "ông", "bà",
          "em", "giám", "đốc", "Giám", "Phó", "đ/c", "Đ/c", "UBND", "thiếu", "vốn", "đề",
          "nghị", "Hà", "Nội", "0900 844 843", "htx.a@mail.vn", "2023"]
         + ["."] * 2 + [","] * 2 + [";", "-", "(", ")", ":"])
# whole names as they may be written, and with their prefix changed or left out
PHRASES = [v for name in PEOPLE + ORGS for v in (name, name.upper(), name.lower())] + [
    "Hợp tác xã Dịch vụ nông nghiệp Hoà Bình", "Thủy sản Cát Bà", "Cát Bà", "QTDND Minh Đức",
    "Minh Đức", "Nông nghiệp Long", "Vận tải Tây Bắc 2", "Anh Đào", "anh Long", "Giám đốc",
    "giám đốc", "phó giám đốc", "Hợp tác xã", "Liên hiệp HTX", "quỹ tdnd", "Văn Hòa"]
SEPARATORS = [" "] * 6 + ["  ", ", ", ". ", "\n", ""]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(hs.tuples(hs.one_of(hs.sampled_from(WORDS), hs.sampled_from(PHRASES)),
                          hs.sampled_from(SEPARATORS)), max_size=30),
       hs.lists(hs.sampled_from(PEOPLE), max_size=5), hs.lists(hs.sampled_from(ORGS), max_size=5))
def test_redactor_gives_what_the_plain_rules_give(pieces, people, orgs):
    text = "".join(w + sep for w, sep in pieces)
    red = themes.Redactor(BOOK, people, orgs)
    expected = reference_redact(text, BOOK, people, orgs)
    assert red(text) == expected
    assert red(text) == expected  # the second time from what was kept


def reference_code(text, book):
    """Themes by the rule of the dictionary: a keyword occurs as whole words."""
    padded = f" {themes.match_form(text)} "
    if not padded.strip():
        return []
    hits = [t.id for t in book.themes if any(f" {k} " in padded for k in t.keywords)]
    return hits or [book.other.id]


KEYWORD_WORDS = sorted({w for t in BOOK.themes for k in t.keywords for w in k.split()}) + [
    "Vốn", "VAY", "thuỷ", "thủy", "lợi", "không", "có", "ý", "kiến", "htx"]


@settings(max_examples=400, deadline=None)
@given(hs.lists(hs.tuples(hs.sampled_from(KEYWORD_WORDS), hs.sampled_from(SEPARATORS)),
                max_size=25))
def test_theme_coding_gives_what_the_keyword_rule_gives(pieces):
    text = "".join(w + sep for w, sep in pieces)
    assert themes.code_themes(text, BOOK) == reference_code(text, BOOK)


def _outcome(fn, text):
    try:
        return fn(text)
    except Exception as err:  # the same failure counts as the same outcome
        return type(err).__name__


LETTERS = list("aăâeêioôơuưydđĐAĂÂEÊOÔƠUƯYbcghnqtxQGH09") + [
    "hoà", "hòa", "THUỶ", "thủy", "Quý", "gì", "ß", "ﬁ", "Σ", "\u0301", "\u0323", "\u0340"]
SPACES = [" ", "  ", "\t", "\n", "\xa0", "\u2000", "\u3000", ",", ".", "-", "_", "/", "!"]


@settings(max_examples=500, deadline=None)
@given(hs.lists(hs.one_of(hs.sampled_from(LETTERS), hs.sampled_from(SPACES)), max_size=40))
def test_match_form_is_normalize_text_with_punctuation_as_spaces(parts):
    text = "".join(parts)

    def plain(s):
        return re.sub(r"[\W_]+", " ", normalize_text(s)).strip()

    assert _outcome(themes.match_form, text) == _outcome(plain, text)


def test_missing_answers_of_any_kind_have_an_empty_form():
    import numpy as np
    import pandas as pd

    from hailong.numbers.themes import match_form

    for missing in (None, np.nan, pd.NA, pd.NaT, float("nan")):
        assert match_form(missing) == ""
