"""Training on recordings: a dataset's clean items heard through the recording chain, differently each epoch
(docs/architecture.md, "Training" and "The recording chain").

    recorded = RecordedDataset(dataset, training, seed=0, bank=bank)      # items training[k], k = 0 … len - 1
    loader = DataLoader(recorded, sampler=EpochSampler(RandomSampler(recorded)), num_workers=2)
    loader.sampler.set_epoch(e)                                            # each epoch, before iterating

Item k of epoch e is item i = indices[k]'s WAV recorded with `acoustics.record(waveform, rate, seed, item=i,
epoch=e, bank=bank, output_rate=rate)` and turned into X by the dataset's InputRepresentation. The epoch travels with
each index ((k, e) pairs yielded by `EpochSampler` in the main process), so DataLoader workers, persistent or not,
never need to be told it: the same (seed, item, epoch) gives the same X in any batch, worker or resumed run.
`FIXED_EPOCH` is the epoch of validation and test items: the same conditions every epoch.
"""

import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch.utils.data import Dataset, Sampler

from ..acoustics import RecordingSettings, RoomBank, record
from .format import readWav, sampleLength, wavName
from .input_representation import InputRepresentation
from .torch_dataset import TorchDataset

__all__ = ['FIXED_EPOCH', 'EpochSampler', 'RecordedDataset']

FIXED_EPOCH = 2**31 - 1
"""The recording epoch of evaluation items (never a training epoch): their conditions do not change between epochs."""


class RecordedDataset(Dataset[tuple[torch.Tensor, Any]]):
    """Items `indices` of `dataset` as a microphone records them. `dataset[(k, epoch)]` is (X, Y) of item
    indices[k] recorded in `epoch`; `dataset[k]` records it in `epoch` (default FIXED_EPOCH).

    seed: the recording seed (stream 2, `acoustics.recordingRNG`); settings: default `RecordingSettings()`; bank: the
    room bank the rooms come from (None: each room simulated per item, slow). The output rate is the dataset's sample
    rate, so X keeps its shape. Y is read from dataset.Y when an item is fetched (encoded labels included).
    """

    def __init__(
        self,
        dataset: TorchDataset,
        indices: Sequence[int],
        seed: int,
        settings: RecordingSettings | None = None,
        bank: RoomBank | None = None,
        epoch: int = FIXED_EPOCH,
    ) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]
        self.seed = int(seed)
        self.settings = RecordingSettings() if settings is None else settings
        self.bank = bank
        self.epoch = int(epoch)
        self.sample_rate = int(dataset.sampler_settings['sample_rate'])
        self.length = sampleLength(dataset.sampler_settings)
        self.representation = InputRepresentation(self.sample_rate, dataset.representation_settings)

    def __len__(self) -> int:
        """The number of items, len(indices)."""
        return len(self.indices)

    def waveform(self, k: int, epoch: int | None = None) -> npt.NDArray[np.float64]:
        """Item indices[k] recorded in `epoch` (default self.epoch): float64 (length,) at the dataset's rate."""
        i = self.indices[k]
        clean = readWav(os.path.join(self.dataset.dataset_dir, wavName(i)), self.sample_rate, self.length)
        e = self.epoch if epoch is None else int(epoch)
        return record(clean, self.sample_rate, self.seed, i, e, self.settings, self.bank, self.sample_rate).waveform

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, Any]:
        """(X, Y) of position k (key k or (k, epoch)): X float32, the dataset's representation of the recording."""
        k, epoch = (int(key[0]), int(key[1])) if isinstance(key, tuple) else (int(key), None)
        x = self.representation.transform(self.waveform(k, epoch).astype(np.float32))
        return x, self.dataset.Y[self.indices[k]]


class EpochSampler(Sampler[tuple[int, int]]):
    """Wraps a sampler of positions: yields (position, epoch) pairs. `set_epoch(e)` sets the epoch and passes it on
    to the wrapped sampler if it has a set_epoch (DistributedSampler's shuffle)."""

    def __init__(self, sampler: Sampler[int]) -> None:
        self.sampler = sampler
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """The epoch of the pairs yielded from now on (an int ≥ 0)."""
        self.epoch = int(epoch)
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        epoch = self.epoch
        return ((int(k), epoch) for k in self.sampler)

    def __len__(self) -> int:
        return len(self.sampler)  # type: ignore[arg-type]
