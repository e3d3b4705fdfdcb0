"""Input representations against independent results: numpy STFT, sine peaks, Parseval, librosa's mel filterbank."""

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import torch

from kac_prediction.dataset.input_representation import (
    InputRepresentation,
    logBands,
    melFilterbank,
    representationDefaults,
    spectrumFFTSize,
)

FS = 48000
RNG_SEED = 20240521


def noise(shape: tuple[int, ...], seed: int = RNG_SEED) -> npt.NDArray[np.float64]:
    return np.random.default_rng(seed).standard_normal(shape)


def numpyPowerSpectrogram(
    x: npt.NDArray[np.float64], n_fft: int, window_length: int, hop: int
) -> npt.NDArray[np.float64]:
    """|rfft|² of the reflect-padded frames times a periodic Hann window centred in n_fft: (bins, frames)."""
    n = np.arange(window_length)
    hann = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / window_length)
    window = np.zeros(n_fft)
    left = (n_fft - window_length) // 2
    window[left : left + window_length] = hann
    padded = np.pad(x, n_fft // 2, mode='reflect')
    frames = 1 + (len(padded) - n_fft) // hop
    stacked = np.stack([padded[t * hop : t * hop + n_fft] * window for t in range(frames)])
    return (np.abs(np.fft.rfft(stacked, axis=-1)) ** 2).T


def test_defaults_are_fresh_and_merged_sorted() -> None:
    defaults = representationDefaults()
    assert defaults == {
        'f_max': None,
        'f_min': 22.05,
        'hop_length': 256,
        'n_bins': 512,
        'n_mels': 32,
        'normalise_input': True,
        'output_type': 'end2end',
        'window_length': 512,
    }
    defaults['n_bins'] = 7
    assert representationDefaults()['n_bins'] == 512
    ir = InputRepresentation(FS, {'window_length': 256, 'f_min': 0, 'output_type': 'mel'})
    assert list(ir.settings) == sorted(ir.settings)
    assert ir.settings['window_length'] == 256 and ir.settings['output_type'] == 'mel'
    assert isinstance(ir.settings['f_min'], float) and ir.settings['f_min'] == 0.0
    assert ir.sample_rate == FS
    assert InputRepresentation(FS).settings == representationDefaults()


@pytest.mark.parametrize(('output_type', 'expected'), [('end2end', (48000,)), ('fft', (257, 188)), ('mel', (32, 188))])
def test_one_second_at_48khz(output_type: str, expected: tuple[int, ...]) -> None:
    settings = {'output_type': output_type}
    assert InputRepresentation.transformShape(FS, settings) == expected
    ir = InputRepresentation(FS, settings)
    assert tuple(ir.transform(noise((FS,))).shape) == expected
    assert tuple(ir.transformBatch(noise((3, FS))).shape) == (3, *expected)


@pytest.mark.parametrize(
    'settings',
    [
        {'output_type': 'fft', 'n_bins': 64, 'window_length': 40, 'hop_length': 16},
        {'output_type': 'fft', 'n_bins': 63, 'window_length': 63, 'hop_length': 10},  # odd n_fft
        {'output_type': 'mel', 'n_bins': 128, 'window_length': 128, 'hop_length': 33, 'n_mels': 10},
        {'output_type': 'end2end', 'normalise_input': False},
    ],
)
@pytest.mark.parametrize('length', [65, 160, 161, 1000])
def test_shape_matches_transform(settings: dict[str, object], length: int) -> None:
    ir = InputRepresentation(8000, settings)
    assert tuple(ir.transform(noise((length,))).shape) == InputRepresentation.transformShape(length, settings)


def test_peak_normalisation() -> None:
    t = np.arange(1000) / 1000
    x = 0.5 + 0.1 * np.sin(2 * np.pi * 5 * t)  # DC 0.5, peak 0.6
    y = InputRepresentation.normalise(x)
    assert np.max(np.abs(y)) == pytest.approx(1.0)
    assert np.allclose(y, x / 0.6)
    assert np.mean(y) == pytest.approx(np.mean(x) / 0.6)  # DC scaled, not shifted
    batch = torch.tensor(np.stack([x, -3.0 * x, np.zeros_like(x)]), dtype=torch.float32)
    normalised = InputRepresentation.normalise(batch)
    assert normalised.dtype == torch.float32
    assert torch.allclose(normalised.abs().amax(dim=-1), torch.tensor([1.0, 1.0, 0.0]))
    assert torch.allclose(normalised[0], -normalised[1])
    assert torch.equal(normalised[2], torch.zeros(1000))
    ir = InputRepresentation(FS)  # end2end, normalised
    assert torch.equal(ir.transformBatch(batch), normalised)
    assert torch.equal(ir.transform(np.zeros(100)), torch.zeros(100))
    raw = InputRepresentation(FS, {'normalise_input': False})
    assert torch.equal(raw.transform(x), torch.tensor(x, dtype=torch.float32))


@pytest.mark.parametrize(('n_fft', 'window_length', 'hop'), [(512, 512, 256), (256, 160, 100), (64, 64, 64)])
def test_fft_matches_numpy(n_fft: int, window_length: int, hop: int) -> None:
    x = noise((5000,))
    ir = InputRepresentation(
        FS,
        {
            'output_type': 'fft',
            'n_bins': n_fft,
            'window_length': window_length,
            'hop_length': hop,
            'normalise_input': False,
        },
    )
    expected = numpyPowerSpectrogram(x.astype(np.float32).astype(np.float64), n_fft, window_length, hop)
    out = ir.transform(x).numpy()
    assert out.shape == expected.shape
    assert np.allclose(out, expected, rtol=1e-4, atol=1e-5 * expected.max())
    normalised = InputRepresentation(FS, {**ir.settings, 'normalise_input': True}).transform(x).numpy()
    assert np.allclose(normalised, expected / np.max(np.abs(x)) ** 2, rtol=1e-4, atol=1e-5 * normalised.max())


def test_sine_peak_and_parseval() -> None:
    n_fft, k, amplitude = 512, 40, 0.3
    t = np.arange(FS) / FS
    x = amplitude * np.sin(2 * np.pi * (k * FS / n_fft) * t)
    ir = InputRepresentation(FS, {'output_type': 'fft', 'normalise_input': False})
    power = ir.transform(x).numpy().astype(np.float64)
    middle = power[:, power.shape[1] // 2]
    assert int(np.argmax(middle)) == k
    # a bin-centred sine under a periodic Hann window (sum n_fft / 2): |X[k]| = amplitude · n_fft / 4
    assert middle[k] == pytest.approx((amplitude * n_fft / 4) ** 2, rel=1e-4)
    assert np.all(np.argmax(power[:, 2:-2], axis=0) == k)
    # Parseval on one frame: two-sided energy of the spectrum = n_fft · energy of the windowed frame
    start = (power.shape[1] // 2) * 256 - n_fft // 2
    frame = x.astype(np.float32)[start : start + n_fft] * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft))
    two_sided = middle[0] + middle[-1] + 2 * middle[1:-1].sum()
    assert two_sided == pytest.approx(n_fft * np.sum(frame**2), rel=1e-4)


def test_mel_filterbank_matches_librosa() -> None:
    librosa = pytest.importorskip('librosa')
    for sample_rate, n_fft, n_mels, f_min in [
        (48000, 512, 32, 22.05),
        (16000, 1024, 64, 0.0),
        (44100, 2048, 128, 30.0),
    ]:
        fb = melFilterbank(sample_rate, n_fft, n_mels, f_min, sample_rate / 2)
        assert fb.dtype == torch.float32 and tuple(fb.shape) == (n_fft // 2 + 1, n_mels)
        expected = librosa.filters.mel(
            sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=sample_rate / 2, htk=True, norm=None
        ).T
        assert np.allclose(fb.numpy(), expected, rtol=1e-5, atol=1e-7)
        assert np.max(fb.numpy()) <= 1.0


def test_mel_filterbank_triangles() -> None:
    fb = melFilterbank(8000, 256, 12, 50.0, 4000.0).numpy().astype(np.float64)
    bins = np.linspace(0, 4000, 129)
    mel = 2595 * np.log10(1 + bins / 700)
    edges = np.linspace(2595 * np.log10(1 + 50 / 700), 2595 * np.log10(1 + 4000 / 700), 14)
    for j in range(12):
        support = (mel > edges[j] + 1e-9) & (mel < edges[j + 2] - 1e-9)
        assert np.all(fb[~support, j] <= 1e-6)
        assert np.all(fb[support, j] > 0)
    with pytest.raises(ValueError, match='f_min'):
        melFilterbank(8000, 256, 12, 4000.0, 4000.0)


def test_mel_is_filterbank_applied_to_fft() -> None:
    x = noise((2, 20000))
    settings = {'n_bins': 1024, 'window_length': 800, 'hop_length': 300, 'n_mels': 40, 'f_min': 100.0}
    fft = InputRepresentation(16000, {**settings, 'output_type': 'fft'}).transformBatch(x).double()
    mel = InputRepresentation(16000, {**settings, 'output_type': 'mel'}).transformBatch(x)
    fb = melFilterbank(16000, 1024, 40, 100.0, 8000.0).double()
    expected = torch.einsum('fm,bft->bmt', fb, fft)
    assert mel.shape == expected.shape == (2, 40, 67)
    assert torch.allclose(mel.double(), expected, rtol=1e-5, atol=1e-6 * float(expected.max()))


@pytest.mark.parametrize('output_type', ['end2end', 'fft', 'mel', 'spectrum'])
def test_float32_everywhere(output_type: str) -> None:
    default = torch.get_default_dtype()
    ir = InputRepresentation(FS, {'output_type': output_type})
    x = noise((2, 4000))
    inputs: list[torch.Tensor | npt.NDArray[Any]] = [
        x,
        x.astype(np.float32),
        torch.tensor(x),
        torch.tensor(x, dtype=torch.float16),
        (x * 1000).astype(np.int16),
    ]
    for waveforms in inputs:
        assert ir.transformBatch(waveforms).dtype == torch.float32
        assert ir.transform(waveforms[0]).dtype == torch.float32
    assert torch.equal(ir.transformBatch(x), ir.transformBatch(torch.tensor(x)))
    assert torch.get_default_dtype() == default


def test_input_not_modified_nor_aliased() -> None:
    x = noise((2, 1000)).astype(np.float32)
    copy = x.copy()
    tensor = torch.from_numpy(x)
    for normalise in (False, True):
        out = InputRepresentation(FS, {'normalise_input': normalise}).transformBatch(tensor)
        out += 1.0
        assert np.array_equal(x, copy)
    read_only = noise((1000,))
    read_only.flags.writeable = False
    InputRepresentation(FS, {'output_type': 'mel'}).transform(read_only)


@pytest.mark.parametrize('output_type', ['end2end', 'fft', 'mel', 'spectrum'])
def test_batch_rows_are_bit_identical_to_single_rows(output_type: str) -> None:
    ir = InputRepresentation(FS, {'output_type': output_type})
    x = noise((12, 8000)) * np.linspace(0.01, 3.0, 12)[:, None]
    singles = torch.stack([ir.transform(row) for row in x])
    assert torch.equal(ir.transformBatch(x), singles)
    for size in (1, 5, 7):
        chunks = torch.cat([ir.transformBatch(x[i : i + size]) for i in range(0, 12, size)])
        assert torch.equal(chunks, singles)
    order = np.random.default_rng(3).permutation(12)
    assert torch.equal(ir.transformBatch(x[order]), singles[order])
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one_thread = ir.transformBatch(x)
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(one_thread, singles)
    fresh = InputRepresentation(FS, {'output_type': output_type})  # a new instance (a new filterbank cache)
    assert torch.equal(fresh.transform(x[4]), singles[4])


@pytest.mark.parametrize(
    ('settings', 'error', 'match'),
    [
        ({'n_fft': 512}, ValueError, r"\['n_fft'\].*'hop_length'"),
        ({'normalise_input': 1}, TypeError, 'normalise_input'),
        ({'normalise_input': 'yes'}, TypeError, 'normalise_input'),
        ({'n_bins': True}, TypeError, 'n_bins'),
        ({'n_bins': 512.0}, TypeError, 'n_bins'),
        ({'hop_length': '256'}, TypeError, 'hop_length'),
        ({'n_mels': 32.5}, TypeError, 'n_mels'),
        ({'window_length': None}, TypeError, 'window_length'),
        ({'f_min': '20'}, TypeError, 'f_min'),
        ({'f_min': False}, TypeError, 'f_min'),
        ({'output_type': 'cqt'}, ValueError, r"output_type.*'end2end', 'fft', 'mel', 'spectrum'"),
        ({'f_max': '4000'}, TypeError, 'f_max'),
        ({'f_max': 10.0}, ValueError, 'f_max must be > f_min'),
        ({'f_max': 30000.0}, ValueError, 'f_max'),
        ({'output_type': 'spectrum', 'f_min': 0.0}, ValueError, 'f_min must be > 0'),
        ({'output_type': 3}, TypeError, 'output_type'),
        ({'n_bins': 1, 'window_length': 1}, ValueError, 'n_bins'),
        ({'window_length': 0}, ValueError, 'window_length'),
        ({'window_length': 513}, ValueError, 'window_length'),
        ({'n_bins': 256}, ValueError, 'window_length'),  # default window 512 > n_bins
        ({'hop_length': 0}, ValueError, 'hop_length'),
        ({'n_mels': 0}, ValueError, 'n_mels'),
        ({'f_min': -1.0}, ValueError, 'f_min'),
        ({'f_min': 24000.0}, ValueError, 'f_min'),
        ({'f_min': float('nan')}, ValueError, 'f_min'),
    ],
)
def test_invalid_settings(settings: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        InputRepresentation(FS, settings)
    if settings.get('f_min') != 24000.0 and settings.get('f_max') != 30000.0:  # Nyquist needs the sample rate
        with pytest.raises(error, match=match):
            InputRepresentation.transformShape(FS, settings)


def test_invalid_arguments() -> None:
    for sample_rate in (0, -48000):
        with pytest.raises(ValueError, match='sample_rate'):
            InputRepresentation(sample_rate)
    bad_rates: tuple[object, ...] = (48000.0, True)
    for bad_rate in bad_rates:
        with pytest.raises(TypeError, match='sample_rate'):
            InputRepresentation(bad_rate)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='settings'):
        InputRepresentation(FS, [('n_bins', 512)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='f_min'):
        InputRepresentation(8000, {'f_min': 4000.0})
    ir = InputRepresentation(FS, {'output_type': 'fft'})
    with pytest.raises(ValueError, match=r'shape \(L,\)'):
        ir.transform(noise((2, 1000)))
    with pytest.raises(ValueError, match=r'shape \(B, L\)'):
        ir.transformBatch(noise((1000,)))
    with pytest.raises(TypeError, match='real'):
        ir.transform(np.ones(1000, dtype=np.complex64))
    with pytest.raises(ValueError, match='data_length'):
        InputRepresentation.transformShape(0, {})


@pytest.mark.parametrize('output_type', ['fft', 'mel'])
def test_too_short_input(output_type: str) -> None:
    ir = InputRepresentation(FS, {'output_type': output_type})
    with pytest.raises(ValueError, match='at least n_bins // 2 \\+ 1 = 257 samples'):
        ir.transform(noise((256,)))
    with pytest.raises(ValueError, match='257 samples'):
        InputRepresentation.transformShape(256, {'output_type': output_type})
    assert tuple(ir.transform(noise((257,))).shape)[1] == 2
    assert InputRepresentation(FS).transform(noise((5,))).shape == (5,)


# --- 'spectrum': the log-frequency power spectrum of the whole waveform ---

SPECTRUM = {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}


def test_spectrum_shape_and_fft_size() -> None:
    assert InputRepresentation.transformShape(FS, SPECTRUM) == (1024,)
    # the lowest band rises over 20 · ((4000 / 20)^(1/1025) − 1) = 0.104 Hz: 48000 / 0.104 → 2^19 bins of 0.092 Hz
    assert spectrumFFTSize(FS, FS, 1024, 20.0, 4000.0) == 2**19
    assert spectrumFFTSize(2**20 + 1, FS, 1024, 20.0, 4000.0) == 2**21  # never shorter than the waveform
    assert spectrumFFTSize(1000, 8000, 8, 100.0, 4000.0) == 1024
    ir = InputRepresentation(FS, SPECTRUM)
    assert tuple(ir.transformBatch(noise((2, 12000))).shape) == (2, 1024)


def test_log_bands_are_triangles_that_sum_to_one() -> None:
    n_fft, sample_rate = 4096, 8000
    indices, weights = logBands(sample_rate, n_fft, 40, 50.0, 3000.0)
    dense = np.zeros((n_fft // 2 + 1, 40))
    for k in range(indices.shape[0]):
        np.add.at(dense, (indices[k].numpy(), np.arange(40)), weights[k].numpy())
    frequency = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    points = np.geomspace(50.0, 3000.0, 42)
    inside = (frequency >= points[1]) & (frequency <= points[-2])
    assert np.allclose(dense[inside].sum(axis=1), 1.0, atol=1e-6)  # neighbouring triangles add up to one
    for j in range(40):
        support = (frequency > points[j] + 1e-9) & (frequency < points[j + 2] - 1e-9)
        assert np.all(dense[~support, j] == 0.0) and np.all(dense[support, j] > 0.0)
        assert dense[:, j].max() <= 1.0


@pytest.mark.parametrize('f', [37.3, 123.0, 1000.0, 3333.3])
def test_spectrum_of_a_sine_peaks_at_its_frequency(f: float) -> None:
    t = np.arange(FS) / FS
    x = np.sin(2 * np.pi * f * t) * np.exp(-3.0 * t)
    ir = InputRepresentation(FS, SPECTRUM)
    bands = ir.transform(x).numpy()
    centres = np.geomspace(20.0, 4000.0, 1026)[1:-1]
    peak = int(np.argmax(bands))
    assert abs(np.log(centres[peak] / f)) <= np.log(centres[1] / centres[0])  # within one band (0.52 %)
    # triangles summing to one keep the power: the bands hold the spectrum's power between f_min and f_max
    spectrum = np.abs(np.fft.rfft(x, n=2**19)) ** 2
    frequency = np.fft.rfftfreq(2**19, 1 / FS)
    window = (frequency > 25.0) & (frequency < 3800.0)
    assert bands.sum() == pytest.approx(spectrum[window].sum() / np.max(np.abs(x)) ** 2, rel=0.02)
