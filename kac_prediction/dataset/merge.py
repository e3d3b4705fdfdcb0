"""mergeShards: join the shard directories written by `generateDataset(..., shard=(i, n))` into one dataset."""

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomicPath
from .cache import writeCacheSidecar
from .format import METADATA, DatasetFormatError, cachePath, decodeSettings, sampleLength, wavName, writeMetadata
from .generate import SHARD_FILE
from .load import loadDataset
from .lock import datasetLock
from .torch_dataset import TorchDataset

__all__ = ['mergeShards']

_HEADER = ('format_version', 'dataset_size', 'sampler', 'sampler_settings', 'representation_settings')


def _readShard(directory: Path) -> dict[str, Any]:
    path = directory / SHARD_FILE
    if not path.exists():
        raise DatasetFormatError(
            f'{path} is missing: {directory} is not a finished shard (run its generateDataset call again to finish it).'
        )
    try:
        shard: dict[str, Any] = json.loads(path.read_text(encoding='utf-8'))
    except json.JSONDecodeError as error:
        raise DatasetFormatError(f'{path} is truncated or not valid JSON ({error}).') from None
    return shard


def _copyAtomically(source: Path, target: Path) -> None:
    with atomicPath(target) as temporary:
        shutil.copyfile(source, temporary)


def mergeShards(
    shard_dirs: Sequence[str | os.PathLike[str]], dataset_dir: str | os.PathLike[str], overwrite: bool = False
) -> TorchDataset:
    """Join shards (i, n), i = 0…n−1, of one dataset into `dataset_dir` and return it; the shards are left as they
    are. Every shard must be finished and made with the same settings. dataset_dir must not hold a dataset unless
    overwrite=True (it may not be one of the shard directories). dataset_dir is locked meanwhile (`datasetLock`:
    DatasetLockedError naming the process that holds it).
    """
    directories = [Path(d) for d in shard_dirs]
    shards = [_readShard(d) for d in directories]
    if not shards:
        raise ValueError('shard_dirs is empty: give the directories of every shard.')
    first = shards[0]
    for directory, shard in zip(directories, shards, strict=True):
        if (
            any(shard.get(k) != first.get(k) for k in _HEADER if k != 'sampler')
            or shard['sampler']['name'] != first['sampler']['name']
        ):
            raise DatasetFormatError(f'{directory / SHARD_FILE} was made with other settings than {directories[0]}.')
    count = first['shard'][1]
    found = sorted(shard['shard'][0] for shard in shards)
    if found != list(range(count)) or any(shard['shard'][1] != count for shard in shards):
        raise DatasetFormatError(
            f'the shards found are {found} of {count}; mergeShards needs each of 0…{count - 1} once.'
        )
    target = Path(dataset_dir)
    if any(target.resolve() == d.resolve() for d in directories):
        raise ValueError(f'dataset_dir {target} is one of the shard directories; merge into a new directory.')
    target.mkdir(parents=True, exist_ok=True)
    with datasetLock(target):  # no other process writes this dataset meanwhile
        if (target / METADATA).exists() and not overwrite:
            raise FileExistsError(f'{target / METADATA} exists; choose another dataset_dir or pass overwrite=True.')
        ordered = sorted(zip(shards, directories, strict=True), key=lambda pair: pair[0]['shard'][0])
        settings = decodeSettings(first['sampler_settings'])
        length = sampleLength(settings)
        for shard, directory in ordered:
            for i in range(*shard['items']):
                _copyAtomically(directory / wavName(i), target / wavName(i))
        _mergeCaches(ordered, target, first, length)
        header = {key: first[key] for key in _HEADER}
        writeMetadata(target, header, [d['y'] for shard, _ in ordered for d in shard['data']])
    return loadDataset(target)


def _mergeCaches(ordered: list[tuple[dict[str, Any], Path]], target: Path, first: dict[str, Any], length: int) -> None:
    """Concatenate the shards' X caches into the dataset's cache (skipped if a shard has none: loading builds it)."""
    settings = decodeSettings(first['representation_settings'])
    sources = [cachePath(directory, settings, length) for _, directory in ordered]
    if not all(path.exists() for path in sources):
        return
    parts = [np.load(path, mmap_mode='r') for path in sources]
    path = cachePath(target, settings, length)
    path.parent.mkdir(exist_ok=True)
    with atomicPath(path) as temporary:
        shape = (first['dataset_size'], *parts[0].shape[1:])
        X = np.lib.format.open_memmap(temporary, mode='w+', dtype=np.float32, shape=shape)
        for (shard, _), part in zip(ordered, parts, strict=True):
            X[slice(*shard['items'])] = part
        X.flush()
        del X
    writeCacheSidecar(path, settings)
