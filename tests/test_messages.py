"""The message catalogue (lib/hailong/core/messages.yaml): every phrase in every report
language, filled in and NFC; unknown keys and languages are errors."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from collections.abc import Mapping

import pytest

from hailong.core.catalogue import is_key
from hailong.core.errors import ParameterError
from hailong.core.messages import LANGS, catalogue, message
from hailong.reference.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lib" / "hailong"


def fields(text: str) -> set[str]:
    """The ``{placeholders}`` of a phrase."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(messages: Mapping[str, Mapping[str, object]]) -> list[str]:
    """What is wrong with a catalogue ``{key: {lang: text}}``, one line per problem: a
    language missing or unknown, a text empty or not a string or not NFC, placeholders
    that differ between the languages."""
    found = []
    for key, texts in messages.items():
        if set(texts) != set(LANGS):
            found.append(f"{key}: languages {sorted(texts)}, expected {sorted(LANGS)}")
        for lang, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                found.append(f"{key}.{lang}: empty or not text")
            elif unicodedata.normalize("NFC", text) != text:
                found.append(f"{key}.{lang}: not NFC")
        shown = {lang: fields(t) for lang, t in texts.items() if isinstance(t, str)}
        if len({frozenset(f) for f in shown.values()}) > 1:
            found.append(f"{key}: placeholders differ {shown}")
    return found


def test_every_phrase_has_both_languages_non_empty_nfc_with_the_same_placeholders():
    assert catalogue(), "the catalogue is empty"
    assert problems(catalogue()) == []


def test_a_phrase_in_one_language_only_is_found():
    made_up = {"greeting": {"vi": "Xin chào"}, "ok": {"vi": "Được", "en": "Fine"}}
    assert problems(made_up) == ["greeting: languages ['vi'], expected ['en', 'vi']"]


@pytest.mark.parametrize("texts, problem", [
    ({"vi": "", "en": "Fine"}, "x.vi: empty or not text"),
    ({"vi": "Được", "en": None}, "x.en: empty or not text"),
    ({"vi": unicodedata.normalize("NFD", "Được"), "en": "Fine"}, "x.vi: not NFC"),
    ({"vi": "Năm {year}", "en": "In {round}"}, "x: placeholders differ"),
])
def test_empty_decomposed_or_mismatched_phrases_are_found(texts, problem):
    found = problems({"x": texts})
    assert len(found) == 1 and found[0].startswith(problem)


def test_message_fills_the_fields_and_returns_nfc():
    decomposed = unicodedata.normalize("NFD", "Thuỷ Nguyên")
    text = message("report_title", "vi", unit=decomposed, period="Năm 2022")
    assert text == "Báo cáo chỉ số hài lòng của HTX – Thuỷ Nguyên – Năm 2022"
    assert unicodedata.is_normalized("NFC", text)
    assert message("sec_method", "en") == "Appendix: Method"


def test_an_unknown_key_is_a_parameter_error_naming_it():
    with pytest.raises(ParameterError, match="Unknown message key") as err:
        message("no_such_phrase", "vi")
    assert "no_such_phrase" in str(err.value)


@pytest.mark.parametrize("lang", ["fr", "VI", ""])
def test_an_unknown_language_is_a_parameter_error_listing_the_valid_ones(lang):
    with pytest.raises(ParameterError, match="Unknown report language") as err:
        message("sec_method", lang)
    assert "'vi'" in str(err.value) and "'en'" in str(err.value)


def test_the_catalogue_is_read_once_and_cannot_be_changed():
    assert catalogue() is catalogue()
    with pytest.raises(TypeError):
        catalogue()["sec_method"] = {"vi": "x", "en": "x"}
    with pytest.raises(TypeError):
        catalogue()["sec_method"]["vi"] = "x"


# --- The tool's own messages: errors, command line, validate (issue 16) -------------------

#: The error classes whose messages are catalogue keys.
ERRORS = {"HailongError", "ConfigError", "InputError", "ParameterError", "OutputUnavailable",
          "BuildError", "PdfUnavailable"}
#: Packages whose errors are rendered by their own caller in a page's language (the web
#: page builds its phrases with message(key, lang)); everything else uses keys.
OWN_LANGUAGE = ("serve",)


def raise_sites() -> list[tuple[str, int, ast.Call]]:
    """Every construction of a hailong error (and every ``problems.add`` of the
    configuration's problem list) in lib/hailong: ``(file, line, call)``."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(part in OWN_LANGUAGE for part in path.relative_to(PACKAGE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            adds = (name == "add" and isinstance(f, ast.Attribute)
                    and getattr(f.value, "id", None) == "problems")
            if name in ERRORS or adds:
                out.append((str(path.relative_to(PACKAGE)), node.lineno, node))
    return out


def english_text(node: ast.expr) -> bool:
    """Whether an argument is text written in the code (a literal or an f-string with
    words), rather than a catalogue key or a value from the data."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return not is_key(node.value) and bool(re.search(r"[A-Za-z]{3,} [a-z]{2,}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(english_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return english_text(node.left) or english_text(node.right)
    if isinstance(node, ast.IfExp):
        return english_text(node.body) or english_text(node.orelse)
    return False


def test_every_error_raised_names_catalogue_keys_in_both_languages():
    sites = raise_sites()
    assert len(sites) > 150  # the scan sees them
    keys, written = set(), []
    for file, line, call in sites:
        args = [("message", call.args[0])] + [(k.arg, k.value) for k in call.keywords
                                              if k.arg in ("expected", "hint")]
        for what, node in args:
            if isinstance(node, ast.Constant) and is_key(node.value):
                keys.add(node.value)
            elif english_text(node):
                written.append(f"{file}:{line} {what}")
    assert written == [], "text written in the code instead of a catalogue key"
    missing = sorted(k for k in keys if set(catalogue().get(k, {})) != set(LANGS))
    assert missing == []


def test_every_key_the_tool_names_in_its_code_is_in_the_catalogue():
    # keys passed anywhere (Msg("..."), say("..."), hint="...", Rule(...)): a typo would
    # show the key instead of the sentence
    named = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and is_key(node.value):
                named.add(node.value)
    assert len(named) > 300
    assert sorted(k for k in named if k not in catalogue()) == []


# --- Errors render in the message language (hailong.core.errors, hailong.core.catalogue) ---

def test_the_message_language_is_vietnamese_unless_told(monkeypatch):
    from hailong.core.messages import current_lang, set_lang, using_lang

    monkeypatch.delenv("HAILONG_LANG", raising=False)
    assert current_lang() == "vi"
    monkeypatch.setenv("HAILONG_LANG", "en")
    assert current_lang() == "en"
    monkeypatch.setenv("HAILONG_LANG", "fr")              # not a language: the default
    assert current_lang() == "vi"
    with using_lang("en"):
        assert current_lang() == "en"
        with using_lang("vi"):
            assert current_lang() == "vi"
        assert current_lang() == "en"
    set_lang("en")
    try:
        assert current_lang() == "en"
    finally:
        set_lang(None)
    with pytest.raises(ValueError):
        set_lang("fr")


def both(err) -> tuple[str, str]:
    return err.render("vi"), err.render("en")


def test_an_input_error_keeps_row_column_found_expected_and_hint_in_both_languages():
    from hailong.core.errors import InputError

    err = InputError("val.outside_scale", file="xuat.csv", row=12, column="3.1. Thủ tục",
                     found="7", expected="exp.one_of", hint="val.hint.outside_scale",
                     valid="1, 2, 3, 4, 5")
    assert both(err) == (
        'xuat.csv, dòng 12, cột "3.1. Thủ tục": Câu trả lời nằm ngoài thang đo. '
        "Đã thấy: '7'. Cần: một trong 1, 2, 3, 4, 5. Hãy sửa câu trả lời trong tệp dữ liệu "
        "khảo sát (hỏi lại HTX nếu chưa chắc).",
        'xuat.csv, row 12, column "3.1. Thủ tục": Answer outside the scale. Found: \'7\'. '
        "Expected: one of 1, 2, 3, 4, 5. Correct the answer in the export (ask the "
        "cooperative if unsure).")


def test_str_of_an_error_follows_the_language_of_the_moment():
    from hailong.core.errors import ParameterError
    from hailong.core.messages import using_lang

    err = ParameterError("err.there_survey_round", file="hailong.yaml", expected="exp.one_of",
                         hint="hint.add_round_under_rounds", year=2019, valid="2022",
                         name="hailong.yaml")
    with using_lang("vi"):
        assert str(err) == ("hailong.yaml: Không có kỳ khảo sát 2019. Cần: một trong 2022. "
                            "Hãy thêm kỳ khảo sát dưới mục 'rounds:' trong hailong.yaml, hoặc "
                            "chọn một kỳ có trong danh sách.")
        assert err.message == "Không có kỳ khảo sát 2019."
    with using_lang("en"):
        assert str(err) == ("hailong.yaml: There is no survey round 2019. Expected: one of "
                            "2022. Add the round under 'rounds:' in hailong.yaml, or pick a "
                            "listed one.")
        assert err.expected == "one of 2022"


def test_a_configuration_error_listing_its_problems_renders_each_in_the_language():
    from hailong.core.errors import ConfigError
    from hailong.reference.config import load_config

    path = PROJECT_ROOT / "tests" / "_no_such_config.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    vi, en = both(info.value)
    assert vi == (f"{path}: Không có tệp cấu hình. Hãy chạy lệnh từ thư mục của dự án, "
                  "hoặc đặt HAILONG_CONFIG.")
    assert en == (f"{path}: The configuration file does not exist. Run from the project "
                  "folder, or set HAILONG_CONFIG.")
    from hailong.core.catalogue import Lines

    listed = ConfigError("err.config_problems", file="h.yaml", n=2,
                         hint="hint.correct_each_them_nothing", lines=Lines([
                             ConfigError("err.statistics_tiers_empty"),
                             ConfigError("err.year", found="x", what="rounds.x")], "\n  - "))
    assert both(listed) == (
        "h.yaml: Tệp cấu hình có 2 lỗi:\n  - statistics.tiers trống.\n  - rounds.x không phải "
        "là một năm. Đã thấy: 'x'. Hãy sửa từng lỗi; chưa có gì được đọc hay tạo ra.",
        "h.yaml: The configuration has 2 problems:\n  - statistics.tiers is empty.\n  - "
        "rounds.x is not a year. Found: 'x'. Correct each of them; nothing was read or built.")


def test_a_build_error_names_each_failed_report_in_the_language():
    from hailong.core.errors import BuildError, ReportFailure
    from hailong.core.messages import using_lang
    from hailong.run.build import _failure_names

    failures = [ReportFailure("305", "district.ipynb", cell=5, output_notebook="305.ipynb"),
                ReportFailure("city", "city.ipynb", error="ValueError: x")]
    err = BuildError("err.reports_failed", failures=failures,
                     hint="hint.open_executed_notebook_named", n=2, total=16,
                     names=_failure_names(failures))
    vi, en = both(err)
    assert vi.startswith("2 trong 16 báo cáo không tạo được: 305 (ô 5), city. Hãy mở notebook")
    assert en.startswith("2 of 16 reports failed to build: 305 (cell 5), city. Open the")
    assert err.exit_code == 1
    with using_lang("vi"):
        assert str(failures[0]) == "305: district.ipynb (ô 5): ; xem 305.ipynb"
    with using_lang("en"):
        assert str(failures[0]) == "305: district.ipynb (cell 5): ; see 305.ipynb"


def test_an_output_unavailable_says_what_to_install_in_the_language():
    from hailong.publish.pdf import PdfRenderer, PdfUnavailable

    with pytest.raises(PdfUnavailable) as info:
        PdfRenderer(executable=PROJECT_ROOT / "no-such-browser").open()
    vi, en = both(info.value)
    assert "Không có trình duyệt" in vi and "sudo apt-get install" in vi
    assert "Hãy cài trình duyệt và phông chữ" in vi and "hailong build --no-pdf" in vi
    assert "The browser" in en and "does not exist. Install the browser and fonts" in en


def test_a_key_missing_from_the_catalogue_still_prints():
    from hailong.core.errors import InputError

    err = InputError("err.no_such_key", file="a.csv", n=3)
    assert str(err) == "a.csv: err.no_such_key {'n': 3}"
    assert str(InputError("Plain text from elsewhere.")) == "Plain text from elsewhere."


def test_the_catalogue_sections_of_the_tool_are_there():
    keys = set(catalogue())
    for prefix, at_least in (("err.", 180), ("exp.", 60), ("hint.", 60), ("cli.", 80),
                             ("val.", 100)):
        assert len({k for k in keys if k.startswith(prefix)}) >= at_least, prefix
