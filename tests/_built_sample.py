"""One build of the sample round shared by the test modules that need real reports.

Built once per test session, with PDFs: Thuỷ Nguyên (a large district), Bạch Long Vĩ
(one respondent: figures withheld) and the city. Every kernel start costs ~1.5 s, so
test_pdf.py and test_browser.py share this build instead of making their own.
"""

from __future__ import annotations

from hailong.run.build import BuildSummary, build

#: The reports built: a large district, the island district, the city.
UNITS = ("311", "318", "city")

_BUILT: dict[str, BuildSummary] = {}


def sample_build(tmp_path_factory) -> BuildSummary:
    """The shared build (made on first use, in a session temporary folder)."""
    if "summary" not in _BUILT:
        out = tmp_path_factory.mktemp("sample-build")
        _BUILT["summary"] = build(round_year=2022, units=list(UNITS), out=out,
                                  progress=False, pdf=True)
    return _BUILT["summary"]
