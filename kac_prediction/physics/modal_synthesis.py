"""Render a batch of drums from their modes: w(t) = Σ_k a_k·e^(−σ₀t)·sin(2π f_k t), peak scaled to `amplitude`.

The sum over modes is evaluated block-wise with the angle-addition identity
sin(ω(t_b + τ)) = sin(ωt_b)·cos(ωτ) + cos(ωt_b)·sin(ωτ), which turns it into one matrix product per drum (≈ √T
block starts t_b by ≈ √T offsets τ). It is exact up to float64 rounding (≈ 1e-12 of the peak for 1-s drums) and needs
O(K·√T) sines instead of O(K·T). Each drum is computed with arrays of the same shape whatever the batch, so a drum's
audio is bit-identical whichever batch or worker rendered it.
"""

import math

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkPositiveArray, isNumber

__all__ = ['decayRate', 'modalSynthesis']

_CHUNK = 32  # drums per matrix product: bounds the temporary arrays to ≈ 12 MB for 1-s drums with 100 modes


def decayRate(decay_time: float) -> float:
    """σ₀ = 3·ln(10) / decay_time in 1/s, so that e^(−σ₀t) is −60 dB at t = decay_time (T60); inf → 0."""
    if not isNumber(decay_time) or math.isnan(decay_time) or decay_time <= 0:
        raise ValueError(f'decay_time must be > 0 seconds (T60, or inf for no decay), got {decay_time!r}.')
    return 0.0 if math.isinf(decay_time) else 3.0 * math.log(10.0) / float(decay_time)


def modalSynthesis(
    frequencies: npt.ArrayLike,
    amplitudes: npt.ArrayLike,
    length: int,
    sample_rate: float,
    decay_time: float = math.inf,
    amplitude: float = 1.0,
) -> npt.NDArray[np.float64]:
    """Sum of exponentially decaying sines for a batch of drums.

    frequencies: mode frequencies in Hz, shape (B, ...) — the first axis is the batch, the rest the modes of one drum.
    amplitudes: a_k of each mode (any unit), same shape. length: samples per drum. sample_rate: Hz. decay_time: T60 in
    seconds (−60 dB), inf for none. amplitude: the peak |w| of each returned drum (a drum whose modes are all silent
    stays zero). Modes at or above sample_rate / 2 (Nyquist) are dropped. Sample n is at t = n / sample_rate
    (so w[0] = 0).
    Returns float64, shape (B, length).
    """
    F = np.asarray(frequencies, dtype=np.float64)
    A = np.asarray(amplitudes, dtype=np.float64)
    if F.ndim < 2 or F.shape != A.shape:
        raise ValueError(
            'frequencies and amplitudes must have the same shape (B, modes...) with the batch first, '
            f'got {F.shape} and {A.shape}; wrap a single drum as frequencies[None].'
        )
    if not (np.all(np.isfinite(F)) and np.all(np.isfinite(A))):
        raise ValueError('frequencies and amplitudes must be finite.')
    length = checkCount('length', length, 1, 'samples')
    fs = float(checkPositiveArray('sample_rate', sample_rate, 'Hz'))
    peak = float(np.asarray(amplitude, dtype=np.float64))
    if not math.isfinite(peak) or peak < 0:
        raise ValueError(f'amplitude must be finite and ≥ 0 (the peak of each waveform), got {amplitude!r}.')
    sigma = decayRate(decay_time)
    F = F.reshape(F.shape[0], -1)
    A = np.where((F > 0.0) & (F < fs / 2.0), A.reshape(F.shape), 0.0)
    envelope = np.exp((-sigma / fs) * np.arange(length, dtype=np.float64)) if sigma > 0.0 else None
    w = np.empty((F.shape[0], int(length)), dtype=np.float64)
    for first in range(0, F.shape[0], _CHUNK):
        chunk = slice(first, first + _CHUNK)
        w[chunk] = _sumOfSines(F[chunk], A[chunk], int(length), fs)
    if envelope is not None:
        w *= envelope
    maxima = np.max(np.abs(w), axis=1, keepdims=True)
    w *= np.divide(peak, maxima, out=np.zeros_like(maxima), where=maxima > 0.0)
    return w


def _sumOfSines(
    F: npt.NDArray[np.float64], A: npt.NDArray[np.float64], length: int, fs: float
) -> npt.NDArray[np.float64]:
    """Σ_k A[b, k]·sin(2π F[b, k] n / fs) for n < length, by blocks of ≈ √length samples; shape (B, length)."""
    block = math.isqrt(length - 1) + 1
    blocks = -(-length // block)
    omega = (2.0 * np.pi / fs) * F[:, :, None]  # radians per sample, (B, K, 1)
    starts = omega * (np.arange(blocks, dtype=np.float64) * block)  # (B, K, blocks)
    offsets = omega * np.arange(block, dtype=np.float64)  # (B, K, block)
    left = np.concatenate((A[:, :, None] * np.sin(starts), A[:, :, None] * np.cos(starts)), axis=1)
    right = np.concatenate((np.cos(offsets), np.sin(offsets)), axis=1)
    product = np.matmul(left.transpose(0, 2, 1), right)  # (B, blocks, block)
    return np.asarray(product.reshape(F.shape[0], blocks * block)[:, :length], dtype=np.float64)
