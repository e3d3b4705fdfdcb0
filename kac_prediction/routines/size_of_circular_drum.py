"""SizeOfCircularDrum: predict the diameter of a circular drum (BesselModel) from its sound."""

from collections.abc import Mapping
from typing import Any

from ..samplers import BesselModel
from .regression import defaultParameters, trainRegression

__all__ = ['SizeOfCircularDrum']


def SizeOfCircularDrum(
    config_path: str = '',
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    overrides: Mapping[str, Any] | None = None,
    resume: str = '',
) -> dict[str, Any]:
    """Train and evaluate; returns {'validation_loss', 'testing_loss', 'metrics': {'drum_size': {...}}, ...} (see
    `trainRegression` for the arguments, resume included, and the metrics; physics-only baseline: the lowest
    resonance). realistic: true predicts transit_time = diameter / wave_speed (s) instead."""
    return trainRegression(
        BesselModel, ['drum_size'], defaultParameters(), config_path, wandb_config, dataset_dir, exports_dir,
        physics_method='circle', overrides=overrides, resume=resume,
    )  # fmt: skip
