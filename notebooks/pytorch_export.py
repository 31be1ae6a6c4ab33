"""Export activations of a PyTorch model as .npz checkpoints for `infoplane import npz`.

Assumptions: a classifier whose forward pass takes one batch tensor; a fixed evaluation set
(the same samples, in the same order, at every checkpoint); the modules to record are named as in
`model.named_modules()`. Each file holds x (N x ...), y (N int64), sample_id (N int64) and one array
per recorded module, L<index>_<name>, with the index giving the network order as listed.

    save_checkpoint("ckpt/e003.npz", model, x_eval, y_eval, ["conv1", "fc1", "fc2"])
    # then: bin/infoplane import npz --archive A --run r1 --split test --epoch 3 --step 1500 ckpt/e003.npz
    # (--step: SGD iterations so far; or give --steps-per-epoch once: widths are smoothed per step)

Only numpy is needed to write files (see the self-check at the bottom); torch is imported lazily.
"""
import re

import numpy as np


def layer_key(index, name):
    """The .npz key of a layer: L<index>_<name>, with characters outside [A-Za-z0-9_.-] replaced."""
    return "L%d_%s" % (index, re.sub(r"[^A-Za-z0-9_.\-]", "_", name))


def write_npz(path, x, y, layers, sample_id=None):
    """Writes one checkpoint: x (N x ...), y (N labels), layers = [(name, N x ... array)] in network order."""
    x = np.asarray(x, dtype=np.float32)
    n = x.shape[0]
    arrays = {"x": x, "y": np.asarray(y, dtype=np.int64),
              "sample_id": np.arange(n, dtype=np.int64) if sample_id is None else np.asarray(sample_id, dtype=np.int64)}
    for i, (name, a) in enumerate(layers):
        a = np.asarray(a, dtype=np.float32)
        if a.shape[0] != n:
            raise ValueError("layer %s has %d samples, x has %d" % (name, a.shape[0], n))
        if not np.isfinite(a).all():
            raise ValueError("layer %s has NaN or infinite values" % name)
        arrays[layer_key(i, name)] = a.reshape(n, -1) if a.ndim == 1 else a
    np.savez(path, **arrays)


def save_checkpoint(path, model, x_eval, y_eval, module_names, batch_size=256, sample_id=None):
    """Runs x_eval through model (eval mode, no grad), records the outputs of the named modules, writes path."""
    import torch

    modules = dict(model.named_modules())
    missing = [m for m in module_names if m not in modules]
    if missing:
        raise ValueError("no such modules: %s (have: %s)" % (missing, list(modules)))
    outputs = {m: [] for m in module_names}

    def hook(name):
        def record(_module, _inputs, out):
            if not torch.is_tensor(out):  # e.g. an LSTM's (output, state) tuple: hook a submodule instead
                raise TypeError("module %s returns %s, not a tensor" % (name, type(out).__name__))
            outputs[name].append(out.detach().float().cpu().numpy())
        return record

    hooks = [modules[m].register_forward_hook(hook(m)) for m in module_names]
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        with torch.no_grad():
            for start in range(0, len(x_eval), batch_size):
                model(torch.as_tensor(x_eval[start:start + batch_size]).to(device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    layers = [(m, np.concatenate(outputs[m], axis=0)) for m in module_names]
    write_npz(path, x_eval, y_eval, layers, sample_id)


if __name__ == "__main__":
    # NumPy-only self-check: fake activations of a small conv net, written with write_npz.
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "fake_checkpoint.npz"
    rng = np.random.default_rng(0)
    n = 64
    x = rng.random((n, 1, 8, 8), dtype=np.float32)
    y = np.arange(n) % 10
    conv1 = np.maximum(rng.standard_normal((n, 4, 8, 8)), 0).astype(np.float32)
    fc1 = np.tanh(rng.standard_normal((n, 16)))  # float64: written as float32
    fc2 = rng.standard_normal((n, 10)).astype(np.float32)
    write_npz(out, x, y, [("conv1", conv1), ("fc1", fc1), ("fc2", fc2)])
    back = np.load(out)
    assert sorted(back.files) == ["L0_conv1", "L1_fc1", "L2_fc2", "sample_id", "x", "y"], back.files
    assert back["L0_conv1"].shape == (n, 4, 8, 8) and back["L1_fc1"].dtype == np.float32
    assert (back["sample_id"] == np.arange(n)).all() and (back["y"] == y).all()
    print("wrote %s: %s" % (out, ", ".join("%s %s %s" % (k, back[k].dtype, back[k].shape) for k in back.files)))
