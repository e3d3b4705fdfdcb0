"""Regression metrics per label, beside the predict-the-mean baseline; the IoU of predicted outline masks."""

from collections.abc import Sequence

import torch

__all__ = ['maskIoU', 'regressionMetrics']


def regressionMetrics(
    y_hat: torch.Tensor, y: torch.Tensor, names: Sequence[str], training_mean: torch.Tensor | None = None
) -> dict[str, dict[str, float]]:
    """Per label (column): MSE, RMSE, R² and the RMSE of always predicting the mean, in the labels' own units.

    y_hat, y: (N, labels) in physical units. training_mean: the mean of each label over the training split (the
    baseline's prediction); default the mean of y. Returns {name: {'mse', 'rmse', 'r2', 'baseline_rmse'}}.
    """
    if y_hat.shape != y.shape or y.ndim != 2 or y.shape[1] != len(names):
        raise ValueError(f'y_hat {tuple(y_hat.shape)} and y {tuple(y.shape)} must both be (N, {len(names)}).')
    mean = y.mean(dim=0) if training_mean is None else training_mean.to(y)
    out = {}
    for k, name in enumerate(names):
        error = (y_hat[:, k] - y[:, k]).double()
        mse = float(error.square().mean())
        spread = float((y[:, k].double() - y[:, k].double().mean()).square().mean())
        baseline = float((y[:, k].double() - float(mean[k])).square().mean())
        out[name] = {
            'mse': mse,
            'rmse': mse**0.5,
            'r2': 1.0 - mse / spread if spread > 0 else float('nan'),
            'baseline_rmse': baseline**0.5,
        }
    return out


def maskIoU(predicted: torch.Tensor, true: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """The intersection over union of each predicted mask with its true mask: float64 (N,).

    predicted: (N, …) occupancy probabilities, a cell counts as inside when ≥ `threshold`; true: (N, …) bool (or
    numbers, inside when ≥ `threshold`). Two empty masks agree perfectly (IoU 1).
    """
    if predicted.shape != true.shape or predicted.ndim < 2:
        raise ValueError(f'predicted {tuple(predicted.shape)} and true {tuple(true.shape)} must both be (N, …) masks.')
    a = (predicted >= threshold).flatten(1)
    b = (true if true.dtype == torch.bool else true >= threshold).flatten(1)
    intersection = (a & b).sum(dim=1).double()
    union = (a | b).sum(dim=1).double()
    return torch.where(union > 0, intersection / union.clamp_min(1.0), torch.ones_like(union))
