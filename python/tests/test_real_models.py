"""Real models and real training setups against real torch: structured outputs, wrappers
(DataParallel, DistributedDataParallel, torch.compile), rank 0 alone writing, DataLoader and Dataset
splits, keyword inputs, torch.fx tracer arguments, rewriting a checkpoint, and the projected size.
Each compares what is recorded with the tensor computed by hand from the model's own modules."""
import json
import logging
import os
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402

from infoplane import ExportWriter, Recorder, RecorderError, read_checkpoints  # noqa: E402
from test_recorder import SharedReluNet, _net, _x  # noqa: E402

LAYERS = ["conv1", "conv2", "fc1", "fc2", "out"]
TOL = dict(rtol=1e-5, atol=1e-6)


def _assert_like_by_hand(got, model, x, names=LAYERS):
    want = model.by_hand(x)
    for name in names:
        np.testing.assert_allclose(got[name], want[name].numpy(), err_msg=name, **TOL)


# ---- outputs that are not one tensor -------------------------------------------------------------------

class DictOut(SharedReluNet):
    def forward(self, x):
        logits = super().forward(x)
        return {"hidden": x.mean(dim=(1, 2, 3)), "logits": logits}


class TupleOut(SharedReluNet):
    def forward(self, x):
        return super().forward(x), x.sum()


def test_an_output_that_is_not_one_tensor_is_refused_with_what_to_give():
    torch.manual_seed(0)
    rec = Recorder(DictOut())
    with pytest.raises(RecorderError) as e:
        rec.record(_x())
    assert "the model returns a dict with keys ['hidden', 'logits'], not one tensor" in str(e.value)
    assert "output_key" in str(e.value)
    with pytest.raises(RecorderError, match="returns a tuple of 2, not one tensor"):
        Recorder(TupleOut()).record(_x())
    with pytest.raises(RecorderError,
                       match=r"output_key 'scores': the model's output \(dict\) has keys \['hidden', 'logits'\]"):
        Recorder(DictOut(), output_key="scores").record(_x())


@pytest.mark.parametrize("cls, key", [(DictOut, "logits"), (TupleOut, 0), (DictOut, lambda out: out["logits"])])
def test_output_key_picks_the_logits_of_a_dict_or_tuple(cls, key):
    torch.manual_seed(0)
    model, x = cls(), _x()
    rec = Recorder(model, output_key=key)
    assert rec.layer_names[:4] == LAYERS[:4] and len(rec.layer_names) == 5
    got = rec.record(x)
    got["out"] = got[rec.layer_names[4]]
    _assert_like_by_hand(got, model, x)


def test_output_key_reads_a_transformers_model_output():
    outputs = pytest.importorskip("transformers.modeling_outputs",
                                  reason="transformers is not installed: ModelOutput is its class")

    class HfStyle(SharedReluNet):
        def forward(self, x):
            return outputs.SequenceClassifierOutput(logits=super().forward(x))

    torch.manual_seed(0)
    model, x = HfStyle(), _x()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # whether torch.fx can trace the dataclass depends on the versions
        with pytest.raises(RecorderError, match=r"returns a (SequenceClassifierOutput|dict) with keys \[.logits.\]"):
            Recorder(model, ["fc1"]).record(x)
        rec = Recorder(model, ["fc1", "fc2"], output_key="logits")
    got = rec.record(x)
    _assert_like_by_hand(got, model, x, ["fc1", "fc2"])
    loss, acc = rec.evaluate(x, torch.arange(10) % 3)
    with torch.no_grad():
        assert loss == pytest.approx(float(F.cross_entropy(model.by_hand(x)["logits"], torch.arange(10) % 3)),
                                     rel=1e-6)


# ---- wrappers -------------------------------------------------------------------------------------------

def test_data_parallel_is_unwrapped_and_traced():
    model, x = _net(), _x()
    rec = Recorder(nn.DataParallel(model))
    assert rec.mode == "fx" and rec.trace_error is None
    assert rec.layer_names == LAYERS
    assert rec.functional_activations == ["fc2 (F.relu)"], "the functional activation is found"
    assert "the model inside DataParallel" in rec.describe()
    _assert_like_by_hand(rec.record(x), model, x)


def test_a_compiled_model_is_unwrapped():
    if not hasattr(torch, "compile"):
        pytest.skip("torch %s has no torch.compile (2.0 and later)" % torch.__version__)
    model, x = _net(), _x()
    rec = Recorder(torch.compile(model))
    assert rec.wrappers == ["torch.compile"]
    assert rec.mode == "fx" and rec.layer_names == LAYERS
    _assert_like_by_hand(rec.record(x), model, x)


def _ddp_worker(rank, world_size, store_path, out_dir):
    """One rank of a real gloo process group: each rank records with its own export directory."""
    import torch.distributed as dist
    dist.init_process_group("gloo", init_method="file://" + store_path, rank=rank, world_size=world_size)
    try:
        model = nn.parallel.DistributedDataParallel(_net())
        x = _x()
        export = ExportWriter(os.path.join(out_dir, "rank%d" % rank), num_classes=3)
        rec = Recorder(model)
        path = rec.write_checkpoint(export, 0, 0, {"test": (x, torch.arange(10) % 3)})
        got = rec.record(x)
        want = model.module.by_hand(x)
        result = {"path": path, "mode": rec.mode, "layers": rec.layer_names, "wrappers": rec.wrappers,
                  "equal": all(np.allclose(got[n], want[n].numpy(), **TOL) for n in LAYERS)}
        with open(os.path.join(out_dir, "result%d.json" % rank), "w") as f:
            json.dump(result, f)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_under_distributed_data_parallel_only_rank_0_writes(tmp_path):
    import torch.distributed as dist
    import torch.multiprocessing as mp
    if not dist.is_available():
        pytest.skip("this torch is built without torch.distributed")
    mp.spawn(_ddp_worker, args=(2, str(tmp_path / "store"), str(tmp_path)), nprocs=2, join=True)
    r0 = json.loads((tmp_path / "result0.json").read_text())
    r1 = json.loads((tmp_path / "result1.json").read_text())
    for r in (r0, r1):
        assert r["mode"] == "fx" and r["layers"] == LAYERS and r["wrappers"] == ["DistributedDataParallel"]
        assert r["equal"], "the module inside DDP is recorded"
    assert r0["path"] == str(tmp_path / "rank0" / "epoch=0-step=0")
    assert [c["step"] for c in read_checkpoints(str(tmp_path / "rank0"))] == [0]
    assert r1["path"] is None and not (tmp_path / "rank1").exists(), "rank 1 writes nothing"


def test_a_process_with_a_nonzero_rank_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "3")  # as torchrun sets it, before the process group exists
    export = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    assert not export.active
    assert Recorder(_net()).write_checkpoint(export, 0, 0, {"test": (_x(), torch.arange(10) % 3)}) is None
    assert not (tmp_path / "ex").exists()


# ---- evaluation splits ---------------------------------------------------------------------------------

def test_a_dataloader_or_a_dataset_is_an_evaluation_split(tmp_path):
    model, x = _net(), _x(11)
    y = torch.arange(11) % 3
    rec = Recorder(model, ["conv2", "fc2"])
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    splits = {"train": DataLoader(TensorDataset(x, y), batch_size=4), "test": TensorDataset(x, y),
              "arrays": (x.numpy(), y.numpy())}
    rec.write_checkpoint(ex, 0, 0, splits, batch_size=3, chunk_size=5)
    (c,) = read_checkpoints(str(tmp_path / "ex"))
    want = model.by_hand(x)
    for split in splits:
        parts = [np.load(os.path.join(c["path"], f)) for f in c["splits"][split]]
        assert [len(p["y"]) for p in parts] == [5, 5, 1], split
        np.testing.assert_allclose(np.concatenate([p["L1_fc2"] for p in parts]), want["fc2"].numpy(), **TOL)
        assert list(np.concatenate([p["y"] for p in parts])) == list(y.numpy())
        assert list(np.concatenate([p["sample_id"] for p in parts])) == list(range(11))
        assert c["metrics"]["train_accuracy" if split == "train" else split + "_accuracy"] == \
            c["metrics"]["test_accuracy"]
    with pytest.raises(RecorderError, match="the DataLoader shuffles"):
        rec.record(DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True))


class Masked(nn.Module):
    """A model with a keyword input (a mask over hidden units, as an attention mask is)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = nn.Linear(4, 6)
        self.out = nn.Linear(6, 2)

    def forward(self, x, mask):
        return self.out(F.relu(self.fc(x)) * mask)


class DictBatches(Dataset):
    def __init__(self, x, mask, y):
        self.x, self.mask, self.y = x, mask, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "mask": self.mask[i], "labels": self.y[i]}


def test_keyword_inputs_reach_forward_from_arrays_and_from_dict_batches():
    model = Masked()
    g = torch.Generator().manual_seed(3)
    x, y = torch.randn(9, 4, generator=g), torch.arange(9) % 2
    mask = (torch.rand(9, 6, generator=g) > 0.5).float()
    with torch.no_grad():
        want_out = torch.softmax(model(x, mask=mask), 1).numpy()
        want_loss = float(F.cross_entropy(model(x, mask=mask), y))
        assert not np.allclose(want_out, torch.softmax(model(x, mask=torch.ones(9, 6)), 1).numpy())
    rec = Recorder(model, ["out"])
    assert rec.mode == "fx"
    np.testing.assert_allclose(rec.record(x, batch_size=4, kwargs={"mask": mask})["out"], want_out, **TOL)
    loss, _ = rec.evaluate((x, y, {"mask": mask}), batch_size=4)
    assert loss == pytest.approx(want_loss, rel=1e-6)
    loss, _ = rec.evaluate(DataLoader(DictBatches(x, mask, y), batch_size=4))
    assert loss == pytest.approx(want_loss, rel=1e-6)
    with pytest.raises(RecorderError, match=r"a batch is a dict with keys \['input_ids', 'mask', 'labels'\]; "
                                            r"the recorder takes the input from 'x'"):
        Recorder(model, ["out"], input_key="x").evaluate(DataLoader(DictBatches(x, mask, y), batch_size=4))


class Gate(nn.Module):
    """Data-dependent control flow inside a submodule: torch.fx cannot trace into it."""

    def forward(self, x):
        return x if x.sum() > -1e9 else -x


class WithGate(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc1 = nn.Linear(4, 6)
        self.gate = Gate()
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.gate(F.relu(self.fc1(x))))


def test_tracer_kwargs_leaf_modules_keep_tracing_where_a_submodule_cannot_be_traced():
    model, x = WithGate(), torch.randn(5, 4)
    with pytest.warns(UserWarning, match="cannot be traced"):
        assert Recorder(model).mode == "hooks"
    rec = Recorder(model, tracer_kwargs={"leaf_modules": [Gate]})
    assert rec.mode == "fx" and rec.layer_names == ["fc1", "fc2"]
    assert rec.functional_activations == ["fc1 (F.relu)"]
    with torch.no_grad():
        np.testing.assert_allclose(rec.record(x)["fc1"], torch.relu(model.fc1(x)).numpy(), **TOL)
    assert Recorder(model, tracer_kwargs={"leaf_modules": ["gate"]}).mode == "fx", "a module path works too"
    with pytest.raises(TypeError, match="leaf_modules"):
        Recorder(model, tracer_kwargs={"leaf_modules": [model.gate]})


# ---- writing ------------------------------------------------------------------------------------------

def test_a_checkpoint_is_rewritten_only_with_overwrite(tmp_path):
    model, x, y = _net(), _x(), torch.arange(10) % 3
    rec = Recorder(model, ["fc1"])
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    rec.write_checkpoint(ex, 1, 10, {"test": (x, y), "train": (x, y)}, {"lr": 0.1})
    with pytest.raises(ValueError, match="already holds a checkpoint.*overwrite=True"):
        rec.write_checkpoint(ex, 1, 10, {"test": (x, y)}, {"lr": 0.2})
    rec.write_checkpoint(ex, 1, 10, {"test": (x, y)}, {"lr": 0.2}, overwrite=True)
    (c,) = read_checkpoints(str(tmp_path / "ex"))
    assert c["metrics"]["lr"] == 0.2 and list(c["splits"]) == ["test"]
    assert sorted(os.listdir(c["path"])) == ["checkpoint.json", "test-00000.npz"], "the old files are gone"


def test_the_projected_size_is_logged_before_the_first_checkpoint_and_matches_what_is_written(tmp_path, caplog):
    model, x, y = _net(), _x(40), torch.arange(40) % 3
    rec = Recorder(model)
    ex = ExportWriter(str(tmp_path / "ex"), num_classes=3)
    splits = {"train": (x, y), "test": DataLoader(TensorDataset(x[:30], y[:30]), batch_size=8)}
    with caplog.at_level(logging.INFO, logger="infoplane"):
        rec.write_checkpoint(ex, 0, 0, splits, checkpoints=4, chunk_size=16)
        rec.write_checkpoint(ex, 1, 5, splits, checkpoints=4, chunk_size=16)
    said = [r.getMessage() for r in caplog.records if "projected export size" in r.getMessage()]
    assert len(said) == 1, "once, before the first checkpoint"
    size = rec.projected_size(splits, checkpoints=4)
    assert said[0] == str(size) and " x 4 checkpoints = " in said[0]
    # x: 64 floats, conv1 4x8x8, conv2 6x4x4, fc1 12, fc2 8, out 3; y and sample_id 8 bytes each
    assert size.per_checkpoint == 70 * (4 * (64 + 256 + 96 + 12 + 8 + 3) + 16)
    written = sum(os.path.getsize(os.path.join(c["path"], f)) for c in read_checkpoints(str(tmp_path / "ex"))
                  for files in c["splits"].values() for f in files) / 2
    files = 3 + 2
    assert size.per_checkpoint <= written <= size.per_checkpoint + files * 8 * 400, "npz headers aside"


class OptionalMask(nn.Module):
    """Keyword arguments with defaults, as Hugging Face models have (labels=None, a mask that may be absent)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.fc = nn.Linear(4, 6)
        self.out = nn.Linear(6, 2)

    def forward(self, x, mask=None, labels=None):
        h = F.relu(self.fc(x))
        if mask is not None:
            h = h * mask
        logits = self.out(h)
        return {"logits": logits} if labels is None else {"logits": logits, "loss": F.cross_entropy(logits, labels)}


def test_arguments_with_defaults_are_fixed_while_tracing_until_a_batch_passes_them():
    model = OptionalMask()
    g = torch.Generator().manual_seed(4)
    x, mask = torch.randn(6, 4, generator=g), (torch.rand(6, 6, generator=g) > 0.5).float()
    rec = Recorder(model, output_key="logits")
    assert rec.mode == "fx" and rec.layer_names == ["fc", "out"]
    with torch.no_grad():
        np.testing.assert_allclose(rec.record(x)["out"], torch.softmax(model(x)["logits"], 1).numpy(), **TOL)
        np.testing.assert_allclose(rec.record(x, kwargs={"mask": mask})["out"],
                                   torch.softmax(model(x, mask=mask)["logits"], 1).numpy(), **TOL)
    assert rec.mode == "fx", "traced again with the mask free"
    fixed = Recorder(model, output_key="logits", concrete_args={"mask": None})
    with pytest.raises(RecorderError, match=r"keyword input\(s\) \['mask'\] are fixed by concrete_args"):
        fixed.record(x, kwargs={"mask": mask})
