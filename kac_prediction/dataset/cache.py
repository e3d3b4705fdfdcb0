"""X caches: the transformed inputs of one representation setting, computed from the stored WAVs, as .npy files.

A cache is written atomically (`kac_prediction._io.atomicPath`), so it is either complete or absent. Loading
memory-maps it copy-on-write: X can be indexed and even modified in memory without touching the file. X must be
finite: a cache holding nan or inf is broken (rebuilt from the WAVs), X computed from the WAVs that is not finite is
an error naming the item (`firstNonFinite` checks either in one pass of bounded memory).
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

__all__ = ['buildCache', 'cachedX', 'firstNonFinite', 'loadCache', 'transformItems', 'writeCacheSidecar']

_BATCH = 64
_CHUNK_BYTES = 1 << 24  # X read per step of `firstNonFinite`


def firstNonFinite(X: np.ndarray, chunk_bytes: int = _CHUNK_BYTES) -> int | None:
    """The index of the first item (along axis 0) of X (float) holding nan or ±inf, else None. X is read in chunks of
    about `chunk_bytes` (a memory map costs one pass over the file, and no more memory than a chunk)."""
    rows = max(1, chunk_bytes // max(1, X[0].nbytes)) if len(X) else 1
    for start in range(0, len(X), rows):
        chunk = np.asarray(X[start : start + rows])
        with np.errstate(over='ignore', invalid='ignore'):
            total = np.add.reduce(chunk, axis=None)  # nan and inf propagate: one fast pass for a finite chunk
        if not np.isfinite(total):  # a non-finite value, or finite values whose sum overflows: look row by row
            bad = ~np.isfinite(chunk.reshape(len(chunk), -1)).all(axis=1)
            if bad.any():
                return start + int(np.argmax(bad))
    return None


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
                rows = transformItems(dataset_dir, indices, sample_rate, length, representation)
                bad = firstNonFinite(rows)
                if bad is not None:
                    raise DatasetFormatError(
                        f'{Path(dataset_dir) / wavName(start + bad)}: X of item {start + bad} computed from it holds '
                        f'nan or inf (output_type {representation.settings["output_type"]!r}).'
                    )
                X[start : indices.stop] = rows
                bar.update(len(indices))
        X.flush()
        del X
    writeCacheSidecar(path, representation.settings)
    return path


def loadCache(path: Path, shape: tuple[int, ...], memory_map: bool = True) -> torch.Tensor:
    """X from a cache file as a float32 tensor (memory-mapped copy-on-write, or read into memory). DatasetFormatError
    naming the file if it is unreadable, of another dtype or shape, or holds nan or inf (naming the first such item)."""
    try:
        X = np.load(path, mmap_mode='c' if memory_map else None)
    except (ValueError, OSError, EOFError) as error:
        raise DatasetFormatError(f'{path} is not a readable .npy cache ({error}).') from None
    if X.shape != shape or X.dtype != np.float32:
        raise DatasetFormatError(f'{path} holds {X.dtype} {X.shape}, expected float32 {shape}.')
    bad = firstNonFinite(X)
    if bad is not None:
        raise DatasetFormatError(f'{path}: X of item {bad} holds nan or inf (a corrupt cache).')
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
    """(X float32, full representation settings) from the cache; a missing or broken cache (non-finite X included) is
    built from the WAVs, with a warning. DatasetFormatError if X computed from the WAVs is not finite."""
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
