"""The recording chain (kac_prediction.acoustics), measured against its definitions: SNR over the whole clip, the
noise colours' spectral slopes, T30 of room impulse responses by Schroeder integration (implemented here, not taken
from the package), exact delays and peak levels, determinism per (seed, item, epoch), resampling and colouration."""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy import signal

from kac_prediction.acoustics import (
    Band,
    Recording,
    RecordingSettings,
    Room,
    RoomBank,
    addNoise,
    applyGain,
    applyRecording,
    clip,
    colour,
    colouredNoise,
    decayTime,
    delayOnset,
    drawRecording,
    record,
    recordingRNG,
    resample,
    roomBank,
    roomImpulseResponse,
)
from kac_prediction.samplers import BesselModel

RATE = 16000
ROOMS_ONLY = RecordingSettings(rt60=(0.2, 0.4))


@pytest.fixture(scope='module')
def drum() -> npt.NDArray[np.float64]:
    """A 0.5-s circular drum at 16 kHz, peak 1."""
    sampler = BesselModel(duration=0.5, sample_rate=RATE, seed=3)
    sampler.updateProperties(0)
    sampler.generateWaveform()
    return sampler.waveform.copy()


@pytest.fixture(scope='module')
def bank() -> RoomBank:
    """Four rooms of T30 0.2–0.4 s at 16 kHz, 0.5 s long."""
    return roomBank(4, seed=0, sample_rate=RATE, settings=ROOMS_ONLY, duration=0.5)


def energyRatioDB(signal_part: npt.NDArray[np.float64], noise_part: npt.NDArray[np.float64]) -> float:
    return float(10.0 * np.log10(np.sum(signal_part**2) / np.sum(noise_part**2)))


def schroederT30(h: npt.NDArray[np.float64], sample_rate: int) -> float:
    """T30 of an impulse response: Schroeder's backward integral of h² in dB re its start, least-squares line from
    the first point at or below −5 dB to the last above −35 dB, extrapolated to −60 dB."""
    edc = np.cumsum((h**2)[::-1])[::-1]
    level = 10.0 * np.log10(edc / edc[0] + 1e-300)
    first, last = np.argmax(level <= -5.0), np.argmax(level <= -35.0)
    assert 0 < first < last, 'the response does not decay by 35 dB'
    slope, _ = np.polyfit(np.arange(first, last) / sample_rate, level[first:last], 1)
    return float(-60.0 / slope)


# noise


@pytest.mark.parametrize('colour_name', ['white', 'pink', 'brown'])
@pytest.mark.parametrize('snr_db', [0.0, 10.0, 25.0, 40.0])
def test_snr_over_the_whole_clip(drum: npt.NDArray[np.float64], colour_name: str, snr_db: float) -> None:
    noisy = addNoise(drum, RATE, snr_db, colour_name, np.random.default_rng(7))  # type: ignore[arg-type]
    assert abs(energyRatioDB(drum, noisy - drum) - snr_db) < 0.5


def test_snr_of_the_chain(drum: npt.NDArray[np.float64], bank: RoomBank) -> None:
    """In the chain the SNR is that of the signal the microphone delivers (room, colouration, delay) to the noise,
    both over the whole clip; with the gain off, noisy − clean is the noise."""
    settings = dataclasses.replace(ROOMS_ONLY, peak_dbfs=None, sample_rates=(RATE,))
    for item in range(6):
        noisy_recording = drawRecording(settings, recordingRNG(5, item), RATE, bank)
        assert noisy_recording.snr_db is not None and noisy_recording.delay_samples > 0
        clean_recording = dataclasses.replace(noisy_recording, noise_colour=None, snr_db=None)
        noisy, _ = applyRecording(drum, RATE, noisy_recording, bank)
        clean, _ = applyRecording(drum, RATE, clean_recording, bank)
        assert abs(energyRatioDB(clean, noisy - clean) - noisy_recording.snr_db) < 0.5


@pytest.mark.parametrize(('colour_name', 'slope_db_per_decade'), [('white', 0.0), ('pink', -10.0), ('brown', -20.0)])
def test_noise_colour_slope(colour_name: str, slope_db_per_decade: float) -> None:
    noise = colouredNoise(2**18, RATE, colour_name, np.random.default_rng(1))  # type: ignore[arg-type]
    assert abs(np.mean(noise)) < 1e-9 and abs(np.mean(noise**2) - 1.0) < 1e-9
    f, psd = signal.welch(noise, fs=RATE, nperseg=4096)
    band = (f >= 50.0) & (f <= 6000.0)
    slope, _ = np.polyfit(np.log10(f[band]), 10.0 * np.log10(psd[band]), 1)
    assert abs(slope - slope_db_per_decade) < 2.0


# rooms


@pytest.mark.parametrize(
    ('dimensions', 'source', 'microphone', 'rt60'),
    [
        ((6.0, 5.0, 3.0), (1.5, 2.0, 1.2), (4.1, 3.2, 1.6), 0.2),
        ((6.0, 5.0, 3.0), (1.5, 2.0, 1.2), (4.1, 3.2, 1.6), 0.5),
        ((6.0, 5.0, 3.0), (1.5, 2.0, 1.2), (4.1, 3.2, 1.6), 0.8),
        ((9.0, 3.0, 2.5), (2.0, 1.0, 1.0), (7.0, 2.1, 1.7), 0.5),  # long and narrow: Sabine's formula gives ≈ 1.0 s
        ((10.0, 8.0, 4.0), (2.5, 6.0, 1.0), (6.0, 2.0, 2.5), 0.8),
        # rooms whose T30 is not smooth in the absorption: once made the calibration diverge, or T30 jumps over rt60
        ((5.495, 3.960, 3.049), (2.091, 3.032, 1.213), (2.448, 3.226, 0.558), 0.2099),
        ((9.879, 5.009, 3.489), (0.785, 2.651, 2.681), (9.126, 1.843, 1.648), 0.2148),
    ],
)
def test_room_t30_is_the_target(
    dimensions: tuple[float, float, float],
    source: tuple[float, float, float],
    microphone: tuple[float, float, float],
    rt60: float,
) -> None:
    h = roomImpulseResponse(Room(dimensions, source, microphone, rt60), RATE)
    assert h.shape == (math.ceil(rt60 * RATE),) and h.dtype == np.float64
    assert abs(schroederT30(h, RATE) / rt60 - 1.0) < 0.10
    assert 0.6 < h[0] <= 1.0  # the direct sound, unit gain spread by its fractional delay, at sample 0


def test_decay_time_of_an_exponential() -> None:
    t = np.arange(8000) / RATE
    energy = np.exp(-6.0 * math.log(10.0) * t / 0.3)  # −60 dB at 0.3 s
    assert abs(decayTime(energy, 1.0 / RATE) - 0.3) < 0.003


def test_bank_cache_and_prefix(tmp_path: Path, bank: RoomBank, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / 'rooms.npy'
    first = roomBank(3, seed=0, sample_rate=RATE, settings=ROOMS_ONLY, duration=0.5, path=path)
    assert path.is_file() and path.with_suffix('.json').is_file()
    with monkeypatch.context() as patch:
        patch.setattr('kac_prediction.acoustics.bank.simulateRoom', None)  # read from the cache, not simulated
        again = roomBank(3, seed=0, sample_rate=RATE, settings=ROOMS_ONLY, duration=0.5, path=path)
    assert np.array_equal(again.impulse_responses, first.impulse_responses) and again.rooms == first.rooms
    assert np.array_equal(first.impulse_responses, bank.impulse_responses[:3])  # room i depends on (seed, i) only
    assert first.impulse_responses.dtype == np.float32 and first.impulse_responses.shape == (3, RATE // 2)
    assert all(abs(t30 / room.rt60 - 1.0) < 0.05 for t30, room in zip(first.t30, first.rooms, strict=True))
    other = roomBank(2, seed=1, sample_rate=RATE, settings=ROOMS_ONLY, duration=0.5, path=path)
    assert other.rooms != first.rooms[:2] and len(np.load(path)) == 2  # other arguments: recomputed, rewritten


# delay, gain, determinism


def test_an_impulse_arrives_at_the_drawn_delay() -> None:
    impulse = np.zeros(RATE // 10)
    impulse[0] = 1.0
    delays = set()
    for item in range(20):
        y, rate, recording = record(impulse, RATE, seed=2, item=item, settings=RecordingSettings.off(delay_ms=(0, 50)))
        d = recording.delay_samples
        expected = np.zeros_like(impulse)
        expected[d] = 1.0
        assert rate == RATE and 0 <= d <= 800 and np.array_equal(y, expected)
        delays.add(d)
    assert len(delays) == 20


def test_a_drum_onset_shifts_by_exactly_the_drawn_delay(drum: npt.NDArray[np.float64], bank: RoomBank) -> None:
    settings = dataclasses.replace(ROOMS_ONLY, snr_db=None, peak_dbfs=None, clip_drive_db=(0.0, 6.0))
    for item in range(4):
        recording = drawRecording(settings, recordingRNG(9, item), RATE, bank)
        d = recording.delay_samples
        delayed, rate = applyRecording(drum, RATE, recording, bank)
        undelayed, _ = applyRecording(drum, RATE, dataclasses.replace(recording, delay_samples=0), bank)
        assert d > 0 and delayed.size == undelayed.size == math.ceil(drum.size * rate / RATE)
        assert np.array_equal(delayed[d:], undelayed[: undelayed.size - d]) and not np.any(delayed[:d])
        onset = np.argmax(np.abs(undelayed) > 1e-3 * np.abs(undelayed).max())
        assert np.argmax(np.abs(delayed) > 1e-3 * np.abs(delayed).max()) == onset + d


@pytest.mark.parametrize('clipping', [None, (0.0, 6.0)])
def test_the_peak_is_the_drawn_level(
    drum: npt.NDArray[np.float64], bank: RoomBank, clipping: tuple[float, float] | None
) -> None:
    settings = RecordingSettings(rt60=(0.2, 0.4), clip_drive_db=clipping)
    for item in range(8):
        y, _, recording = record(drum, RATE, seed=4, item=item, settings=settings, bank=bank)
        assert recording.peak_dbfs is not None and -30.0 <= recording.peak_dbfs <= -1.0
        assert abs(20.0 * np.log10(np.abs(y).max()) - recording.peak_dbfs) < 0.01


def test_same_seed_item_epoch_is_bit_identical(drum: npt.NDArray[np.float64], bank: RoomBank) -> None:
    first = record(drum, RATE, seed=11, item=3, epoch=1, settings=ROOMS_ONLY, bank=bank)
    for item in (0, 1, 2):  # other items in between: the draws of (3, 1) do not depend on them
        record(drum, RATE, seed=11, item=item, epoch=1, settings=ROOMS_ONLY, bank=bank)
    again = record(drum, RATE, seed=11, item=3, epoch=1, settings=ROOMS_ONLY, bank=bank)
    assert again.recording == first.recording and np.array_equal(again.waveform, first.waveform)
    for other in (
        record(drum, RATE, seed=11, item=3, epoch=2, settings=ROOMS_ONLY, bank=bank),
        record(drum, RATE, seed=11, item=4, epoch=1, settings=ROOMS_ONLY, bank=bank),
        record(drum, RATE, seed=12, item=3, epoch=1, settings=ROOMS_ONLY, bank=bank),
    ):
        assert other.recording != first.recording
        assert other.waveform.shape != first.waveform.shape or not np.array_equal(other.waveform, first.waveform)


def test_recording_is_json_and_reproduces_the_output(drum: npt.NDArray[np.float64], bank: RoomBank) -> None:
    y, _, recording = record(drum, RATE, seed=1, item=2, settings=ROOMS_ONLY, bank=bank)
    restored = Recording.fromDict(json.loads(json.dumps(recording.toDict())))
    assert restored == recording
    assert np.array_equal(applyRecording(drum, RATE, restored, bank)[0], y)
    json.dumps(ROOMS_ONLY.toDict())


def test_disabling_an_effect_keeps_the_other_draws(bank: RoomBank) -> None:
    full = drawRecording(ROOMS_ONLY, recordingRNG(3, 7), RATE, bank)
    quiet = drawRecording(dataclasses.replace(ROOMS_ONLY, snr_db=None), recordingRNG(3, 7), RATE, bank)
    assert quiet.noise_colour is None and quiet.snr_db is None
    assert dataclasses.replace(full, noise_colour=None, snr_db=None) == quiet


def test_a_room_simulated_on_demand(drum: npt.NDArray[np.float64]) -> None:
    settings = RecordingSettings.off(rt60=(0.2, 0.25), sample_rates=(RATE,))
    y, _, recording = record(drum[: RATE // 10], RATE, seed=0, settings=settings)
    assert recording.room is not None and recording.room.bank_index is None
    h = roomImpulseResponse(recording.room, RATE)[: RATE // 10]
    assert np.allclose(y, signal.fftconvolve(drum[: RATE // 10], h)[: RATE // 10], atol=1e-12)


# resampling, colouration


def test_resampling_keeps_a_sine_and_the_duration() -> None:
    rate, f = 48000, 1234.5
    sine = np.sin(2.0 * math.pi * f * np.arange(rate // 2 + 7) / rate)
    y = resample(sine, rate, 44100)
    assert y.size == math.ceil(sine.size * 44100 / rate)
    spectrum = np.abs(np.fft.rfft(y * signal.windows.hann(y.size, sym=False)))
    bin_hz = 44100 / y.size
    assert abs(np.argmax(spectrum) * bin_hz - f) <= bin_hz
    y, out_rate, recording = record(sine, rate, seed=0, settings=RecordingSettings.off(sample_rates=(44100,)))
    assert out_rate == recording.sample_rate == 44100 and y.size == math.ceil(sine.size * 44100 / rate)
    y, out_rate, _ = record(sine, rate, seed=0, settings=RecordingSettings.off(sample_rates=(44100,)), output_rate=rate)
    assert out_rate == rate and y.size == sine.size


def responseDB(y: npt.NDArray[np.float64], frequency: float, rate: int) -> float:
    """|Σ y[n] e^(−2πi f n / rate)| in dB: the frequency response of an impulse response at one frequency."""
    n = np.arange(y.size)
    return float(20.0 * np.log10(abs(np.sum(y * np.exp(-2j * math.pi * frequency * n / rate)))))


def test_colouration_gains_at_the_band_centres() -> None:
    rate = 48000
    impulse = np.zeros(2**16)
    impulse[0] = 1.0
    settings = RecordingSettings.off(eq_gain_db=(-6.0, 6.0), eq_bands=2, sample_rates=(rate,))
    for item in range(5):
        recording = drawRecording(settings, recordingRNG(0, item), rate)
        assert len(recording.bands) == 2 and recording.lowpass_hz is None
        for band in recording.bands:
            measured = responseDB(colour(impulse, rate, (band,)), band.frequency_hz, rate)
            assert abs(measured - band.gain_db) < 0.5
    lowpass = colour(impulse, rate, (), 6000.0)
    assert abs(responseDB(lowpass, 6000.0, rate) + 3.01) < 0.5 and abs(responseDB(lowpass, 100.0, rate)) < 0.1
    assert colour(impulse, rate, (Band(1000.0, 0.0, 1.0),)) == pytest.approx(impulse, abs=1e-12)


def test_clip_and_gain_and_delay_functions() -> None:
    x = np.array([0.0, 0.01, -0.5, 1.0, -2.0])
    y = clip(x, 0.0)  # drive 0 dB: the peak comes out at tanh(1)
    assert y[-1] == pytest.approx(-2.0 * math.tanh(1.0)) and y[1] == pytest.approx(0.01, rel=1e-4)
    assert np.allclose(clip(3.0 * x, 4.0), 3.0 * clip(x, 4.0), rtol=1e-12, atol=0.0)  # independent of the scale
    assert np.max(np.abs(applyGain(x, -6.0))) == pytest.approx(10 ** (-6.0 / 20.0))
    assert np.array_equal(delayOnset(x, 2), [0.0, 0.0, 0.0, 0.01, -0.5]) and not np.any(delayOnset(x, 9))


# bad input


@pytest.mark.parametrize(
    ('call', 'name'),
    [
        (lambda: addNoise(np.array([0.0, np.nan]), RATE, 10.0, 'white', np.random.default_rng()), 'x'),
        (lambda: addNoise(np.zeros(4), RATE, 10.0, 'white', np.random.default_rng()), 'x is silent'),
        (lambda: addNoise(np.ones(4), RATE, 10.0, 'red', np.random.default_rng()), 'colour'),  # type: ignore[arg-type]
        (lambda: applyGain(np.zeros(4), -6.0), 'x is silent'),
        (lambda: applyGain(np.ones(4), float('nan')), 'peak_dbfs'),
        (lambda: delayOnset(np.ones(4), -1), 'delay_samples'),
        (lambda: resample(np.ones(4), 0, 44100), 'sample_rate'),
        (lambda: resample(np.ones((2, 4)), RATE, 44100), 'x'),
        (lambda: colour(np.ones(4), RATE, (Band(9000.0, 3.0, 1.0),)), 'band.frequency_hz'),
        (lambda: colour(np.ones(4), RATE, (), 8000.0), 'lowpass_hz'),
        (lambda: RecordingSettings(rt60=(0.8, 0.2)), 'rt60'),
        (lambda: RecordingSettings(noise_colours=('red',)), 'noise_colours'),
        (lambda: RecordingSettings(peak_dbfs=(-6.0, 3.0)), 'peak_dbfs'),
        (lambda: RecordingSettings(sample_rates=(44100.5,)), 'sample_rates'),
        (lambda: Room((5.0, 4.0, 3.0), (6.0, 1.0, 1.0), (1.0, 1.0, 1.0), 0.3), 'source'),
        (lambda: Room((5.0, 4.0, 3.0), (1.0, 1.0, 1.0), (2.0, 1.0, 1.0), 0.0), 'rt60'),
        (lambda: roomBank(0, 0, RATE), 'n'),
        (lambda: roomBank(1, 0, RATE, RecordingSettings(rt60=None)), 'settings.rt60'),
        (lambda: record(np.ones(4), RATE, seed=-1), 'seed'),
        (lambda: record(np.ones(4), RATE, seed=0, epoch=-1), 'epoch'),
        (lambda: record(np.zeros(4), RATE, seed=0, settings=RecordingSettings.off(snr_db=10.0)), 'waveform is silent'),
    ],
)
def test_bad_input_names_the_argument(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=name):
        call()


def test_a_bank_room_needs_its_bank(drum: npt.NDArray[np.float64], bank: RoomBank) -> None:
    recording = drawRecording(ROOMS_ONLY, recordingRNG(0, 0), RATE, bank)
    with pytest.raises(ValueError, match='bank'):
        applyRecording(drum, RATE, recording)
    other = dataclasses.replace(recording, room=dataclasses.replace(recording.room, rt60=0.3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='not room'):
        applyRecording(drum, RATE, other, bank)
