"""Every output format behind one interface, registered in one place.

A report is written by the *report writers* (:data:`REPORT_WRITERS`): the HTML page from
the executed notebook, then the PDF from the page. A round's other outputs are written
by the *round writers* (:data:`ROUND_WRITERS`), once per build, beside the reports: the
Excel workbook, the open data, the internal follow-up lists, the provenance manifest.

Each writer lives in its own module, which defines ``WRITER`` (a
:class:`~hailong.publish.base.ReportWriter` or a :class:`~hailong.publish.base.RoundWriter`);
a new output format is one new module plus one line here. The modules are imported only
when a build asks for its writers.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from hailong.publish.base import ReportWriter, RoundWriter

#: The writers of one report, in the order they run (each reads what the one before wrote).
REPORT_WRITERS = (
    "hailong.publish.export",      # html: the page, from the executed notebook
    "hailong.publish.pdf",         # pdf: the printed report, from the page
)
#: The writers of a round's other outputs, in the order the index lists their links.
ROUND_WRITERS = (
    "hailong.publish.workbook",    # the Excel workbook of the published tables
    "hailong.publish.opendata",    # the same tables as CSV and JSON, with a data dictionary
    "hailong.publish.followup",    # INTERNAL: the working group's follow-up lists
    "hailong.publish.manifest",    # where the figures come from (code, inputs, packages)
)


def _load(modules: Sequence[str]) -> list:
    return [importlib.import_module(m).WRITER for m in modules]


def report_writers(pdf: bool = True) -> list[ReportWriter]:
    """The report writers, in order (without the optional ones unless ``pdf``)."""
    return [w for w in _load(REPORT_WRITERS) if pdf or not w.optional]


def round_writers(off: Sequence[str] = ()) -> list[RoundWriter]:
    """The round writers, in order, without those whose ``option`` is in ``off``."""
    return [w for w in _load(ROUND_WRITERS) if w.option is None or w.option not in off]
