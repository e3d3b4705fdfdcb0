"""Audio as people have it, turned into what a model was trained on: read any file soundfile reads, mix to mono,
resample, align on the strike, trim or pad to the training length.

    waveform, rate = readAudioFile('drum.flac')                 # (L, C) float64, Hz
    x = prepareAudio(waveform, rate, target_rate=48000, length=48000)   # (48000,) float64, starting at the strike
"""

import math
import os

import numpy as np
import numpy.typing as npt

from .._checks import checkCount

__all__ = ['ONSET_THRESHOLD', 'prepareAudio', 'readAudioFile']

ONSET_THRESHOLD = 1e-3
"""The onset is the first sample whose magnitude exceeds this fraction of the waveform's peak magnitude."""
_NEAR_ZERO = 1e-6  # a sample this small relative to the peak counts as a zero when backing off from the onset


def _asFloat(waveform: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """float64 copy; integer PCM is scaled to [−1, 1) (unsigned integers centred first)."""
    array = np.asarray(waveform)
    if array.dtype.kind == 'i':
        return array.astype(np.float64) / 2.0 ** (8 * array.dtype.itemsize - 1)
    if array.dtype.kind == 'u':
        half = 2.0 ** (8 * array.dtype.itemsize - 1)
        return (array.astype(np.float64) - half) / half
    if array.dtype.kind != 'f':
        raise ValueError(f'audio must hold real numbers (float or integer PCM), got dtype {array.dtype}')
    return array.astype(np.float64)


def prepareAudio(waveform: npt.ArrayLike, sample_rate: int, target_rate: int, length: int) -> npt.NDArray[np.float64]:
    """Audio of any rate, channel count and length → the mono waveform (length,) float64 a model was trained on.

    1. waveform (L,) or (L, C), float or integer PCM (scaled to [−1, 1)): mixed down to the mean of the channels.
    2. Resampled from sample_rate to target_rate (Hz) with `scipy.signal.resample_poly`, up / down being the reduced
       fraction target_rate / sample_rate (nothing is done when they are equal).
    3. Aligned on the onset, as the training items start at the strike: the onset is the first sample whose
       magnitude exceeds ONSET_THRESHOLD (10⁻³) times the peak magnitude; the waveform then starts at the first
       sample of the half-cycle holding the onset, i.e. just after the last sample before the onset that is near
       zero (magnitude ≤ 10⁻⁶ × peak) or of the opposite sign (0 when there is none). Leading silence or low-level
       noise is thus dropped, and a signal that already starts at its strike keeps its start.
    4. Trimmed to `length` samples, or zero-padded at the end to it.

    ValueError for empty, silent or non-finite audio, a shape other than (L,) or (L, C), or rates and lengths that
    are not integers ≥ 1.
    """
    sample_rate = checkCount('sample_rate', sample_rate, meaning='Hz')
    target_rate = checkCount('target_rate', target_rate, meaning='Hz')
    length = checkCount('length', length, meaning='samples')
    x = _asFloat(waveform)
    if x.ndim == 2:
        if x.shape[1] == 0:
            raise ValueError('the audio has no channels')
        x = x.mean(axis=1)
    elif x.ndim != 1:
        raise ValueError(f'audio must have shape (samples,) or (samples, channels), got {x.shape}')
    if x.size == 0:
        raise ValueError('the audio is empty (no samples)')
    if not np.isfinite(x).all():
        raise ValueError('the audio holds non-finite samples (NaN or inf)')
    if not np.any(x):
        raise ValueError('the audio is silent (every sample is zero)')
    if sample_rate != target_rate:
        from scipy.signal import resample_poly

        divisor = math.gcd(target_rate, sample_rate)
        x = np.asarray(resample_poly(x, target_rate // divisor, sample_rate // divisor), dtype=np.float64)
    magnitude = np.abs(x)
    peak = float(magnitude.max())
    if not peak > 0:
        raise ValueError('the audio is silent after resampling')
    onset = int(np.argmax(magnitude > ONSET_THRESHOLD * peak))
    before = x[:onset]
    breaks = np.flatnonzero((magnitude[:onset] <= _NEAR_ZERO * peak) | (np.sign(before) != np.sign(x[onset])))
    start = int(breaks[-1]) + 1 if len(breaks) else 0
    x = x[start : start + length]
    return np.pad(x, (0, length - len(x))) if len(x) < length else x.copy()


def readAudioFile(path: str | os.PathLike[str]) -> tuple[npt.NDArray[np.float64], int]:
    """(samples (L, C) float64, sample rate) of an audio file; ValueError naming it when soundfile cannot read it."""
    import soundfile as sf

    try:
        data, rate = sf.read(os.fspath(path), dtype='float64', always_2d=True)
    except (RuntimeError, TypeError) as error:  # soundfile.LibsndfileError is a RuntimeError
        raise ValueError(f'cannot read {os.fspath(path)} as audio: {error}') from error
    return np.asarray(data, dtype=np.float64), int(rate)
