"""rsi.app.sweep.store: rows are whole lines that read back equal; a torn last line (a kill
mid-write) is dropped and cut off so the next row starts on its own line; a bad line
before the last is reported as corruption; one sweep at a time holds a results folder."""
import json

import pytest

from rsi.app.sweep import ResultsStore, Row, SpecError


def row(n: int, status: str = "ok") -> Row:
    return Row(task_id=f"t{n}", experiment="soup", params={"programs": 64}, seed=n, status=status,
               metrics={"x": n / 3} if status == "ok" else None, error="" if status == "ok" else "E",
               attempts=1, wall_s=0.5, host="h", executor="local")


def test_appended_rows_read_back_equal(tmp_path):
    with ResultsStore(tmp_path) as store:
        for n in range(3):
            store.append(row(n))
    with ResultsStore(tmp_path) as store:
        assert store.rows == [row(0), row(1), row(2)] and not store.dropped_torn_line
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["task_id"] for line in lines] == ["t0", "t1", "t2"]


@pytest.mark.parametrize("torn", [b'{"task_id": "t9", "exper', b"\x00\x00\x00\n"])
def test_torn_last_line_is_dropped_and_cut_off(tmp_path, torn):
    with ResultsStore(tmp_path) as store:
        store.append(row(0))
        store.append(row(1))
    path = tmp_path / "results.jsonl"
    intact = path.read_bytes()
    path.write_bytes(intact + torn)
    with ResultsStore(tmp_path) as store:
        assert store.rows == [row(0), row(1)] and store.dropped_torn_line
        assert path.read_bytes() == intact
        store.append(row(2))
    with ResultsStore(tmp_path) as store:
        assert store.rows == [row(0), row(1), row(2)]


def test_bad_line_before_the_last_is_corruption(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(row(0).to_json() + "\nnot json\n" + row(1).to_json() + "\n")
    with pytest.raises(SpecError, match="line 2 is not a result row"):
        ResultsStore(tmp_path).__enter__()


def test_second_store_on_the_same_folder_is_refused(tmp_path):
    with ResultsStore(tmp_path), pytest.raises(SpecError, match="another sweep is writing"):
        ResultsStore(tmp_path).__enter__()
    with ResultsStore(tmp_path) as store:  # released on exit
        assert store.rows == []


def test_latest_row_of_a_task_wins(tmp_path):
    with ResultsStore(tmp_path) as store:
        store.append(row(0, "failed"))
        store.append(row(1))
        store.append(row(0))
        assert store.latest() == {"t0": row(0), "t1": row(1)}
