"""Planning a build: which reports a round has, their notebooks, parameters and files.

:func:`plan` checks every parameter (round, units, language, notebooks and the parameters
they declare) and lists the jobs before any kernel starts; a wrong parameter fails at
once with the list of valid values. Cheap to import (no pandas).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hailong.core.errors import ConfigError
from hailong.publish.paths import round_dir
from hailong.reference.config import PROJECT_ROOT, Config, Round

if TYPE_CHECKING:  # pragma: no cover - imported when needed (they pull in pandas)
    from hailong.publish.export import ReportInfo


#: Where the report notebooks are.
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks" / "reports"


#: Default output folder (one sub-folder per round).
#: The notebook of each kind of report. A unit report is the same template at every
#: level (district in 2022, commune after 2025): units are data, not code paths.
KIND_NOTEBOOK = {"citywide": "citywide.ipynb", "district": "district.ipynb",
                 "commune": "district.ipynb", "progress": "progress.ipynb"}


#: Unit (and kind) of the survey progress report: ``hailong build --unit progress``.
PROGRESS = "progress"


#: The kernel the reports run on (see :mod:`hailong.run.kernel`).
KERNEL = "python3"


@dataclass(frozen=True)
class ReportJob:
    """One report to build: a notebook, its parameters and where its outputs go.

    Attributes
    ----------
    round_year, unit, kind, lang
        What the report is: ``unit`` is a unit code or ``"city"``; ``kind`` is
        ``"citywide"`` or the round's unit level (``"district"``).
    name
        The unit as a reader names it ("Huyện Thuỷ Nguyên").
    title
        The page title of the HTML report.
    notebook
        The report template that is run.
    parameters
        What papermill injects.
    html, executed
        The HTML page and the executed notebook.
    info
        What the title block / PDF cover says (organisation, unit, round, data date);
        filled by :func:`build` once the round's results are prepared.
    """

    round_year: int
    unit: str
    kind: str
    lang: str
    name: str
    title: str
    notebook: Path
    parameters: dict
    html: Path
    executed: Path
    info: ReportInfo | None = None

    @property
    def pdf(self) -> Path:
        """The report's PDF, beside its HTML page (``311.pdf``, ``311.en.pdf``)."""
        return self.html.with_suffix(".pdf")


def output_name(unit: str, lang: str, ext: str) -> str:
    """``311.html``; ``311.en.html`` for a report in English."""
    suffix = "" if lang == "vi" else f".{lang}"
    return f"{unit}{suffix}.{ext}"


#: Every parameter a report notebook receives, and its meaning (``hailong build --help``
#: lists them; the notebooks' parameters cells say the same for ``papermill --help-notebook``).
REPORT_PARAMETERS = {
    "round_year": "survey round (year), e.g. 2022; its data, questionnaire and geography "
                  "come from data/hailong.yaml",
    "unit": "GSO code of the unit the report is about: a district (e.g. 311 = Thuỷ Nguyên) "
            "in rounds up to 2024, a commune (e.g. 11560) from 2025; not passed to the "
            "citywide report",
    "lang": "language of the report: vi (Vietnamese) or en (English)",
    "config_path": "the configuration file the build used (None in a notebook = "
                   "data/hailong.yaml)",
}


def _parameters(kind: str, rnd: Round, unit: str, lang: str, config: Config) -> dict:
    params = {"round_year": rnd.year, "unit": unit, "lang": lang,
              "config_path": str(config.path)}
    if kind in ("citywide", PROGRESS):
        del params["unit"]
    return params


def _notebook(kind: str, notebooks: Path) -> Path:
    """The template of ``kind``, or ConfigError if it is missing."""
    name = KIND_NOTEBOOK.get(kind)
    if name is None:
        raise ConfigError("err.there_report_notebook_units",
                          expected=", ".join(sorted(KIND_NOTEBOOK)),
                          hint="hint.check_unit_level_round", kind=kind)
    path = notebooks / name
    if not path.is_file():
        raise ConfigError("err.report_notebook_does_exist", file=path,
                          hint="hint.restore_from_git_pass")
    return path


def declared_parameters(notebook: Path) -> set[str]:
    """The names assigned in the notebook's cell tagged ``parameters``.

    Raises
    ------
    ConfigError
        If the file is not a notebook.
    """
    import nbformat
    from papermill.translators import PythonTranslator

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # invalid JSON or not a notebook
        raise ConfigError("err.report_notebook_read", file=notebook, exc=exc) from None
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    return {p.name for p in PythonTranslator.inspect(cells[0])} if cells else set()


def check_notebook_parameters(notebook: Path, names: Iterable[str]) -> None:
    """Raise ConfigError unless ``notebook``'s parameters cell declares every name.

    papermill injects unknown parameters with only a warning, so a notebook that does
    not use ``lang`` would silently build the wrong report.
    """
    names = list(names)
    declared = declared_parameters(notebook)
    missing = [n for n in names if n not in declared]
    if missing:
        raise ConfigError("err.report_notebook_does_declare", file=notebook, found=missing,
                          expected="exp.cell_tagged_parameters_assigning",
                          hint="hint.add_them_notebook_s", value=', '.join(names))


def plan(config: Config, round_year: int | str | None = None,
         units: Iterable[str | int] | None = None, out: str | Path | None = None,
         lang: str = "vi", notebooks: str | Path | None = None) -> list[ReportJob]:
    """The reports of a round: the citywide one, then every unit of the round's level.

    Parameters
    ----------
    config
        The project configuration.
    round_year
        The round (default: the configuration's current round).
    units
        Only these unit codes (``"city"`` = the citywide report); default all.
    out
        Output folder; reports go to ``<out>/<year>/`` (default ``output/<year>/``).
    lang
        ``"vi"`` or ``"en"``.
    notebooks
        Folder of the report notebooks (default ``notebooks/reports``).

    Raises
    ------
    ParameterError
        Unknown round (lists the valid ones), unknown unit (lists the valid codes and
        their names) or unknown language.
    ConfigError
        A report notebook is missing or lacks a parameter.
    """
    from hailong.present.fmt import check_lang, t, unit_name
    from hailong.reference.geography import CITY, load_units

    check_lang(lang)
    rnd = config.round(round_year)
    geo = load_units(rnd.units, rnd.geography_date)
    level = rnd.unit_level
    every = [CITY, *geo.codes(level)]
    units = list(units) if units else None
    asked = [u for u in units or () if str(u).strip() != PROGRESS]  # PROGRESS: see below
    wanted = set(geo.check(asked, level)) if asked else set() if units else set(every)
    folder = Path(notebooks or NOTEBOOK_DIR).resolve()
    out_dir = round_dir(out, rnd.year)
    period = rnd.label.get(lang) or str(rnd.year)
    jobs, checked = [], set()
    for code in (c for c in every if c in wanted):
        kind = "citywide" if code == CITY else level
        nb = _notebook(kind, folder)
        params = _parameters(kind, rnd, code, lang, config)
        if nb not in checked:
            check_notebook_parameters(nb, list(params))
            checked.add(nb)
        name = unit_name(geo, code, lang)
        jobs.append(ReportJob(
            round_year=rnd.year, unit=code, kind=kind, lang=lang, name=name,
            title=t("report_title", lang, unit=name, period=period), notebook=nb,
            parameters=params, html=out_dir / output_name(code, lang, "html"),
            executed=out_dir / "notebooks" / output_name(code, lang, "ipynb")))
    return jobs + _progress_jobs(config, rnd, units, folder, out_dir, lang)


def _progress_jobs(config: Config, rnd: Round, units: list | None, folder: Path,
                   out_dir: Path, lang: str) -> list[ReportJob]:
    """The progress report (aggregates only, listed on the index): when every report is
    built and ``folder`` has its notebook, or when ``units`` names it (then the notebook
    must exist)."""
    from hailong.present.fmt import t

    named = any(str(u).strip() == PROGRESS for u in units or ())
    if not named and (units or not (folder / KIND_NOTEBOOK[PROGRESS]).is_file()):
        return []
    nb = _notebook(PROGRESS, folder)
    params = _parameters(PROGRESS, rnd, PROGRESS, lang, config)
    check_notebook_parameters(nb, list(params))
    period = rnd.label.get(lang) or str(rnd.year)
    return [ReportJob(
        round_year=rnd.year, unit=PROGRESS, kind=PROGRESS, lang=lang,
        name=t("progress_name", lang), title=t("progress_page_title", lang, period=period),
        notebook=nb, parameters=params, html=out_dir / output_name(PROGRESS, lang, "html"),
        executed=out_dir / "notebooks" / output_name(PROGRESS, lang, "ipynb"))]
