"""Verdicts: no truth value, a kind, and a lossless JSON round trip."""
import json

import pytest

from rsi.verdict import HoldsUpTo, Proven, Refuted, Unknown, verdict_from_dict

EVERY_KIND = [
    Refuted({"t": 7, "t_prime": 8, "G_t": 7, "G_t_prime": 0}, "worse later"),
    HoldsUpTo(100, {"C": -1, "checked_t": [0, 50]}),
    Proven("the table is exhausted", {"t": 2}),
    Unknown("no t' <= 100 is better", {"t": 50}),
]


@pytest.mark.parametrize("verdict", EVERY_KIND, ids=lambda v: v.kind)
def test_bool_of_a_verdict_raises_and_names_kind(verdict):
    with pytest.raises(TypeError, match=r"\.kind"):
        bool(verdict)
    with pytest.raises(TypeError):
        if verdict:  # the accident this guards against
            pass


@pytest.mark.parametrize("verdict", EVERY_KIND, ids=lambda v: v.kind)
def test_json_round_trip_gives_an_equal_verdict(verdict):
    data = json.loads(verdict.to_json())
    assert data["kind"] == verdict.kind
    assert verdict_from_dict(data) == verdict


def test_kinds_are_the_four_documented_names():
    assert [v.kind for v in EVERY_KIND] == ["refuted", "holds_up_to", "proven", "unknown"]


def test_verdicts_are_frozen():
    with pytest.raises(AttributeError):
        EVERY_KIND[1].horizon = 5


def test_unknown_kind_in_a_dict_is_rejected_by_name():
    with pytest.raises(ValueError, match="'maybe'"):
        verdict_from_dict({"kind": "maybe", "reason": "x"})


def test_summary_starts_with_the_kind_and_shows_the_witness():
    summary = EVERY_KIND[0].summary()
    assert summary.startswith("refuted:")
    assert '"t_prime": 8' in summary


def test_to_json_takes_numpy_integers_and_fractions():
    from fractions import Fraction

    import numpy as np

    from rsi.definitions import has_goal_at
    from rsi.programs import TableProgram

    verdict = has_goal_at(TableProgram((1, 2, 3)), lambda x: Fraction(x, 3), np.int64(0), np.int64(5))
    data = json.loads(verdict.to_json())
    assert data["kind"] == "proven" and data["evidence"]["G_t_prime"] == "2/3"
    assert json.loads(HoldsUpTo(np.int64(9), {"C": np.int64(-1)}).to_json()) == {
        "kind": "holds_up_to", "horizon": 9, "evidence": {"C": -1}}


def test_supports_is_the_one_definition_of_a_positive_verdict():
    from rsi.verdict import supports

    assert [supports(v) for v in EVERY_KIND] == [False, True, True, False]
    assert [supports(v.to_dict()) for v in EVERY_KIND] == [False, True, True, False]
    with pytest.raises(ValueError, match="unknown verdict kind"):
        supports("holds")
