"""The message catalogue: every fixed phrase of the reports and of the tool, in each
language.

The phrases live in ``messages.yaml`` next to this module, Vietnamese and English side
by side (``key: {vi: "...", en: "..."}``), with ``{field}`` placeholders. Presentation
code reads them through :func:`hailong.present.fmt.t`, which also fills in what the
round's units are called. What the tool itself says (errors, the command line,
``hailong validate``) is in the language of the moment, :func:`current_lang`
(Vietnamese unless ``--lang en`` or ``HAILONG_LANG=en``): :func:`say` renders a phrase
in it, :class:`Msg` keeps a phrase to render when it is shown.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from hailong.core.catalogue import (
    LANG_VARIABLE,
    Lines,
    Msg,
    current_lang,
    either,
    render,
    set_lang,
    using_lang,
)
from hailong.core.errors import ParameterError
from hailong.core.text import nfc
from hailong.core.yamlfile import read_yaml

#: Report languages, in the order the catalogue gives them.
LANGS = ("vi", "en")
__all__ = ["LANGS", "LANG_VARIABLE", "Lines", "Msg", "catalogue", "current_lang", "message",
           "say", "set_lang", "using_lang"]
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
    raw = read_yaml(CATALOGUE_FILE, "what.message_catalogue")
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
        raise ParameterError("err.unknown_report_language", found=lang,
                             expected=either(repr(x) for x in LANGS))
    texts = catalogue().get(key)
    if texts is None:
        raise ParameterError("err.unknown_message_key", found=key, file=CATALOGUE_FILE,
                             hint="hint.add_phrase_catalogue_every")
    if lang not in texts:
        raise ParameterError("err.message_text_language", found=lang, file=CATALOGUE_FILE,
                             key_=key)
    return nfc(texts[lang].format(**fields))


def say(key: str, /, **fields: object) -> str:
    """The phrase ``key`` in the message language of the moment (:func:`current_lang`),
    filled in, NFC.

    Examples
    --------
    >>> with using_lang("vi"):
    ...     say("cli.interrupted")
    'đã dừng'
    """
    return render(key, None, **fields)
