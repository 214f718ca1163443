"""rsi.atomic: content written, the old file kept and no temporary left on failure, the
temporary's suffix, the folder created only on request, fsync before the rename."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from rsi import atomic
from rsi.atomic import atomic_path, write_bytes_atomic, write_text_atomic


def names(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_bytes_and_text_are_written_over_an_old_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old content")
    write_bytes_atomic(target, b"\x00new\xff")
    assert target.read_bytes() == b"\x00new\xff"
    write_text_atomic(str(target), "é\n")  # a str path too
    assert target.read_bytes() == "é\n".encode()
    assert names(tmp_path) == ["out.bin"]


def test_written_file_is_readable_by_others(tmp_path):
    target = tmp_path / "report.json"
    write_text_atomic(target, "{}")
    assert target.stat().st_mode & 0o777 == 0o644


def test_an_exception_inside_the_block_keeps_the_old_content_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "checkpoint.npz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="writer failed"), atomic_path(target) as temporary:
        temporary.write_bytes(b"half of the new")
        assert temporary.parent == tmp_path and temporary.exists()
        raise RuntimeError("writer failed")
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["checkpoint.npz"]


def test_keyboard_interrupt_inside_the_block_leaves_no_temporary(tmp_path):
    target = tmp_path / "stage.json"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_text("{")
        raise KeyboardInterrupt
    assert names(tmp_path) == []


def test_a_failing_write_keeps_the_old_content_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "stage.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]  # the wrong type, on purpose
    assert target.read_bytes() == b"old" and names(tmp_path) == ["stage.json"]


def test_the_temporary_is_hidden_beside_the_target_and_ends_in_its_suffix(tmp_path):
    with atomic_path(tmp_path / "figure.png") as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".figure.png.") and temporary.suffix == ".png"
        temporary.write_bytes(b"png")
    with atomic_path(tmp_path / "plot.svg", suffix=".png") as temporary:
        assert temporary.suffix == ".png"
        temporary.write_bytes(b"png")
    assert names(tmp_path) == ["figure.png", "plot.svg"]


def test_numpy_savez_writes_the_yielded_file_not_one_with_npz_appended(tmp_path):
    target = tmp_path / "checkpoint.npz"
    with atomic_path(target) as temporary:
        np.savez(temporary, programs=np.arange(5, dtype=np.uint8))
    with np.load(target) as saved:
        assert saved["programs"].tolist() == [0, 1, 2, 3, 4]
    assert names(tmp_path) == ["checkpoint.npz"]


def test_the_folder_is_created_only_when_asked(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    with pytest.raises(FileNotFoundError):
        write_text_atomic(target, "x")
    assert not (tmp_path / "a").exists()
    write_text_atomic(target, "x", create_parents=True)
    assert target.read_text() == "x"


def test_the_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    write_bytes_atomic(tmp_path / "out", b"data")
    assert events == ["fsync", "replace"]


def test_importing_rsi_atomic_imports_nothing_heavy():
    code = ("import sys, rsi.atomic; heavy = {'torch', 'numpy', 'matplotlib', 'typer'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
