"""A one-round (2022) test configuration that uses the project's real reference tables."""

from pathlib import Path

from hailong.reference.config import PROJECT_ROOT


def write_config(tmp_path: Path) -> Path:
    """Write ``hailong.yaml`` in ``tmp_path``; roster and export are ``tmp_path``'s files."""
    ref = PROJECT_ROOT / "data" / "reference"
    path = tmp_path / "hailong.yaml"
    path.write_text(f"""\
organisation: {{vi: "Liên minh HTX thử nghiệm", en: "Test Alliance"}}
current_round: 2022
rounds:
  2022:
    label: {{vi: "Năm 2022", en: "2022"}}
    codebook: {ref / "codebook" / "codebook-v1.yaml"}
    units: {ref / "units-2022.csv"}
    unit_level: district
    geography_date: 2022-10-01
    roster: roster.csv
    responses: [responses.csv]
""", encoding="utf-8")
    return path
