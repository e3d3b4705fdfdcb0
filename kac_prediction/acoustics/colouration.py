"""Microphone colouration: peaking equaliser bands and a low-pass, as second-order sections (scipy.signal).

A `Band` is the peaking biquad of R. Bristow-Johnson's Audio EQ Cookbook: gain `gain_db` exactly at `frequency_hz`,
0 dB far from it, bandwidth set by `q` (A = 10^(gain/40), w0 = 2π f0 / fs, α = sin(w0) / (2Q);
b = (1 + αA, −2 cos w0, 1 − αA), a = (1 + α/A, −2 cos w0, 1 − α/A)). The low-pass is a second-order Butterworth,
−3.01 dB at its cutoff. The filters run forward in time (causal, like a microphone).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.signal

from .._checks import checkNumber, checkReal
from ._signal import checkSampleRate, checkWaveform

__all__ = ['Band', 'colour', 'colourSOS', 'peakingSOS']


@dataclass(frozen=True)
class Band:
    """One peaking band: centre frequency_hz (Hz), gain_db (dB at the centre), q (quality factor, > 0)."""

    frequency_hz: float
    gain_db: float
    q: float


def peakingSOS(band: Band, sample_rate: int) -> npt.NDArray[np.float64]:
    """The band's biquad as one second-order section, shape (1, 6). ValueError unless 0 < frequency < sample_rate / 2
    and q > 0."""
    rate = checkSampleRate('sample_rate', sample_rate)
    f0 = checkNumber('band.frequency_hz', band.frequency_hz, 'Hz')
    if f0 >= rate / 2.0:
        raise ValueError(f'band.frequency_hz must be below sample_rate / 2 = {rate / 2.0:g} Hz, got {f0:g}.')
    a_gain = 10.0 ** (checkReal('band.gain_db', band.gain_db) / 40.0)
    w0 = 2.0 * math.pi * f0 / rate
    alpha = math.sin(w0) / (2.0 * checkNumber('band.q', band.q))
    b = np.array([1.0 + alpha * a_gain, -2.0 * math.cos(w0), 1.0 - alpha * a_gain])
    a = np.array([1.0 + alpha / a_gain, -2.0 * math.cos(w0), 1.0 - alpha / a_gain])
    return np.concatenate([b / a[0], a / a[0]])[None, :]


def colourSOS(sample_rate: int, bands: Sequence[Band] = (), lowpass_hz: float | None = None) -> npt.NDArray[np.float64]:
    """Second-order sections, shape (k, 6): one per band, then the low-pass's (none for lowpass_hz None). ValueError
    unless 0 < lowpass_hz < sample_rate / 2."""
    rate = checkSampleRate('sample_rate', sample_rate)
    sections = [peakingSOS(band, rate) for band in bands]
    if lowpass_hz is not None:
        cutoff = checkNumber('lowpass_hz', lowpass_hz, 'Hz')
        if cutoff >= rate / 2.0:
            raise ValueError(f'lowpass_hz must be below sample_rate / 2 = {rate / 2.0:g} Hz, got {cutoff:g}.')
        sections.append(np.asarray(scipy.signal.butter(2, cutoff, 'lowpass', fs=rate, output='sos'), dtype=np.float64))
    return np.concatenate(sections) if sections else np.zeros((0, 6))


def colour(
    x: npt.ArrayLike, sample_rate: int, bands: Sequence[Band] = (), lowpass_hz: float | None = None
) -> npt.NDArray[np.float64]:
    """x (L,) through the bands and the low-pass (`colourSOS`), causal, zero initial state: (L,) float64."""
    signal = checkWaveform('x', x)
    sos = colourSOS(sample_rate, bands, lowpass_hz)
    return np.asarray(scipy.signal.sosfilt(sos, signal), dtype=np.float64) if len(sos) else signal.copy()
