"""The dataset layer end to end: generate (workers, shards, resume after SIGKILL), load, transform, regenerate."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from kac_prediction.dataset import (
    DatasetFormatError,
    InputRepresentation,
    generateDataset,
    loadDataset,
    mergeShards,
    regenerateDataPoints,
    transformDataset,
)
from kac_prediction.samplers import BesselModel, PoissonModel, TestTone

SETTINGS = {'duration': 0.05, 'sample_rate': 16000}


def _files(directory: Path) -> dict[str, bytes]:
    """Every WAV of a dataset, by name, as bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.glob('sample_*.wav'))}


def _labels(directory: Path) -> list[dict]:
    return [d['y'] for d in json.loads((directory / 'metadata.json').read_text())['data']]


@pytest.fixture(scope='module')
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 23-item BesselModel dataset generated in this process (seed 7)."""
    directory = tmp_path_factory.mktemp('reference')
    generateDataset(BesselModel, directory, 23, sampler_settings=SETTINGS, seed=7, num_workers=1, progressbar=False)
    return directory


def test_generate_then_load_round_trip(reference: Path) -> None:
    dataset = loadDataset(reference, progressbar=False)
    again = loadDataset(reference, memory_map=False, progressbar=False)
    assert len(dataset) == dataset.dataset_size == 23
    assert dataset.X.dtype == torch.float32 and dataset.X.shape == (23, 800)
    assert torch.equal(dataset.X, again.X)
    assert dataset.labels == _labels(reference)
    assert dataset.groups.tolist() == [i // 5 for i in range(23)]
    assert dataset.sampler['name'] == 'BesselModel' and dataset.sampler_settings['seed'] == 7
    assert dataset.representation_settings['output_type'] == 'end2end'
    # X is the peak-normalised audio as stored in the 24-bit WAV
    audio, rate = sf.read(reference / 'sample_00012.wav')
    assert rate == 16000 and sf.info(reference / 'sample_00012.wav').subtype == 'PCM_24'
    assert np.allclose(dataset.X[12].numpy(), audio / np.abs(audio).max(), atol=1e-6)
    stored = np.stack([sf.read(reference / f'sample_{i:05d}.wav')[0] for i in range(23)])
    assert torch.equal(dataset.X, InputRepresentation(16000).transformBatch(stored))  # bit for bit
    x, y = dataset[12]
    assert torch.equal(x, dataset.X[12]) and y['drum_size'].dtype == torch.float32 and y['drum_id'].tolist() == [2]
    metadata = json.loads((reference / 'metadata.json').read_text())
    assert metadata['format_version'] == 2 and 'x' not in metadata['data'][0]
    assert not (reference / '.generation').exists()


def test_workers_and_shards_give_bit_identical_datasets(reference: Path, tmp_path: Path) -> None:
    two = tmp_path / 'two'
    generateDataset(
        BesselModel, two, 23, sampler_settings=SETTINGS, seed=7, num_workers=2, batch_size=4, progressbar=False
    )
    assert _files(two) == _files(reference) and _labels(two) == _labels(reference)
    for i in range(2):
        result = generateDataset(
            BesselModel, tmp_path / f'shard{i}', 23, sampler_settings=SETTINGS, seed=7, shard=(i, 2), progressbar=False
        )
        assert result is None
    with pytest.raises(DatasetFormatError, match='one shard'):
        loadDataset(tmp_path / 'shard0')
    merged = mergeShards([tmp_path / 'shard1', tmp_path / 'shard0'], tmp_path / 'merged')
    assert _files(tmp_path / 'merged') == _files(reference) and _labels(tmp_path / 'merged') == _labels(reference)
    assert torch.equal(merged.X, loadDataset(reference, progressbar=False).X)
    with pytest.raises(DatasetFormatError, match='needs each of'):
        mergeShards([tmp_path / 'shard0'], tmp_path / 'incomplete')


_KILLED_RUN = """
import sys
from kac_prediction.dataset import generateDataset
from kac_prediction.samplers import PoissonModel
generateDataset(PoissonModel, sys.argv[1], 2000, sampler_settings={'duration': 0.25, 'sample_rate': 16000},
                seed=5, num_workers=1, batch_size=4, progressbar=False)
"""


def test_a_killed_generation_resumes_and_loses_nothing(tmp_path: Path) -> None:
    target = tmp_path / 'killed'
    process = subprocess.Popen([sys.executable, '-c', _KILLED_RUN, str(target)])
    log = target / '.generation' / 'items.jsonl'
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and log.read_text().count('\n') >= 100:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, 'the generation finished before it could be killed'
    assert not (target / 'metadata.json').exists()
    with pytest.raises(DatasetFormatError, match='unfinished generation'):
        loadDataset(target)
    logged = [json.loads(line)['i'] for line in log.read_text().splitlines() if line.endswith('}')]
    assert 100 <= len(logged) < 2000
    before = {i: (target / f'sample_{i:05d}.wav').stat().st_mtime_ns for i in logged}
    resumed = generateDataset(
        PoissonModel, target, 2000, sampler_settings={'duration': 0.25, 'sample_rate': 16000}, num_workers=1
    )  # no seed given: the interrupted run's seed is reused
    assert all((target / f'sample_{i:05d}.wav').stat().st_mtime_ns == before[i] for i in logged)  # kept, not redone
    whole = tmp_path / 'whole'
    generateDataset(
        PoissonModel, whole, 2000, sampler_settings={'duration': 0.25, 'sample_rate': 16000}, seed=5, num_workers=1
    )
    assert _files(target) == _files(whole) and _labels(target) == _labels(whole)
    assert torch.equal(resumed.X, loadDataset(whole, progressbar=False).X)
    assert sorted(os.listdir(target)) == ['cache', 'metadata.json', *sorted(_files(whole))]


def test_existing_data_is_never_overwritten_without_the_flag(reference: Path, tmp_path: Path) -> None:
    again = generateDataset(BesselModel, reference, 23, sampler_settings=SETTINGS, seed=7, progressbar=False)
    assert len(again) == 23  # the same finished dataset: loaded, not redone
    with pytest.raises(FileExistsError, match='overwrite=True'):
        generateDataset(BesselModel, reference, 23, sampler_settings=SETTINGS, seed=8, progressbar=False)
    own = tmp_path / 'own'
    own.mkdir()
    (own / 'notes.txt').write_text('mine')
    (own / 'sample_00000.wav').write_bytes(b'not ours')
    with pytest.raises(FileExistsError, match='sample_'):
        generateDataset(BesselModel, own, 5, sampler_settings=SETTINGS, seed=1, progressbar=False)
    generateDataset(BesselModel, own, 5, sampler_settings=SETTINGS, seed=1, overwrite=True, progressbar=False)
    generateDataset(BesselModel, own, 3, sampler_settings=SETTINGS, seed=2, overwrite=True, progressbar=False)
    assert (own / 'notes.txt').read_text() == 'mine'
    assert sorted(p.name for p in own.glob('sample_*.wav')) == [f'sample_{i:05d}.wav' for i in range(3)]


def test_transform_computes_and_caches_from_the_stored_audio(reference: Path, tmp_path: Path) -> None:
    before = _files(reference)
    dataset = loadDataset(reference, progressbar=False)
    settings = {'output_type': 'fft', 'n_bins': 128, 'window_length': 128, 'hop_length': 64}
    transformDataset(dataset, settings, progressbar=False)  # type: ignore[arg-type]
    assert dataset.X.shape == (23, 65, 13) and dataset.representation_settings['output_type'] == 'fft'
    audio = np.stack([sf.read(reference / f'sample_{i:05d}.wav')[0] for i in range(23)])
    expected = InputRepresentation(16000, settings).transformBatch(audio)  # type: ignore[arg-type]
    assert torch.allclose(dataset.X, expected, rtol=1e-5, atol=1e-7)
    assert len(list((reference / 'cache').glob('*.npy'))) == 2
    assert torch.equal(loadDataset(reference, settings, progressbar=False).X, dataset.X)  # type: ignore[arg-type]
    assert _files(reference) == before
    with pytest.raises(ValueError, match='output_type'):
        transformDataset(dataset, {'output_type': 'cqt'})  # type: ignore[typeddict-item]


def test_generation_writes_x_rows_of_any_representation(reference: Path, tmp_path: Path) -> None:
    settings = {'output_type': 'fft', 'n_bins': 128, 'window_length': 128, 'hop_length': 64}
    audio = np.stack([sf.read(reference / f'sample_{i:05d}.wav')[0] for i in range(23)])
    expected = InputRepresentation(16000, settings).transformBatch(audio)  # type: ignore[arg-type]
    for workers in (1, 2):
        dataset = generateDataset(
            BesselModel,
            tmp_path / f'fft{workers}',
            23,
            settings,  # type: ignore[arg-type]
            SETTINGS,
            seed=7,
            num_workers=workers,
            batch_size=4,
            progressbar=False,
        )
        assert dataset.X.shape == (23, 65, 13) and _files(tmp_path / f'fft{workers}') == _files(reference)
        assert torch.equal(dataset.X, expected)


def test_regenerate_any_item_identically(reference: Path, tmp_path: Path) -> None:
    copy = tmp_path / 'copy'
    generateDataset(BesselModel, copy, 23, sampler_settings=SETTINGS, seed=7, progressbar=False)
    original, X = _files(copy), loadDataset(copy, progressbar=False).X.clone()
    (copy / 'sample_00007.wav').unlink()
    sf.write(copy / 'sample_00003.wav', np.zeros(800), 16000, subtype='PCM_24')
    entries = [7, 3]
    with pytest.raises(DatasetFormatError, match='sample_00007.wav is missing'):
        loadDataset(copy)
    sf.write(copy / 'sample_00007.wav', np.zeros(800), 16000, subtype='PCM_24')
    dataset = loadDataset(copy, progressbar=False)
    regenerateDataPoints(dataset, BesselModel, entries)
    assert entries == [7, 3]
    assert _files(copy) == original
    assert torch.equal(dataset.X, X) and torch.equal(loadDataset(copy, progressbar=False).X, X)
    assert _labels(copy) == _labels(reference)
    with pytest.raises(TypeError, match='made by BesselModel'):
        regenerateDataPoints(dataset, PoissonModel, [1])
    with pytest.raises(ValueError, match=r'\[0, 23\)'):
        regenerateDataPoints(dataset, BesselModel, [23])


def test_samplers_without_drums_get_one_group_per_item(tmp_path: Path) -> None:
    dataset = generateDataset(TestTone, tmp_path / 'tones', 4, sampler_settings=SETTINGS, seed=1, progressbar=False)
    assert dataset.groups.tolist() == [0, 1, 2, 3] and set(dataset.labels[0]) == {'f_0'}


def test_every_file_written_gets_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    """0o666 less the umask (not mkstemp's 0o600) for every file of generation, merging, caching and regeneration."""
    previous = os.umask(0o027)
    try:
        for i in range(2):
            shard = tmp_path / f'shard{i}'
            generateDataset(BesselModel, shard, 6, sampler_settings=SETTINGS, seed=3, shard=(i, 2), progressbar=False)
        merged = mergeShards([tmp_path / 'shard0', tmp_path / 'shard1'], tmp_path / 'merged')
        regenerateDataPoints(merged, BesselModel, [2])  # rewrites a WAV, the end2end cache and metadata.json
        loadDataset(tmp_path / 'merged', {'output_type': 'fft'}, progressbar=False)  # builds a second cache
    finally:
        os.umask(previous)
    files = [path for path in tmp_path.rglob('*') if path.is_file()]
    names = {path.relative_to(tmp_path).as_posix() for path in files}
    assert {'shard0/shard.json', 'merged/metadata.json', 'merged/sample_00005.wav'} <= names
    assert sum(path.suffix == '.npy' for path in files) == 4 and sum(path.suffix == '.json' for path in files) == 7
    assert {path.relative_to(tmp_path).as_posix(): oct(path.stat().st_mode & 0o777) for path in files} == {
        name: oct(0o640) for name in names
    }
