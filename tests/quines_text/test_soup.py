"""The Computational Life soup: reproducible by seed (golden), pairing and mutation as
specified, resume equals an uninterrupted run, the measurements, and the replicator check on
a hand-written self-copier."""
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from quines_text.machines.bff import PROGRAM_LEN
from quines_text.soup.metrics import (
    MIN_SPAN,
    Snapshot,
    first_crossing,
    high_order_entropy,
    readable,
    replicator_check,
    transition_epoch,
)
from quines_text.soup.pool import Soup, SoupConfig
from quines_text.soup.run import History, run_soup

# "bff" variant: head0 = 128 % 128 = 0 on a nonzero byte, head1 = '@' = 64, the partner's
# start; [.>}] copies byte i to byte 64 + i until head0 meets a zero byte (there is none).
SELF_COPIER = (bytes([128, ord("@")]) + b"[.>}]").ljust(PROGRAM_LEN, b"A")

# sha256 of the soup bytes after 8 epochs of 256 programs, seed 7, mutation 1/64 (recorded
# from this implementation: a regression golden that pins the seeding scheme and the engine).
GOLDEN = {
    "bff": "c5b5ee1237c6d48b09b464bb427a72de7a4a3a556a2e130e6ed11faced3ff9aa",
    "bff_noheads": "bb9cf00b66f73b62f9c6d1fa0025d9b29ecd8014d132c7c20c27953ae65985d0",
}


def evolve(config: SoupConfig, epochs: int) -> Soup:
    soup = Soup(config)
    for _ in range(epochs):
        soup.step()
    return soup


@pytest.mark.parametrize("variant", sorted(GOLDEN))
def test_golden_soup_after_8_epochs(variant):
    soup = evolve(SoupConfig(programs=256, seed=7, mutation_rate=1 / 64, variant=variant), 8)
    assert hashlib.sha256(soup.programs.tobytes()).hexdigest() == GOLDEN[variant]


def test_same_seed_same_soup_and_other_seed_other_soup():
    a = evolve(SoupConfig(programs=128, seed=1), 5).programs
    b = evolve(SoupConfig(programs=128, seed=1, threads=1), 5).programs
    c = evolve(SoupConfig(programs=128, seed=2), 5).programs
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_without_steps_or_mutation_every_program_returns_to_its_place():
    soup = Soup(SoupConfig(programs=64, seed=3, max_steps=0, mutation_rate=0.0))
    before = soup.programs.copy()
    for _ in range(3):
        assert soup.step().mutations == 0
    assert np.array_equal(soup.programs, before)


def test_each_program_meets_exactly_one_partner_per_epoch():
    # noheads, every program "+": the first of a pair runs "+" on byte 0, then the second's
    # "+" at byte 64 adds 1 to byte 0 again; the second program itself is unchanged.
    config = SoupConfig(programs=64, seed=5, mutation_rate=0.0, variant="bff_noheads")
    programs = np.zeros((64, PROGRAM_LEN), dtype=np.uint8)
    programs[:, 0] = ord("+")
    soup = Soup(config, programs)
    stats = soup.step()
    assert sorted(soup.programs[:, 0].tolist()) == [ord("+")] * 32 + [ord("+") + 2] * 32
    assert (stats.steps_per_interaction, stats.ops_per_interaction) == (128, 2)


def test_mutation_rate_one_replaces_every_byte():
    soup = Soup(SoupConfig(programs=64, seed=4, max_steps=0, mutation_rate=1.0))
    before = soup.programs.copy()
    assert soup.step().mutations == 64 * PROGRAM_LEN
    assert (soup.programs != before).mean() > 0.97  # a new byte equals the old one w.p. 1/256


def test_resumed_run_equals_an_uninterrupted_run(tmp_path):
    config = SoupConfig(programs=128, seed=9, mutation_rate=1 / 128)
    straight, straight_history = run_soup(Soup(config), 6, metrics_every=3)
    run_soup(Soup(config), 3, tmp_path, checkpoint_every=3, metrics_every=3)
    resumed = Soup.load(tmp_path)
    assert resumed.epoch == 3
    report, history = run_soup(resumed, 3, tmp_path, History.load(tmp_path, 3), metrics_every=3)
    assert np.array_equal(resumed.programs, evolve(config, 6).programs)
    assert history.to_dict() == straight_history.to_dict()
    assert report.last == straight.last


def test_load_refuses_a_folder_without_a_checkpoint(tmp_path):
    with pytest.raises(ValueError, match="no soup checkpoint"):
        Soup.load(tmp_path)


def test_load_names_an_unreadable_checkpoint_or_history(tmp_path):
    (tmp_path / "checkpoint.npz").write_text("not a checkpoint")
    with pytest.raises(ValueError, match="checkpoint.npz is not a readable soup checkpoint"):
        Soup.load(tmp_path)
    (tmp_path / "history.json").write_text("{")
    with pytest.raises(ValueError, match="history.json is not a readable soup history"):
        History.load(tmp_path, 0)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(programs=3), "even"), (dict(mutation_rate=2.0), "mutation"), (dict(variant="bf"), "variant")],
)
def test_config_rejects_bad_values_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SoupConfig(**kwargs)


# The copy loop of SELF_COPIER, stopped by a zero byte at 40: it copies bytes 0..39 only.
PARTIAL_COPIER = (SELF_COPIER[:40] + b"\0").ljust(PROGRAM_LEN, b"A")
# The same loop placed after the zero byte: it copies bytes 0..39, which hold no loop.
INERT_COPY = ((bytes([128, ord("@")]).ljust(40, b"A") + b"\0").ljust(45, b"A")
              + b"[.>}]").ljust(PROGRAM_LEN, b"A")


def test_replicator_check_confirms_the_hand_written_self_copier():
    check = replicator_check(SELF_COPIER, "bff", trials=32)
    assert (check.copy_fraction, check.byte_match) == (1.0, 1.0)
    assert (check.span_start, check.span_length, check.heritable) == (0, PROGRAM_LEN, 1.0)
    assert check.is_replicator and check.to_dict()["is_replicator"]


def test_replicator_check_rejects_a_program_that_does_not_copy():
    check = replicator_check(b"\0" * PROGRAM_LEN, "bff", trials=32)
    assert check.copy_fraction == 0.0 and check.byte_match < 0.1
    assert (check.span_length, check.heritable, check.is_replicator) == (0, 0.0, False)


def test_a_program_copying_its_working_part_is_a_replicator_without_exact_copies():
    check = replicator_check(PARTIAL_COPIER, "bff", trials=64)
    assert check.copy_fraction == 0.0
    assert (check.span_start, check.span_length) == (0, 40)
    assert check.heritable >= 0.9 and check.is_replicator


def test_a_heritable_span_shorter_than_min_span_is_not_a_replicator():
    short = (SELF_COPIER[:MIN_SPAN - 4] + b"\0").ljust(PROGRAM_LEN, b"A")
    check = replicator_check(short, "bff", trials=64)
    assert (check.span_start, check.span_length) == (0, MIN_SPAN - 4)
    assert check.heritable >= 0.9 and not check.is_replicator


def test_a_copy_that_cannot_copy_again_is_not_a_replicator():
    check = replicator_check(INERT_COPY, "bff", trials=64)
    assert (check.span_start, check.span_length) == (0, 40)
    assert check.heritable < 0.1 and not check.is_replicator


def test_high_order_entropy_is_near_zero_when_random_and_high_when_copied():
    rng = np.random.default_rng(0)
    random_soup = rng.integers(0, 256, size=(4096, PROGRAM_LEN), dtype=np.uint8)
    copied_soup = np.tile(random_soup[0], (4096, 1))
    assert abs(high_order_entropy(random_soup)) < 0.2
    assert high_order_entropy(copied_soup) > 5.0


def _shots(*entropies):
    return [Snapshot(64 * i, h, 8.0, 8.0 - h, 1, (), ()) for i, h in enumerate(entropies)]


def test_transition_is_where_the_entropy_rises_over_the_threshold_for_good():
    shots = _shots(0.1, 2.0, 0.4, 1.5, 3.0, 2.5)
    assert transition_epoch(shots, threshold=1.0) == 192
    assert first_crossing(shots, threshold=1.0) == 64
    assert transition_epoch(shots[:1], threshold=1.0) is first_crossing(shots[:1]) is None


def test_a_spike_that_falls_back_is_no_transition():
    shots = _shots(0.1, 0.4, 2.5, 0.5)
    assert transition_epoch(shots, threshold=1.0) is None
    assert first_crossing(shots, threshold=1.0) == 128


def test_readable_shows_instructions_and_marks_no_ops():
    assert readable(b"[\0A.") == [("[", True), ("0", False), ("\u00b7", False), (".", True)]


def rsi(*args):
    return subprocess.run([sys.executable, "-m", "rsi", "soup", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_runs_resumes_and_shows(tmp_path):
    out = tmp_path / "soup"
    first = rsi("run", "--programs", "256", "--epochs", "4", "--out", str(out), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["epoch"] == 4
    again = rsi("run", "--epochs", "6", "--out", str(out), "--resume", "--json")
    data = json.loads(again.stdout)
    assert (data["epoch"], data["epochs_run"]) == (6, 2)
    assert (out / "soup.png").stat().st_size > 0
    shown = rsi("show", str(out), "--json")
    assert json.loads(shown.stdout)["epoch"] == 6
    text = rsi("show", str(out)).stdout  # a random soup: its top program copies nothing
    assert "(not a replicator)" in text and "no byte copied by the quorum" in text


@pytest.mark.parametrize(
    "args",
    [["run", "--programs", "3"], ["run", "--resume"], ["show", "/nonexistent/soup"],
     ["run", "--programs", "4", "--out", "A_FILE"]],
)
def test_cli_bad_input_exits_2_with_one_line(args, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    result = rsi(*(str(a_file) if arg == "A_FILE" else arg for arg in args))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
