"""loadDataset: read a dataset directory (native format, or the original kac_drumset layout) into a TorchDataset.

Every problem raises an error naming the file and the problem; a dataset is loaded whole or not at all.
"""

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .cache import cachedX, firstNonFinite
from .format import FORMAT_VERSION, METADATA, DatasetFormatError, checkWav, decodeSettings, sampleLength, wavName
from .input_representation import RepresentationSettings
from .legacy import isLegacy, readLegacy, readLegacyHeader
from .torch_dataset import TorchDataset

__all__ = ['checkFiniteLabels', 'checkLabels', 'loadDataset', 'readHeader']


def _metadataPath(dataset_dir: str | os.PathLike[str]) -> Path:
    directory = Path(dataset_dir)
    if not directory.is_dir():
        raise FileNotFoundError(f'dataset_dir {directory} does not exist (or is not a directory).')
    metadata = directory / METADATA
    if not metadata.exists():
        if (directory / '.generation').exists():
            raise DatasetFormatError(
                f'{directory} holds an unfinished generation: call generateDataset again with the same arguments '
                'to resume it.'
            )
        if (directory / 'shard.json').exists():
            raise DatasetFormatError(f'{directory} holds one shard of a dataset: join the shards with mergeShards.')
        raise FileNotFoundError(f'{metadata} is missing: {directory} holds no dataset.')
    if metadata.stat().st_size == 0:
        raise DatasetFormatError(f'{metadata} is empty.')
    return metadata


def _readNative(metadata: Path) -> dict[str, Any]:
    try:
        with open(metadata, encoding='utf-8') as file:
            content = json.load(file)
    except json.JSONDecodeError as error:
        raise DatasetFormatError(f'{metadata} is truncated or not valid JSON ({error}).') from None
    except UnicodeDecodeError:
        raise DatasetFormatError(f'{metadata} is not UTF-8 text.') from None
    if not isinstance(content, dict):
        raise DatasetFormatError(f'{metadata} must hold a JSON object.')
    if content.get('format_version') != FORMAT_VERSION:
        raise DatasetFormatError(
            f'{metadata} has format_version {content.get("format_version")!r}; this library reads {FORMAT_VERSION} '
            'and the original kac_drumset layout.'
        )
    expected = {'dataset_size': int, 'sampler': dict, 'sampler_settings': dict, 'representation_settings': dict}
    for key, kind in expected.items():
        if not isinstance(content.get(key), kind):
            raise DatasetFormatError(f'{metadata}: {key!r} is missing or not a {kind.__name__}.')
    for key in ('duration', 'sample_rate'):
        if key not in content['sampler_settings']:
            raise DatasetFormatError(f'{metadata}: sampler_settings lacks {key!r}.')
    data = content.get('data')
    if not isinstance(data, list) or not all(isinstance(d, dict) and isinstance(d.get('y'), dict) for d in data):
        raise DatasetFormatError(f'{metadata}: "data" must be a list of {{"y": {{labels}}}} objects.')
    if len(data) != content['dataset_size']:
        raise DatasetFormatError(
            f'{metadata}: dataset_size is {content["dataset_size"]} but data has {len(data)} items.'
        )
    content['sampler_settings'] = decodeSettings(content['sampler_settings'])
    content['representation_settings'] = decodeSettings(content['representation_settings'])
    return content


def readHeader(dataset_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """A dataset's header (everything but the labels), native or legacy; settings as stored (JSON values)."""
    metadata = _metadataPath(dataset_dir)
    if isLegacy(metadata):
        return readLegacyHeader(metadata) | {'legacy': True}
    with open(metadata, encoding='utf-8') as file:
        try:
            content = json.load(file)
        except json.JSONDecodeError as error:
            raise DatasetFormatError(f'{metadata} is truncated or not valid JSON ({error}).') from None
    content.pop('data', None)
    return dict(content)


def checkLabels(source: Path, labels: Sequence[Mapping[str, Any]]) -> None:
    """Raise DatasetFormatError naming `source` unless every item has the same label keys, each a list of numbers
    of the same length for every item (`vertices`: N [x, y] pairs)."""
    if not labels:
        return
    keys = set(labels[0])
    for i, y in enumerate(labels):
        if set(y) != keys:
            raise DatasetFormatError(f'{source}: item {i} has labels {sorted(y)}, item 0 has {sorted(keys)}.')
        for key, value in y.items():
            if not isinstance(value, list):
                raise DatasetFormatError(f'{source}: item {i} label {key!r} is not a list.')
            if key == 'vertices':
                count = y.get('N', [len(value)])[0]
                if len(value) != count or not all(isinstance(v, list) and len(v) == 2 for v in value):
                    raise DatasetFormatError(
                        f'{source}: item {i} has {len(value)} vertices, expected N = {count} pairs.'
                    )
            elif len(value) != len(labels[0][key]):
                raise DatasetFormatError(
                    f'{source}: item {i} label {key!r} has {len(value)} values, item 0 has {len(labels[0][key])}.'
                )


def checkFiniteLabels(source: Path, labels: Sequence[Mapping[str, Any]]) -> None:
    """Raise DatasetFormatError naming `source`, the item and the label unless every value of every label (a list of
    numbers, or of [x, y] pairs) is a finite int or float: json reads NaN and Infinity tokens, which no writer of
    this library produces."""
    for i, y in enumerate(labels):
        for key, value in y.items():
            for element in value:
                for number in element if isinstance(element, list) else (element,):
                    if isinstance(number, float):
                        if not math.isfinite(number):
                            raise DatasetFormatError(f'{source}: item {i} label {key!r} is {number}.')
                    elif not isinstance(number, int) or isinstance(number, bool):
                        raise DatasetFormatError(f'{source}: item {i} label {key!r} holds {number!r}, not a number.')


def loadDataset(
    dataset_dir: str | os.PathLike[str],
    representation_settings: RepresentationSettings | None = None,
    *,
    memory_map: bool = True,
    progressbar: bool = True,
) -> TorchDataset:
    """Load the dataset in `dataset_dir`.

    representation_settings: the X to load (default: the dataset's own); X is read from its cache, or computed from
    the WAVs and cached if missing. memory_map: map the cache copy-on-write (pages load on use) instead of reading
    it into memory. Datasets in the original kac_drumset layout load with their inline X (or, given
    representation_settings, X computed from their WAVs), drum_id = i // 5, `legacy = True`, and a
    LegacyDatasetWarning. Raises FileNotFoundError or DatasetFormatError naming the file and the problem (labels or
    X that are not finite included, naming the item; a cache holding them is rebuilt from the WAVs, with a warning).
    """
    metadata = _metadataPath(dataset_dir)
    directory = metadata.parent
    if isLegacy(metadata):
        header, X, labels = readLegacy(directory)
        checkLabels(metadata, labels)
        checkFiniteLabels(metadata, labels)
        settings = header['representation_settings']
        if representation_settings is not None:
            X, settings = cachedX(
                directory, len(labels), header['sampler_settings'], representation_settings, memory_map, progressbar
            )
        elif (bad := firstNonFinite(X.numpy())) is not None:
            raise DatasetFormatError(
                f'{metadata}: x of item {bad} holds nan or inf; pass representation_settings to compute X from the '
                'WAVs instead.'
            )
        groups = [i // 5 for i in range(len(labels))]
        sampler = header['sampler']
        return TorchDataset(
            directory, len(labels), settings, sampler, header['sampler_settings'], X, labels, groups, legacy=True
        )
    content = _readNative(metadata)
    labels = [d['y'] for d in content['data']]
    checkLabels(metadata, labels)
    checkFiniteLabels(metadata, labels)
    size, sampler_settings = content['dataset_size'], content['sampler_settings']
    sample_rate, length = int(sampler_settings['sample_rate']), sampleLength(sampler_settings)
    for i in range(size):
        checkWav(directory / wavName(i), sample_rate, length)
    requested = representation_settings if representation_settings is not None else content['representation_settings']
    X, settings = cachedX(directory, size, sampler_settings, requested, memory_map, progressbar)
    groups = [y['drum_id'][0] if 'drum_id' in y else i for i, y in enumerate(labels)]
    return TorchDataset(directory, size, settings, content['sampler'], sampler_settings, X, labels, groups)
