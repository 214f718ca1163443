"""How DeepPhoenix samples its candidates (`PhoenixConfig.temperature`, `top_k`, `top_p`): the
C sampled refinements of one query are different texts, and top_k = 1 or a vanishing top_p
reduce sampling to greedy decoding (every candidate is the model's most likely text)."""
import pytest

pytest.importorskip("transformers")  # the `phoenix` extra
import torch  # noqa: E402

from neural.phoenix import ModelSpec, PhoenixConfig  # noqa: E402
from neural.phoenix.model import build_model, generate, tokenizer  # noqa: E402

SPEC = ModelSpec(d_model=16, num_layers=1, num_decoder_layers=1, num_heads=2, d_ff=32)
CONFIG = {**SPEC.to_dict(), "d_kv": 8}
QUERY = "x = 1\n"  # short, so the untrained model's outputs stay short (max length = 6 + 64)


@pytest.fixture(scope="module")
def model():
    return build_model(CONFIG, seed=0, device=torch.device("cpu"))


def greedy(model) -> str:
    tok = tokenizer()
    with torch.no_grad():
        out = model.generate(**tok([QUERY], return_tensors="pt"), do_sample=False,
                             max_new_tokens=len(QUERY) + 64)
    return tok.decode(out[0], skip_special_tokens=True)


def test_sampled_candidates_of_one_query_are_distinct_and_a_function_of_the_seed(model):
    texts = generate(model, QUERY, 4, seed=3, temperature=1.0)
    assert len(set(texts)) == 4
    assert generate(model, QUERY, 4, seed=3, temperature=1.0) == texts
    assert generate(model, QUERY, 4, seed=4, temperature=1.0) != texts


@pytest.mark.parametrize("knobs", [{"top_k": 1}, {"top_p": 1e-9}])
def test_top_k_1_or_a_vanishing_top_p_is_greedy_decoding(model, knobs):
    assert generate(model, QUERY, 3, seed=5, temperature=1.0, **knobs) == [greedy(model)] * 3


def test_a_low_temperature_concentrates_the_samples_on_fewer_texts(model):
    hot = generate(model, QUERY, 6, seed=1, temperature=1.0)
    cold = generate(model, QUERY, 6, seed=1, temperature=1e-3)
    assert len(set(cold)) < len(set(hot)) and set(cold) == {greedy(model)}


@pytest.mark.parametrize("knobs, message", [({"top_k": -1}, "top_k"), ({"top_p": 0.0}, "top_p"),
                                            ({"top_p": 1.5}, "top_p")])
def test_bad_decoding_parameters_are_refused(knobs, message):
    with pytest.raises(ValueError, match=message):
        PhoenixConfig.quick(**knobs)
