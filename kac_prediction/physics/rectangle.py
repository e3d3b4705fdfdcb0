"""Modes of a rectangular membrane (Dirichlet boundary): sine modes and their amplitudes.

Conventions (docs/architecture.md, "Physics conventions"): `drum_size` L = sqrt(area) in metres, `aspect_ratio` ε =
Lx/Ly ≥ 1, so Lx = L·√ε and Ly = L/√ε. Mode (m, n), m, n ≥ 1, is φ_mn = sin(mπx)·sin(nπy) with (x, y) ∈ [0, 1]² the
position in units of the sides, ‖φ‖² = L²/4, and f_mn = (c/2L)·sqrt(m²/ε + ε·n²) Hz. Tables have shape (N, M): row n−1
(along y), column m−1 (along x), as the original library.
"""

import numpy as np
import numpy.typing as npt

from .._checks import checkModeCounts, checkPoints, checkPositiveArray

__all__ = ['rectangularAmplitudes', 'rectangularFrequencies', 'rectangularSeries']


def rectangularSeries(N: int, M: int, aspect_ratio: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """S[.., n−1, m−1] = sqrt(m²/ε + ε·n²), n = 1…N, m = 1…M; shape aspect_ratio.shape + (N, M), float64."""
    N, M = checkModeCounts(N, M)
    eps = checkPositiveArray('aspect_ratio', aspect_ratio, 'Lx / Ly')[..., None, None]
    m = np.arange(1, M + 1, dtype=np.float64)
    n = np.arange(1, N + 1, dtype=np.float64)[:, None]
    return np.asarray(np.sqrt(m**2 / eps + eps * n**2), dtype=np.float64)


def rectangularFrequencies(
    N: int, M: int, drum_size: npt.ArrayLike, aspect_ratio: npt.ArrayLike, wave_speed: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Mode frequencies f_mn = (c/2L)·sqrt(m²/ε + ε·n²) in Hz; shape broadcast(L, ε, c).shape + (N, M)."""
    L = checkPositiveArray('drum_size', drum_size, 'm, the square root of the area')
    c = checkPositiveArray('wave_speed', wave_speed, 'm/s')
    return np.asarray((c / (2.0 * L))[..., None, None] * rectangularSeries(N, M, aspect_ratio), dtype=np.float64)


def _checkUnitSquare(name: str, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
    array = checkPoints(name, points, 2, '(x, y) in units of the sides')
    if np.any(array < 0.0) or np.any(array > 1.0):
        raise ValueError(f'{name} {points!r} lies outside the drum: both coordinates must lie in [0, 1].')
    return array


def rectangularAmplitudes(
    strike: npt.ArrayLike,
    listening: npt.ArrayLike,
    N: int,
    M: int,
    drum_size: npt.ArrayLike,
    aspect_ratio: npt.ArrayLike,
    wave_speed: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Modal amplitudes a_mn = φ(x_s)·φ(x_o) / (ω_mn·‖φ‖²) of a unit velocity impulse, in s/m².

    strike, listening: (x, y) in units of the sides, shape (..., 2), broadcastable; drum_size L in m, aspect_ratio ε,
    wave_speed c in m/s, broadcastable with the points' leading axes. Returns shape (...) + (N, M), float64.
    """
    s = _checkUnitSquare('strike', strike)
    o = _checkUnitSquare('listening', listening)
    N, M = checkModeCounts(N, M)
    L = checkPositiveArray('drum_size', drum_size, 'm, the square root of the area')
    m = np.arange(1, M + 1, dtype=np.float64)
    n = np.arange(1, N + 1, dtype=np.float64)[:, None]

    def phi(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(np.sin(m * np.pi * p[..., 0, None, None]) * np.sin(n * np.pi * p[..., 1, None, None]))

    omega = 2.0 * np.pi * rectangularFrequencies(N, M, L, aspect_ratio, wave_speed)
    norm = (L**2 / 4.0)[..., None, None]
    return np.asarray(phi(s) * phi(o) / (omega * norm), dtype=np.float64)
