"""Additive noise of a colour, at a signal-to-noise ratio over the whole clip.

Colours are power laws of the power spectral density S(f) ∝ f^(−κ): white κ = 0, pink κ = 1 (−10 dB per decade),
brown κ = 2 (−20 dB per decade), made by shaping the spectrum of Gaussian white noise. The law holds from
`FLOOR_HZ` (20 Hz) to Nyquist; below 20 Hz the density stays at its 20-Hz value (so brown noise's energy is not spent
on inaudible drift), and the mean (0 Hz) is 0.

The SNR, in dB, is 10 log10(Σ s[n]² / Σ v[n]²) with both sums over the whole clip, s the signal and v the noise
added: leading silence and the decayed tail count. For a drum that decays well within the clip, the SNR over its
first 100 ms is higher than this.
"""

from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import scipy.fft

from .._checks import checkChoice, checkCount, checkReal
from ._signal import checkSampleRate, checkWaveform

__all__ = ['FLOOR_HZ', 'NoiseColour', 'addNoise', 'colouredNoise']

NoiseColour = Literal['white', 'pink', 'brown']
NOISE_COLOURS: tuple[str, ...] = get_args(NoiseColour)
_EXPONENT = {'white': 0.0, 'pink': 1.0, 'brown': 2.0}
FLOOR_HZ = 20.0


def colouredNoise(
    length: int, sample_rate: int, colour: NoiseColour, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Noise of `colour` ('white', 'pink' or 'brown'), shape (length,), float64, zero mean, unit mean power
    (Σ v² = length)."""
    n = checkCount('length', length, 1, 'samples')
    rate = checkSampleRate('sample_rate', sample_rate)
    exponent = _EXPONENT[checkChoice('colour', colour, NOISE_COLOURS)]
    size = scipy.fft.next_fast_len(n, real=True)
    spectrum = scipy.fft.rfft(rng.standard_normal(size))
    frequency = np.maximum(scipy.fft.rfftfreq(size, 1.0 / rate), FLOOR_HZ)
    spectrum *= frequency ** (-exponent / 2.0)
    spectrum[0] = 0.0
    noise = scipy.fft.irfft(spectrum, size)[:n]
    noise -= noise.mean()
    power = float(np.mean(noise**2))
    return noise / np.sqrt(power) if power > 0.0 else noise


def addNoise(
    x: npt.ArrayLike, sample_rate: int, snr_db: float, colour: NoiseColour, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """x + v, shape and dtype of x as float64 (L,), where v is `colouredNoise` scaled so that 10 log10(Σ x² / Σ v²)
    = snr_db exactly (sums over the whole clip). ValueError for a silent x (the SNR would be undefined)."""
    signal = checkWaveform('x', x)
    snr = checkReal('snr_db', snr_db)
    energy = float(np.sum(signal**2))
    if not energy > 0.0:
        raise ValueError('x is silent (all zeros): its signal-to-noise ratio is undefined.')
    noise = colouredNoise(signal.size, sample_rate, colour, rng)
    noise *= np.sqrt(energy / (float(np.sum(noise**2)) * 10.0 ** (snr / 10.0)))
    return signal + noise
