"""`rsi sweep`: exit 0 when every task succeeded, 2 with one line for bad input (unknown
experiment or parameter, ray missing, old results without --resume); and a sweep killed
with SIGKILL mid-run, then resumed, loses no finished row and duplicates none."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rsi.app.cli import main
from rsi.app.sweep import ResultsStore

EXAMPLES = Path(__file__).parents[2] / "examples" / "sweeps"


def rsi(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


def rows_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_sweep_writes_rows_and_summary_and_exits_0(tmp_path, capsys):
    code, out, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), "--out", str(tmp_path),
                         "--workers", "2", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["tasks"], summary["ok"], summary["failed"]) == (8, 8, 0)
    assert summary == json.loads((tmp_path / "summary.json").read_text())
    assert len(rows_of(tmp_path)) == 8


@pytest.mark.parametrize("spec, message", [
    ('experiment = "nope"\n', "unknown experiment 'nope'"),
    ('experiment = "soup"\n[params]\nsize = 4\n', "has no parameter 'size'"),
])
def test_bad_spec_exits_2_with_one_line(tmp_path, capsys, spec, message):
    path = tmp_path / "spec.toml"
    path.write_text(spec)
    code, out, err = rsi(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and out == ""


def test_missing_ray_exits_2_with_one_line(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    code, _, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), "--executor", "ray")
    assert code == 2 and err.strip() == "rsi: error: the ray executor needs ray: pip install 'rsi-toolkit[dist]'"


@pytest.mark.parametrize("args, message", [
    (["--executor", "ray", "--address", "127.0.0.1:1"], "cannot reach a Ray cluster at 127.0.0.1:1"),
    (["--address", "127.0.0.1:6379"], "--address is for the ray executor"),
    (["--workers", "0"], "workers must be >= 1"),
])
def test_bad_executor_options_exit_2_at_once(capsys, args, message):
    code, _, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_unknown_executor_and_old_results_exit_2(tmp_path, capsys):
    code, _, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), "--executor", "dask")
    assert code == 2 and "unknown executor 'dask'" in err
    (tmp_path / "results.jsonl").write_text(json.dumps({"not": "a row"}) + "\n" + "{}\n")
    code, _, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), "--out", str(tmp_path))
    assert code == 2 and "line 1 is not a result row" in err


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_out_that_cannot_be_a_folder_exits_2_with_one_line(tmp_path, capsys, where):
    (tmp_path / "file").write_text("")
    code, out, err = rsi(capsys, "sweep", str(EXAMPLES / "soup_tiny.toml"), "--out", str(tmp_path / where))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert f"cannot open {tmp_path / where / 'results.jsonl'}" in err


def test_failing_task_exits_1_and_is_listed(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    (tmp_path / "p1.py").write_bytes(b"\xff\xfe not UTF-8\n")  # the chain cannot read P_1
    spec.write_text('experiment = "chain"\n[params]\nfile = "p1.py"\nn = 2\n')
    code, out, _ = rsi(capsys, "sweep", str(spec), "--out", str(tmp_path / "out"), "--retries", "1",
                       "--workers", "1", "--json")
    summary = json.loads(out)
    (row,) = rows_of(tmp_path / "out")
    assert code == 1 and (row["status"], row["attempts"], row["metrics"]) == ("failed", 2, None)
    assert row["error"].startswith("UnicodeDecodeError: ")
    assert summary["failures"] == [{"task_id": row["task_id"], "params": row["params"], "seed": None,
                                    "error": row["error"], "attempts": 2}]


def test_killed_sweep_resumes_without_losing_or_duplicating_rows(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('experiment = "soup"\nseeds = 10\n[params]\nprograms = 4096\nepochs = 64\n')
    out = tmp_path / "out"
    command = [sys.executable, "-m", "rsi", "sweep", str(spec), "--out", str(out), "--workers", "1",
               "--json"]
    sweep = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sweep.poll() is None:
        if results.exists() and results.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.02)
    assert sweep.poll() is None, f"the sweep ended before it could be killed: {sweep.stderr.read()}"
    os.killpg(sweep.pid, signal.SIGKILL)  # the driver and its pool workers
    sweep.wait()
    with ResultsStore(out) as store:  # the sweep's own reader: drops a line torn by the kill
        before = [row.to_dict() for row in store.rows]
    assert 3 <= len(before) < 10

    resumed = subprocess.run(command + ["--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    after = rows_of(out)
    assert after[: len(before)] == before  # finished rows kept as they were
    ids = [row["task_id"] for row in after]
    assert len(ids) == len(set(ids)) == 10  # each task exactly once
    summary = json.loads(resumed.stdout)
    assert (summary["ok"], summary["skipped"], summary["ran"]) == (10, len(before), 10 - len(before))
