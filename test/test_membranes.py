"""Membranes as they are: frequency-dependent loss, stiffness, material ranges, the strike's width and duration and
a drawn listening point, each against an analytic result (docs/architecture.md, "Physics conventions").

Loss here is σ(ω) = σ₀ + σ₁ω² with σ₀ = 3·ln(10)/T60 at 0 Hz and σ(2π·f_h) = 3·ln(10)/T60_high, written out below;
decay rates are measured from the audio: the log-magnitude of a Blackman–Harris-windowed DFT at the mode's frequency,
frame by frame, whose slope is −20·σ/ln(10) dB/s for an exponentially decaying sine.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy import signal, special
from spectral import matchedPeaks, spectralPeaks, spectrum

from kac_prediction.physics import (
    fdtdEnergy,
    fdtdReference,
    fdtdSynthesis,
    modalSynthesis,
    rectangularAmplitudes,
    rectangularFrequencies,
    strikeWidthWeights,
)
from kac_prediction.samplers import BesselModel, FDTDModel, LameModel, PoissonModel, itemRNG

ROOT = Path(__file__).resolve().parent.parent
C = 100.0  # m/s, the default material
T_LOW, T_HIGH, F_HIGH = 2.0, 0.1, 500.0  # T60 (s) at 0 Hz and at F_HIGH (Hz)
LOSS = {'decay_time': T_LOW, 'decay_time_high': T_HIGH, 'decay_frequency_high': F_HIGH}
Array = npt.NDArray[np.float64]


def _sigma(f: float | Array) -> float | Array:
    """σ(ω) = σ₀ + σ₁ω² in 1/s at f Hz, for LOSS."""
    sigma0, sigma_high = 3.0 * math.log(10.0) / T_LOW, 3.0 * math.log(10.0) / T_HIGH
    return sigma0 + (sigma_high - sigma0) * (np.asarray(f) / F_HIGH) ** 2


def _decayRate(w: Array, fs: float, f: float, nperseg: int = 4096, hop: int = 128, span_db: float = 40.0) -> float:
    """σ (1/s) of the component of w at f Hz: the slope of its windowed DFT's level over the frames in which it
    falls by less than span_db."""
    window = signal.windows.blackmanharris(nperseg, sym=False)
    starts = np.arange(0, len(w) - nperseg + 1, hop)
    probe = window * np.exp(-2j * np.pi * f * np.arange(nperseg) / fs)
    level = 20.0 * np.log10(np.abs(np.stack([w[s : s + nperseg] for s in starts]) @ probe))
    below = np.flatnonzero(level < level[0] - span_db)
    end = below[0] if below.size else len(level)
    assert end >= 5, 'too few frames to fit a decay'
    return float(-np.polyfit(starts[:end] / fs, level[:end], 1)[0] * math.log(10.0) / 20.0)


def _level(w: Array, fs: float, f: float) -> float:
    """The spectral peak level (dB, parabolically interpolated) of w nearest f Hz (within 3 bins)."""
    log = 20.0 * np.log10(spectrum(w) + 1e-300)
    centre = round(f * 8 * len(w) / fs)
    j = centre - 3 + int(np.argmax(log[centre - 3 : centre + 4]))
    a, b, c = log[j - 1], log[j], log[j + 1]
    offset = 0.5 * (a - c) / (a - 2.0 * b + c)
    return float(b - 0.25 * (a - c) * offset)


def _nearestPeak(w: Array, fs: float, f: float) -> float:
    peaks = spectralPeaks(w, fs, count=40, floor_db=-80.0)
    return float(peaks[np.argmin(np.abs(peaks - f))])


def _pulseSpectrum(f: Array, tau: float) -> Array:
    """|∫ p(t) e^(−2πift) dt| of the unit raised cosine p(t) = (1 − cos(2πt/τ))/τ on [0, τ]: |sinc(fτ)/(1 − (fτ)²)|."""
    x = np.asarray(f) * tau
    return np.asarray(np.abs(np.sinc(x) / (1.0 - x**2)))


# --- frequency-dependent loss ---


def test_each_mode_of_a_modal_drum_decays_at_its_own_T60() -> None:
    """A circle struck and heard at its centre sounds only its well-separated modes (0, m). T60 = 2 s at 0 Hz and
    0.25 s at 1 kHz: σ₁ = (3·ln(10)/0.25 − 3·ln(10)/2) / (2π·1000)²."""
    fs, L = 16000, 0.5
    sampler = BesselModel(1.0, fs, N=1, M=12, drum_size=L, decay_time=2.0, decay_time_high=0.25)
    w = sampler.generateBatch([0])[0][0]
    f = special.jn_zeros(0, 12) * C / (math.pi * L)
    sigma0 = 3.0 * math.log(10.0) / 2.0
    sigma1 = (3.0 * math.log(10.0) / 0.25 - sigma0) / (2.0 * math.pi * 1000.0) ** 2
    T60 = 3.0 * math.log(10.0) / (sigma0 + sigma1 * (2.0 * math.pi * f) ** 2)
    assert T60[0] > 1.7 and T60[3] < 0.45  # 153 Hz and 750 Hz
    for m in (0, 3):
        level_at_T60 = -20.0 / math.log(10.0) * _decayRate(w, fs, f[m], hop=64) * T60[m]
        assert level_at_T60 == pytest.approx(-60.0, abs=1.0), f[m]


def test_decay_time_high_above_decay_time_is_refused() -> None:
    with pytest.raises(ValueError, match=r'decay_time_high .* must not exceed decay_time .*σ₁ ≥ 0'):
        PoissonModel(0.1, 8000, decay_time=1.0, decay_time_high=1.5)
    with pytest.raises(ValueError, match='every value of a range'):
        FDTDModel(0.1, 8000, decay_time=(0.5, 2.0), decay_time_high=(0.2, 0.6))
    with pytest.raises(ValueError, match=r'decay_time_high .* must be ≤ decay_time'):
        modalSynthesis(np.array([[100.0]]), np.array([[1.0]]), 10, 8000, 1.0, decay_time_high=2.0)


def _fdtdAgainstModal(fdtd: Array, modal: Array, fs: float, modes: list[float]) -> None:
    """Each mode (Hz): the FDTD resonance within 1 % of it, decaying at σ of its own frequency within 0.5 dB of the
    T60 and at the modal drum's rate within 1 dB; the modal drum within 0.2 dB of the analytic T60."""
    for f in modes:
        f_fdtd = _nearestPeak(fdtd, fs, f)
        assert abs(f_fdtd - f) < 0.01 * f, (f, f_fdtd)
        sigma_fdtd, sigma_modal = _decayRate(fdtd, fs, f_fdtd), _decayRate(modal, fs, f)
        assert 60.0 * abs(sigma_modal / _sigma(f) - 1.0) < 0.2, (f, sigma_modal, _sigma(f))
        assert 60.0 * abs(sigma_fdtd / _sigma(f_fdtd) - 1.0) < 0.5, (f, sigma_fdtd, _sigma(f_fdtd))
        assert 60.0 * abs(sigma_fdtd / sigma_modal - 1.0) < 1.0, (f, sigma_fdtd, sigma_modal)


def test_fdtd_with_frequency_dependent_loss_agrees_with_the_modal_square() -> None:
    fs = 32000
    h = FDTDModel(0.1, fs, **LOSS).h  # type: ignore[arg-type]
    assert h is not None
    L = 50 * h  # sides on the grid
    sampler = FDTDModel(0.6, fs, arbitrary_shape='UnitRectangle', shape_settings={'epsilon': 1.0}, drum_size=L,
                        listening_location=(0.0, 0.0), seed=3, **LOSS)  # type: ignore[arg-type]  # fmt: skip
    assert sampler.grid(1)['mask'].sum() == 49 * 49
    fdtd, (labels,) = sampler.generateBatch([1])  # a random strike, heard at the centre
    strike = (np.asarray(labels['strike_location']) + 1.0) / 2.0  # canonical [−1, 1]² → units of the sides
    F = rectangularFrequencies(10, 10, L, 1.0, C)
    A = rectangularAmplitudes(strike, (0.5, 0.5), 10, 10, L, 1.0, C) * strikeWidthWeights(2 * np.pi * F / C, 0.01)
    w = modalSynthesis(F[None], A[None], fdtd.shape[1], fs, T_LOW, 1.0, T_HIGH, F_HIGH)[0]
    modes = [C / (2 * L) * math.sqrt(m * m + n * n) for m, n in ((1, 1), (3, 1), (3, 3))]  # heard at the centre
    _fdtdAgainstModal(fdtd[0], w, fs, modes)


def test_fdtd_with_frequency_dependent_loss_agrees_with_the_modal_circle() -> None:
    fs, R, size = 32000, 2, 0.4
    sampler = FDTDModel(0.5, fs, arbitrary_shape='Circle', shape_settings={'r': 1.0}, drum_size=size,
                        oversampling=R, **LOSS)  # type: ignore[arg-type]  # fmt: skip
    fdtd = sampler.generateBatch([0])[0][0]  # struck and heard at the centre
    D = 2.0 * size / math.sqrt(math.pi)
    modal = BesselModel(0.5, fs, N=1, M=20, drum_size=D, strike_width=0.01, **LOSS)  # type: ignore[arg-type]
    w = modal.generateBatch([0])[0][0]
    _fdtdAgainstModal(fdtd, w, fs, list(special.jn_zeros(0, 3) * C / (math.pi * D)))


def test_fdtd_loss_keeps_the_scheme_stable_and_its_energy_falling() -> None:
    fs = 16000
    sampler = FDTDModel(0.1, fs, drum_size=0.15, seed=2, decay_time=math.inf, decay_time_high=0.02)
    grid = sampler.grid(0)
    sigma1 = 3.0 * math.log(10.0) / 0.02 / (2.0 * math.pi * 1000.0) ** 2  # s
    k = 1.0 / fs
    assert grid['h'] == pytest.approx(C * math.sqrt(k * (k + 4.0 * sigma1)) * math.sqrt(2.0), rel=1e-12)
    E = fdtdEnergy(grid['mask'], grid['h'], C, math.inf, fs, 4000, grid['strike'], 0.01, 1, 0.02)
    assert np.all(np.diff(E) <= 1e-12 * E[0]) and E[-1] < 1e-3 * E[0] and E.min() >= 0.0
    with pytest.raises(ValueError, match=r'sqrt\(k·\(k \+ 4σ₁\)\)/h = .* exceeds the stability bound'):
        fdtdReference(grid['mask'], 0.999 * grid['h'], C, math.inf, fs, 10, grid['strike'], grid['listening'],
                      decay_time_high=0.02)  # fmt: skip


# --- stiffness ---


def test_stiff_circle_and_rectangle_sound_at_sqrt_of_c2_lambda_plus_kappa2_lambda2() -> None:
    fs, kappa = 16000, 0.8  # m²/s
    circle = BesselModel(1.0, fs, seed=1, drum_size=0.6, stiffness=kappa, listening_location=(0.4, 1.0))
    w = circle.generateBatch([1])[0][0]
    lam = (np.stack([special.jn_zeros(n, 10) for n in range(10)]) / 0.3) ** 2
    stiff = np.sqrt(C**2 * lam + kappa**2 * lam**2) / (2.0 * math.pi)
    assert matchedPeaks(w, fs, stiff, count=10) >= 4
    assert np.max(stiff / (C * np.sqrt(lam) / (2.0 * math.pi)))[()] > 1.05  # the shift is far beyond 0.2 %
    L, eps = 0.5, 1.7
    Lx, Ly = L * math.sqrt(eps), L / math.sqrt(eps)
    rectangle = PoissonModel(1.0, fs, seed=1, drum_size=L, aspect_ratio=eps, stiffness=kappa,
                             listening_location=(0.31, 0.43))  # fmt: skip
    w = rectangle.generateBatch([1])[0][0]
    m, n = np.meshgrid(np.arange(1, 11), np.arange(1, 11))
    lam = np.pi**2 * (m**2 / Lx**2 + n**2 / Ly**2)
    assert matchedPeaks(w, fs, np.sqrt(C**2 * lam + kappa**2 * lam**2) / (2.0 * math.pi), count=10) >= 4


# --- material ranges ---


def test_wave_speed_is_drawn_per_drum_and_sets_the_resonances() -> None:
    fs, L, seed = 16000, 0.5, 7
    sampler = BesselModel(1.0, fs, N=1, M=4, drum_size=L, tension=(1000.0, 4000.0), material_density=(0.1, 0.4),
                          seed=seed, strikes_per_drum=2)  # fmt: skip
    waveforms, labels = sampler.generateBatch([0, 1, 2, 4])
    speeds = [y['wave_speed'][0] for y in labels]
    assert speeds[0] == speeds[1] and len({speeds[0], speeds[2], speeds[3]}) == 3
    for w, y in zip(waveforms[[0, 2, 3]], labels[:1] + labels[2:], strict=True):
        rng = itemRNG(seed, 0, y['drum_id'][0])  # the drum's stream: tension, then density (drum_size is fixed)
        tension, density = rng.uniform(1000.0, 4000.0), rng.uniform(0.1, 0.4)
        assert y['wave_speed'][0] == pytest.approx(math.sqrt(tension / density), rel=1e-15)
        f1 = special.jn_zeros(0, 1)[0] * y['wave_speed'][0] / (math.pi * L)
        assert spectralPeaks(w, fs, count=4)[0] == pytest.approx(f1, rel=2e-3)  # the lowest of the four modes
    fixed = BesselModel(0.01, 8000, seed=0).generateBatch([0])[1][0]
    assert fixed['wave_speed'] == [C]


def test_fdtd_grids_follow_the_drawn_wave_speed() -> None:
    sampler = FDTDModel(0.02, 16000, seed=5, tension=(1000.0, 4000.0))
    assert sampler.h is None and sampler.wave_speed is None
    for i in (0, 5, 10):
        grid, labels = sampler.grid(i), sampler.generateBatch([i])[1][0]
        c = labels['wave_speed'][0]
        assert grid['wave_speed'] == c and math.sqrt(1000.0 / 0.2) <= c <= math.sqrt(4000.0 / 0.2)
        assert grid['h'] == pytest.approx(c * math.sqrt(2.0) / 16000, rel=1e-12)


# --- the strike: width and duration ---


def test_a_longer_strike_attenuates_high_modes_by_the_raised_cosine_spectrum() -> None:
    fs, L, tau = 16000, 0.5, 0.002
    f = special.jn_zeros(0, 4) * C / (math.pi * L)  # fτ = 0.31 … 1.5, below the first zero at 2

    def levels(duration: float) -> Array:
        sampler = BesselModel(1.0, fs, N=1, M=10, drum_size=L, strike_duration=duration)
        w = sampler.generateBatch([0])[0][0]
        return np.array([_level(w, fs, x) for x in f])

    measured = (levels(tau) - levels(0.0)) - (levels(tau) - levels(0.0))[0]
    analytic = 20.0 * np.log10(_pulseSpectrum(f, tau) / _pulseSpectrum(f[:1], tau))
    assert analytic[-1] < -14.0
    assert np.abs(measured - analytic).max() < 1.0, (measured, analytic)


def test_fdtd_force_pulse_attenuates_by_the_same_spectrum() -> None:
    fs, tau = 32000, 0.002
    h = FDTDModel(0.1, fs).h
    assert h is not None
    L = 50 * h
    settings = {'arbitrary_shape': 'UnitRectangle', 'shape_settings': {'epsilon': 1.0}, 'drum_size': L, 'seed': 3,
                'listening_location': (0.0, 0.0)}  # fmt: skip
    modes = np.array([C / (2 * L) * math.sqrt(m * m + n * n) for m, n in ((1, 1), (3, 1), (3, 3))])

    def levels(duration: float) -> Array:
        w = FDTDModel(0.5, fs, strike_duration=duration, **settings).generateBatch([1])[0][0]  # type: ignore[arg-type]
        return np.array([_level(w, fs, _nearestPeak(w, fs, f)) for f in modes])

    difference = levels(tau) - levels(0.0)
    analytic = 20.0 * np.log10(_pulseSpectrum(modes, tau) / _pulseSpectrum(modes[:1], tau))
    assert np.abs(difference - difference[0] - analytic).max() < 1.0, (difference - difference[0], analytic)


def test_a_wide_strike_excites_each_mode_by_its_mean_over_the_raised_cosine() -> None:
    """A square of side 1 m, a 10-cm strike (inside the drum: random strikes keep 5 cm from the edges)."""
    settings = {'drum_size': 1.0, 'aspect_ratio': 1.0, 'N': 8, 'M': 8, 'seed': 2, 'listening_location': (0.3, 0.4)}
    width = 0.1
    point = PoissonModel(0.1, 8000, **settings)  # type: ignore[arg-type]
    wide = PoissonModel(0.1, 8000, strike_width=width, **settings)  # type: ignore[arg-type]
    wide.updateProperties(1)
    x_s, y_s = wide.getLabels()['strike_location']
    ratio = wide.modes(1)[1] / point.modes(1)[1]
    # the raised cosine's mean of sin(mπx)·sin(nπy) about the strike, by a 2-D midpoint rule
    radius, count = width / 2.0, 801
    offsets = (np.arange(count) + 0.5) / count * 2.0 * radius - radius
    X, Y = np.meshgrid(offsets, offsets, indexing='ij')
    d = np.hypot(X, Y)
    weights = np.where(d <= radius, 0.5 * (1.0 + np.cos(np.pi * np.minimum(d / radius, 1.0))), 0.0).ravel()
    x, y = x_s + X.ravel(), y_s + Y.ravel()
    checked = 0
    for m, n in ((1, 1), (2, 3), (5, 4), (8, 7), (8, 8)):
        at_centre = math.sin(m * math.pi * x_s) * math.sin(n * math.pi * y_s)
        if abs(at_centre) < 0.2:
            continue
        mean = np.sum(weights * np.sin(m * np.pi * x) * np.sin(n * np.pi * y)) / weights.sum()
        assert ratio[n - 1, m - 1] == pytest.approx(mean / at_centre, rel=1e-4)
        checked += 1
    assert checked >= 3 and ratio[7, 7] < 0.9


# --- the listening point ---


@pytest.mark.parametrize('Sampler', [BesselModel, PoissonModel, LameModel])
def test_a_random_listening_point_is_drawn_per_item_and_regenerates_alone(Sampler: type[BesselModel]) -> None:
    sampler = Sampler(0.05, 8000, seed=4, listening_location='random')
    batch, labels = sampler.generateBatch(range(10))
    heard = [tuple(y['sample_location']) for y in labels]
    assert len(set(heard)) == 10
    assert labels[0]['strike_location'] == labels[5]['strike_location']  # the first strike of a drum: the centre
    lone = Sampler(**sampler.__settings__)
    lone.updateProperties(7)
    lone.generateWaveform()
    assert lone.getLabels() == labels[7] and np.array_equal(lone.waveform, batch[7])
    same_strikes = Sampler(0.05, 8000, seed=4).generateBatch(range(10))[1]
    assert [y['strike_location'] for y in same_strikes] == [y['strike_location'] for y in labels]


def test_fdtd_random_listening_points_lie_inside_the_drum() -> None:
    sampler = FDTDModel(0.02, 16000, seed=1, listening_location='random')
    _, labels = sampler.generateBatch(range(6))
    assert len({tuple(y['sample_location']) for y in labels}) == 6
    for i in range(6):
        grid = sampler.grid(i)
        corner = np.floor(np.asarray(grid['listening']) / grid['h']).astype(int)
        assert grid['mask'][corner[0] : corner[0] + 2, corner[1] : corner[1] + 2].all()


# --- defaults and settings ---


def test_the_general_synthesis_path_matches_the_default_one() -> None:
    F = np.array([[150.0, 730.0, 2222.0], [90.0, 4100.0, 3000.0]])
    A = np.array([[1.0, -0.4, 0.2], [0.3, 1.0, -1.0]])
    default = modalSynthesis(F, A, 3000, 8000, 0.4)
    general = modalSynthesis(F, A, 3000, 8000, np.array([0.4, 0.4]))  # per-drum decay: the general path
    assert np.abs(general - default).max() < 1e-12


@pytest.mark.parametrize(
    ('settings', 'message'),
    [
        ({'tension': (3000.0, 1000.0)}, r'tension must be > 0 \(N/m\): a finite number or a \(min, max\) range'),
        ({'material_density': -0.2}, r'material_density must be a finite number > 0 \(kg/m²\)'),
        ({'stiffness': -1.0}, r'stiffness must be a finite number ≥ 0 \(m²/s'),
        ({'strike_duration': (0.002,)}, r'strike_duration must be ≥ 0 \(s, the force pulse'),
        ({'strike_width': -0.01}, r'strike_width must be a finite number ≥ 0 \(m'),
        ({'decay_frequency_high': 0.0}, r'decay_frequency_high must be a finite number > 0 \(Hz'),
        ({'decay_time_high': 0.0}, r'decay_time_high must be > 0 \(s, the T60 at decay_frequency_high'),
        ({'listening_location': 'anywhere'}, "listening_location must be a point, None .* or 'random'"),
    ],
)
def test_bad_membrane_settings_name_the_setting_and_unit(settings: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        BesselModel(0.1, 8000, **settings)


_CUDA_SIMULATOR = """
import json
import numpy as np
from kac_prediction.physics import fdtdReference, fdtdSynthesis
from kac_prediction.physics.fdtd import cuda, prepare

c, fs, steps, h = 100.0, 15000, 60, 0.0145
loss = dict(decay_time_high=0.002, decay_frequency_high=2000.0)
X, Y = np.meshgrid(np.arange(9), np.arange(8), indexing='ij')
masks = [(X - 4) ** 2 + (Y - 3.5) ** 2 < 10, np.pad(np.ones((4, 5), dtype=bool), 1)]
strikes, listenings = [(4.1 * h, 3.3 * h), (2.2 * h, 3.1 * h)], [(3 * h, 5.2 * h), (3.1 * h, 4 * h)]
durations = [0.0, 0.001]
arguments = (masks, h, c, 0.05, fs)
shared = fdtdSynthesis(*arguments, steps, strikes, listenings, 2 * h, device='cuda', strike_duration=durations, **loss)
drums, _ = prepare.prepareBatch(*arguments, strikes, listenings, 2 * h, 1, strike_duration=durations, **loss)
global_ = cuda.renderCUDA(drums, steps, force_global=True)
errors = []
for b in range(2):
    reference = fdtdReference(masks[b], h, c, 0.05, fs, steps, strikes[b], listenings[b], 2 * h,
                              strike_duration=durations[b], **loss)
    peak = np.abs(reference).max()
    errors.append([float(np.abs(path[b] - reference).max() / peak) for path in (shared, global_)])
print(json.dumps(errors))
"""


def test_general_cuda_kernels_agree_with_the_reference_in_numbas_simulator() -> None:
    environment = {**os.environ, 'NUMBA_ENABLE_CUDASIM': '1'}
    result = subprocess.run([sys.executable, '-c', _CUDA_SIMULATOR], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    errors = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    assert errors.shape == (2, 2) and errors.max() <= 1e-5, errors


def test_compiled_general_kernel_agrees_with_the_reference() -> None:
    sampler = FDTDModel(0.1, 16000, drum_size=0.12, seed=6, **LOSS)  # type: ignore[arg-type]
    grid = sampler.grid(3)
    arguments = (grid['h'], C, T_LOW, 16000, 1600, grid['strike'], grid['listening'], 0.01, 1)
    for extra in (
        {'decay_time_high': T_HIGH, 'decay_frequency_high': F_HIGH, 'strike_duration': 0.0015},
        {'strike_duration': 0.0015},  # the general kernel while the pulse lasts, then the plain one
    ):
        reference = fdtdReference(grid['mask'], *arguments, **extra)  # type: ignore[arg-type]
        double = fdtdSynthesis([grid['mask']], *arguments, precision='float64', **extra)[0]  # type: ignore[arg-type]
        single = fdtdSynthesis([grid['mask']], *arguments, **extra)[0]  # type: ignore[arg-type]
        peak = np.abs(reference).max()
        assert np.abs(double - reference).max() <= 1e-12 * peak and np.abs(single - reference).max() <= 1e-3 * peak
