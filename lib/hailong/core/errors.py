"""One exception hierarchy for everything a user can get wrong.

Every error carries what the user needs to fix the problem: the file, the row as the user
sees it in Excel (header = row 1), the column, what was found, what was expected and a
hint. The CLI prints ``str(error)`` and exits non-zero; nobody sees a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HailongError(Exception):
    """Root of every error hailong raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in one sentence.
    file, row, column
        Where, as the user sees it (``row`` is the spreadsheet row number, header = 1).
    found, expected
        The offending value and what would have been accepted.
    hint
        What to do about it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        found: object = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.found = found
        self.expected = expected
        self.hint = hint

    def _render_traceback_(self) -> list[str]:
        """IPython hook: a notebook shows this one message instead of a traceback."""
        return [f"{type(self).__name__}: {self}"]

    def location(self) -> str:
        """``file, row N, column "C"`` — the parts that are known."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.found is not None:
            text += f" Found: {self.found!r}."
        if self.expected:
            text += f" Expected: {self.expected}."
        if self.hint:
            text += f" {self.hint}"
        return text


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

    def __init__(self, message: str, failures: list[ReportFailure] | None = None, **kw) -> None:
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
        where = f" (cell {self.cell})" if self.cell is not None else ""
        see = f"; see {self.output_notebook}" if self.output_notebook else ""
        return f"{self.unit}: {self.notebook}{where}: {self.error}{see}"
