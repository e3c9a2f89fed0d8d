"""The sentences of the reports, written from the numbers (Vietnamese; English via ``lang``).

Each function returns Markdown (or, for ``*_html``, an HTML table). Numbers are
formatted with :mod:`hailong.present.fmt` and compared as the reader sees them (rounded to one
decimal), so the text never contradicts the tables. A withheld figure is never described.

A report opens with :func:`key_findings`; its comparison with the previous round
(:func:`versus_previous`, :func:`trend_table_html`, :func:`trend_notes`) reads the rounds
lined up by :func:`hailong.numbers.trend_cache.report_trend` and calls a change
"tăng / giảm ... (có ý nghĩa thống kê)" only when its interval excludes 0.

Text, by the report section it serves (one module each):

- :mod:`~hailong.present.narrative.figures`: :class:`UnitFigures` / :func:`unit_figures`
  (a unit's headline numbers), :func:`title`, :func:`summary` (:func:`headline`, or
  :func:`too_few` for a withheld unit), :func:`precision`, :func:`key_figures`;
- :mod:`~hailong.present.narrative.findings`: :func:`key_findings` (the opening list);
- :mod:`~hailong.present.narrative.areas`: :func:`strongest_weakest`, :func:`versus_city`
  (the dimensions against the city);
- :mod:`~hailong.present.narrative.units`: :func:`district_spread` (range of the units'
  index, withheld units), :func:`no_map_note`;
- :mod:`~hailong.present.narrative.themes`: :func:`themes_table_html`,
  :func:`themes_summary`, :func:`quotes_markdown` (open answers);
- :mod:`~hailong.present.narrative.methods`: :func:`methodology`,
  :func:`methodology_details`, :func:`reliability_table_html`,
  :func:`data_sources`;
- :mod:`~hailong.present.narrative.official`: :func:`document` (the report's official
  form from the configuration), :func:`official_heading`, :func:`signature_html`,
  :func:`conclusions_html` (the Alliance's own "Kết luận và kiến nghị"),
  :func:`closing_html` (conclusions and signature);
- :mod:`~hailong.present.narrative.withheld`: :func:`participation`,
  :func:`city_context`, :func:`next_round` (the report of a withheld unit);
- :mod:`~hailong.present.narrative.trend`: :func:`versus_previous`,
  :func:`change_sentence`, :func:`has_trend`, :func:`trend_notes`,
  :func:`trend_table_html`, :func:`trend_units_table_html` (several rounds).

They rest on :mod:`~hailong.present.narrative.base` (joining, rounding, :func:`heading`,
:data:`SIMILAR_POINTS`).
"""

from __future__ import annotations

from hailong.present.narrative.areas import strongest_weakest, versus_city
from hailong.present.narrative.base import SIMILAR_POINTS, heading
from hailong.present.narrative.figures import (
    UnitFigures,
    headline,
    key_figures,
    precision,
    summary,
    title,
    too_few,
    unit_figures,
)
from hailong.present.narrative.findings import key_findings
from hailong.present.narrative.methods import (
    data_sources,
    methodology,
    methodology_details,
    reliability_table_html,
)
from hailong.present.narrative.official import (
    OFFICIAL_HEADING,
    Document,
    closing_html,
    conclusions_html,
    document,
    has_conclusions,
    signature_html,
)
from hailong.present.narrative.official import heading_html as official_heading
from hailong.present.narrative.themes import quotes_markdown, themes_summary, themes_table_html
from hailong.present.narrative.trend import (
    change_sentence,
    has_trend,
    trend_notes,
    trend_table_html,
    trend_units_table_html,
    versus_previous,
)
from hailong.present.narrative.units import district_spread, no_map_note, nonresponse_table_html
from hailong.present.narrative.withheld import city_context, more_needed, next_round, participation

__all__ = [
    # shared
    "SIMILAR_POINTS", "heading",
    # headline numbers
    "UnitFigures", "unit_figures", "title", "headline", "too_few", "summary", "precision",
    "key_figures", "key_findings",
    # areas, units
    "strongest_weakest", "versus_city", "district_spread", "no_map_note",
    "nonresponse_table_html",
    # open answers
    "themes_table_html", "themes_summary", "quotes_markdown",
    # method
    "methodology", "methodology_details",
    "reliability_table_html", "data_sources",
    # the official form, the Alliance's conclusions
    "Document", "document", "OFFICIAL_HEADING", "official_heading", "signature_html",
    "conclusions_html", "closing_html", "has_conclusions",
    # a withheld unit's report
    "participation", "city_context", "more_needed", "next_round",
    # several rounds
    "change_sentence", "has_trend", "versus_previous", "trend_notes", "trend_table_html",
    "trend_units_table_html",
]
