"""Argument checks shared by the physics modules: each raises a ValueError or TypeError naming the argument."""

import math
import numbers

import numpy as np
import numpy.typing as npt

__all__ = ['checkModeCounts', 'checkNumber', 'checkPoints', 'checkPositive']


def checkModeCounts(N: object, M: object) -> tuple[int, int]:
    """Return (N, M) as ints, or raise if either is not a positive integer."""
    for name, value in (('N', N), ('M', M)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f'{name} must be an int (the number of modes along that axis), got {value!r}.')
        if value < 1:
            raise ValueError(f'{name} must be at least 1 (the number of modes along that axis), got {value}.')
    return int(N), int(M)  # type: ignore[call-overload]


def checkNumber(name: str, value: object, unit: str, zero: bool = False) -> float:
    """Return `value` as a float, or raise unless it is a real number (not a bool), finite and > 0 (≥ 0 with zero)."""
    number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
    if not ((number >= 0.0 if zero else number > 0.0) and number < math.inf):
        raise ValueError(f'{name} must be a finite number {"≥" if zero else ">"} 0 ({unit}), got {value!r}.')
    return number


def checkPositive(name: str, value: npt.ArrayLike, unit: str) -> npt.NDArray[np.float64]:
    """Return `value` as a float64 array, or raise if any entry is not finite and > 0."""
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array <= 0.0):
        raise ValueError(f'{name} must be finite and > 0 ({unit}), got {value!r}.')
    return array


def checkPoints(name: str, points: npt.ArrayLike, dimension: int, description: str) -> npt.NDArray[np.float64]:
    """Return `points` as a float64 array whose last axis has `dimension` entries, or raise."""
    array = np.asarray(points, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] != dimension:
        raise ValueError(f'{name} must have {dimension} coordinates on its last axis ({description}), got {points!r}.')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be finite ({description}), got {points!r}.')
    return array
