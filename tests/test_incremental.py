"""What a build redoes after which change, and what a build killed mid-way leaves behind.

The round is a copy of the bundled sample (its results are computed for real, so every
report's key comes from the rows it reads); the reports are the tiny test notebooks.
The tests of what rebuilds replace the report job by a stand-in that writes small files
(no kernel); the test of a killed build runs real kernels in a child process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import hailong.run.build
from hailong.core.errors import BuildError, ReportFailure
from hailong.reference.config import PROJECT_ROOT
from hailong.run.build import build
from hailong.run.jobs import JobResult

TEST_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
SAMPLE = PROJECT_ROOT / "data" / "sample" / "2022"
DISTRICTS = ["303", "304", "305", "306", "307", "308", "309",
             "311", "312", "313", "314", "315", "316", "317", "318"]
EVERY = ["city", *DISTRICTS]


def make_project(root: Path) -> Path:
    """A project of its own: config, data, unit table and notebooks that tests may edit."""
    ref = PROJECT_ROOT / "data" / "reference"
    root.mkdir(parents=True, exist_ok=True)
    for name in ("roster.csv", "responses.csv"):
        shutil.copy(SAMPLE / name, root / name)
    shutil.copy(ref / "units-2022.csv", root / "units.csv")
    shutil.copytree(TEST_NOTEBOOKS, root / "notebooks")
    config = root / "hailong.yaml"
    config.write_text(f"""\
organisation: {{vi: "Liên minh HTX thử nghiệm", en: "Test Alliance"}}
current_round: 2022
min_n: 5
rounds:
  2022:
    label: {{vi: "Năm 2022", en: "2022"}}
    codebook: {ref / "codebook" / "codebook-v1.yaml"}
    units: units.csv
    unit_level: district
    geography_date: 2022-10-01
    roster: roster.csv
    responses: [responses.csv]
""", encoding="utf-8")
    return config


class FakeJobs:
    """Stands in for :func:`hailong.run.jobs.run_job`: writes a page, an executed notebook
    (and a PDF) per report, records which reports ran, and fails the units told to."""

    def __init__(self):
        self.ran: list[str] = []
        self.fail: set[str] = set()

    def __call__(self, job, pdf=False, stage=False, code=None):
        self.ran.append(job.unit)
        if job.unit in self.fail:
            return JobResult(job=job, failure=ReportFailure(unit=job.unit, notebook="x",
                                                            error="broken"))
        for path in (job.html, job.executed):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"<html>{job.unit} {len(self.ran)}</html>\n", encoding="utf-8")
        return JobResult(job=job, pdf="made" if pdf else "")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project whose results are computed once (copied by each test)."""
    from hailong.numbers.pipeline import load_results

    config = make_project(tmp_path_factory.mktemp("template") / "project")
    load_results(config_path=config)
    return config.parent


@pytest.fixture
def project(tmp_path, monkeypatch, template):
    """(config, fake jobs, build function) of a fresh project; kernels are never started."""
    shutil.copytree(template, tmp_path / "project")
    config = tmp_path / "project" / "hailong.yaml"
    jobs = FakeJobs()
    monkeypatch.setattr(hailong.run.build, "run_job", jobs)

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr("hailong.run.kernel.WarmKernel.start", no_kernel)

    def run(**kw):
        jobs.ran.clear()
        return build(out=tmp_path / "out", config_path=config, notebooks=config.parent /
                     "notebooks", progress=False, workers=1, **kw)

    return config, jobs, run


def test_nothing_changed_nothing_is_rebuilt(project):
    config, jobs, run = project
    first = run()
    assert [j.unit for j in first.built] == EVERY and first.up_to_date == []
    index = first.index.stat().st_mtime_ns
    again = run()
    assert jobs.ran == [] and again.built == [] and sorted(again.up_to_date) == sorted(EVERY)
    assert list(again.steps) == ["check"]  # decided before planning or loading results
    assert again.index == first.index and first.index.stat().st_mtime_ns == index
    assert again.workbook == first.workbook and again.workbook.is_file()


def test_a_unit_renamed_rebuilds_its_report_and_the_city_only(project):
    config, jobs, run = project
    run()
    units = config.parent / "units.csv"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("303,Hồng Bàng,Quận Hồng Bàng",
                                  "303,Hồng Bàng Mới,Quận Hồng Bàng Mới"), encoding="utf-8")
    after = run()
    assert sorted(jobs.ran) == ["303", "city"]
    assert sorted(after.up_to_date) == sorted(set(EVERY) - {"303", "city"})
    assert "Quận Hồng Bàng Mới" in after.index.read_text(encoding="utf-8")


def test_a_changed_answer_rebuilds_every_report(project):
    """Every report shows the city's figures and names the input files with their
    SHA-256 (methodology): a changed answer changes all of them."""
    config, jobs, run = project
    run()
    responses = config.parent / "responses.csv"
    lines = responses.read_text(encoding="utf-8").split("\n")
    first = lines[1]
    assert first.startswith("17/02/2023 15:33:18,HP-0204,")
    lines[1] = first.replace(",Rất hài lòng,", ",Rất không hài lòng,", 1)
    responses.write_text("\n".join(lines), encoding="utf-8")
    run()
    assert sorted(jobs.ran) == sorted(EVERY)


def test_a_changed_notebook_rebuilds_the_reports_made_from_it(project):
    config, jobs, run = project
    run()
    district = config.parent / "notebooks" / "district.ipynb"
    nb = nbformat.read(str(district), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Một đoạn mới."))
    nbformat.write(nb, str(district))
    run()
    assert sorted(jobs.ran) == sorted(DISTRICTS)
    citywide = config.parent / "notebooks" / "citywide.ipynb"
    nb = nbformat.read(str(citywide), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Một đoạn mới."))
    nbformat.write(nb, str(citywide))
    run()
    assert jobs.ran == ["city"]


def test_a_report_deleted_or_edited_is_made_again(project):
    config, jobs, run = project
    first = run()
    (first.out_dir / "311.html").unlink()
    (first.out_dir / "notebooks" / "312.ipynb").write_text("{}", encoding="utf-8")
    run()
    assert sorted(jobs.ran) == ["311", "312"]


def test_force_rebuilds_everything(project):
    config, jobs, run = project
    run()
    forced = run(force=True)
    assert sorted(jobs.ran) == sorted(EVERY) and forced.up_to_date == []


def test_a_failed_report_is_tried_again_and_only_it(project):
    config, jobs, run = project
    jobs.fail = {"305"}
    with pytest.raises(BuildError):
        run()
    jobs.fail = set()
    again = run()
    assert jobs.ran == ["305"] and [j.unit for j in again.built] == ["305"]
    run()
    assert jobs.ran == []


def test_units_asked_for_are_checked_against_the_same_state(project):
    config, jobs, run = project
    run(units=["303", "city"])
    assert sorted(jobs.ran) == ["303", "city"]
    run()
    assert sorted(jobs.ran) == sorted(set(EVERY) - {"303", "city"})
    run(units=["303"])
    assert jobs.ran == []


def test_another_build_into_the_same_folder_is_refused(project, tmp_path):
    import fcntl

    config, jobs, run = project
    first = run()
    (config.parent / "notebooks" / "citywide.ipynb").touch()  # not a change of content
    fd = os.open(first.out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BuildError, match="Another build is writing"):
            run(force=True)
    finally:
        os.close(fd)
    assert jobs.ran == []


# --- a build killed mid-way ---------------------------------------------------------------

KILLED_UNITS = ["303", "304", "306", "307", "308", "309", "city"]

BUILD = """\
import sys
from hailong.run.build import build
build(units={units!r}, out={out!r}, config_path={config!r}, notebooks={notebooks!r},
      progress=False, workers=1)
"""


def _slow_version(notebooks: Path) -> None:
    """Every report now takes a second and says it is the new version."""
    for name in ("district.ipynb", "citywide.ipynb"):
        path = notebooks / name
        nb = nbformat.read(str(path), as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(
            'import time\ntime.sleep(1)\nfrom IPython.display import Markdown, display\n'
            'display(Markdown("phiên bản 2"))'))
        nbformat.write(nb, str(path))


def test_a_build_killed_mid_way_leaves_every_report_whole_and_the_next_finishes(tmp_path,
                                                                               template):
    shutil.copytree(template, tmp_path / "project")
    config = tmp_path / "project" / "hailong.yaml"
    out = tmp_path / "out"
    kw = dict(units=KILLED_UNITS, out=out, config_path=config,
              notebooks=config.parent / "notebooks", progress=False)
    build(**kw)
    pages = {u: out / "2022" / f"{u}.html" for u in KILLED_UNITS}
    old = {u: p.read_bytes() for u, p in pages.items()}
    _slow_version(config.parent / "notebooks")
    code = BUILD.format(units=KILLED_UNITS, out=str(out), config=str(config),
                        notebooks=str(config.parent / "notebooks"))
    start = time.time()
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            done = [u for u, p in pages.items() if p.stat().st_mtime > start]
            if len(done) >= 2:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the build ended before it could be killed"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    renewed = []
    for unit, page in pages.items():  # every page whole: the old one or the new one
        body = page.read_bytes()
        assert body == old[unit] or body.rstrip().endswith(b"</html>"), unit
        if body != old[unit]:
            renewed.append(unit)
            assert "phiên bản 2".encode() in body
        nbformat.read(str(out / "2022" / "notebooks" / f"{unit}.ipynb"), as_version=4)
    assert 2 <= len(renewed) < len(KILLED_UNITS)
    summary = build(**kw)  # the next build finishes the job
    assert set(j.unit for j in summary.built) == set(KILLED_UNITS) - set(summary.up_to_date)
    assert set(renewed) - set(j.unit for j in summary.built)  # work of the killed build kept
    for page in pages.values():
        assert "phiên bản 2".encode() in page.read_bytes()
    leftovers = [p.name for folder in (out / "2022", out / "2022" / "notebooks")
                 for p in folder.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert build(**kw).built == []
