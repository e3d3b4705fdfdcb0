"""The FDTD solver's CPU path: a numba kernel (compiled once, cached on disk) stepping one prepared drum."""

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


def renderCPU(drum: Drum, steps: int, dtype: type[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """One drum's (steps,) output at the solver's rate, through the compiled kernel."""
    current = (drum.start * drum.velocity).astype(dtype)
    previous = np.zeros_like(current)
    out = np.zeros(steps, dtype=np.float64)
    if steps > 1:
        coefficients = drum.coefficients.astype(dtype)
        _stepCPU(
            previous, current, drum.runs, np.uint64(drum.width), coefficients, steps, drum.listen_index,
            drum.listen_weight, out,
        )  # fmt: skip
    return out
