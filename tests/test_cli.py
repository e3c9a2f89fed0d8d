"""The ``hailong`` command: options, exit codes, messages without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import hailong.run.build
import hailong.run.plan
from _config import write_config
from hailong.cli import main
from hailong.run.build import BuildSummary

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


@pytest.fixture
def config(tmp_path):
    """A one-round configuration using the real unit table."""
    return write_config(tmp_path)


@pytest.fixture
def no_results(monkeypatch):
    """The build must not compute results: record whether it tried."""
    calls = []
    monkeypatch.setattr(hailong.run.build, "_load_results", lambda **kw: calls.append(kw))
    return calls


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for option in ("--round YEAR", "--unit CODE", "--out DIR", "--lang {vi,en}",
                   "--config PATH", "repeat for several units"):
        assert option in out
    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    out = capsys.readouterr().out
    assert "--seed" in out and "--out DIR" in out and "--config PATH" in out


def test_unknown_unit_is_one_error_line_and_exit_code_2(config, no_results, capsys):
    assert main(["build", "--unit", "311", "--unit", "999", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Unknown district code '999'.")
    assert "303 (Hồng Bàng)" in err and "318 (Bạch Long Vĩ)" in err
    assert "Traceback" not in err
    assert no_results == []


def test_python_dash_m_hailong_reports_errors_without_traceback(config, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "hailong", "build", "--round", "2019", "--config", str(config)],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Expected: one of 2022." in proc.stderr
    assert "Traceback" not in proc.stderr


def test_failed_report_exits_1_and_names_unit_and_cell(config, no_results, monkeypatch,
                                                       tmp_path, capsys):
    monkeypatch.setattr(hailong.run.plan, "NOTEBOOK_DIR", NOTEBOOKS)
    code = main(["build", "--unit", "305", "--out", str(tmp_path / "out"),
                 "--config", str(config), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    assert len(no_results) == 1
    lines = err.splitlines()
    assert lines[0].startswith("error: 1 of 1 reports failed to build: 305 (cell 5).")
    # one line per failure: unit, notebook, cell, error and the executed notebook
    assert lines[1].startswith("  305: ")
    assert "(cell 5): ValueError: no data for unit 305" in lines[1]
    assert lines[1].endswith(str(tmp_path / "out" / "2022" / "notebooks" / "305.ipynb"))
    assert "Traceback" not in err
    assert out.startswith("Built 0 of 1 reports in ")


def test_summary_line_and_arguments_reach_build(monkeypatch, tmp_path, capsys):
    seen = {}
    index = tmp_path / "output" / "2022" / "index.html"

    def fake_build(**kwargs):
        seen.update(kwargs)
        return BuildSummary(built=[object()] * 16, seconds=41.23, out_dir=index.parent,
                            index=index)

    monkeypatch.setattr(hailong.run.build, "build", fake_build)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--round", "2022", "--unit", "311", "--unit", "city",
                 "--lang", "en", "--out", "elsewhere"]) == 0
    assert capsys.readouterr().out == "Built 16 reports in 41.2 s → output/2022/index.html\n"
    assert seen == {"round_year": "2022", "units": ["311", "city"], "out": "elsewhere",
                    "config_path": None, "lang": "en", "progress": True, "pdf": True}


def test_ctrl_c_exits_130(monkeypatch, capsys):
    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hailong.run.build, "build", interrupted)
    assert main(["build"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_sample_writes_the_files_where_asked(tmp_path, capsys):
    assert main(["sample", "--seed", "7", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "roster.csv").is_file()
    assert (tmp_path / "s" / "responses.csv").is_file()
    assert "seed 7" in capsys.readouterr().out


def test_sample_with_a_bad_seed_is_a_user_error(tmp_path, capsys):
    assert main(["sample", "--seed", "-1", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
