"""Render a batch of drums from their modes: w(t) = Σ_k a_k·e^(−σ_k t)·sin(2π f_k t), peak scaled to `amplitude`.

σ_k = σ₀ + σ₁·ω_k² (physics/membrane.py, `lossCoefficients`); with a finite `strike_duration` τ the unit impulse
becomes the raised-cosine force pulse p(t) = (1 − cos(2πt/τ))/τ, 0 ≤ t ≤ τ, and each mode's response is its exact
convolution with it: for t ≥ τ, a_k·Im(G_k·e^(s_k t)) with s_k = −σ_k + iω_k and G_k = ∫₀^τ p(u)·e^(−s_k u) du, whose
modulus at σ_k = 0 is the pulse's spectrum |sinc(f_k τ) / (1 − (f_k τ)²)| (its phase a delay of τ/2); for t < τ the
same integral up to t.

The sum over modes is evaluated block-wise with the angle-addition identity
sin(ω(t_b + τ)) = sin(ωt_b)·cos(ωτ) + cos(ωt_b)·sin(ωτ), which turns it into one matrix product per drum (≈ √T
block starts t_b by ≈ √T offsets τ). It is exact up to float64 rounding (≈ 1e-12 of the peak for 1-s drums) and needs
O(K·√T) sines instead of O(K·T). Each drum is computed with arrays of the same shape whatever the batch, so a drum's
audio is bit-identical whichever batch or worker rendered it.
"""

import math

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkPositiveArray
from .membrane import decayRate, lossCoefficients

__all__ = ['decayRate', 'modalSynthesis']

_CHUNK = 32  # drums per matrix product: bounds the temporary arrays to ≈ 12 MB for 1-s drums with 100 modes


def modalSynthesis(
    frequencies: npt.ArrayLike,
    amplitudes: npt.ArrayLike,
    length: int,
    sample_rate: float,
    decay_time: npt.ArrayLike = math.inf,
    amplitude: float = 1.0,
    decay_time_high: npt.ArrayLike | None = None,
    decay_frequency_high: float = 1000.0,
    strike_duration: npt.ArrayLike = 0.0,
) -> npt.NDArray[np.float64]:
    """Sum of exponentially decaying sines for a batch of drums.

    frequencies: mode frequencies in Hz, shape (B, ...) — the first axis is the batch, the rest the modes of one drum.
    amplitudes: a_k of each mode (any unit), same shape. length: samples per drum. sample_rate: Hz. decay_time: T60 in
    seconds (−60 dB) at 0 Hz, inf for none. amplitude: the peak |w| of each returned drum (a drum whose modes are all
    silent stays zero). decay_time_high: T60 in s at decay_frequency_high (Hz), None for a frequency-independent
    decay (see `physics.lossCoefficients`). strike_duration: the raised-cosine force pulse's duration in s, 0 for
    the unit impulse. decay_time, decay_time_high and strike_duration are each a number or one per drum (B,). Modes at
    or above sample_rate / 2 (Nyquist) are dropped. Sample n is at t = n / sample_rate (so w[0] = 0).
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
    durations = np.asarray(strike_duration, dtype=np.float64)
    if not np.all(np.isfinite(durations)) or np.any(durations < 0.0):
        raise ValueError(f'strike_duration must be finite and ≥ 0 (s, 0 for an impulse), got {strike_duration!r}.')
    F = F.reshape(F.shape[0], -1)
    A = np.where((F > 0.0) & (F < fs / 2.0), A.reshape(F.shape), 0.0)
    if np.ndim(decay_time) > 0 or decay_time_high is not None or np.any(durations > 0.0):
        w = _general(F, A, int(length), fs, decay_time, decay_time_high, decay_frequency_high, durations)
        maxima = np.max(np.abs(w), axis=1, keepdims=True)
        w *= np.divide(peak, maxima, out=np.zeros_like(maxima), where=maxima > 0.0)
        return w
    sigma = decayRate(decay_time)  # type: ignore[arg-type]
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


def _perDrum(name: str, value: npt.ArrayLike, B: int) -> npt.NDArray[np.float64]:
    """A number or one value per drum, as float64 (B,)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(B, float(array))
    if array.shape != (B,):
        raise ValueError(f'{name} must be one number or one per drum ({B},), got shape {array.shape}.')
    return array


def _general(
    F: npt.NDArray[np.float64],
    A: npt.NDArray[np.float64],
    length: int,
    fs: float,
    decay_time: npt.ArrayLike,
    decay_time_high: npt.ArrayLike | None,
    decay_frequency_high: float,
    durations: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Unnormalised (B, length): per-mode decay σ₀ + σ₁ω² and the raised-cosine pulse (the module docstring)."""
    B = F.shape[0]
    high = None if decay_time_high is None else _perDrum('decay_time_high', decay_time_high, B)
    sigma0, sigma1 = lossCoefficients(_perDrum('decay_time', decay_time, B), high, decay_frequency_high)
    tau = _perDrum('strike_duration', durations, B)
    omega = 2.0 * np.pi * F
    s = np.asarray(
        (-(sigma0[:, None] + sigma1[:, None] * omega**2) + 1j * omega) / fs, dtype=np.complex128
    )  # per sample
    C = A.astype(np.complex128)
    pulsed = np.flatnonzero(tau > 0.0)
    for b in pulsed:
        C[b] *= _pulse(s[b], tau[b] * fs, tau[b] * fs)
    w = np.empty((B, length), dtype=np.float64)
    for first in range(0, B, _CHUNK):
        chunk = slice(first, first + _CHUNK)
        w[chunk] = _sumOfDampedSines(C[chunk], s[chunk], length)
    for b in pulsed:  # while the pulse lasts: the convolution up to t
        n = np.arange(min(length, math.ceil(tau[b] * fs)), dtype=np.float64)
        early = A[b, :, None] * np.exp(s[b, :, None] * n) * _pulse(s[b, :, None], n, tau[b] * fs)
        w[b, : n.size] = early.imag.sum(axis=0)
    return w


def _phi(z: npt.NDArray[np.complex128]) -> npt.NDArray[np.complex128]:
    """(1 − e^(−z)) / z, 1 at z = 0, accurate near it."""
    small = np.abs(z) < 1e-6
    safe = np.where(small, 1.0, z)
    return np.where(small, 1.0 - z / 2.0, -np.expm1(-safe) / safe)


def _pulse(s: npt.NDArray[np.complex128], T: npt.ArrayLike, tau: float) -> npt.NDArray[np.complex128]:
    """G(T) = ∫₀^T p(u)·e^(−s u) du for the raised cosine p(u) = (1 − cos(2πu/τ))/τ on [0, τ], T ≤ τ, with s per
    sample and T, τ in samples: (T/τ)·(φ(sT) − ½φ((s − iΩ)T) − ½φ((s + iΩ)T)), Ω = 2π/τ, φ as `_phi`."""
    T = np.asarray(T, dtype=np.float64)
    Omega = 2j * np.pi / tau
    return (T / tau) * (_phi(s * T) - 0.5 * _phi((s - Omega) * T) - 0.5 * _phi((s + Omega) * T))


def _sumOfDampedSines(
    C: npt.NDArray[np.complex128], s: npt.NDArray[np.complex128], length: int
) -> npt.NDArray[np.float64]:
    """Σ_k Im(C[b, k]·e^(s[b, k]·n)) for n < length, by blocks of ≈ √length samples as `_sumOfSines`:
    Im(C e^(s t_b)·e^(s τ)) = Re(C e^(s t_b))·Im(e^(s τ)) + Im(C e^(s t_b))·Re(e^(s τ)); shape (B, length)."""
    block = math.isqrt(length - 1) + 1
    blocks = -(-length // block)
    starts = C[:, :, None] * np.exp(s[:, :, None] * (np.arange(blocks, dtype=np.float64) * block))  # (B, K, blocks)
    offsets = np.exp(s[:, :, None] * np.arange(block, dtype=np.float64))  # (B, K, block)
    left = np.concatenate((starts.real, starts.imag), axis=1)
    right = np.concatenate((offsets.imag, offsets.real), axis=1)
    product = np.matmul(left.transpose(0, 2, 1), right)  # (B, blocks, block)
    return np.asarray(product.reshape(C.shape[0], blocks * block)[:, :length], dtype=np.float64)
