"""SizeOfCircularDrum: predict the diameter of a circular drum (BesselModel) from its sound."""

from collections.abc import Mapping
from typing import Any

from kac_prediction.samplers import BesselModel

from .regression import defaultParameters, trainRegression

__all__ = ['SizeOfCircularDrum']


def SizeOfCircularDrum(config_path: str = '', wandb_config: Mapping[str, Any] = {}, **options: Any) -> dict[str, Any]:
    """Train and evaluate; returns {'validation_loss', 'testing_loss', 'metrics': {'drum_size': {...}}, ...}.

    options: dataset_dir, exports_dir (see trainRegression).
    """
    return trainRegression(
        BesselModel, ['drum_size'], defaultParameters(), config_path, wandb_config, physics_method='circle', **options
    )
