"""Modal physics against independent results: Bessel zeros, rectangular modes, decay, Nyquist, mode selection."""

import math

import numpy as np
import pytest
from scipy import integrate, signal, special
from spectral import matchedPeaks, spectralPeaks

from kac_prediction.physics import (
    circularAmplitudes,
    circularFrequencies,
    circularSeries,
    decayRate,
    equilateralTriangleAmplitudes,
    equilateralTriangleFrequencies,
    modalSynthesis,
    rectangularAmplitudes,
    rectangularFrequencies,
    rectangularSeries,
)

C = 100.0  # m/s: sqrt(2000 N/m / 0.2 kg/m²)
FS = 48000


def test_circular_series_are_bessel_zeros() -> None:
    z = circularSeries(4, 5)
    assert z.shape == (4, 5)
    for n in range(4):
        assert np.allclose(special.jv(n, z[n]), 0.0, atol=1e-12)
    assert z[0, 0] == pytest.approx(2.404825557695773)
    assert z[1, 0] == pytest.approx(3.831705970207512)


def test_circular_frequencies_follow_the_diameter() -> None:
    # f_01 of a 0.5 m drum at c = 100 m/s: 2.4048 · 100 / (π · 0.5)
    f = circularFrequencies(3, 3, 0.5, C)
    assert f[0, 0] == pytest.approx(2.404825557695773 * 100.0 / (math.pi * 0.5))
    assert np.allclose(circularFrequencies(3, 3, [0.5, 1.0], C)[1], f / 2.0)


def test_circular_mode_norms_match_numerical_integrals() -> None:
    # with strike = listening = (r, θ) the amplitude of mode (n, m) is J_n(z r)² / (ω ‖φ‖²) for the combined pair
    L, r = 0.8, 0.37
    a = L / 2.0
    amplitudes = circularAmplitudes((r, 0.0), (r, 0.0), 3, 3, L, C)
    z = special.jn_zeros(0, 3), special.jn_zeros(1, 3), special.jn_zeros(2, 3)
    for n in range(3):
        for m in range(3):
            radial = integrate.quad(lambda s, n=n, m=m: special.jv(n, z[n][m] * s / a) ** 2 * s, 0.0, a)[0]
            norm = radial * (2.0 * math.pi if n == 0 else math.pi)  # ∫cos² nθ dθ = π for n ≥ 1
            omega = z[n][m] * C / a
            expected = special.jv(n, z[n][m] * r) ** 2 / (omega * norm)
            assert amplitudes[n, m] == pytest.approx(expected, rel=1e-7)


def test_rectangular_frequencies_are_the_analytic_modes() -> None:
    L, eps = 0.6, 2.5
    Lx, Ly = L * math.sqrt(eps), L / math.sqrt(eps)
    f = rectangularFrequencies(4, 5, L, eps, C)
    for n in range(1, 5):
        for m in range(1, 6):
            assert f[n - 1, m - 1] == pytest.approx(C / 2.0 * math.hypot(m / Lx, n / Ly))
    assert rectangularSeries(2, 2, 1.0)[0, 0] == pytest.approx(math.sqrt(2.0))


def test_rectangular_amplitudes_use_the_unit_norm() -> None:
    L, eps = 0.5, 1.7
    a = rectangularAmplitudes((0.3, 0.6), (0.5, 0.5), 2, 2, L, eps, C)
    omega = 2.0 * math.pi * rectangularFrequencies(2, 2, L, eps, C)
    # ‖sin(mπx) sin(nπy)‖² over the Lx × Ly plate is Lx·Ly/4 = L²/4
    expected = (
        np.array([[math.sin(math.pi * 0.3 * m) * math.sin(math.pi * 0.6 * n) for m in (1, 2)] for n in (1, 2)])
        * np.array([[math.sin(math.pi * 0.5 * m) * math.sin(math.pi * 0.5 * n) for m in (1, 2)] for n in (1, 2)])
        / (omega * L**2 / 4.0)
    )
    assert np.allclose(a, expected, rtol=1e-12, atol=1e-18)


def test_synthesis_matches_a_direct_sum_of_sines() -> None:
    rng = np.random.default_rng(0)
    F = rng.uniform(30.0, 20000.0, size=(3, 17))
    A = rng.normal(size=(3, 17))
    length, decay = 12345, 0.7
    w = modalSynthesis(F, A, length, FS, decay, amplitude=0.8)
    t = np.arange(length) / FS
    for b in range(3):
        direct = math.e ** (-3.0 * math.log(10.0) / decay * t) * (A[b] @ np.sin(2.0 * math.pi * np.outer(F[b], t)))
        direct *= 0.8 / np.abs(direct).max()
        assert np.abs(w[b] - direct).max() < 1e-10
        assert np.abs(w[b]).max() == pytest.approx(0.8)
    assert w[:, 0].tolist() == [0.0, 0.0, 0.0]


def test_decay_time_is_minus_60_db() -> None:
    T60 = 0.4
    w = modalSynthesis([[441.0]], [[1.0]], FS, FS, T60)[0]
    crests, _ = signal.find_peaks(w)  # one crest per period: the envelope sampled at those times
    level_db = 20.0 * np.log10(w[crests] / w[crests[0]])
    drop = np.interp(crests[0] / FS + T60, crests / FS, level_db)
    assert drop == pytest.approx(-60.0, abs=1.0)
    assert decayRate(math.inf) == 0.0
    assert decayRate(2.0) == pytest.approx(3.0 * math.log(10.0) / 2.0)


def test_modes_at_or_above_nyquist_are_dropped() -> None:
    fs = 8000
    w = modalSynthesis([[3999.0, 4000.0, 5000.0, 9000.0]], [[0.0, 1.0, 1.0, 1.0]], fs, fs)
    assert not np.any(w)  # nothing below Nyquist sounds, so nothing at all
    kept = modalSynthesis([[1000.0, 4000.0, 5000.0]], [[1.0, 1.0, 1.0]], fs, fs)[0]
    t = np.arange(fs) / fs
    assert np.allclose(kept, np.sin(2.0 * math.pi * 1000.0 * t), atol=1e-9)


def test_small_circle_at_a_low_sample_rate_has_no_aliases() -> None:
    fs, L = 8000, 0.1
    F = circularFrequencies(10, 10, L, C)
    assert F.max() > fs / 2  # the test needs modes above Nyquist
    A = circularAmplitudes((0.43, 1.0), (0.2, 0.3), 10, 10, L, C)
    w = modalSynthesis(F[None], A[None], fs, fs)[0]
    peaks = spectralPeaks(w, fs, count=40, floor_db=-70.0)
    below = F[F < fs / 2]
    for f in peaks:  # every spectral peak is a mode below Nyquist, none is a folded (aliased) one
        assert np.min(np.abs(below - f)) / f < 2e-3


@pytest.mark.parametrize('seed', range(4))
def test_circle_spectral_peaks_sit_on_bessel_modes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    L = rng.uniform(0.1, 2.0)
    F = np.stack([special.jn_zeros(n, 10) for n in range(10)]) * C / (math.pi * L)  # independent of the code
    A = circularAmplitudes((0.61, 0.4), (0.33, 2.1), 10, 10, L, C)
    w = modalSynthesis(circularFrequencies(10, 10, L, C)[None], A[None], 2 * FS, FS, 2.0)[0]
    assert matchedPeaks(w, FS, F) >= 6


@pytest.mark.parametrize('seed', range(4))
def test_rectangle_spectral_peaks_sit_on_rectangular_modes(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    L, eps = rng.uniform(0.1, 2.0), rng.uniform(1.0, 4.0)
    Lx, Ly = L * math.sqrt(eps), L / math.sqrt(eps)
    F = np.array([[C / 2.0 * math.hypot(m / Lx, n / Ly) for m in range(1, 11)] for n in range(1, 11)])
    A = rectangularAmplitudes((0.31, 0.27), (0.37, 0.61), 10, 10, L, eps, C)
    w = modalSynthesis(rectangularFrequencies(10, 10, L, eps, C)[None], A[None], 2 * FS, FS, 2.0)[0]
    # 2 s of sound: the window's main lobe spans ±2 Hz, so modes 4 Hz apart are resolved
    assert matchedPeaks(w, FS, F) >= 4


@pytest.mark.parametrize('seed', range(3))
def test_triangle_spectral_peaks_sit_on_lame_modes(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    L = rng.uniform(0.1, 2.0)
    F = np.array([[2.0 * C / (3.0 * L) * math.sqrt(m * m + m * n + n * n) for m in range(1, 11)] for n in range(1, 11)])
    A = equilateralTriangleAmplitudes((0.2, 0.5, 0.3), (0.25, 0.3, 0.45), 10, 10, L, C)
    w = modalSynthesis(equilateralTriangleFrequencies(10, 10, L, C)[None], A[None], 2 * FS, FS, 2.0)[0]
    assert matchedPeaks(w, FS, F) >= 4  # (m, n) and (n, m) are one eigenvalue


def _fittedModeAmplitudes(w: np.ndarray, F: np.ndarray, decay: float) -> np.ndarray:
    """Least-squares amplitudes of e^(−σt)·sin(2πft) for each f in F: an analysis independent of the synthesiser."""
    t = np.arange(len(w)) / FS
    basis = np.exp(-3.0 * math.log(10.0) / decay * t) * np.sin(2.0 * math.pi * np.outer(F.ravel(), t))
    return np.linalg.lstsq(basis.T, w, rcond=None)[0].reshape(F.shape)


def test_centre_strike_on_a_circle_excites_only_axisymmetric_modes() -> None:
    L = 1.3
    F = circularFrequencies(6, 6, L, C)
    A = circularAmplitudes((0.0, 0.0), (0.0, 0.0), 6, 6, L, C)
    w = modalSynthesis(F[None], A[None], FS // 4, FS, 2.0)[0]
    fitted = np.abs(_fittedModeAmplitudes(w, F, 2.0))
    assert fitted[0].min() > 1e-3 * fitted.max()  # n = 0 sounds
    assert fitted[1:].max() < 1e-6 * fitted.max()  # n ≥ 1 is silent


def test_centre_strike_on_a_rectangle_excites_only_odd_modes() -> None:
    L, eps = 0.9, math.sqrt(3.1)  # an irrational-looking ratio keeps the modes distinct
    F = rectangularFrequencies(6, 6, L, eps, C)
    A = rectangularAmplitudes((0.5, 0.5), (0.5, 0.5), 6, 6, L, eps, C)
    w = modalSynthesis(F[None], A[None], FS // 4, FS, 2.0)[0]
    fitted = np.abs(_fittedModeAmplitudes(w, F, 2.0))
    odd = np.add.outer(np.arange(1, 7) % 2, np.arange(1, 7) % 2) == 2  # m and n both odd
    assert fitted[odd].min() > 1e-4 * fitted.max()
    assert fitted[~odd].max() < 1e-6 * fitted.max()


def test_centre_strike_on_a_triangle_excites_only_modes_symmetric_about_the_centroid() -> None:
    # Lamé: ψ_mn is nonzero at the centroid only if m ≡ n (mod 3) and 3 ∤ m (McCartin 2003)
    L, centre = 0.7, (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0)
    F = equilateralTriangleFrequencies(8, 8, L, C)
    A = equilateralTriangleAmplitudes(centre, centre, 8, 8, L, C)
    w = modalSynthesis(F[None], A[None], FS // 4, FS, 2.0)[0]
    distinct, members = np.unique(np.round(F, 9), return_inverse=True)
    fitted = np.abs(_fittedModeAmplitudes(w, distinct, 2.0))
    n, m = np.meshgrid(np.arange(1, 9), np.arange(1, 9), indexing='ij')
    allowed = ((m - n) % 3 == 0) & (m % 3 != 0)
    sounding = np.zeros(len(distinct), dtype=bool)
    sounding[members.reshape(F.shape)[allowed]] = True
    assert fitted[sounding].min() > 1e-4 * fitted.max()
    assert fitted[~sounding].max() < 1e-6 * fitted.max()


def test_batches_are_bit_identical_to_single_drums() -> None:
    rng = np.random.default_rng(5)
    F, A = rng.uniform(50, 20000, (40, 100)), rng.normal(size=(40, 100))
    batch = modalSynthesis(F, A, 4800, FS, 1.0)
    for b in (0, 13, 31, 32, 39):
        assert np.array_equal(batch[b], modalSynthesis(F[b : b + 1], A[b : b + 1], 4800, FS, 1.0)[0])


@pytest.mark.parametrize(
    ('call', 'message'),
    [
        (lambda: circularSeries(0, 3), 'N must be ≥ 1'),
        (lambda: circularSeries(3, 2.5), 'M must be an int'),
        (lambda: circularFrequencies(3, 3, -1.0, C), 'drum_size must be finite and > 0'),
        (lambda: circularAmplitudes((1.2, 0.0), (0.0, 0.0), 3, 3, 1.0, C), 'strike .* outside the drum'),
        (lambda: circularAmplitudes((0.2, 0.0), (0.0,), 3, 3, 1.0, C), 'listening must have 2 coordinates'),
        (lambda: rectangularAmplitudes((0.5, 1.5), (0.5, 0.5), 3, 3, 1.0, 1.0, C), 'strike .* outside the drum'),
        (lambda: rectangularFrequencies(3, 3, 1.0, 0.0, C), 'aspect_ratio must be finite and > 0'),
        (lambda: equilateralTriangleAmplitudes((0.5, 0.6, -0.1), (0.3, 0.3, 0.4), 3, 3, 1.0, C), 'strike .* outside'),
        (lambda: equilateralTriangleAmplitudes((0.5, 0.5, 0.5), (0.3, 0.3, 0.4), 3, 3, 1.0, C), 'not barycentric'),
        (lambda: equilateralTriangleFrequencies(3, 3, 0.0, C), 'drum_size must be finite and > 0'),
        (lambda: modalSynthesis([[100.0]], [[1.0]], 100, 0, 1.0), 'sample_rate must be finite and > 0'),
        (lambda: modalSynthesis([[100.0]], [[1.0]], 100, FS, -1.0), 'decay_time must be > 0'),
        (lambda: modalSynthesis([100.0], [1.0], 100, FS), 'wrap a single drum'),
        (lambda: modalSynthesis([[100.0]], [[1.0]], 0, FS), 'length must be an int ≥ 1'),
    ],
)
def test_bad_input_names_the_argument(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((ValueError, TypeError), match=message):
        call()
