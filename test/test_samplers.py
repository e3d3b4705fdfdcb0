"""The sampler contract: settings, labels, seeding, batches, export, and the modal samplers' physics."""

import math
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import soundfile as sf
from scipy import special
from spectral import matchedPeaks, spectralPeaks

from kac_prediction.samplers import AudioSampler, BesselModel, LameModel, LaméModel, PoissonModel, TestSweep, TestTone

MODAL = [BesselModel, PoissonModel, LameModel]
CENTRE = {BesselModel: [0.0, 0.0], PoissonModel: [0.5, 0.5], LameModel: [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]}


def _render(args: tuple[type[AudioSampler], int, list[int]]) -> np.ndarray:
    Sampler, seed, indices = args
    return Sampler(duration=0.1, sample_rate=16000, seed=seed).generateBatch(indices)[0]  # type: ignore[call-arg]


@pytest.mark.parametrize('Sampler', MODAL)
def test_the_same_seed_gives_bit_identical_audio_whatever_the_batch(Sampler: type[AudioSampler]) -> None:
    sampler = Sampler(duration=0.1, sample_rate=16000, seed=11)  # type: ignore[call-arg]
    batch, labels = sampler.generateBatch(range(12))
    one_by_one = []
    for i in (7, 3, 11, 0):  # any order, each item alone, through the item loop
        fresh = Sampler(duration=0.1, sample_rate=16000, seed=11)  # type: ignore[call-arg]
        fresh.updateProperties(i)
        fresh.generateWaveform()
        one_by_one.append(fresh.waveform)
        assert fresh.getLabels() == labels[i]
    assert all(np.array_equal(w, batch[i]) for w, i in zip(one_by_one, (7, 3, 11, 0), strict=True))
    assert np.array_equal(sampler.generateBatch([5, 9])[0], batch[[5, 9]])
    with ProcessPoolExecutor(2) as pool:  # another process, another batch split
        halves = list(pool.map(_render, [(Sampler, 11, [0, 1, 2, 3, 4, 5]), (Sampler, 11, [6, 7, 8, 9, 10, 11])]))
    assert np.array_equal(np.concatenate(halves), batch)
    other = Sampler(duration=0.1, sample_rate=16000, seed=12).generateBatch(range(12))[0]  # type: ignore[call-arg]
    assert not np.array_equal(other, batch)


@pytest.mark.parametrize('Sampler', MODAL)
def test_drums_and_strikes_follow_the_item_index(Sampler: type[AudioSampler]) -> None:
    sampler = Sampler(duration=0.05, sample_rate=8000, seed=3, strikes_per_drum=4)  # type: ignore[call-arg]
    _, labels = sampler.generateBatch(range(12))
    assert [y['drum_id'] for y in labels] == [[i // 4] for i in range(12)]
    for i, y in enumerate(labels):
        same_drum = labels[4 * (i // 4)]
        assert y['drum_size'] == same_drum['drum_size']
        centre = CENTRE[Sampler]
        assert (y['strike_location'] == centre) == (i % 4 == 0)
        assert y['sample_location'] == centre
        assert isinstance(y['drum_id'][0], int)
        assert all(isinstance(v, float) for v in y['drum_size'] + y['strike_location'])
    sizes = [y['drum_size'][0] for y in labels[::4]]
    assert len(set(sizes)) == 3 and all(0.1 <= s <= 2.0 for s in sizes)


def test_label_keys_and_strike_ranges() -> None:
    circle = BesselModel(duration=0.01, sample_rate=8000, seed=0)
    rect = PoissonModel(duration=0.01, sample_rate=8000, seed=0)
    circle_labels = circle.generateBatch(range(400))[1]
    rect_labels = rect.generateBatch(range(400))[1]
    assert set(circle_labels[0]) == {'drum_id', 'drum_size', 'sample_location', 'strike_location', 'wave_speed'}
    rect_keys = {'aspect_ratio', 'drum_id', 'drum_size', 'sample_location', 'strike_location', 'wave_speed'}
    assert set(rect_labels[0]) == rect_keys
    r = np.array([y['strike_location'] for i, y in enumerate(circle_labels) if i % 5])
    assert r[:, 0].max() <= 0.9 and 0.0 <= r[:, 1].min() and r[:, 1].max() < 2 * math.pi
    # uniform over the area: half of the strikes fall within r ≤ 0.9/√2
    assert np.mean(r[:, 0] <= 0.9 / math.sqrt(2)) == pytest.approx(0.5, abs=0.08)
    xy = np.array([y['strike_location'] for i, y in enumerate(rect_labels) if i % 5])
    assert xy.min() >= 0.05 and xy.max() <= 0.95
    eps = [y['aspect_ratio'][0] for y in rect_labels]
    assert 1.0 <= min(eps) and max(eps) <= 4.0
    triangle_labels = LameModel(duration=0.01, sample_rate=8000, seed=0).generateBatch(range(400))[1]
    assert set(triangle_labels[0]) == {'drum_id', 'drum_size', 'sample_location', 'strike_location', 'wave_speed'}
    uvw = np.array([y['strike_location'] for i, y in enumerate(triangle_labels) if i % 5])
    assert uvw.min() >= 0.05 and np.allclose(uvw.sum(axis=1), 1.0)
    assert LaméModel is LameModel


def test_settings_are_recorded_with_the_seed_used() -> None:
    sampler = PoissonModel(duration=0.5, sample_rate=16000, drum_size=0.3)
    settings = sampler.__settings__
    assert list(settings) == sorted(settings)
    assert isinstance(settings['seed'], int)
    assert settings['drum_size'] == 0.3 and settings['strikes_per_drum'] == 5 and settings['M'] == 10
    again = PoissonModel(**settings)
    assert np.array_equal(again.generateBatch([3])[0], sampler.generateBatch([3])[0])
    assert sampler.length == 8000


@pytest.mark.parametrize('seed', range(3))
def test_rendered_circle_sounds_at_the_bessel_frequencies(seed: int) -> None:
    sampler = BesselModel(duration=2.0, sample_rate=48000, seed=seed, listening_location=(0.4, 1.0))
    sampler.updateProperties(1)  # an off-centre strike
    sampler.generateWaveform()
    L = sampler.getLabels()['drum_size'][0]
    F = np.stack([special.jn_zeros(n, 10) for n in range(10)]) * 100.0 / (math.pi * L)
    assert matchedPeaks(sampler.waveform, 48000, F, count=10) >= 4


def test_centre_strike_heard_at_the_centre_sounds_only_axisymmetric_modes() -> None:
    sampler = BesselModel(duration=2.0, sample_rate=48000, seed=4, drum_size=0.5)
    sampler.updateProperties(0)
    sampler.generateWaveform()
    F = np.stack([special.jn_zeros(n, 10) for n in range(10)]) * 100.0 / (math.pi * 0.5)
    for f in spectralPeaks(sampler.waveform, 48000, count=20, floor_db=-80.0):
        n = np.unravel_index(np.argmin(np.abs(F - f)), F.shape)[0]
        assert n == 0


def test_waveform_peaks_at_amplitude_and_decays() -> None:
    sampler = BesselModel(duration=1.0, sample_rate=16000, amplitude=0.5, decay_time=0.25, seed=1)
    sampler.updateProperties(2)
    sampler.generateWaveform()
    w = sampler.waveform
    assert w.dtype == np.float64 and w.shape == (16000,)
    assert np.abs(w).max() == pytest.approx(0.5)
    # after two T60 the level is at least 100 dB below the start
    assert np.abs(w[8000:]).max() < 1e-5 * 0.5


def test_export_writes_an_atomic_24_bit_wav(tmp_path: os.PathLike[str]) -> None:
    sampler = PoissonModel(duration=0.25, sample_rate=22050, seed=2)
    sampler.updateProperties(0)
    sampler.generateWaveform()
    path = os.path.join(tmp_path, 'drum.wav')
    sampler.export(path)
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (22050, 1, 'PCM_24', sampler.length)
    data, _ = sf.read(path)
    assert np.abs(data - sampler.waveform).max() < 2.0**-22
    assert os.listdir(tmp_path) == ['drum.wav']  # no temporary file left behind
    loud = PoissonModel(duration=0.25, sample_rate=22050, seed=2, amplitude=2.0)
    loud.updateProperties(0)
    loud.generateWaveform()
    with pytest.raises(ValueError, match='lower `amplitude`'):
        loud.export(path)
    assert np.abs(sf.read(path)[0] - sampler.waveform).max() < 2.0**-22  # the old file is intact
    with pytest.raises(ValueError, match='bit_depth'):
        sampler.export(path, bit_depth=8)


@pytest.mark.parametrize('waveshape', ['saw', 'sin', 'sqr', 'tri'])
def test_test_tone_has_its_pitch(waveshape: str) -> None:
    tone = TestTone(duration=1.0, sample_rate=16000, f_0=441.0, waveshape=waveshape)  # type: ignore[arg-type]
    tone.updateProperties(0)
    tone.generateWaveform()
    assert tone.getLabels() == {'f_0': [441.0]}
    assert spectralPeaks(tone.waveform, 16000, count=1)[0] == pytest.approx(441.0, rel=1e-3)
    assert np.abs(tone.waveform).max() <= 1.0


def test_random_test_tone_is_seeded_per_item() -> None:
    a = TestTone(duration=0.1, sample_rate=8000, seed=9).generateBatch(range(5))[1]
    b = TestTone(duration=0.1, sample_rate=8000, seed=9).generateBatch([3])[1]
    assert b[0] == a[3] and 110.0 <= a[3]['f_0'][0] <= 880.0
    assert len({y['f_0'][0] for y in a}) == 5


def test_sweep_rises_from_20_hz_to_nyquist() -> None:
    sweep = TestSweep(duration=1.0, sample_rate=16000)
    sweep.updateProperties(3)
    sweep.generateWaveform()
    assert sweep.getLabels() == {}
    w = sweep.waveform
    assert np.abs(w).max() <= 1.0 and w[0] == 0.0
    early, late = w[:1600], w[-1600:]
    assert spectralPeaks(early, 16000, count=1)[0] < 200.0
    assert spectralPeaks(late, 16000, count=1)[0] > 6000.0


@pytest.mark.parametrize(
    ('make', 'message'),
    [
        (lambda: BesselModel(duration=1.0, sample_rate=0), 'sample_rate must be a finite number > 0'),
        (lambda: BesselModel(duration=-1.0, sample_rate=8000), 'duration must be'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, drum_size=-0.5), 'drum_size must be finite and > 0'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, drum_size=(2.0, 1.0)), 'min ≤ max'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, N=0), 'N must be ≥ 1'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, tension=0.0), 'tension must be'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, decay_time=0.0), 'decay_time must be'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, seed=-1), 'seed must be'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, strikes_per_drum=0), 'strikes_per_drum'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000, listening_location=(1.5, 0.0)), 'listening_location'),
        (lambda: PoissonModel(duration=1.0, sample_rate=8000, listening_location=(0.5, -0.1)), 'listening_location'),
        (lambda: PoissonModel(duration=1.0, sample_rate=8000, aspect_ratio=0.5), 'aspect_ratio must be'),
        (lambda: LameModel(duration=1.0, sample_rate=8000, listening_location=(0.5, 0.6, -0.1)), 'listening_location'),
        (lambda: TestTone(duration=1.0, sample_rate=8000, waveshape='cos'), 'waveshape must be one of'),  # type: ignore[arg-type]
        (lambda: TestTone(duration=1.0, sample_rate=8000, f_0=5000.0), 'f_0 must be'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000).updateProperties(-2), 'item index'),
        (lambda: BesselModel(duration=1.0, sample_rate=8000).generateWaveform(), 'call updateProperties'),
    ],
)
def test_bad_settings_are_named(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        make()
