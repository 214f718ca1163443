"""The Ray executor runs the same 8 tasks as the local process pool and gives the same
results table (the same spec and seeds give the same metrics on either executor),
on a real local Ray cluster started on the loopback address inside the test."""
import json
from pathlib import Path

import pytest

from rsi.app.sweep import LocalExecutor, RayExecutor, load_spec, run_sweep

EXAMPLES = Path(__file__).parents[2] / "examples" / "sweeps"


def rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def table(out: Path) -> dict[str, tuple]:
    return {r["task_id"]: (r["params"], r["seed"], r["status"], r["metrics"]) for r in rows(out)}


def test_ray_and_local_executors_give_the_same_results_table(tmp_path, monkeypatch):
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback only; read at import
    ray = pytest.importorskip("ray", reason="ray is not installed (extra `dist`; make test-all)")
    spec = load_spec(EXAMPLES / "soup_tiny.toml")
    assert len(spec.tasks) == 8

    local = LocalExecutor(workers=2)
    try:
        assert run_sweep(spec, tmp_path / "local", local).succeeded
    finally:
        local.close()

    remote = RayExecutor(workers=2)  # no address: starts a local cluster, shut down on close
    try:
        assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")
        summary = run_sweep(spec, tmp_path / "ray", remote)
    finally:
        remote.close()
    assert not ray.is_initialized()
    assert summary.succeeded and summary.executor == "ray"
    assert {row["executor"] for row in rows(tmp_path / "ray")} == {"ray"}
    assert table(tmp_path / "ray") == table(tmp_path / "local")
    assert len(table(tmp_path / "ray")) == 8
