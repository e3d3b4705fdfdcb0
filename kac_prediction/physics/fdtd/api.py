"""The FDTD solver's entry points: `fdtdSynthesis` (a batch of drums on the CPU or a CUDA device), `fdtdGridSpacing`
and `fdtdCudaAvailable`."""

import importlib
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..._checks import checkChoice, checkCount, checkNumber
from .cpu import renderCPU
from .prepare import COURANT_LIMIT, COURANT_SLACK, Masks, decimate, prepareBatch

__all__ = ['COURANT_LIMIT', 'Precision', 'fdtdCudaAvailable', 'fdtdGridSpacing', 'fdtdSynthesis']

Precision = Literal['float32', 'float64']


def fdtdGridSpacing(
    wave_speed: float, sample_rate: float, oversampling: int = 1, courant: float = COURANT_LIMIT, loss: float = 0.0
) -> float:
    """The grid spacing h = c·k/λ in m, with time step k = 1/(oversampling · sample_rate) s and Courant number λ;
    with frequency-dependent loss σ₁ > 0, h = c·sqrt(k·(k + 4σ₁))/λ, the stability bound of that scheme.

    wave_speed: c in m/s. sample_rate: Hz. oversampling: R ≥ 1. courant: λ, 0 < λ ≤ 1/√2 (else ValueError).
    loss: σ₁ in s of σ(ω) = σ₀ + σ₁ω² (`physics.lossCoefficients`), ≥ 0.
    """
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    R = checkCount('oversampling', oversampling, 1, 'time steps per output sample')
    lam = checkNumber('courant', courant, 'the Courant number c·k/h')
    if lam > COURANT_LIMIT * (1.0 + COURANT_SLACK):
        raise ValueError(
            f'courant = {lam!r} exceeds the 2-D stability bound 1/√2 ≈ 0.70711 of the explicit scheme: the solution '
            'would blow up. Use courant ≤ 1/√2 (a smaller value refines time, not the grid; raise oversampling to '
            'refine both).'
        )
    sigma1 = checkNumber('loss', loss, 's, the σ₁ of σ(ω) = σ₀ + σ₁ω²', inclusive=True)
    if sigma1 == 0.0:
        return c / (R * fs * lam)
    k = 1.0 / (R * fs)
    return c * math.sqrt(k * (k + 4.0 * sigma1)) / lam


def fdtdCudaAvailable() -> bool:
    """Whether numba finds a usable CUDA device (False, without raising, when CUDA or its driver is missing)."""
    try:
        cuda: Any = importlib.import_module('numba.cuda')
        return bool(cuda.is_available())
    except Exception:
        return False


def fdtdSynthesis(
    masks: Masks,
    h: npt.ArrayLike,
    wave_speed: npt.ArrayLike,
    decay_time: npt.ArrayLike,
    sample_rate: float,
    length: int,
    strikes: npt.ArrayLike,
    listenings: npt.ArrayLike,
    strike_width: npt.ArrayLike = 0.01,
    oversampling: int = 1,
    device: Literal['cpu', 'cuda'] = 'cpu',
    workers: int = 1,
    precision: Precision = 'float32',
    decay_time_high: npt.ArrayLike | None = None,
    decay_frequency_high: float = 1000.0,
    strike_duration: npt.ArrayLike = 0.0,
) -> npt.NDArray[np.float64]:
    """Render a batch of drums by FDTD: the displacement at each listening point after a unit strike, (B, length).

    masks: B bool masks, an array (B, nx, ny) or a sequence of 2-D arrays of any shapes; True = unknown node,
    `mask[i, j]` at (i·h, j·h) m. h: grid spacing in m; wave_speed: c in m/s; decay_time: T60 in s (inf: no decay);
    strike_width: the raised cosine's diameter in m — each a number or one per drum (B,). sample_rate: output rate in
    Hz; length: output samples; oversampling: R ≥ 1 solver steps per output sample (time step k = 1/(R·fs); c·k/h
    must be ≤ 1/√2). strikes, listenings: (x, y) in m in the mask's frame, (2,) or (B, 2). device: 'cpu' or 'cuda'
    (falls back to the CPU with a RuntimeWarning when no CUDA device is available). workers: CPU threads rendering
    drums concurrently. precision: the CPU kernel's state, 'float32' (default, fastest) or 'float64'; the CUDA path
    is float32. decay_time_high: T60 in s at decay_frequency_high (Hz), None for a frequency-independent decay; with
    it the scheme gains 2σ₁c²·∇²u_t (`physics.lossCoefficients`) and needs c·sqrt(k·(k + 4σ₁))/h ≤ 1/√2
    (fdtdGridSpacing with loss=σ₁). strike_duration: the raised-cosine force pulse in s, 0 (default) for a velocity
    impulse; each a number or one per drum. Returns float64 (B, length), not normalised (s/m² per unit impulse, as
    the modal amplitudes); a drum's output does not depend on the batch it is rendered in.
    """
    length = checkCount('length', length, 1, 'output samples')
    workers = checkCount('workers', workers, 1, 'CPU threads')
    checkChoice('precision', precision, ('float32', 'float64'))
    checkChoice('device', device, ('cpu', 'cuda'))
    drums, R = prepareBatch(
        masks, h, wave_speed, decay_time, sample_rate, strikes, listenings, strike_width, oversampling,
        decay_time_high, decay_frequency_high, strike_duration,
    )  # fmt: skip
    steps = length * R
    if not drums:
        return np.zeros((0, length), dtype=np.float64)
    if device == 'cuda':
        if precision != 'float32':
            raise ValueError("the CUDA path computes in float32: use precision='float32', or device='cpu'.")
        if fdtdCudaAvailable():  # also True under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1)
            from .cuda import renderCUDA  # numba.cuda and the kernels load on first use

            return decimate(renderCUDA(drums, steps), R, length)
        warnings.warn(
            "device='cuda' was requested but numba finds no CUDA device (numba.cuda.is_available() is False: no GPU, "
            'driver or CUDA toolkit); rendering on the CPU instead.',
            RuntimeWarning,
            stacklevel=2,
        )
    dtype = np.float32 if precision == 'float32' else np.float64
    fine = np.empty((len(drums), steps), dtype=np.float64)
    if workers == 1 or len(drums) == 1:
        for b, drum in enumerate(drums):
            fine[b] = renderCPU(drum, steps, dtype)
    else:
        order = sorted(range(len(drums)), key=lambda b: -drums[b].interior)  # largest first: the threads end together
        with ThreadPoolExecutor(min(workers, len(drums))) as pool:
            for b, row in zip(order, pool.map(lambda b: renderCPU(drums[b], steps, dtype), order), strict=True):
                fine[b] = row
    return decimate(fine, R, length)
