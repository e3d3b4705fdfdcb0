"""X caches: the transformed inputs of one representation setting, computed from the stored WAVs, as .npy files.

A cache is written atomically (`kac_prediction._io.atomicPath`), so it is either complete or absent. Loading
memory-maps it copy-on-write: X can be indexed and even modified in memory without touching the file.
"""

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from .._io import atomicPath, writeJSON
from .format import DatasetFormatError, cachePath, encodeSettings, readWav, sampleLength, wavName
from .input_representation import InputRepresentation

__all__ = ['buildCache', 'cachedX', 'loadCache', 'transformItems', 'writeCacheSidecar']

_BATCH = 64


def transformItems(
    dataset_dir: str | os.PathLike[str],
    indices: Sequence[int],
    sample_rate: int,
    length: int,
    representation: InputRepresentation,
) -> np.ndarray:
    """X rows (float32) of items `indices`, computed from their WAVs as stored."""
    audio = np.stack([readWav(Path(dataset_dir) / wavName(i), sample_rate, length) for i in indices])
    return representation.transformBatch(audio).numpy()


def buildCache(
    dataset_dir: str | os.PathLike[str],
    dataset_size: int,
    sample_rate: int,
    length: int,
    representation: InputRepresentation,
    progressbar: bool = True,
) -> Path:
    """Compute X of every item from its WAV and write cache/<key>.npy atomically; returns its path."""
    path = cachePath(dataset_dir, representation.settings, length)
    path.parent.mkdir(exist_ok=True)
    shape = (dataset_size, *InputRepresentation.transformShape(length, representation.settings))
    with atomicPath(path) as temporary:
        X = np.lib.format.open_memmap(temporary, mode='w+', dtype=np.float32, shape=shape)
        with tqdm(total=dataset_size, disable=not progressbar, desc='Transforming dataset', unit=' items') as bar:
            for start in range(0, dataset_size, _BATCH):
                indices = range(start, min(start + _BATCH, dataset_size))
                X[start : indices.stop] = transformItems(dataset_dir, indices, sample_rate, length, representation)
                bar.update(len(indices))
        X.flush()
        del X
    writeCacheSidecar(path, representation.settings)
    return path


def loadCache(path: Path, shape: tuple[int, ...], memory_map: bool = True) -> torch.Tensor:
    """X from a cache file as a float32 tensor (memory-mapped copy-on-write, or read into memory)."""
    try:
        X = np.load(path, mmap_mode='c' if memory_map else None)
    except (ValueError, OSError, EOFError) as error:
        raise DatasetFormatError(f'{path} is not a readable .npy cache ({error}).') from None
    if X.shape != shape or X.dtype != np.float32:
        raise DatasetFormatError(f'{path} holds {X.dtype} {X.shape}, expected float32 {shape}.')
    return torch.from_numpy(X)


def writeCacheSidecar(path: Path, settings: Mapping[str, Any]) -> None:
    """cache/<key>.json beside cache/<key>.npy: the representation settings the cache holds, for people and tools."""
    writeJSON(path.with_suffix('.json'), encodeSettings(settings))


def cachedX(
    dataset_dir: str | os.PathLike[str],
    dataset_size: int,
    sampler_settings: Mapping[str, Any],
    representation_settings: Mapping[str, Any],
    memory_map: bool = True,
    progressbar: bool = True,
) -> tuple[torch.Tensor, dict[str, Any]]:
    """(X float32, full representation settings) from the cache; a missing or broken cache is built from the WAVs."""
    sample_rate, length = int(sampler_settings['sample_rate']), sampleLength(sampler_settings)
    representation = InputRepresentation(sample_rate, representation_settings)
    shape = (dataset_size, *InputRepresentation.transformShape(length, representation.settings))
    path = cachePath(dataset_dir, representation.settings, length)
    if path.exists():
        try:
            return loadCache(path, shape, memory_map), dict(representation.settings)
        except DatasetFormatError as error:
            warnings.warn(f'{error} Rebuilding it from the WAVs.', stacklevel=3)
    buildCache(dataset_dir, dataset_size, sample_rate, length, representation, progressbar)
    return loadCache(path, shape, memory_map), dict(representation.settings)
