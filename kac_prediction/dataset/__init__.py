"""Datasets: generate (parallel, sharded, resumable), store, load (also the original layout), transform, install."""

from ..samplers import AudioSampler, SamplerInfo, SamplerSettings, classLocalsToKwargs
from .format import DatasetFormatError
from .generate import generateDataset
from .input_representation import InputRepresentation, RepresentationSettings
from .install import installDataset
from .legacy import LegacyDatasetWarning
from .load import loadDataset
from .merge import mergeShards
from .regenerate import regenerateDataPoints
from .torch_dataset import TorchDataset
from .transform import transformDataset

__all__ = [
    'AudioSampler',
    'DatasetFormatError',
    'InputRepresentation',
    'LegacyDatasetWarning',
    'RepresentationSettings',
    'SamplerInfo',
    'SamplerSettings',
    'TorchDataset',
    'classLocalsToKwargs',
    'generateDataset',
    'installDataset',
    'loadDataset',
    'mergeShards',
    'regenerateDataPoints',
    'transformDataset',
]
