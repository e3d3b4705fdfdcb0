"""`predict` on files as they come: memory bounded whatever the file's length, absurd headers refused, out-of-memory
reported in one line, and degenerate audio (too quiet, too short, DC, clipped) flagged by an InputQualityWarning."""

import contextlib
import json
import math
import os
import re
import threading
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import torch
from scipy.signal import resample_poly
from test_predict import LABELS, RATE, WAVEFORMS, exported

from kac_prediction.architecture import SpectrumCRePE
from kac_prediction.cli import main
from kac_prediction.inference import (
    MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE,
    InputQualityWarning,
    audio,
    loadPredictor,
    prepareAudio,
    readAudioExcerpt,
)
from kac_prediction.pipeline.checkpoints import saveCheckpoint

LENGTH = RATE  # the checkpoint of test_predict.py: 1 s at 48 kHz


def wholeFile(path: Path, target_rate: int, length: int) -> np.ndarray:
    """The reference: the whole file in memory, resampled at once, aligned on the onset (the first sample above 10⁻³
    of the peak, backed off to the start of its half-cycle) and trimmed or padded; kac_prediction/inference/audio.py
    as it was before it read files in blocks."""
    data, rate = sf.read(path, dtype='float64', always_2d=True)
    x = data.mean(axis=1)
    if rate != target_rate:
        divisor = math.gcd(target_rate, rate)
        x = resample_poly(x, target_rate // divisor, rate // divisor)
    magnitude = np.abs(x)
    peak = magnitude.max()
    onset = int(np.argmax(magnitude > 1e-3 * peak))
    breaks = np.flatnonzero((magnitude[:onset] <= 1e-6 * peak) | (np.sign(x[:onset]) != np.sign(x[onset])))
    start = int(breaks[-1]) + 1 if len(breaks) else 0
    x = x[start : start + length]
    return np.pad(x, (0, length - len(x)))


def drum(rate: int, seconds: float = 1.0) -> np.ndarray:
    """Drum 0 of test_predict.py at `rate`, peak ≈ 0.9, (L,) float64."""
    w = (
        WAVEFORMS[0]
        if rate == RATE
        else resample_poly(WAVEFORMS[0], rate // math.gcd(rate, RATE), RATE // math.gcd(rate, RATE))
    )
    return 0.9 * w[: round(seconds * rate)]


def writeLongFile(path: Path, seconds: float, rate: int = 44100) -> None:
    """A 16-bit mono WAV, written in blocks: noise at −80 dBFS with drum 0 struck after 0.5 s."""
    rng = np.random.default_rng(1)
    frames = round(seconds * rate)
    with sf.SoundFile(path, 'w', rate, 1, 'PCM_16') as file:
        head = np.concatenate([1e-4 * rng.standard_normal(rate // 2), drum(rate)])
        file.write(head[:frames])
        written = len(head)
        while written < frames:
            block = min(frames - written, 1 << 20)
            file.write(1e-4 * rng.standard_normal(block))
            written += block


@contextlib.contextmanager
def addressSpaceLimit(extra: int) -> Iterator[None]:
    """Caps this process's address space at its present size + `extra` bytes, so that code trying to allocate more
    gets a MemoryError instead of being killed by the system (Linux; no cap elsewhere)."""
    resource = pytest.importorskip('resource')
    try:
        status = Path('/proc/self/status').read_text()
    except OSError:
        yield
        return
    size = int(re.search(r'VmSize:\s+(\d+) kB', status).group(1)) * 1024  # type: ignore[union-attr]
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory with best.pt of a tiny untrained SpectrumCRePE predicting drum_size (as in test_predict.py)."""
    directory = tmp_path_factory.mktemp('model') / 'run'
    directory.mkdir()
    torch.manual_seed(0)
    model = SpectrumCRePE('tiny', 0.0, 1e-3, 'adam', labels=['drum_size'], log_labels=['drum_size'])
    model.fitLabels(torch.tensor([label['drum_size'] for label in LABELS], dtype=torch.float64))
    saveCheckpoint(exported(model, dict(model.model_kwargs), 'SpectrumCRePE', directory), directory / 'best.pt')
    return directory


# ------------------------------------------------------------------------------------------------- bounded memory


@pytest.fixture(scope='module')
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Ordinary files the bounded reader must read as the whole-file reference does."""
    folder = tmp_path_factory.mktemp('cases')
    rng = np.random.default_rng(0)
    w = drum(RATE)
    files: dict[str, tuple[np.ndarray, int, str]] = {
        'leading_silence': (np.concatenate([np.zeros(RATE // 3), w]), RATE, 'FLOAT'),
        'late_onset': (np.concatenate([1e-5 * rng.standard_normal(25 * RATE), w, np.zeros(4 * RATE)]), RATE, 'FLOAT'),
        'stereo_44k1': (
            np.pad(np.stack([drum(44100), 0.5 * drum(44100)], axis=1), ((4410, 0), (0, 0))),
            44100,
            'PCM_24',
        ),
        'rate_22k05': (np.pad(drum(22050, 0.6), (1000, 20000)), 22050, 'FLOAT'),
        'rate_96k': (np.pad(drum(96000), (777, 0)), 96000, 'PCM_24'),
        'shorter_than_window': (np.pad(drum(RATE, 0.3), (50, 0)), RATE, 'FLOAT'),
    }
    paths = {}
    for name, (data, rate, subtype) in files.items():
        paths[name] = folder / f'{name}.wav'
        sf.write(paths[name], data, rate, subtype=subtype)
    return paths


@pytest.mark.parametrize('block', [None, 1000])
@pytest.mark.parametrize(
    'name', ['leading_silence', 'late_onset', 'stereo_44k1', 'rate_22k05', 'rate_96k', 'shorter_than_window']
)
def test_bounded_reader_equals_the_whole_file_path(
    cases: dict[str, Path], name: str, block: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if block is not None:  # many blocks: every boundary case of the streaming resampler
        monkeypatch.setattr(audio, '_BLOCK', block)
    excerpt = readAudioExcerpt(cases[name], RATE, LENGTH)
    reference = wholeFile(cases[name], RATE, LENGTH)
    assert excerpt.waveform.shape == (LENGTH,) and excerpt.waveform.dtype == np.float64
    np.testing.assert_allclose(excerpt.waveform, reference, rtol=0, atol=1e-12)
    with open(cases[name], 'rb') as file:  # file objects are read as paths are
        np.testing.assert_allclose(readAudioExcerpt(file, RATE, LENGTH).waveform, reference, rtol=0, atol=1e-12)


def test_odd_rates_are_resampled_at_a_nearby_ratio(tmp_path: Path) -> None:
    """48000 / 44101 does not reduce to terms ≤ 8000: the nearest such ratio is used (a pitch error ≈ 10⁻⁹)."""
    path = tmp_path / 'odd.wav'
    sf.write(path, np.pad(resample_poly(drum(RATE), 44101, RATE), (100, 0)), 44101, subtype='FLOAT')
    excerpt, reference = readAudioExcerpt(path, RATE, LENGTH).waveform, wholeFile(path, RATE, LENGTH)
    assert np.abs(excerpt - reference).max() < 1e-4 and np.corrcoef(excerpt, reference)[0, 1] > 1 - 1e-9


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='named pipes are POSIX')
def test_a_pipe_is_read_whole(cases: dict[str, Path], tmp_path: Path) -> None:
    pipe = tmp_path / 'pipe.wav'
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_bytes(cases['stereo_44k1'].read_bytes()))
    writer.start()
    try:
        excerpt = readAudioExcerpt(pipe, RATE, LENGTH)
    finally:
        writer.join()
    np.testing.assert_allclose(excerpt.waveform, wholeFile(cases['stereo_44k1'], RATE, LENGTH), rtol=0, atol=1e-12)


def test_predict_memory_does_not_grow_with_file_length(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 10-minute 44.1-kHz file (53 MB of 16-bit PCM; 212 MB as float64, 230 MB resampled) against a 2-s one."""
    short, long = tmp_path / 'short.wav', tmp_path / 'long.wav'
    writeLongFile(short, 2.0)
    writeLongFile(long, 600.0)
    peaks, sizes = {}, {}
    for path in (short, long):
        tracemalloc.start()
        try:
            assert main(['predict', str(run), str(path), '--json']) == 0
            peaks[path] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        sizes[path] = json.loads(capsys.readouterr().out)[0]['drum_size']
    assert sizes[long] == pytest.approx(sizes[short], rel=1e-6)  # the same strike, after 0.5 s of the same noise
    report = {path.name: f'{peak / 2**20:.0f} MiB' for path, peak in peaks.items()}
    assert peaks[long] - peaks[short] < 50 * 2**20, report


def test_absurd_sample_rates_are_refused_at_once(run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one_hz = tmp_path / 'one_hz.wav'  # 96 kB; resampling it to 48 kHz would need 17.2 GiB
    sf.write(one_hz, 0.5 * np.sin(np.arange(48000) / 3), 1, subtype='PCM_16')
    too_fast = tmp_path / 'too_fast.wav'
    sf.write(too_fast, drum(RATE, 0.1), 1_000_000, subtype='PCM_16')
    for path, rate in ((one_hz, '1 Hz'), (too_fast, '1000000 Hz')):
        began = time.perf_counter()
        with addressSpaceLimit(2 * 2**30):  # a regression fails with MemoryError instead of an OOM kill
            assert main(['predict', str(run), str(path)]) == 2
        assert time.perf_counter() - began < 5.0
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and err.startswith(f'error: {path}: '), err
        assert rate in err and '1000' in err and '768000 Hz' in err, err
    assert (MIN_SAMPLE_RATE, MAX_SAMPLE_RATE) == (1000, 768000)
    with pytest.raises(ValueError, match='sample_rate'):  # arrays too
        prepareAudio(np.ones(48000), 1, RATE, LENGTH)


def test_memory_error_is_one_line_naming_the_file(
    run: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError('Unable to allocate 17.2 GiB for an array with shape (2304912002,) and data type float64')

    monkeypatch.setattr(sf.SoundFile, 'read', exhausted)
    assert main(['predict', str(run), str(files['drum'])]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith('error: ') and str(files['drum']) in err, err
    assert 'memory' in err and 'Traceback' not in err


# ---------------------------------------------------------------------------------------------- degenerate input


@pytest.fixture(scope='module')
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files the model cannot hear a drum in, and ordinary ones."""
    folder = tmp_path_factory.mktemp('degenerate')
    rng = np.random.default_rng(2)
    w = drum(RATE)
    left = np.round(w * 20000).astype(np.int16)
    right = (-left + rng.integers(-1, 2, len(left))).astype(np.int16)  # L + R: −1, 0 or 1 LSB
    t = np.arange(2 * 44100) / 44100
    sines = sum(np.exp(-3 * t) * np.sin(2 * np.pi * f * t + f) / k for k, f in enumerate([180.0, 413.0, 662.0], 1))
    files: dict[str, tuple[np.ndarray, int, str]] = {
        'short_5ms': (w[: RATE // 200], RATE, 'FLOAT'),
        'dc': (np.full(2 * RATE, 0.5), RATE, 'PCM_16'),
        'cancelling_stereo': (np.stack([left, right], axis=1), RATE, 'PCM_16'),
        'quiet': (1e-4 * w, RATE, 'FLOAT'),
        'clipped': (np.clip(8 * w, -1, 1), RATE, 'PCM_16'),
        'drum': (w, RATE, 'PCM_24'),
        'drum_stereo_16bit': (np.stack([w, 0.5 * w], axis=1), RATE, 'PCM_16'),
        'drum_padded': (np.pad(w, (RATE // 10, RATE)), RATE, 'FLOAT'),
        'sines_stereo_44k1': (np.stack([sines, 0.7 * sines], axis=1) / 2, 44100, 'PCM_16'),
    }
    paths = {}
    for name, (data, rate, subtype) in files.items():
        paths[name] = folder / f'{name}.wav'
        sf.write(paths[name], data, rate, subtype=subtype)
    return paths


RULES = {  # the file → the words of the warning its rule gives
    'short_5ms': 'the sound lasts 5 ms',
    'dc': 'below 20 Hz',
    'cancelling_stereo': 'dBFS',
    'quiet': '-80.9 dBFS',
    'clipped': 'clipped',
}


@pytest.mark.parametrize('name', list(RULES))
def test_degenerate_audio_warns(
    run: Path, files: dict[str, Path], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = files[name]
    predictor = loadPredictor(run)
    with pytest.warns(InputQualityWarning, match=re.escape(RULES[name])):
        (result,) = predictor.predictFiles([path], progressbar=False, with_warnings=True)
    assert result['drum_size'] > 0 and any(RULES[name] in message for message in result['warnings'])
    with pytest.warns(InputQualityWarning, match=re.escape(f'{path}: ')):
        assert set(predictor.predictFiles([path], progressbar=False)[0]) == {'file', 'drum_size'}
    assert main(['predict', str(run), str(path), '--json']) == 0
    captured = capsys.readouterr()
    (printed,) = json.loads(captured.out)
    assert printed['warnings'] == result['warnings']
    lines = captured.err.splitlines()
    assert lines == [f'warning: {path}: {message}' for message in result['warnings']]


def test_degenerate_waveforms_warn_too(run: Path) -> None:
    predictor = loadPredictor(run)
    with pytest.warns(InputQualityWarning, match='below 20 Hz'):
        result = predictor.predictWaveform(np.full((RATE, 2), 0.25), RATE, with_warnings=True)
    assert len(result['warnings']) == 1 and 'below 20 Hz' in result['warnings'][0]
    with pytest.warns(InputQualityWarning, match='the sound lasts'):
        assert set(predictor.predictWaveform(WAVEFORMS[1][:100], RATE)) == {'drum_size'}


def test_a_drum_does_not_warn(run: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    predictor = loadPredictor(run)
    paths = [files[name] for name in ('drum', 'drum_stereo_16bit', 'drum_padded', 'sines_stereo_44k1')]
    with warnings.catch_warnings():
        warnings.simplefilter('error', InputQualityWarning)
        results = predictor.predictFiles(paths, progressbar=False, with_warnings=True)
        assert predictor.predictWaveform(WAVEFORMS[2], RATE, with_warnings=True)['warnings'] == []
    assert [result['warnings'] for result in results] == [[]] * len(paths)
    assert main(['predict', str(run), *map(str, paths), '--json']) == 0
    captured = capsys.readouterr()
    assert [result['warnings'] for result in json.loads(captured.out)] == [[]] * len(paths)
    assert 'warning' not in captured.err
