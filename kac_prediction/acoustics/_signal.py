"""The argument checks the recording chain's functions share."""

import numpy as np
import numpy.typing as npt

from .._checks import checkNumber

__all__ = ['checkSampleRate', 'checkWaveform']


def checkWaveform(name: str, value: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """`value` as a float64 array of shape (L,), L ≥ 1. ValueError unless it is one-dimensional, not empty, real and
    finite."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.zeros((0, 0))
    if array.ndim != 1 or array.size == 0 or array.dtype.kind not in 'iuf':
        raise ValueError(f'{name} must be a non-empty one-dimensional array of real numbers, got shape {array.shape}.')
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be finite; it holds NaN or inf.')
    return array


def checkSampleRate(name: str, value: object) -> int:
    """`value` as an int. ValueError unless it is a positive whole number of Hz."""
    rate = checkNumber(name, value, 'Hz')
    if rate != int(rate):
        raise ValueError(f'{name} must be a whole number of Hz, got {value!r}.')
    return int(rate)
