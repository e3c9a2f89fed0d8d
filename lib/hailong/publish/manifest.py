"""``<out>/<year>/manifest.json``: where a round's published figures come from.

The code's version (the git commit in a checkout), a hash of the configuration, the full
SHA-256 of every input (roster, exports, codebook, unit table, theme dictionary) and the
versions of Python and the packages that compute and render. No personal data: file
names and hashes only, paths relative to the project.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hailong.core.files import atomic_write, file_digest
from hailong.core.provenance import code_version, package_versions
from hailong.numbers.pipeline import fingerprint_files
from hailong.publish.base import RoundOutput, RoundWriter
from hailong.reference.config import PROJECT_ROOT, Config, Round

#: The manifest's file name in a round's output folder.
MANIFEST = "manifest.json"
#: Packages whose versions the manifest records.
PACKAGES = ("hailong", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbclient", "ipykernel", "openpyxl", "pyarrow", "playwright")


def _shown_path(path: Path) -> str:
    """A path relative to the project (the file name alone outside it)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


def provenance(config: Config, rnd: Round) -> dict:
    """The manifest's content for a round (without the time it was written)."""
    roles = {Path(rnd.roster).resolve(): "roster", Path(rnd.codebook).resolve(): "codebook",
             Path(rnd.units).resolve(): "units", Path(config.path).resolve(): "configuration"}
    roles |= {Path(p).resolve(): "responses" for p in rnd.responses}
    if config.themes is not None:
        roles[Path(config.themes).resolve()] = "themes"
    inputs = []
    for path in fingerprint_files(config, rnd):
        path = Path(path)
        inputs.append({"role": roles.get(path.resolve(), "input"), "path": _shown_path(path),
                       "sha256": file_digest(path), "size": path.stat().st_size})
    return {"round": rnd.year, "code": code_version(),
            "configuration": {"path": _shown_path(config.path),
                              "sha256": file_digest(config.path)},
            "inputs": inputs, "packages": package_versions(PACKAGES)}


def write_manifest(config: Config, rnd: Round, out_dir: str | Path) -> Path:
    """Write ``out_dir/manifest.json`` (:func:`provenance` and when it was written)."""
    content = {"written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               **provenance(config, rnd)}
    text = json.dumps(content, ensure_ascii=False, indent=1) + "\n"
    return atomic_write(Path(out_dir) / MANIFEST, text)


def _write_round(output: RoundOutput) -> list[Path]:
    return [write_manifest(output.config, output.round, output.out_dir)]


#: The round writer of the manifest (:mod:`hailong.publish.writers`): every build of a
#: round's results writes it; it is public, but not a download of the index.
WRITER = RoundWriter(name="manifest", write=_write_round, stale_when="always")
