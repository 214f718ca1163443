"""`rsi report`: a tiny report (sizes TINY, the code path of --quick) has every section and
plot, and the page shows the numbers of results.json; interrupting it with SIGINT and running
it again with --resume redoes no finished stage and leaves no corrupt file.  The SIGINT handler
(`rsi.app.report.interrupt`) exits 130 under `python -m` even when the interrupt leaves exec() of
a string, stops at the next check when its exception was swallowed, and lets a write finish."""
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rsi.app.cli import main
from rsi.app.report import STAGES, TINY, build_report, interrupt, store
from rsi.app.report.page import fmt
from rsi.app.report.store import write_atomic

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="Example 6 runs with gcc")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    summary = build_report(out, TINY, "cpu")
    return out, summary, json.loads((out / "results.json").read_text()), (out / "index.html").read_text()


def test_every_stage_ran_and_was_saved(report):
    out, summary, results, _ = report
    assert summary.ran == tuple(stage.name for stage in STAGES) and summary.skipped == ()
    for stage in STAGES:
        saved = json.loads((out / "stages" / f"{stage.name}.json").read_text())
        assert saved == results["stages"][stage.name]


def test_every_section_and_plot_is_on_the_page(report):
    out, summary, results, page = report
    for stage in STAGES:
        assert f'<section id="{stage.name}"><h2>{html.escape(stage.title)}</h2>' in page
    plots = {"chain_complexity.png", "quine_curves.png", "auxiliary_accuracy.png", "weights_complexity.png",
             "gabor.png"}
    assert set(summary.plots) == plots
    for filename in summary.plots:
        assert (out / filename).read_bytes().startswith(PNG)
    assert page.count('src="data:image/png;base64,') == len(summary.plots)
    assert not list(out.rglob("*.tmp"))


def numbers_shown(results: dict) -> tuple[list, list]:
    """Numbers of results.json that the page must show, from every stage: as table cells, and
    as fits "a + b ln n" in the text."""
    stages = {name: record["result"] for name, record in results["stages"].items()}
    cells, fits = [], []
    for chain in stages["chains"]["chains"].values():
        fits += [chain["fit"], chain["fit_bytes"]]
        cells += [chain["constructive"]["bytes"][-1]]
        cells += [link["bytes"] for link in chain["links"]] + [link["compressed"]["lzma"] for link in chain["links"]]
    cells += [row["cases"] for row in stages["proofs"]["obligations"] if row["cases"] is not None]
    for run in stages["quine_curves"]["runs"].values():
        last = run["curve"][-1]
        cells += [last["sr_loss"], last["r2"], last["norm"], last["mae"]]
    cells += [run["final"]["accuracy"] for run in stages["auxiliary"]["runs"]]
    cells += [run["lambda"] for run in stages["auxiliary"]["runs"]]
    for chain in stages["weights"]["series"].values():
        for sizes in chain["sizes"].values():
            cells += sizes
        cells += [bound["total"] for bound in chain["bounds"]] + [bound["compressed"] for bound in chain["bounds"]]
        cells += chain["ns"] + [m["r2"] for m in chain["metrics"]] + [m["rms"] for m in chain["metrics"]]
        cells += [m["zero_quine"] for m in chain["metrics"]]
        fits += [fit for fit in chain["fits"].values() if fit is not None]
    gabor = stages["gabor"]
    for mode in ("self_application", "self_training"):
        cells += list(gabor[mode]["counts"].values())
    cells += [level["returned"] for level in gabor["noise"]["levels"]]
    cells += [level["mean_steps_to_return"] for level in gabor["noise"]["levels"]]
    return cells, fits


def test_numbers_of_results_json_appear_on_the_page(report):
    _, _, results, page = report
    cells, fits = numbers_shown(results)
    assert len(cells) > 50
    shown = [f'<td class="no">{fmt(value)}</td>' if value is False else f"<td>{fmt(value)}</td>" for value in cells]
    assert [value for value, cell in zip(cells, shown, strict=True) if cell not in page] == []
    shown_fits = [f"{fmt(fit['a'])} {'-' if fit['b'] < 0 else '+'} {fmt(abs(fit['b']))} ln n" for fit in fits]
    assert [fit for fit in shown_fits if fit not in page] == []
    stages = {name: record["result"] for name, record in results["stages"].items()}
    solo = stages["auxiliary"]["solo"]["final"]["accuracy"]
    assert f"held-out accuracy {fmt(solo)}." in page
    agree = sum(example["agrees"] for example in stages["examples"]["examples"])
    assert f"{agree} of 6 examples agree with the paper" in page
    for chain in stages["weights"]["series"].values():
        first = chain["bounds"][0]
        assert f"{chain['parameters']} parameters" in page
        assert f"{first['description_bytes']} + {first['code_bytes']} bytes at n = {chain['ns'][0]}" in page
        checked = ", ".join(map(str, chain["replay"]["checked"]))
        assert f"Deterministic replay: D_n run afresh for n = {checked}:" in page


def test_example6_on_the_metered_c_machine_is_in_results_json_and_on_the_page(report):
    from quines_text.machines.wasm_build import toolchain_missing

    _, _, results, page = report
    six = results["stages"]["examples"]["result"]["metered_example6"]
    missing = toolchain_missing()
    if missing is not None:
        assert six == {"skipped": f"the metered C machine c-wasm cannot run here: {missing}"}
        assert html.escape(f"Not run: {six['skipped']}.") in page
        return
    assert (six["machine"], six["programs"]) == ("c-wasm", 2)
    first = six["first_output_t"]
    assert len(first) == 2 and all(isinstance(t, int) and t > 0 for t in first)
    # the horizon comes from the data: the scan's last t (a t with output) plus the margin
    scan = six["output_time_scan"]
    assert scan[0] == 0 and six["horizon"] == scan[-1] + six["margin"] and scan[-1] >= first[0]
    assert six["values"]["kind"] == six["improving"]["kind"] == "holds_up_to"
    assert six["improving"]["horizon"] == six["horizon"] and six["agrees"]
    assert results["stages"]["examples"]["result"]["all_agree"] is all(
        example["agrees"] for example in results["stages"]["examples"]["result"]["examples"])
    for n, t in enumerate(first, start=1):
        row = [n, six["machine"], six["step_unit"], t, "holds_up_to", "holds_up_to", six["horizon"], True]
        assert "<tr>" + "".join(f"<td>{html.escape(fmt(v))}</td>" for v in row) + "</tr>" in page
    assert f"found by the scan t = {', '.join(map(str, scan))}" in page


def test_the_weights_section_has_three_series_and_says_where_each_bound_is_tighter(report):
    _, _, results, page = report
    series = results["stages"]["weights"]["result"]["series"]
    assert list(series) == ["newton", "self-training", "regeneration"]
    for chain in series.values():
        assert html.escape(chain["statement"]) in page and html.escape(chain["shows"]) in page
        lzma = [bound["compressed"] for bound in chain["bounds"]]
        for k, sizes in chain["sizes"].items():
            pairs = zip(chain["ns"], sizes, lzma, strict=True)
            assert chain["exceeds"][k] == [n for n, size, bound in pairs if size is not None and size > bound]
        for size, bound in zip(chain["sizes"]["32"], lzma, strict=True):
            assert f"<td>{fmt(bound)}</td><td>{'constructive' if size > bound else 'compression'}</td>" in page
        assert chain["replay"]["verified"]
    assert page.count("bit for bit identical every time.") == 3


def test_what_the_theorem_says_is_computed_from_the_series(report):
    _, _, results, page = report
    weights = results["stages"]["weights"]["result"]
    assert "<h3>What the theorem says about these nets</h3>" in page
    assert all(f"<p>{html.escape(sentence)}</p>" in page for sentence in weights["theorem"])
    assert len(weights["theorem"]) == 1 + len(weights["series"])
    for name, sentence in zip(weights["series"], weights["theorem"][1:], strict=True):
        chain = weights["series"][name]
        last = chain["bounds"][-1]
        assert sentence.startswith(f"{name} ({chain['parameters']} weights")
        assert f"at most {last['total']} bytes at n = {chain['ns'][-1]}" in sentence
        gap = chain["sizes"]["32"][-1] - last["compressed"]
        assert (f"{gap} more than" if gap > 0 else f"{-gap} fewer than") in sentence or (
            f"{gap} bytes more than" if gap > 0 else f"{-gap} bytes fewer than") in sentence


def test_gabor_section_counts_every_run_and_noise_copy(report):
    _, _, results, page = report
    gabor = results["stages"]["gabor"]["result"]
    for mode in ("self_application", "self_training"):
        assert sum(gabor[mode]["counts"].values()) == TINY.selfrep_runs == len(gabor[mode]["runs"])
    assert [level["d"] for level in gabor["noise"]["levels"]] == list(range(10))
    assert all(0 <= level["returned"] <= level["copies"] for level in gabor["noise"]["levels"])


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "stage.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]  # the wrong type, on purpose
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["stage.json"]


def rsi(*args: str) -> list[str]:
    return [sys.executable, "-m", "rsi", *args]


def test_sigint_then_resume_redoes_no_finished_stage(tmp_path):
    out = tmp_path / "report"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(rsi("report", "--out", str(out), "--sizes", "tiny", "--device", "cpu", "--json"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    finished = out / "stages" / "examples.json"
    deadline = time.monotonic() + 120
    while not finished.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert finished.exists(), first.stderr.read().decode() if first.poll() is not None else "stage never finished"
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130, err.decode()
    assert "--resume" in err.decode()
    before = (finished.stat().st_mtime_ns, finished.read_bytes())
    saved = sorted(path.name for path in (out / "stages").iterdir())
    assert not (out / "index.html").exists() and not any(name.endswith(".tmp") for name in saved)
    for name in saved:
        json.loads((out / "stages" / name).read_text())  # every saved stage is whole JSON

    second = subprocess.run(rsi("report", "--out", str(out), "--sizes", "tiny", "--device", "cpu", "--resume",
                                "--json"), capture_output=True, text=True, env=env, timeout=300)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert [name + ".json" for name in summary["skipped"]] == saved
    assert set(summary["ran"]) | set(summary["skipped"]) == {stage.name for stage in STAGES}
    assert (finished.stat().st_mtime_ns, finished.read_bytes()) == before
    assert (out / "index.html").exists() and not list(out.rglob("*.tmp"))


def sigint_to_this_thread() -> None:
    """SIGINT to the calling (main) thread, then a few bytecodes for its Python handler to run in."""
    signal.raise_signal(signal.SIGINT)
    for _ in range(100):
        time.sleep(0.001)


def test_sigint_leaving_exec_of_a_string_still_exits_130_under_python_m(tmp_path):
    # Python's own KeyboardInterrupt there makes `python -m` end by SIGINT (-2) at exit, even
    # though it was caught: what torch's lazy import of torch._dynamo (dataclasses) did to rsi report
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import sys\n"
        "from rsi.app.report import interrupt\n"
        "try:\n"
        "    with interrupt.sigint_caught():\n"
        "        exec('import signal, time\\nsignal.raise_signal(signal.SIGINT)\\ntime.sleep(30)')\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run([sys.executable, "-m", "interrupted_in_exec"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done.stderr


def test_a_swallowed_sigint_is_raised_at_the_next_check():
    with interrupt.sigint_caught():
        try:  # noqa: SIM105 -- imitates code that swallows the interrupt, on purpose
            sigint_to_this_thread()
        except interrupt.Interrupted:
            pass  # what a garbage-collector callback or __del__ does with it
        with pytest.raises(interrupt.Interrupted):
            interrupt.check()
    interrupt.check()  # the handler is gone and nothing stays recorded


def test_sigint_during_a_report_write_is_raised_after_the_write(tmp_path, monkeypatch):
    write_bytes_atomic = store.write_bytes_atomic

    def interrupted_write(path: Path, data: bytes, **options) -> None:
        sigint_to_this_thread()
        write_bytes_atomic(path, data, **options)

    monkeypatch.setattr(store, "write_bytes_atomic", interrupted_write)
    target = tmp_path / "stages" / "examples.json"
    with interrupt.sigint_caught(), pytest.raises(interrupt.Interrupted):
        store.write_json_atomic(target, {"stage": "examples"})
    assert json.loads(target.read_text()) == {"stage": "examples"}
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == ["examples.json"]


def run_main(args: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--sizes", "huge"], "unknown --sizes"),
    (["--quick", "--sizes", "full"], "disagree"),
    (["--device", "tpu"], "device"),
])
def test_bad_report_options_exit_2_with_one_line(tmp_path, capsys, args, message):
    code, err = run_main(["report", "--out", str(tmp_path / "r"), *args], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_out_that_is_a_file_is_bad_input(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, err = run_main(["report", "--out", str(tmp_path / "file"), "--sizes", "tiny"], capsys)
    assert code == 2 and "not a folder" in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_is_bad_input(tmp_path, capsys):
    code, err = run_main(["report", "--out", str(tmp_path / "r"), "--device", "cuda"], capsys)
    assert code == 2 and "cuda" in err
