"""Reverberation time from an energy decay: Schroeder's backward integration and a T30 fit."""

import math

import numpy as np
import numpy.typing as npt

from .._checks import checkNumber

__all__ = ['decayTime', 'schroederCurve']


def schroederCurve(energy: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The energy decay curve in dB, shape (n,): 10 log10 of Σ_{m ≥ n} energy[m], 0 dB at n = 0 (−3000 dB where it
    is 0). energy: (n,) values ≥ 0 per time step, such as h² of an impulse response h."""
    e = np.asarray(energy, dtype=np.float64)
    remaining = np.cumsum(e[::-1])[::-1]
    if remaining.size == 0 or not remaining[0] > 0.0:
        raise ValueError('energy must hold a positive value.')
    return np.asarray(10.0 * np.log10(np.maximum(remaining / remaining[0], 1e-300)), dtype=np.float64)


def decayTime(energy: npt.ArrayLike, step: float, start_db: float = -5.0, stop_db: float = -35.0) -> float:
    """The reverberation time in s that the Schroeder curve shows: the least-squares line through the curve from its
    first value ≤ `start_db` to the last before its first value ≤ `stop_db` (or to its end), extrapolated to a
    60-dB fall: T30 with the defaults, T20 with stop_db = −25. energy: (n,) ≥ 0 per time step of `step` s. inf when
    the curve never falls to start_db; 0 when it falls through both levels within two steps."""
    step = checkNumber('step', step, 's')
    if not stop_db < start_db < 0.0:
        raise ValueError(f'need stop_db < start_db < 0, got start_db={start_db!r}, stop_db={stop_db!r}.')
    curve = schroederCurve(energy)
    below_start = np.flatnonzero(curve <= start_db)
    if below_start.size == 0:
        return math.inf
    first = int(below_start[0])
    below_stop = np.flatnonzero(curve <= stop_db)
    last = int(below_stop[0]) if below_stop.size else curve.size
    if last - first < 2:
        return 0.0
    t = np.arange(first, last) * step
    slope = float(np.polyfit(t, curve[first:last], 1)[0])
    return -60.0 / slope if slope < 0.0 else math.inf
