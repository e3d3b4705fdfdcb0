"""Datasets: generate (parallel, sharded, resumable, locked), store, load (also the original layout), check, repair,
transform, install.

Names are imported on first use (PEP 562), so `python -m kac_prediction.dataset.install` and spawned generation
workers do not pay for modules they do not need (torch among them).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..samplers import AudioSampler, SamplerInfo, SamplerSettings, classLocalsToKwargs
    from .audio import readAudio
    from .check import DatasetReport, checkDataset
    from .format import DatasetFormatError
    from .generate import DiskFullError, GenerationInterrupted, generateDataset
    from .input_representation import InputRepresentation, RepresentationSettings
    from .install import installDataset
    from .legacy import LegacyDatasetWarning
    from .load import loadDataset
    from .lock import DatasetLockedError
    from .merge import mergeShards
    from .regenerate import regenerateDataPoints, regenerateItems
    from .torch_dataset import TorchDataset
    from .transform import transformDataset

_MODULES = {
    'AudioSampler': '..samplers',
    'SamplerInfo': '..samplers',
    'SamplerSettings': '..samplers',
    'classLocalsToKwargs': '..samplers',
    'checkDataset': '.check',
    'DatasetFormatError': '.format',
    'DatasetLockedError': '.lock',
    'DatasetReport': '.check',
    'DiskFullError': '.generate',
    'GenerationInterrupted': '.generate',
    'generateDataset': '.generate',
    'InputRepresentation': '.input_representation',
    'RepresentationSettings': '.input_representation',
    'installDataset': '.install',
    'LegacyDatasetWarning': '.legacy',
    'loadDataset': '.load',
    'mergeShards': '.merge',
    'readAudio': '.audio',
    'regenerateDataPoints': '.regenerate',
    'regenerateItems': '.regenerate',
    'TorchDataset': '.torch_dataset',
    'transformDataset': '.transform',
}

__all__ = [
    'AudioSampler',
    'DatasetFormatError',
    'DatasetLockedError',
    'DatasetReport',
    'DiskFullError',
    'GenerationInterrupted',
    'InputRepresentation',
    'LegacyDatasetWarning',
    'RepresentationSettings',
    'SamplerInfo',
    'SamplerSettings',
    'TorchDataset',
    'checkDataset',
    'classLocalsToKwargs',
    'generateDataset',
    'installDataset',
    'loadDataset',
    'mergeShards',
    'readAudio',
    'regenerateDataPoints',
    'regenerateItems',
    'transformDataset',
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    value = getattr(importlib.import_module(_MODULES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
