"""rsi.app.sweep.spec and rsi.app.sweep.experiments: a spec expands into the grid × seeds in order,
task ids are stable hashes of (experiment, complete parameters, seed), and every bad spec
is refused with a message naming what is wrong."""
import tomllib
from pathlib import Path

import pytest

from rsi.app.sweep import EXPERIMENTS, SpecError, load_spec, parse_spec, task_id

HERE = Path(__file__).parent
EXAMPLES = Path(__file__).parents[2] / "examples" / "sweeps"


def soup_spec(**changes):
    data = {"experiment": "soup", "seeds": [0, 1], "params": {"programs": 64},
            "grid": {"epochs": [1, 2], "variant": ["bff", "bff_noheads"]}}
    data.update(changes)
    return data


def test_grid_times_seeds_in_spec_order_with_seeds_innermost():
    spec = parse_spec(soup_spec(), HERE)
    assert len(spec.tasks) == 2 * 2 * 2
    order = [(t.params["epochs"], t.params["variant"], t.seed) for t in spec.tasks]
    assert order == [(e, v, s) for e in (1, 2) for v in ("bff", "bff_noheads") for s in (0, 1)]
    assert spec.varied == ("epochs", "variant")


def test_parameters_are_complete_with_defaults_filled_in():
    task = parse_spec(soup_spec(), HERE).tasks[0]
    defaults = {p.name: p.default for p in EXPERIMENTS["soup"].params}
    assert set(task.params) == set(defaults)
    assert task.params["max_steps"] == defaults["max_steps"] and task.params["programs"] == 64


def test_task_id_is_stable_and_depends_on_every_part():
    params = {"a": 1, "b": "x"}
    assert task_id("soup", params, 0) == task_id("soup", {"b": "x", "a": 1}, 0)
    ids = {task_id("soup", params, 0), task_id("soup", params, 1),
           task_id("chain", params, 0), task_id("soup", {**params, "a": 2}, 0)}
    assert len(ids) == 4
    again = parse_spec(soup_spec(), HERE)
    assert [t.id for t in again.tasks] == [t.id for t in parse_spec(soup_spec(), HERE).tasks]
    assert len({t.id for t in again.tasks}) == len(again.tasks)


def test_seed_count_means_zero_to_n_minus_one_and_default_is_seed_zero():
    assert parse_spec(soup_spec(seeds=3), HERE).seeds == (0, 1, 2)
    data = soup_spec()
    del data["seeds"]
    assert parse_spec(data, HERE).seeds == (0,)


def test_deterministic_experiment_has_no_seeds():
    spec = parse_spec({"experiment": "chain", "grid": {"n": [1, 2]}}, HERE)
    assert [t.seed for t in spec.tasks] == [None, None]
    with pytest.raises(SpecError, match="deterministic"):
        parse_spec({"experiment": "chain", "seeds": 2}, HERE)


@pytest.mark.parametrize("data, message", [
    ({"experiment": "nope"}, "unknown experiment 'nope'"),
    ({}, "must name an experiment"),
    ({"experiment": "soup", "colour": 1}, "unknown spec key 'colour'"),
    (soup_spec(params={"programz": 64}), "no parameter 'programz'"),
    (soup_spec(params={"programs": "64"}), "'programs' must be int"),
    (soup_spec(params={"programs": True}), "'programs' must be int"),
    (soup_spec(params={"programs": 0}), "'programs' must be >= 2"),
    (soup_spec(params={"programs": 63}), "programs must be an even number"),
    (soup_spec(grid={"variant": ["bf"]}), "'variant' must be one of"),
    (soup_spec(grid={"epochs": 3}), "must be a non-empty list"),
    (soup_spec(grid={"epochs": []}), "must be a non-empty list"),
    (soup_spec(params={"epochs": 1}), "'epochs' is both"),
    (soup_spec(seeds=[1, 1]), "lists a seed twice"),
    (soup_spec(seeds=[-1]), "`seeds` must be"),
    (soup_spec(seeds=0), "must be >= 1"),
    (soup_spec(grid={"epochs": [1, 1]}), "the same parameters twice"),
    ({"experiment": "chain", "params": {"lang": "cobol"}}, "unknown machine 'cobol'"),
    ({"experiment": "chain", "params": {"file": "missing.c"}}, "no file"),
    ({"experiment": "neural", "params": {"method": "magic"}}, "method must be one of"),
])
def test_bad_spec_is_refused_naming_the_problem(data, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(data, HERE)


def test_file_parameter_resolves_against_the_spec_folder():
    spec = load_spec(EXAMPLES / "chain_example6.toml")
    files = {t.params["file"] for t in spec.tasks}
    assert files == {str((EXAMPLES / "../../rsi/data/mahoney_example6.c").resolve())}


def test_unreadable_or_invalid_spec_file_is_refused(tmp_path):
    with pytest.raises(SpecError, match="spec not found"):
        load_spec(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("experiment = \n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(bad)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_example_specs_parse(path):
    spec = load_spec(path)
    assert spec.tasks and spec.experiment == tomllib.loads(path.read_text())["experiment"]
