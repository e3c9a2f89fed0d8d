"""Text as hailong stores it: Unicode NFC (Vietnamese letters composed, one code point)."""

from __future__ import annotations

import re
import unicodedata

#: Vietnamese phone numbers: 0 or +84 / 84, then 9–10 digits, spaces, dots or dashes
#: allowed between digits ("0900 844 843", "0900.844.843", "+84 900 844 843",
#: "0225 3841 234").
PHONE = re.compile(r"(?<![\w+])(?:\(?\+84\)?[\s.\-]?|84[\s.\-]?|0)(?:\d[\s.\-]?){8,9}\d(?!\d)")
#: E-mail addresses.
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def nfc(text: str) -> str:
    """Unicode NFC form of ``text`` (all text hailong stores is NFC)."""
    return unicodedata.normalize("NFC", text)


def mask_contacts(text: str) -> str:
    """``text`` with phone numbers and e-mail addresses replaced by ``[…]``: for files
    that carry what was found in a cell but are not private (the data-quality report)."""
    return EMAIL.sub("[email]", PHONE.sub("[số điện thoại]", text))
