"""The message language and the lowest layer of the message catalogue.

The catalogue (``messages.yaml`` beside this module) holds every phrase in Vietnamese and
English. This module reads it without depending on anything else of hailong but
:mod:`hailong.core.text` and :mod:`hailong.core.yamltext`, so that
:mod:`hailong.core.errors` can render an error's message in the language of the moment:
:func:`current_lang` is the language of what the tool says (Vietnamese unless told
otherwise by :func:`set_lang` / :func:`using_lang` or the ``HAILONG_LANG`` environment
variable). :mod:`hailong.core.messages` is the public face of the catalogue.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

from hailong.core.text import nfc
from hailong.core.yamltext import parse_yaml

#: Languages, in the order the catalogue gives them; the first is the default.
LANGS = ("vi", "en")
#: The catalogue file (a package data file).
CATALOGUE_FILE = Path(__file__).with_name("messages.yaml")
#: The environment variable that sets the message language (``vi`` or ``en``).
LANG_VARIABLE = "HAILONG_LANG"
#: What a catalogue key of the tool's own messages looks like (errors, hints, expected
#: values, labels, command-line texts): ``err.file_missing``, ``hint.check_file``, ...
KEY_PATTERN = re.compile(r"(?:err|hint|exp|cli|val|what)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*")

_chosen: list[str] = []  # the language set by set_lang / using_lang (a stack)


@functools.cache
def raw_catalogue() -> Mapping[str, Mapping[str, str]]:
    """The catalogue as ``{key: {lang: text}}``, read once, read-only (``{}`` if the file
    cannot be read: :func:`hailong.core.messages.catalogue` reports that)."""
    try:
        raw = parse_yaml(CATALOGUE_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return MappingProxyType({})
    if not isinstance(raw, dict):
        return MappingProxyType({})
    return MappingProxyType({str(k): MappingProxyType(dict(v)) for k, v in raw.items()
                             if isinstance(v, dict)})


def current_lang() -> str:
    """The language the tool speaks now: the one set by :func:`set_lang` /
    :func:`using_lang`, else ``$HAILONG_LANG`` when it is ``vi`` or ``en``, else ``vi``."""
    if _chosen:
        return _chosen[-1]
    env = os.environ.get(LANG_VARIABLE, "").strip().lower()
    return env if env in LANGS else LANGS[0]


def set_lang(lang: str | None) -> None:
    """Make ``lang`` the message language from now on (``None``: back to the default)."""
    _chosen.clear()
    if lang is not None:
        _chosen.append(_checked(lang))


@contextlib.contextmanager
def using_lang(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the ``with`` block (``None``: keep the current language)."""
    _chosen.append(_checked(lang) if lang is not None else current_lang())
    try:
        yield _chosen[-1]
    finally:
        _chosen.pop()


def _checked(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"message language must be one of {LANGS}, not {lang!r}")
    return lang


def is_key(text: object) -> bool:
    """Whether ``text`` is shaped like a key of the tool's messages (``err.…``, ...)."""
    return isinstance(text, str) and KEY_PATTERN.fullmatch(text) is not None


def placeholders(text: str) -> set[str]:
    """The ``{placeholders}`` of a phrase."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render(key: str, lang: str | None = None, /, **fields: object) -> str:
    """The phrase ``key`` in ``lang`` (default: :func:`current_lang`), filled in, NFC.

    A field that is a :class:`Msg` is rendered in the same language. A key missing from
    the catalogue renders as the key itself followed by its fields (never an exception:
    an error message must always print; tests/test_messages.py finds missing keys).
    """
    lang = lang or current_lang()
    texts = raw_catalogue().get(key)
    text = texts.get(lang) if texts else None
    values = {k: _shown(v, lang) for k, v in fields.items()}
    if text is None:
        return f"{key} {values}" if values else key
    try:
        return nfc(text.format(**values))
    except (KeyError, IndexError, ValueError):
        return nfc(f"{text} {values}")


def _shown(value: object, lang: str) -> object:
    """A field's value as a phrase shows it: anything with a ``render(lang)`` method
    (:class:`Msg`, :class:`Lines`, an error) rendered in ``lang``, the rest as it is."""
    show = getattr(value, "render", None)
    return show(lang) if callable(show) and not isinstance(value, str) else value


class Msg:
    """A phrase of the catalogue with its fields, rendered when shown (``str()``) in the
    language of that moment.

    Examples
    --------
    >>> str(Msg("cli.interrupted")) in ("đã dừng", "interrupted")
    True
    """

    __slots__ = ("key", "fields")

    def __init__(self, key: str, /, **fields: object) -> None:
        self.key = key
        self.fields = fields

    def render(self, lang: str | None = None) -> str:
        return render(self.key, lang, **self.fields)

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.fields!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg):
            return (self.key, self.fields) == (other.key, other.fields)
        return isinstance(other, str) and str(self) == other

    def __hash__(self) -> int:
        return hash(self.key)


def text_of(value: object, fields: Mapping[str, object], lang: str | None = None) -> str | None:
    """``value`` as text in ``lang``: a key is looked up and filled with ``fields``, a
    :class:`Msg` rendered, a tuple joined with spaces, anything else ``str()``;
    ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, tuple):
        parts = [text_of(v, fields, lang) for v in value]
        return " ".join(p for p in parts if p)
    if isinstance(value, Msg):
        return value.render(lang)
    if is_key(value):
        return render(value, lang, **fields)
    return str(value)


class Lines:
    """Items shown one per line when rendered (``prefix`` before each): errors, ``Msg``
    or text, each rendered in the language of the whole."""

    __slots__ = ("items", "prefix")

    def __init__(self, items: Iterable[object], prefix: str = "\n  ") -> None:
        self.items = list(items)
        self.prefix = prefix

    def render(self, lang: str | None = None) -> str:
        out = []
        for item in self.items:
            show = getattr(item, "render", None)
            out.append(show(lang) if callable(show) else str(item))
        return "".join(self.prefix + line for line in out)

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)


def either(items: Iterable[object]) -> Msg | str:
    """``a, b or c`` (``a, b hoặc c``) of the items as text, in the language of the moment
    when shown; one item as it is."""
    items = [str(x) for x in items]
    if len(items) < 2:
        return items[0] if items else ""
    return Msg("exp.either", choices=", ".join(items[:-1]), last=items[-1])
