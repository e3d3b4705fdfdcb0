"""The FDTD solver's float64 references for tests and benchmarks: `fdtdReference` (plain vectorised NumPy) and
`fdtdEnergy` (the scheme's discrete energy at every step)."""

from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from ..._checks import checkCount
from ..membrane import lossCoefficients
from .prepare import decimate, prepareBatch

__all__ = ['fdtdEnergy', 'fdtdReference']


def fdtdReference(
    mask: npt.ArrayLike,
    h: float,
    wave_speed: float,
    decay_time: float,
    sample_rate: float,
    length: int,
    strike: npt.ArrayLike,
    listening: npt.ArrayLike,
    strike_width: float = 0.01,
    oversampling: int = 1,
    decay_time_high: float | None = None,
    decay_frequency_high: float = 1000.0,
    strike_duration: float = 0.0,
) -> npt.NDArray[np.float64]:
    """One drum by plain vectorised NumPy in float64, stepping the whole box with a float mask: the reference.

    Arguments as `fdtdSynthesis` for a single drum (mask 2-D, strike and listening (2,)). Returns float64 (length,).
    With frequency-dependent loss it keeps three states and applies the Laplacian to uⁿ⁻¹ directly (the compiled
    kernels store L uⁿ⁻¹ instead).
    """
    length = checkCount('length', length, 1, 'output samples')
    drums, R = prepareBatch(
        [np.asarray(mask)], h, wave_speed, decay_time, sample_rate, strike, listening, strike_width, oversampling,
        decay_time_high, decay_frequency_high, strike_duration,
    )  # fmt: skip
    drum = drums[0]
    steps = length * R
    c0, c1, c2, c3 = drum.coefficients
    unknown = drum.box.astype(np.float64)[1:-1, 1:-1]
    current = (drum.start * drum.velocity).reshape(drum.box.shape)
    previous = np.zeros_like(current)
    profile = drum.velocity.reshape(drum.box.shape)[1:-1, 1:-1]
    corners = np.unravel_index(drum.listen_index.astype(np.int64), drum.box.shape)
    out = np.zeros(steps, dtype=np.float64)
    if steps > 1:
        out[1] = drum.listen_weight @ current[corners]

    def around(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return (u[1:-1, :-2] + u[1:-1, 2:]) + (u[:-2, 1:-1] + u[2:, 1:-1])

    for n in range(2, steps):
        neighbours = around(current)
        value = c1 * current[1:-1, 1:-1] + c0 * neighbours - c2 * previous[1:-1, 1:-1]
        if drum.general:
            laplacians = (neighbours - 4.0 * current[1:-1, 1:-1]) - (around(previous) - 4.0 * previous[1:-1, 1:-1])
            force = drum.force[n - 1] if n - 1 < drum.force.size else 0.0
            value = value + c3 * laplacians + force * profile
        previous[1:-1, 1:-1] = value * unknown
        previous, current = current, previous
        out[n] = drum.listen_weight @ current[corners]
    return np.asarray(decimate(out[None], R, length)[0], dtype=np.float64)


@numba.njit(cache=True, nogil=True)
def _energyRun(
    previous: Any,
    current: Any,
    runs: Any,
    box_shape: Any,
    coefficients: Any,
    steps: int,
    k: float,
    h: float,
    c: float,
    loss: float,
) -> Any:  # pragma: no cover - compiled
    """E^{n+½} for n = 0…steps−2 of the float64 scheme started from (previous, current) = (u⁰, u¹); loss = σ₁c²
    (m²/s), the coefficient of ½·∇²u_t."""
    NX, NY = box_shape[0], box_shape[1]
    width = numba.uint64(NY)
    one = numba.uint64(1)
    c0, c1, c2, c3 = coefficients[0], coefficients[1], coefficients[2], coefficients[3]
    laplacian = np.zeros_like(current)  # L uⁿ⁻¹ (u⁰ = 0)
    energy = np.zeros(steps - 1)
    for n in range(steps - 1):
        if n > 0:  # advance: previous ← uⁿ⁺¹, then swap so that (previous, current) = (uⁿ, uⁿ⁺¹)
            for r in range(runs.shape[0]):
                for j in range(runs[r, 0], runs[r, 1]):
                    neighbours = (current[j - one] + current[j + one]) + (current[j - width] + current[j + width])
                    value = c1 * current[j] + c0 * neighbours - c2 * previous[j]
                    curvature = neighbours - 4.0 * current[j]
                    previous[j] = value + c3 * (curvature - laplacian[j])
                    laplacian[j] = curvature
            previous, current = current, previous
        kinetic = 0.0
        for j in range(NX * NY):
            d = (current[j] - previous[j]) / k
            kinetic += d * d
        potential = 0.0
        flow = 0.0  # Σ_edges (δ(uⁿ⁺¹ − uⁿ))², for the loss term
        for i in range(NX):
            for j in range(NY):
                p = i * NY + j
                if j + 1 < NY:
                    potential += (current[p + 1] - current[p]) * (previous[p + 1] - previous[p])
                    d = (current[p + 1] - previous[p + 1]) - (current[p] - previous[p])
                    flow += d * d
                if i + 1 < NX:
                    potential += (current[p + NY] - current[p]) * (previous[p + NY] - previous[p])
                    d = (current[p + NY] - previous[p + NY]) - (current[p] - previous[p])
                    flow += d * d
        energy[n] = 0.5 * kinetic * h * h + 0.5 * c * c * potential - 0.5 * loss / k * flow
    return energy


def fdtdEnergy(
    mask: npt.ArrayLike,
    h: float,
    wave_speed: float,
    decay_time: float,
    sample_rate: float,
    steps: int,
    strike: npt.ArrayLike,
    strike_width: float = 0.01,
    oversampling: int = 1,
    decay_time_high: float | None = None,
    decay_frequency_high: float = 1000.0,
) -> npt.NDArray[np.float64]:
    """The discrete energy of the float64 scheme, E^{n+½} for n = 0…steps−2, float64 (steps − 1,), per unit surface
    density (multiply by the density in kg/m² for joules) and for the unit impulse of `fdtdSynthesis`:

        E^{n+½} = ½·Σ_nodes ((uⁿ⁺¹ − uⁿ)/k)²·h² + (c²/2)·Σ_edges (δuⁿ⁺¹)(δuⁿ)·h²,

    δ the forward difference along a grid edge divided by h, summed over every edge between neighbouring nodes (held
    nodes are 0). The leapfrog scheme conserves it exactly when decay_time = inf and loses 2σ₀·k·h²·Σ((uⁿ⁺¹ − uⁿ⁻¹)/2k)²
    per step otherwise; it is a non-negative norm of the state when c·k/h ≤ 1/√2. With frequency-dependent loss
    (decay_time_high; σ' = σ₁c² the coefficient of 2∇²u_t) the non-increasing quantity is
    E^{n+½} − (σ'·k/2)·Σ_edges (δ(uⁿ⁺¹ − uⁿ)/k)²·h², which is returned. Arguments as `fdtdReference`, with `steps`
    solver steps of k = 1/(oversampling · sample_rate) s (the listening point plays no part; an impulse strike).
    """
    steps = checkCount('steps', steps, 2, 'solver steps')
    strike_point = np.asarray(strike, dtype=np.float64)
    drums, R = prepareBatch(
        [np.asarray(mask)], h, wave_speed, decay_time, sample_rate, strike_point, strike_point, strike_width,
        oversampling, decay_time_high, decay_frequency_high,
    )  # fmt: skip
    drum = drums[0]
    k = 1.0 / (R * float(sample_rate))
    current = drum.start * drum.velocity
    loss = float(lossCoefficients(decay_time, decay_time_high, decay_frequency_high)[1]) * float(wave_speed) ** 2
    energy: npt.NDArray[np.float64] = _energyRun(
        np.zeros_like(current), current, drum.runs, np.array(drum.box.shape, dtype=np.int64), drum.coefficients,
        steps, k, float(h), float(wave_speed), loss,
    )  # fmt: skip
    return energy
