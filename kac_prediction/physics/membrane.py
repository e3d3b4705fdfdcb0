"""What a real membrane adds to the ideal one (docs/architecture.md, "Physics conventions"): frequency-dependent loss,
stiffness and a strike of finite width.

- Loss: mode k decays as e^(−σ(ω_k)·t) with σ(ω) = σ₀ + σ₁·ω² (σ₀ in 1/s, σ₁ in s), set by two T60s: `decay_time`
  at 0 Hz (σ₀ = 3·ln(10)/decay_time, today's frequency-independent decay) and `decay_time_high` at
  `decay_frequency_high` f_h (σ(2π·f_h) = 3·ln(10)/decay_time_high). So σ₁ = (σ_h − σ₀)/(2π·f_h)², which is ≥ 0
  (losses grow with frequency) exactly when decay_time_high ≤ decay_time. In the wave equation the term is
  2σ₁c²·∇²u_t: mode k of −∇² (eigenvalue λ_k, ω_k² = c²λ_k) decays at σ₀ + σ₁c²λ_k = σ₀ + σ₁ω_k².
- Stiffness κ (m²/s): ω_k² = c²λ_k + κ²λ_k². The eigenfunctions of the Dirichlet Laplacian vanish with their
  Laplacian on the boundary, so they are also the modes of the stiff membrane with simply supported edges; only the
  frequencies move, f_k' = f_k·sqrt(1 + (κ·2π·f_k / c²)²), and the amplitudes of a unit velocity impulse scale by
  ω_k/ω_k'.
- Strike width: a velocity impulse spread as the raised cosine ½(1 + cos(π·r/a)), r ≤ a = strike_width/2, of unit
  total. Every mode solves ∇²φ + λφ = 0, so its mean over a circle of radius r about x is J₀(√λ·r)·φ(x) (Weber's
  mean-value theorem) and the patch excites mode k by φ_k(x_s)·W(√λ_k·a), W the patch's normalised Hankel transform.
  This is exact while the patch lies inside the drum; a patch that crosses the boundary is treated as if the mode
  continued past it (the FDTD solver cuts it at the boundary instead).
"""

import math

import numpy as np
import numpy.typing as npt
from scipy import special

from .._checks import checkNumber, checkPositiveArray, isNumber

__all__ = ['decayRate', 'lossCoefficients', 'stiffModes', 'strikeWidthWeights']


def decayRate(decay_time: float) -> float:
    """σ₀ = 3·ln(10) / decay_time in 1/s, so that e^(−σ₀t) is −60 dB at t = decay_time (T60); inf → 0."""
    if not isNumber(decay_time) or math.isnan(decay_time) or decay_time <= 0:
        raise ValueError(f'decay_time must be > 0 seconds (T60, or inf for no decay), got {decay_time!r}.')
    return 0.0 if math.isinf(decay_time) else 3.0 * math.log(10.0) / float(decay_time)


def _decayRates(name: str, decay_time: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """3·ln(10)/T60 of every entry (inf → 0), through `decayRate`'s check; float64, the shape of decay_time."""
    times = np.asarray(decay_time, dtype=np.float64)
    try:
        return np.asarray(np.vectorize(decayRate, otypes=[np.float64])(times), dtype=np.float64)
    except ValueError:
        raise ValueError(f'{name} must be > 0 seconds (T60, or inf for no decay), got {decay_time!r}.') from None


def lossCoefficients(
    decay_time: npt.ArrayLike, decay_time_high: npt.ArrayLike | None = None, decay_frequency_high: float = 1000.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(σ₀ in 1/s, σ₁ in s) of the loss σ(ω) = σ₀ + σ₁·ω², from the T60 `decay_time` (s) at 0 Hz and the T60
    `decay_time_high` (s) at `decay_frequency_high` (Hz); None: σ₁ = 0. T60s may be inf (no loss) and arrays (one per
    drum, broadcast); each result has the broadcast shape. ValueError unless decay_time_high ≤ decay_time (σ₁ ≥ 0)."""
    sigma0 = _decayRates('decay_time', decay_time)
    if decay_time_high is None:
        return sigma0, np.zeros_like(sigma0)
    f_high = checkNumber('decay_frequency_high', decay_frequency_high, 'Hz, where decay_time_high is the T60')
    sigma_high = _decayRates('decay_time_high', decay_time_high)
    if np.any(sigma_high < sigma0):
        raise ValueError(
            f'decay_time_high ({decay_time_high!r} s, the T60 at {f_high:g} Hz) must be ≤ decay_time ({decay_time!r} '
            's, the T60 at 0 Hz): membrane losses grow with frequency (σ₁ ≥ 0). Lower decay_time_high, or use None '
            'for a frequency-independent decay.'
        )
    sigma0, sigma_high = np.broadcast_arrays(sigma0, sigma_high)
    return np.array(sigma0, dtype=np.float64), (sigma_high - sigma0) / (2.0 * math.pi * f_high) ** 2


def stiffModes(
    frequencies: npt.ArrayLike, amplitudes: npt.ArrayLike, wave_speed: npt.ArrayLike, stiffness: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The modes of a stiff membrane from those of the ideal one: f' = f·sqrt(1 + (κ·2πf/c²)²) Hz and a' = a·f/f'
    (a ∝ 1/ω for a unit velocity impulse). frequencies (Hz), amplitudes: shape (B, ...) or broadcastable;
    wave_speed c (m/s) and stiffness κ (m²/s, ≥ 0): numbers or one per drum (B,). Returns float64 arrays."""
    F = np.asarray(frequencies, dtype=np.float64)
    c = checkPositiveArray('wave_speed', wave_speed, 'm/s')
    kappa = np.asarray(stiffness, dtype=np.float64)
    if not np.all(np.isfinite(kappa)) or np.any(kappa < 0.0):
        raise ValueError(f'stiffness must be finite and ≥ 0 (κ in m²/s), got {stiffness!r}.')
    extra = (F.ndim - c.ndim, F.ndim - kappa.ndim)
    ratio = np.sqrt(1.0 + (kappa.reshape(kappa.shape + (1,) * extra[1]) * 2.0 * math.pi * F
                           / c.reshape(c.shape + (1,) * extra[0]) ** 2) ** 2)  # fmt: skip
    return F * ratio, np.asarray(amplitudes, dtype=np.float64) / ratio


def strikeWidthWeights(wavenumbers: npt.ArrayLike, strike_width: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """W(β·a): how much a raised-cosine strike of diameter `strike_width` = 2a (m, ≥ 0; 0 is a point) excites a
    mode of wavenumber β = √λ (rad/m) relative to a point strike at its centre, the raised cosine's normalised Hankel
    transform W(x) = ∫₀¹ ½(1 + cos πρ)·J₀(xρ)·ρ dρ / (¼ − 1/π²) (W(0) = 1), by Gauss–Legendre quadrature (exact to
    ≈ 1e-12 for x ≤ 1000). Arguments broadcast; returns float64 of the broadcast shape."""
    beta = np.asarray(wavenumbers, dtype=np.float64)
    width = np.asarray(strike_width, dtype=np.float64)
    if not np.all(np.isfinite(width)) or np.any(width < 0.0):
        raise ValueError(f'strike_width must be finite and ≥ 0 (m, the diameter of the strike), got {strike_width!r}.')
    if not np.all(np.isfinite(beta)) or np.any(beta < 0.0):
        raise ValueError('wavenumbers must be finite and ≥ 0 (rad/m).')
    x = beta * (width / 2.0)
    largest = float(np.max(x, initial=0.0))
    if largest > 1000.0:
        raise ValueError(
            f'strike_width is {largest / math.pi:.0f} half-wavelengths wide for the highest mode: W is below 1e-6 '
            'there; use a narrower strike or fewer modes.'
        )
    nodes, weights = np.polynomial.legendre.leggauss(48 + math.ceil(largest))
    rho = 0.5 * (nodes + 1.0)
    kernel = 0.5 * weights * 0.5 * (1.0 + np.cos(np.pi * rho)) * rho / (0.25 - 1.0 / np.pi**2)
    return np.asarray(special.j0(x[..., None] * rho) @ kernel, dtype=np.float64)
