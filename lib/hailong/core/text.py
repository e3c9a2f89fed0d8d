"""Text as hailong stores it: Unicode NFC (Vietnamese letters composed, one code point)."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Unicode NFC form of ``text`` (all text hailong stores is NFC)."""
    return unicodedata.normalize("NFC", text)
