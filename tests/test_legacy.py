"""Legacy Vietnamese encodings TCVN3 (ABC) and VNI: tables, conversion, detection."""

from __future__ import annotations

import csv
import shutil
import subprocess
import unicodedata

import pytest
import yaml

from hailong.ingest import legacy
from hailong.reference.config import PROJECT_ROOT

REF = PROJECT_ROOT / "data" / "reference"


def real_phrases() -> list[str]:
    """Codebook labels and texts, and the names of Hai Phong's units."""
    cb = yaml.safe_load((REF / "codebook" / "codebook-v1.yaml").read_text(encoding="utf-8"))
    out = [lb["vi"] for lb in cb["scales"]["likert5"]["labels"]] + cb["no_opinion"]
    out += [s["vi"] for s in cb["sectors"]] + [v["vi"] for v in cb["variants"]]
    for d in cb["dimensions"]:
        out += [d["vi"], *(i["vi"] for i in d["items"])]
    with (REF / "units-2022.csv").open(encoding="utf-8") as fh:
        out += [r["full_name"] for r in csv.DictReader(fh)]
    return out


PHRASES = real_phrases()


def test_known_samples_written_by_hand():
    # "Hợp tác xã" as the ABC fonts and the VNI fonts store it
    assert legacy.decode("Hîp t¸c x·", "TCVN3") == "Hợp tác xã"
    assert legacy.decode("Hôïp taùc xaõ", "VNI") == "Hợp tác xã"
    assert legacy.decode("Kh«ng ý kiÕn", "TCVN3") == "Không ý kiến"
    assert legacy.decode("Raát haøi loøng", "VNI") == "Rất hài lòng"
    assert legacy.decode("§å S¬n", "TCVN3") == "Đồ Sơn"
    assert legacy.decode("ÑOÀ SÔN", "VNI") == "ĐỒ SƠN"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs GNU iconv")
def test_tcvn3_table_agrees_with_gnu_libc():
    """Every byte of the table decodes as glibc's TCVN5712-1 converter decodes it."""
    assert len(legacy.TCVN3) == 0xFF - 0xA1 + 1 - 5
    for char, letter in legacy.TCVN3.items():
        byte = char.encode("latin-1")
        out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=byte,
                             capture_output=True, check=True).stdout.decode("utf-8")
        assert unicodedata.normalize("NFC", out) == letter, hex(byte[0])


@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_real_phrases_round_trip(encoding):
    for phrase in PHRASES:
        typed = legacy.encode(phrase, encoding)
        assert typed != phrase or phrase.isascii()
        back = legacy.decode(typed, encoding)
        if encoding == "TCVN3":  # no capitals with tone marks except Đ Ă Â Ê Ô Ơ Ư ...
            assert back.lower() == phrase.lower()
        else:
            assert back == phrase
        assert legacy.round_trips(typed, encoding)


def test_tcvn3_writes_missing_capitals_in_lower_case():
    assert legacy.encode("Ủy ban", "TCVN3") == "ñy ban"
    assert legacy.decode("ñy ban", "TCVN3") == "ủy ban"
    with pytest.raises(ValueError):
        legacy.encode("中", "TCVN3")


def test_every_real_phrase_is_well_formed_vietnamese():
    bad = [w for p in PHRASES for w in legacy.words(p) if not legacy.is_vietnamese_word(w)]
    assert bad == []


@pytest.mark.parametrize("word, ok", [
    ("hoà", True), ("hòa", True), ("thuỷ", True), ("thủy", True), ("người", True),
    ("quốc", True), ("giữ", True), ("khuỷu", True), ("NGHIỆP", True), ("Đồ", True),
    ("Hîp", False), ("t¸c", False), ("taùc", False), ("Maõ", False),  # VNI "Mã"
    ("hóà", False), ("tÊt", False), ("xyz", False), ("café", False),
])
def test_is_vietnamese_word(word, ok):
    assert legacy.is_vietnamese_word(word) is ok


@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_detect_names_the_encoding(encoding):
    det = legacy.detect(legacy.encode(p, encoding) for p in PHRASES)
    assert det.encoding == encoding and det.certain and not det.refuse
    assert det.unexplained == 0 and det.explained > 100


def test_detect_finds_nothing_in_unicode_text():
    det = legacy.detect(PHRASES + ["Café, naïve – “quotes”", "<b>OCOP</b> 4,5 m²"])
    assert det.encoding is None and not det.certain and not det.refuse


def test_damaged_legacy_text_is_refused_not_guessed():
    # 3 words decode to Vietnamese, 3 others hold TCVN3 characters and do not
    det = legacy.detect(["ThiÕu vèn l­u ®éng Ç×Ð ¸µ¶× ¹»¼Ç"])
    assert det.encoding == "TCVN3"
    assert (det.explained, det.unexplained) == (3, 3)
    assert not det.certain and det.refuse


def test_improves_converts_only_cells_that_gain():
    assert legacy.improves("Hîp t¸c x·", "TCVN3") == "Hợp tác xã"
    assert legacy.improves("Hợp tác xã", "TCVN3") is None      # already Unicode
    assert legacy.improves("HP-0001", "TCVN3") is None         # ASCII
    assert legacy.improves("Có", "VNI") is None                # valid as it is
