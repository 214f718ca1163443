"""quines_text.chain: RSI chains P_{i+1} = P_i(-1) are generated and verified link by link,
improvement is judged between neighbours, and the constructive description D_n prints P_n
while its length grows only by the digits of n (Mahoney 2008, Example 6 and the Theorem)."""
from pathlib import Path

import pytest

from quines_text.chain import (
    CONTROL,
    constructive_description,
    constructive_sample,
    marked_integer,
    run_chain,
)
from quines_text.machines import TextProgram
from quines_text.quine import SUCCESSOR_TEMPLATES, make_successor
from rsi.goals import identity

EXAMPLE6 = (Path(__file__).parents[2] / "rsi" / "data" / "mahoney_example6.c").read_text()


def test_example6_chain_is_verified_and_improving():
    report = run_chain(EXAMPLE6, "c", 4, goal=identity, goal_name="identity", horizon=6, probe_t=20)
    # The paper: P_n(t) = t + n, and P_n(-1) is P_{n+1} with "n=1" replaced by "n=<n+1>".
    assert [link.probe for link in report.links] == [21, 22, 23, 24]
    assert [link.marked for link in report.links] == [1, 2, 3, 4]
    assert all(link.verified for link in report.links) and report.all_links_verified
    assert report.links[0].improves_prev is None
    assert [link.improves_prev["kind"] for link in report.links[1:]] == ["holds_up_to"] * 3
    assert report.constructive.verified and report.constructive.checked == (1, 2, 3, 4)
    assert report.holds


def test_example6_successors_are_written_on_one_line():
    report = run_chain(EXAMPLE6, "c", 3)
    sizes = [link.complexity.bytes for link in report.links]
    # P_1 is the paper's 13-line layout; P_2 and P_3 are one line and differ only in n.
    assert sizes[0] > sizes[1] == sizes[2]


@pytest.mark.parametrize("lang", ["python", "js"])
def test_made_successor_chain_is_verified(lang):
    report = run_chain(make_successor(SUCCESSOR_TEMPLATES[lang], lang, 5), lang, 3, probe_t=1000)
    assert [link.marked for link in report.links] == [5, 6, 7]
    assert [link.probe for link in report.links] == [1005, 1006, 1007]
    assert report.all_links_verified and report.constructive.verified


def test_successor_that_does_not_increment_is_not_verified_nor_improving():
    # The template names NEXT only in a comment and prints SELF: P_2 = P_1.
    template = (
        "# prints SELF where NEXT belongs\nimport sys\nt = int(sys.stdin.readline())\n"
        "sys.stdout.write(str(t + n) if t >= 0 else SELF)\n"
    )
    report = run_chain(make_successor(template, "python"), "python", 2, goal=identity,
                       goal_name="identity", horizon=8)
    second = report.links[1]
    # P_1(-1) = P_2 holds (verified means exactly that); the marked integer is only remarked on
    assert second.verified and "not up by 1" in second.remark
    assert second.improves_prev["kind"] in ("refuted", "unknown")
    assert not report.holds


def test_successor_that_is_not_a_runnable_program_is_not_verified():
    report = run_chain("import sys\nprint(int(sys.stdin.readline()) + 1)\n", "python", 2)
    # P_1(-1) prints "0": the Python program "0" runs but prints no natural number.  The link
    # P_1(-1) = P_2 holds; P_2(t0) = 0 is reported, never a failure.
    assert report.links[0].verified and report.links[1].verified
    assert report.links[1].probe == 0 and "P_2(1000) = 0" in report.links[1].remark
    assert report.all_links_verified


def test_a_probe_too_small_for_the_metered_machine_is_reported_not_a_failure():
    report = run_chain(make_successor(SUCCESSOR_TEMPLATES["python"], "python", 1), "python", 2, probe_t=5)
    assert [link.probe for link in report.links] == [0, 0]
    assert report.all_links_verified and report.holds


def test_a_horizon_too_short_to_halt_names_the_smallest_that_shows_anything():
    program = TextProgram(make_successor(SUCCESSOR_TEMPLATES["python"], "python", 1), "python")
    report = run_chain(program.source, "python", 2, goal=identity, goal_name="identity", horizon=16)
    first = report.first_output_t
    assert first is not None and first > 16
    assert program.value(first) > 0 and program.value(first - 1) == 0
    assert f"--horizon {first} is the smallest" in report.horizon_note


def test_a_successor_that_prints_another_text_when_run_again_is_not_verified():
    # P_1(-1) prints a new text on every run (a counter in a file of its run folder is not
    # kept between runs, so use the clock): P_1(-1) = P_2 cannot be confirmed
    source = "import sys, time\nt = int(sys.stdin.readline())\nprint(t + 1 if t >= 0 else f'# {time.time_ns()}')\n"
    report = run_chain(source, "python", 2)
    assert not report.links[1].verified and "different text" in report.links[1].note
    assert not report.all_links_verified


def test_failing_successor_stops_the_chain():
    report = run_chain("import sys\nsys.exit(int(sys.stdin.readline()) < 0)\n", "python", 3)
    assert len(report.links) == 1 and report.stopped.startswith("P_1(-1)")
    assert not report.all_links_verified


@pytest.mark.parametrize("n", [1, 9, 10, 99, 100, 12345, 10**9])
def test_constructive_description_grows_by_the_digits_of_n_only(n):
    base = len(constructive_description(EXAMPLE6, "c", 1)) - 1
    text = constructive_description(EXAMPLE6, "c", n)
    assert len(text) - len(str(n)) == base
    assert text.endswith(CONTROL)


def test_constructive_description_bytes_in_report_match_the_text():
    report = run_chain(EXAMPLE6, "c", 2)
    assert list(report.constructive.bytes) == [
        len(constructive_description(EXAMPLE6, "c", k).encode()) for k in (1, 2)
    ]
    assert report.constructive.control_bytes == len(CONTROL.encode())


def test_constructive_sample_is_every_n_for_short_chains_and_logarithmic_beyond():
    assert constructive_sample(50) == tuple(range(1, 51))
    sample = constructive_sample(1000)
    assert sample[:10] == tuple(range(1, 11)) and sample[-1] == 1000
    assert set(sample) == set(range(1, 11)) | {16, 32, 64, 128, 256, 512, 1000}


@pytest.mark.parametrize(
    "source,expected",
    [("int t,n=12;", 12), ("n = 7\nx = 1", 7), ("const n = 3;", 3), ("print(1)", None),
     ("fn=4; n=5", 5)],
)
def test_marked_integer_is_the_first_literal_assigned_to_n(source, expected):
    assert marked_integer(source) == expected


@pytest.mark.parametrize(
    "kwargs,message",
    [({"lang": "cobol"}, "unknown machine"), ({"n": 0}, "n must be an integer >= 1"),
     ({"horizon": -1}, "must be >= 0"),
     ({"goal": identity, "horizon": 0}, "needs a horizon >= 1")],
)
def test_bad_chain_arguments_are_value_errors(kwargs, message):
    arguments = {"p1": EXAMPLE6, "lang": "c", "n": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        run_chain(**arguments)
