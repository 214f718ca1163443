"""Candidate sources run only in the sandbox (Sheng, Algorithm 1): a hostile one is refused and discarded,
and only a configuration inside the bounds is accepted."""
import json

import pytest

from neural.phoenix.sandbox import CONFIG_BOUNDS, InvalidConfig, execute_candidate, parse_config

VALID = {"d_model": 32, "num_layers": 2, "num_decoder_layers": 2, "num_heads": 4, "d_ff": 64,
         "d_kv": 8}


def test_a_candidate_that_writes_outside_its_folder_is_refused_and_writes_nothing(tmp_path):
    target = tmp_path / "escaped.txt"
    hostile = f"open({str(target)!r}, 'w').write('x')\nprint('{{}}')\n"
    execution = execute_candidate(hostile)
    assert execution.status == "forbidden" and execution.config is None
    assert not target.exists()


def test_a_candidate_that_is_not_python_is_a_compile_error():
    assert execute_candidate("config = {\n").status == "compile_error"


def test_parse_config_accepts_a_configuration_inside_the_bounds():
    assert parse_config(json.dumps(VALID).encode()) == VALID


@pytest.mark.parametrize("output, message", [
    (b"not json", "not one JSON object"),
    (b"[1, 2]", "JSON list"),
    (json.dumps({**VALID, "extra": 1}).encode(), "unexpected ['extra']"),
    (json.dumps({k: v for k, v in VALID.items() if k != "d_ff"}).encode(), "missing ['d_ff']"),
    (json.dumps({**VALID, "num_layers": 9}).encode(), "num_layers must be an integer in 1..8"),
    (json.dumps({**VALID, "num_heads": True}).encode(), "num_heads must be an integer"),
    (json.dumps({**VALID, "d_ff": 64.0}).encode(), "d_ff must be an integer"),
])
def test_parse_config_rejects_bad_output_naming_what_is_wrong(output, message):
    with pytest.raises(InvalidConfig, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(output)


def test_a_candidate_printing_an_oversized_model_is_invalid_config():
    big = {**VALID, "d_ff": CONFIG_BOUNDS["d_ff"][1] + 1}
    execution = execute_candidate(f"print({json.dumps(json.dumps(big))})")
    assert execution.status == "invalid_config" and "d_ff" in execution.detail
