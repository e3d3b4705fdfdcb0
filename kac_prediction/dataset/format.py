"""The native dataset format (docs/architecture.md, "Dataset format"): file names, metadata JSON, WAV writing and
checks, the X cache's path.

A dataset directory holds `metadata.json` (settings and labels, no audio), `sample_NNNNN.wav` (mono 24-bit PCM) and
`cache/<key>.npy` (X for one representation setting, float32, shape (dataset_size, ...)). `metadata.json` is written
last, so a directory without it is never a complete dataset. Every file is written atomically by `kac_prediction._io`.
"""

import hashlib
import json
import math
import os
import re
import wave
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import soundfile as sf

from .._io import createTemporary, writeText
from ..samplers import AudioSampler, SamplerInfo

__all__ = [
    'CACHE_DIR',
    'FORMAT_VERSION',
    'METADATA',
    'PROGRESS_DIR',
    'SHARD_FILE',
    'DatasetFormatError',
    'cachePath',
    'checkWav',
    'decodeSettings',
    'encodeSettings',
    'isCacheFile',
    'quantise24',
    'readWav',
    'sampleLength',
    'samplerInfo',
    'wavName',
    'writeMetadata',
    'writeWavs',
]

FORMAT_VERSION = 2
METADATA = 'metadata.json'
CACHE_DIR = 'cache'
SHARD_FILE = 'shard.json'  # a finished shard's header and labels, instead of metadata.json
PROGRESS_DIR = '.generation'  # a generation in progress (see generate.py)
_CACHE_NAME = re.compile(r'[0-9a-f]{16}\.(npy|json)')
_NON_FINITE = {'inf': math.inf, '-inf': -math.inf, 'nan': math.nan}


class DatasetFormatError(ValueError):
    """A dataset file is missing, truncated, corrupted or inconsistent; the message names the file and the problem."""


def wavName(i: int) -> str:
    """The file name of item i: sample_00000.wav (five digits or more)."""
    return f'sample_{i:05d}.wav'


def samplerInfo(Sampler: type[AudioSampler]) -> SamplerInfo:
    """{'name': the class name, 'version': this package's version}."""
    try:
        version = importlib_metadata.version('kac_prediction')
    except importlib_metadata.PackageNotFoundError:  # running from a source tree
        from .. import __version__ as version
    return {'name': Sampler.__name__, 'version': version}


def sampleLength(sampler_settings: Mapping[str, Any]) -> int:
    """Samples per item, ceil(duration · sample_rate), as `AudioSampler` computes it."""
    return math.ceil(float(sampler_settings['duration']) * int(sampler_settings['sample_rate']) - 1e-9)


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return 'nan' if math.isnan(value) else ('inf' if value > 0 else '-inf')
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (np.integer, np.floating)):
        return _encode(value.item())
    if isinstance(value, type):
        return value.__name__
    return value


def encodeSettings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as standard JSON values: non-finite floats → 'inf' / '-inf' / 'nan', tuples → lists, classes → names."""
    return {str(k): _encode(v) for k, v in sorted(settings.items())}


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    return value


def decodeSettings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `encodeSettings` for numbers: 'inf' / '-inf' / 'nan' → float."""
    return {k: _decode(v) for k, v in settings.items()}


def _metadataLines(header: Mapping[str, Any], labels: list[dict[str, Any]]) -> Iterator[str]:
    yield '{\n'
    for key, value in header.items():
        yield f'"{key}": {json.dumps(value, allow_nan=False)},\n'
    yield '"data": [\n'
    for i, y in enumerate(labels):
        yield json.dumps({'y': y}, allow_nan=False) + (',\n' if i + 1 < len(labels) else '\n')
    yield ']}\n'


def writeMetadata(dataset_dir: str | os.PathLike[str], header: Mapping[str, Any], labels: list[dict[str, Any]]) -> None:
    """Write metadata.json atomically: the header keys, then `data` = [{'y': labels}], one item per line."""
    writeText(Path(dataset_dir) / METADATA, ''.join(_metadataLines(header, labels)))


def quantise24(waveform: npt.NDArray[np.float64]) -> npt.NDArray[np.int32]:
    """24-bit PCM codes of a waveform (any shape) in [−1, 1]: round(x · 2²³), clipped to [−2²³, 2²³ − 1]; int32.

    The definition that `writeWavs` follows (in compiled code, `_encode24`); the tests hold one to the other.
    """
    scaled = np.multiply(waveform, 8388608.0, dtype=np.float64)  # one temporary, rounded and clipped in place
    np.rint(scaled, out=scaled)
    np.clip(scaled, -8388608.0, 8388607.0, out=scaled)
    return scaled.astype(np.int32)


@numba.njit(cache=True, nogil=True)
def _encode24(
    waveforms: npt.NDArray[np.float64], pcm: npt.NDArray[np.uint8], stored: npt.NDArray[np.float32]
) -> int:  # pragma: no cover - compiled
    """Rows (B, L) → pcm (B, 3L): the `quantise24` codes as little-endian 24-bit bytes, and stored (B, L) = code / 2²³.

    One pass per row, no temporaries (the NumPy equivalent costs ≈ 0.6 ms per 1-s item). Returns the index of the
    first row with a sample outside [−1, 1] or not finite, having written nothing; −1 when all rows are fine.
    """
    rows, length = waveforms.shape
    for b in range(rows):
        for i in range(length):
            if not -1.0 <= waveforms[b, i] <= 1.0:  # NaN fails too
                return b
    for b in range(rows):
        for i in range(length):
            code = np.int32(min(max(np.rint(waveforms[b, i] * 8388608.0), -8388608.0), 8388607.0))
            stored[b, i] = np.float32(code) * np.float32(1.0 / 8388608.0)
            pcm[b, 3 * i] = code & 0xFF
            pcm[b, 3 * i + 1] = (code >> 8) & 0xFF
            pcm[b, 3 * i + 2] = (code >> 16) & 0xFF
    return -1


def writeWavs(
    paths: Sequence[str | os.PathLike[str]],
    waveforms: npt.NDArray[np.float64],
    sample_rate: int,
    temporary_dir: str | os.PathLike[str] | None = None,
) -> npt.NDArray[np.float32]:
    """Write row b of `waveforms` (B, L) to `paths[b]` as a mono 24-bit PCM WAV, atomically; return the samples as
    stored, float32 (B, L).

    Every row must lie within [−1, 1] (checked before anything is written). Rows are quantised as by `quantise24`; the
    returned samples are the codes / 2²³, exact in float32 and equal to what reading the files gives. The header is
    written by the standard library's `wave`: the same bytes as soundfile's when L is even; for odd L the data chunk
    lacks soundfile's pad byte (both read either file). Each file is written under a temporary name in
    `temporary_dir` (default: beside its path; it must be on the same file system) by `_io.createTemporary` (mode
    0o666 less the umask) and renamed into place, without an fsync: one per file would cost more than writing it, and
    `generateDataset` checks every logged item's WAV when it resumes. Processes writing many files into one
    directory should each give their own `temporary_dir`: creating files serialises on the directory's lock,
    renaming them much less (two processes creating files in one folder spent 2.2 ms of CPU per file, in separate
    folders 0.8 ms, on the development VM).
    """
    waveforms = np.ascontiguousarray(waveforms, dtype=np.float64)
    if waveforms.ndim != 2 or len(waveforms) != len(paths):
        raise ValueError(f'writeWavs needs one waveform row per path: got {len(paths)} paths, shape {waveforms.shape}.')
    pcm = np.empty((waveforms.shape[0], 3 * waveforms.shape[1]), dtype=np.uint8)
    stored = np.empty(waveforms.shape, dtype=np.float32)
    bad = _encode24(waveforms, pcm, stored)
    if bad >= 0:
        peak = float(np.max(np.abs(waveforms[bad])))
        raise ValueError(f'{paths[bad]}: the waveform peaks at {peak}, beyond full scale (1.0); lower the `amplitude`.')
    for path, frames in zip(paths, pcm, strict=True):
        target = Path(path)
        folder = target.parent if temporary_dir is None else Path(temporary_dir)
        handle, temporary = createTemporary(folder / target.name)
        try:
            with os.fdopen(handle, 'wb') as file, wave.open(file, 'wb') as wav:
                wav.setnchannels(1)
                wav.setsampwidth(3)
                wav.setframerate(sample_rate)
                wav.setnframes(waveforms.shape[1])  # known in advance: the header is written once, never patched
                wav.writeframesraw(frames)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    return stored


def _wavFormat(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """(channels, sample rate, frames) from a PCM WAV header, or None if it is not a plain complete PCM WAV."""
    try:
        with open(path, 'rb') as file:
            head = file.read(512)
            size = os.fstat(file.fileno()).st_size
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b'RIFF' or head[8:12] != b'WAVE':
        return None
    offset, channels, rate, align = 12, 0, 0, 0
    while offset + 8 <= len(head):
        chunk, length = head[offset : offset + 4], int.from_bytes(head[offset + 4 : offset + 8], 'little')
        if chunk == b'fmt ' and offset + 24 <= len(head):
            tag = int.from_bytes(head[offset + 8 : offset + 10], 'little')
            channels = int.from_bytes(head[offset + 10 : offset + 12], 'little')
            rate = int.from_bytes(head[offset + 12 : offset + 16], 'little')
            align = int.from_bytes(head[offset + 20 : offset + 22], 'little')
            if tag not in (1, 0xFFFE) or align == 0:
                return None
        elif chunk == b'data':
            if not align or offset + 8 + length > size:
                return None  # no format before the data, or a truncated file
            return channels, rate, length // align
        offset += 8 + length + (length & 1)
    return None


def checkWav(path: str | os.PathLike[str], sample_rate: int, length: int) -> None:
    """Raise DatasetFormatError naming `path` unless it is a readable mono WAV of `length` samples at `sample_rate`."""
    if not os.path.isfile(path):
        raise DatasetFormatError(f'{path} is missing.')
    header = _wavFormat(path)  # fast path: the header of a plain PCM WAV, as this library writes them
    if header is None:
        try:
            info = sf.info(os.fspath(path))
        except (sf.LibsndfileError, RuntimeError) as error:
            raise DatasetFormatError(f'{path} is not a readable WAV file ({error}).') from None
        header = (info.channels, info.samplerate, info.frames)
    channels, rate, frames = header
    if rate != sample_rate:
        raise DatasetFormatError(f'{path} has sample rate {rate} Hz, the dataset {sample_rate} Hz.')
    if channels != 1:
        raise DatasetFormatError(f'{path} has {channels} channels; dataset WAVs are mono.')
    if frames != length:
        raise DatasetFormatError(f'{path} has {frames} samples, the dataset {length} per item.')


def readWav(path: str | os.PathLike[str], sample_rate: int, length: int) -> npt.NDArray[np.float64]:
    """The samples of a dataset WAV, float64 (length,), after `checkWav`."""
    checkWav(path, sample_rate, length)
    data, _ = sf.read(os.fspath(path), dtype='float64', always_2d=False)
    return np.asarray(data, dtype=np.float64)


def cachePath(dataset_dir: str | os.PathLike[str], representation_settings: Mapping[str, Any], length: int) -> Path:
    """cache/<key>.npy for X of one representation setting; the key hashes the full settings and the item length."""
    canonical = json.dumps({'length': length, 'settings': encodeSettings(representation_settings)}, sort_keys=True)
    key = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return Path(dataset_dir) / CACHE_DIR / f'{key}.npy'


def isCacheFile(path: str | os.PathLike[str]) -> bool:
    """True for the names `cachePath` gives, `<16 hex digits>.npy`, and their `.json` sidecars (nothing else in cache/
    belongs to the dataset)."""
    return _CACHE_NAME.fullmatch(os.path.basename(path)) is not None
