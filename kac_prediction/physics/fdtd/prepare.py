"""The FDTD solver's arguments and drums: checks, each drum prepared for stepping, and the final decimation.

A prepared drum (`Drum`) is the mask's bounding box plus one ring of held nodes, stored flat (transposed when taller
than wide), with its runs of unknown nodes, strike field, listening weights, scheme coefficients and force pulse; every
path (CPU, CUDA, reference, energy) steps the same prepared drum.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import signal

from ..._checks import checkCount, checkNumber, checkPositiveArray
from ..membrane import lossCoefficients

__all__ = ['COURANT_LIMIT', 'COURANT_SLACK', 'Drum', 'Masks', 'decimate', 'effectiveCourant', 'prepareBatch']

COURANT_LIMIT = math.sqrt(0.5)
"""The largest stable Courant number λ = c·k/h of the explicit 5-point scheme in 2-D: 1/√2."""

COURANT_SLACK = 1e-12  # λ may exceed 1/√2 by this relative amount (the rounding of h = c·k/λ)


def effectiveCourant(wave_speed: float, k: float, h: float, loss: float) -> float:
    """The number bounded by 1/√2 for stability: c·k/h without frequency-dependent loss (loss = σ₁ = 0), else
    c·sqrt(k·(k + 4σ₁))/h (σ₁ in s: σ(ω) = σ₀ + σ₁ω²; the scheme's ∇²u_t coefficient is 2σ₁c²)."""
    if loss == 0.0:
        return wave_speed * k / h
    return wave_speed * math.sqrt(k * (k + 4.0 * loss)) / h


Masks = npt.ArrayLike | Sequence[npt.ArrayLike]


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


@dataclass(frozen=True)
class Drum:
    """A drum ready to step: its box (the mask's bounding box plus one ring of held nodes), stored flat, transposed
    when the mask is taller than wide (NX ≤ NY: the kernel's rows run along the longer side)."""

    box: npt.NDArray[np.bool_]  # (NX, NY), True = unknown
    runs: npt.NDArray[np.uint64]  # (R, 2): flat [start, stop) of each row's runs of unknown nodes
    velocity: npt.NDArray[np.float64]  # (NX·NY,): v₀ with Σ v₀·h² = 1 (a unit impulse), 0 on held nodes
    listen_index: npt.NDArray[np.uint64]  # (4,): flat indices of the listening cell's corners
    listen_weight: npt.NDArray[np.float64]  # (4,): their bilinear weights
    coefficients: npt.NDArray[np.float64]  # (4,): c0 = λ²/(1+σ₀k), c1 = (2−4λ²)/(1+σ₀k), c2 = (1−σ₀k)/(1+σ₀k),
    # c3 = 2μ/(1+σ₀k) with μ = σ₁c²k/h² (0 without frequency-dependent loss)
    start: float  # u¹ = start · v₀: k·(1 − σ₀k) in s for an impulse, 0 for a force pulse
    force: npt.NDArray[np.float64]  # (F,): u^(m+1) gains force[m]·v₀ (k²·p(mk)/(1+σ₀k)); empty for an impulse

    @property
    def general(self) -> bool:
        """Whether stepping needs the general scheme (frequency-dependent loss or a force pulse)."""
        return bool(self.coefficients[3] != 0.0 or self.force.size > 0)

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
    loss: float,
    k: float,
    strike: npt.NDArray[np.float64],
    listening: npt.NDArray[np.float64],
    strike_width: float,
    duration: float,
    b: int,
) -> Drum:
    """Validate drum b and build its box, runs, strike field, listening weights, coefficients and force pulse."""
    lam = wave_speed * k / h
    if loss == 0.0 and lam > COURANT_LIMIT * (1.0 + COURANT_SLACK):
        raise ValueError(
            f'drum {b}: the Courant number c·k/h = {lam:.6g} exceeds the 2-D stability bound 1/√2 ≈ 0.70711; use a '
            f'grid spacing h ≥ {wave_speed * k / COURANT_LIMIT:.6g} m (fdtdGridSpacing) or a higher oversampling.'
        )
    effective = effectiveCourant(wave_speed, k, h, loss)
    if loss > 0.0 and effective > COURANT_LIMIT * (1.0 + COURANT_SLACK):
        raise ValueError(
            f'drum {b}: c·sqrt(k·(k + 4σ₁))/h = {effective:.6g} exceeds the stability bound 1/√2 ≈ 0.70711 of the '
            f'scheme with frequency-dependent loss (σ₁ = {loss:.4g} s); use a grid spacing '
            f'h ≥ {effective * h / COURANT_LIMIT:.6g} m (fdtdGridSpacing with loss=σ₁) or a longer decay_time_high.'
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
    coefficients = np.array([lam * lam, 2.0 - 4.0 * lam * lam, 1.0 - sigma_k, 0.0]) / (1.0 + sigma_k)
    if loss > 0.0:
        coefficients[3] = 2.0 * loss * wave_speed**2 * k / (h * h) / (1.0 + sigma_k)
    force = _pulse(duration, k) * (k * k / (1.0 + sigma_k))
    return Drum(
        box=box,
        runs=runs,
        velocity=velocity,
        listen_index=(o_corners[:, 0] * NY + o_corners[:, 1]).astype(np.uint64),
        listen_weight=o_weights,
        coefficients=coefficients,
        start=k * (1.0 - sigma_k) if force.size == 0 else 0.0,
        force=force,
    )


def _pulse(duration: float, k: float) -> npt.NDArray[np.float64]:
    """The raised-cosine force pulse p(t) = (1 − cos(2πt/τ))/τ sampled at t = m·k, m = 0…⌊τ/k⌋, scaled so that
    Σ p·k = 1 (a unit impulse); empty (an impulse start) when τ < 2k, too short to sample."""
    if duration < 2.0 * k:
        return np.zeros(0, dtype=np.float64)
    t = k * np.arange(math.floor(duration / k * (1.0 + 1e-12)) + 1, dtype=np.float64)
    p = 1.0 - np.cos(2.0 * np.pi * np.minimum(t / duration, 1.0))
    return np.asarray(p / (p.sum() * k), dtype=np.float64)


def prepareBatch(
    masks: Masks,
    h: npt.ArrayLike,
    wave_speed: npt.ArrayLike,
    decay_time: npt.ArrayLike,
    sample_rate: float,
    strikes: npt.ArrayLike,
    listenings: npt.ArrayLike,
    strike_width: npt.ArrayLike,
    oversampling: int,
    decay_time_high: npt.ArrayLike | None = None,
    decay_frequency_high: float = 1000.0,
    strike_duration: npt.ArrayLike = 0.0,
) -> tuple[list[Drum], int]:
    """Validate the batch; returns the prepared drums and R. decay_time_high, decay_frequency_high: the T60 (s) at
    that frequency (Hz) of the frequency-dependent loss (`physics.lossCoefficients`; None: none); strike_duration:
    the raised-cosine force pulse in s (0: a velocity impulse), a number or one per drum."""
    items = _masks(masks)
    B = len(items)
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    R = checkCount('oversampling', oversampling, 1, 'time steps per output sample')
    spacing = checkPositiveArray('h', _perDrum('h', h, B), 'm')
    speed = checkPositiveArray('wave_speed', _perDrum('wave_speed', wave_speed, B), 'm/s')
    width = checkPositiveArray('strike_width', _perDrum('strike_width', strike_width, B), 'm')
    decay = np.asarray(decay_time, dtype=np.float64)
    decays = np.full(B, float(decay)) if decay.ndim == 0 else _perDrum('decay_time', decay, B)
    highs = None if decay_time_high is None else _perDrum('decay_time_high', decay_time_high, B)
    sigmas, losses = lossCoefficients(decays, highs, decay_frequency_high)
    durations = _perDrum('strike_duration', strike_duration, B)
    if not np.all(np.isfinite(durations)) or np.any(durations < 0.0):
        raise ValueError(f'strike_duration must be finite and ≥ 0 (s, 0 for an impulse), got {strike_duration!r}.')
    s, o = _points('strikes', strikes, B), _points('listenings', listenings, B)
    k = 1.0 / (R * fs)
    drums = []
    for b in range(B):
        loss = (float(sigmas[b]), float(losses[b]))
        drums.append(_prepare(items[b], float(spacing[b]), float(speed[b]), *loss, k, s[b], o[b], float(width[b]),
                              float(durations[b]), b))  # fmt: skip
    return drums, R


def decimate(fine: npt.NDArray[np.float64], R: int, length: int) -> npt.NDArray[np.float64]:
    """(B, length·R) samples at R·fs → (B, length) at fs through resample_poly's zero-phase anti-aliasing FIR."""
    if R == 1:
        return fine
    return np.ascontiguousarray(signal.resample_poly(fine, 1, R, axis=-1)[:, :length], dtype=np.float64)
