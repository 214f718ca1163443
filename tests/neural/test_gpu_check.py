"""scripts/gpu_check.sh --dry-run: the prepared GPU check at CPU sizes writes one JSON file with
every part (population benchmark, newton to R² 0.99, the report's weights stage, a DeepPhoenix
iteration's timing) and the environment, including whether torch sees a GPU."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
ROOT = Path(__file__).parents[2]


@pytest.mark.skipif(shutil.which("bash") is None, reason="the check is a bash script")
def test_dry_run_writes_every_part_of_the_check(tmp_path):
    out = tmp_path / "check.json"
    env = {**os.environ, "PYTHON": sys.executable, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "gpu_check.sh"), "--dry-run", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    check = json.loads(out.read_text())
    assert check["dry_run"] is True and check["environment"]["device"] == "cpu"
    assert isinstance(check["environment"]["cuda_available"], bool)
    for part in ("population", "newton", "weights", "phoenix"):
        assert check[part]["ok"] and check[part]["wall_s"] > 0, check[part]
    population = check["population"]
    assert population["nets"] == 64 and population["same_weights"]
    assert population["loop_over_batched"] == pytest.approx(population["loop_s"] / population["batched_s"])
    newton = check["newton"]
    assert newton["steps"] == len(newton["trace"]) and newton["reached"] == (newton["final_r2"] >= 0.99)
    weights = check["weights"]
    assert weights["preset"] == "tiny" and set(weights["series"]) == {"newton", "self-training", "regeneration"}
    assert all(series["replay"]["verified"] for series in weights["series"].values())
    phoenix = check["phoenix"]
    assert phoenix["iteration_s_extrapolated"] > phoenix["iteration_steps"] * phoenix["step_s"]
    assert check["total_s"] >= sum(check[part]["wall_s"] for part in ("population", "newton", "weights")) * 0.99


def test_unknown_part_is_bad_input(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gpu_check.py"), "--dry-run", "--parts", "gpu",
                           "--out", str(tmp_path / "x.json")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown part" in done.stderr and len(done.stderr.strip().splitlines()) == 1
