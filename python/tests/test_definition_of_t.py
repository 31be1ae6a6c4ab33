"""One definition of T (METHOD.md section 1): for each order of layer, activation and normalisation,
the tensor recorded is the one the rule names, computed by hand from the model's own modules in eval
mode (the oracle), through torch.fx and through forward hooks alike.

The rule: a layer's representation is its block's output, the activation's output, or the output of
a normalisation (BatchNorm, LayerNorm, GroupNorm) directly after the activation; always before
pooling and dropout; a normalisation before the activation is inside the block."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from infoplane import Recorder  # noqa: E402

#: The recorder runs the same modules on the same inputs: equal up to float32 summation order.
TOL = dict(rtol=1e-5, atol=1e-6)


def _x(*shape, seed=1):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _trained_stats(model, x):
    """Moves the normalisations' running statistics away from their initial values, then eval mode."""
    model.train()
    with torch.no_grad():
        for k in range(3):
            model(x + 0.5 * k)
    model.eval()
    return model


def _record(model, layers, x, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = Recorder(model, layers, trace=(mode == "fx"))
    got = rec.record(x, batch_size=4)
    assert rec.mode == mode
    return rec, got


class PaperMlp(nn.Module):
    """The paper's MLP order: Linear -> Tanh -> BatchNorm1d per block, as nested blocks."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.blocks = nn.Sequential(
            nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.BatchNorm1d(8)),
            nn.Sequential(nn.Linear(8, 5), nn.Tanh(), nn.BatchNorm1d(5)))
        self.out = nn.Linear(5, 3)

    def forward(self, x):
        return self.out(self.blocks(x))

    def by_hand(self, x):
        with torch.no_grad():
            b0 = self.blocks[0][2](torch.tanh(self.blocks[0][0](x)))
            b1 = self.blocks[1][2](torch.tanh(self.blocks[1][0](b0)))
        return b0, b1


@pytest.mark.parametrize("mode", ["fx", "hooks"])
@pytest.mark.parametrize("names", [None, ["blocks.0", "blocks.1"], ["blocks.0.0", "blocks.1.0"],
                                   ["blocks.0.1", "blocks.1.1"], ["blocks.0.2", "blocks.1.2"]])
def test_linear_tanh_batchnorm_records_the_batchnorm_output_however_the_block_is_named(mode, names):
    x = _x(10, 6)
    model = _trained_stats(PaperMlp(), x)
    rec, got = _record(model, names, x, mode)
    b0, b1 = model.by_hand(x)
    first, second = rec.layer_names[:2]
    np.testing.assert_allclose(got[first], b0.numpy(), **TOL)
    np.testing.assert_allclose(got[second], b1.numpy(), **TOL)
    with torch.no_grad():
        before_bn = torch.tanh(model.blocks[0][0](x)).numpy()
    assert np.abs(got[first] - before_bn).max() > 0.1, "the case is a real one: BatchNorm changes the tensor"
    assert "output of blocks.0.2 BatchNorm1d <- blocks.0.1 Tanh <- blocks.0.0 Linear" in rec.describe()


@pytest.mark.parametrize("mode", ["fx", "hooks"])
def test_conv_batchnorm_relu_records_the_activation_output(mode):
    """The authors' VGG-16 order: the normalisation before the activation is inside the block."""
    torch.manual_seed(0)
    x = _x(6, 1, 8, 8)
    model = _trained_stats(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 3)), x)
    for names in (None, ["0"], ["2"]):
        rec, got = _record(model, names, x, mode)
        with torch.no_grad():
            want = torch.relu(model[1](model[0](x))).numpy()
        np.testing.assert_allclose(got[rec.layer_names[0]], want, **TOL)
        assert "output of 2 ReLU <- 1 BatchNorm2d <- 0 Conv2d" in rec.describe()


@pytest.mark.parametrize("mode", ["fx", "hooks"])
def test_a_block_named_by_path_is_its_output_before_pooling_and_dropout(mode):
    torch.manual_seed(0)
    x = _x(6, 1, 8, 8)
    model = _trained_stats(nn.Sequential(
        nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2)),
        nn.Sequential(nn.Flatten(), nn.Linear(64, 7), nn.Sigmoid(), nn.Dropout(0.5)),
        nn.Linear(7, 3)), x)
    rec, got = _record(model, ["0", "1"], x, mode)
    with torch.no_grad():
        b0 = model[0][2](torch.relu(model[0][0](x)))
        b1 = torch.sigmoid(model[1][1](model[0][3](b0).flatten(1)))
    np.testing.assert_allclose(got["0"], b0.numpy(), **TOL)
    np.testing.assert_allclose(got["1"], b1.numpy(), **TOL)
    assert got["0"].shape == (6, 4, 8, 8), "before pooling"


class FunctionalNorms(nn.Module):
    """Functional activations followed by LayerNorm and GroupNorm modules, and a LayerNorm before an
    activation (inside the block)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.gn = nn.GroupNorm(2, 4)
        self.fc1 = nn.Linear(4 * 4 * 4, 10)
        self.ln1 = nn.LayerNorm(10)
        self.fc2 = nn.Linear(10, 6)
        self.ln2 = nn.LayerNorm(6)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        h = F.max_pool2d(self.gn(F.relu(self.conv(x))), 2)
        h = self.ln1(torch.tanh(self.fc1(h.flatten(1))))
        h = F.gelu(self.ln2(self.fc2(h)))
        return self.out(h)

    def by_hand(self, x):
        with torch.no_grad():
            conv = self.gn(torch.relu(self.conv(x)))
            fc1 = self.ln1(torch.tanh(self.fc1(F.max_pool2d(conv, 2).flatten(1))))
            fc2 = F.gelu(self.ln2(self.fc2(fc1)))
        return {"conv": conv, "fc1": fc1, "fc2": fc2}


def test_layernorm_and_groupnorm_after_an_activation_are_the_block_output():
    model, x = FunctionalNorms().eval(), _x(5, 1, 8, 8)
    # with the default affine parameters changed, a normalisation is more than a rescaling
    with torch.no_grad():
        for m in (model.gn, model.ln1, model.ln2):
            m.weight.uniform_(0.5, 2.0)
            m.bias.uniform_(-1.0, 1.0)
    for names in (None, ["conv", "fc1", "fc2"]):
        rec = Recorder(model, names)
        assert rec.layer_names[:3] == ["conv", "fc1", "fc2"]
        got, want = rec.record(x), model.by_hand(x)
        for name in ("conv", "fc1", "fc2"):
            np.testing.assert_allclose(got[name], want[name].numpy(), err_msg=name, **TOL)
    d = rec.describe()
    assert "L0 conv: output of gn GroupNorm <- F.relu <- conv Conv2d" in d
    assert "L1 fc1: output of ln1 LayerNorm <- torch.tanh <- fc1 Linear" in d
    assert "L2 fc2: output of F.gelu <- ln2 LayerNorm <- fc2 Linear" in d


def test_a_functional_normalisation_after_an_activation_is_the_block_output():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 6)
            self.out = nn.Linear(6, 2)

        def forward(self, x):
            return self.out(F.layer_norm(F.relu(self.fc(x)), (6,)))

    torch.manual_seed(0)
    model, x = M(), _x(7, 4)
    rec = Recorder(model, ["fc"])
    with torch.no_grad():
        want = F.layer_norm(torch.relu(model.fc(x)), (6,))
    np.testing.assert_allclose(rec.record(x)["fc"], want.numpy(), **TOL)
    assert "output of F.layer_norm <- F.relu <- fc Linear" in rec.describe()


def test_a_normalisation_used_twice_is_not_taken_for_the_block_output():
    """'directly follows': an activation whose output also feeds another call keeps its own output."""
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 6)
            self.bn = nn.BatchNorm1d(6)
            self.out = nn.Linear(6, 2)

        def forward(self, x):
            h = torch.tanh(self.fc(x))
            return self.out(self.bn(h) + h)

    torch.manual_seed(0)
    model, x = M().eval(), _x(7, 4)
    got = Recorder(model, ["fc"]).record(x)["fc"]
    with torch.no_grad():
        np.testing.assert_allclose(got, torch.tanh(model.fc(x)).numpy(), **TOL)


def test_a_functional_batch_norm_reading_buffers_after_an_activation_is_the_block_output():
    """Parameters and buffers read in forward are not data: F.batch_norm(h, mean, var, w, b) follows h alone."""
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 6)
            self.register_buffer("mean", torch.linspace(-0.5, 0.5, 6))
            self.register_buffer("var", torch.linspace(0.5, 2.0, 6))
            self.out = nn.Linear(6, 2)

        def forward(self, x):
            return self.out(F.batch_norm(torch.sigmoid(self.fc(x)), self.mean, self.var))

    torch.manual_seed(0)
    model, x = M(), _x(7, 4)
    rec = Recorder(model, ["fc"])
    with torch.no_grad():
        want = F.batch_norm(torch.sigmoid(model.fc(x)), model.mean, model.var)
    np.testing.assert_allclose(rec.record(x)["fc"], want.numpy(), **TOL)
    assert "output of F.batch_norm <- torch.sigmoid <- fc Linear" in rec.describe()
    assert Recorder(model).layer_names == ["fc", "out"]
