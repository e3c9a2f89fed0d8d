"""The message catalogue: every fixed phrase of the reports, in each report language.

The phrases live in ``messages.yaml`` next to this module, Vietnamese and English side
by side (``key: {vi: "...", en: "..."}``), with ``{field}`` placeholders. Presentation
code reads them through :func:`hailong.present.fmt.t`, which also fills in what the
round's units are called.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from hailong.core.errors import ParameterError
from hailong.core.text import nfc
from hailong.core.yamlfile import read_yaml

#: Report languages, in the order the catalogue gives them.
LANGS = ("vi", "en")
#: The catalogue file (a package data file).
CATALOGUE_FILE = Path(__file__).with_name("messages.yaml")


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """The catalogue as ``{key: {lang: text}}`` (read once, read-only).

    Raises
    ------
    ConfigError
        If the file is missing or is not a YAML mapping.
    """
    raw = read_yaml(CATALOGUE_FILE, "message catalogue")
    return MappingProxyType({str(k): MappingProxyType(dict(v)) for k, v in raw.items()})


def message(key: str, lang: str, **fields: object) -> str:
    """The phrase ``key`` in ``lang`` with its ``{fields}`` filled in, as Unicode NFC.

    Raises
    ------
    ParameterError
        If ``key`` is not in the catalogue or ``lang`` is not a report language.

    Examples
    --------
    >>> message("sec_method", "en")
    'Method'
    """
    if lang not in LANGS:
        raise ParameterError("Unknown report language.", found=lang,
                             expected=" or ".join(repr(x) for x in LANGS))
    texts = catalogue().get(key)
    if texts is None:
        raise ParameterError("Unknown message key.", found=key, file=CATALOGUE_FILE,
                             hint="Add the phrase to the catalogue in every language.")
    if lang not in texts:
        raise ParameterError(f"The message {key!r} has no text in this language.",
                             found=lang, file=CATALOGUE_FILE)
    return nfc(texts[lang].format(**fields))
