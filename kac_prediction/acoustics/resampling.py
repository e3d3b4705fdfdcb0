"""Sample-rate conversion (scipy.signal.resample_poly: polyphase FIR, Kaiser window β = 5, zero phase)."""

import math

import numpy as np
import numpy.typing as npt
import scipy.signal

from ._signal import checkSampleRate, checkWaveform

__all__ = ['resample', 'resampledLength']


def resampledLength(length: int, sample_rate: int, target_rate: int) -> int:
    """ceil(length · target_rate / sample_rate): the samples that cover the same duration at target_rate."""
    return -(-length * target_rate // sample_rate)


def resample(x: npt.ArrayLike, sample_rate: int, target_rate: int) -> npt.NDArray[np.float64]:
    """x (L,) at sample_rate (Hz) converted to target_rate (Hz): (ceil(L · target_rate / sample_rate),) float64,
    x itself (a copy) when the rates are equal. The ratio is reduced by the greatest common divisor (48000 → 44100
    is 147 / 160)."""
    signal = checkWaveform('x', x)
    rate = checkSampleRate('sample_rate', sample_rate)
    target = checkSampleRate('target_rate', target_rate)
    if rate == target:
        return signal.copy()
    divisor = math.gcd(rate, target)
    out = scipy.signal.resample_poly(signal, target // divisor, rate // divisor)
    return np.asarray(out, dtype=np.float64)[: resampledLength(signal.size, rate, target)]
