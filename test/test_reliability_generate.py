"""Reliability of dataset generation: the recorded seed, the directory lock, workers that die with their parent,
SIGTERM, repairing damaged items, `checkDataset` / `kac-prediction check`, the scope of --overwrite, and clear errors
for a file in the way or a full disk."""

import contextlib
import errno
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import torch

import kac_prediction.dataset.generate as generate_module
from kac_prediction.cli import main
from kac_prediction.dataset import (
    DatasetFormatError,
    DatasetLockedError,
    DiskFullError,
    checkDataset,
    generateDataset,
    loadDataset,
    mergeShards,
)
from kac_prediction.dataset.format import quantise24, writeWavs
from kac_prediction.dataset.lock import datasetLock
from kac_prediction.samplers import BesselModel, FDTDModel

SETTINGS = {'duration': 0.05, 'sample_rate': 16000}
LINUX = sys.platform.startswith('linux')
# slow enough (≈ 8 ms an item, 8 chunks of 32 items) that a run can be stopped midway, after its first chunk is logged
SLOW = {'duration': 0.1, 'sample_rate': 16000, 'drum_size': 1.0}
SLOW_SIZE = 256
SLOW_ARGS = ['FDTDModel', '--size', str(SLOW_SIZE), '--seed', '11', '--duration', '0.1', '--sample-rate', '16000',
             '--settings', '{"drum_size": 1.0}', '--workers', '2']  # fmt: skip


def _files(directory: Path) -> dict[str, bytes]:
    """Every WAV of a dataset, by name, as bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.glob('sample_*.wav'))}


def _labels(directory: Path) -> list[dict[str, Any]]:
    return [d['y'] for d in json.loads((directory / 'metadata.json').read_text())['data']]


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `directory`: (content, mtime in ns)."""
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob('*'))
        if p.is_file()
    }


class _StopError(Exception):
    """Stands for a kill in the middle of a run."""


def _failAfter(monkeypatch: pytest.MonkeyPatch, calls: int, error: BaseException) -> None:
    """Make generate.py's writeWavs (one call per chunk, in this process with num_workers=1) raise `error` on call
    number `calls` + 1."""
    real, count = writeWavs, [0]

    def failing(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        if count[0] > calls:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(generate_module, 'writeWavs', failing)


# --- 1. the recorded seed is the one every worker uses ---


def test_an_unseeded_dataset_equals_the_one_its_recorded_seed_makes(tmp_path: Path) -> None:
    unseeded = generateDataset(
        BesselModel, tmp_path / 'unseeded', 24, sampler_settings=SETTINGS, num_workers=2, batch_size=4,
        progressbar=False,
    )  # fmt: skip
    seed = unseeded.sampler_settings['seed']
    generateDataset(BesselModel, tmp_path / 'seeded', 24, sampler_settings=SETTINGS, seed=seed, progressbar=False)
    assert _files(tmp_path / 'unseeded') == _files(tmp_path / 'seeded')
    assert _labels(tmp_path / 'unseeded') == _labels(tmp_path / 'seeded')


def test_a_resumed_unseeded_run_keeps_one_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / 'resumed'
    monkeypatch.setattr(generate_module, '_SYNC_SECONDS', 0.0)  # every chunk logged at once
    _failAfter(monkeypatch, 2, _StopError())
    with pytest.raises(_StopError):
        generateDataset(BesselModel, target, 20, sampler_settings=SETTINGS, num_workers=1, batch_size=4)
    monkeypatch.undo()
    assert (target / '.generation' / 'items.jsonl').read_text().count('\n') == 8  # two chunks kept
    resumed = generateDataset(BesselModel, target, 20, sampler_settings=SETTINGS, num_workers=1, progressbar=False)
    seed = resumed.sampler_settings['seed']
    generateDataset(BesselModel, tmp_path / 'seeded', 20, sampler_settings=SETTINGS, seed=seed, progressbar=False)
    assert _files(target) == _files(tmp_path / 'seeded') and _labels(target) == _labels(tmp_path / 'seeded')


# --- 2. one process at a time in a dataset directory ---

_HOLD_LOCK = """
import sys
from kac_prediction.dataset.lock import datasetLock
with datasetLock(sys.argv[1]):
    print('locked', flush=True)
    sys.stdin.readline()
"""


def test_a_locked_directory_is_refused_naming_the_holder(tmp_path: Path) -> None:
    target = tmp_path / 'held'
    target.mkdir()
    holder = subprocess.Popen(
        [sys.executable, '-c', _HOLD_LOCK, str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == 'locked\n'
        with pytest.raises(DatasetLockedError, match=rf'{target}.*pid {holder.pid}\b'):
            generateDataset(BesselModel, target, 4, sampler_settings=SETTINGS, seed=1, progressbar=False)
        with pytest.raises(DatasetLockedError):
            generateDataset(BesselModel, target, 4, sampler_settings=SETTINGS, seed=1, overwrite=True)
        assert os.listdir(target) == ['.lock']  # nothing written, and the lock file left alone
        shards = [tmp_path / f'shard{i}' for i in range(2)]
        for i, shard in enumerate(shards):
            generateDataset(BesselModel, shard, 4, sampler_settings=SETTINGS, seed=1, shard=(i, 2), progressbar=False)
        with pytest.raises(DatasetLockedError, match=rf'pid {holder.pid}\b'):
            mergeShards(shards, target)
        assert os.listdir(target) == ['.lock']
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    generateDataset(BesselModel, target, 4, sampler_settings=SETTINGS, seed=1, progressbar=False)  # free again
    assert not (target / '.lock').exists()


def test_the_lock_file_is_neither_stray_nor_removed_while_held(tmp_path: Path) -> None:
    target = tmp_path / 'data'
    target.mkdir()
    (target / '.lock').write_text('{"pid": 999999999, "command": "killed long ago"}')  # left by a kill -9
    generateDataset(BesselModel, target, 4, sampler_settings=SETTINGS, seed=1, progressbar=False)
    with datasetLock(target):  # re-entrant in this thread
        generateDataset(BesselModel, target, 3, sampler_settings=SETTINGS, seed=2, overwrite=True, progressbar=False)
        assert (target / '.lock').exists()
    assert sorted(os.listdir(target)) == ['cache', 'metadata.json', *sorted(_files(target))]


_WAITING_CLI = """
import sys
import kac_prediction.dataset.generate
from kac_prediction.cli import main
print('ready', flush=True)
sys.stdin.readline()  # everything imported: start on the signal
sys.exit(main(sys.argv[1:]))
"""


def test_two_generations_racing_for_one_directory(tmp_path: Path) -> None:
    """Two processes start `generate --overwrite` into one directory at the same instant: one generates, the other
    is refused, naming the directory and the winner; the labels match the audio."""
    target = tmp_path / 'raced'
    arguments = ['generate', 'FDTDModel', str(target), '--size', '32', '--duration', '0.1', '--sample-rate', '16000',
                 '--settings', '{"drum_size": 1.0}', '--workers', '1', '--overwrite']  # fmt: skip
    command = [sys.executable, '-c', _WAITING_CLI, *arguments]
    pipes = subprocess.PIPE
    processes = [subprocess.Popen([*command, '--seed', str(seed)], stdin=pipes, stdout=pipes, stderr=pipes, text=True)
                 for seed in (3, 4)]  # fmt: skip
    for process in processes:  # both have imported everything
        assert process.stdout is not None and process.stdout.readline() == 'ready\n'
    for process in processes:
        assert process.stdin is not None
        process.stdin.write('go\n')
        process.stdin.flush()
    outputs = [process.communicate(timeout=120) for process in processes]
    codes = sorted(process.returncode for process in processes)
    assert codes == [0, 2], outputs
    winner = next(k for k, process in enumerate(processes) if process.returncode == 0)
    errors = [line for line in outputs[1 - winner][1].splitlines() if line.startswith('error:')]
    assert len(errors) == 1 and str(target) in errors[0] and f'pid {processes[winner].pid}' in errors[0], outputs
    assert 'Traceback' not in outputs[1 - winner][1]
    dataset = loadDataset(target, progressbar=False)
    assert dataset.sampler_settings['seed'] == (3, 4)[winner]
    waveforms, labels = FDTDModel(**dataset.sampler_settings).generateBatch(range(32))
    assert dataset.labels == json.loads(json.dumps(labels))
    stored = np.stack([sf.read(target / f'sample_{i:05d}.wav', dtype='int32')[0] >> 8 for i in range(32)])
    assert np.array_equal(stored, quantise24(waveforms))
    assert sorted(os.listdir(target)) == ['cache', 'metadata.json', *sorted(_files(target))]


# --- 3. workers die with their parent; SIGTERM stops a run cleanly ---


@pytest.fixture(scope='module')
def slow_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset of SLOW_ARGS, generated uninterrupted in this process."""
    directory = tmp_path_factory.mktemp('slow') / 'reference'
    generateDataset(FDTDModel, directory, SLOW_SIZE, sampler_settings=SLOW, seed=11, num_workers=2, progressbar=False)
    return directory


def _alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie, dead but not yet reaped, counts as dead)."""
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ('Z', 'X')


def _startAndWait(target: Path, stderr: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """Start `generate` SLOW_ARGS into `target` (its stderr into the file `stderr`: a pipe would stay open as long as
    any worker lives); return it and its worker pids once both workers run and items are logged."""
    with open(stderr, 'wb') as file:
        command = [sys.executable, '-m', 'kac_prediction.cli', 'generate', SLOW_ARGS[0], str(target), *SLOW_ARGS[1:]]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=file)
    progress = target / '.generation'
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        workers = [int(p.name.removeprefix('wav-')) for p in progress.glob('wav-*')] if progress.exists() else []
        log = progress / 'items.jsonl'
        if len(workers) == 2 and log.exists() and log.read_text().count('\n') >= 1:
            return process, workers
        time.sleep(0.01)
    process.kill()
    raise AssertionError(f'generate finished or hung before it could be stopped: {stderr.read_text()}')


@contextlib.contextmanager
def _reaping(workers: list[int]) -> Iterator[None]:
    """Kill the workers that outlive the block (a failing test leaves no process behind)."""
    try:
        yield
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _resume(target: Path, reference: Path) -> None:
    """Rerun the same command: it finishes a dataset bit-identical to the uninterrupted one."""
    assert not (target / 'metadata.json').exists()
    with pytest.raises(DatasetFormatError, match='unfinished generation'):
        loadDataset(target)
    result = subprocess.run(
        [sys.executable, '-m', 'kac_prediction.cli', 'generate', SLOW_ARGS[0], str(target), *SLOW_ARGS[1:]],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _files(target) == _files(reference) and _labels(target) == _labels(reference)
    assert torch.equal(loadDataset(target, progressbar=False).X, loadDataset(reference, progressbar=False).X)
    assert sorted(os.listdir(target)) == ['cache', 'metadata.json', *sorted(_files(reference))]


@pytest.mark.skipif(not LINUX, reason='reads /proc')
def test_killing_the_parent_kills_its_workers(tmp_path: Path, slow_reference: Path) -> None:
    target = tmp_path / 'killed'
    process, workers = _startAndWait(target, tmp_path / 'stderr')
    with _reaping(workers):
        assert all(_alive(pid) for pid in workers)
        process.kill()
        process.wait(timeout=60)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), 'a worker outlived its killed parent'
    _resume(target, slow_reference)


@pytest.mark.skipif(not LINUX, reason='reads /proc')
def test_sigterm_stops_the_run_cleanly_and_it_resumes(tmp_path: Path, slow_reference: Path) -> None:
    target = tmp_path / 'terminated'
    process, workers = _startAndWait(target, tmp_path / 'stderr')
    with _reaping(workers):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        stderr = (tmp_path / 'stderr').read_text()
        assert process.returncode == 128 + signal.SIGTERM, stderr
        assert 'Traceback' not in stderr
        lines = [line for line in stderr.splitlines() if line.startswith(('interrupted:', 'error:'))]
        assert lines == [
            f'interrupted: {target} holds an unfinished generation; run the same command again to resume it.'
        ]
        assert not any(_alive(pid) for pid in workers)
    _resume(target, slow_reference)


def test_terminate_handler_is_restored(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    generateDataset(BesselModel, tmp_path / 'd', 3, sampler_settings=SETTINGS, seed=1, progressbar=False)
    assert signal.getsignal(signal.SIGTERM) is before


# --- 4. damaged items are repaired by rerunning generate; checkDataset reports without changing anything ---


def _damage(directory: Path) -> None:
    """Item 7 missing, item 3 truncated, item 5 stereo."""
    (directory / 'sample_00007.wav').unlink()
    data = (directory / 'sample_00003.wav').read_bytes()
    (directory / 'sample_00003.wav').write_bytes(data[: len(data) // 2])
    sf.write(directory / 'sample_00005.wav', np.zeros((800, 2)), 16000, subtype='PCM_24')


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    directory = tmp_path / 'data'
    generateDataset(BesselModel, directory, 23, sampler_settings=SETTINGS, seed=7, num_workers=1, progressbar=False)
    return directory


def test_rerunning_generate_repairs_exactly_the_damaged_items(dataset_dir: Path) -> None:
    loadDataset(dataset_dir, {'output_type': 'spectrum', 'n_bins': 64}, progressbar=False)  # a second cache
    original = _snapshot(dataset_dir)
    X = loadDataset(dataset_dir, progressbar=False).X.clone()
    _damage(dataset_dir)
    with pytest.raises(DatasetFormatError, match='sample_00003.wav has 392 samples'):
        loadDataset(dataset_dir)
    with pytest.warns(UserWarning, match=r'3 damaged item\(s\): 3 \(.*\); 5 \(.*\); 7 \(.*missing'):
        repaired = generateDataset(BesselModel, dataset_dir, 23, sampler_settings=SETTINGS, seed=7, progressbar=False)
    now = _snapshot(dataset_dir)
    assert {name: content for name, (content, _) in now.items()} == {n: c for n, (c, _) in original.items()}
    rewritten = sorted(name for name in now if name.endswith('.wav') and now[name][1] != original[name][1])
    assert rewritten == ['sample_00003.wav', 'sample_00005.wav', 'sample_00007.wav']  # the caches: the same rows
    assert torch.equal(repaired.X, X)


def test_check_reports_damage_and_changes_nothing(dataset_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    healthy = checkDataset(dataset_dir)
    assert healthy.healthy and healthy.state == 'complete' and healthy.dataset_size == 23 and not healthy.repair
    _damage(dataset_dir)
    cache = next((dataset_dir / 'cache').glob('*.npy'))
    X = np.load(cache, mmap_mode='r+')
    X[4, 10] = np.nan
    X.flush()
    del X
    metadata = json.loads((dataset_dir / 'metadata.json').read_text())
    metadata['data'][2]['y']['drum_size'] = [float('inf')]
    (dataset_dir / 'metadata.json').write_text(json.dumps(metadata))
    before = _snapshot(dataset_dir)
    report = checkDataset(dataset_dir)
    assert _snapshot(dataset_dir) == before
    assert not report.healthy and sorted(report.damaged_items) == [3, 5, 7] and report.bad_labels == [2]
    assert 'missing' in report.damaged_items[7] and 'samples' in report.damaged_items[3]
    assert 'channels' in report.damaged_items[5]
    text = ' '.join(report.problems)
    assert f'{cache} holds non-finite values in the rows of items 4' in text and 'metadata.json: items 2' in text
    assert report.asDict()['damaged_items'][0] == {'item': 3, 'problem': report.damaged_items[3]}
    assert report.repair == [f'rm {cache}', f'kac-prediction generate BesselModel {dataset_dir} --size 23 --seed 7 '
                             '--duration 0.05 --sample-rate 16000']  # fmt: skip
    cache.unlink()  # the commands it gives repair everything
    capsys.readouterr()
    assert main(shlex.split(report.repair[1])[1:]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if line.startswith('warning:')]
    assert len(warned) == 1 and re.search(r'4 damaged item\(s\): 2 \(labels .*\); 3 .*; 5 .*; 7 ', warned[0])
    assert checkDataset(dataset_dir).healthy


def test_check_reports_unreadable_metadata_and_unfinished_generation(
    tmp_path: Path, dataset_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (dataset_dir / 'metadata.json').read_text()
    (dataset_dir / 'metadata.json').write_text(text[: len(text) // 2])
    report = checkDataset(dataset_dir)
    assert report.state == 'unreadable' and 'metadata.json is truncated' in report.problems[0]
    unfinished = tmp_path / 'unfinished'
    _failAfter(monkeypatch, 1, _StopError())
    with pytest.raises(_StopError):
        generateDataset(BesselModel, unfinished, 20, sampler_settings=SETTINGS, seed=2, num_workers=1, batch_size=4)
    monkeypatch.undo()
    report = checkDataset(unfinished)
    assert report.state == 'unfinished' and 'unfinished generation' in report.problems[0]
    assert report.repair == [f'kac-prediction generate BesselModel {unfinished} --size 20 --seed 2 --duration 0.05 '
                             '--sample-rate 16000']  # fmt: skip
    assert main(shlex.split(report.repair[0])[1:]) == 0 and checkDataset(unfinished).healthy


def test_the_check_command(dataset_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['check', str(dataset_dir)]) == 0
    assert capsys.readouterr().out.startswith(f'{dataset_dir}: healthy (complete, BesselModel, 23 items)')
    (dataset_dir / 'sample_00007.wav').unlink()
    assert main(['check', str(dataset_dir)]) == 1
    out = capsys.readouterr().out
    assert 'items 7 (' in out and 'sample_00007.wav is missing' in out and 'kac-prediction generate' in out
    assert main(['check', str(dataset_dir), '--json']) == 1
    report = json.loads(capsys.readouterr().out)
    assert report['healthy'] is False and report['damaged_items'][0]['item'] == 7
    for directory in (tmp_path / 'absent', tmp_path, dataset_dir / 'sample_00000.wav'):
        assert main(['check', str(directory)]) == 2
        err = capsys.readouterr().err
        assert err.count('\n') == 1 and err.startswith('error: ') and str(directory) in err


# --- 5. --overwrite removes only what the dataset owns ---


def test_overwrite_removes_only_what_the_dataset_owns(tmp_path: Path) -> None:
    target = tmp_path / 'data'
    generateDataset(BesselModel, target, 20, sampler_settings=SETTINGS, seed=1, progressbar=False)
    mine = {'sample_2024.wav': b'my recording', 'notes.txt': b'mine', 'cache/mine.npy': b'my array',
            'cache/mine.json': b'{}', 'cache/0123456789abcdeg.npy': b'not a key'}  # fmt: skip
    for name, content in mine.items():
        (target / name).write_bytes(content)
    generateDataset(BesselModel, target, 5, sampler_settings=SETTINGS, seed=2, overwrite=True, progressbar=False)
    for name, content in mine.items():
        assert (target / name).read_bytes() == content, name
    assert sorted(p.name for p in target.glob('sample_*.wav')) == [f'sample_{i:05d}.wav' for i in range(5)] + [
        'sample_2024.wav'
    ]
    assert len(list((target / 'cache').glob('*.npy'))) == 3  # ours (one), the user's two
    assert loadDataset(target, progressbar=False).sampler_settings['seed'] == 2


# --- 6. one error line: a file in the way, a full disk ---


def test_a_file_where_the_dataset_should_go_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / 'somefile'
    file.write_text('mine')
    for target, words in ((file, f'{file} exists and is a file'), (file / 'sub', f'{file} is a file')):
        assert main(['generate', 'BesselModel', str(target), '--size', '3', '--duration', '0.05']) == 2
        err = capsys.readouterr().err
        assert err.count('\n') == 1 and err.startswith('error: ') and words in err and 'another dataset_dir' in err
    assert file.read_text() == 'mine'


@pytest.mark.parametrize('where', ['writeWavs', 'appendLine', 'writeMetadata'])
def test_a_full_disk_stops_generation_resumably(
    where: str, tmp_path: Path, dataset_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / 'full'
    if where == 'writeWavs':
        _failAfter(monkeypatch, 2, OSError(errno.ENOSPC, 'No space left on device'))
    else:
        full = OSError(errno.EDQUOT if where == 'appendLine' else errno.ENOSPC, 'No space left on device')

        def fail(*args: Any, **kwargs: Any) -> None:
            raise full

        monkeypatch.setattr(generate_module, where, fail)
    with pytest.raises(DiskFullError, match=rf'^{target}: no space left.*run the same command') as caught:
        generateDataset(BesselModel, target, 23, sampler_settings=SETTINGS, seed=7, num_workers=1, batch_size=4)
    assert caught.value.errno in (errno.ENOSPC, errno.EDQUOT) and isinstance(caught.value, OSError)
    monkeypatch.undo()
    assert not (target / 'metadata.json').exists()
    with pytest.raises(DatasetFormatError, match='unfinished generation'):
        loadDataset(target)
    generateDataset(BesselModel, target, 23, sampler_settings=SETTINGS, seed=7, progressbar=False)
    assert _files(target) == _files(dataset_dir) and _labels(target) == _labels(dataset_dir)


def test_a_full_disk_in_a_worker_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(generate_module, '_writeAt', full)  # in the forked workers
    with pytest.raises(DiskFullError, match='no space left'):
        generateDataset(BesselModel, tmp_path / 'd', 16, sampler_settings=SETTINGS, seed=1, num_workers=2, batch_size=4)


def test_a_full_disk_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _failAfter(monkeypatch, 1, OSError(errno.ENOSPC, 'No space left on device'))
    target = tmp_path / 'full'
    arguments = ['generate', 'BesselModel', str(target), '--size', '40', '--seed', '1', '--duration', '0.05',
                 '--workers', '1']  # fmt: skip
    assert main(arguments) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith('error:')]
    assert len(errors) == 1 and 'Traceback' not in err, err
    assert errors[0].startswith(f'error: {target}: no space left') and 'run the same command' in errors[0]


@pytest.fixture(autouse=True)
def _no_leftover_locks() -> Iterator[None]:
    yield
    from kac_prediction.dataset import lock

    assert not lock._HELD, 'a dataset lock was not released'
