"""Datasets in the original kac_drumset layout: a line-structured metadata.json with the transformed x inline.

Layout, as kac_drumset wrote it: line 1 `{`; then `"dataset_size": N,`, `"representation_settings": {…},`,
`"sampler": {…}` or (v1.1.0, e.g. the Zenodo sets) `"sampler": "Name",`, `"sampler_settings": {…},` (may hold
`Infinity`), `"data": [`; then per item four lines `{`, `"x": <nested list>,`, `"y": {…}`, `},` — the last item closes
with `}]}`. The file is read line by line, so memory stays bounded by X, not by the JSON text.
"""

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .format import DatasetFormatError, sampleLength
from .input_representation import InputRepresentation

__all__ = ['LegacyDatasetWarning', 'isLegacy', 'readLegacy', 'readLegacyHeader']

_HEADER_KEYS = ('dataset_size', 'representation_settings', 'sampler', 'sampler_settings')


class LegacyDatasetWarning(UserWarning):
    """A dataset in the original kac_drumset layout was loaded; its physics conventions differ from this project's."""


def isLegacy(metadata: Path) -> bool:
    """True when metadata.json starts the way the original library wrote it (`{` then `"dataset_size"`)."""
    with open(metadata, 'rb') as file:
        first, second = file.readline().strip(), file.readline().strip()
    return first == b'{' and second.startswith(b'"dataset_size"')


def _value(metadata: Path, line: str, key: str, number: int) -> Any:
    prefix = f'"{key}":'
    if not line.startswith(prefix):
        raise DatasetFormatError(f'{metadata} line {number}: expected {prefix}, found {line[:60]!r}.')
    text = line[len(prefix) :].strip().removesuffix(',')
    try:
        return json.loads(text)  # Python's json reads Infinity and NaN
    except json.JSONDecodeError as error:
        raise DatasetFormatError(f'{metadata} line {number}: {key} is not valid JSON ({error}).') from None


def readLegacyHeader(metadata: Path) -> dict[str, Any]:
    """The header of a legacy metadata.json (first five lines), with `sampler` as {name, version}."""
    with open(metadata, encoding='utf-8') as file:
        lines = [file.readline().strip() for _ in range(6)]
    header = {key: _value(metadata, lines[n + 1], key, n + 2) for n, key in enumerate(_HEADER_KEYS)}
    if lines[5] != '"data": [':
        raise DatasetFormatError(f'{metadata} line 6: expected "data": [, found {lines[5][:60]!r}.')
    if isinstance(header['sampler'], str):  # v1.1.0
        header['sampler'] = {'name': header['sampler'], 'version': '1.1.0'}
    if not isinstance(header['dataset_size'], int) or header['dataset_size'] < 1:
        raise DatasetFormatError(f'{metadata}: dataset_size must be a positive int, got {header["dataset_size"]!r}.')
    for key in ('duration', 'sample_rate'):
        if key not in header['sampler_settings']:
            raise DatasetFormatError(f'{metadata}: sampler_settings lacks {key!r}.')
    return header


def _parseX(metadata: Path, text: str, shape: tuple[int, ...], item: int) -> np.ndarray:
    flat = np.fromstring(text.replace('[', ' ').replace(']', ' '), sep=',', dtype=np.float32)  # fast path
    if flat.size != int(np.prod(shape)):
        try:
            flat = np.asarray(json.loads(text), dtype=np.float32).ravel()
        except (json.JSONDecodeError, ValueError) as error:
            raise DatasetFormatError(f'{metadata}: item {item} has an unreadable x ({error}).') from None
        if flat.size != int(np.prod(shape)):
            raise DatasetFormatError(f'{metadata}: item {item} has {flat.size} values of x, expected shape {shape}.')
    return flat.reshape(shape)


def readLegacy(dataset_dir: str | os.PathLike[str]) -> tuple[dict[str, Any], torch.Tensor, list[dict[str, Any]]]:
    """(header, X float32 (N, *shape), labels) of a legacy dataset, streamed; warns once with LegacyDatasetWarning."""
    metadata = Path(dataset_dir) / 'metadata.json'
    header = readLegacyHeader(metadata)
    size = header['dataset_size']
    settings = header['representation_settings']
    shape = InputRepresentation.transformShape(sampleLength(header['sampler_settings']), settings)
    X = torch.empty((size, *shape), dtype=torch.float32)
    labels: list[dict[str, Any]] = []
    with open(metadata, encoding='utf-8') as file:
        for _ in range(6):
            file.readline()
        number = 6
        for i in range(size):
            block = [file.readline() for _ in range(4)]
            number += 4
            if not block[3]:
                raise DatasetFormatError(f'{metadata} is truncated: it ends in item {i} of {size}.')
            opening, x_line, y_line, closing = (line.strip() for line in block)
            if opening != '{' or not x_line.startswith('"x":') or not y_line.startswith('"y":'):
                raise DatasetFormatError(f'{metadata} line {number - 3}: item {i} does not follow the layout.')
            last = i + 1 == size
            if closing != ('}]}' if last else '},'):
                expected = '}]} (the end of the file)' if last else '},'
                raise DatasetFormatError(f'{metadata} line {number}: expected {expected}, found {closing[:40]!r}.')
            X[i] = torch.from_numpy(_parseX(metadata, x_line[4:].strip().removesuffix(','), shape, i))
            y = _value(metadata, y_line, 'y', number - 1)
            if not isinstance(y, dict):
                raise DatasetFormatError(f'{metadata} line {number - 1}: item {i} labels are not an object.')
            labels.append(y | {'drum_id': [i // 5]})
    warnings.warn(
        f'{dataset_dir} is in the original kac_drumset layout: its physics conventions differ from this project '
        '(frequencies not in SI units, −120 dB at decay_time; vertices of the v1.x convex set in [0, 1]²), so models '
        "trained on it do not transfer to this project's samplers.",
        LegacyDatasetWarning,
        stacklevel=3,
    )
    return header, X, labels
