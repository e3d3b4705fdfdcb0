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


def matchedPeaks(
    waveform: npt.NDArray[np.float64], sample_rate: float, modes: npt.ArrayLike, count: int = 12, resolved: float = 4.0
) -> int:
    """Check the `count` strongest spectral peaks against the predicted mode frequencies `modes` (Hz): every peak
    whose nearest mode is isolated (no other mode within `resolved` Hz) must lie within 0.2 % of it. Returns how
    many peaks were checked. Modes at or above Nyquist are ignored; equal frequencies count as one mode."""
    distinct = np.unique(np.round(np.asarray(modes, dtype=np.float64).ravel(), 9))
    distinct = distinct[distinct < sample_rate / 2]
    checked = 0
    for f in spectralPeaks(waveform, sample_rate, count=count):
        nearest = distinct[np.argmin(np.abs(distinct - f))]
        if np.sum(np.abs(distinct - nearest) < resolved) == 1:
            assert abs(f - nearest) / nearest < 2e-3, f'a peak at {f:.3f} Hz, the nearest mode at {nearest:.3f} Hz'
            checked += 1
    return checked
