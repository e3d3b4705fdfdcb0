"""Dataset WAVs: 24-bit codes written exactly, read back as `writeWavs` returns them, bad waveforms refused."""

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kac_prediction.dataset.format import quantise24, writeWavs


def _waveforms(length: int) -> np.ndarray:
    """Three rows: full scale both ways and values on a code's rounding edges, a random one, silence."""
    rng = np.random.default_rng(3)
    edges = np.array([1.0, -1.0, 0.5 / 8388608, 1.5 / 8388608, -0.5 / 8388608, 8388607.5 / 8388608, 1e-9])
    first = np.resize(edges, length)
    return np.stack([first, rng.uniform(-1.0, 1.0, length), np.zeros(length)])


def test_quantise24_rounds_half_to_even_and_clips_full_scale() -> None:
    codes = quantise24(np.array([1.0, -1.0, 0.5 / 8388608, 1.5 / 8388608, -0.5 / 8388608, 8388607.5 / 8388608]))
    assert codes.dtype == np.int32
    assert codes.tolist() == [8388607, -8388608, 0, 2, 0, 8388607]


@pytest.mark.parametrize('length', [4800, 4801])
def test_files_hold_the_codes_and_read_back_as_returned(tmp_path: Path, length: int) -> None:
    waveforms = _waveforms(length)
    paths = [tmp_path / f'sample_{i:05d}.wav' for i in range(3)]
    stored = writeWavs(paths, waveforms, 16000)
    assert stored.dtype == np.float32 and stored.shape == (3, length)
    assert np.array_equal(stored, quantise24(waveforms) / 8388608.0)
    for path, row, waveform in zip(paths, stored, waveforms, strict=True):
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (16000, 1, length, 'PCM_24')
        audio, _ = sf.read(path, dtype='float64')
        assert np.array_equal(audio, row.astype(np.float64))  # the file gives exactly what writeWavs returned
        assert np.max(np.abs(audio - waveform)) <= 1 / 8388608  # half a code; one where +1.0 is clipped
        if length % 2 == 0:  # soundfile's own encoder writes the same bytes
            reference = io.BytesIO()
            sf.write(reference, quantise24(waveform) << 8, 16000, subtype='PCM_24', format='WAV')
            assert path.read_bytes() == reference.getvalue()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith('.tmp-')] == []


def test_temporary_files_go_to_the_given_folder_and_are_renamed_away(tmp_path: Path) -> None:
    scratch = tmp_path / 'scratch'
    scratch.mkdir()
    writeWavs([tmp_path / 'a.wav', tmp_path / 'b.wav'], _waveforms(100)[:2], 8000, scratch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.wav', 'b.wav', 'scratch']
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize('bad', [1.0 + 1e-9, -1.5, np.nan, np.inf])
def test_a_waveform_beyond_full_scale_writes_nothing(tmp_path: Path, bad: float) -> None:
    waveforms = _waveforms(100)
    waveforms[1, 50] = bad
    paths = [tmp_path / f'{i}.wav' for i in range(3)]
    with pytest.raises(ValueError, match=r'1\.wav: the waveform peaks at .* lower the `amplitude`'):
        writeWavs(paths, waveforms, 8000)
    assert list(tmp_path.iterdir()) == []


def test_one_row_per_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='one waveform row per path: got 2 paths, shape \\(3, 100\\)'):
        writeWavs([tmp_path / 'a.wav', tmp_path / 'b.wav'], _waveforms(100), 8000)
