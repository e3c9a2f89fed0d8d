"""The writers: one registry for every output format, provenance, permissions.

A new output format is one module plus one line of :mod:`hailong.publish.writers`; every
writer follows the permission policy of :mod:`hailong.core.files` (under umask 022 and
077: ordinary files as the umask gives, personal-data files 0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _config import write_config
from hailong.core import provenance
from hailong.ingest import store
from hailong.numbers.pipeline import load_results, open_round, validate_round
from hailong.publish import manifest, writers
from hailong.publish.base import ReportWriter, RoundOutput, RoundWriter
from hailong.publish.export import IndexEntry, write_index
from hailong.reference.config import PROJECT_ROOT, load_config
from hailong.run.build import build

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------------ the registry

def test_every_format_is_registered_once_in_order():
    assert [w.name for w in writers.report_writers()] == ["html", "pdf"]
    assert [w.name for w in writers.report_writers(pdf=False)] == ["html"]
    assert [w.name for w in writers.round_writers()] == ["workbook", "opendata", "followup",
                                                         "manifest"]
    assert all(isinstance(w, ReportWriter) for w in writers.report_writers())
    assert all(isinstance(w, RoundWriter) for w in writers.round_writers())
    assert [w.name for w in writers.round_writers(off=("workbook", "open_data"))] == [
        "followup", "manifest"]
    internal = [w.name for w in writers.round_writers() if w.internal]
    assert internal == ["followup"]


def test_a_new_format_is_one_module_and_one_line(tmp_path, monkeypatch):
    (tmp_path / "hello_writer.py").write_text(textwrap.dedent('''
        from hailong.publish.base import RoundWriter

        def write(output):
            path = output.out_dir / "hello.txt"
            path.write_text(f"round {output.round.year} {output.lang}")
            return [path]

        WRITER = RoundWriter(name="hello", write=write, needs_results=False,
                             link=lambda year, lang: ("Xin chào", "hello.txt"))
    '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(writers, "ROUND_WRITERS", (*writers.ROUND_WRITERS, "hello_writer"))
    summary = build(units=["city"], out=tmp_path / "out", config_path=write_config(tmp_path),
                    prepare=lambda **kw: None, notebooks=NOTEBOOKS, progress=False)
    hello = summary.out_dir / "hello.txt"
    assert hello.read_text() == "round 2022 vi"
    assert summary.outputs["hello"] == [hello]
    index = summary.index.read_text(encoding="utf-8")
    assert '<a href="hello.txt">Xin chào</a>' in index


# -------------------------------------------------------------------------- provenance

def test_the_manifest_names_the_code_the_configuration_and_every_input(tmp_path):
    config = load_config()
    rnd = config.round(2022)
    path = manifest.write_manifest(config, rnd, tmp_path)
    found = json.loads(path.read_text(encoding="utf-8"))
    assert found["round"] == 2022 and found["code"]["version"] == "0.1.0"
    head = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    assert found["code"]["commit"] == (head or None)
    assert found["configuration"]["sha256"] == hashlib.sha256(
        config.path.read_bytes()).hexdigest()
    inputs = {e["role"]: e for e in found["inputs"]}
    assert set(inputs) >= {"roster", "responses", "codebook", "units", "configuration"}
    for entry in found["inputs"]:
        file = PROJECT_ROOT / entry["path"]
        assert len(entry["sha256"]) == 64
        assert entry["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
        assert entry["size"] == file.stat().st_size
        assert not entry["path"].startswith("/")             # no machine paths
    assert found["packages"]["pandas"] and found["packages"]["python"]


def test_the_code_version_outside_a_checkout_is_the_package_version(monkeypatch, tmp_path):
    monkeypatch.setattr(provenance, "CHECKOUT", tmp_path)      # no .git there
    provenance.code_version.cache_clear()
    try:
        assert provenance.code_version()["commit"] is None
        assert provenance.code_label() == "hailong 0.1.0"
    finally:
        provenance.code_version.cache_clear()


# ------------------------------------------------------------------------- permissions

@pytest.fixture(params=[0o022, 0o077])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_every_round_writer_follows_the_permission_policy(tmp_path, umask):
    config = load_config()
    rnd = config.round(2022)
    given = RoundOutput(results=load_results(2022), config=config, round=rnd,
                        out_dir=tmp_path / "2022", lang="vi")
    ordinary = 0o666 & ~umask
    for writer in writers.round_writers():
        files = writer.write(given)
        assert files, writer.name
        for path in files:
            assert _mode(path) == (0o600 if writer.internal else ordinary), (writer.name, path)
            if writer.internal:                          # and their folder: 0700
                assert _mode(path.parent) == 0o700
    page = write_index(tmp_path, [IndexEntry(unit="311", name="Thuỷ Nguyên", href="311.html")],
                       "Năm 2022", "")
    assert _mode(page) == ordinary


def test_the_processed_store_keeps_personal_data_private(tmp_path, umask):
    ctx = open_round(2022)
    validated = validate_round(ctx)
    store.write_processed(tmp_path, validated, ctx.inputs, ctx.codebook)
    for name in (store.ROSTER, store.RESPONSES):        # names, phone numbers, e-mails
        assert _mode(tmp_path / name) == 0o600
    for name in (store.LEDGER, store.DATA_QUALITY, store.MANIFEST):
        assert _mode(tmp_path / name) == 0o666 & ~umask


def test_stored_results_are_private(tmp_path, umask):
    from hailong.numbers import pipeline

    pipeline._save_atomically(load_results(2022), tmp_path / "results")
    folder = tmp_path / "results"
    assert _mode(folder) == 0o700
    assert {_mode(p) for p in folder.iterdir()} == {0o600}


def test_the_pdf_step_commits_with_the_policy(tmp_path, umask):
    from hailong.core.files import commit

    tmp = tmp_path / ".311.pdf.tmp"
    tmp.write_bytes(b"%PDF-1.7")
    os.chmod(tmp, 0o600)                          # as a browser may leave it
    assert _mode(commit(tmp, tmp_path / "311.pdf")) == 0o666 & ~umask


def test_workers_inherit_no_other_policy():
    # a worker process writes with the same rules: the policy reads the umask at each
    # write, so a process started under another umask follows its own
    code = ("import os, stat, tempfile, pathlib; os.umask(0o027); "
            "from hailong.core.files import atomic_write; "
            "p = atomic_write(pathlib.Path(tempfile.mkdtemp()) / 'a.html', 'x'); "
            "print(oct(stat.S_IMODE(p.stat().st_mode)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "0o640"
