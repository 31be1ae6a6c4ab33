"""Records a PyTorch CNN on Fashion-MNIST for InfoPlane, with the `infoplane` package (pip install ./python).

    python3 notebooks/pytorch_export.py export/cnn1          # trains 3 epochs, records 4 checkpoints
    bin/infoplane import npz --archive archive --run cnn1 export/cnn1
    bin/infoplane analyze --archive archive
    bin/infoplane report --run cnn1

or, from training to the plane without a shell (the same three steps through infoplane.import_export,
infoplane.analyze and infoplane.report; needs Java 17):

    python3 notebooks/pytorch_export.py export/cnn1 --analyze results   # results/report/index.html

The model uses one nn.ReLU module at three call sites and F.relu once, as many PyTorch models do; the
recorder finds each call site and records every layer after its activation (see rec.describe()).
A validation split is carved from the training images and never trained on: its loss drives early
stopping (the test split selects nothing). The recorder computes every split's mean loss and accuracy
from the forward pass that records it, so the script writes no metric by hand.
`--fake-data` uses random images instead of Debian's Fashion-MNIST (dataset-fashion-mnist), for a
quick check.
"""
import argparse
import gzip

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import infoplane

FASHION = "/usr/share/datasets/fashion-mnist/"


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.act = nn.ReLU()  # shared by conv1, conv2 and fc1
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 32)
        self.out = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = self.act(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))  # a functional activation
        return self.out(x)  # logits: recorded through softmax


def load(kind, fake):
    """Images as float32 N x 1 x 28 x 28 in [0, 1], labels as int64."""
    if fake:
        rng = np.random.default_rng(0 if kind == "train" else 1)
        n = 2000 if kind == "train" else 500
        return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)
    prefix = FASHION + ("train" if kind == "train" else "t10k")
    with gzip.open(prefix + "-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    with gzip.open(prefix + "-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return x, y


def carve_validation(x, y, n, seed=0):
    """A validation split of n training images, and the training images left: never trained on."""
    order = np.random.default_rng(seed).permutation(len(y))
    val, rest = order[:n], np.sort(order[n:])
    return (x[val], y[val]), (x[rest], y[rest])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("export", help="the export directory to write (one run)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--eval-samples", type=int, default=1000, help="evaluation samples per split")
    ap.add_argument("--fake-data", action="store_true")
    ap.add_argument("--analyze", metavar="DIR", help="then import, analyse and report into DIR/archive,"
                    " DIR/warehouse and DIR/report")
    args = ap.parse_args()

    torch.manual_seed(0)
    x_train, y_train = load("train", args.fake_data)
    x_test, y_test = load("test", args.fake_data)
    n = args.eval_samples
    validation, (x_train, y_train) = carve_validation(x_train, y_train, min(n, len(y_train) // 5))
    splits = {"train": (x_train[:n], y_train[:n]), "test": (x_test[:n], y_test[:n])}  # recorded
    metric_splits = {"validation": validation}  # loss and accuracy only: early stopping reads val_loss

    model = Cnn()
    rec = infoplane.Recorder(model)
    print(rec.describe())
    print(rec.projected_size(splits, checkpoints=args.epochs + 1))
    export = infoplane.ExportWriter(args.export, num_classes=10, model="cnn", dataset="fashion-mnist")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)

    def checkpoint(epoch, step):
        rec.write_checkpoint(export, epoch, step, splits, {"lr": 1e-3}, metric_splits=metric_splits)
        print("epoch %d step %d: %s" % (epoch, step, {k: round(v, 4) for k, v in sorted(rec.last_metrics.items())}))

    step = 0
    checkpoint(0, step)  # before training
    for epoch in range(1, args.epochs + 1):
        for batch in torch.randperm(len(xt)).split(128):
            loss = F.cross_entropy(model(xt[batch]), yt[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        checkpoint(epoch, step)
    if not args.analyze:
        print("wrote %s; now: bin/infoplane import npz --archive ARCHIVE --run RUN %s" % (args.export, args.export))
        return
    to_the_plane(args.export, args.analyze, run="cnn1")


def to_the_plane(export, out, run):
    """Imports the export, analyses it and writes its report, through the launcher, printing its progress."""
    import os
    archive, warehouse = os.path.join(out, "archive"), os.path.join(out, "warehouse")

    def progress(stream, line):
        if stream == "stdout":
            print("  " + line, flush=True)

    infoplane.import_export(export, archive=archive, run=run, on_line=progress)
    infoplane.analyze(archive, warehouse=warehouse, on_line=progress)
    index = infoplane.report(run=run, warehouse=warehouse, out=os.path.join(out, "report"), on_line=progress)
    print("the information plane: %s" % index.resolve())


if __name__ == "__main__":
    main()
