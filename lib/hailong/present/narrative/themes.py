"""The open answers: themes named per question, the most named ones, redacted quotes."""

from __future__ import annotations

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import Results
from hailong.numbers.themes import match_form, quote_markdown
from hailong.present import fmt
from hailong.present.narrative.base import _join


def themes_table_html(results: Results, code: str, lang: str = "vi") -> str:
    """Respondents naming each theme, per open question, for one unit (HTML table).

    ``""`` when the results have no themes. Withheld counts show "—" with the note.
    """
    fmt.check_lang(lang)
    t = results.themes
    if t is None or t.empty:
        return ""
    t = t[t["unit"] == str(code)]
    labels = fmt.theme_labels(results.meta, lang)
    names = {q["id"]: q for q in results.meta.get("open_questions", [])}
    frame = pd.DataFrame({fmt.t("col_theme", lang): list(labels.values())})
    for q in dict.fromkeys(t["question"]):
        rows = t[t["question"] == q].set_index("theme")
        head = nfc(str(names[q][lang])) if q in names else q
        answered = int(rows["answered"].iloc[0]) if len(rows) else 0
        col = fmt.t("themes_column", lang, question=head, n=fmt.count(answered, lang))
        cells = []
        for k in labels:
            r = rows.loc[k] if k in rows.index else None
            if r is None or bool(r["suppressed"]):
                cells.append(fmt.SUPPRESSED)
            else:
                cells.append(f"{fmt.count(r['respondents'], lang)} "
                             f"({fmt.percent(r['share'], 1, lang)})")
        frame[col] = cells
    note = fmt.table_notes(frame, lang, results.meta)
    cells = frame.iloc[:, 1:].astype(str)
    if cells.apply(lambda c: c.str.startswith("0 (")).to_numpy().any():
        # one convention in every report: 0 is shown (nobody named the theme), a few
        # mentions are withheld: so the city's "—" can sit beside a unit's "0"
        zero = fmt.t("themes_zero_note", lang)
        note = f"{note} {zero}" if note else zero
    return fmt.html_table(frame, numeric=list(frame.columns[1:]), note=note)


def themes_summary(results: Results, code: str, question: str = "RECOMMENDATIONS",
                   lang: str = "vi", top: int = 3) -> str:
    """The most named themes of an open question in one sentence ("" if none published)."""
    fmt.check_lang(lang)
    t = results.themes
    if t is None or t.empty:
        return ""
    rows = t[(t["unit"] == str(code)) & (t["question"] == question)
             & ~t["suppressed"].astype(bool) & (t["respondents"] > 0)]
    rows = rows[rows["theme"] != (results.meta.get("themes") or {}).get("other")]
    if rows.empty:
        return ""
    labels = fmt.theme_labels(results.meta, lang)
    rows = rows.sort_values("respondents", ascending=False, kind="stable").head(top)
    items = _join([f"**{labels.get(r.theme, r.theme)}** ({fmt.percent(r.share, 1, lang)})"
                   for r in rows.itertuples()], lang)
    return fmt.t("themes_summary", lang, n=fmt.count(int(rows["answered"].iloc[0]), lang),
                 items=items)


def quotes_markdown(results: Results, question: str = "RECOMMENDATIONS",
                    lang: str = "vi") -> str:
    """Redacted example answers per theme as a Markdown list ("" if none).

    The texts were redacted when the results were computed (:mod:`hailong.numbers.themes`) and
    are escaped here, so they show literally.
    """
    fmt.check_lang(lang)
    q = results.quotes
    if q is None or q.empty:
        return ""
    q = q[q["question"] == question]
    labels = fmt.theme_labels(results.meta, lang)
    lines, quoted = [], set()
    for theme, rows in q.groupby("theme", sort=False):
        # a sentence quoted under an earlier theme is not quoted again
        fresh = [text for text in rows["text"] if match_form(text) not in quoted]
        quoted.update(match_form(text) for text in fresh)
        if fresh:
            said = "; ".join(f"“{quote_markdown(text)}”" for text in fresh)
            lines.append(f"- **{labels.get(theme, theme)}:** {said}")
    return nfc("\n".join(lines))
