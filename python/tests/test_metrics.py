"""Metrics computed for the user: each split's mean loss and accuracy from the forward pass that records
it, equal to the loss and accuracy computed by hand over the whole split (the oracle), under the names
the Java side reads (``loss``/``train_accuracy``, ``test_loss``/``test_accuracy``, ``val_loss``/
``val_accuracy``)."""
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from infoplane import ExportWriter, Recorder, read_checkpoints  # noqa: E402
from infoplane.recorder import metric_names  # noqa: E402
from test_recorder import _net, _x  # noqa: E402


def _by_hand(model, x, y):
    with torch.no_grad():
        logits = model.by_hand(x)["logits"]
    return float(F.cross_entropy(logits, y)), int((logits.argmax(1) == y).sum()) / len(y)


def test_metric_names_follow_the_split():
    assert metric_names("train") == ("loss", "train_accuracy")
    assert metric_names("test") == ("test_loss", "test_accuracy")
    assert metric_names("validation") == metric_names("val") == ("val_loss", "val_accuracy")
    assert metric_names("holdout") == ("holdout_loss", "holdout_accuracy")


def test_every_split_gets_its_mean_loss_and_accuracy_and_validation_is_not_recorded(tmp_path):
    model = _net()
    data = {name: (_x(n, seed=s), torch.arange(n) % 3) for name, n, s in
            [("train", 23, 1), ("test", 17, 2), ("validation", 9, 3), ("holdout", 5, 4)]}
    with torch.no_grad():  # a model that gets some right and some wrong: accuracy is neither 0 nor 1
        model.out.bias.copy_(torch.tensor([0.3, 0.0, -0.3]))
    rec = Recorder(model, ["fc1"])
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    rec.write_checkpoint(ex, 0, 0, {"train": data["train"], "test": data["test"], "holdout": data["holdout"]},
                         metric_splits={"validation": data["validation"]}, batch_size=4, chunk_size=10)
    (c,) = read_checkpoints(str(tmp_path / "ex"))
    assert sorted(c["splits"]) == ["holdout", "test", "train"], "the validation split is measured, not recorded"
    m = c["metrics"]
    assert sorted(m) == ["holdout_accuracy", "holdout_loss", "loss", "test_accuracy", "test_loss",
                         "train_accuracy", "val_accuracy", "val_loss"]
    for split, (x, y) in data.items():
        lk, ak = metric_names(split)
        loss, acc = _by_hand(model, x, y)
        assert m[lk] == pytest.approx(loss, rel=1e-6), split
        assert m[ak] == pytest.approx(acc, abs=1e-12), split
    assert 0 < m["loss"] and 0 < m["train_accuracy"] < 1


def test_the_users_metrics_override_the_computed_ones(tmp_path):
    model, x, y = _net(), _x(), torch.arange(10) % 3
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    Recorder(model, ["fc1"]).write_checkpoint(ex, 0, 0, {"train": (x, y)}, {"loss": 0.125, "lr": 0.01})
    (c,) = read_checkpoints(str(tmp_path / "ex"))
    assert c["metrics"]["loss"] == 0.125 and c["metrics"]["lr"] == 0.01
    assert c["metrics"]["train_accuracy"] == pytest.approx(_by_hand(model, x, y)[1])


def test_a_loss_function_of_ones_own_and_no_metrics_at_all(tmp_path):
    model, x, y = _net(), _x(), torch.arange(10) % 3
    rec = Recorder(model, ["fc1"], loss_fn=F.multi_margin_loss)
    with torch.no_grad():
        want = float(F.multi_margin_loss(model.by_hand(x)["logits"], y))
    assert rec.evaluate(x, y, batch_size=3)[0] == pytest.approx(want, rel=1e-6)
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    Recorder(model, ["fc1"], compute_metrics=False).write_checkpoint(ex, 0, 0, {"train": (x, y)}, {"lr": 0.1},
                                                                       metric_splits={"validation": (x, y)})
    assert read_checkpoints(str(tmp_path / "ex"))[0]["metrics"] == {"lr": 0.1}


@pytest.mark.parametrize("last", [nn.LogSoftmax(dim=1), nn.Softmax(dim=1)])
def test_a_model_ending_in_a_softmax_gets_the_cross_entropy_of_its_logits(last):
    torch.manual_seed(0)
    logits_model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
    model = nn.Sequential(logits_model, last)
    x, y = torch.randn(13, 4), torch.arange(13) % 3
    with torch.no_grad():
        want = float(F.cross_entropy(logits_model(x), y))
    assert Recorder(model).evaluate(x, y, batch_size=5)[0] == pytest.approx(want, rel=1e-5)
