"""The refinement dataset of DeepPhoenix (Sheng, section 3): one design parameter changes per
pair, by the paper's amounts, and a rendered source, run in the sandbox, prints its own spec."""
import random
from dataclasses import asdict, fields

import pytest

from neural.phoenix.data import DEPTH_RANGE, HEADS_RANGE, ModelSpec, make_dataset, refine, sample_spec
from neural.phoenix.sandbox import execute_candidate


def changed(before: ModelSpec, after: ModelSpec) -> dict:
    return {f.name: (getattr(before, f.name), getattr(after, f.name)) for f in fields(ModelSpec)
            if getattr(before, f.name) != getattr(after, f.name)}


def test_a_refinement_changes_exactly_one_parameter_by_the_papers_amounts():
    rng = random.Random(3)
    seen = set()
    for _ in range(400):
        spec = sample_spec(rng, d_model=64)
        diff = changed(spec, refine(spec, rng))
        assert len(diff) == 1
        (name, (old, new)), = diff.items()
        seen.add(name)
        if name == "d_ff":
            percent = abs(new - old) / old * 100
            assert 0.5 <= percent <= 50.5  # 1..50 %, rounded to a whole width
        else:
            low, high = HEADS_RANGE if name == "num_heads" else DEPTH_RANGE
            assert abs(new - old) == 1 and low <= new <= high
    assert seen == {"num_layers", "num_decoder_layers", "num_heads", "d_ff"}


def test_a_depth_at_the_edge_of_its_range_moves_inwards():
    rng = random.Random(0)
    for _ in range(50):
        low = refine(ModelSpec(num_layers=1, num_decoder_layers=1, num_heads=1, d_ff=64), rng)
        assert min(low.num_layers, low.num_decoder_layers, low.num_heads) >= 1


@pytest.mark.parametrize("spec", [ModelSpec(), ModelSpec(d_model=32, num_heads=3, d_ff=77)])
def test_a_rendered_source_prints_its_spec_with_d_kv_model_width_over_heads(spec):
    execution = execute_candidate(spec.source())
    assert execution.status == "valid"
    assert execution.config == {**asdict(spec), "d_kv": spec.d_model // spec.num_heads}


def test_the_dataset_is_a_function_of_its_seed():
    assert make_dataset(20, 5, 32) == make_dataset(20, 5, 32)
    assert make_dataset(20, 5, 32) != make_dataset(20, 6, 32)
    assert all(pair.unrefined != pair.refined for pair in make_dataset(50, 1, 32))
