"""DimOfRectangularDrum: predict the size and aspect ratio of a rectangular drum (PoissonModel) from its sound."""

from collections.abc import Mapping
from typing import Any

from kac_prediction.samplers import PoissonModel

from .regression import defaultParameters, trainRegression

__all__ = ['DimOfRectangularDrum']


def DimOfRectangularDrum(config_path: str = '', wandb_config: Mapping[str, Any] = {}, **options: Any) -> dict[str, Any]:
    """Train and evaluate; returns {..., 'metrics': {'drum_size': {...}, 'aspect_ratio': {...}}}."""
    labels = ['drum_size', 'aspect_ratio']
    return trainRegression(PoissonModel, labels, defaultParameters(), config_path, wandb_config,
                           log_labels=labels, physics_method='rectangle', **options)  # fmt: skip
