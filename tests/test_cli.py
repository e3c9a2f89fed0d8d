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
from hailong.cli import main, message_language
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
                    "accept_losses": False, "who": "local"}


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


# --- issue 16: the command speaks Vietnamese (English with --lang en / HAILONG_LANG) ------

ROOT = Path(__file__).resolve().parents[1]
#: argparse's own English words, and the command's English summary words.
ENGLISH = ("usage:", "options:", "positional arguments", "show this help message",
           "the following arguments", "invalid choice", "error:", "did you mean")


def run(*argv: str, lang: str | None = None) -> subprocess.CompletedProcess:
    """``python -m hailong ARGV`` with ``HAILONG_LANG`` set to ``lang`` (None: unset)."""
    env = {k: v for k, v in os.environ.items() if k != "HAILONG_LANG"}
    if lang is not None:
        env["HAILONG_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "hailong", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def vietnamese(monkeypatch):
    """The command run as staff run it: no HAILONG_LANG."""
    monkeypatch.delenv("HAILONG_LANG", raising=False)


@pytest.mark.parametrize("argv, env, expected", [
    (["build"], {}, "vi"),
    (["build"], {"HAILONG_LANG": "en"}, "en"),
    (["build"], {"HAILONG_LANG": "fr"}, "vi"),                    # not a language: ignored
    (["build", "--lang", "en"], {}, "en"),                        # messages follow reports
    (["build", "--lang=en"], {}, "en"),
    (["build", "--lang", "en"], {"HAILONG_LANG": "vi"}, "vi"),    # ... unless told otherwise
    (["progress", "--lang", "en"], {"HAILONG_LANG": "vi"}, "vi"),
    (["--lang", "en", "build", "--lang", "vi"], {"HAILONG_LANG": "vi"}, "en"),  # flag wins
    (["--lang", "vi", "validate"], {"HAILONG_LANG": "en"}, "vi"),
    (["validate", "--lang", "en"], {"HAILONG_LANG": "vi"}, "en"),  # a messages-only command
    (["sample", "--lang", "en", "--seed", "3"], {}, "en"),
    (["validate", "x.csv", "--round", "2022"], {"HAILONG_LANG": "en"}, "en"),
])
def test_the_message_language_rule(argv, env, expected):
    assert message_language(argv, env) == expected


def test_the_report_language_is_vietnamese_unless_asked_whatever_the_messages(monkeypatch,
                                                                             tmp_path):
    seen = []
    monkeypatch.setattr(hailong.run.build, "build", lambda **kw: seen.append(kw["lang"])
                        or BuildSummary(built=[], seconds=1, out_dir=tmp_path,
                                        index=tmp_path / "index.html"))
    assert main(["--lang", "en", "build"]) == 0 and main(["build"]) == 0
    assert main(["build", "--lang", "en"]) == 0
    assert seen == ["vi", "vi", "en"]


@pytest.mark.parametrize("command", [None, "build", "sample", "progress", "validate"])
def test_help_is_vietnamese_by_default_and_english_on_request(command, vietnamese, capsys):
    argv = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    vi = capsys.readouterr().out
    assert exit_.value.code == 0
    assert vi.startswith("cách dùng: hailong") and "\ntùy chọn:\n" in vi
    assert "-h, --help" in vi and "in hướng dẫn này rồi thoát" in vi
    assert not [w for w in ENGLISH if w in vi]
    with pytest.raises(SystemExit):
        main(["--lang", "en", *argv])
    en = capsys.readouterr().out
    assert en.startswith("usage: hailong") and "\noptions:\n" in en
    assert "show this help message and exit" in en and "cách dùng" not in en


def test_each_commands_help_says_what_it_does_in_vietnamese(vietnamese, capsys):
    said = {"build": "chỉ tạo báo cáo của đơn vị này", "sample": "hạt giống ngẫu nhiên",
            "progress": "ngày cần báo cáo", "validate": "ghi thêm báo cáo chất lượng dữ liệu"}
    for command, phrase in said.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert out.startswith(f"cách dùng: hailong {command} ") and phrase in out, command
        assert "--config PATH" in out and "tệp cấu hình của dự án" in out


def test_a_mistyped_option_gets_the_closest_one_with_the_commands_usage():
    proc = run("build", "--unti", "311")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("cách dùng: hailong build [-h]")      # not the top usage
    assert proc.stderr.endswith(
        "hailong build: lỗi: không có tùy chọn --unti; có phải ý bạn là --unit?\n")
    assert "Traceback" not in proc.stderr
    en = run("build", "--unti", "311", lang="en")
    assert en.returncode == 2 and en.stderr.startswith("usage: hailong build [-h]")
    assert en.stderr.endswith("hailong build: error: no option --unti; did you mean --unit?\n")


def test_a_mistyped_command_gets_the_closest_one(vietnamese, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["buld"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("cách dùng: hailong [-h]")
    assert err.endswith("hailong: lỗi: không có lệnh buld; có phải ý bạn là build?\n")
    with pytest.raises(SystemExit):
        main(["validat", "x.csv"])
    assert "có phải ý bạn là validate?" in capsys.readouterr().err


@pytest.mark.parametrize("argv, said", [
    ([], "hailong: lỗi: còn thiếu: LỆNH"),
    (["build", "--lang", "fr"], "lỗi: --lang: không có lựa chọn 'fr' (chọn một trong 'vi', "
                                "'en')"),
    (["build", "--executor", "lokal"], "có phải ý bạn là local?"),
    (["sample", "--seed", "x"], "hailong sample: lỗi: --seed: 'x' không phải là số nguyên"),
    (["build", "--unit"], "hailong build: lỗi: --unit cần một giá trị"),
    (["validate", "--shet", "A"], "không có tùy chọn --shet; có phải ý bạn là --sheet?"),
    (["--lnag", "en", "build"], "hailong: lỗi: không có tùy chọn --lnag; có phải ý bạn là "
                                "--lang?"),
])
def test_argparse_messages_are_vietnamese(argv, said, vietnamese, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and said in err, err
    assert err.startswith("cách dùng: ") and not [w for w in ENGLISH if w in err]


def test_errors_and_summaries_are_vietnamese(vietnamese, config, no_results, monkeypatch,
                                             tmp_path, capsys):
    assert main(["build", "--unit", "999", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lỗi: Mã đơn vị (district) không có: '999'. Cần: 'city' hoặc một "
                          "trong 303 (Hồng Bàng)")
    assert "Hãy dùng mã đơn vị hành chính của Tổng cục Thống kê." in err

    index = tmp_path / "output" / "2022" / "index.html"
    monkeypatch.setattr(hailong.run.build, "build", lambda **kw: BuildSummary(
        built=[object()] * 16, seconds=41.23, out_dir=index.parent, index=index))
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--unit", "311"]) == 0
    assert capsys.readouterr().out == "Đã tạo 16 báo cáo trong 41,2 giây → output/2022/index.html\n"

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hailong.run.build, "build", interrupted)
    assert main(["build"]) == 130
    assert capsys.readouterr().err == "đã dừng\n"


def test_validate_of_the_sample_export_speaks_vietnamese(vietnamese, capsys):
    export = ROOT / "data" / "sample" / "2022" / "responses.csv"
    assert main(["validate", str(export)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Đã kiểm tra 2 tệp; không tạo hay sửa gì."
    assert "(danh sách HTX, theo tệp cấu hình; CSV, UTF-8, phân cách bằng dấu phẩy)" in out
    assert "      đã đọc 404 HTX, tất cả dùng được" in lines
    assert ("      đã đọc 368 dòng: 356 dòng được dùng, 12 dòng gộp (phiếu trùng), "
            "0 dòng để riêng") in lines
    assert "đã trả lời hai lần với các câu trả lời khác nhau" in out
    assert lines[-1] == "Kết quả: mọi dòng đều dùng được (mã kết thúc 0)."
    for english in ("rows read", "accepted", "merged", "set aside", "Problems", "Result",
                    "answered twice", "Found", "Expected", "row ", "column "):
        assert english not in out, english


def test_validate_of_a_bad_file_names_it_in_vietnamese(vietnamese, tmp_path, capsys):
    bad = tmp_path / "xuat.csv"
    bad.write_text("Mã HTX,Dấu thời gian\nHP-0001,32/13/2023\n", encoding="utf-8")
    missing = tmp_path / "khong-co.csv"
    assert main(["validate", str(bad), str(missing)]) == 2
    out = capsys.readouterr().out
    problems = [line.strip() for line in out.splitlines() if line.startswith("  /")]
    # the missing file is named, with nothing pointing to the configuration
    assert f"{missing}: Tệp không tồn tại. Hãy kiểm tra tên tệp và thư mục." in problems
    assert not [line for line in problems if "hailong.yaml" in line and str(missing) in line]
    # the export lacks required columns: named, with what to do
    (lack,) = [line for line in problems if line.startswith(str(bad))]
    assert "Thiếu một cột bắt buộc" in lack and "Cần:" in lack and "Hãy đổi tiêu đề cột" in lack
    assert out.splitlines()[-1] == ("Kết quả: có tệp đầu vào không dùng được như hiện tại; "
                                    "hãy sửa rồi chạy lại (mã kết thúc 2).")


def test_validate_speaks_english_when_asked(capsys):
    export = ROOT / "data" / "sample" / "2022" / "responses.csv"
    assert main(["validate", "--lang", "en", str(export)]) == 0
    out = capsys.readouterr().out
    assert "      368 rows read: 356 accepted, 12 merged (duplicates), 0 set aside" in out
    assert out.splitlines()[-1] == "Result: every row can be used (exit status 0)."


def test_progress_prints_only_vietnamese(vietnamese, tmp_path, capsys):
    assert main(["progress", "--as-of", "2023-05-16", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tiến độ khảo sát – Năm 2022 – đến ngày 16/05/2023")
    assert "Danh sách cần đôn đốc (NỘI BỘ" in out
    for english in ("Follow-up", "follow-up", "submission", "could not", "lists", "INTERNAL",
                    "roster", "see the"):
        assert english not in out, english


def test_the_build_says_what_became_of_the_rows_in_the_message_language(tmp_path):
    from hailong.cli import _rows_said
    from hailong.core.messages import using_lang

    (tmp_path / "ledger.csv").write_text(
        "\ufeffsource_file,source_row,coop_id,status,reason,message,column\n"
        "a.csv,2,HP-1,accepted,,,\na.csv,3,HP-1,merged,x,y,\na.csv,4,,set_aside,x,y,\n"
        "a.csv,5,HP-2,accepted,,,\n", encoding="utf-8")
    meta = {"rows": "4 rows read: ...", "set_aside": {"answers_read": 80,
                                                    "answers_set_aside": 2}}
    with using_lang("vi"):
        assert _rows_said(tmp_path, meta) == (
            "đã đọc 4 dòng: 2 dòng được dùng, 1 dòng gộp (phiếu trùng), 1 dòng để riêng; "
            "2 trong 80 câu trả lời bị để riêng")
    with using_lang("en"):
        assert _rows_said(tmp_path, meta) == (
            "4 rows read: 2 accepted, 1 merged (duplicates), 1 set aside; 2 of 80 answers "
            "set aside")
    assert _rows_said(tmp_path / "none", meta) is None
