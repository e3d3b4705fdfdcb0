"""Physics-only baselines: drum geometry read off the resonances of one recording, with no learning.

Conventions: docs/architecture.md, "Physics conventions". They answer "what does physics alone get from the same
audio" for the learned models. Units: waveforms are mono, float, sampled at `sample_rate` Hz; frequencies in Hz;
wave_speed c = sqrt(tension / density) in m/s (sound fixes only L/c, so c must be known); sizes in m, areas in m²,
perimeters in m.

Peaks come from one spectrum of the whole recording (duration T s): a 4-term Blackman–Harris window (sidelobes
≤ −92 dB, so the sidelobes of the strongest peak stay below any threshold up to ≈ 85 dB), zero-padded to the next
power of two ≥ 8× its length (bins of ≤ 1/(8T) Hz), each peak refined by a parabola through the log magnitude of its
three highest bins. The main lobe spans ±4 bins of 1/T Hz. Two equally loud resonances closer than ≈ 1/T Hz (1 Hz
for a 1-s recording, 2 Hz for 0.5 s) merge into one peak, reported once between them (nearer the louder one); from
≈ 1/T to 3/T Hz apart they give one or two peaks depending on their phases, each off by up to ≈ 1/T Hz; beyond
≈ 3/T Hz both are found to ≈ 0.01/T Hz. A faint resonance within ≈ 4/T Hz of a loud one is lost in its main lobe.

What each sampler lets one hear, by default (from the samplers' code):
- BesselModel listens at the centre (r = 0), where J_n(0) = 0 for n ≥ 1: only the axisymmetric modes (0, m) sound,
  whatever the strike, so the lowest resonance is f_01 = z_01·c/(πL).
- PoissonModel listens at the centre (x, y) = (½, ½), where sin(mπ/2)·sin(nπ/2) = 0 unless m and n are both odd:
  only the odd-odd modes sound. For every ε ≥ 1 the two lowest are f_11 and f_31 (f_31² ∝ 9/ε + ε ≤ f_13² ∝
  1/ε + 9ε ⇔ ε ≥ 1, and f_33, f_51 lie above f_31); at ε = 1, f_31 = f_13. A strike on a nodal line of (3, 1)
  (x_s = ⅓ or ⅔) silences f_31; `rectangleFromSound` then misreads the next odd-odd mode.
- FDTDModel strikes (first strike) and listens at the centroid: every mode that does not vanish there sounds (the
  ground state never does), but modes with a node near the centroid are faint and drop below the threshold.
"""

import math

import numpy as np
import numpy.typing as npt
from scipy import signal, special

from .._checks import checkNumber, isNumber

__all__ = ['circleSizeFromSound', 'physicsSizes', 'rectangleFromSound', 'resonanceFrequencies', 'weylArea']

_PADDING = 8  # zero-padding factor (at least): bins of 1/(8T) Hz, sub-Hz for T ≥ 0.125 s
_Z01 = float(special.jn_zeros(0, 1)[0])  # first positive zero of J_0, 2.404825557695773
_METHODS = ('circle', 'rectangle', 'weyl')


def _checkWaveform(waveform: npt.ArrayLike) -> npt.NDArray[np.float64]:
    array = np.asarray(waveform)
    if array.ndim != 1:
        raise ValueError(
            f'waveform must be a 1-D (mono) array of samples, got shape {array.shape}; pass one channel, or use '
            'physicsSizes for a batch (N, T).'
        )
    if array.size < 8 or not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f'waveform must hold at least 8 real samples, got {array.size} of dtype {array.dtype}.')
    out = array.astype(np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError('waveform must be finite: remove NaN or inf samples.')
    return out


def resonanceFrequencies(
    waveform: npt.ArrayLike,
    sample_rate: float,
    f_min: float = 20.0,
    f_max: float | None = None,
    threshold_db: float = 40.0,
) -> npt.NDArray[np.float64]:
    """The resonance frequencies heard in a mono recording: its spectral peaks in [f_min, f_max].

    waveform: shape (T,), real, finite. sample_rate: Hz (> 0). f_min, f_max: the band in Hz (f_max None: the Nyquist
    frequency sample_rate/2). threshold_db: keep the peaks at most this many dB below the strongest peak of the band
    (keep it under ≈ 85 dB, the window's sidelobe level). Returns float64, shape (K,), ascending, in Hz; empty if
    the band holds no peak (e.g. silence). An isolated peak is refined to well under 0.01 of a bin of 1/T Hz
    (T = duration); equally loud resonances closer than ≈ 1/T Hz are unresolved and come back as one peak, and those
    1/T to 3/T Hz apart as one or two inexact peaks (see the module docstring).
    Raises ValueError for a waveform that is not 1-D or not finite, a non-positive sample_rate or an empty band.
    """
    x = _checkWaveform(waveform)
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    low = checkNumber('f_min', f_min, 'Hz', inclusive=True)
    high = fs / 2.0 if f_max is None else checkNumber('f_max', f_max, 'Hz')
    if not low < high:
        raise ValueError(
            f'the band [f_min, f_max] = [{low:g}, {high:g}] Hz is empty: choose f_min < f_max ≤ {fs / 2:g}.'
        )
    threshold = checkNumber('threshold_db', threshold_db, 'dB below the strongest peak')
    n_fft = 1 << math.ceil(math.log2(_PADDING * x.size))
    spectrum = np.abs(np.fft.rfft(x * signal.windows.blackmanharris(x.size), n_fft))
    top = float(spectrum.max())
    if top == 0.0:
        return np.zeros(0, dtype=np.float64)
    level = 20.0 * np.log10(np.maximum(spectrum, top * 1e-12))  # a floor far below any threshold: no log(0)
    k, _ = signal.find_peaks(level)
    k = k[(k > 0) & (k < level.size - 1)]
    if k.size == 0:
        return np.zeros(0, dtype=np.float64)
    alpha, beta, gamma = level[k - 1], level[k], level[k + 1]
    curvature = alpha - 2.0 * beta + gamma
    offset = np.where(curvature < 0.0, 0.5 * (alpha - gamma) / np.where(curvature < 0.0, curvature, -1.0), 0.0)
    frequency = (k + offset) * (fs / n_fft)
    height = beta - 0.25 * (alpha - gamma) * offset
    inside = (frequency >= low) & (frequency <= high)
    if not np.any(inside):
        return np.zeros(0, dtype=np.float64)
    keep = inside & (height >= np.max(height[inside]) - threshold)
    return np.sort(frequency[keep]).astype(np.float64)


def circleSizeFromSound(waveform: npt.ArrayLike, sample_rate: float, wave_speed: float = 100.0) -> float:
    """The diameter L (m) of a circular drum, from its lowest resonance f_1 = f_01: L = z_01·c/(π·f_1), z_01 ≈ 2.4048.

    waveform: shape (T,) as `resonanceFrequencies` takes; sample_rate: Hz; wave_speed: c in m/s. The mode (0, 1) is
    the lowest and has no node inside the drum, so it sounds wherever the drum is struck and heard (BesselModel hears
    only the (0, m) modes, at the centre). Returns NaN when no resonance is found.
    """
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    peaks = resonanceFrequencies(waveform, sample_rate)
    return float(_Z01 * c / (math.pi * peaks[0])) if peaks.size else math.nan


def _rectangleFromRatio(f11: float, f31: float, c: float) -> tuple[float, float]:
    r2 = (f31 / f11) ** 2
    # r² = (9 + ε²)/(1 + ε²) falls from 5 (ε = 1) towards 1 (ε → ∞); r² ≥ 5 (a merged or noisy pair) reads as ε = 1.
    if r2 <= 1.0:
        return math.nan, math.nan
    eps = max(1.0, math.sqrt(max(9.0 - r2, 0.0) / (r2 - 1.0)))
    return c * math.sqrt(1.0 / eps + eps) / (2.0 * f11), eps


def rectangleFromSound(waveform: npt.ArrayLike, sample_rate: float, wave_speed: float = 100.0) -> tuple[float, float]:
    """(drum_size L = sqrt(area) in m, aspect_ratio ε = Lx/Ly ≥ 1) of a rectangular drum heard at its centre.

    waveform: shape (T,) as `resonanceFrequencies` takes; sample_rate: Hz; wave_speed: c in m/s. At the centre only
    odd-odd modes sound, and the two lowest are f_11 and f_31 for every ε ≥ 1 (module docstring). With r = f_31/f_11,
    ε = sqrt((9 − r²)/(r² − 1)) and L = c·sqrt(1/ε + ε)/(2·f_11); a ratio r² ≥ 5 gives ε = 1. The ε = 1
    degeneracy: there (3, 1) and (1, 3) coincide (r² = 5); just above it, f_13 − f_31 ≈ 1.27·(ε − 1)·c/L Hz, and
    while that is within a few bins of 1/T Hz (ε − 1 ≲ 2.5·L/(c·T): 0.05 for a 2-m drum heard for 1 s) the two
    peaks merge or pull each other apart, so ε is off by up to ≈ ε − 1 (measured for L = 2 m, T = 1 s: 1.02 → 1.039,
    1.03 → 1.003, 1.04 → 1.026) while L stays within 0.05 %. Elsewhere the inversion is well conditioned: a 0.1 %
    error in r gives 0.25 % in ε at ε = 1 and 0.33 % at ε = 4. Heard off the centre, or struck on a nodal
    line of (3, 1), the second peak is another mode and the answer is wrong. Returns (NaN, NaN) when fewer than two
    resonances are found.
    """
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    peaks = resonanceFrequencies(waveform, sample_rate)
    if peaks.size < 2:
        return math.nan, math.nan
    return _rectangleFromRatio(float(peaks[0]), float(peaks[1]), c)


def weylArea(
    waveform: npt.ArrayLike,
    sample_rate: float,
    wave_speed: float = 100.0,
    threshold_db: float = 80.0,
    max_multiple: float = 4.0,
    min_spacing_bins: float = 12.0,
    constant: float = 0.25,
) -> tuple[float, float]:
    """(area A in m², perimeter P in m) of a drum of any shape, from Weyl's law for its resonances; sqrt(A) estimates
    drum_size.

    waveform: shape (T,) as `resonanceFrequencies` takes; sample_rate: Hz; wave_speed: c in m/s. The resonances
    f_1 < f_2 < … (peaks within threshold_db of the strongest: faint modes count as much as loud ones, hence the high
    default) are counted, N(f_k) = k − ½ (the middle of each step of the staircase), and least squares fits
    N(f) ≈ A·π·f²/c² − P·f/(2c) + constant over f_1 ≤ f ≤ f_hi (constant: the corner/curvature term, 1/4 for a
    rectangle, 1/6 for a smooth boundary, 1/6…1/3 for convex polygons). The range ends at
    f_hi = max(3·f_1, min(max_multiple·f_1, f_res)): a multiple of the fundamental, so that the count is scale-free
    (for a compact shape ≈ 10 modes up to 3·f_1, ≈ 20 up to 4·f_1), but not beyond f_res, where Weyl's mean spacing
    c²/(2π·A₀·f) falls to min_spacing_bins bins of 1/T Hz (A₀ = z_01²c²/(4π·f_1²), the area of the disc with the
    same fundamental): beyond it neighbouring resonances merge or hide faint ones. The floor 3·f_1 keeps enough modes
    for the two-parameter fit (below ≈ 10 it is unstable).

    Bias: a mode that is silent at the listening point (a nodal line through it; for drums struck and heard at the
    same point every amplitude is φ² ≥ 0, so only those), fainter than the threshold or merged with a neighbour is
    not counted, so A is underestimated, increasingly with f_hi; spectra with many near-degenerate pairs (rectangles,
    circles: no level repulsion) lose the most. Measured (sqrt(A) vs drum_size, 48 kHz, T60 = 2 s): FDTDModel convex
    polygons struck and heard at the centroid, where 80 dB finds ≈ 98 % of the modes up to 4·f_1 (40 dB only
    ≈ 75 %): 0.3 m, 0.5 s: median |error| 2.0 %, max 9.4 % (30 drums); 1 s: 0.9 %, max 8 %; 0.15 m: 1.9 %, max
    5.4 %; 0.45 m: 1.8 %, max 9.7 % (16 drums each); the outliers come from the staircase's fluctuations about
    Weyl's law over so few modes. PoissonModel rectangles struck and heard off-centre: median −7 %, down to −19 %.
    P is poorly determined (errors of ±50 % are common). Returns (NaN, NaN) when fewer than three resonances lie in
    the range or the fit gives A ≤ 0.
    """
    x = _checkWaveform(waveform)
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    multiple = checkNumber('max_multiple', max_multiple, 'a multiple of the lowest resonance')
    spacing = checkNumber('min_spacing_bins', min_spacing_bins, 'bins of 1/T Hz')
    if not isNumber(constant) or not math.isfinite(constant):
        raise ValueError(f'constant must be a finite number (the term of N(f) independent of f), got {constant!r}.')
    peaks = resonanceFrequencies(x, fs, threshold_db=threshold_db)
    if peaks.size < 3:
        return math.nan, math.nan
    f1 = float(peaks[0])
    disc_area = _Z01**2 * c**2 / (4.0 * math.pi * f1**2)
    f_res = c**2 * (x.size / fs) / (2.0 * math.pi * disc_area * spacing)
    f_hi = max(3.0 * f1, min(multiple * f1, f_res))
    f = peaks[peaks <= f_hi * (1.0 + 1e-12)]
    if f.size < 3:
        return math.nan, math.nan
    count = np.arange(1, f.size + 1, dtype=np.float64) - 0.5 - float(constant)
    design = np.stack([np.pi * f**2 / c**2, -f / (2.0 * c)], axis=1)
    (area, perimeter), *_ = np.linalg.lstsq(design, count, rcond=None)
    if not area > 0.0:
        return math.nan, math.nan
    return float(area), float(perimeter)


def physicsSizes(
    waveforms: npt.ArrayLike, sample_rate: float, method: str = 'circle', wave_speed: float = 100.0
) -> dict[str, npt.NDArray[np.float64]]:
    """The physics-only estimates for a batch of recordings, as the learned models' labels.

    waveforms: shape (N, T), real. sample_rate: Hz. method: 'circle' (`circleSizeFromSound`: the diameter),
    'rectangle' (`rectangleFromSound`: sqrt(area) and Lx/Ly, heard at the centre) or 'weyl' (`weylArea` with its
    defaults: sqrt(area)). wave_speed: c in m/s. Returns {'drum_size': float64 (N,)} in m, plus
    {'aspect_ratio': float64 (N,)} for 'rectangle'. A failed estimate (no or too few resonances found, a silent or
    non-finite row) is NaN in its row, never an exception. Raises ValueError for waveforms that are not (N, T), a
    non-positive sample_rate or wave_speed, or an unknown method.
    """
    if method not in _METHODS:
        raise ValueError(f'method must be one of {", ".join(map(repr, _METHODS))}, got {method!r}.')
    batch = np.asarray(waveforms)
    if batch.ndim != 2:
        raise ValueError(
            f'waveforms must be a 2-D array (N recordings, T samples), got shape {batch.shape}; wrap a single '
            'recording as waveforms[None].'
        )
    if not (np.issubdtype(batch.dtype, np.floating) or np.issubdtype(batch.dtype, np.integer)):
        raise ValueError(f'waveforms must hold real numbers, got dtype {batch.dtype}.')
    if batch.shape[1] < 8:
        raise ValueError(f'waveforms must hold at least 8 samples per recording, got {batch.shape[1]}.')
    fs = checkNumber('sample_rate', sample_rate, 'Hz')
    c = checkNumber('wave_speed', wave_speed, 'm/s')
    size = np.full(batch.shape[0], np.nan, dtype=np.float64)
    aspect = np.full(batch.shape[0], np.nan, dtype=np.float64)
    for row, x in enumerate(batch.astype(np.float64)):
        if not np.all(np.isfinite(x)):
            continue
        if method == 'circle':
            size[row] = circleSizeFromSound(x, fs, c)
        elif method == 'rectangle':
            size[row], aspect[row] = rectangleFromSound(x, fs, c)
        else:
            size[row] = math.sqrt(weylArea(x, fs, c)[0])  # NaN stays NaN
    return {'drum_size': size, 'aspect_ratio': aspect} if method == 'rectangle' else {'drum_size': size}
