"""A split's mean loss and accuracy, accumulated over the batches of the forward pass that records it
(needs torch)."""
from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F

from .marks import RecorderError

__all__ = ["metric_names", "default_loss", "Totals", "LossFn"]

#: A loss: (output tensor, labels) -> the batch's mean loss.
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def metric_names(split: str) -> Tuple[str, str]:
    """The loss and accuracy metric names of a split.

    ``train`` gives ``loss`` and ``train_accuracy``; ``test`` gives ``test_loss`` and
    ``test_accuracy``; ``validation`` (or ``val``) gives ``val_loss`` and ``val_accuracy``; any other
    split ``<split>_loss`` and ``<split>_accuracy``.
    """
    if split == "train":
        return "loss", "train_accuracy"
    if split in ("validation", "val"):
        return "val_loss", "val_accuracy"
    return split + "_loss", split + "_accuracy"


def default_loss(output_end: Optional[str]) -> LossFn:
    """Cross-entropy in nats: of logits, or of the probabilities / log-probabilities a model ending in
    ``softmax`` / ``log_softmax`` returns."""
    if output_end == "softmax":
        return lambda p, y: F.nll_loss(torch.log(p.float().clamp_min(1e-45)), y)
    if output_end == "log_softmax":
        return lambda logp, y: F.nll_loss(logp.float(), y)
    return lambda logits, y: F.cross_entropy(logits.float(), y)


class Totals:
    """Running sums of one split: loss (batch means weighted by batch size), correct predictions, samples."""

    def __init__(self) -> None:
        self.loss = 0.0
        self.correct = 0
        self.n = 0

    def add(self, output: torch.Tensor, labels, loss_fn: LossFn) -> None:
        """Adds one batch: ``output`` (batch x classes) against integer ``labels`` (batch)."""
        n = output.shape[0]
        y = torch.as_tensor(labels).to(output.device).long()
        if y.shape != (n,) or output.dim() != 2:
            raise RecorderError("the model's output has shape %s and the labels %s; metrics need (batch, classes) "
                                "and (batch,)" % (tuple(output.shape), tuple(y.shape)))
        self.loss += float(loss_fn(output, y)) * n
        self.correct += int((output.argmax(dim=1) == y).sum())
        self.n += n

    def means(self) -> Tuple[float, float]:
        """Mean loss and accuracy (fraction)."""
        if self.n == 0:
            raise RecorderError("an evaluation split has no samples")
        return self.loss / self.n, self.correct / self.n
