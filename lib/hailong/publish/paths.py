"""Where a round's outputs go (cheap to import: the build plans with it)."""

from __future__ import annotations

from pathlib import Path

from hailong.reference.config import PROJECT_ROOT

#: Where the rounds' output folders go by default.
OUTPUT_DIR = PROJECT_ROOT / "output"
#: The folder of a round's internal outputs (never published, never on the index).
INTERNAL_DIR = "internal"


def round_dir(out: str | Path | None, round_year: int) -> Path:
    """The output folder of a round: ``<out>/<year>`` (default ``output/<year>``)."""
    return Path(out or OUTPUT_DIR).resolve() / str(round_year)
