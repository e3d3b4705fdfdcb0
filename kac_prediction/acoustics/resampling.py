"""Sample-rate conversion (scipy.signal.resample_poly: polyphase FIR, Kaiser window β = 5, zero phase)."""

import functools
import math

import numpy as np
import numpy.typing as npt
import scipy.signal

from ._signal import checkSampleRate, checkWaveform

__all__ = ['resample', 'resampledLength']


def resampledLength(length: int, sample_rate: int, target_rate: int) -> int:
    """ceil(length · target_rate / sample_rate): the samples that cover the same duration at target_rate."""
    return -(-length * target_rate // sample_rate)


@functools.lru_cache(maxsize=16)
def _lowpass(up: int, down: int) -> npt.NDArray[np.float64]:
    """The anti-aliasing filter resample_poly designs for a ratio up / down (firwin, Kaiser β = 5, cutoff at the lower
    Nyquist frequency, 20 · max(up, down) + 1 taps), designed once per ratio: the design took ≈ 1 ms per call, as long
    as the filtering itself. Read-only (shared between calls)."""
    rate = max(up, down)
    h = scipy.signal.firwin(20 * rate + 1, 1.0 / rate, window=('kaiser', 5.0))
    h.flags.writeable = False
    return np.asarray(h, dtype=np.float64)


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
    up, down = target // divisor, rate // divisor
    # scipy documents window as array_like too (the filter's coefficients); its stubs list only names and tuples
    out = scipy.signal.resample_poly(signal, up, down, window=_lowpass(up, down))  # type: ignore[call-overload]
    return np.asarray(out, dtype=np.float64)[: resampledLength(signal.size, rate, target)]
