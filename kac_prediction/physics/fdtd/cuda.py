"""The FDTD solver's CUDA path: the numba.cuda kernels and their host code, imported only when device='cuda' is used.

`cuda` is a module-level global so that numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1) can substitute its fake
module while the kernels run on the CPU; the tests check the kernels' logic that way.

Layout (built by `compact`): each drum's unknown nodes are numbered 0…n−1 (row-major) and id n is a held node
that stays 0; all drums are concatenated, drum b starting at offsets[b]. One thread block renders one drum for the
whole run, one barrier (or two) per time step:
- `shared`: for n ≤ SHARED_NODES − 1 = 12 287. The current state lives in shared memory (48 KiB of float32, the static
  limit), each thread keeps the previous state of its ≤ NODES_PER_THREAD nodes (t, t + blockDim, …) in registers;
  a step computes every new value, then (after a barrier) writes them over the current state.
- `global_`: any n; both states in global memory (cached in L1/L2), the new state overwriting the oldest.
Thread 0 reads the listening point (bilinear, 4 nodes) after each step's last barrier.

`sharedGeneral` and `globalGeneral` step the general scheme (frequency-dependent loss, a force pulse; see `cpu.py`'s
`_stepCPUGeneral`), used for a group of drums when any of them needs it: each node also keeps L uⁿ⁻¹ (in registers,
or a third global array), read and written by its own thread only, and gains force[b, n]·v₀ while the pulse lasts.
"""

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from numba import cuda as _cuda

from .prepare import Drum

__all__ = [
    'NODES_PER_THREAD',
    'SHARED_NODES',
    'THREADS',
    'compact',
    'globalGeneral',
    'global_',
    'renderCUDA',
    'shared',
    'sharedGeneral',
]

cuda: Any = _cuda
NODES_PER_THREAD = 12
THREADS = 1024  # the most threads per block
SHARED_NODES = NODES_PER_THREAD * THREADS  # 12 288 float32 = 48 KiB


@cuda.jit(device=True)  # type: ignore[untyped-decorator]
def _listen(state: Any, index: Any, weight: Any, b: int) -> Any:  # pragma: no cover - device code
    heard = weight[b, 0] * state[index[b, 0]] + weight[b, 1] * state[index[b, 1]]
    return heard + (weight[b, 2] * state[index[b, 2]] + weight[b, 3] * state[index[b, 3]])


@cuda.jit(device=True)  # type: ignore[untyped-decorator]
def _next(
    current: Any, neighbours: Any, g: int, i: int, previous: Any, c0: Any, c1: Any, c2: Any
) -> Any:  # pragma: no cover - device code
    """The new value of node i (global id g): c1·u_i + c0·(sum of the 4 neighbours) − c2·(its previous value)."""
    around = (current[neighbours[g, 0]] + current[neighbours[g, 1]]) + (
        current[neighbours[g, 2]] + current[neighbours[g, 3]]
    )
    return c1 * current[i] + c0 * around - c2 * previous


@cuda.jit(device=True)  # type: ignore[untyped-decorator]
def _nextGeneral(
    current: Any,
    neighbours: Any,
    g: int,
    i: int,
    previous: Any,
    laplacian: Any,
    c0: Any,
    c1: Any,
    c2: Any,
    c3: Any,
    push: Any,
) -> Any:  # pragma: no cover - device code
    """(new value, L u) of node i (global id g) in the general scheme: c1·u_i + c0·Σ4 − c2·(its previous value)
    + c3·(L u_i − `laplacian`, its L uⁿ⁻¹) + `push` (force · v₀ at the node), L u = Σ4 − 4u."""
    around = (current[neighbours[g, 0]] + current[neighbours[g, 1]]) + (
        current[neighbours[g, 2]] + current[neighbours[g, 3]]
    )
    value = c1 * current[i] + c0 * around - c2 * previous
    curvature = around - numba.float32(4.0) * current[i]
    return value + c3 * (curvature - laplacian) + push, curvature


@cuda.jit  # type: ignore[untyped-decorator]
def shared(
    start: Any, neighbours: Any, offsets: Any, coefficients: Any, index: Any, weight: Any, steps: int, out: Any
) -> None:  # pragma: no cover - device code
    """Block b renders drum b (n < SHARED_NODES and n ≤ NODES_PER_THREAD · blockDim) into out[b, :steps]."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    threads = cuda.blockDim.x
    first = offsets[b]
    n = offsets[b + 1] - first - 1
    current = cuda.shared.array(SHARED_NODES, numba.float32)
    previous = cuda.local.array(NODES_PER_THREAD, numba.float32)
    following = cuda.local.array(NODES_PER_THREAD, numba.float32)
    c0, c1, c2 = coefficients[b, 0], coefficients[b, 1], coefficients[b, 2]
    for q in range(NODES_PER_THREAD):
        previous[q] = 0.0
        following[q] = 0.0
    for i in range(t, n + 1, threads):
        current[i] = start[first + i]
    cuda.syncthreads()
    if t == 0:
        out[b, 0] = 0.0
        out[b, 1] = _listen(current, index, weight, b)
    for step in range(2, steps):
        for q in range(NODES_PER_THREAD):
            i = t + q * threads
            if i < n:
                following[q] = _next(current, neighbours, first + i, i, previous[q], c0, c1, c2)
        cuda.syncthreads()
        for q in range(NODES_PER_THREAD):
            i = t + q * threads
            if i < n:
                previous[q] = current[i]
                current[i] = following[q]
        cuda.syncthreads()
        if t == 0:
            out[b, step] = _listen(current, index, weight, b)


@cuda.jit  # type: ignore[untyped-decorator]
def global_(
    start: Any,
    neighbours: Any,
    offsets: Any,
    coefficients: Any,
    index: Any,
    weight: Any,
    steps: int,
    state_a: Any,
    state_b: Any,
    out: Any,
) -> None:  # pragma: no cover - device code
    """Block b renders drum b of any size into out[b, :steps]; its states are its slices of state_a and state_b."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    threads = cuda.blockDim.x
    first = offsets[b]
    n = offsets[b + 1] - first - 1
    c0, c1, c2 = coefficients[b, 0], coefficients[b, 1], coefficients[b, 2]
    for i in range(t, n + 1, threads):
        state_a[first + i] = 0.0
        state_b[first + i] = start[first + i]
    cuda.syncthreads()
    previous = state_a[first : first + n + 1]
    current = state_b[first : first + n + 1]
    if t == 0:
        out[b, 0] = 0.0
        out[b, 1] = _listen(current, index, weight, b)
    for step in range(2, steps):
        for i in range(t, n, threads):
            previous[i] = _next(current, neighbours, first + i, i, previous[i], c0, c1, c2)
        cuda.syncthreads()
        previous, current = current, previous
        if t == 0:
            out[b, step] = _listen(current, index, weight, b)


@cuda.jit  # type: ignore[untyped-decorator]
def sharedGeneral(
    start: Any,
    neighbours: Any,
    offsets: Any,
    coefficients: Any,
    index: Any,
    weight: Any,
    steps: int,
    force: Any,
    profile: Any,
    out: Any,
) -> None:  # pragma: no cover - device code
    """`shared` for the general scheme: force (B, F) float32 gains per step (0 beyond the pulse), profile (N,) v₀."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    threads = cuda.blockDim.x
    first = offsets[b]
    n = offsets[b + 1] - first - 1
    current = cuda.shared.array(SHARED_NODES, numba.float32)
    previous = cuda.local.array(NODES_PER_THREAD, numba.float32)
    following = cuda.local.array(NODES_PER_THREAD, numba.float32)
    laplacian = cuda.local.array(NODES_PER_THREAD, numba.float32)
    c0, c1, c2, c3 = coefficients[b, 0], coefficients[b, 1], coefficients[b, 2], coefficients[b, 3]
    for q in range(NODES_PER_THREAD):
        previous[q] = 0.0
        following[q] = 0.0
        laplacian[q] = 0.0
    for i in range(t, n + 1, threads):
        current[i] = start[first + i]
    cuda.syncthreads()
    if t == 0:
        out[b, 0] = 0.0
        out[b, 1] = _listen(current, index, weight, b)
    for step in range(2, steps):
        g = force[b, step - 1] if step - 1 < force.shape[1] else numba.float32(0.0)
        for q in range(NODES_PER_THREAD):
            i = t + q * threads
            if i < n:
                push = g * profile[first + i]
                value, curvature = _nextGeneral(
                    current, neighbours, first + i, i, previous[q], laplacian[q], c0, c1, c2, c3, push
                )
                following[q] = value
                laplacian[q] = curvature
        cuda.syncthreads()
        for q in range(NODES_PER_THREAD):
            i = t + q * threads
            if i < n:
                previous[q] = current[i]
                current[i] = following[q]
        cuda.syncthreads()
        if t == 0:
            out[b, step] = _listen(current, index, weight, b)


@cuda.jit  # type: ignore[untyped-decorator]
def globalGeneral(
    start: Any,
    neighbours: Any,
    offsets: Any,
    coefficients: Any,
    index: Any,
    weight: Any,
    steps: int,
    force: Any,
    profile: Any,
    state_a: Any,
    state_b: Any,
    state_l: Any,
    out: Any,
) -> None:  # pragma: no cover - device code
    """`global_` for the general scheme; state_l holds each node's L uⁿ⁻¹."""
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    threads = cuda.blockDim.x
    first = offsets[b]
    n = offsets[b + 1] - first - 1
    c0, c1, c2, c3 = coefficients[b, 0], coefficients[b, 1], coefficients[b, 2], coefficients[b, 3]
    for i in range(t, n + 1, threads):
        state_a[first + i] = 0.0
        state_b[first + i] = start[first + i]
        state_l[first + i] = 0.0
    cuda.syncthreads()
    previous = state_a[first : first + n + 1]
    current = state_b[first : first + n + 1]
    laplacian = state_l[first : first + n + 1]
    if t == 0:
        out[b, 0] = 0.0
        out[b, 1] = _listen(current, index, weight, b)
    for step in range(2, steps):
        g = force[b, step - 1] if step - 1 < force.shape[1] else numba.float32(0.0)
        for i in range(t, n, threads):
            push = g * profile[first + i]
            value, curvature = _nextGeneral(
                current, neighbours, first + i, i, previous[i], laplacian[i], c0, c1, c2, c3, push
            )
            previous[i] = value
            laplacian[i] = curvature
        cuda.syncthreads()
        previous, current = current, previous
        if t == 0:
            out[b, step] = _listen(current, index, weight, b)


def compact(drums: Sequence[Drum]) -> dict[str, npt.NDArray[Any]]:
    """The GPU layout: each drum's unknown nodes numbered 0…n−1 in row-major order plus one held zero (id n),
    concatenated. start (N,) float32 = u¹, neighbours (N, 4) int32 local ids (W, E, N, S), offsets (B+1,),
    coefficients (B, 4) float32, index (B, 4) int32 local ids of the listening cell, weight (B, 4) float32, profile
    (N,) float32 = v₀, force (B, F) float32 the force pulses padded with 0 (F ≥ 1)."""
    starts, neighbours, offsets, index, profiles = [], [], [0], [], []
    force = np.zeros((len(drums), max([1] + [d.force.size for d in drums])), dtype=np.float32)
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
        profiles.append(np.append(drum.velocity[nodes], 0.0))
        force[len(offsets) - 1, : drum.force.size] = drum.force
        offsets.append(offsets[-1] + n + 1)
        index.append(local[drum.listen_index.astype(np.int64)])
    return {
        'start': np.concatenate(starts).astype(np.float32),
        'neighbours': np.ascontiguousarray(np.concatenate(neighbours), dtype=np.int32),
        'offsets': np.array(offsets, dtype=np.int64),
        'coefficients': np.stack([d.coefficients for d in drums]).astype(np.float32),
        'index': np.stack(index).astype(np.int32),
        'weight': np.stack([d.listen_weight for d in drums]).astype(np.float32),
        'profile': np.concatenate(profiles).astype(np.float32),
        'force': force,
    }


def renderCUDA(drums: Sequence[Drum], steps: int, force_global: bool = False) -> npt.NDArray[np.float64]:
    """All drums' (B, steps) outputs at the solver's rate on the CUDA device (or numba's simulator). Drums of at most
    12 287 unknown nodes go to the shared-memory kernel (unless force_global, for tests), the others to the
    global-memory one; each launch uses up to 1024 threads per block, fewer for small drums. A group in which any
    drum has frequency-dependent loss or a force pulse runs the general kernels."""
    out = np.zeros((len(drums), steps), dtype=np.float64)
    small = [b for b, d in enumerate(drums) if d.interior + 1 <= SHARED_NODES and not force_global]
    large = [b for b in range(len(drums)) if b not in set(small)]
    for group, kernel in ((small, shared), (large, global_)):
        if not group:
            continue
        largest = max(drums[b].interior for b in group)
        threads = min(THREADS, 32 * -(-largest // 32))  # whole warps; ≤ 12 nodes per thread in `shared`
        layout = {key: cuda.to_device(value) for key, value in compact([drums[b] for b in group]).items()}
        result = cuda.device_array((len(group), steps), dtype=np.float32)
        arguments = [layout[key] for key in ('start', 'neighbours', 'offsets', 'coefficients', 'index', 'weight')]
        arguments.append(steps)
        size = layout['start'].shape[0]
        general = any(drums[b].general for b in group)
        if general:
            arguments += [layout['force'], layout['profile']]
        if kernel is global_:
            arguments += [cuda.device_array(size, np.float32) for _ in range(3 if general else 2)]
        arguments.append(result)
        if general:
            kernel = sharedGeneral if kernel is shared else globalGeneral
        kernel[len(group), threads](*arguments)
        out[group] = result.copy_to_host()
    return out
