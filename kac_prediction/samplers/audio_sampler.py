"""The sampler contract every dataset generator relies on (kept from the original library).

Loop per item i: `updateProperties(i)` → `generateWaveform()` → read `waveform` and `getLabels()` → `export(path)`.
`generateBatch(indices)` renders many items at once; it returns exactly what that loop would.
"""

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
import soundfile as sf

from .._checks import checkChoice, checkCount, checkNumber
from .._io import atomicFile

__all__ = ['AudioSampler', 'Labels', 'SamplerInfo', 'SamplerSettings', 'classLocalsToKwargs', 'itemRNG']

Labels = dict[str, list[Any]]


class SamplerSettings(TypedDict, total=False):
    """Settings every sampler takes: `duration` in seconds, `sample_rate` in Hz."""

    duration: float
    sample_rate: int


class SamplerInfo(TypedDict):
    """The sampler recorded in a dataset's metadata."""

    name: str
    version: str


def classLocalsToKwargs(local_variables: dict[str, Any]) -> dict[str, Any]:
    """A constructor's `locals()` without `self` and `__class__`: the settings to record."""
    return {k: v for k, v in local_variables.items() if k not in ('self', '__class__')}


def itemRNG(seed: int, stream: int, index: int) -> np.random.Generator:
    """The generator for one draw: independent per (seed, stream, index), so any item can be regenerated alone.

    stream separates what is drawn: 0 for a drum's geometry (index = drum id), 1 for a strike (index = item).
    """
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(stream, index)))


def _checkSeed(seed: object) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    return checkCount('seed', seed, 0, 'or None to draw one')


class AudioSampler(ABC):
    """Base class of all samplers.

    Settings are keyword arguments; every one (with `seed` resolved to the int actually used) is recorded, sorted by
    name, in `__settings__` for the dataset metadata. `length` = ceil(duration · sample_rate) samples; `waveform`
    holds the last rendered item, float64, shape (length,).
    """

    duration: float
    length: int
    sample_rate: int
    waveform: npt.NDArray[np.float64]
    __settings__: dict[str, Any]

    def __init__(self, duration: float, sample_rate: int, **kwargs: Any) -> None:
        checkNumber('duration', duration, 's')
        if checkNumber('sample_rate', sample_rate, 'Hz') != int(sample_rate):
            raise ValueError(f'sample_rate must be a whole number of Hz, got {sample_rate!r}.')
        if 'seed' in kwargs:
            kwargs['seed'] = _checkSeed(kwargs['seed'])
        self.duration = float(duration)
        self.sample_rate = int(sample_rate)
        self.length = math.ceil(self.duration * self.sample_rate - 1e-9)
        self.waveform = np.zeros(self.length, dtype=np.float64)
        self.__settings__ = dict(sorted({**kwargs, 'duration': duration, 'sample_rate': sample_rate}.items()))

    @abstractmethod
    def updateProperties(self, i: int | None = None) -> None:
        """Prepare item i (None: the item after the last one prepared, 0 at first)."""

    @abstractmethod
    def generateWaveform(self) -> None:
        """Render the prepared item into `waveform`."""

    @abstractmethod
    def getLabels(self) -> Labels:
        """The prepared item's labels: a dict of lists of numbers ({} before the first `updateProperties`)."""

    def generateBatch(self, indices: Sequence[int]) -> tuple[npt.NDArray[np.float64], list[Labels]]:
        """Render items `indices`; returns (waveforms float64 (B, length), labels per item) as the item loop would."""
        waveforms = np.zeros((len(indices), self.length), dtype=np.float64)
        labels = []
        for row, i in enumerate(indices):
            self.updateProperties(i)
            self.generateWaveform()
            waveforms[row] = self.waveform
            labels.append(self.getLabels())
        return waveforms, labels

    def export(self, absolutePath: str | os.PathLike[str], bit_depth: int = 24) -> None:
        """Write `waveform` as a mono WAV of `sample_rate` Hz, PCM of `bit_depth` ∈ {16, 24, 32} bits, atomically."""
        checkChoice('bit_depth', bit_depth, (16, 24, 32))
        peak = float(np.max(np.abs(self.waveform), initial=0.0))
        if not math.isfinite(peak) or peak > 1.0:
            raise ValueError(
                f'the waveform peaks at {peak}, beyond the full scale (1.0) of a PCM file: lower `amplitude`.'
            )
        with atomicFile(absolutePath) as file:
            sf.write(file, self.waveform, self.sample_rate, subtype=f'PCM_{bit_depth}', format='WAV')
