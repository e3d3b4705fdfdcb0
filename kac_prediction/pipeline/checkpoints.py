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

**Checksum.** `saveCheckpoint` adds the entry `'checksum': {'algorithm': 'sha256', 'version': 1, 'digest': <hex>}`,
the SHA-256 of the checkpoint without that entry in this canonical encoding (`checkpointChecksum`), which depends
on the values only, not on the order of dict keys or set elements, nor on the device or memory layout of a tensor:

    None → N; True/False → T/F; int → i, its byte count (8-byte little-endian) and two's-complement bytes (little-
    endian); float → f and its IEEE 754 double (little-endian); complex → c, real, imaginary; str → s, the byte count
    and its UTF-8; bytes → b, the count and the bytes; torch.dtype → y and str(dtype) as a str; torch.device → v and
    str(device) as a str; torch.Size → z, the count and each int; list → l, tuple → u: the count and each element in
    order; dict (OrderedDict) → d, the count, then for each entry in the order of the SHA-256 of its key's encoding:
    that digest and the value's encoding; set → e, the count and the SHA-256 of each element's encoding, sorted;
    tensor → t, its dtype and shape (as above), its byte count and the SHA-256 of the bytes of its elements in
    row-major order as a CPU tensor holds them (native byte order: little-endian on x86-64 and arm64; conjugation
    and negation resolved). Tensors are hashed on several threads when they are large.

`loadCheckpoint` recomputes it and raises CheckpointError ('corrupted: checksum mismatch') when it differs, and
returns the checkpoint without the entry, so a checkpoint loads exactly as it was saved. Checkpoints without one
(written before checksums existed, or by the original library) still load: their zip records are checked against
the CRCs the zip archive holds instead. `bestCheckpoint` reads only the losses and the epoch (memory-mapped) and
verifies nothing; load the checkpoint it chooses with `loadCheckpoint`.
"""

import hashlib
import math
import os
import re
import struct
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import torch

from .._io import writeTorch
from .types import ExportedModel

__all__ = [
    'EXPORTED_MODEL_KEYS',
    'CheckpointError',
    'bestCheckpoint',
    'checkpointChecksum',
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

CHECKSUM = 'checksum'
"""The key of a checkpoint's checksum entry (see the module's docstring)."""
_CHECKSUM_ALGORITHM, _CHECKSUM_VERSION = 'sha256', 1
_RESTORE = 'retrain or restore it from a backup'
_COUNT = struct.Struct('<Q')
_DOUBLE = struct.Struct('<d')
_PARALLEL_BYTES = 1 << 23


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


def _tensorDigest(tensor: torch.Tensor) -> bytes:
    """The SHA-256 of a tensor's elements in row-major order as a CPU tensor holds them."""
    tensor = tensor.detach()
    if tensor.layout != torch.strided:
        tensor = tensor.to_dense()
    flat = tensor.resolve_conj().resolve_neg().contiguous().reshape(-1)
    if flat.device.type != 'cpu':
        flat = flat.cpu()
    return hashlib.sha256(flat.view(torch.uint8).numpy().data).digest()  # any dtype as its bytes, no copy


def _tensorDigests(value: Any) -> dict[int, bytes]:
    """`_tensorDigest` of every tensor in `value`, by id; on several threads (hashlib releases the GIL) when they
    hold more than _PARALLEL_BYTES."""
    tensors: dict[int, torch.Tensor] = {}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            tensors[id(item)] = item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    size = sum(tensor.numel() * tensor.element_size() for tensor in tensors.values())
    workers = min(len(tensors), os.cpu_count() or 1, 8)
    if size <= _PARALLEL_BYTES or workers < 2:
        return {key: _tensorDigest(tensor) for key, tensor in tensors.items()}
    with ThreadPoolExecutor(workers) as pool:
        return dict(zip(tensors, pool.map(_tensorDigest, tensors.values()), strict=True))


class _Encoder:
    """Feeds the canonical encoding of values (the module's docstring) to SHA-256 hashers."""

    def __init__(self, digests: Mapping[int, bytes]) -> None:
        self.digests = digests

    def digest(self, value: Any) -> bytes:
        hasher = hashlib.sha256()
        self.feed(hasher, value)
        return hasher.digest()

    def feed(self, hasher: Any, value: Any) -> None:
        def counted(tag: bytes, data: bytes) -> None:
            hasher.update(tag + _COUNT.pack(len(data)))
            hasher.update(data)

        if isinstance(value, torch.Tensor):
            hasher.update(b't')
            self.feed(hasher, value.dtype)
            self.feed(hasher, value.shape)
            hasher.update(_COUNT.pack(value.numel() * value.element_size()) + self.digests[id(value)])
        elif value is None:
            hasher.update(b'N')
        elif isinstance(value, bool):
            hasher.update(b'T' if value else b'F')
        elif isinstance(value, int):
            counted(b'i', value.to_bytes(value.bit_length() // 8 + 1, 'little', signed=True))
        elif isinstance(value, float):
            hasher.update(b'f' + _DOUBLE.pack(value))
        elif isinstance(value, complex):
            hasher.update(b'c' + _DOUBLE.pack(value.real) + _DOUBLE.pack(value.imag))
        elif isinstance(value, str):
            counted(b's', value.encode('utf-8', 'surrogatepass'))
        elif isinstance(value, bytes):
            counted(b'b', value)
        elif isinstance(value, torch.dtype | torch.device):
            hasher.update(b'y' if isinstance(value, torch.dtype) else b'v')
            counted(b's', str(value).encode())
        elif isinstance(value, torch.Size | list | tuple):
            hasher.update(b'z' if isinstance(value, torch.Size) else b'l' if isinstance(value, list) else b'u')
            hasher.update(_COUNT.pack(len(value)))
            for element in value:
                self.feed(hasher, element)
        elif isinstance(value, dict):
            hasher.update(b'd' + _COUNT.pack(len(value)))
            for key, entry in sorted(((self.digest(key), entry) for key, entry in value.items()), key=lambda e: e[0]):
                hasher.update(key)
                self.feed(hasher, entry)
        elif isinstance(value, set | frozenset):
            hasher.update(b'e' + _COUNT.pack(len(value)))
            for element in sorted(self.digest(element) for element in value):
                hasher.update(element)
        else:
            kind = type(value)
            raise TypeError(f'a checkpoint cannot hold a {kind.__module__}.{kind.__qualname__} (no checksum for it)')


def checkpointChecksum(checkpoint: Mapping[str, Any]) -> str:
    """The hex SHA-256 of `checkpoint` without its 'checksum' entry, in the canonical encoding of this module's
    docstring: the same content gives the same digest whatever the order of its keys and the device of its tensors."""
    content = {key: value for key, value in checkpoint.items() if key != CHECKSUM}
    return _Encoder(_tensorDigests(content)).digest(content).hex()


def saveCheckpoint(checkpoint: ExportedModel, path: str | os.PathLike[str]) -> None:
    """Write `checkpoint` and its checksum entry (`checkpointChecksum`; an entry it holds is replaced; the dict
    itself is left unchanged) to `path` atomically (`kac_prediction._io.writeTorch`): whatever fails, `path` keeps
    its previous content (or stays absent) and no temporary file remains. The directory must exist.

    TypeError if the checkpoint holds something `weights_only` loading would refuse. OSError, with its errno, if the
    file cannot be written (e.g. ENOSPC, a full disk): the message names `path` and the fix.
    """
    _checkLoadable(checkpoint, 'checkpoint')
    content = {key: value for key, value in checkpoint.items() if key != CHECKSUM}
    content[CHECKSUM] = {
        'algorithm': _CHECKSUM_ALGORITHM,
        'version': _CHECKSUM_VERSION,
        'digest': checkpointChecksum(content),
    }
    directory = Path(path).parent
    writeTorch(path, content, hint=f'a training run resumes from its last checkpoint with --resume {directory}')


def _describe(error: BaseException) -> str:
    """The gist of a loading error: the unpickler's complaint, else the first line of the message."""
    text = str(error)
    unpickler = re.search(r'WeightsUnpickler error:\s*(\S.*)', text)
    if unpickler is not None:
        return f'WeightsUnpickler error: {unpickler[1].strip()}'
    lines = text.strip().splitlines()
    return f'{type(error).__name__}: {lines[0]}' if lines else type(error).__name__


def _badRecord(path: Path) -> str | None:
    """The first record of the zip archive at `path` whose CRC does not match its bytes, else None (also for a file
    that is not a zip archive, as checkpoints of torch < 1.6 are not)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None


def _corrupted(path: Path, record: str) -> CheckpointError:
    return CheckpointError(f'{path} is corrupted: its record {record} fails its CRC check; {_RESTORE}')


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
        record = _badRecord(path)
        if record is not None:
            raise _corrupted(path, record) from error
        raise CheckpointError(
            f'{path} is not a readable checkpoint (truncated or corrupt?): {_describe(error)}'
        ) from error


def _verify(checkpoint: Any, path: Path) -> Any:
    """`checkpoint` without its checksum entry, once the entry is checked (for a checkpoint without one: once the
    zip's CRCs are). CheckpointError naming `path` if either fails."""
    if not isinstance(checkpoint, dict) or CHECKSUM not in checkpoint:
        record = _badRecord(path)
        if record is not None:
            raise _corrupted(path, record)
        return checkpoint
    entry = checkpoint.pop(CHECKSUM)
    known = {'algorithm': _CHECKSUM_ALGORITHM, 'version': _CHECKSUM_VERSION}
    if (
        not isinstance(entry, dict)
        or {key: entry.get(key) for key in known} != known
        or not isinstance(entry.get('digest'), str)
    ):
        raise CheckpointError(
            f'{path} has a checksum entry this library cannot check ({str(entry)[:100]}): it was written by a newer '
            f'kac_prediction, or it is corrupted'
        )
    if checkpointChecksum(checkpoint) != entry['digest']:
        raise CheckpointError(f'{path} is corrupted: checksum mismatch (its content is not what was saved); {_RESTORE}')
    return checkpoint


def loadCheckpoint(
    path: str | os.PathLike[str],
    map_location: str | torch.device = 'cpu',
    *,
    required_keys: Iterable[str] | None = None,
) -> ExportedModel:
    """Load a checkpoint with `torch.load(weights_only=True)`, its tensors mapped to `map_location`, and verify it:
    its checksum entry (then removed), or for a checkpoint without one, the zip's CRCs.

    FileNotFoundError if there is no file at `path`; CheckpointError (naming the file) if it is truncated or
    corrupt (a checksum mismatch: 'corrupted'), holds objects `weights_only` refuses, is not a dict, or lacks any of
    `required_keys` (default: every key of `ExportedModel`; the message lists the missing ones).
    """
    file = Path(path)
    checkpoint = _verify(_load(file, map_location), file)
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
