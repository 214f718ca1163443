"""The DeepPhoenix loop (Sheng, Algorithm 1) end to end on CPU: the `--quick` command records per
iteration the kept source, candidates with statuses (a hostile injected one refused by the
sandbox), losses and the audit verdict with evidence; the greedy rule keeps the lowest few-shot
loss; a checkpointed run resumes to the same records."""
import json
import math
import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("transformers")  # the `phoenix` extra
import torch  # noqa: E402

from neural.phoenix import ModelSpec, PhoenixConfig, PhoenixRun, run_phoenix  # noqa: E402

torch.set_num_threads(1)

TINY = PhoenixConfig.quick(iterations=1, candidates=2, search_batches=1, few_shot_samples=16,
                           dataset_size=64, heldout_size=8, train_steps=12, budget_points=5)


def check_greedy_rule(search: dict) -> None:
    """kept loss = min(query loss, every valid candidate's loss); the kept source has it."""
    valid = [c for c in search["candidates"] if c["status"] == "valid"]
    best = min([search["query_loss"]] + [c["few_shot_loss"] for c in valid])
    assert search["kept_loss"] == best
    if search["kept_loss"] < search["query_loss"]:
        assert search["kept_source"] in {c["source"] for c in valid
                                         if c["few_shot_loss"] == best}


@pytest.mark.slow  # 80 s on the shared 2-core machine at load average ~2.8
def test_quick_run_records_statuses_losses_and_audit_and_refuses_a_hostile_candidate(tmp_path):
    escaped = tmp_path / "escaped.txt"
    hostile = tmp_path / "hostile.py"
    hostile.write_text(f"open({str(escaped)!r}, 'w').write('pwned')\n")
    better = tmp_path / "better.py"  # a valid candidate, so the few-shot path runs
    better.write_text(ModelSpec(d_model=32, num_heads=4, d_ff=96).source())
    out = tmp_path / "run"
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "rsi", "phoenix", "run", "--quick", "--device", "cpu",
         "--out", str(out), "--inject", str(hostile), "--inject", str(better), "--json"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < 180
    data = json.loads(done.stdout)
    assert not escaped.exists()
    assert len(data["iterations"]) == 2 and data["final_training"] is not None
    for it in data["iterations"]:
        statuses = {c["origin"]: c["status"] for c in it["search"]["candidates"]
                    if c["origin"] == "injected" and c["source"] == hostile.read_text()}
        assert statuses == {"injected": "forbidden"}
        assert it["kept_source"] and it["training"]["train_losses"]
        assert len(it["training"]["heldout_losses"]) == 9
        check_greedy_rule(it["search"])
        audit = it["audit"]
        assert audit["verdict"]["kind"] in ("refuted", "holds_up_to", "proven", "unknown")
        assert set(audit["verdict"]["evidence"]["conditions"]) == {"1", "2", "3", "4"}
        assert audit["greedy_kept_new"] == (it["kept_source"] != it["source"])
        assert audit["P_i"] == [math.floor(1e6 * math.exp(-x))
                                for x in it["training"]["heldout_losses"]]
    assert data["candidate_statuses"]["forbidden"] == 2
    assert data["disagreements"]["steps"] == 2
    assert [c["bytes"] for c in data["complexity"]] == [
        len(t["source"].encode()) for t in [*(i["training"] for i in data["iterations"]),
                                            data["final_training"]]]
    assert (out / "phoenix.json").exists() and (out / "phoenix.png").stat().st_size > 0


def test_a_resumed_run_continues_the_checkpoint_and_the_kept_source_is_trained_next(tmp_path):
    better = ModelSpec(d_model=32, num_heads=4, d_ff=96).source()
    escaped = tmp_path / "escaped.txt"
    hostile = f"open({str(escaped)!r}, 'w').write('pwned')\n"
    first = run_phoenix(TINY, out=tmp_path, device="cpu", inject=[better, hostile])
    assert {c.source: c.status for c in first.searches[0].candidates}[hostile] == "forbidden"
    assert not escaped.exists()
    assert first.trainings[1].source == first.searches[0].kept_source
    check_greedy_rule(first.to_dict()["iterations"][0]["search"])
    saved = PhoenixRun.load(tmp_path)
    assert saved.to_dict() == first.to_dict()
    longer = PhoenixConfig(**{**TINY.__dict__, "iterations": 2})
    resumed = run_phoenix(longer, out=tmp_path, resume_from=saved, device="cpu",
                          inject=[better, hostile])
    assert len(resumed.searches) == 2 and len(resumed.trainings) == 3
    assert resumed.searches[0].to_dict() == first.searches[0].to_dict()
    assert resumed.trainings[0] == first.trainings[0]
    # P_1 was retrained for its search: the same seed and batches give the same curve
    assert resumed.trainings[1].heldout_losses == pytest.approx(first.trainings[1].heldout_losses)
    assert PhoenixRun.load(tmp_path).to_dict() == resumed.to_dict()


def test_resuming_with_other_sizes_is_refused():
    saved = PhoenixRun(TINY, (), ())
    other = PhoenixConfig(**{**TINY.__dict__, "candidates": 3})
    with pytest.raises(ValueError, match="differs from the checkpoint"):
        run_phoenix(other, resume_from=saved, device="cpu")


def rsi_phoenix(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rsi", "phoenix", "run", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["--resume"], "--resume needs --out"),
    (["--iterations", "0"], "iterations must be at least 1"),
    (["--quick", "--samples", "100000"], "few_shot_samples cannot exceed dataset_size"),
])
def test_bad_options_exit_2_with_one_line(args, message):
    done = rsi_phoenix(*args)
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_out_folder_holding_a_run_is_not_overwritten(tmp_path):
    PhoenixRun(TINY, (), ()).save(tmp_path)
    done = rsi_phoenix("--quick", "--out", str(tmp_path))
    assert done.returncode == 2 and "already holds a run" in done.stderr
