"""output_type 'spectrum' computed from a decimated signal's FFT against the algorithm it replaced (the whole
waveform's zero-padded float32 torch rfft) and against that algorithm in float64.

Tolerance: |new − reference| ≤ 1e-3 · (reference + 10⁻⁸ · the item's strongest band), per band. SpectrumCRePE reads
log10(P / max P + 10⁻⁸), so this bounds the change of its input by 1e-3 / ln 10 = 4.3·10⁻⁴ in every band: a relative
error of 1e-3 for each band within 80 dB of the item's peak, and below that floor, where the network no longer tells
bands apart, an error of 10⁻¹¹ of the peak. The float32 reference itself is off the float64 values by up to 9·10⁻⁴
(a lone sine above f_max, whose bands are all leakage); the new values are held to the float64 ones at 1e-5.
"""

import numpy as np
import numpy.typing as npt
import pytest
import torch

from kac_prediction.dataset.input_representation import (
    InputRepresentation,
    _halfband,
    _SpectrumPlan,
    logBands,
    spectrumFFTSize,
)
from kac_prediction.samplers import BesselModel

REGRESSION = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}  # routines/regression.py
SHAPE = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0, 'f_max': 10000.0}  # shape_of_polygonal_drum.py
SETTINGS = [
    REGRESSION,
    SHAPE,
    {**REGRESSION, 'f_max': 10000.0},
    {**SHAPE, 'f_max': 4000.0},
]
FLOOR = 1e-8  # SpectrumCRePE's floor, 80 dB below the strongest band
TOLERANCE = 1e-3


def reference(x: npt.ArrayLike, sample_rate: int, settings: dict[str, object]) -> npt.NDArray[np.float64]:
    """The algorithm 'spectrum' had until 2026-12: per row, torch.fft.rfft (float32, one thread) of the peak-normalised
    waveform zero-padded to `spectrumFFTSize`, power summed over `logBands` tap by tap in float32. (B, n_bins)."""
    ir = InputRepresentation(sample_rate, settings)
    s = ir.settings
    waveforms = torch.tensor(np.asarray(x), dtype=torch.float32)
    if s['normalise_input']:
        waveforms = InputRepresentation.normalise(waveforms)
    n_fft = spectrumFFTSize(waveforms.shape[-1], sample_rate, s['n_bins'], s['f_min'], ir.f_max)
    indices, weights = logBands(sample_rate, n_fft, s['n_bins'], s['f_min'], ir.f_max)
    band = torch.arange(s['n_bins']).expand_as(indices)
    keep = weights > 0
    order = torch.argsort(indices[keep] * s['n_bins'] + band[keep])
    bins, bands, taps = indices[keep][order], band[keep][order], weights[keep][order]
    low, high = int(bins[0]), int(bins[-1]) + 1
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        spectrum = torch.stack([torch.fft.rfft(row, n=n_fft)[low:high] for row in waveforms])
    finally:
        torch.set_num_threads(threads)
    power = (spectrum.real.square() + spectrum.imag.square()).T
    out = torch.zeros((s['n_bins'], len(waveforms)), dtype=torch.float32)
    return out.index_add_(0, bands, power.index_select(0, bins - low) * taps[:, None]).T.double().numpy()


def exact(x: npt.ArrayLike, sample_rate: int, settings: dict[str, object]) -> npt.NDArray[np.float64]:
    """The same bands in float64: NumPy's rfft of the float32-normalised waveform, float64 taps. (B, n_bins)."""
    ir = InputRepresentation(sample_rate, settings)
    s = ir.settings
    waveforms = np.atleast_2d(np.asarray(x, dtype=np.float32))
    if s['normalise_input']:
        waveforms = InputRepresentation.normalise(waveforms)
    n_fft = spectrumFFTSize(waveforms.shape[-1], sample_rate, s['n_bins'], s['f_min'], ir.f_max)
    indices, weights = logBands(sample_rate, n_fft, s['n_bins'], s['f_min'], ir.f_max)
    spectrum = np.fft.rfft(waveforms.astype(np.float64), n=n_fft)
    power = spectrum.real**2 + spectrum.imag**2
    return np.stack([(row[indices.numpy()] * weights.numpy().astype(np.float64)).sum(axis=0) for row in power])


def error(new: npt.NDArray[np.float64], expected: npt.NDArray[np.float64]) -> float:
    """max over bands of |new − expected| / (expected + FLOOR · the item's strongest band)."""
    scale = expected + FLOOR * expected.max(axis=-1, keepdims=True)
    return float(np.max(np.abs(new - expected) / scale))


def check(x: npt.ArrayLike, sample_rate: int, settings: dict[str, object]) -> None:
    """The new bands of waveforms x (B, L): within TOLERANCE of `reference`, within 1e-5 of `exact`."""
    new = InputRepresentation(sample_rate, settings).transformBatch(np.asarray(x)).double().numpy()
    assert error(new, reference(x, sample_rate, settings)) <= TOLERANCE
    assert error(new, exact(x, sample_rate, settings)) <= 1e-5


@pytest.mark.parametrize('sample_rate', [48000, 16000])
@pytest.mark.parametrize('settings', SETTINGS)
def test_drums_agree_with_the_reference(sample_rate: int, settings: dict[str, object]) -> None:
    duration = 0.5 if settings['f_min'] == 100.0 else 1.0
    if settings['f_max'] == 10000.0 and sample_rate == 16000:
        settings = {**settings, 'f_max': 8000.0}  # the Nyquist frequency
    waveforms, _ = BesselModel(duration, sample_rate, seed=1, strikes_per_drum=1).generateBatch(range(3))
    check(waveforms, sample_rate, settings)


def test_the_routine_setting_decimates_by_four() -> None:
    n_fft = spectrumFFTSize(48000, 48000, 1024, 20.0, 4000.0)
    plan = _SpectrumPlan(48000, 48000, n_fft, 1024, 20.0, 4000.0)
    assert (plan.decimation, plan.size) == (4, 2**17)
    assert _SpectrumPlan(16000, 16000, 2**18, 1024, 20.0, 4000.0).decimation == 1  # 4 kHz is the Nyquist of 8 kHz
    assert _SpectrumPlan(24000, 48000, 2**17, 1024, 100.0, 10000.0).decimation == 2


def test_halving_filters_stop_what_would_fold_onto_the_bands() -> None:
    plan = _SpectrumPlan(48000, 48000, 2**19, 1024, 20.0, 4000.0)
    f_top = (plan.high - 1) * 48000 / 2**19
    rate = 48000.0
    for h in plan.filters:
        frequency = np.fft.rfftfreq(2**16, 1 / rate)
        response = np.abs(np.fft.rfft(h, n=2**16))
        assert np.all(np.abs(response[frequency <= f_top] - 1.0) < 1e-8)
        assert 20 * np.log10(response[frequency >= rate / 2 - f_top].max()) < -175.0
        c = (len(h) - 1) // 2
        n = np.arange(len(h)) - c
        assert np.all(h[(n % 2 == 0) & (n != 0)] == 0.0) and np.all(h[n % 2 == 1] != 0.0)
        rate /= 2
    assert len(_halfband(39)) == 39


def test_noise_sines_and_impulses() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    rng = np.random.default_rng(7)
    points = np.geomspace(20.0, 4000.0, 1026)
    waveforms = np.stack(
        [
            rng.standard_normal(rate),
            np.sin(2 * np.pi * points[500] * t),  # at a band's peak, the feet of its neighbours
            np.sin(2 * np.pi * points[3] * t + 0.3) * np.exp(-2.0 * t),
            np.sin(2 * np.pi * 1000.0 * t),  # on an FFT bin
            np.sin(2 * np.pi * 8000.0 * t),  # halving to 12 kHz folds it onto 4 kHz; reference vs float64: 8.6e-4
            np.sin(2 * np.pi * 12000.0 * t),  # where halving to 24 kHz folds it onto 0 Hz
            np.sin(2 * np.pi * 25.0 * t) * np.exp(-3.0 * t) + 0.5 * np.sin(2 * np.pi * 15000.0 * t),
            np.eye(1, rate, 100)[0],
            np.r_[np.ones(rate // 2), -np.ones(rate // 2)],
        ]
    )
    check(waveforms, rate, REGRESSION)
    check(waveforms[:, : rate // 2], rate, SHAPE)


@pytest.mark.parametrize('length', [1, 2, 100, 4801, 3 * 48000])
def test_short_and_long_items(length: int) -> None:
    x = np.random.default_rng(length).standard_normal((2, length)) * np.exp(-np.arange(length) / 20000)
    check(x, 48000, REGRESSION)


def test_an_item_as_long_as_the_fft_folds_the_filter_tail() -> None:
    length = 2**19  # n_fft = 2^19 = length: the decimated, filtered item is longer than n_fft / 4
    assert spectrumFFTSize(length, 48000, 1024, 20.0, 4000.0) == length
    x = np.random.default_rng(5).standard_normal((1, length))
    x[0, -1000:] *= 30.0  # a loud end, whose filter tail wraps round onto the start
    check(x, 48000, REGRESSION)


def test_unnormalised_and_integer_input() -> None:
    settings = {**REGRESSION, 'normalise_input': False}
    x = (np.random.default_rng(3).standard_normal((2, 20000)) * 3000).astype(np.int16)
    check(x, 48000, settings)


@pytest.mark.parametrize('settings', [REGRESSION, SHAPE])
def test_batches_and_threads_do_not_change_a_row(settings: dict[str, object]) -> None:
    ir = InputRepresentation(48000, settings)
    x = np.random.default_rng(11).standard_normal((5, 24000)) * np.linspace(0.1, 2.0, 5)[:, None]
    singles = torch.stack([ir.transform(row) for row in x])
    assert torch.equal(ir.transformBatch(x), singles)
    assert torch.equal(ir.transformBatch(x[[4, 1]]), singles[[4, 1]])
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert torch.equal(InputRepresentation(48000, settings).transformBatch(x), singles)
    finally:
        torch.set_num_threads(threads)
    assert singles.dtype == torch.float32 and singles.shape == (5, 1024)
