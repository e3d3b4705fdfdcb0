"""Spectral analysis used by the physics tests, independent of the code under test."""

import numpy as np
import numpy.typing as npt
from scipy import signal


def spectrum(waveform: npt.NDArray[np.float64], padding: int = 8) -> npt.NDArray[np.float64]:
    """Magnitude of the Blackman–Harris-windowed (sidelobes < −92 dB), zero-padded FFT.

    Bin spacing: sample_rate / (padding · len(waveform)).
    """
    window = signal.windows.blackmanharris(len(waveform), sym=False)
    return np.abs(np.fft.rfft(waveform * window, n=padding * len(waveform)))


def spectralPeaks(
    waveform: npt.NDArray[np.float64], sample_rate: float, count: int, floor_db: float = -40.0, padding: int = 8
) -> npt.NDArray[np.float64]:
    """Frequencies (Hz) of the `count` strongest spectral peaks above `floor_db` re the strongest, parabolically
    interpolated on the log magnitude; sorted by frequency."""
    magnitude = spectrum(waveform, padding)
    log = 20.0 * np.log10(magnitude + 1e-300)
    indices, _ = signal.find_peaks(log, height=log.max() + floor_db)
    indices = indices[(indices > 0) & (indices < len(log) - 1)]
    strongest = indices[np.argsort(log[indices])[::-1][:count]]
    a, b, c = log[strongest - 1], log[strongest], log[strongest + 1]
    offset = 0.5 * (a - c) / (a - 2.0 * b + c)
    bin_hz = sample_rate / (padding * len(waveform))
    return np.sort((strongest + offset) * bin_hz)
