"""The FDTD solver's CPU path: numba kernels (compiled once, cached on disk) stepping one prepared drum."""

from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from .prepare import Drum

__all__ = ['renderCPU']


@numba.njit(cache=True, nogil=True, fastmath=False)
def _stepCPU(
    previous: Any,
    current: Any,
    runs: Any,
    width: Any,
    coefficients: Any,
    steps: int,
    listen: Any,
    weights: Any,
    out: Any,
) -> None:  # pragma: no cover - compiled
    """Steps 2…steps−1 of one drum, in place: `previous` (uⁿ⁻¹) is overwritten by uⁿ⁺¹, then the two swap.

    Indices are uint64: numba then emits no negative-index wrap-around, and LLVM vectorises each run's loop.
    """
    c0, c1, c2 = coefficients[0], coefficients[1], coefficients[2]
    one = numba.uint64(1)
    out[0] = 0.0
    out[1] = weights[0] * current[listen[0]] + weights[1] * current[listen[1]]
    out[1] += weights[2] * current[listen[2]] + weights[3] * current[listen[3]]
    for n in range(2, steps):
        for r in range(runs.shape[0]):
            for j in range(runs[r, 0], runs[r, 1]):
                neighbours = (current[j - one] + current[j + one]) + (current[j - width] + current[j + width])
                previous[j] = c1 * current[j] + c0 * neighbours - c2 * previous[j]
        previous, current = current, previous
        heard = weights[0] * current[listen[0]] + weights[1] * current[listen[1]]
        out[n] = heard + (weights[2] * current[listen[2]] + weights[3] * current[listen[3]])


@numba.njit(cache=True, nogil=True, fastmath=False)
def _stepCPUGeneral(
    previous: Any,
    current: Any,
    laplacian: Any,
    runs: Any,
    width: Any,
    coefficients: Any,
    steps: int,
    listen: Any,
    weights: Any,
    out: Any,
    force: Any,
    profile: Any,
) -> None:  # pragma: no cover - compiled
    """`_stepCPU` with frequency-dependent loss and a force pulse: uⁿ⁺¹ = c1·uⁿ + c0·Σ4 − c2·uⁿ⁻¹
    + c3·(L uⁿ − L uⁿ⁻¹) + force[n]·v₀, L u = Σ4 − 4u the 5-point Laplacian times h². `laplacian` holds L uⁿ⁻¹ of each
    node (0 at the start, u⁰ = 0), so every array is read and written at the node alone (the in-place update
    stays valid); `profile` is v₀."""
    c0, c1, c2, c3 = coefficients[0], coefficients[1], coefficients[2], coefficients[3]
    four = coefficients.dtype.type(4.0)
    one = numba.uint64(1)
    out[0] = 0.0
    out[1] = weights[0] * current[listen[0]] + weights[1] * current[listen[1]]
    out[1] += weights[2] * current[listen[2]] + weights[3] * current[listen[3]]
    for n in range(2, steps):
        g = force[n - 1] if n - 1 < force.shape[0] else force.dtype.type(0.0)
        for r in range(runs.shape[0]):
            for j in range(runs[r, 0], runs[r, 1]):
                neighbours = (current[j - one] + current[j + one]) + (current[j - width] + current[j + width])
                value = c1 * current[j] + c0 * neighbours - c2 * previous[j]
                curvature = neighbours - four * current[j]
                previous[j] = value + c3 * (curvature - laplacian[j]) + g * profile[j]
                laplacian[j] = curvature
        previous, current = current, previous
        heard = weights[0] * current[listen[0]] + weights[1] * current[listen[1]]
        out[n] = heard + (weights[2] * current[listen[2]] + weights[3] * current[listen[3]])


def renderCPU(drum: Drum, steps: int, dtype: type[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """One drum's (steps,) output at the solver's rate, through the compiled kernel (`_stepCPU`, or
    `_stepCPUGeneral` for frequency-dependent loss or a force pulse)."""
    current = (drum.start * drum.velocity).astype(dtype)
    previous = np.zeros_like(current)
    out = np.zeros(steps, dtype=np.float64)
    if steps <= 1:
        return out
    coefficients = drum.coefficients.astype(dtype)
    width = np.uint64(drum.width)
    general = steps
    if drum.general and drum.coefficients[3] == 0.0:  # a force pulse alone: the general kernel while it lasts
        general = min(steps, drum.force.size + 1)
    if drum.general:
        _stepCPUGeneral(
            previous, current, np.zeros_like(current), drum.runs, width, coefficients, general, drum.listen_index,
            drum.listen_weight, out, drum.force.astype(dtype), drum.velocity.astype(dtype),
        )  # fmt: skip
        if general == steps:
            return out
        if (general - 2) % 2:  # the kernel swapped its states an odd number of times
            previous, current = current, previous
    # the plain kernel from step `general` on (0 without a pulse); it rewrites out[general − 2], which it zeroes,
    # and out[general − 1] (the same value); its arithmetic equals the general kernel's with c3 = 0 and no force
    first = max(general - 2, 0) if drum.general else 0
    kept = out[first]
    _stepCPU(
        previous, current, drum.runs, width, coefficients, steps - first, drum.listen_index, drum.listen_weight,
        out[first:],
    )  # fmt: skip
    out[first] = kept
    return out
