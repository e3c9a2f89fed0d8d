"""Text normalisation for matching labels and headers: :func:`normalize_text`.

Case, spacing, Unicode form and old/new tone-mark placement ("hoà" / "hòa") do not matter
once text has gone through it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: Combining tone marks (grave, acute, tilde, hook above, dot below) in NFD.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aeiouy")
#: Open two-vowel nuclei whose tone mark is written on either vowel ("hòa" / "hoà").
_SECOND_VOWEL_NUCLEI = frozenset({"oa", "oe", "uy"})
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _place_tone(word: str) -> str:
    """Put the tone mark of one NFD, lower-case word on the vowel fixed by the rule below.

    The mark goes on the vowel with a shape mark (â ă ê ô ơ ư; the last one if two);
    else on the only vowel; else, before a final consonant, on the last vowel; else on
    the second vowel of "oa", "oe", "uy" ("hoà", "thuỷ"), the middle one of three, and
    the first one of other pairs ("mía", "múa"). "qu" and "gi" before a vowel are
    consonants.
    """
    letters: list[list[str]] = []  # [base, shape marks]
    tone = ""
    for ch in word:
        if ch in _TONES:
            tone = tone or ch
        elif unicodedata.combining(ch) and letters:
            letters[-1][1] += ch
        else:
            letters.append([ch, ""])
    if not tone or not letters:  # no mark, or marks with no letter to sit on
        return word
    start = 0
    if len(letters) > 1 and letters[0][0] == "q" and letters[1][0] == "u":
        start = 2
    elif (len(letters) > 2 and letters[0][0] == "g" and letters[1][0] == "i"
          and letters[2][0] in _VOWELS):
        start = 2
    while start < len(letters) and letters[start][0] not in _VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end][0] in _VOWELS:
        end += 1
    nucleus = list(range(start, end))
    if not nucleus:  # no vowel: leave the mark on the last letter
        target = len(letters) - 1
    elif shaped := [i for i in nucleus if letters[i][1]]:
        target = shaped[-1]
    elif len(nucleus) == 1 or end < len(letters):
        target = nucleus[-1]
    elif "".join(letters[i][0] for i in nucleus) in _SECOND_VOWEL_NUCLEI:
        target = nucleus[1]
    elif len(nucleus) == 3:
        target = nucleus[1]
    else:
        target = nucleus[0]
    letters[target][1] += tone
    return "".join(base + marks for base, marks in letters)


@functools.lru_cache(maxsize=65536)
def normalize_text(s: str) -> str:
    """The form of a label or header used for matching.

    NFC, stripped, inner whitespace collapsed to one space, case-folded, and every tone
    mark placed by one fixed rule (so "Hoà" and "hòa", "THUỶ" and "thủy" are equal).

    Parameters
    ----------
    s
        Any text; ``None`` counts as empty.
    """
    text = " ".join(unicodedata.normalize("NFC", str(s or "")).split()).casefold()
    text = _WORD.sub(lambda m: _place_tone(m.group()), unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", text)
