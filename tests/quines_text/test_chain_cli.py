"""`rsi chain FILE -n N`: the JSON shape (links, complexity, fit, constructive description) and the exit codes."""
import json
from pathlib import Path

import pytest

from rsi.app.cli import main

EXAMPLE6 = Path(__file__).parents[2] / "rsi" / "data" / "mahoney_example6.c"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_example6_chain_json_has_the_issue_shape_and_exits_0(capsys):
    code, out, _ = run_cli(capsys, "chain", str(EXAMPLE6), "-n", "3", "--goal", "identity",
                           "--horizon", "6", "--probe", "5", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"lang", "n", "links", "all_links_verified", "fit", "constructive"} <= set(data)
    assert (data["lang"], data["n"], data["all_links_verified"]) == ("c", 3, True)
    assert [link["probe"] for link in data["links"]] == [6, 7, 8]
    for link in data["links"]:
        assert {"i", "bytes", "compressed", "probe", "improves_prev", "verified"} <= set(link)
        assert {"zlib", "lzma", "bz2"} <= set(link["compressed"])
    assert data["links"][0]["improves_prev"] is None
    assert data["links"][2]["improves_prev"]["kind"] == "holds_up_to"
    assert {"a", "b", "residual"} <= set(data["fit"])
    assert data["constructive"]["verified"] and len(data["constructive"]["bytes"]) == 3


def test_a_link_is_verified_when_p_i_of_minus_1_is_p_next_whatever_it_computes(capsys, tmp_path):
    """verified means P_i(-1) = P_{i+1} and nothing else: a program whose successor is "0"
    (it prints t + 1) makes a verified chain; the probe value is reported, never a failure."""
    program = tmp_path / "p.py"
    program.write_text("import sys\nprint(int(sys.stdin.readline()) + 1)\n")
    code, out, _ = run_cli(capsys, "chain", str(program), "-n", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["all_links_verified"] is True
    assert [link["probe"] for link in data["links"]] == [1001, 0]
    assert "P_2(1000) = 0" in data["links"][1]["remark"]


def test_chain_whose_successor_is_not_reproducible_exits_1(capsys, tmp_path):
    """A program that prints a different successor each time it is run on -1 has no single
    P_2 = P_1(-1): its link is not verified, and the chain exits 1."""
    program = tmp_path / "p.py"
    program.write_text("import os\ninput()\nprint(os.urandom(8).hex())\n")
    code, out, _ = run_cli(capsys, "chain", str(program), "-n", "2", "--json")
    assert code == 1 and json.loads(out)["all_links_verified"] is False


@pytest.mark.parametrize(
    "args,message",
    [
        (["chain", "no/such.c", "-n", "2"], "program file not found"),
        (["chain", str(EXAMPLE6), "-n", "0"], "-n must be >= 1"),
        (["chain", str(EXAMPLE6), "-n", "2", "--goal", "wealth"], "wealth"),
        (["chain", str(EXAMPLE6), "-n", "2", "--goal", "identity", "--horizon", "0"],
         "--horizon must be >= 1 with --goal"),
        (["chain", str(EXAMPLE6), "-n", "2", "--lang", "cobol"], "unknown language 'cobol'"),
        (["chain", "README.md", "-n", "2"], "cannot tell the language"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
