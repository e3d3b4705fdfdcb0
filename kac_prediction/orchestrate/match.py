"""Match a sound to a drum: the network's guess, refined by analysis-by-synthesis.

    result = matchWaveform(waveform, 48000, family='circle', wave_speed=100.0)
    result.drum, result.strike, result.pickup        # the drum that best reproduces the sound
    result.distance_network, result.distance_matched   # spectral distance (dB) before and after refinement

1. The network (a shipped model of the family, or a checkpoint) predicts the geometry: size (at the given wave
   speed: sound fixes only L/c), aspect ratio or outline.
2. The target's partials are analysed (`analysePartials`): spectral peaks of the Hann-windowed, zero-padded FFT
   standing ≥ 12 dB above the local median level, parabolically interpolated; each one's decay rate from a line
   fitted to its log amplitude over short frames, and its initial amplitude from its peak and that decay.
3. Frequencies (derivative-free): the drum's mode frequencies scale as 1/L (and, for a rectangle, depend on ε).
   Each strong target peak is tried as each of the drum's lowest four modes (the fundamental, which any strike
   excites, may still be masked, e.g. split by a room), with ε on a grid, keeping the drum's fundamental within an
   octave of the network's; the best is polished by Nelder–Mead (scipy) on the partial distance (`partialDistance`:
   the weighted mean of min(cents, 50)² from each peak to the nearest mode, and from the drum's fundamental to the
   nearest peak). It replaces the network's geometry only if it explains the partials better. A polygon keeps the
   network's outline, scaled so that its fundamental sits on a peak (each candidate outline would be an eigen-solve).
4. Damping: σ(ω) = σ₀ + σ₁ω² fitted to the partials' decay rates by non-negative least squares (T60 at 0 Hz and at
   decay_frequency_high).
5. Strike, pickup and strike duration (derivative-free): a grid of points and pulse durations, scored by how well
   the modes' levels reproduce the partials' levels (and how few loud modes the target lacks), then Nelder–Mead
   from the best few; of those, the one whose sound is nearest the target's (`spectralDistance`).
6. Gradients through torch: σ₀ and σ₁ are polished by Adam on `spectralDistance` of a differentiable modal
   synthesis, kept only if that distance falls.
The network's drum that the result is compared with has the network's geometry and the same damping, strike and
pickup: refinement changes the geometry only where the partials say so, so its pitch is never worse than the
network's. The spectral distance is reported before and after; it weighs levels more than pitch (a drum detuned by
a few cents scores nearly as well), so it can rise slightly when the excitation fit is poor.
"""

import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, signal

from .._checks import checkChoice, checkNumber
from .drum import DRUM_FAMILIES, Drum, Point, renderDrum
from .notes import cents

__all__ = [
    'MatchResult',
    'Partials',
    'analysePartials',
    'matchFile',
    'matchWaveform',
    'partialDistance',
    'soundFromOnset',
    'spectralDistance',
]

_ANCHOR_MODES = 4  # a strong peak is tried as each of the drum's lowest modes
_CAP = 50.0  # cents: a target peak farther than this from every mode counts as unexplained
_STFT_SIZES = (512, 2048, 8192)
_LN1000 = 3.0 * math.log(10.0)  # σ·T60 = 3·ln 10


@dataclass(frozen=True)
class Partials:
    """The partials of a sound: frequencies (Hz, ascending), levels (dB of the initial amplitude re the strongest;
    from the decay fit, or the spectral peak where there is none) and decay rates σ (1/s, nan where not measured);
    float64 (P,) each."""

    frequencies: npt.NDArray[np.float64]
    levels: npt.NDArray[np.float64]
    decay_rates: npt.NDArray[np.float64]

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """How much each partial counts in the partial distance: 10^(level/40), the square root of its amplitude."""
        return np.asarray(10.0 ** (self.levels / 40.0), dtype=np.float64)


def soundFromOnset(waveform: npt.ArrayLike, sample_rate: int, duration: float) -> npt.NDArray[np.float64]:
    """The mono mix of a waveform (L,) or (L, C) from its onset for at most `duration` s (`inference.audioExcerpt`
    at its own rate), without the zeros that pad a shorter sound (at least 0.1 s kept): float64."""
    from ..inference.audio import audioExcerpt

    rate = int(sample_rate)
    x = audioExcerpt(waveform, rate, rate, math.ceil(duration * rate)).waveform
    end = int(np.max(np.flatnonzero(np.abs(x) > 0.0), initial=0)) + 1
    return np.asarray(x[: max(end, min(len(x), rate // 10))], dtype=np.float64)


def analysePartials(
    waveform: npt.ArrayLike, sample_rate: float, count: int = 24, f_min: float = 20.0, prominence_db: float = 12.0
) -> Partials:
    """The `count` strongest partials of a waveform (L,) that starts at its strike (module docstring, step 2):
    spectral peaks in [f_min, 0.45·sample_rate] Hz at least `prominence_db` above the median level within ±25 Hz.
    ValueError when it has none (silence, or noise without a resonance)."""
    x = np.asarray(waveform, dtype=np.float64)
    n = len(x)
    size = 1 << math.ceil(math.log2(8 * n))
    magnitude = np.abs(np.fft.rfft(x * np.hanning(n), n=size))
    level = 20.0 * np.log10(magnitude / max(float(magnitude.max()), 1e-300) + 1e-12)
    bin_hz = sample_rate / size
    width = max(3, round(25.0 / bin_hz) | 1)
    reference = _movingMedian(level, width)
    peaks, _ = signal.find_peaks(level)
    peaks = peaks[(peaks * bin_hz >= f_min) & (peaks * bin_hz <= 0.45 * sample_rate)]
    peaks = peaks[level[peaks] >= reference[peaks] + prominence_db]
    peaks = peaks[level[peaks] >= -70.0]
    if peaks.size == 0:
        raise ValueError('no resonance found in the sound: is it a drum, and is it louder than the noise?')
    peaks = peaks[np.argsort(level[peaks])[::-1][:count]]
    a, b, c = level[peaks - 1], level[peaks], level[peaks + 1]
    denominator = a - 2.0 * b + c
    offset = np.where(denominator < 0.0, 0.5 * (a - c) / np.where(denominator < 0.0, denominator, 1.0), 0.0)
    frequencies = np.asarray((peaks + offset) * bin_hz, dtype=np.float64)
    rates = _decayRates(x, sample_rate, frequencies)
    # a decaying sine A·e^(−σt)·sin(ωt) peaks at |X| = (A/2)·Σ w[n]·e^(−σn/fs) in the windowed FFT
    peak = 10.0 ** ((b - 0.25 * (a - c) * offset) / 20.0)
    decay = np.exp(-np.outer(np.nan_to_num(rates), np.arange(n) / sample_rate)) @ np.hanning(n)
    amplitudes = 2.0 * peak / decay
    order = np.argsort(frequencies)
    levels = 20.0 * np.log10(amplitudes / np.max(amplitudes))
    return Partials(frequencies[order], levels[order], rates[order])


def _movingMedian(values: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """The median of `values` within ±width//2 samples (strided; the ends reuse the nearest full window)."""
    half = width // 2
    padded = np.pad(values, half, mode='edge')
    step = max(1, width // 15)
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)[:, ::step]
    return np.asarray(np.median(windows, axis=1), dtype=np.float64)


def _decayRates(
    x: npt.NDArray[np.float64], sample_rate: float, frequencies: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The decay rate (1/s) of each partial from its amplitude in Hann frames of ≈ 85 ms (hop half a frame): the DFT
    at its exact frequency, fitted by a line in log amplitude from the loudest frame until 30 dB below it; nan where
    fewer than 3 frames qualify."""
    frame = 1 << round(math.log2(0.085 * sample_rate))
    hop = frame // 2
    rates = np.full(len(frequencies), np.nan)
    if len(x) < frame + 2 * hop:
        return rates
    window = np.hanning(frame)
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop] * window
    kernel = np.exp(-2j * np.pi * np.outer(np.arange(frame), frequencies) / sample_rate)
    amplitude = np.abs(frames @ kernel)  # (frames, P)
    times = (np.arange(len(frames)) * hop + frame / 2.0) / sample_rate
    for p in range(len(frequencies)):
        a = amplitude[:, p]
        start = int(np.argmax(a))
        below = np.flatnonzero(a[start:] < a[start] * 10.0 ** (-30.0 / 20.0))
        stop = start + (int(below[0]) if below.size else len(a) - start)
        if stop - start >= 3:
            rates[p] = max(0.0, -float(np.polyfit(times[start:stop], np.log(a[start:stop]), 1)[0]))
    return rates


def _distinct(frequencies: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    F = np.sort(frequencies)
    return np.asarray(F[np.concatenate([[True], np.diff(1200.0 * np.log2(F)) > 0.5])], dtype=np.float64)


def _distances(partials: Partials, modes: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(cents from each partial to the nearest mode, and from the lowest mode to the nearest partial; weights):
    the terms of `partialDistance`, the last the lowest mode's, weighted as the mean partial."""
    F = np.sort(np.asarray(modes, dtype=np.float64))
    f = partials.frequencies
    index = np.clip(np.searchsorted(F, f), 1, len(F) - 1)
    nearest = np.minimum(np.abs(cents(f, F[index - 1])), np.abs(cents(f, F[index])))
    lowest = np.min(np.abs(cents(F[0], f)))
    w = partials.weights
    return np.append(nearest, lowest), np.append(w, np.mean(w))


def partialDistance(partials: Partials, modes: npt.ArrayLike) -> float:
    """How badly `modes` (Hz) explain the partials, in cents²: the weighted mean of min(d, 50)² over the distances d
    from each partial to the nearest mode and from the lowest mode (which any strike excites) to the nearest
    partial, that last term weighted as the mean partial (a drum much larger than the sound's has modes for every
    partial, but a fundamental the sound lacks)."""
    d, w = _distances(partials, modes)
    return float(np.sum(w * np.minimum(d, _CAP) ** 2) / np.sum(w))


def _smoothDistance(partials: Partials, modes: npt.NDArray[np.float64]) -> float:
    """partialDistance with a smooth cap, C²·(1 − exp(−d²/C²)), for the Nelder–Mead polish."""
    d, w = _distances(partials, modes)
    return float(np.sum(w * _CAP**2 * (1.0 - np.exp(-((d / _CAP) ** 2)))) / np.sum(w))


def spectralDistance(target: npt.ArrayLike, other: npt.ArrayLike) -> float:
    """The log-magnitude multi-resolution STFT distance (dB) of a waveform (L,) from a target (L,) of one sample rate:
    the mean over Hann STFTs of 512, 2048 and 8192 samples (hop a quarter) of |max(T, m) − max(Y, m)|, T and Y the
    levels 20·log10(|STFT| + 1e-4) of each waveform scaled to unit RMS, m the median of T (what lies below the
    target's median level, its noise floor or silence, does not count). Shorter waveforms are zero-padded."""
    import torch

    a = torch.as_tensor(np.asarray(target, dtype=np.float64))
    b = torch.as_tensor(np.asarray(other, dtype=np.float64))
    return float(_stftDistance(a, b))


def _logSpectra(x: Any) -> list[Any]:
    """20·log10(|STFT| + 1e-4) of a waveform tensor scaled to unit RMS, at each of _STFT_SIZES (Hann, hop 1/4)."""
    import torch

    x = x / x.square().mean().sqrt().clamp_min(1e-12)
    return [
        20.0
        * torch.log10(
            torch.stft(x, size, size // 4, window=torch.hann_window(size, dtype=x.dtype), return_complex=True).abs()
            + 1e-4
        )
        for size in _STFT_SIZES
    ]


def _stftDistance(a: Any, b: Any) -> Any:
    """`spectralDistance` of two waveform tensors (differentiable); a may be given as its `_logSpectra`."""
    import torch

    if isinstance(a, list):
        spectra_a, spectra_b = a, _logSpectra(b)
    else:
        n = max(a.shape[-1], b.shape[-1])
        a = torch.nn.functional.pad(a, (0, n - a.shape[-1]))
        b = torch.nn.functional.pad(b, (0, n - b.shape[-1]))
        spectra_a, spectra_b = _logSpectra(a), _logSpectra(b)
    total = 0.0
    for x, y in zip(spectra_a, spectra_b, strict=True):
        floor = x.detach().median()  # below the target's median level: its noise, or nothing heard
        total = total + (x.clamp_min(floor) - y.clamp_min(floor)).abs().mean()
    return total / len(_STFT_SIZES)


@dataclass(frozen=True)
class MatchResult:
    """What `matchWaveform` found. drum, strike, pickup (relative polar points), strike_duration (s): the matched
    drum; network / network_drum: the network's prediction and its drum (network geometry, the same fitted damping,
    strike and pickup); distance_network / distance_matched: `spectralDistance` (dB) to the target of each;
    partial_distance_network / _matched: `partialDistance` (cents²); partials: the target's; waveform: the matched
    drum's sound, float64 (L,) at sample_rate (Hz), as long as the target excerpt."""

    drum: Drum
    strike: Point
    pickup: Point
    strike_duration: float
    network: dict[str, Any]
    network_drum: Drum
    distance_network: float
    distance_matched: float
    partial_distance_network: float
    partial_distance_matched: float
    partials: Partials
    waveform: npt.NDArray[np.float64]
    target: npt.NDArray[np.float64]
    sample_rate: int
    wave_speed_source: str = 'given'

    def toDict(self) -> dict[str, Any]:
        """JSON-ready: the drum (`Drum.toDict` with its fundamental and first partials), strike, pickup, the
        network's prediction and drum, both distances, the target's partials."""
        from .design import drumSummary

        network = {key: value for key, value in self.network.items() if key != 'outline'}
        return {
            'drum': drumSummary(self.drum),
            'strike': list(self.strike),
            'pickup': list(self.pickup),
            'strike_duration': self.strike_duration,
            'wave_speed_source': self.wave_speed_source,
            'network': network,
            'network_drum': drumSummary(self.network_drum),
            'distance_db': {'network': self.distance_network, 'matched': self.distance_matched},
            'partial_distance_cents2': {
                'network': self.partial_distance_network,
                'matched': self.partial_distance_matched,
            },
            'target_partials': {
                'frequencies': self.partials.frequencies.tolist(),
                'levels_db': self.partials.levels.tolist(),
                'decay_rates': [None if not math.isfinite(v) else v for v in self.partials.decay_rates.tolist()],
            },
            'sample_rate': self.sample_rate,
        }


def _networkDrum(family: str, prediction: Mapping[str, Any], wave_speed: float) -> Drum:
    """The drum of a network prediction (drum_size in m at wave_speed; aspect_ratio; outline in m)."""
    size = float(prediction['drum_size'])
    if family == 'rectangle':
        return Drum('rectangle', size, wave_speed, aspect_ratio=max(1.0, float(prediction['aspect_ratio'])))
    if family == 'polygon':
        outline = prediction.get('outline') or []
        if len(outline) < 3:
            raise ValueError('the network predicted no outline for this sound: is it a drum of the polygon family?')
        return Drum.fromOutline(outline, wave_speed=wave_speed)
    return Drum('circle', size, wave_speed)


def _fitFrequencies(drum: Drum, partials: Partials, searched: bool) -> Drum:
    """Step 3 of the module docstring: the size (and a rectangle's ε) that best explain the partials' frequencies,
    near the network's fundamental."""
    f_net = drum.fundamental

    @functools.cache  # one mode table per aspect ratio: cost() asks again at every step
    def unitModes(eps: float) -> npt.NDArray[np.float64]:
        shaped = replace(drum, drum_size=1.0, aspect_ratio=eps) if drum.family == 'rectangle' else drum.scaled(1.0)
        return _distinct(replace(shaped, stiffness=0.0).modes()[0])

    prior = 1e-5  # cents² per cent² of distance from the network's fundamental: breaks ties only

    def cost(log_size: float, eps: float, smooth: bool) -> float:
        modes = unitModes(eps) / math.exp(log_size)
        distance = _smoothDistance(partials, modes) if smooth else partialDistance(partials, modes)
        return distance + prior * float(cents(modes[0], f_net)) ** 2

    strong = partials.frequencies[(partials.levels >= -40.0)]
    grid = [drum.aspect_ratio]
    if drum.family == 'rectangle' and searched:
        grid += list(np.geomspace(1.0, 4.0, 121))
    best = (
        cost(math.log(drum.drum_size), drum.aspect_ratio, smooth=False),
        math.log(drum.drum_size),
        drum.aspect_ratio,
    )
    for eps in grid:
        unit = unitModes(eps)
        # each strong peak as mode j (the fundamental may be masked), but a polygon's outline is the network's guess:
        # only its fundamental is trusted
        for j in range(1 if drum.family == 'polygon' else min(_ANCHOR_MODES, len(unit))):
            for f in strong:
                log_size = math.log(unit[j] / f)
                if not 0.5 <= unit[0] / math.exp(log_size) / f_net <= 2.0:
                    continue
                value = cost(log_size, eps, smooth=False)
                if value < best[0]:
                    best = (value, log_size, eps)
    _, log_size, eps = best
    if drum.family == 'polygon':  # the outline is the network's, not the drum's: the anchored mode sits on the peak
        return drum.scaled(math.exp(log_size))
    if drum.family == 'rectangle':

        def costOfBoth(p: npt.NDArray[np.float64]) -> float:
            return cost(float(p[0]), max(1.0, math.exp(float(p[1]))), smooth=True)

        polished = optimize.minimize(
            costOfBoth, np.array([log_size, math.log(eps)]),
            method='Nelder-Mead', options={'xatol': 1e-7, 'fatol': 1e-9, 'maxiter': 400},
        )  # fmt: skip
        log_size, eps = float(polished.x[0]), max(1.0, math.exp(float(polished.x[1])))
        return replace(drum, drum_size=math.exp(log_size), aspect_ratio=eps)
    polished_1d = optimize.minimize_scalar(
        lambda s: cost(s, eps, smooth=True), bracket=(log_size - 2e-3, log_size + 2e-3), tol=1e-10
    )
    return drum.scaled(math.exp(float(polished_1d.x)))


def _fitDamping(drum: Drum, partials: Partials) -> Drum:
    """Step 4: σ₀ + σ₁ω² fitted to the measured decay rates (weighted by the partials' weights)."""
    measured = np.isfinite(partials.decay_rates)
    if np.count_nonzero(measured) == 0:
        return drum
    omega = 2.0 * np.pi * partials.frequencies[measured]
    w = np.sqrt(partials.weights[measured])
    rates = partials.decay_rates[measured]
    if np.count_nonzero(measured) >= 2 and np.ptp(omega) > 0.0:
        (sigma0, sigma1), _ = optimize.nnls(np.stack([w, w * omega**2], axis=1), w * rates)
    else:
        sigma0, sigma1 = float(rates[0]), 0.0
    sigma0 = max(float(sigma0), _LN1000 / 60.0)  # T60 at most a minute
    decay_time = _LN1000 / sigma0
    high = drum.decay_frequency_high
    decay_time_high = _LN1000 / (sigma0 + float(sigma1) * (2.0 * np.pi * high) ** 2) if sigma1 > 0.0 else None
    return replace(drum, decay_time=decay_time, decay_time_high=decay_time_high)


_RHOS = (0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9)
_DURATIONS = (0.0, 0.5e-3, 1e-3, 2e-3, 4e-3)
_STARTS = 4  # Nelder–Mead starts of the excitation search


def _candidatePoints(family: str) -> list[Point]:
    if family == 'circle':
        return [(rho, 0.0) for rho in _RHOS]
    angles = np.arange(8) * np.pi / 4.0
    return [(0.0, 0.0)] + [(rho, float(theta)) for rho in _RHOS[1:] for theta in angles]


def _pickupPoints(family: str) -> list[Point]:
    if family == 'circle':
        return [(rho, float(theta)) for rho in _RHOS for theta in np.arange(9) * np.pi / 8.0]
    return _candidatePoints(family)


def _pulse(F: npt.NDArray[np.float64], duration: float) -> npt.NDArray[np.float64]:
    """|spectrum| of the raised-cosine force pulse of `duration` s at F Hz: |sinc(fτ) / (1 − (fτ)²)|."""
    if duration == 0.0:
        return np.ones_like(F)
    u = F * duration
    near = np.abs(1.0 - u**2) < 1e-9
    return np.asarray(np.where(near, 0.5, np.abs(np.sinc(u) / np.where(near, 1.0, 1.0 - u**2))), dtype=np.float64)


def _levelError(
    F: npt.NDArray[np.float64],
    amplitudes: npt.NDArray[np.float64],
    partials: Partials,
) -> npt.NDArray[np.float64]:
    """How badly modes of frequencies F (K,) Hz with amplitudes (..., K) reproduce the partials' levels: the weighted
    mean squared dB error of the modes nearest the partials (within 30 cents; a level offset fitted), plus, for
    modes below 1.05 × the highest partial that no partial explains, how far (dB) they rise above the weakest
    partial, squared and averaged; float64 (...). Modes within 0.5 cent of each other sound as one: they add."""
    group = np.concatenate([[0], np.cumsum(np.diff(1200.0 * np.log2(F)) > 0.5)])
    G = int(group[-1]) + 1
    merge = np.zeros((len(F), G))
    merge[np.arange(len(F)), group] = 1.0
    centres = (merge.T @ F) / merge.sum(axis=0)
    f = partials.frequencies
    nearest = np.argmin(np.abs(cents(f[:, None], centres[None, :])), axis=1)
    matched = np.abs(cents(f, centres[nearest])) <= 30.0
    heard = np.zeros(G, dtype=bool)
    heard[nearest[matched]] = True
    audible = centres <= 1.05 * f.max()
    w = partials.weights[matched]
    levels = 20.0 * np.log10(np.abs(amplitudes @ merge) + 1e-300)
    residual = partials.levels[matched] - levels[..., nearest[matched]]
    offset = np.sum(w * residual, axis=-1, keepdims=True) / np.sum(w)
    error = np.sum(w * (residual - offset) ** 2, axis=-1) / np.sum(w)
    loud = levels + offset - float(partials.levels.min())
    missing = np.where(audible & ~heard, np.clip(loud, 0.0, 60.0), 0.0)
    return np.asarray(error + np.sum(missing**2, axis=-1) / G, dtype=np.float64)


def _excitations(drum: Drum, partials: Partials, sample_rate: float) -> list[tuple[Point, Point, float]]:
    """Step 5: strikes, pickups and strike durations whose modal levels reproduce the partials' levels
    (`_levelError`): a grid, then Nelder–Mead from each of its _STARTS best points (the error is rough); the grid's
    best and each polished point, best first."""
    strikes, pickups = _candidatePoints(drum.family), _pickupPoints(drum.family)
    F, S, P, scale = drum.modeFactors(strikes, pickups)
    keep = F < 0.45 * sample_rate
    F = F[keep]
    found = []
    for duration in _DURATIONS:
        weights = scale[keep] * _pulse(F, duration)
        error = _levelError(F, S[:, None, keep] * P[None, :, keep] * weights, partials)
        for flat in np.argsort(error, axis=None)[:_STARTS]:
            i, j = np.unravel_index(int(flat), error.shape)
            found.append((float(error[i, j]), strikes[i], pickups[j], duration))
    found.sort(key=lambda entry: entry[0])
    circle = drum.family == 'circle'

    def points(p: npt.NDArray[np.float64]) -> tuple[Point, Point]:
        rho = np.clip(p[[0, 2 if not circle else 1]], 0.0, 0.95)
        if circle:
            return (float(rho[0]), 0.0), (float(rho[1]), float(p[2]))
        return (float(rho[0]), float(p[1])), (float(rho[1]), float(p[3]))

    results = [found[0]]
    for _, strike, pickup, duration in found[:_STARTS]:

        def cost(p: npt.NDArray[np.float64], duration: float = duration) -> float:
            s, o = points(p)
            F_, S_, P_, scale_ = drum.modeFactors([s], [o])
            keep_ = F_ < 0.45 * sample_rate
            amplitudes = S_[0, keep_] * P_[0, keep_] * scale_[keep_] * _pulse(F_[keep_], duration)
            return float(_levelError(F_[keep_], amplitudes, partials))

        start = [strike[0], pickup[0], pickup[1]] if circle else [strike[0], strike[1], pickup[0], pickup[1]]
        polished = optimize.minimize(cost, start, method='Nelder-Mead',
                                     options={'xatol': 1e-3, 'fatol': 1e-4, 'maxfev': 200})  # fmt: skip
        results.append((float(polished.fun), *points(polished.x), duration))
    results.sort(key=lambda entry: entry[0])
    return [(strike, pickup, duration) for _, strike, pickup, duration in results]


def _polish(
    drum: Drum, strike: Point, pickup: Point, duration: float, target: npt.NDArray[np.float64], sample_rate: int,
    steps: int = 20,
) -> Drum:  # fmt: skip
    """Step 6: Adam on (log σ₀, log σ₁) through the torch modal synthesis and `_stftDistance` (the first half
    second), keeping the best step."""
    import torch

    F, A = drum.modes(strike, pickup)
    A = A * _pulse(F, duration)
    keep = (F < 0.45 * sample_rate) & (np.abs(A) >= 1e-4 * np.max(np.abs(A)))
    F, A = F[keep], A[keep]
    sigma0 = _LN1000 / drum.decay_time
    high = 2.0 * math.pi * drum.decay_frequency_high
    sigma1 = (_LN1000 / drum.decay_time_high - sigma0) / high**2 if drum.decay_time_high is not None else 0.0
    n = min(len(target), sample_rate // 2)
    t = torch.arange(n, dtype=torch.float32) / sample_rate
    goal = _logSpectra(torch.as_tensor(target[:n], dtype=torch.float32))
    omega = torch.as_tensor(2.0 * np.pi * F, dtype=torch.float32)
    sines = torch.as_tensor(A, dtype=torch.float32)[:, None] * torch.sin(omega[:, None] * t)
    log_s0 = torch.tensor(math.log(sigma0), requires_grad=True)
    log_s1 = torch.tensor(math.log(max(sigma1, 1e-13)), requires_grad=True)
    optimiser = torch.optim.Adam([log_s0, log_s1], lr=0.05)

    def synthesise() -> Any:
        rates = log_s0.exp() + log_s1.exp() * omega.square()
        return (torch.exp(-rates[:, None] * t) * sines).sum(0)

    best = (math.inf, log_s0.item(), log_s1.item())
    for _ in range(steps):
        optimiser.zero_grad()
        loss = _stftDistance(goal, synthesise())
        if loss.item() < best[0]:  # the loss of the parameters before this step
            best = (loss.item(), log_s0.item(), log_s1.item())
        loss.backward()
        optimiser.step()
    s0, s1 = math.exp(best[1]), math.exp(best[2])
    s0 = max(s0, _LN1000 / 60.0)
    decay_time_high = _LN1000 / (s0 + s1 * high**2) if s1 * high**2 > 1e-6 * s0 else None
    return replace(drum, decay_time=_LN1000 / s0, decay_time_high=decay_time_high)


def matchWaveform(
    waveform: npt.ArrayLike,
    sample_rate: int,
    family: str = 'circle',
    wave_speed: float | None = None,
    predictor: Any = None,
    duration: float = 2.0,
    refine: bool = True,
    wave_speed_source: str = 'given',
    progressbar: bool = False,
) -> MatchResult:
    """The drum of `family` ('circle', 'rectangle', 'polygon') that best reproduces a waveform (L,) or (L, C) at
    sample_rate (Hz), for a membrane of wave_speed c (m/s; default 100, the training default): the module docstring.
    predictor: an inference.Predictor (default: the shipped model of the family). duration: s of the sound analysed
    from its onset. refine False: the network's drum with fitted damping and excitation only. progressbar: a tqdm
    bar over the stages, on stderr."""
    from tqdm import tqdm

    family = checkChoice('family', family, DRUM_FAMILIES)
    c = 100.0 if wave_speed is None else checkNumber('wave_speed', wave_speed, 'm/s')
    duration = checkNumber('duration', duration, 's')
    rate = int(sample_rate)
    target = soundFromOnset(waveform, rate, duration)
    if predictor is None:
        from ..models import loadPretrained

        predictor = loadPretrained(family)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # quality warnings are the caller's to give; no default-c warning: c is given
        prediction = predictor.predictWaveform(np.asarray(waveform, dtype=np.float64), rate, wave_speed=c)
    network_drum = _networkDrum(family, prediction, c)
    bar = tqdm(total=5, desc='Matching', unit=' stages', disable=not progressbar, leave=False)
    bar.set_postfix_str('partials')
    partials = analysePartials(target, rate)
    bar.update()
    fitted = network_drum
    if refine:
        bar.set_postfix_str('frequencies')
        candidate = _fitFrequencies(network_drum, partials, searched=True)
        if partialDistance(partials, candidate.modes()[0]) <= partialDistance(partials, network_drum.modes()[0]):
            fitted = candidate
    bar.update()
    fitted = _fitDamping(fitted, partials)
    bar.set_postfix_str('strike and pickup')
    # of the excitations that reproduce the levels about as well, the one whose sound is nearest the target's
    seconds = len(target) / rate
    strike, pickup, pulse = min(
        _excitations(fitted, partials, rate),
        key=lambda e: spectralDistance(target, renderDrum(fitted, e[0], e[1], seconds, rate, e[2], amplitude=0.9)),
    )
    bar.update()
    network_drum = replace(fitted, drum_size=network_drum.drum_size, aspect_ratio=network_drum.aspect_ratio)

    def render(drum: Drum) -> npt.NDArray[np.float64]:
        return renderDrum(drum, strike, pickup, len(target) / rate, rate, pulse, amplitude=0.9)

    network_sound = render(network_drum)
    distance_network = spectralDistance(target, network_sound)
    matched, sound = fitted, render(fitted)
    distance = spectralDistance(target, sound)
    bar.update()
    if refine:
        bar.set_postfix_str('damping (torch)')
        polished = _polish(fitted, strike, pickup, pulse, target, rate)
        polished_sound = render(polished)
        polished_distance = spectralDistance(target, polished_sound)
        if polished_distance < distance:
            matched, sound, distance = polished, polished_sound, polished_distance
    bar.update()
    bar.close()
    return MatchResult(
        drum=matched, strike=strike, pickup=pickup, strike_duration=pulse, network=dict(prediction),
        network_drum=network_drum, distance_network=distance_network, distance_matched=distance,
        partial_distance_network=partialDistance(partials, network_drum.modes(strike, pickup)[0]),
        partial_distance_matched=partialDistance(partials, matched.modes(strike, pickup)[0]),
        partials=partials, waveform=sound, target=target, sample_rate=rate, wave_speed_source=wave_speed_source,
    )  # fmt: skip


def matchFile(
    target: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    family: str = 'circle',
    wave_speed: float | None = None,
    material: str | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    duration: float = 2.0,
    overwrite: bool = False,
    plot: bool = True,
    progressbar: bool = True,
) -> dict[str, Any]:
    """`matchWaveform` of an audio file (a progress bar on stderr unless progressbar is False), written to
    output_dir: match.wav (the matched drum, 24-bit, at the target's rate), match.png (`plotMatch`) and match.json
    (`MatchResult.toDict` plus the target's path and the wave speed's source). wave_speed (m/s) or material (a name
    in orchestrate.materials), not both; neither: 100 m/s. checkpoint: a run directory or .pt of the family's
    routine instead of the shipped model. A directory holding files of another command is refused unless overwrite.
    Returns match.json's content."""
    import soundfile as sf

    from .._io import atomicPath, claimDirectory, writeJSON
    from ..inference.audio import readAudioFile
    from .materials import waveSpeed
    from .plots import plotMatch

    c, source = waveSpeed(wave_speed, material)
    waveform, rate = readAudioFile(target)
    predictor = None
    if checkpoint is not None:
        from ..inference import loadPredictor

        predictor = loadPredictor(checkpoint)
    result = matchWaveform(waveform, rate, family, c, predictor, duration, wave_speed_source=source,
                           progressbar=progressbar)  # fmt: skip
    directory = claimDirectory(output_dir, 'match.json', overwrite)
    with atomicPath(directory / 'match.wav') as temporary:
        sf.write(temporary, result.waveform, rate, subtype='PCM_24', format='WAV')
    content = {'target': os.fspath(target), **result.toDict(), 'wav': 'match.wav'}
    if plot:
        title = f'{os.path.basename(os.fspath(target))}: fundamental {result.drum.fundamental:.2f} Hz'
        plotMatch(result.target, result.waveform, rate, result.drum, result.strike, result.pickup,
                  directory / 'match.png', title)  # fmt: skip
        content['plot'] = 'match.png'
    writeJSON(directory / 'match.json', content)
    return content
