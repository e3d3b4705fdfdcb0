"""Tracking: the per-epoch losses, logged to wandb (when used) and kept locally for the learning-curve plot.

Only rank 0 tracks. Nested losses are flattened for wandb: {'validation_loss': {'aggregate': a, 'x': b}} is logged as
`validation_loss` = a (the metric sweeps optimise) and `validation_loss/x` = b.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .distributed import isMain
from .plots import plotLearningCurves

__all__ = ['Tracker', 'flattenMetrics']


def flattenMetrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """{'a': 1., 'b': {'aggregate': 2., 'c': 3.}} → {'a': 1., 'b': 2., 'b/c': 3.}."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            for inner, number in value.items():
                flat[key if inner == 'aggregate' else f'{key}/{inner}'] = float(number)
        elif value is not None:
            flat[key] = float(value)
    return flat


class Tracker:
    """Records metrics per epoch; forwards them to wandb when `using_wandb`."""

    def __init__(self, using_wandb: bool, exports_dir: str | os.PathLike[str]) -> None:
        self.using_wandb = using_wandb and isMain()
        self.exports_dir = Path(exports_dir)
        self.history: list[dict[str, float]] = []

    def log(self, epoch: int, metrics: Mapping[str, Any]) -> None:
        """Record `metrics` of `epoch` (and send them to wandb)."""
        if not isMain():
            return
        flat = flattenMetrics(metrics)
        self.history.append({'epoch': float(epoch), **flat})
        if self.using_wandb:
            import wandb

            wandb.log(flat, step=epoch)

    def summary(self, metrics: Mapping[str, Any]) -> None:
        """Final figures (e.g. the test loss): into wandb's run summary."""
        if self.using_wandb:
            import wandb

            if wandb.run is not None:
                wandb.run.summary.update(flattenMetrics(metrics))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Upload a file of the run directory to wandb (no-op without wandb)."""
        if self.using_wandb:
            import wandb

            wandb.save(os.fspath(path), base_path=os.fspath(self.exports_dir), policy='now')

    def plotLearningCurves(self) -> Path | None:
        """learning_curves.png in the run directory: training and validation loss per epoch (None before any epoch)."""
        if not isMain() or not self.history:
            return None
        path = plotLearningCurves(self.history, self.exports_dir / 'learning_curves.png')
        if self.using_wandb:
            import wandb

            wandb.log({'learning_curves': wandb.Image(os.fspath(path))})
        return path
