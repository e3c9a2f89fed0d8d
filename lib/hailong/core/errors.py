"""One exception hierarchy for everything a user can get wrong.

Every error carries what the user needs to fix the problem: the file, the row as the user
sees it in Excel (header = row 1), the column, what was found, what was expected and a
hint. The CLI prints ``str(error)`` and exits non-zero; nobody sees a traceback.

The message, the expected value and the hint are keys of the message catalogue
(``err.…``, ``exp.…``, ``hint.…`` in ``messages.yaml``) filled in with the error's
fields, and the words around them ("row", "column", "Found", "Expected") come from the
catalogue too: ``str(error)`` speaks the language of the moment
(:func:`hailong.core.catalogue.current_lang`: Vietnamese unless ``--lang en`` or
``HAILONG_LANG=en``), :meth:`HailongError.render` any language. Plain text instead of a
key is shown as it is (values from the data, or messages of other programs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.catalogue import Msg, current_lang, render, text_of

#: Keyword arguments of :class:`HailongError` that are not fields of its phrases.
_PLACES = ("file", "row", "column", "found", "expected", "hint")


class HailongError(Exception):
    """Root of every error hailong raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in one sentence: a catalogue key (``"err.file_missing"``) or a
        :class:`~hailong.core.catalogue.Msg`; plain text is shown as it is.
    file, row, column
        Where, as the user sees it (``row`` is the spreadsheet row number, header = 1).
    found, expected
        The offending value and what would have been accepted (``expected``: a key,
        a ``Msg`` or plain text such as a list of valid codes).
    hint
        What to do about it (a key, a ``Msg``, plain text, or a tuple of them joined
        by spaces).
    **fields
        The ``{placeholders}`` of the message, expected value and hint.

    Examples
    --------
    >>> err = InputError("err.file_missing", file="roster.csv", hint="hint.check_file_name")
    >>> err.render("en")
    'roster.csv: The file does not exist. Check the file name and folder.'
    >>> err.render("vi")
    'roster.csv: Tệp không tồn tại. Hãy kiểm tra tên tệp và thư mục.'
    """

    exit_code = 2

    def __init__(
        self,
        message: str | Msg,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        found: object = None,
        expected: str | Msg | None = None,
        hint: str | Msg | tuple | None = None,
        **fields: object,
    ) -> None:
        super().__init__(message)
        self.key = message.key if isinstance(message, Msg) else message
        self.fields = {**(message.fields if isinstance(message, Msg) else {}), **fields}
        self._message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.found = found
        self._expected = expected
        self._hint = hint

    # the three phrases, rendered when read (in the language of the moment)
    @property
    def message(self) -> str:
        return self.message_in()

    @message.setter
    def message(self, value: str | Msg) -> None:
        self._message = value

    @property
    def expected(self) -> str | None:
        return text_of(self._expected, self.fields)

    @expected.setter
    def expected(self, value: str | Msg | None) -> None:
        self._expected = value

    @property
    def hint(self) -> str | None:
        return text_of(self._hint, self.fields)

    @hint.setter
    def hint(self, value: str | Msg | tuple | None) -> None:
        self._hint = value

    def add_hint(self, before: str | Msg) -> None:
        """Put ``before`` (a key, ``Msg`` or text) in front of the hint."""
        self._hint = (before, self._hint) if self._hint is not None else before

    def message_in(self, lang: str | None = None) -> str:
        """The message alone, in ``lang`` (default: the current language)."""
        return text_of(self._message, self.fields, lang) or ""

    def _render_traceback_(self) -> list[str]:
        """IPython hook: a notebook shows this one message instead of a traceback."""
        return [f"{type(self).__name__}: {self}"]

    def location(self, lang: str | None = None) -> str:
        """``file, row N, column "C"`` — the parts that are known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(render("err.label.row", lang, row=self.row))
        if self.column:
            parts.append(render("err.label.column", lang, column=self.column))
        return ", ".join(parts)

    def render(self, lang: str | None = None) -> str:
        """The whole error as one text in ``lang`` (default: the current language):
        where, what, what was found, what was expected, what to do."""
        lang = lang or current_lang()
        loc = self.location(lang)
        message = self.message_in(lang)
        text = f"{loc}: {message}" if loc else message
        if self.found is not None:
            text += " " + render("err.label.found", lang, found=repr(self.found))
        expected = text_of(self._expected, self.fields, lang)
        if expected:
            text += " " + render("err.label.expected", lang, expected=expected)
        hint = text_of(self._hint, self.fields, lang)
        if hint:
            text += f" {hint}"
        return text

    def __str__(self) -> str:
        return self.render()


class ConfigError(HailongError):
    """The project configuration, codebook or reference tables are wrong or missing."""


class InputError(HailongError):
    """A data file (roster, survey export) cannot be used as it is."""


class ParameterError(HailongError):
    """A build or report parameter is not valid (unknown round, unknown unit, ...)."""


class OutputUnavailable(HailongError):
    """An output cannot be made on this machine (a program it needs is missing or does
    not start); the message says what to install. Other outputs are not affected."""


class BuildError(HailongError):
    """One or more reports failed to build; ``failures`` lists them."""

    exit_code = 1

    def __init__(self, message: str | Msg, failures: list[ReportFailure] | None = None,
                 **kw) -> None:
        super().__init__(message, **kw)
        self.failures = failures or []


@dataclass
class ReportFailure:
    """Why one report did not build."""

    unit: str
    notebook: str
    cell: int | None = None
    error: str = ""
    output_notebook: str | None = None
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        where = (" " + render("err.label.cell", None, cell=self.cell)
                 if self.cell is not None else "")
        see = ("; " + render("err.label.see", None, path=self.output_notebook)
               if self.output_notebook else "")
        return f"{self.unit}: {self.notebook}{where}: {self.error}{see}"
