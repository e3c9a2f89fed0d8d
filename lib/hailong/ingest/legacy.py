"""Vietnamese text typed in the legacy 8-bit font encodings TCVN3 (ABC) and VNI.

Before Unicode, Vietnamese was typed with fonts whose byte codes stood for Vietnamese
letters: TCVN3 (TCVN 5712:1993 VN3, the ".Vn" fonts, "ABC") and VNI (the "VNI-" fonts).
Such text still arrives in old spreadsheets and in files saved from them. Read without
the font it is gibberish made of Latin-1 characters: "Hîp t¸c x·" is TCVN3 for
"Hợp tác xã", "Hôïp taùc xaõ" is VNI for it.

This module tells such text apart from Unicode and converts it:

- :func:`decode` / :func:`encode` convert between Unicode and a legacy encoding (text
  as the Latin-1 / Windows-1252 characters the legacy bytes show as);
- :func:`is_vietnamese_word` says whether a word is a well-formed Vietnamese syllable;
- :func:`detect` weighs the words of a file: words that are not Vietnamese as they are,
  but become Vietnamese once decoded from an encoding, are evidence for it.

Sources of the tables
---------------------
TCVN3: the byte -> letter table of TCVN 5712:1993 for bytes 0xA1-0xFF, as GNU libc's
``TCVN5712-1`` converter has it (``iconv -f TCVN5712-1``; the test suite checks every
entry against it), without 0xB0-0xB4 (combining tone marks in VN1, not used by the ABC
fonts; as Latin-1 they are ``° ± ² ³ ´``, common in real text). Capitals with a tone
mark other than those in 0xA1-0xFF are not in VN3: the ABC fonts show capitals by
switching to an upper-case font (".VnTimeH") over the lower-case codes, so such text
decodes to lower case.

VNI: the VNI Windows scheme: a base letter followed by a mark character (lower case
``ù ø û õ ï`` = acute, grave, hook, tilde, dot below; ``â á à å ã ä`` = circumflex
alone or with those tones; ``ê é è ú ü ë`` = breve alone or with them), and single
characters for ``ơ ư đ`` (``ô ö ñ``) and the toned ``i`` (``í ì æ ó ò``) and ``ỵ``
(``î``); capitals use the upper-case characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Encodings this module knows, with the name staff know them by.
NAMES = {"TCVN3": "TCVN3 (ABC, fonts .VnTime)", "VNI": "VNI (fonts VNI-Times)"}

#: Share of the examined words an encoding must explain to be called certain.
CERTAIN_SHARE = 0.9
#: Evidence (words explained) from which a file that is not certain is refused.
REFUSE_FROM = 2

# --------------------------------------------------------------------------- TCVN3

#: Bytes 0xA1-0xFF of TCVN 5712:1993 (glibc TCVN5712-1), one letter per byte; "." marks
#: the bytes left out (0xB0-0xB4, see the module docstring).
_TCVN3_A1_FF = (
    "ĂÂÊÔƠƯĐăâêôơưđẰ"      # A1-AF
    ".....àảãáạẲằẳẵắẴ"      # B0-BF
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"      # C0-CF
    "éẹềểễếệìỉỄẾỒĩíịò"      # D0-DF
    "Ổỏõóọồổỗốộờởỡớợù"      # E0-EF
    "ỖủũúụừửữứựỳỷỹýỵỐ"      # F0-FF
)
assert len(_TCVN3_A1_FF) == 0xFF - 0xA1 + 1

#: Legacy character (the byte read as Latin-1) -> Unicode letter.
TCVN3: dict[str, str] = {chr(0xA1 + i): u for i, u in enumerate(_TCVN3_A1_FF) if u != "."}

# --------------------------------------------------------------------------- VNI

_VNI_TONES = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ",
              "\u0323": "ï"}
_VNI_CIRCUMFLEX = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã",
                   "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü",
              "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_table() -> dict[str, str]:
    """Unicode letter (lower case) -> its VNI spelling (lower case)."""
    out: dict[str, str] = {}
    nfc = functools.partial(unicodedata.normalize, "NFC")
    for tone, mark in _VNI_TONES.items():
        for base in "aeouy":
            out[nfc(base + tone)] = base + mark
        out[nfc("ơ" + tone)] = "ô" + mark
        out[nfc("ư" + tone)] = "ö" + mark
        for base in "aeo":
            out[nfc(base + "\u0302" + tone)] = base + _VNI_CIRCUMFLEX[tone]
        out[nfc("a\u0306" + tone)] = "a" + _VNI_BREVE[tone]
        if tone:
            out[nfc("i" + tone)] = _VNI_I[tone]
    out["ỵ"] = "î"
    out["đ"] = "ñ"
    return {u: v for u, v in out.items() if u != v}


#: Unicode letter -> VNI characters, both cases ("ợ" -> "ôï", "Ợ" -> "ÔÏ").
VNI_ENCODE: dict[str, str] = {}
for _u, _v in _vni_table().items():
    VNI_ENCODE[_u] = _v
    VNI_ENCODE[_u.upper()] = _v.upper()
#: VNI characters -> Unicode letter; a capital base may carry a lower-case mark.
VNI: dict[str, str] = {v: u for u, v in VNI_ENCODE.items()}
for _u, _v in list(VNI_ENCODE.items()):
    if len(_v) == 2 and _u.isupper():
        VNI.setdefault(_v[0] + _v[1].lower(), _u)

_TABLES = {"TCVN3": TCVN3, "VNI": VNI}
_INVERSE = {"TCVN3": {u: c for c, u in TCVN3.items()}, "VNI": VNI_ENCODE}
#: Characters that occur in each encoding's text besides ASCII.
DOMAIN = {name: frozenset("".join(t)) for name, t in _TABLES.items()}


def _cp1252_chars() -> frozenset[str]:
    """Characters of Windows-1252 above ASCII (punctuation such as ``– “ ” …`` in 0x80-0x9F)."""
    out = set()
    for b in range(0x80, 0x100):
        try:
            out.add(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            pass
    return frozenset(out)


#: Characters a legacy text holds as themselves: Windows-1252 characters the encoding
#: does not use for letters (dashes, quotes, the no-break space ...).
_PASS_THROUGH = {name: _cp1252_chars() - DOMAIN[name] for name in _TABLES}


def decode(text: str, encoding: str) -> str:
    """Unicode (NFC) of ``text`` typed in a legacy encoding.

    ``text`` is the legacy bytes read as Latin-1 / Windows-1252 (what Excel or a text
    editor shows without the font). Characters the encoding does not use stay as they
    are.

    >>> decode("Hîp t¸c x·", "TCVN3"), decode("Hôïp taùc xaõ", "VNI")
    ('Hợp tác xã', 'Hợp tác xã')
    """
    table = _TABLES[encoding]
    if encoding == "TCVN3":
        return unicodedata.normalize("NFC", "".join(table.get(c, c) for c in text))
    out, i = [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if len(pair) == 2 and pair in table:
            out.append(table[pair])
            i += 2
        else:
            out.append(table.get(text[i], text[i]))
            i += 1
    return unicodedata.normalize("NFC", "".join(out))


def encode(text: str, encoding: str) -> str:
    """``text`` as it looks typed in a legacy encoding (the inverse of :func:`decode`).

    TCVN3 has no capitals with a tone mark other than those of bytes 0xA1-0xFF: they
    are written in lower case, as the ABC fonts do.

    Raises
    ------
    ValueError
        If a character cannot be written in the encoding.
    """
    inverse = _INVERSE[encoding]
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ch.lower() in inverse:
            out.append(inverse[ch.lower()])
        elif ord(ch) < 128 or ch in _PASS_THROUGH[encoding]:
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} cannot be written in {encoding}")
    return "".join(out)


def round_trips(text: str, encoding: str) -> bool:
    """Whether ``text`` is made only of the encoding's characters (and ASCII)."""
    try:
        back = encode(decode(text, encoding), encoding)
    except ValueError:
        return False
    return back.casefold() == text.casefold()


# --------------------------------------------------------------------------- words

_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
#: Vowel groups that may be followed by a final consonant, and those ending in a
#: semivowel (i, y, o, u) that may not.
_NUCLEI = sorted("""a ă â e ê i o ô ơ u ư y iê oa oă oe oo uâ uê uô uơ uy ươ yê uyê""".split(),
                 key=len, reverse=True)
_OPEN_NUCLEI = sorted("""ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu oai oay oeo
    uây uôi uya uyu ươi ươu yêu""".split(), key=len, reverse=True)
_CODA = "ch|ng|nh|[cmnpt]"
_SYLLABLE = re.compile(f"(?:{_ONSET})?(?:(?:{'|'.join(_NUCLEI)})(?:{_CODA})?"
                       f"|(?:{'|'.join(_OPEN_NUCLEI)}))")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_ASCII_PUNCT = frozenset(chr(c) for c in range(128) if not chr(c).isalnum())


_SHAPED = frozenset("ăâêôơư")
_PLAIN_VOWELS = frozenset("aeiouy")


def _tone_allowed(letters: list[str], tone_at: int) -> bool:
    """Whether the tone mark on letter ``tone_at`` is where Vietnamese spelling puts it.

    ``letters`` are the syllable's letters without tone (NFC, lower case). The mark goes
    on the (last) vowel with a shape mark; else on the only vowel; else, before a final
    consonant, on the last vowel; else on either vowel of "oa", "oe", "uy" (old and new
    placement), the middle one of three, the first one of other pairs. "qu" and "gi"
    before a vowel are consonants.
    """
    vowels = _PLAIN_VOWELS | _SHAPED
    start = 2 if letters[:2] in (["q", "u"], ["g", "i"]) and len(letters) > 2 and \
        letters[2] in vowels else 0
    while start < len(letters) and letters[start] not in vowels:
        start += 1
    end = start
    while end < len(letters) and letters[end] in vowels:
        end += 1
    nucleus = list(range(start, end))
    if not nucleus:
        return False
    shaped = [i for i in nucleus if letters[i] in _SHAPED]
    if shaped:
        allowed = {shaped[-1]}
    elif len(nucleus) == 1 or end < len(letters):
        allowed = {nucleus[-1]}
    elif "".join(letters[i] for i in nucleus) in ("oa", "oe", "uy"):
        allowed = set(nucleus)
    elif len(nucleus) == 3:
        allowed = {nucleus[1]}
    else:
        allowed = {nucleus[0]}
    return tone_at in allowed


@functools.lru_cache(maxsize=65536)
def is_vietnamese_word(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable.

    Checks letters, case (lower, upper or capitalised), onset, vowel group, final
    consonant, and that there is at most one tone mark, on the vowel that carries it
    (old or new placement); not whether the syllable is in the dictionary.

    >>> is_vietnamese_word("Hợp"), is_vietnamese_word("Hîp"), is_vietnamese_word("taùc")
    (True, False, False)
    >>> is_vietnamese_word("hoà"), is_vietnamese_word("hòa"), is_vietnamese_word("maõ")
    (True, True, False)
    """
    word = unicodedata.normalize("NFC", word)
    if not word or not (word.islower() or word.isupper() or word.istitle()):
        return False
    letters, tone_at = [], None
    for ch in word.lower():
        nfd = unicodedata.normalize("NFD", ch)
        tones = [c for c in nfd if c in _TONE_MARKS]
        if len(tones) > 1 or (tones and tone_at is not None):
            return False
        if tones:
            tone_at = len(letters)
        letters.append(unicodedata.normalize("NFC", "".join(c for c in nfd
                                                            if c not in _TONE_MARKS)))
    if _SYLLABLE.fullmatch("".join(letters)) is None:
        return False
    return tone_at is None or _tone_allowed(letters, tone_at)


_ALL_LEGACY = frozenset().union(*DOMAIN.values())


def words(text: str) -> list[str]:
    """The words of ``text`` that hold a non-ASCII character.

    A word is a run of letters and legacy characters (TCVN3 writes letters with
    symbols such as ``¸ · µ``); digits, spaces and ASCII punctuation separate words.
    """
    out, cur = [], []
    for ch in text + " ":
        if ch.isalpha() or unicodedata.combining(ch) or (ch in _ALL_LEGACY and
                                                         ch not in _ASCII_PUNCT):
            cur.append(ch)
            continue
        if cur and any(ord(c) > 127 for c in cur):
            out.append("".join(cur))
        cur = []
    return out


# --------------------------------------------------------------------------- detect

@dataclass
class Detection:
    """What :func:`detect` found in a set of texts.

    Attributes
    ----------
    encoding
        The legacy encoding that explains the most words (``None``: no evidence).
    explained
        Distinct words that are not Vietnamese as they are but are once decoded.
    unexplained
        Distinct words that are not Vietnamese, hold characters of the encoding and are
        not Vietnamese once decoded either.
    examples
        A few explained words, ``(as found, decoded)``.
    """

    encoding: str | None = None
    explained: int = 0
    unexplained: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        total = self.explained + self.unexplained
        return self.explained / total if total else 0.0

    @property
    def certain(self) -> bool:
        """Convert: at least one word explained and at least :data:`CERTAIN_SHARE`."""
        return self.explained >= 1 and self.share >= CERTAIN_SHARE

    @property
    def refuse(self) -> bool:
        """Evidence enough to say what it looks like, not enough to convert."""
        return not self.certain and self.explained >= REFUSE_FROM

    @property
    def name(self) -> str:
        return NAMES.get(self.encoding or "", "")


def _weigh(tokens: Iterable[str], encoding: str) -> Detection:
    domain = DOMAIN[encoding]
    det = Detection(encoding=encoding)
    for w in tokens:
        if is_vietnamese_word(w) or not any(c in domain for c in w):
            continue
        fixed = decode(w, encoding)
        if round_trips(w, encoding) and all(is_vietnamese_word(x) for x in fixed.split()):
            det.explained += 1
            if len(det.examples) < 3:
                det.examples.append((w, fixed))
        else:
            det.unexplained += 1
    return det


def detect(texts: Iterable[str]) -> Detection:
    """Which legacy encoding, if any, the texts look typed in.

    Only words that are not Vietnamese as they are count: a word is evidence for an
    encoding if decoding it gives Vietnamese words, and against it if it holds the
    encoding's characters but does not.
    """
    tokens = {w for t in set(texts) for w in words(t)}
    best = max((_weigh(tokens, enc) for enc in _TABLES),
               key=lambda d: (d.explained, -d.unexplained))
    return best if best.explained else Detection()


def improves(text: str, encoding: str) -> str | None:
    """``text`` decoded, if that turns a word that is not Vietnamese into Vietnamese.

    ``None`` when the text should stay as it is: no such word, a character the encoding
    does not have, or decoding would spoil a word that is Vietnamese already.
    """
    if not any(ord(c) > 127 for c in text) or not round_trips(text, encoding):
        return None
    before = words(text)
    fixed = decode(text, encoding)
    if fixed == text:
        return None
    after = words(fixed)
    good_before = sum(map(is_vietnamese_word, before))
    good_after = sum(map(is_vietnamese_word, after))
    return fixed if good_after > good_before else None
