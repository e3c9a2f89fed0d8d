"""The message catalogue (lib/hailong/core/messages.yaml): every phrase in every report
language, filled in and NFC; unknown keys and languages are errors."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping

import pytest

from hailong.core.errors import ParameterError
from hailong.core.messages import LANGS, catalogue, message


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
    assert message("sec_method", "en") == "Method"


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
