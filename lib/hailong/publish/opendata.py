"""Open data: a round's published tables as CSV and JSON, with a data dictionary.

The tables are those of the workbook (:func:`hailong.publish.workbook.tables`), so they
carry exactly what the reports publish: a withheld figure is an empty cell (CSV) or
``null`` (JSON), never a number. Figures are rounded to the precision the reports print
(index 0.1, mean 0.01, shares 0.1 percentage point, counts whole: the workbook's
tables are), so nothing finer is published than a reader of the reports sees.

Files, under ``<out>/<year>/data/``:

- one CSV per table (UTF-8 with BOM, so Excel shows Vietnamese letters; comma-separated,
  ``.`` as the decimal point, shares as 0–1);
- ``<name>.json``: every table (columns and rows), the data dictionary and where the
  figures come from;
- the data dictionary as CSV: every question of the questionnaire (id, number, text in
  Vietnamese and English, area, answer scale, which kinds of cooperative are asked).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd

from hailong.core.files import atomic_write
from hailong.core.provenance import code_version
from hailong.numbers.scoring import Results
from hailong.present import fmt
from hailong.publish.base import RoundOutput, RoundWriter
from hailong.publish.workbook import DECIMALS, Sheet, tables, workbook_name
from hailong.reference.codebook import Codebook

#: Sub-folder of a round's output folder.
DATA_DIR = "data"
#: File names and the data dictionary's column names (identifiers, not phrases).
_TEXT = {
    "vi": {"dictionary": "tu-dien-du-lieu",
           "columns": {"id": "ma_cau_hoi", "number": "so_cau", "text_vi": "noi_dung_vi",
                       "text_en": "noi_dung_en", "dimension": "linh_vuc",
                       "kind": "loai", "scale": "thang_tra_loi", "asked": "doi_tuong_tra_loi"}},
    "en": {"dictionary": "data-dictionary",
           "columns": {"id": "item_id", "number": "number", "text_vi": "text_vi",
                       "text_en": "text_en", "dimension": "dimension", "kind": "kind",
                       "scale": "scale", "asked": "asked_of"}},
}


def slug(name: str) -> str:
    """A file name from a table's name: ``Tổng hợp`` -> ``tong-hop``."""
    text = fmt.ascii_name(name).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def published_frame(sheet: Sheet) -> pd.DataFrame:
    """A table as published: its figures at the reports' precision (the workbook's tables
    already are: :func:`hailong.publish.workbook.printed_value`), whole counts as
    integers, withheld figures missing."""
    frame = sheet.frame.copy()
    for column, kind in sheet.kinds.items():
        if column in frame:
            values = pd.Series(frame[column], index=frame.index, dtype="Float64")
            frame[column] = values.astype("Int64") if DECIMALS.get(kind) == 0 else values
    return frame


def dictionary(codebook: Codebook, lang: str = "vi") -> pd.DataFrame:
    """The questionnaire as data: one row per question (scored items, the overall
    question, the open questions)."""
    cols = _TEXT[fmt.check_lang(lang)]["columns"]
    scale = "; ".join(f"{v} = {label[lang]}" for v, label in codebook.scale.labels.items())
    variants = {v: names.get(lang, names.get("vi", v)) for v, names in codebook.variants.items()}
    dims = {d.id: d.text(lang) for d in codebook.dimensions}
    rows = []
    kinds = ([("item", i) for i in codebook.items] + [("overall", codebook.overall)]
             + [("open", i) for i in codebook.open_questions])
    for kind, item in kinds:
        rows.append({cols["id"]: item.id, cols["number"]: item.number,
                     cols["text_vi"]: item.vi, cols["text_en"]: item.en,
                     cols["dimension"]: dims.get(item.dimension, ""), cols["kind"]: kind,
                     cols["scale"]: "" if kind == "open" else scale,
                     cols["asked"]: "; ".join(variants.get(v, v) for v in item.variants)})
    return pd.DataFrame(rows)


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_open_data(results: Results, codebook: Codebook, out_dir: str | Path,
                    lang: str = "vi") -> list[Path]:
    """Write a round's open data under ``out_dir/data/``; the files written (the JSON
    file first)."""
    text = _TEXT[fmt.check_lang(lang)]
    folder = Path(out_dir) / DATA_DIR
    year = int(results.meta.get("round", 0))
    stem = workbook_name(year, lang).rsplit(".xlsx", 1)[0]
    written, payload = [], {}
    for sheet in tables(results, lang):
        frame = published_frame(sheet)
        name = slug(sheet.name)
        written.append(atomic_write(folder / f"{name}.csv", _csv(frame)))
        payload[name] = {"title": sheet.name, "description": sheet.title,
                         "columns": list(frame.columns),
                         "rows": [[_json_value(v) for v in row]
                                  for row in frame.itertuples(index=False)]}
    terms = dictionary(codebook, lang)
    written.append(atomic_write(folder / f"{text['dictionary']}.csv", _csv(terms)))
    version = code_version()
    document = {
        "round": year, "language": lang,
        "organisation": results.meta.get("organisation", {}).get(lang, ""),
        "data_date": results.meta.get("data_date"),
        "min_n": results.meta.get("min_n"),
        "withheld": ("null: not published (fewer than min_n cooperatives answered, or "
                     "withheld so that another withheld figure cannot be worked out)"),
        "code": {"version": version["version"], "commit": version["commit"]},
        "inputs": [{"name": e.get("name"), "sha256": e.get("sha256")}
                   for e in results.meta.get("inputs", [])],
        "tables": payload,
        "dictionary": {"columns": list(terms.columns),
                       "rows": [[_json_value(v) for v in row]
                                for row in terms.itertuples(index=False)]},
    }
    body = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    return [atomic_write(folder / f"{stem}.json", body), *written]


def link_label(lang: str = "vi") -> str:
    """The index's link text for the open data."""
    return fmt.t("index_open_data", lang)


def _write_round(output: RoundOutput) -> list[Path]:
    from hailong.reference.codebook import load_codebook

    if output.results is None:
        return []
    return write_open_data(output.results, load_codebook(output.round.codebook),
                           output.out_dir, output.lang)


def _link(year: int, lang: str) -> tuple[str, str]:
    stem = workbook_name(year, lang).rsplit(".xlsx", 1)[0]
    return link_label(lang), f"{DATA_DIR}/{stem}.json"


#: The round writer of the open data (:mod:`hailong.publish.writers`).
WRITER = RoundWriter(name="opendata", write=_write_round, link=_link, option="open_data")
