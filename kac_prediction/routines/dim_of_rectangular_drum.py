"""DimOfRectangularDrum: predict the size and aspect ratio of a rectangular drum (PoissonModel) from its sound."""

from collections.abc import Mapping
from typing import Any

from ..samplers import PoissonModel
from .regression import defaultParameters, trainRegression

__all__ = ['DimOfRectangularDrum']


def DimOfRectangularDrum(
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    overrides: Mapping[str, Any] | None = None,
    resume: str = '',
) -> dict[str, Any]:
    """Train and evaluate; returns {..., 'metrics': {'drum_size': {...}, 'aspect_ratio': {...}}} (see
    `trainRegression`, resume included; physics-only baseline: the resonances f₁₁ and f₃₁). realistic: true predicts
    transit_time (s) and aspect_ratio instead."""
    labels = ['drum_size', 'aspect_ratio']
    return trainRegression(
        PoissonModel, labels, defaultParameters(), config_path, wandb_config, dataset_dir, exports_dir,
        log_labels=labels, physics_method='rectangle', overrides=overrides, resume=resume,
        realistic_labels=['transit_time', 'aspect_ratio'],
    )  # fmt: skip
