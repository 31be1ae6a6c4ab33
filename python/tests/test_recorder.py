"""The PyTorch recorder against real torch: every recorded tensor is compared with the same tensor
computed by hand from the model's own modules (the oracle), for the cases that go wrong with plain
hooks: a shared activation module, functional activations, Sequential blocks, logits, eval mode,
half precision, and untraceable models."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from infoplane import ExportWriter, Record, Recorder, RecorderError, mark, read_checkpoints  # noqa: E402


class SharedReluNet(nn.Module):
    """One nn.ReLU module used after conv1, conv2 and fc1; F.relu after fc2; logits out. For 8 x 8
    single-channel images; conv2's channels, the two hidden widths and the classes are parameters."""

    def __init__(self, channels=6, hidden=(12, 8), classes=3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, channels, 3, padding=1)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(channels * 2 * 2, hidden[0])
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.out = nn.Linear(hidden[1], classes)

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = self.act(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))
        return self.out(x)

    def by_hand(self, x):
        """The oracle: each layer's output after its activation, computed step by step."""
        with torch.no_grad():
            c1 = torch.relu(self.conv1(x))
            c2 = torch.relu(self.conv2(self.pool(c1)))
            f1 = torch.relu(self.fc1(self.pool(c2).flatten(1)))
            f2 = torch.relu(self.fc2(f1))
            logits = self.out(f2)
        return {"conv1": c1, "conv2": c2, "fc1": f1, "fc2": f2, "out": torch.softmax(logits, dim=1),
                "logits": logits}


def _net(seed=0):
    torch.manual_seed(seed)
    return SharedReluNet()


def _x(n=10, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 8, 8, generator=g)


def test_a_shared_activation_module_is_recorded_per_call_site_after_the_activation():
    model, x = _net(), _x()
    rec = Recorder(model)
    assert rec.mode == "fx"
    assert rec.layer_names == ["conv1", "conv2", "fc1", "fc2", "out"]
    got = rec.record(x, batch_size=3)
    want = model.by_hand(x)
    for name in rec.layer_names:
        assert got[name].dtype == np.float32
        np.testing.assert_allclose(got[name], want[name].numpy(), rtol=1e-6, atol=1e-7, err_msg=name)
    assert (got["conv1"] >= 0).all() and (got["conv2"] >= 0).all(), "after the activation, not before"
    assert (model.conv1(x).detach().numpy() < 0).any(), "the case is a real one: pre-activations go negative"
    np.testing.assert_allclose(got["out"].sum(axis=1), 1.0, rtol=1e-6)


def test_the_functional_activation_is_found_and_said():
    rec = Recorder(_net(), ["fc2"])
    assert rec.functional_activations == ["fc2 (F.relu)"]
    assert "L0 fc2: output of F.relu <- fc2 Linear" in rec.describe()
    assert "functional activations found" in rec.describe()


def test_naming_the_shared_module_gives_one_layer_per_call_in_call_order():
    model, x = _net(), _x()
    rec = Recorder(model, ["act"])
    assert rec.layer_names == ["act-1", "act-2", "act-3"]
    got, want = rec.record(x), model.by_hand(x)
    for name, oracle in zip(rec.layer_names, ["conv1", "conv2", "fc1"]):
        np.testing.assert_allclose(got[name], want[oracle].numpy(), rtol=1e-6, atol=1e-7)


def test_layers_are_written_in_call_order_whatever_the_order_asked():
    rec = Recorder(_net(), ["out", "conv1", "fc1"])
    assert rec.layer_names == ["conv1", "fc1", "out"]


def test_logits_go_through_softmax_unless_asked_for():
    model, x = _net(), _x()
    raw = Recorder(model, ["out"], output_activation=None)
    np.testing.assert_allclose(raw.record(x)["out"], model.by_hand(x)["logits"].numpy(), rtol=1e-6, atol=1e-7)
    assert "logits" in raw.describe()


def test_a_layer_not_followed_by_an_activation_is_refused_with_what_to_do():
    with pytest.raises(RecorderError) as e:
        Recorder(_net(), ["pool"])
    msg = str(e.value)
    assert "the output of pool MaxPool2d is followed by conv2 Conv2d, not by an activation" in msg
    assert "infoplane.mark(tensor, 'pool')" in msg
    with pytest.raises(RecorderError, match="no layer 'conv9'"):
        Recorder(_net(), ["conv9"])


def test_sequential_blocks_resolve_to_their_activation():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.Tanh()),
        nn.Flatten(),
        nn.Linear(3 * 6 * 6, 5), nn.Dropout(0.5), nn.Sigmoid(),
        nn.Linear(5, 2))
    model.train()
    for _ in range(3):  # move the batch-norm statistics away from their initial values
        model(_x(16, seed=5))
    x = _x(7)
    model.eval()
    with torch.no_grad():
        block = model[0](x)
        hidden = torch.sigmoid(model[2](model[1](block)))
    model.train()
    rec = Recorder(model, ["0", "2"])
    assert rec.layer_names == ["0", "2"]
    assert "output of 0.2 Tanh <- 0.1 BatchNorm2d <- 0.0 Conv2d" in rec.describe()
    assert "Sigmoid <- 3 Dropout <- 2 Linear" in rec.describe()
    stats = model[0][1].running_mean.clone()
    got = rec.record(x)
    np.testing.assert_allclose(got["0"], block.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got["2"], hidden.numpy(), rtol=1e-6, atol=1e-6)
    assert model.training, "the model's mode is restored"
    assert torch.equal(model[0][1].running_mean, stats), "eval mode: batch-norm statistics untouched"
    again = rec.record(x)
    assert np.array_equal(again["2"], got["2"]), "eval mode: dropout off"


def test_half_precision_models_are_recorded_as_float32():
    # bfloat16: the half-precision type whose kernels PyTorch 1.13 has on the CPU (float16 is for GPUs)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3)).to(torch.bfloat16)
    rec = Recorder(model, ["0"])
    x = torch.randn(5, 4)  # float32 inputs are cast to the model's type
    got = rec.record(x)["0"]
    assert got.dtype == np.float32
    with torch.no_grad():
        want = torch.relu(model[0](x.to(torch.bfloat16))).float().numpy()
    assert np.array_equal(got, want)


def test_type_casts_between_a_layer_and_its_activation_are_followed():
    class Cast(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            return torch.tanh(self.fc(x).double()).float()

    rec = Recorder(Cast())
    assert rec.layer_names == ["fc"], "the output is the activation already: no second layer"
    assert "output of torch.tanh <- Tensor.double <- fc Linear" in rec.describe()
    assert rec.record(torch.randn(2, 4))["fc"].dtype == np.float32


class Untraceable(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 5)
        self.act = nn.ReLU()
        self.rec = Record("fc2")
        self.out = nn.Linear(5, 2)

    def forward(self, x):
        if x.sum() > 1e9:
            x = x * 0
        h = mark(torch.tanh(self.fc1(x)), "fc1")
        h = self.rec(self.act(self.fc2(h)))
        return self.out(h)


def test_without_tracing_hooks_record_marks_and_say_so():
    torch.manual_seed(0)
    model = Untraceable()
    x = torch.randn(9, 4)
    with pytest.warns(UserWarning, match="cannot be traced with torch.fx.*mark such tensors with infoplane.mark"):
        rec = Recorder(model, ["fc1", "fc2"])
    assert rec.mode == "hooks"
    got = rec.record(x, batch_size=4)
    with torch.no_grad():
        f1 = torch.tanh(model.fc1(x))
        f2 = torch.relu(model.fc2(f1))
    assert rec.layer_names == ["fc1", "fc2"]
    np.testing.assert_allclose(got["fc1"], f1.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got["fc2"], f2.numpy(), rtol=1e-6, atol=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_only = Recorder(model, ["out"])
    np.testing.assert_allclose(out_only.record(x)["out"], torch.softmax(model(x), 1).detach().numpy(), rtol=1e-6)
    assert out_only.describe().endswith("L0 out: softmax over axis 1 of the model's output (out Linear)")


class UntraceableFunctional(nn.Module):
    """Untraceable, with a functional activation that hooks cannot see."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.out = nn.Linear(6, 2)

    def forward(self, x):
        if x.sum() > 1e9:
            x = x * 0
        return self.out(F.relu(self.fc1(x)))


def test_without_tracing_a_layer_whose_activation_hooks_cannot_see_is_refused_with_what_to_do():
    with pytest.warns(UserWarning, match="cannot be traced"):
        rec = Recorder(UntraceableFunctional(), ["fc1"])
    with pytest.raises(RecorderError) as e:
        rec.record(torch.randn(3, 4))
    msg = str(e.value)
    assert "layer 'fc1': the output of fc1 Linear is followed by nothing" in msg
    assert "forward hooks see modules only" in msg and "infoplane.mark(tensor, 'fc1')" in msg


def test_marks_are_recorded_by_tracing_too():
    class Marked(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.keep = Record()

        def forward(self, x):
            h = mark(F.elu(self.fc(x)) * 2, "scaled")
            return self.keep(h + 1)

    torch.manual_seed(0)
    model = Marked()
    rec = Recorder(model)
    assert rec.mode == "fx"
    assert rec.layer_names == ["fc", "scaled", "keep"]
    x = torch.randn(6, 4)
    got = rec.record(x)
    with torch.no_grad():
        want = F.elu(model.fc(x)) * 2
    np.testing.assert_allclose(got["scaled"], want.numpy(), rtol=1e-6)
    np.testing.assert_allclose(got["keep"], want.numpy() + 1, rtol=1e-6)


def test_write_checkpoint_writes_every_split_in_bounded_chunks(tmp_path):
    model = _net()
    rec = Recorder(model, ["conv2", "fc2"])
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    x_test, y_test = _x(11, seed=2), torch.arange(11) % 3
    x_train, y_train = _x(5, seed=3), np.arange(5) % 3
    rec.write_checkpoint(ex, epoch=2, step=40, splits={"test": (x_test, y_test), "train": (x_train, y_train)},
                         metrics={"loss": torch.tensor(0.75), "test_accuracy": 0.5, "lr": 0.1}, batch_size=2,
                         chunk_size=4)
    (c,) = read_checkpoints(str(tmp_path / "ex"))
    assert (c["epoch"], c["step"]) == (2, 40)
    assert {k: c["metrics"][k] for k in ("loss", "test_accuracy", "lr")} == {"loss": 0.75, "test_accuracy": 0.5,
                                                                               "lr": 0.1}, "the user's metrics win"
    assert sorted(c["metrics"]) == ["loss", "lr", "test_accuracy", "test_loss", "train_accuracy"]
    assert c["splits"] == {"test": ["test-00000.npz", "test-00001.npz", "test-00002.npz"],
                           "train": ["train-00000.npz", "train-00001.npz"]}
    parts = [np.load(f"{c['path']}/{f}") for f in c["splits"]["test"]]
    assert [p["x"].shape[0] for p in parts] == [4, 4, 3]
    want = model.by_hand(x_test)
    np.testing.assert_allclose(np.concatenate([p["L0_conv2"] for p in parts]), want["conv2"].numpy(), rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(np.concatenate([p["L1_fc2"] for p in parts]), want["fc2"].numpy(), rtol=1e-6,
                               atol=1e-7)
    assert \
        list(np.concatenate([p["y"] for p in parts])) == [i % 3 for i in range(11)]
    assert list(np.concatenate([p["sample_id"] for p in parts])) == list(range(11))
