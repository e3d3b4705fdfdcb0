"""The training pipeline: Routine (one training run), Model (the network template), loadModel, and their types."""

from ..samplers import Datasets
from .load_model import loadModel
from .model import Model
from .routine import Routine
from .types import TRAINING_DEFAULTS, ExportedModel, ModelInfo, Parameters, RunInfo, TrainingSettings

__all__ = [
    'TRAINING_DEFAULTS',
    'Datasets',
    'ExportedModel',
    'Model',
    'ModelInfo',
    'Parameters',
    'Routine',
    'RunInfo',
    'TrainingSettings',
    'loadModel',
]
