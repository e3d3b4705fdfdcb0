"""Checkpoints: write them atomically, load them safely, choose the best one.

A checkpoint is an `ExportedModel` dict saved with `torch.save` in `exports_dir/<run id>/`: `last.pt` (every epoch),
`best.pt` (the lowest validation loss so far; once training ends it also holds `testing_loss`) and `epoch_NNN.pt`
(at the checkpoint cadence, see `epochName`).

Checkpoints are always read with `torch.load(weights_only=True)`, which refuses to unpickle arbitrary objects. So a
checkpoint may hold only tensors and plain Python values: dict, OrderedDict, list, tuple, set, str, bytes, int, float,
complex, bool, None, torch.device, torch.dtype and torch.Size. Convert anything else before saving: RNG states as
torch ByteTensors (`torch.get_rng_state()` already is one; a numpy array via `torch.from_numpy`), numpy scalars via
`.item()`, custom classes as dicts. `saveCheckpoint` checks this and refuses (TypeError naming the offending entry)
rather than write a file that could not be loaded again.
"""

import math
import os
import re
import warnings
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import torch

from .._io import writeTorch
from .types import ExportedModel

__all__ = [
    'EXPORTED_MODEL_KEYS',
    'CheckpointError',
    'bestCheckpoint',
    'checkpointLoss',
    'epochName',
    'loadCheckpoint',
    'saveCheckpoint',
]

EXPORTED_MODEL_KEYS: frozenset[str] = ExportedModel.__required_keys__ | ExportedModel.__optional_keys__
"""Every key of an `ExportedModel`; `loadCheckpoint` requires them all unless told otherwise."""

BEST = 'best.pt'
LAST = 'last.pt'

_PLAIN_TYPES: frozenset[type] = frozenset(
    {str, bytes, int, float, complex, bool, type(None), torch.device, torch.dtype, torch.Size}
)
_CONTAINER_TYPES: frozenset[type] = frozenset({dict, OrderedDict, list, tuple, set})


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint: truncated or corrupt, holding objects that `weights_only` loading
    refuses, not a dict, or lacking keys of an `ExportedModel`. The message names the file."""


def epochName(epoch: int) -> str:
    """The file name of the checkpoint of an epoch: a 3-digit zero-padded number, e.g. 7 → 'epoch_007.pt'."""
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f'epoch must be a non-negative integer, not {epoch!r}')
    return f'epoch_{epoch:03d}.pt'


def _checkLoadable(value: Any, where: str) -> None:
    """Raise TypeError naming the first entry of `value` that `torch.load(weights_only=True)` would refuse."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        kind = type(item)
        if isinstance(item, torch.Tensor) or kind in _PLAIN_TYPES:
            continue
        if kind not in _CONTAINER_TYPES:
            raise TypeError(
                f'{path} is a {kind.__module__}.{kind.__qualname__}, which torch.load(weights_only=True) cannot '
                'load: store tensors and plain Python values only (see kac_prediction.pipeline.checkpoints)'
            )
        if isinstance(item, dict):
            for key, entry in item.items():
                stack.append((key, f'{path} key {key!r}'))
                stack.append((entry, f'{path}[{key!r}]'))
        else:
            stack.extend((entry, f'{path}[{i}]') for i, entry in enumerate(item))


def saveCheckpoint(checkpoint: ExportedModel, path: str | os.PathLike[str]) -> None:
    """Write `checkpoint` to `path` atomically (`kac_prediction._io.writeTorch`): whatever fails, `path` keeps its
    previous content (or stays absent) and no temporary file remains. The directory must exist. TypeError if the
    checkpoint holds something `weights_only` loading would refuse."""
    _checkLoadable(checkpoint, 'checkpoint')
    writeTorch(path, checkpoint)


def _describe(error: BaseException) -> str:
    """The gist of a loading error: the unpickler's complaint, else the first line of the message."""
    text = str(error)
    unpickler = re.search(r'WeightsUnpickler error:\s*(\S.*)', text)
    if unpickler is not None:
        return f'WeightsUnpickler error: {unpickler[1].strip()}'
    lines = text.strip().splitlines()
    return f'{type(error).__name__}: {lines[0]}' if lines else type(error).__name__


def _load(path: Path, map_location: str | torch.device, mmap: bool = False) -> Any:
    if not path.exists():
        raise FileNotFoundError(f'no checkpoint at {path}')
    if path.is_dir():
        raise IsADirectoryError(f'{path} is a directory, not a checkpoint file')
    try:
        return torch.load(path, map_location=map_location, weights_only=True, mmap=mmap)
    except (FileNotFoundError, PermissionError):
        raise
    except Exception as error:
        refused = re.search(r'Unsupported global: (?:GLOBAL )?(\S+)', str(error))
        if refused is not None:
            raise CheckpointError(
                f'{path} holds objects that torch.load(weights_only=True) refuses to load ({refused[1]}), so it is not '
                'a checkpoint of kac_prediction (those hold tensors and plain Python values only); load it with '
                'weights_only=False only if you trust its source'
            ) from error
        raise CheckpointError(
            f'{path} is not a readable checkpoint (truncated or corrupt?): {_describe(error)}'
        ) from error


def loadCheckpoint(
    path: str | os.PathLike[str],
    map_location: str | torch.device = 'cpu',
    *,
    required_keys: Iterable[str] | None = None,
) -> ExportedModel:
    """Load a checkpoint with `torch.load(weights_only=True)`, its tensors mapped to `map_location`.

    FileNotFoundError if there is no file at `path`; CheckpointError (naming the file) if it is truncated or
    corrupt, holds objects `weights_only` refuses, is not a dict, or lacks any of `required_keys` (default: every
    key of `ExportedModel`; the message lists the missing ones).
    """
    file = Path(path)
    checkpoint = _load(file, map_location)
    return _validate(checkpoint, file, EXPORTED_MODEL_KEYS if required_keys is None else required_keys)


def _validate(checkpoint: Any, file: Path, required_keys: Iterable[str]) -> ExportedModel:
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{file} holds a {type(checkpoint).__name__}, not a checkpoint (an ExportedModel dict)')
    missing = sorted(set(required_keys) - checkpoint.keys())
    if missing:
        raise CheckpointError(f'{file} is not a complete checkpoint: it lacks the keys {", ".join(missing)}')
    return cast(ExportedModel, checkpoint)


def _aggregate(loss: Any) -> float | None:
    if not isinstance(loss, dict) or 'aggregate' not in loss:
        return None
    value = loss['aggregate']
    if isinstance(value, torch.Tensor):
        value = value.item() if value.numel() == 1 else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def checkpointLoss(checkpoint: ExportedModel | dict[str, Any]) -> float:
    """The loss that ranks checkpoints: the validation loss `evaluation_loss['aggregate']`, else (checkpoints of the
    original library) `testing_loss['aggregate']`, else inf. A NaN loss counts as inf."""
    for key in ('evaluation_loss', 'testing_loss'):
        loss = _aggregate(checkpoint.get(key))
        if loss is not None:
            return math.inf if math.isnan(loss) else loss
    return math.inf


def bestCheckpoint(directory: str | os.PathLike[str]) -> Path:
    """The `*.pt` checkpoint of `directory` with the lowest `checkpointLoss`. Ties go to best.pt, then to the latest
    epoch (`run_info['epoch']`), then to the file name. Unreadable files are skipped with a warning.

    FileNotFoundError if the directory does not exist or holds no `*.pt` file; CheckpointError if none is readable.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f'no checkpoint directory at {folder}')
    files = sorted(file for file in folder.glob('*.pt') if file.is_file())
    if not files:
        raise FileNotFoundError(f'no checkpoint (*.pt file) in {folder}')
    ranked: list[tuple[float, bool, int, str, Path]] = []
    problems: list[str] = []
    for file in files:
        try:
            # mmap: the tensors are not read, only the losses and the epoch are needed
            try:
                checkpoint = _load(file, 'cpu', mmap=True)
            except CheckpointError:
                checkpoint = _load(file, 'cpu')  # files of the legacy (non-zip) format cannot be memory-mapped
            if not isinstance(checkpoint, dict):
                raise CheckpointError(f'{file} holds a {type(checkpoint).__name__}, not a checkpoint')
        except CheckpointError as error:
            problems.append(str(error))
            warnings.warn(f'skipping {file}: {error}', stacklevel=2)
            continue
        run_info = checkpoint.get('run_info')
        epoch = run_info.get('epoch') if isinstance(run_info, dict) else None
        epoch = epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else -1
        ranked.append((checkpointLoss(checkpoint), file.name != BEST, -epoch, file.name, file))
        del checkpoint
    if not ranked:
        raise CheckpointError(f'no readable checkpoint in {folder}: ' + '; '.join(problems))
    return min(ranked)[-1]
