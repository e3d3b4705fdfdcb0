"""The audio of a dataset's items, read back from its WAVs."""

import os
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .format import readWav, sampleLength, wavName
from .torch_dataset import TorchDataset

__all__ = ['readAudio']


def readAudio(dataset: TorchDataset, indices: Sequence[int]) -> npt.NDArray[np.float64]:
    """The waveforms of items `indices` of `dataset`: float64 (len(indices), samples), in [−1, 1], at the dataset's
    sample rate (`dataset.sampler_settings['sample_rate']`, Hz). Raises DatasetFormatError naming a missing or
    mismatched WAV, ValueError for an index outside the dataset."""
    rate = int(dataset.sampler_settings['sample_rate'])
    length = sampleLength(dataset.sampler_settings)
    out = np.empty((len(indices), length), dtype=np.float64)
    for row, i in enumerate(indices):
        if not 0 <= int(i) < dataset.dataset_size:
            raise ValueError(f'index {i} is outside the dataset (0 … {dataset.dataset_size - 1}).')
        out[row] = readWav(os.path.join(dataset.dataset_dir, wavName(int(i))), rate, length)
    return out
