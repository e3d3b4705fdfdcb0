"""Modes of a circular membrane (Dirichlet boundary): Bessel-function modes and their amplitudes.

Conventions (docs/architecture.md, "Physics conventions"): `drum_size` L is the diameter in metres, radius a = L/2. Mode
(n, m), n = 0…N−1 angular order, m = 1…M radial order, has frequency f_nm = z_nm·c/(π·L) Hz with z_nm the m-th positive
zero of J_n. Points are polar (r, θ): r in units of the radius (0 ≤ r ≤ 1), θ in radians. The cosine and sine modes of
one (n, m) are combined, so their amplitude depends only on θ_s − θ_o.
"""

import functools

import numpy as np
import numpy.typing as npt
from scipy import special

from .._checks import checkModeCounts, checkPoints, checkPositiveArray

__all__ = ['circularAmplitudes', 'circularFrequencies', 'circularSeries']


@functools.lru_cache(maxsize=32)
def _besselZeros(N: int, M: int) -> npt.NDArray[np.float64]:
    zeros = np.stack([special.jn_zeros(n, M) for n in range(N)]).astype(np.float64)
    zeros.flags.writeable = False
    return zeros


def circularSeries(N: int, M: int) -> npt.NDArray[np.float64]:
    """Bessel zeros z[n, m−1] = m-th positive zero of J_n, n = 0…N−1, m = 1…M; shape (N, M), float64."""
    N, M = checkModeCounts(N, M)
    return _besselZeros(N, M).copy()


def circularFrequencies(N: int, M: int, drum_size: npt.ArrayLike, wave_speed: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Mode frequencies f_nm = z_nm·c/(π·L) in Hz; shape broadcast(drum_size, wave_speed).shape + (N, M).

    drum_size: diameter L in m (> 0). wave_speed: c = sqrt(tension / density) in m/s (> 0).
    """
    L = checkPositiveArray('drum_size', drum_size, 'm, the diameter')
    c = checkPositiveArray('wave_speed', wave_speed, 'm/s')
    return np.asarray((c / (np.pi * L))[..., None, None] * circularSeries(N, M), dtype=np.float64)


def _checkPolar(name: str, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
    array = checkPoints(name, points, 2, 'polar (r, θ), r in units of the radius')
    if np.any(array[..., 0] < 0.0) or np.any(array[..., 0] > 1.0):
        raise ValueError(
            f'{name} {points!r} lies outside the drum: its radius r must satisfy 0 ≤ r ≤ 1 (units of the radius).'
        )
    return array


def circularAmplitudes(
    strike: npt.ArrayLike,
    listening: npt.ArrayLike,
    N: int,
    M: int,
    drum_size: npt.ArrayLike,
    wave_speed: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Modal amplitudes a_nm = φ(x_s)·φ(x_o) / (ω_nm·‖φ‖²) of a unit velocity impulse, in s/m².

    strike, listening: polar points (r, θ), shape (..., 2), broadcastable. drum_size: diameter in m; wave_speed: m/s;
    both broadcastable with the points' leading axes. Returns shape (...) + (N, M), float64:
    n = 0: J_0(z r_s)·J_0(z r_o) / (ω·π a²·J_1(z)²);
    n ≥ 1: J_n(z r_s)·J_n(z r_o)·cos(n(θ_s − θ_o)) / (ω·(π a²/2)·J_{n+1}(z)²).
    """
    s = _checkPolar('strike', strike)
    o = _checkPolar('listening', listening)
    z = circularSeries(N, M)
    n = np.arange(z.shape[0], dtype=np.float64)[:, None]
    L = checkPositiveArray('drum_size', drum_size, 'm, the diameter')
    c = checkPositiveArray('wave_speed', wave_speed, 'm/s')
    r_s, theta_s = s[..., 0, None, None], s[..., 1, None, None]
    r_o, theta_o = o[..., 0, None, None], o[..., 1, None, None]
    a = (L / 2.0)[..., None, None]
    omega = z * (c[..., None, None] / a)
    area = np.pi * a**2
    norm = np.where(n == 0, area * special.jv(1, z) ** 2, 0.5 * area * special.jv(n + 1, z) ** 2)
    coupling = special.jv(n, z * r_s) * special.jv(n, z * r_o) * np.cos(n * (theta_s - theta_o))
    return np.asarray(coupling / (omega * norm), dtype=np.float64)
