"""The rounds lined up for a report's trend section, computed once per build and stored.

:func:`report_trend` is :func:`hailong.numbers.rounds.trend` of a round (every earlier
round with data, on this round's units and questions). It costs seconds (minutes' worth
over a commune round's hundred reports), so the first report of a build stores it under
``data/processed/<year>/trend/`` and the others read it. It is computed again when an
input, codebook, item mapping, crosswalk, the configuration or the code changes (the same
code rule as stored results: :func:`hailong.core.files.code_fingerprint`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hailong.core.files import code_fingerprint, files_digest, json_digest, replace_folder
from hailong.numbers import rounds
from hailong.reference.config import Config, Round, load_config

#: Folder, under a round's processed data, where :func:`report_trend` keeps its result.
TREND_DIR = "trend"


def trend_key(config: Config, years: Sequence[int], target: Round) -> str:
    """A hash of everything the lined-up rounds depend on (inputs, codebooks, item
    mappings, units, crosswalk, configuration, code)."""
    files = [config.path]
    folders = set()
    for y in years:
        r = config.round(y)
        files += [r.roster, *r.responses, r.codebook, r.units]
        folders.add(Path(r.codebook).parent)
    if target.crosswalk is not None:
        files.append(target.crosswalk.file)
    for folder in sorted(folders):
        files += sorted(folder.glob("mapping-*.yaml"))
    return json_digest(files_digest(files, names=False), list(years), code_fingerprint())


def _read(folder: Path, key: str) -> rounds.Trend | None:
    """The stored trend when it was made with ``key``; else ``None``."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        return rounds.Trend(table=pd.read_parquet(folder / "table.parquet"),
                            rounds=tuple(meta["rounds"]), items=tuple(meta["items"]),
                            items_left_out=tuple(meta["items_left_out"]),
                            notes=dict(meta["notes"]), min_n=int(meta["min_n"]))
    except (OSError, ValueError, KeyError):
        return None


def report_trend(round_year: int | str | None = None,
                 config_path: str | Path | None = None) -> rounds.Trend | None:
    """The rounds lined up for a report, or ``None`` when the round has no earlier one.

    Returns
    -------
    hailong.numbers.rounds.Trend or None
    """
    config = load_config(config_path)
    rnd = config.round(round_year)
    if config.previous_round(rnd.year) is None:
        return None
    have = set(rounds.available_rounds(config=config))
    years = [y for y in config.rounds_until(rnd.year) if y in have]
    if rnd.year not in years or len(years) < 2:
        return None
    key = trend_key(config, years, rnd)
    folder = config.processed_dir / str(rnd.year) / TREND_DIR
    stored = _read(folder, key)
    if stored is not None:
        return stored
    tr = rounds.trend(rnd.year, config.path, years=years)

    def fill(tmp: Path) -> None:
        tr.table.to_parquet(tmp / "table.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps(
            {"key": key, "rounds": list(tr.rounds), "items": list(tr.items),
             "items_left_out": list(tr.items_left_out), "notes": tr.notes,
             "min_n": tr.min_n}, ensure_ascii=False, indent=1), encoding="utf-8")

    # Another report may store it at the same moment: theirs is as good.
    replace_folder(folder, fill, tolerate_race=True)
    return tr
