"""`rsi neural train`: JSON metrics on success (exit 0), one line and exit 2 on bad input."""
import json
import pickle

import pytest
import torch

from rsi.app.cli import main


def run(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(["neural", "train", *args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_train_prints_every_metric_as_json(capsys):
    code, out, _ = run(capsys, "--width", "8", "--method", "newton", "--epochs", "3", "--population", "2",
                       "--device", "cpu", "--json")
    data = json.loads(out)
    assert code == 0
    assert [net["seed"] for net in data["nets"]] == [0, 1]
    for net in data["nets"]:
        for key in ("sr_loss", "mae", "mse", "r2", "relative_loss", "norm", "rms", "zero_quine", "diverged"):
            assert key in net
        assert net["mse"] == pytest.approx(net["sr_loss"] / net["n"])
        assert net["rms"] == pytest.approx(net["norm"] / net["n"] ** 0.5)
        assert net["relative_loss"] == pytest.approx(net["sr_loss"] / net["norm"] ** 2)


@pytest.mark.parametrize("args, message", [
    (["--arch", "nope"], "arch must be one of"),
    (["--method", "magic"], "method must be one of"),
    (["--aux", "--solo"], "exclude each other"),
    (["--resume"], "--resume needs --checkpoint"),
    (["--epochs", "0"], "epochs must be at least 1"),
])
def test_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = run(capsys, *args, "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


@pytest.mark.parametrize("content", [b"not a checkpoint", pickle.dumps({"version": 1}), None])
def test_an_unusable_checkpoint_exits_2_with_one_line(capsys, tmp_path, content):
    path = tmp_path / "run.pt"
    if content is None:  # a torch file, but not one `train` wrote
        torch.save({"weights": torch.zeros(3)}, path)
    else:
        path.write_bytes(content)
    code, out, err = run(capsys, "--width", "8", "--epochs", "1", "--device", "cpu", "--checkpoint", str(path),
                         "--resume", "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(path) in err
