"""Level: a peak gain in dBFS, and soft clipping.

dBFS here is the peak: 20 log10(max |x|), full scale ±1.
"""

import math

import numpy as np
import numpy.typing as npt

from .._checks import checkReal
from ._signal import checkWaveform

__all__ = ['applyGain', 'clip', 'peakDBFS']


def peakDBFS(x: npt.ArrayLike) -> float:
    """20 log10(max |x|) in dBFS; −inf for all zeros."""
    peak = float(np.max(np.abs(checkWaveform('x', x))))
    return 20.0 * math.log10(peak) if peak > 0.0 else -math.inf


def applyGain(x: npt.ArrayLike, peak_dbfs: float) -> npt.NDArray[np.float64]:
    """x (L,) scaled so that its peak is `peak_dbfs`: (L,) float64 with max |y| = 10^(peak_dbfs / 20). ValueError for
    a silent x."""
    signal = checkWaveform('x', x)
    target = 10.0 ** (checkReal('peak_dbfs', peak_dbfs) / 20.0)
    peak = float(np.max(np.abs(signal)))
    if not peak > 0.0:
        raise ValueError('x is silent (all zeros): no gain gives it a peak level.')
    return np.asarray(signal * (target / peak), dtype=np.float64)


def clip(x: npt.ArrayLike, drive_db: float) -> npt.NDArray[np.float64]:
    """Soft clipping that does not depend on x's scale: y = (p / g) tanh(g x / p), p = max |x|, g = 10^(drive_db / 20).
    The peak is driven drive_db dB into the tanh and comes out at p tanh(g) / g (at 0 dB, 2.4 dB lower); samples well
    below p / g pass unchanged. (L,) float64; a silent x stays silent."""
    signal = checkWaveform('x', x)
    drive = 10.0 ** (checkReal('drive_db', drive_db) / 20.0)
    peak = float(np.max(np.abs(signal)))
    if not peak > 0.0:
        return signal.copy()
    return np.asarray((peak / drive) * np.tanh(signal * (drive / peak)), dtype=np.float64)
