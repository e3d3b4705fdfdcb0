"""Onset delay: leading silence, exact in samples."""

import numpy as np
import numpy.typing as npt

from .._checks import checkCount
from ._signal import checkWaveform

__all__ = ['delayOnset']


def delayOnset(x: npt.ArrayLike, delay_samples: int) -> npt.NDArray[np.float64]:
    """x (L,) delayed by `delay_samples` whole samples, length kept: y[n] = x[n − d] for n ≥ d, 0 before; the last d
    samples of x are dropped. (L,) float64."""
    signal = checkWaveform('x', x)
    d = checkCount('delay_samples', delay_samples, 0, 'samples')
    out = np.zeros_like(signal)
    if d < signal.size:
        out[d:] = signal[: signal.size - d]
    return out
