"""A copy of the 2022 sample in which some survey rows cannot be attributed to any
cooperative (blank code, a name that is on no roster): they are set aside whole."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from _config import write_config
from hailong.reference.config import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "sample" / "2022"
#: Survey rows of the sample export (each answers for one cooperative; none set aside).
SAMPLE_ROWS = 368


def write_export(path: Path, bad: int) -> Path:
    """The sample export with its first ``bad`` rows made unattributable."""
    with (SAMPLE / "responses.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    code, name = rows[0].index("Mã HTX"), rows[0].index("Tên HTX")
    for i, row in enumerate(rows[1:bad + 1]):
        row[code] = ""
        row[name] = f"HTX Không Có Thật Số {i}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def lossy_round(folder: Path, bad: int = 30, name: str = "hailong.yaml") -> Path:
    """A one-round configuration ``folder/name`` over the sample roster and an export with
    ``bad`` unattributable rows (``responses.csv``, or ``responses-<stem>.csv`` for a
    configuration not named hailong.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE / "roster.csv", folder / "roster.csv")
    config = write_config(folder)
    export = "responses.csv"
    if name != "hailong.yaml":
        export = f"responses-{Path(name).stem}.csv"
        text = config.read_text(encoding="utf-8").replace("[responses.csv]", f"[{export}]")
        config.unlink()
        config = folder / name
        config.write_text(text, encoding="utf-8")
    write_export(folder / export, bad)
    return config
