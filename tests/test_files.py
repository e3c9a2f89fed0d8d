"""hailong.core.files: fingerprints, atomic writes and the permission policy."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from hailong.core import files
from hailong.core.errors import InputError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "page.html"
    files.atomic_write(target, "cũ")
    files.atomic_write(target, "mới")
    assert target.read_text(encoding="utf-8") == "mới"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.csv"
    files.atomic_write(target, "old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        files.atomic_write_with(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_ordinary_files_follow_the_umask_private_ones_do_not(tmp_path, umask):
    plain = files.atomic_write(tmp_path / "page.html", "<p>x</p>")
    secret = files.atomic_write(tmp_path / "list.xlsx", b"x", private=True)
    assert _mode(plain) == 0o666 & ~umask          # 0644 under 022, 0600 under 077
    assert _mode(secret) == 0o600


def test_a_folder_swapped_in_follows_the_policy(tmp_path, umask):
    def fill(tmp: Path) -> None:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "t.parquet").write_bytes(b"x")

    public = files.replace_folder(tmp_path / "trend", fill)
    private = files.replace_folder(tmp_path / "results", fill, private=True)
    assert _mode(public) == 0o777 & ~umask and _mode(public / "sub") == 0o777 & ~umask
    assert _mode(public / "sub" / "t.parquet") == 0o666 & ~umask
    assert _mode(private) == 0o700 and _mode(private / "sub" / "t.parquet") == 0o600
    again = files.replace_folder(tmp_path / "trend", lambda tmp: (tmp / "new").write_text("n"))
    assert [p.name for p in again.iterdir()] == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "trend"]


def test_file_digest_known_value_and_missing_file(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")
    # FIPS 180-2 test vector
    assert files.file_digest(tmp_path / "abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    with pytest.raises(InputError, match="does not exist"):
        files.file_digest(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="does not exist"):
        files.file_digest(tmp_path)


def test_file_digest_sees_a_changed_file(tmp_path):
    path = tmp_path / "a"
    path.write_bytes(b"abc")
    first = files.file_digest(path)
    path.write_bytes(b"abcd")
    assert files.file_digest(path) == hashlib.sha256(b"abcd").hexdigest() != first


def test_files_digest_counts_names_order_and_missing_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"abc")
    b.write_bytes(b"")
    sha = [hashlib.sha256(x).hexdigest() for x in (b"abc", b"")]
    assert files.files_digest([a, b], names=False) == hashlib.sha256(
        (sha[0] + sha[1]).encode()).hexdigest()
    assert files.files_digest([a, b]) == hashlib.sha256(
        ("a" + sha[0] + "b" + sha[1]).encode()).hexdigest()
    assert files.files_digest([tmp_path / "c"]) == hashlib.sha256(b"c-").hexdigest()


def test_the_code_fingerprint_covers_every_kind_of_package_file():
    suffixes = {p.suffix for p in files.code_files()}
    assert {".py", ".css", ".j2", ".yaml"} <= suffixes      # source, templates, message catalogue
    names = {p.relative_to(files.PACKAGE_DIR).as_posix() for p in files.code_files()}
    assert "core/files.py" in names and "publish/export.py" in names
    assert not any("__pycache__" in n for n in names)


# --- issue 14: the umask is read, never set, so a thread writing meanwhile is safe -----

def test_the_umask_is_read_without_being_set(umask, monkeypatch):
    def set_umask(mask):
        raise AssertionError(f"the umask was set to {mask:o}")

    monkeypatch.setattr(os, "umask", set_umask)
    assert files.file_mode() == 0o666 & ~umask
    assert files.dir_mode() == 0o777 & ~umask
    assert files.file_mode(private=True) == 0o600 and files.dir_mode(private=True) == 0o700


def test_a_private_folder_is_0700_and_a_plain_one_follows_the_umask(tmp_path, umask):
    plain = files.make_dir(tmp_path / "a" / "plain")
    secret = files.make_dir(tmp_path / "b" / "internal", private=True)
    assert _mode(plain) == 0o777 & ~umask
    assert _mode(secret) == 0o700
    assert _mode(secret.parent) == 0o777 & ~umask       # only the folder itself is private
    files.make_dir(secret, private=True)                 # again: still 0700
    assert _mode(secret) == 0o700
