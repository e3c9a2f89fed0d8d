"""The ``hailong`` command: options, exit codes, messages without tracebacks."""

from __future__ import annotations

import os
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
    """A one-round configuration using the real unit table (its data files exist, empty:
    the tests that use it never read them)."""
    for name in ("roster.csv", "responses.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
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
                    "config_path": None, "lang": "en", "progress": True, "pdf": True,
                    "accept_losses": False}


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


# --- issue 14: --out and the configuration checked before any data is read; losses -----

@pytest.mark.parametrize("where", ["a file", "under a file", "the year is a file"])
def test_an_unusable_out_is_one_message_before_any_data_is_read(where, config, no_results,
                                                                tmp_path, capsys):
    blocker = tmp_path / "taken.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    out = {"a file": blocker, "under a file": blocker / "reports",
           "the year is a file": tmp_path / "out"}[where]
    if where == "the year is a file":
        out.mkdir()
        blocker = out / "2022"
        blocker.write_text("not a folder", encoding="utf-8")
    code = main(["build", "--unit", "303", "--out", str(out), "--config", str(config),
                 "--no-progress", "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err
    assert "The output folder cannot be used (a file is in the way)." in err
    assert f"Found: {str(blocker)!r}" in err and "--out" in err
    assert no_results == []                          # the data were not read
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_several_configuration_problems_are_one_message_and_exit_2(config, no_results,
                                                                   capsys):
    text = config.read_text(encoding="utf-8")
    text = text.replace("current_round: 2022", "current_round: 2022\nmin_n: five\n"
                        "max_set_aside: 2%\nmin-n: 3")
    text = text.replace("geography_date: 2022-10-01", "geography_date: 2022-10-01\n"
                        "    opened: 2023-05-20\n    deadline: 2023-05-19\n"
                        "    target: 7")
    config.write_text(text, encoding="utf-8")
    assert main(["build", "--config", str(config), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and no_results == []
    assert err.startswith(f"error: {config}: The configuration has 5 problems:")
    for line in ("- min-n is not a setting of the configuration. Found: 'min-n'.",
                 "- rounds.2022.deadline is before rounds.2022.opened. "
                 "Found: '2023-05-19'. Expected: a date on or after 2023-05-20.",
                 "- rounds.2022.target is not a share of the roster. Found: 7.",
                 "- The setting min_n is not allowed. Found: 'five'. "
                 "Expected: a whole number from 3 to 100.",
                 "- The setting max_set_aside is not allowed. Found: '2%'. "
                 "Expected: a share from 0 to 1 (0.02 = 2%)."):
        assert line in err, line
    assert "previous_round" not in err


def test_a_missing_reference_file_is_named_with_its_key(config, no_results, capsys):
    text = config.read_text(encoding="utf-8")
    text = text.replace("codebook-v1.yaml", "codebook-v9.yaml")
    config.write_text(text, encoding="utf-8")
    assert main(["build", "--config", str(config), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "rounds.2022.codebook names a file that does not exist." in err
    assert "codebook-v9.yaml" in err and "Traceback" not in err
    assert no_results == []


def test_losses_above_the_limit_exit_3_unless_published_anyway(tmp_path, monkeypatch,
                                                               capsys):
    """The sample with 30 of its 368 rows unattributable (8.2%, above the default 2%)."""
    from _losses import lossy_round

    monkeypatch.setattr(hailong.run.plan, "NOTEBOOK_DIR", NOTEBOOKS)
    config = lossy_round(tmp_path / "project", bad=30)
    out = tmp_path / "out"
    argv = ["build", "--unit", "303", "--out", str(out), "--config", str(config),
            "--no-progress", "--no-pdf"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    report = tmp_path / "project" / "processed" / "2022" / "data-quality.csv"
    assert err.startswith("error: Đã để riêng 30 trong 368 dòng khảo sát (8,2%) và 0 trong ")
    assert "vượt ngưỡng 2,0% (max_set_aside trong " in err
    assert "Để riêng theo tệp: responses.csv: 30 dòng, 0 câu trả lời." in err
    assert os.path.relpath(report) in err and report.is_file()
    assert "Chưa phát hành báo cáo nào" in err and "--publish-anyway" in err
    assert "Traceback" not in err
    assert not (out / "2022" / "303.html").exists() and not (out / "2022" / "index.html").exists()

    assert main([*argv, "--publish-anyway"]) == 0
    out_text, err = capsys.readouterr()
    assert (out / "2022" / "303.html").is_file() and "Built 1 report" in out_text
    assert "warning: Đã để riêng 30 trong 368 dòng khảo sát (8,2%)" in err
    assert "Vẫn phát hành theo --publish-anyway" in err

    # a build that does not ask again is refused again, even with nothing changed
    assert main(argv) == 3


def test_the_limit_is_a_setting(tmp_path, monkeypatch, capsys):
    """30 of 368 rows (8.2%) is within a limit of 10%: the build publishes, exit 0."""
    from _losses import lossy_round

    monkeypatch.setattr(hailong.run.plan, "NOTEBOOK_DIR", NOTEBOOKS)
    config = lossy_round(tmp_path / "project", bad=30)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("current_round: 2022", "current_round: 2022\n"
                                   "max_set_aside: 0.1"), encoding="utf-8")
    assert main(["build", "--unit", "303", "--out", str(tmp_path / "out"), "--config",
                 str(config), "--no-progress", "--no-pdf"]) == 0
    assert "Đã để riêng" not in capsys.readouterr().err
