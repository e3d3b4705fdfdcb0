"""Finite-difference time-domain (FDTD) solution of the damped 2-D wave equation on a drum of any shape
(docs/architecture.md, "Physics conventions").

    u_tt = c²·∇²u − 2σ₀·u_t,    u = 0 on and outside the boundary (Dirichlet),

on a square grid of spacing h (m): the nodes where `mask` is True are the unknowns, every other node is held at 0.
Time step k = 1 / (R·fs) s, with R = `oversampling`; Courant number λ = c·k/h ≤ 1/√2 (the 2-D stability bound of the
explicit scheme; larger is a ValueError). The explicit 5-point leapfrog scheme is

    (1 + σ₀k)·uⁿ⁺¹ = (2 − 4λ²)·uⁿ + λ²·(sum of the 4 neighbours of uⁿ) − (1 − σ₀k)·uⁿ⁻¹.

The strike is a unit impulse of velocity spread as a raised cosine: v₀(x) ∝ ½(1 + cos(2π|x − x_s| / w)) for
|x − x_s| ≤ w/2 (w = `strike_width`, m), multiplied by the mask and scaled so that Σ v₀·h² = 1; if w is so small that
the raised cosine covers no unknown node, the impulse is spread bilinearly over the 4 nodes around x_s. u⁰ = 0 and
u¹ = k·(1 − σ₀k)·v₀ (the centred start, second order). The output is u at the listening point x_o, interpolated
bilinearly from the 4 surrounding nodes, at every step: w[n] = uⁿ(x_o) with w[0] = 0, the same quantity as the modal
samplers' w(t) = Σ a_k e^(−σ₀t) sin(ω_k t) (in s/m² per unit impulse). With R > 1 the solver steps at R·fs and
decimates to fs with `scipy.signal.resample_poly(w, 1, R)` — a linear-phase (zero-delay) Kaiser-windowed FIR
anti-aliasing filter — so refining the grid by R costs R³ more work.

Positions (`strikes`, `listenings`) are in metres in the frame of the mask: node (i, j), `mask[i, j]`, is at
(i·h, j·h). A point is inside the drum when the bilinear weights of its grid cell give weight to an unknown node.

Paths, all rendering a batch of drums (each with its own mask, coefficients, strike and listening point):
- `fdtdReference`: one drum, plain vectorised NumPy, float64: the reference for tests and benchmarks.
- `fdtdSynthesis(device='cpu')`: a numba kernel (compiled once, cached on disk). Each drum is cropped to its mask's
  bounding box plus one ring of held nodes and stored flat, transposed if need be so that rows run along the box's
  longer side (fewer, longer runs: a 329 × 64-node box steps 1.75× faster as 64 × 329, measured); each row's runs of
  unknown nodes are updated by a contiguous (SIMD-vectorised) loop, so no work is spent outside the mask and no
  gathers are needed; the listening point is read inside the time loop. State float32 by default (≤ 3e-5 of the peak
  from the float64 scheme over a 1-s drum, measured) or float64 (`precision`); two buffers, the new step overwriting
  the oldest. `workers` threads render drums concurrently (the kernel releases the GIL).
- `fdtdSynthesis(device='cuda')`: a numba.cuda kernel, one thread block per drum, for the whole run in one launch.
  A drum of ≤ 12 287 unknown nodes keeps its current state in shared memory and each thread keeps the previous state
  of its ≤ 12 nodes in registers (two barriers per step); larger drums step in global memory (`_fdtd_cuda`). float32.
  Without a CUDA device it warns and renders on the CPU. Checked only with numba's CUDA simulator so far.
- `fdtdEnergy`: the discrete energy of the float64 scheme at every step (conserved without damping, never increasing
  with it), for the tests.
"""

import importlib
import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numba
import numpy as np
import numpy.typing as npt
from scipy import signal

from .._checks import checkChoice, checkCount, checkNumber, checkPositiveArray
from .modal_synthesis import decayRate

__all__ = [
    'COURANT_LIMIT',
    'fdtdCudaAvailable',
    'fdtdEnergy',
    'fdtdGridSpacing',
    'fdtdReference',
    'fdtdSynthesis',
]

COURANT_LIMIT = math.sqrt(0.5)
"""The largest stable Courant number λ = c·k/h of the explicit 5-point scheme in 2-D: 1/√2."""

_COURANT_SLACK = 1e-12  # λ may exceed 1/√2 by this relative amount (the rounding of h = c·k/λ)

Masks = npt.ArrayLike | Sequence[npt.ArrayLike]
Precision = Literal['float32', 'float64']


# --- arguments ---


def _perDrum(name: str, value: object, B: int) -> npt.NDArray[np.float64]:
    """A scalar or one value per drum, as float64 (B,)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(B, float(array))
    if array.shape != (B,):
        raise ValueError(f'{name} must be one number or one per drum ({B}), got shape {array.shape}.')
    return array


def _points(name: str, value: npt.ArrayLike, B: int) -> npt.NDArray[np.float64]:
    array = np.asarray(value, dtype=np.float64)
    if array.shape == (2,):
        array = np.broadcast_to(array, (B, 2))
    if array.shape != (B, 2) or not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be finite (x, y) points in m, one pair or one per drum ({B}, 2); got {value!r}.')
    return array


def _masks(masks: Masks) -> list[npt.NDArray[np.bool_]]:
    """A list of 2-D bool masks from a (B, nx, ny) array or a sequence of 2-D arrays."""
    if isinstance(masks, np.ndarray) and masks.ndim == 3:
        items: list[Any] = list(masks)
    elif isinstance(masks, np.ndarray) and masks.ndim == 2:
        raise ValueError('masks must be a batch (B, nx, ny) or a sequence of 2-D masks; wrap one mask as mask[None].')
    elif isinstance(masks, Sequence):
        items = list(masks)
    else:
        raise TypeError(f'masks must be a bool array (B, nx, ny) or a sequence of 2-D bool arrays, got {masks!r}.')
    out = []
    for b, item in enumerate(items):
        array = np.asarray(item)
        if array.ndim != 2 or array.dtype.kind not in 'biu':
            raise TypeError(
                f'masks[{b}] must be a 2-D bool array (True = unknown node), got {array.dtype} {array.shape}.'
            )
        out.append(array != 0)
    return out


def fdtdGridSpacing(
    wave_speed: float, sample_rate: float, oversampling: int = 1, courant: float = COURANT_LIMIT
) -> float:
    """The grid spacing h = c·k/λ in m, with time step k = 1/(oversampling · sample_rate) s and Courant number λ.

    wave_speed: c in m/s. sample_rate: Hz. oversampling: R ≥ 1. courant: λ, 0 < λ ≤ 1/√2 (else ValueError).
    """
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    R = checkCount('oversampling', oversampling, 1, 'time steps per output sample')
    lam = checkNumber('courant', courant, 'the Courant number c·k/h')
    if lam > COURANT_LIMIT * (1.0 + _COURANT_SLACK):
        raise ValueError(
            f'courant = {lam!r} exceeds the 2-D stability bound 1/√2 ≈ 0.70711 of the explicit scheme: the solution '
            'would blow up. Use courant ≤ 1/√2 (a smaller value refines time, not the grid; raise oversampling to '
            'refine both).'
        )
    return c / (R * fs * lam)


# --- one drum, prepared ---


@dataclass(frozen=True)
class _Drum:
    """A drum ready to step: its box (the mask's bounding box plus one ring of held nodes), stored flat, transposed
    when the mask is taller than wide (NX ≤ NY: the kernel's rows run along the longer side)."""

    box: npt.NDArray[np.bool_]  # (NX, NY), True = unknown
    runs: npt.NDArray[np.uint64]  # (R, 2): flat [start, stop) of each row's runs of unknown nodes
    velocity: npt.NDArray[np.float64]  # (NX·NY,): v₀ with Σ v₀·h² = 1 (a unit impulse), 0 on held nodes
    listen_index: npt.NDArray[np.uint64]  # (4,): flat indices of the listening cell's corners
    listen_weight: npt.NDArray[np.float64]  # (4,): their bilinear weights
    coefficients: npt.NDArray[np.float64]  # (3,): c0 = λ²/(1+σ₀k), c1 = (2−4λ²)/(1+σ₀k), c2 = (1−σ₀k)/(1+σ₀k)
    start: float  # u¹ = start · v₀: k·(1 − σ₀k) in s

    @property
    def width(self) -> int:
        return int(self.box.shape[1])

    @property
    def interior(self) -> int:
        return int(np.count_nonzero(self.box))


def _cell(
    name: str, point: npt.NDArray[np.float64], origin: npt.NDArray[np.float64], h: float, box: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The box indices (4, 2) and bilinear weights (4,) of `point` (m), or a ValueError if it is outside the drum."""
    position = (point - origin) / h
    corner = np.floor(position).astype(np.int64)
    t = position - corner
    corners = corner + np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.int64)
    weights = np.array([(1 - t[0]) * (1 - t[1]), t[0] * (1 - t[1]), (1 - t[0]) * t[1], t[0] * t[1]])
    inside_box = np.all((corners >= 0) & (corners < np.array(box.shape)), axis=1)
    corners = np.where(inside_box[:, None], corners, 0)
    weights = np.where(inside_box, weights, 0.0)
    if not np.any(weights * box[corners[:, 0], corners[:, 1]] > 0.0):
        raise ValueError(
            f'{name} ({point[0]:.6g}, {point[1]:.6g}) m lies outside the drum: no node of its grid cell is an '
            'unknown (True) node of the mask. Give a point inside the shape (positions are in m, node (i, j) of the '
            'mask at (i·h, j·h)).'
        )
    return corners, weights


def _prepare(
    mask: npt.NDArray[np.bool_],
    h: float,
    wave_speed: float,
    sigma: float,
    k: float,
    strike: npt.NDArray[np.float64],
    listening: npt.NDArray[np.float64],
    strike_width: float,
    b: int,
) -> _Drum:
    """Validate drum b and build its box, runs, strike field, listening weights and coefficients."""
    lam = wave_speed * k / h
    if lam > COURANT_LIMIT * (1.0 + _COURANT_SLACK):
        raise ValueError(
            f'drum {b}: the Courant number c·k/h = {lam:.6g} exceeds the 2-D stability bound 1/√2 ≈ 0.70711; use a '
            f'grid spacing h ≥ {wave_speed * k / COURANT_LIMIT:.6g} m (fdtdGridSpacing) or a higher oversampling.'
        )
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError(
            f'masks[{b}] has no interior node (no True entry): the drum must cover at least one grid node; use a '
            'larger drum or a finer grid (smaller h).'
        )
    box = np.zeros((rows[-1] - rows[0] + 3, cols[-1] - cols[0] + 3), dtype=np.bool_)
    box[1:-1, 1:-1] = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    NX, NY = box.shape
    origin = np.array([(rows[0] - 1) * h, (cols[0] - 1) * h])
    # strike: a raised cosine of diameter strike_width, or a bilinear spread when it covers no unknown node
    s_corners, s_weights = _cell('strike', strike, origin, h, box)
    x = origin[0] + h * np.arange(NX, dtype=np.float64)
    y = origin[1] + h * np.arange(NY, dtype=np.float64)
    distance = np.hypot(x[:, None] - strike[0], y[None, :] - strike[1])
    radius = strike_width / 2.0
    bump = np.where((distance <= radius) & box, 0.5 * (1.0 + np.cos(np.pi * np.minimum(distance / radius, 1.0))), 0.0)
    if not np.any(bump > 0.0):
        np.add.at(bump, (s_corners[:, 0], s_corners[:, 1]), s_weights)
        bump *= box
    o_corners, o_weights = _cell('listening', listening, origin, h, box)
    if NX > NY:  # store the box with rows along its longer side: fewer, longer runs step faster (the scheme is
        box, bump, o_corners = box.T, bump.T, o_corners[:, ::-1]  # symmetric in x and y, so the result is the same)
        NX, NY = NY, NX
    box = np.ascontiguousarray(box)
    velocity = (bump / (bump.sum() * h * h)).ravel()
    edges = np.diff(np.pad(box.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, stops = np.argwhere(edges == 1), np.argwhere(edges == -1)  # both in row-major order: they pair up
    runs = np.column_stack([starts[:, 0] * NY + starts[:, 1], stops[:, 0] * NY + stops[:, 1]]).astype(np.uint64)
    sigma_k = sigma * k
    coefficients = np.array([lam * lam, 2.0 - 4.0 * lam * lam, 1.0 - sigma_k]) / (1.0 + sigma_k)
    return _Drum(
        box=box,
        runs=runs,
        velocity=velocity,
        listen_index=(o_corners[:, 0] * NY + o_corners[:, 1]).astype(np.uint64),
        listen_weight=o_weights,
        coefficients=coefficients,
        start=k * (1.0 - sigma_k),
    )


def _prepareBatch(
    masks: Masks,
    h: npt.ArrayLike,
    wave_speed: npt.ArrayLike,
    decay_time: npt.ArrayLike,
    sample_rate: float,
    strikes: npt.ArrayLike,
    listenings: npt.ArrayLike,
    strike_width: npt.ArrayLike,
    oversampling: int,
) -> tuple[list[_Drum], int]:
    """Validate the batch; returns the prepared drums and R."""
    items = _masks(masks)
    B = len(items)
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    R = checkCount('oversampling', oversampling, 1, 'time steps per output sample')
    spacing = checkPositiveArray('h', _perDrum('h', h, B), 'm')
    speed = checkPositiveArray('wave_speed', _perDrum('wave_speed', wave_speed, B), 'm/s')
    width = checkPositiveArray('strike_width', _perDrum('strike_width', strike_width, B), 'm')
    decay = np.asarray(decay_time, dtype=np.float64)
    decays = np.full(B, float(decay)) if decay.ndim == 0 else _perDrum('decay_time', decay, B)
    sigmas = [decayRate(float(d)) for d in decays]
    s, o = _points('strikes', strikes, B), _points('listenings', listenings, B)
    k = 1.0 / (R * fs)
    drums = [
        _prepare(items[b], float(spacing[b]), float(speed[b]), sigmas[b], k, s[b], o[b], float(width[b]), b)
        for b in range(B)
    ]
    return drums, R


def _decimate(fine: npt.NDArray[np.float64], R: int, length: int) -> npt.NDArray[np.float64]:
    """(B, length·R) samples at R·fs → (B, length) at fs through resample_poly's zero-phase anti-aliasing FIR."""
    if R == 1:
        return fine
    return np.ascontiguousarray(signal.resample_poly(fine, 1, R, axis=-1)[:, :length], dtype=np.float64)


# --- the compiled CPU kernel ---


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


def _renderCPU(drum: _Drum, steps: int, dtype: type[np.floating[Any]]) -> npt.NDArray[np.float64]:
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


# --- the CUDA kernels (numba.cuda, compiled on first use) ---


def fdtdCudaAvailable() -> bool:
    """Whether numba finds a usable CUDA device (False, without raising, when CUDA or its driver is missing)."""
    try:
        cuda: Any = importlib.import_module('numba.cuda')
        return bool(cuda.is_available())
    except Exception:
        return False


def _compact(drums: Sequence[_Drum]) -> dict[str, npt.NDArray[Any]]:
    """The GPU layout: each drum's unknown nodes numbered 0…n−1 in row-major order plus one held zero (id n),
    concatenated. start (N,) float32 = u¹, neighbours (N, 4) int32 local ids (W, E, N, S), offsets (B+1,),
    coefficients (B, 3) float32, index (B, 4) int32 local ids of the listening cell, weight (B, 4) float32."""
    starts, neighbours, offsets, index = [], [], [0], []
    for drum in drums:
        flat = drum.box.ravel()
        n = int(np.count_nonzero(flat))
        local = np.full(flat.size, n, dtype=np.int32)  # held nodes → the zero slot
        nodes = np.flatnonzero(flat)
        local[nodes] = np.arange(n, dtype=np.int32)
        W = drum.width
        neighbours.append(np.stack([local[nodes - 1], local[nodes + 1], local[nodes - W], local[nodes + W]], axis=1))
        neighbours.append(np.full((1, 4), n, dtype=np.int32))
        starts.append(np.append(drum.start * drum.velocity[nodes], 0.0))
        offsets.append(offsets[-1] + n + 1)
        index.append(local[drum.listen_index.astype(np.int64)])
    return {
        'start': np.concatenate(starts).astype(np.float32),
        'neighbours': np.ascontiguousarray(np.concatenate(neighbours), dtype=np.int32),
        'offsets': np.array(offsets, dtype=np.int64),
        'coefficients': np.stack([d.coefficients for d in drums]).astype(np.float32),
        'index': np.stack(index).astype(np.int32),
        'weight': np.stack([d.listen_weight for d in drums]).astype(np.float32),
    }


def _renderCUDA(drums: Sequence[_Drum], steps: int, force_global: bool = False) -> npt.NDArray[np.float64]:
    """All drums' (B, steps) outputs at the solver's rate on the CUDA device (or numba's simulator). Drums of at most
    12 287 unknown nodes go to the shared-memory kernel (unless force_global, for tests), the others to the
    global-memory one; each launch uses up to 1024 threads per block, fewer for small drums."""
    cuda: Any = importlib.import_module('numba.cuda')
    kernels: Any = importlib.import_module('kac_prediction.physics._fdtd_cuda')
    out = np.zeros((len(drums), steps), dtype=np.float64)
    small = [b for b, d in enumerate(drums) if d.interior + 1 <= kernels.SHARED_NODES and not force_global]
    large = [b for b in range(len(drums)) if b not in set(small)]
    for group, kernel in ((small, 'shared'), (large, 'global_')):
        if not group:
            continue
        largest = max(drums[b].interior for b in group)
        threads = min(kernels.THREADS, 32 * -(-largest // 32))  # whole warps; ≤ 12 nodes per thread in `shared`
        layout = {key: cuda.to_device(value) for key, value in _compact([drums[b] for b in group]).items()}
        result = cuda.device_array((len(group), steps), dtype=np.float32)
        arguments = [layout[key] for key in ('start', 'neighbours', 'offsets', 'coefficients', 'index', 'weight')]
        if kernel == 'global_':
            size = layout['start'].shape[0]
            arguments += [steps, cuda.device_array(size, np.float32), cuda.device_array(size, np.float32), result]
        else:
            arguments += [steps, result]
        getattr(kernels, kernel)[len(group), threads](*arguments)
        out[group] = result.copy_to_host()
    return out


# --- public entry points ---


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
) -> npt.NDArray[np.float64]:
    """Render a batch of drums by FDTD: the displacement at each listening point after a unit strike, (B, length).

    masks: B bool masks, an array (B, nx, ny) or a sequence of 2-D arrays of any shapes; True = unknown node,
    `mask[i, j]` at (i·h, j·h) m. h: grid spacing in m; wave_speed: c in m/s; decay_time: T60 in s (inf: no decay);
    strike_width: the raised cosine's diameter in m — each a number or one per drum (B,). sample_rate: output rate in
    Hz; length: output samples; oversampling: R ≥ 1 solver steps per output sample (time step k = 1/(R·fs); c·k/h
    must be ≤ 1/√2). strikes, listenings: (x, y) in m in the mask's frame, (2,) or (B, 2). device: 'cpu' or 'cuda'
    (falls back to the CPU with a RuntimeWarning when no CUDA device is available). workers: CPU threads rendering
    drums concurrently. precision: the CPU kernel's state, 'float32' (default, fastest) or 'float64'; the CUDA path
    is float32. Returns float64 (B, length), not normalised (s/m² per unit impulse, as the modal amplitudes); a
    drum's output does not depend on the batch it is rendered in.
    """
    length = checkCount('length', length, 1, 'output samples')
    workers = checkCount('workers', workers, 1, 'CPU threads')
    checkChoice('precision', precision, ('float32', 'float64'))
    checkChoice('device', device, ('cpu', 'cuda'))
    drums, R = _prepareBatch(
        masks, h, wave_speed, decay_time, sample_rate, strikes, listenings, strike_width, oversampling
    )
    steps = length * R
    if not drums:
        return np.zeros((0, length), dtype=np.float64)
    if device == 'cuda':
        if precision != 'float32':
            raise ValueError("the CUDA path computes in float32: use precision='float32', or device='cpu'.")
        if fdtdCudaAvailable():  # also True under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1)
            return _decimate(_renderCUDA(drums, steps), R, length)
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
            fine[b] = _renderCPU(drum, steps, dtype)
    else:
        order = sorted(range(len(drums)), key=lambda b: -drums[b].interior)  # largest first: the threads end together
        with ThreadPoolExecutor(min(workers, len(drums))) as pool:
            for b, row in zip(order, pool.map(lambda b: _renderCPU(drums[b], steps, dtype), order), strict=True):
                fine[b] = row
    return _decimate(fine, R, length)


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
) -> npt.NDArray[np.float64]:
    """One drum by plain vectorised NumPy in float64, stepping the whole box with a float mask: the reference.

    Arguments as `fdtdSynthesis` for a single drum (mask 2-D, strike and listening (2,)). Returns float64 (length,).
    """
    length = checkCount('length', length, 1, 'output samples')
    drums, R = _prepareBatch(
        [np.asarray(mask)], h, wave_speed, decay_time, sample_rate, strike, listening, strike_width, oversampling
    )
    drum = drums[0]
    steps = length * R
    c0, c1, c2 = drum.coefficients
    unknown = drum.box.astype(np.float64)[1:-1, 1:-1]
    current = (drum.start * drum.velocity).reshape(drum.box.shape)
    previous = np.zeros_like(current)
    corners = np.unravel_index(drum.listen_index.astype(np.int64), drum.box.shape)
    out = np.zeros(steps, dtype=np.float64)
    if steps > 1:
        out[1] = drum.listen_weight @ current[corners]
    for n in range(2, steps):
        neighbours = (current[1:-1, :-2] + current[1:-1, 2:]) + (current[:-2, 1:-1] + current[2:, 1:-1])
        previous[1:-1, 1:-1] = (c1 * current[1:-1, 1:-1] + c0 * neighbours - c2 * previous[1:-1, 1:-1]) * unknown
        previous, current = current, previous
        out[n] = drum.listen_weight @ current[corners]
    return np.asarray(_decimate(out[None], R, length)[0], dtype=np.float64)


@numba.njit(cache=True, nogil=True)
def _energyRun(
    previous: Any, current: Any, runs: Any, box_shape: Any, coefficients: Any, steps: int, k: float, h: float, c: float
) -> Any:  # pragma: no cover - compiled
    """E^{n+½} for n = 0…steps−2 of the float64 scheme started from (previous, current) = (u⁰, u¹)."""
    NX, NY = box_shape[0], box_shape[1]
    width = numba.uint64(NY)
    one = numba.uint64(1)
    c0, c1, c2 = coefficients[0], coefficients[1], coefficients[2]
    energy = np.zeros(steps - 1)
    for n in range(steps - 1):
        if n > 0:  # advance: previous ← uⁿ⁺¹, then swap so that (previous, current) = (uⁿ, uⁿ⁺¹)
            for r in range(runs.shape[0]):
                for j in range(runs[r, 0], runs[r, 1]):
                    neighbours = (current[j - one] + current[j + one]) + (current[j - width] + current[j + width])
                    previous[j] = c1 * current[j] + c0 * neighbours - c2 * previous[j]
            previous, current = current, previous
        kinetic = 0.0
        for j in range(NX * NY):
            d = (current[j] - previous[j]) / k
            kinetic += d * d
        potential = 0.0
        for i in range(NX):
            for j in range(NY):
                p = i * NY + j
                if j + 1 < NY:
                    potential += (current[p + 1] - current[p]) * (previous[p + 1] - previous[p])
                if i + 1 < NX:
                    potential += (current[p + NY] - current[p]) * (previous[p + NY] - previous[p])
        energy[n] = 0.5 * kinetic * h * h + 0.5 * c * c * potential
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
) -> npt.NDArray[np.float64]:
    """The discrete energy of the float64 scheme, E^{n+½} for n = 0…steps−2, float64 (steps − 1,), per unit surface
    density (multiply by the density in kg/m² for joules) and for the unit impulse of `fdtdSynthesis`:

        E^{n+½} = ½·Σ_nodes ((uⁿ⁺¹ − uⁿ)/k)²·h² + (c²/2)·Σ_edges (δuⁿ⁺¹)(δuⁿ)·h²,

    δ the forward difference along a grid edge divided by h, summed over every edge between neighbouring nodes (held
    nodes are 0). The leapfrog scheme conserves it exactly when decay_time = inf and loses 2σ₀·k·h²·Σ((uⁿ⁺¹ − uⁿ⁻¹)/2k)²
    per step otherwise; it is a non-negative norm of the state when c·k/h ≤ 1/√2. Arguments as `fdtdReference`, with
    `steps` solver steps of k = 1/(oversampling · sample_rate) s (the listening point plays no part).
    """
    steps = checkCount('steps', steps, 2, 'solver steps')
    strike_point = np.asarray(strike, dtype=np.float64)
    drums, R = _prepareBatch(
        [np.asarray(mask)], h, wave_speed, decay_time, sample_rate, strike_point, strike_point, strike_width,
        oversampling,
    )  # fmt: skip
    drum = drums[0]
    k = 1.0 / (R * float(sample_rate))
    current = drum.start * drum.velocity
    energy: npt.NDArray[np.float64] = _energyRun(
        np.zeros_like(current), current, drum.runs, np.array(drum.box.shape, dtype=np.int64), drum.coefficients,
        steps, k, float(h), float(wave_speed),
    )  # fmt: skip
    return energy
