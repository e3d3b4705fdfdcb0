"""loadDataset on damaged datasets (each problem named) and on the original kac_drumset layout."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kac_prediction.dataset import DatasetFormatError, LegacyDatasetWarning, generateDataset, loadDataset
from kac_prediction.samplers import BesselModel

SETTINGS = {'duration': 0.05, 'sample_rate': 16000}


@pytest.fixture(scope='module')
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp('pristine')
    generateDataset(BesselModel, directory, 10, sampler_settings=SETTINGS, seed=2, num_workers=1, progressbar=False)
    return directory


@pytest.fixture
def damaged(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pristine dataset to damage."""
    return Path(shutil.copytree(pristine, tmp_path / 'copy'))


def test_missing_directory_and_metadata(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match='does not exist'):
        loadDataset(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='metadata.json is missing'):
        loadDataset(tmp_path)


def test_empty_and_truncated_metadata(damaged: Path) -> None:
    metadata = damaged / 'metadata.json'
    text = metadata.read_text()
    metadata.write_text(text[: len(text) // 2])
    with pytest.raises(DatasetFormatError, match='metadata.json is truncated'):
        loadDataset(damaged)
    metadata.write_text('')
    with pytest.raises(DatasetFormatError, match='metadata.json is empty'):
        loadDataset(damaged)


def test_wav_of_the_wrong_length_or_rate(damaged: Path) -> None:
    sf.write(damaged / 'sample_00004.wav', np.zeros(799), 16000, subtype='PCM_24')
    with pytest.raises(DatasetFormatError, match='sample_00004.wav has 799 samples, the dataset 800'):
        loadDataset(damaged)
    sf.write(damaged / 'sample_00004.wav', np.zeros(800), 8000, subtype='PCM_24')
    with pytest.raises(DatasetFormatError, match='sample_00004.wav has sample rate 8000 Hz'):
        loadDataset(damaged)
    (damaged / 'sample_00004.wav').write_bytes(b'RIFF garbage')
    with pytest.raises(DatasetFormatError, match='sample_00004.wav is not a readable WAV'):
        loadDataset(damaged)


def test_label_list_of_the_wrong_length(damaged: Path) -> None:
    metadata = json.loads((damaged / 'metadata.json').read_text())
    metadata['data'][6]['y']['strike_location'] = [0.5]
    (damaged / 'metadata.json').write_text(json.dumps(metadata))
    with pytest.raises(DatasetFormatError, match="item 6 label 'strike_location' has 1 values, item 0 has 2"):
        loadDataset(damaged)
    metadata['data'] = metadata['data'][:9]
    (damaged / 'metadata.json').write_text(json.dumps(metadata))
    with pytest.raises(DatasetFormatError, match='dataset_size is 10 but data has 9 items'):
        loadDataset(damaged)


def test_unknown_output_type(pristine: Path) -> None:
    with pytest.raises(ValueError, match='output_type'):
        loadDataset(pristine, {'output_type': 'cqt'})  # type: ignore[typeddict-item]


def test_broken_cache_is_rebuilt_from_the_wavs(damaged: Path, pristine: Path) -> None:
    cache = next((damaged / 'cache').glob('*.npy'))
    cache.write_bytes(cache.read_bytes()[:100])
    with pytest.warns(UserWarning, match='Rebuilding'):
        dataset = loadDataset(damaged, progressbar=False)
    assert np.array_equal(dataset.X.numpy(), loadDataset(pristine, progressbar=False).X.numpy())


# --- the original kac_drumset layout ---


def _writeLegacy(directory: Path, X: np.ndarray, labels: list[dict], settings: dict, sampler: object) -> None:
    """A dataset laid out as kac_drumset wrote it (as `kac_prediction.dataset.legacy` reads it): line-structured JSON,
    inline x, WAVs."""
    directory.mkdir()
    representation = {
        'f_min': 22.05, 'hop_length': 256, 'n_bins': 512, 'n_mels': 32,
        'normalise_input': True, 'output_type': 'end2end', 'window_length': 512,
    }  # fmt: skip
    lines = [
        '{\n',
        f'"dataset_size": {len(X)},\n',
        f'"representation_settings": {json.dumps(representation)},\n',
        f'"sampler": {json.dumps(sampler)},\n',
        f'"sampler_settings": {json.dumps(settings)},\n',  # json writes inf as Infinity, as Python did
        '"data": [\n',
    ]
    for i, (x, y) in enumerate(zip(X, labels, strict=True)):
        lines += ['{\n', f'"x": {x.tolist()},\n', f'"y": {json.dumps(y)}\n', '}]}' if i == len(X) - 1 else '},\n']
        sf.write(directory / f'sample_{i:05d}.wav', x, settings['sample_rate'], subtype='PCM_24')
    (directory / 'metadata.json').write_text(''.join(lines))


@pytest.mark.parametrize('sampler', [{'name': 'BesselModel', 'version': '1.2.0'}, 'BesselModel'])
def test_original_layout_loads_with_its_inline_x_and_labels(tmp_path: Path, sampler: object) -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(7, 160)).astype(np.float32)
    labels = [{'drum_size': [float(rng.uniform(0.1, 2))], 'strike_location': [0.1 * i, 0.5]} for i in range(7)]
    settings = {
        'M': 10, 'N': 10, 'amplitude': 1.0, 'decay_time': math.inf, 'duration': 0.01,
        'material_density': 0.2, 'sample_rate': 16000, 'tension': 2000.0,
    }  # fmt: skip
    _writeLegacy(tmp_path / 'legacy', X, labels, settings, sampler)
    assert 'Infinity' in (tmp_path / 'legacy' / 'metadata.json').read_text()
    with pytest.warns(LegacyDatasetWarning, match='physics conventions differ'):
        dataset = loadDataset(tmp_path / 'legacy')
    assert dataset.legacy and dataset.X.dtype.is_floating_point and np.array_equal(dataset.X.numpy(), X)
    assert dataset.sampler == {'name': 'BesselModel', 'version': '1.2.0' if isinstance(sampler, dict) else '1.1.0'}
    assert dataset.sampler_settings['decay_time'] == math.inf
    assert [y['drum_id'] for y in dataset.labels] == [[0]] * 5 + [[1]] * 2
    assert dataset.labels[3]['strike_location'] == labels[3]['strike_location']
    assert dataset.groups.tolist() == [0, 0, 0, 0, 0, 1, 1]
    # another representation is computed from its WAVs
    with pytest.warns(LegacyDatasetWarning):
        fft = loadDataset(
            tmp_path / 'legacy', {'output_type': 'fft', 'n_bins': 64, 'window_length': 64, 'hop_length': 32}
        )
    assert fft.X.shape == (7, 33, 6)


def test_truncated_original_layout_is_an_error(tmp_path: Path) -> None:
    X = np.zeros((3, 160), dtype=np.float32)
    _writeLegacy(tmp_path / 'legacy', X, [{'f_0': [1.0]}] * 3, {'duration': 0.01, 'sample_rate': 16000}, 'TestTone')
    metadata = tmp_path / 'legacy' / 'metadata.json'
    text = metadata.read_text()
    metadata.write_text(text[: text.rindex('{\n')])
    with pytest.raises(DatasetFormatError, match='truncated: it ends in item 2 of 3'):
        loadDataset(tmp_path / 'legacy')
    metadata.write_text(text.replace('"x": [0.0, 0.0,', '"x": [0.0,', 1))
    with pytest.raises(DatasetFormatError, match='item 0 has 159 values of x'):
        loadDataset(tmp_path / 'legacy')
