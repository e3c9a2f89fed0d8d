"""Planning and building the reports of a round.

Only three tests start kernels (papermill, ~1.5 s each): they use the tiny notebooks in
tests/data/notebooks and a stub instead of the real results.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from pathlib import Path

import nbformat
import pytest

from _config import write_config
from _losses import lossy_round
from hailong.core.errors import BuildError, ConfigError, ParameterError
from hailong.reference.config import load_config
from hailong.run.build import build, plan

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
# The 15 districts of Hai Phong in 2022 (GSO codes; 310 does not exist).
DISTRICTS_2022 = ["303", "304", "305", "306", "307", "308", "309",
                  "311", "312", "313", "314", "315", "316", "317", "318"]
# papermill numbers the cells of the executed notebook, where it inserts the
# injected-parameters cell after the parameters cell: parameters 0, injected 1,
# markdown 2, Markdown display 3, image 4, the cell raising for unit 305 is 5.
FAILING_CELL = 5




class Prepare:
    """Stands in for load_results: records its calls and what existed at that moment."""

    def __init__(self, out_dir: Path, meta: dict | None = None):
        self.calls: list[dict] = []
        self.out_dir = out_dir
        self.meta = meta or {}

    def __call__(self, **kwargs):
        # the build has made (and locked) the output folder by now, but written no file
        written = self.out_dir.exists() and any(p.is_file() for p in self.out_dir.rglob("*"))
        self.calls.append({**kwargs, "outputs_existed": written})
        return self


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


# --- planning: no kernel -------------------------------------------------------------

def test_plan_lists_the_city_then_every_district_of_2022(tmp_path):
    cfg = load_config()
    jobs = plan(cfg, 2022, out=tmp_path, notebooks=NOTEBOOKS)
    assert [j.unit for j in jobs] == ["city", *DISTRICTS_2022]
    city, thuy_nguyen = jobs[0], jobs[DISTRICTS_2022.index("311") + 1]
    assert (city.kind, city.notebook.name) == ("citywide", "citywide.ipynb")
    assert city.parameters == {"round_year": 2022, "lang": "vi",
                               "config_path": str(cfg.path)}
    assert city.html == tmp_path / "2022" / "city.html"
    assert thuy_nguyen.kind == "district"
    assert thuy_nguyen.name == "Huyện Thuỷ Nguyên"
    assert thuy_nguyen.parameters == {"round_year": 2022, "unit": "311", "lang": "vi",
                                      "config_path": str(cfg.path)}
    assert thuy_nguyen.html == tmp_path / "2022" / "311.html"
    assert thuy_nguyen.executed == tmp_path / "2022" / "notebooks" / "311.ipynb"


def test_plan_keeps_only_the_units_asked_for_in_report_order(tmp_path):
    jobs = plan(load_config(), units=["311", 303, "city"], out=tmp_path, notebooks=NOTEBOOKS)
    assert [j.unit for j in jobs] == ["city", "303", "311"]


def test_english_reports_do_not_overwrite_vietnamese_ones(tmp_path):
    (job,) = plan(load_config(), units=["311"], out=tmp_path, lang="en", notebooks=NOTEBOOKS)
    assert job.html.name == "311.en.html" and job.executed.name == "311.en.ipynb"
    assert job.parameters["lang"] == "en" and job.name == "Thuy Nguyen District"


def test_unknown_unit_is_refused_before_anything_runs(tmp_path):
    prepare = Prepare(tmp_path / "out")
    with pytest.raises(ParameterError) as info:
        build(units=["311", "999"], out=tmp_path / "out", config_path=write_config(tmp_path),
              prepare=prepare, notebooks=NOTEBOOKS, progress=False)
    message = str(info.value)
    assert "'999'" in message
    assert "303 (Hồng Bàng)" in message and "318 (Bạch Long Vĩ)" in message
    assert all(code in message for code in DISTRICTS_2022)
    assert prepare.calls == [] and not (tmp_path / "out").exists()


def test_unknown_round_lists_the_valid_rounds(tmp_path):
    with pytest.raises(ParameterError, match="2022"):
        plan(load_config(write_config(tmp_path)), 2019, notebooks=NOTEBOOKS)


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="'vi' or 'en'"):
        plan(load_config(), lang="fr", notebooks=NOTEBOOKS)


def test_missing_notebook_is_a_configuration_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError) as info:
        plan(load_config(), units=["city"], notebooks=tmp_path / "empty")
    assert info.value.file == str(tmp_path / "empty" / "citywide.ipynb")


def test_notebook_must_declare_every_parameter_the_build_passes(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("round_year = 2022")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, str(tmp_path / "citywide.ipynb"))
    with pytest.raises(ConfigError) as info:
        plan(load_config(), units=["city"], notebooks=tmp_path)
    assert info.value.found == ["lang", "config_path"]


# --- building: starts kernels --------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    prepare = Prepare(tmp / "out", meta={"data_date": "2023-05-16"})
    summary = build(units=["303", "city"], out=tmp / "out", config_path=write_config(tmp),
                    prepare=prepare, notebooks=NOTEBOOKS, progress=False)
    return summary, prepare


def test_build_prepares_once_before_any_notebook(built):
    summary, prepare = built
    assert len(prepare.calls) == 1
    call = prepare.calls[0]
    assert call["round_year"] == 2022 and call["outputs_existed"] is False
    assert Path(call["config_path"]).name == "hailong.yaml"


def test_build_writes_a_page_and_an_executed_notebook_per_report(built):
    summary, _ = built
    out = summary.out_dir
    assert out.name == "2022" and summary.failures == []
    assert [j.unit for j in summary.built] == ["city", "303"]
    for name in ("city.html", "303.html", "index.html",
                 "notebooks/city.ipynb", "notebooks/303.ipynb"):
        assert (out / name).is_file(), name
    assert summary.index == out / "index.html"
    executed = nbformat.read(str(out / "notebooks" / "303.ipynb"), as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'unit = "303"' in injected[0].source
    assert sorted(p.name for p in out.iterdir()) == ["303.html", "city.html", "index.html",
                                                    "notebooks"]  # no temporary files


def test_built_page_shows_the_report_and_nothing_else(built):
    summary, _ = built
    page = (summary.out_dir / "303.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page and re.search(r'<meta charset="utf-8"', page, re.I)
    assert "Báo cáo đơn vị 303 – năm 2022" in page      # the notebook's Markdown output
    assert "Quận Hồng Bàng" in page[page.index("<title>"):page.index("</title>")]
    assert "<script src" not in page and "<script" not in page
    assert "In [" not in page and "In&nbsp;[" not in page
    assert "display(Markdown(" not in page and "FAILS_FOR" not in page  # no code
    assert "STDERR-WARNING-TEXT" not in page
    assert "data:image/png;base64," in page


def test_index_links_every_built_report_and_the_data_date(built):
    summary, _ = built
    html = summary.index.read_text(encoding="utf-8")
    assert links(html) == ["city.html", "303.html"]
    assert "Thành phố Hải Phòng" in html and "Quận Hồng Bàng" in html
    assert "Số liệu đến ngày: 16/05/2023" in html
    assert "internal/" not in html


def test_a_failing_report_does_not_stop_the_others(tmp_path):
    out = tmp_path / "out"
    # Pages left by an earlier build: 304 must stay listed, 305 (failing now) must go.
    (out / "2022").mkdir(parents=True)
    (out / "2022" / "304.html").write_text("<p>earlier</p>", encoding="utf-8")
    (out / "2022" / "305.html").write_text("<p>stale</p>", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build(units=["305", "303"], out=out, config_path=write_config(tmp_path),
              prepare=Prepare(out), notebooks=NOTEBOOKS, progress=False)
    err = info.value
    assert err.exit_code == 1
    (failure,) = err.failures
    assert failure.unit == "305" and failure.cell == FAILING_CELL
    assert failure.error == "ValueError: no data for unit 305"
    assert failure.output_notebook == str(out / "2022" / "notebooks" / "305.ipynb")
    assert Path(failure.output_notebook).is_file()
    assert "305 (cell 5)" in str(err)
    assert [j.unit for j in err.summary.built] == ["303"]
    assert (out / "2022" / "303.html").is_file()
    assert not (out / "2022" / "305.html").exists()
    html = (out / "2022" / "index.html").read_text(encoding="utf-8")
    assert links(html) == ["303.html", "304.html"]


def test_a_single_report_is_built_here_and_leftovers_of_a_killed_build_go(tmp_path):
    """One report: no worker process is started (it runs in this process, on one
    kernel); temporary files that a killed build left beside the outputs are removed,
    the outputs themselves are kept."""
    import os

    out = tmp_path / "out" / "2022"
    (out / "notebooks").mkdir(parents=True)
    left = [out / ".303.html.a1b2c3.tmp", out / "notebooks" / ".303.4242.tmp.ipynb",
            out / ".city.pdf.4242.tmp"]
    for path in left:
        path.write_text("half a file", encoding="utf-8")
    (out / "city.html").write_text("<p>earlier</p>", encoding="utf-8")
    summary = build(units=["303"], out=tmp_path / "out", config_path=write_config(tmp_path),
                    prepare=Prepare(out), notebooks=NOTEBOOKS, progress=False, workers=4)
    assert summary.executor == "local, 1 worker"
    (result,) = summary.jobs
    assert result.ok and result.worker.endswith(f":{os.getpid()}")
    assert result.kernel_starts == 1 and result.execute_s > 0 and result.html_s > 0
    assert not any(path.exists() for path in left)
    assert (out / "city.html").read_text(encoding="utf-8") == "<p>earlier</p>"


# --- issue 14: the lock before anything is written; processed data per configuration;
#     losses above the limit ------------------------------------------------------------

@contextlib.contextmanager
def held(folder: Path):
    """Hold a build's lock on ``folder`` (as another build would)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def test_a_build_refused_the_output_lock_writes_nothing_under_processed(tmp_path):
    config = lossy_round(tmp_path / "project", bad=0)
    out = tmp_path / "out"
    with held(out / "2022"), pytest.raises(BuildError, match="Another build is writing to"):
        build(units=["303"], out=out, config_path=config, notebooks=NOTEBOOKS,
              progress=False)
    assert not (tmp_path / "project" / "processed").exists()   # nothing ingested
    assert list((out / "2022").iterdir()) == []


def test_a_build_refused_the_processed_lock_writes_nothing_there(tmp_path):
    config = lossy_round(tmp_path / "project", bad=0)
    processed = tmp_path / "project" / "processed"
    with held(processed), pytest.raises(BuildError) as info:
        build(units=["303"], out=tmp_path / "elsewhere", config_path=config,
              notebooks=NOTEBOOKS, progress=False)
    assert f"Another build is writing to {processed}" in str(info.value)
    assert "same configuration" in str(info.value)
    assert list(processed.iterdir()) == []


def test_a_trial_configuration_keeps_its_own_processed_data(tmp_path):
    """A trial configuration beside the main one, for the same year, with 30 rows that
    cannot be used: its build stops (exit status 3, nothing published) and its ledger and
    data-quality report go to processed/config-trial/2022/, leaving the main ones."""
    from hailong.numbers.pipeline import load_results
    from hailong.run.losses import LossesTooHigh

    project = tmp_path / "project"
    main_config = lossy_round(project, bad=0)
    load_results(2022, main_config)
    main = project / "processed" / "2022"
    before = {name: (main / name).read_bytes() for name in ("ledger.csv", "data-quality.csv",
                                                            "manifest.json")}
    trial = lossy_round(project, bad=30, name="trial.yaml")
    assert load_config(trial).processed_dir == project / "processed" / "config-trial"
    out = tmp_path / "out"
    with pytest.raises(LossesTooHigh) as info:
        build(units=["303"], out=out, config_path=trial, notebooks=NOTEBOOKS, progress=False)
    assert info.value.exit_code == 3
    assert not any(p.is_file() for p in out.rglob("*"))                 # nothing published
    assert {name: (main / name).read_bytes() for name in before} == before
    ledger = (project / "processed" / "config-trial" / "2022" / "ledger.csv").read_text(
        encoding="utf-8-sig")
    assert ledger.count(",set_aside,") == 30
    # 30 of 368 rows = 8.2% > 2%; every figure in Vietnamese, with a decimal comma
    assert "Đã để riêng 30 trong 368 dòng khảo sát (8,2%)" in str(info.value)
    assert "responses-trial.csv: 30 dòng" in str(info.value)
    assert "--publish-anyway" in str(info.value)
