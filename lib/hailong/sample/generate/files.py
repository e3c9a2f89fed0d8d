"""Writing the sample: the roster and the survey export as staff and the online form
give them (Vietnamese headers and labels), as byte-stable CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core.text import nfc
from hailong.ingest.readers import load_roster_spec
from hailong.reference.codebook import Codebook
from hailong.reference.config import Config

#: File names written by :func:`generate_sample`.
ROSTER_FILE = "roster.csv"
RESPONSES_FILE = "responses.csv"
#: Roster column headers and yes/no words, relative to the configuration's data folder.
ROSTER_COLUMNS_FILE = Path("reference") / "roster-columns.yaml"


def _roster_headers(config: Config) -> tuple[dict[str, str], tuple[str, str]]:
    """Roster headers (first alias of each canonical column) and the yes/no words."""
    spec = load_roster_spec(config.data_dir / ROSTER_COLUMNS_FILE)
    return {k: v[0] for k, v in spec.fields.items()}, (spec.yes[0], spec.no[0])


def _roster_export(roster: pd.DataFrame, codebook: Codebook, headers: dict[str, str],
                   yes_no: tuple[str, str]) -> pd.DataFrame:
    """The roster as staff keep it: Vietnamese headers and labels."""
    out = roster.copy()
    out["sector"] = [codebook.sectors[s]["vi"] for s in out["sector"]]
    out["member"] = np.where(out["member"], yes_no[0], yes_no[1])
    out = out[[c for c in headers if c in out.columns]]
    return out.rename(columns=headers)


def _responses_export(subs: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Submissions as the online form exports them: Vietnamese headers and labels."""
    f = codebook.export_fields
    head = lambda key, default: (f.get(key) or (default,))[0]  # noqa: E731
    out = pd.DataFrame({
        head("submitted_at", "Dấu thời gian"): [t.strftime("%d/%m/%Y %H:%M:%S")
                                                for t in subs["submitted_at"]],
        head("coop_id", "Mã HTX"): subs["coop_id"],
        head("coop_name", "Tên HTX"): subs["coop_name"],
        head("variant", "Loại hình"): [codebook.variants[v]["vi"] for v in subs["variant"]],
        head("respondent_name", "Họ và tên người trả lời"): subs["respondent_name"],
        head("respondent_phone", "Số điện thoại"): subs["respondent_phone"],
    })
    for it in codebook.scored_items:
        out[f"{it.number}. {it.vi}"] = [_label(v, codebook) for v in subs[it.id]]
    for it in codebook.open_questions:
        out[f"{it.number}. {it.vi}"] = subs[it.id].fillna("") if it.id in subs else ""
    return out


def _label(value: float, codebook: Codebook) -> str:
    if pd.isna(value):
        return ""
    if value < 0:
        return codebook.no_opinion[0] if codebook.no_opinion else ""
    return codebook.scale.label(int(value))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, ``\\n`` line ends, NFC text: the same bytes for the same frame."""
    frame = frame.map(lambda v: nfc(v) if isinstance(v, str) else v)
    frame.columns = [nfc(c) for c in frame.columns]
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
