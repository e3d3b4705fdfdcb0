"""Finite-difference time-domain (FDTD) solution of the damped 2-D wave equation on a drum of any shape
(docs/architecture.md, "Physics conventions").

    u_tt = c²·∇²u − 2σ₀·u_t + 2σ₁c²·∇²u_t,    u = 0 on and outside the boundary (Dirichlet),

on a square grid of spacing h (m): the nodes where `mask` is True are the unknowns, every other node is held at 0.
Time step k = 1 / (R·fs) s, with R = `oversampling`; Courant number λ = c·k/h ≤ 1/√2 (the 2-D stability bound of the
explicit scheme; larger is a ValueError). The explicit 5-point leapfrog scheme is

    (1 + σ₀k)·uⁿ⁺¹ = (2 − 4λ²)·uⁿ + λ²·(sum of the 4 neighbours of uⁿ) − (1 − σ₀k)·uⁿ⁻¹ [+ 2μ·(L uⁿ − L uⁿ⁻¹)].

The bracket is the frequency-dependent loss (σ₁ in s, σ(ω) = σ₀ + σ₁ω², `physics.lossCoefficients`; 0 by default):
Bilbao's scheme (Numerical Sound Synthesis, ch. 6), a backward time difference of the 5-point Laplacian, with
μ = σ₁c²k/h² and L u = (sum of the 4 neighbours) − 4u. It is stable iff λ² + 4μ ≤ ½, i.e. c·sqrt(k·(k + 4σ₁))/h ≤ 1/√2
(larger is a ValueError; `fdtdGridSpacing(..., loss=σ₁)` gives the grid at the bound).

The strike is a unit impulse of velocity spread as a raised cosine: v₀(x) ∝ ½(1 + cos(2π|x − x_s| / w)) for
|x − x_s| ≤ w/2 (w = `strike_width`, m), multiplied by the mask and scaled so that Σ v₀·h² = 1; if w is so small that
the raised cosine covers no unknown node, the impulse is spread bilinearly over the 4 nodes around x_s. u⁰ = 0 and
u¹ = k·(1 − σ₀k)·v₀ (the centred start, second order; it leaves out the σ₁ term for that one step, an error of
order σ(ω)·k in each mode's amplitude, below 1 % even for a T60 of 15 ms at 48 kHz). With `strike_duration`
τ ≥ 2k the strike is instead the force density v₀·p(t), p the raised-cosine pulse (1 − cos(2πt/τ))/τ on [0, τ]
sampled at t = m·k and scaled to Σ p·k = 1: u⁰ = u¹ = 0 and uᵐ⁺¹ gains k²·p_m·v₀/(1 + σ₀k). The output is u at the
listening point x_o, interpolated bilinearly from the 4 surrounding nodes, at every step: w[n] = uⁿ(x_o) with
w[0] = 0, the same quantity as the modal samplers' w(t) = Σ a_k e^(−σ_k t) sin(ω_k t) (in s/m² per unit impulse).
With R > 1 the solver steps at R·fs and decimates to fs with `scipy.signal.resample_poly(w, 1, R)` — a
linear-phase (zero-delay) Kaiser-windowed FIR anti-aliasing filter — so refining the grid by R costs R³ more work.

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
  of its ≤ 12 nodes in registers (two barriers per step); larger drums step in global memory. float32.
  Without a CUDA device it warns and renders on the CPU. Checked only with numba's CUDA simulator so far.
- The general scheme (loss or a force pulse) runs in its own CPU kernel and CUDA kernels (`sharedGeneral`,
  `globalGeneral`), which keep L uⁿ⁻¹ per node so that the update stays in place; the defaults run the kernels above.
- `fdtdEnergy`: the discrete energy of the float64 scheme at every step (conserved without damping, never increasing
  with it; with σ₁, less (σ₁c²k/2)·Σ_edges (δ(uⁿ⁺¹ − uⁿ)/k)²·h²), for the tests.

Modules: `prepare` (argument checks, each drum cropped, its strike field, listening weights and coefficients; the
decimation), `cpu` (the numba CPU kernel and its driver), `cuda` (the numba.cuda kernels and their host code, imported
only when device='cuda' is used), `api` (`fdtdSynthesis`, `fdtdGridSpacing`, `fdtdCudaAvailable`), `reference`
(`fdtdReference`, `fdtdEnergy`).
"""

from .api import COURANT_LIMIT, fdtdCudaAvailable, fdtdGridSpacing, fdtdSynthesis
from .reference import fdtdEnergy, fdtdReference

__all__ = [
    'COURANT_LIMIT',
    'fdtdCudaAvailable',
    'fdtdEnergy',
    'fdtdGridSpacing',
    'fdtdReference',
    'fdtdSynthesis',
]
